//! `billing.v1.BillingService/GetSubscription`: a service reads any user's current subscription, a user's own token
//! only that user's.

use proto::billing::v1::billing_service_client::BillingServiceClient;
use proto::billing::v1::{GetSubscriptionRequest, SubscriptionStatus};

use crate::harness::{Harness, MEMBER, OTHER};

fn request(h: &Harness, user: &str, token: bool) -> tonic::Request<GetSubscriptionRequest> {
    let mut request = tonic::Request::new(GetSubscriptionRequest {
        user_id: user.to_owned(),
    });
    if token {
        // A calling service's token (role `service`), which may ask about any user.
        let token = h
            .issuer
            .issue("blog-service", vec!["service".to_owned()], "")
            .unwrap()
            .token;
        let value = format!("Bearer {token}");
        request.metadata_mut().insert("authorization", value.parse().unwrap());
    }
    request
}

#[tokio::test]
async fn an_authenticated_caller_reads_the_current_subscription_and_an_anonymous_one_is_refused() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (subscription, _) = h.subscribe(MEMBER, "pro").await;
    let mut client = BillingServiceClient::connect(format!("http://{}", h.billing.grpc_addr().unwrap()))
        .await
        .unwrap();

    let found = client
        .get_subscription(request(&h, MEMBER, true))
        .await
        .unwrap()
        .into_inner();
    let found = found.subscription.expect("the member's subscription");
    assert_eq!(found.id, subscription["id"].as_str().unwrap());
    assert_eq!(found.plan_code, "pro");
    assert_eq!(found.status, i32::from(SubscriptionStatus::Active));
    assert!(!found.current_period_end.is_empty());

    let none = client
        .get_subscription(request(&h, OTHER, true))
        .await
        .unwrap()
        .into_inner();
    assert!(none.subscription.is_none());
    let refused = client.get_subscription(request(&h, MEMBER, false)).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);
    let bad = client.get_subscription(request(&h, " ", true)).await.unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument, "{bad}");
    h.finish().await;
}

#[tokio::test]
async fn a_user_token_reads_only_its_own_subscription_and_the_refusal_is_recorded() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (subscription, _) = h.subscribe(MEMBER, "pro").await;
    let mut client = BillingServiceClient::connect(format!("http://{}", h.billing.grpc_addr().unwrap()))
        .await
        .unwrap();
    let as_user = |subject: &str, user: &str| {
        let mut request = tonic::Request::new(GetSubscriptionRequest {
            user_id: user.to_owned(),
        });
        let value = format!("Bearer {}", h.token(subject));
        request.metadata_mut().insert("authorization", value.parse().unwrap());
        request
    };

    let own = client
        .get_subscription(as_user(MEMBER, MEMBER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.subscription.unwrap().id, subscription["id"].as_str().unwrap());
    let refused = client.get_subscription(as_user(OTHER, MEMBER)).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::PermissionDenied, "{refused}");
    assert!(!refused.message().contains("pro"), "{refused}");

    let denials = h.events("access.denied").await;
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0]["actor"], OTHER);
    assert_eq!(denials[0]["payload"]["action"], "subscription:read");
    assert_eq!(denials[0]["payload"]["resource"], format!("user:{MEMBER}").as_str());
    h.finish().await;
}
