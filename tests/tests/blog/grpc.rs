//! `blog.v1.BlogService/GetPost`: authenticated, drafts included for services, NOT_FOUND for unknown ids, a user's
//! own token limited to what that user may see; and the service as `from_config` wires it.

use proto::blog::v1::blog_service_client::BlogServiceClient;
use proto::blog::v1::{GetPostRequest, PostStatus};
use tonic::transport::Channel;

use crate::harness::{AUTHOR, Harness, READER};

async fn client(h: &Harness) -> BlogServiceClient<Channel> {
    BlogServiceClient::connect(format!("http://{}", h.blog().grpc_addr().unwrap()))
        .await
        .unwrap()
}

/// A request carrying a calling service's token (role `service`).
fn authed(h: &Harness, id: &str) -> tonic::Request<GetPostRequest> {
    let mut request = tonic::Request::new(GetPostRequest { id: id.to_owned() });
    let token = h
        .issuer
        .issue("billing-service", vec!["service".to_owned()], "")
        .unwrap()
        .token;
    let value = format!("Bearer {token}");
    request.metadata_mut().insert("authorization", value.parse().unwrap());
    request
}

#[tokio::test]
async fn get_post_returns_drafts_to_an_authenticated_service() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Internal view", &[]).await;
    let post = client(&h)
        .await
        .get_post(authed(&h, &id))
        .await
        .unwrap()
        .into_inner()
        .post
        .unwrap();
    assert_eq!(post.id, id);
    assert_eq!(post.author_id, AUTHOR);
    assert_eq!(post.slug, "internal-view");
    assert_eq!(post.status, i32::from(PostStatus::Draft));
    assert!(post.published_at.is_empty());
    assert!(chrono::DateTime::parse_from_rfc3339(&post.created_at).is_ok());
    h.finish().await;
}

#[tokio::test]
async fn get_post_refuses_the_unauthenticated_and_answers_not_found_and_invalid_argument() {
    let h = Harness::start().await;
    let mut client = client(&h).await;
    let anonymous = client
        .get_post(GetPostRequest {
            id: uuid::Uuid::now_v7().to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(anonymous.code(), tonic::Code::Unauthenticated, "{anonymous}");
    let missing = client
        .get_post(authed(&h, &uuid::Uuid::now_v7().to_string()))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound, "{missing}");
    let malformed = client.get_post(authed(&h, "p-1")).await.unwrap_err();
    assert_eq!(malformed.code(), tonic::Code::InvalidArgument, "{malformed}");
    h.finish().await;
}

fn as_user(h: &Harness, subject: &str, id: &str) -> tonic::Request<GetPostRequest> {
    let mut request = tonic::Request::new(GetPostRequest { id: id.to_owned() });
    let value = format!("Bearer {}", h.token(subject));
    request.metadata_mut().insert("authorization", value.parse().unwrap());
    request
}

#[tokio::test]
async fn a_user_token_gets_published_posts_and_its_own_drafts_but_not_another_users_draft() {
    let h = Harness::start().await;
    let draft = h.create_post(AUTHOR, "Unannounced plans", &[]).await;
    let public = h.create_post(AUTHOR, "Announced", &[]).await;
    h.publish(&public).await;
    let mut client = client(&h).await;

    let read = client
        .get_post(as_user(&h, READER, &public))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.post.unwrap().title, "Announced");
    let own = client.get_post(as_user(&h, AUTHOR, &draft)).await.unwrap().into_inner();
    assert_eq!(own.post.unwrap().title, "Unannounced plans");
    let refused = client.get_post(as_user(&h, READER, &draft)).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::PermissionDenied, "{refused}");
    assert!(!refused.message().contains("Unannounced"), "{refused}");

    let denials = h.denials().await;
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0]["actor"], READER);
    assert_eq!(denials[0]["payload"]["action"], "post:read");
    assert_eq!(denials[0]["payload"]["resource"], format!("post:{draft}").as_str());
    h.finish().await;
}

#[tokio::test]
async fn from_config_migrates_its_database_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = blog::BlogConfig::default();
    config.database.url =
        secrecy::SecretString::from(format!("sqlite://{}?mode=rwc", dir.path().join("blog.db").display()));
    config.database.schema = None;
    config.server.http_addr = "127.0.0.1:0".parse().unwrap();
    config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
    config.server.shutdown_grace_ms = 200;
    let running = blog::BlogApp::from_config(config).await.unwrap().start().await.unwrap();
    let ready = reqwest::get(format!("http://{}/readyz", running.http_addr()))
        .await
        .unwrap();
    assert!(ready.status().is_success(), "{}", ready.status());
    let posts: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", running.http_addr()))
        .json(&serde_json::json!({ "query": "{ posts { edges { cursor } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(posts["data"]["posts"]["edges"], serde_json::json!([]), "{posts}");
    running.stop().await;
}
