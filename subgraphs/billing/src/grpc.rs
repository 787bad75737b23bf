//! The `billing.v1.BillingService` gRPC service: `GetSubscription`, the user's current subscription, for
//! services that gate features by plan.
//!
//! Every call is authenticated first ([`kernel::grpc::authenticate`]): a call without a verified caller is refused
//! before anything is read.

use std::sync::Arc;

use kernel::auth::JwtVerifier;
use proto::billing::v1::billing_service_server::{BillingService, BillingServiceServer};
use proto::billing::v1::{
    GetSubscriptionRequest, GetSubscriptionResponse, Subscription as WireSubscription, SubscriptionStatus as WireStatus,
};
use tonic::{Request, Response, Status};

use crate::domain::{Subscription, SubscriptionStatus, UserId};
use crate::error::BillingError;
use crate::service::Billing;
use crate::store::reads;

/// The tonic service; build it with [`BillingGrpc::new`] and serve [`BillingGrpc::into_server`].
#[derive(Clone)]
pub struct BillingGrpc {
    verifier: Arc<JwtVerifier>,
    billing: Billing,
}

impl BillingGrpc {
    /// A service reading through `billing`, authenticating with `verifier`.
    pub fn new(verifier: Arc<JwtVerifier>, billing: Billing) -> Self {
        Self { verifier, billing }
    }

    /// The service as tonic serves it.
    pub fn into_server(self) -> BillingServiceServer<Self> {
        BillingServiceServer::new(self)
    }
}

fn status(status: SubscriptionStatus) -> WireStatus {
    match status {
        SubscriptionStatus::Trialing => WireStatus::Trialing,
        SubscriptionStatus::Active => WireStatus::Active,
        SubscriptionStatus::PastDue => WireStatus::PastDue,
        SubscriptionStatus::Canceled => WireStatus::Canceled,
    }
}

/// `subscription` in its wire form.
pub fn to_wire(subscription: &Subscription) -> WireSubscription {
    WireSubscription {
        id: subscription.id.to_string(),
        user_id: subscription.user_id.to_string(),
        plan_code: subscription.plan.code.clone(),
        status: status(subscription.status).into(),
        current_period_start: subscription.current_period.start.to_rfc3339(),
        current_period_end: subscription.current_period.end.to_rfc3339(),
    }
}

#[tonic::async_trait]
impl BillingService for BillingGrpc {
    async fn get_subscription(
        &self,
        call: Request<GetSubscriptionRequest>,
    ) -> Result<Response<GetSubscriptionResponse>, Status> {
        kernel::grpc::authenticate(&self.verifier, &call).await?;
        let user = UserId::parse(&call.get_ref().user_id).map_err(BillingError::from)?;
        let mut current = reads::current_subscriptions(self.billing.conn(), std::slice::from_ref(&user))
            .await
            .map_err(BillingError::from)?;
        Ok(Response::new(GetSubscriptionResponse {
            subscription: current.remove(&user).as_ref().map(to_wire),
        }))
    }
}
