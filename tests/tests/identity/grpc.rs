//! `identity.v1` over gRPC: look-ups with a valid token, refusal without one, and a user's token looking up only
//! that user.

use proto::identity::v1::identity_service_client::IdentityServiceClient;
use proto::identity::v1::{BatchGetUsersRequest, GetUserRequest, UserStatus};
use tonic::Code;
use tonic::metadata::MetadataValue;

use crate::harness::{self, email};

fn with_token<T>(message: T, token: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(token) = token {
        let value = MetadataValue::try_from(format!("Bearer {token}")).unwrap();
        request.metadata_mut().insert("authorization", value);
    }
    request
}

#[tokio::test]
async fn get_user_and_batch_get_users_answer_an_authenticated_caller() {
    let identity = harness::start().await;
    let ada = identity.sign_up(&email("ada"), "Ada").await;
    let bob = identity.sign_up(&email("bob"), "Bob").await;
    let token = identity
        .issuer
        .issue("service:blog", vec!["service".into()], "")
        .unwrap()
        .token;
    let mut client = IdentityServiceClient::connect(format!("http://{}", identity.running().grpc_addr))
        .await
        .unwrap();

    let got = client
        .get_user(with_token(
            GetUserRequest {
                id: ada["id"].as_str().unwrap().to_owned(),
            },
            Some(&token),
        ))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(got.id, ada["id"].as_str().unwrap());
    assert_eq!(got.display_name, "Ada");
    assert_eq!(got.status, i32::from(UserStatus::Active));
    assert!(chrono::DateTime::parse_from_rfc3339(&got.created_at).is_ok());

    let ids = vec![
        bob["id"].as_str().unwrap().to_owned(),
        uuid::Uuid::now_v7().to_string(),
        ada["id"].as_str().unwrap().to_owned(),
    ];
    let batch = client
        .batch_get_users(with_token(BatchGetUsersRequest { ids }, Some(&token)))
        .await
        .unwrap()
        .into_inner()
        .users;
    let names: Vec<&str> = batch.iter().map(|u| u.display_name.as_str()).collect();
    assert_eq!(names, ["Bob", "Ada"], "request order, unknown ids omitted");

    let missing = client
        .get_user(with_token(
            GetUserRequest {
                id: uuid::Uuid::now_v7().to_string(),
            },
            Some(&token),
        ))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let malformed = client
        .get_user(with_token(GetUserRequest { id: "x".into() }, Some(&token)))
        .await
        .unwrap_err();
    assert_eq!(malformed.code(), Code::InvalidArgument);
    identity.stop().await;
}

#[tokio::test]
async fn calls_without_a_valid_token_are_unauthenticated() {
    let identity = harness::start().await;
    let user = identity.sign_up(&email("ada"), "Ada").await;
    let mut client = IdentityServiceClient::connect(format!("http://{}", identity.running().grpc_addr))
        .await
        .unwrap();
    let id = user["id"].as_str().unwrap().to_owned();
    let none = client
        .get_user(with_token(GetUserRequest { id: id.clone() }, None))
        .await
        .unwrap_err();
    assert_eq!(none.code(), Code::Unauthenticated);
    let batch = client
        .batch_get_users(with_token(BatchGetUsersRequest { ids: vec![id.clone()] }, None))
        .await
        .unwrap_err();
    assert_eq!(batch.code(), Code::Unauthenticated);
    let expired = identity.issuer.issue_at("x", vec![], "", 1_000_000).unwrap().token;
    let refused = client
        .get_user(with_token(GetUserRequest { id }, Some(&expired)))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    identity.stop().await;
}

#[tokio::test]
async fn a_user_token_looks_up_only_itself_and_other_look_ups_are_permission_denied_and_recorded() {
    let identity = harness::start().await;
    let ada = identity.sign_up(&email("ada"), "Ada").await;
    let bob_address = email("bob");
    let bob = identity.sign_up(&bob_address, "Bob").await;
    let ada_id = ada["id"].as_str().unwrap().to_owned();
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    let token = identity.issuer.issue(&ada_id, vec!["member".into()], "").unwrap().token;
    let mut client = IdentityServiceClient::connect(format!("http://{}", identity.running().grpc_addr))
        .await
        .unwrap();

    let own = client
        .get_user(with_token(GetUserRequest { id: ada_id.clone() }, Some(&token)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.user.unwrap().display_name, "Ada");
    let other = client
        .get_user(with_token(GetUserRequest { id: bob_id.clone() }, Some(&token)))
        .await
        .unwrap_err();
    assert_eq!(other.code(), Code::PermissionDenied, "{other}");
    assert!(!other.message().contains(&bob_address), "{other}");
    let batch = client
        .batch_get_users(with_token(
            BatchGetUsersRequest {
                ids: vec![ada_id.clone(), bob_id.clone()],
            },
            Some(&token),
        ))
        .await
        .unwrap_err();
    assert_eq!(batch.code(), Code::PermissionDenied, "{batch}");

    let events = identity
        .events_until(|events| events.iter().filter(|(_, e)| e.event_type == "access.denied").count() >= 2)
        .await;
    let denials: Vec<_> = events.iter().filter(|(_, e)| e.event_type == "access.denied").collect();
    assert_eq!(denials.len(), 2);
    for (_, denial) in denials {
        assert_eq!(denial.actor.as_deref(), Some(ada_id.as_str()));
        assert_eq!(denial.payload["action"], "user:read");
        assert_eq!(denial.payload["resource"], format!("user:{bob_id}").as_str());
    }
    identity.stop().await;
}
