//! The `billing.v1.BillingService` gRPC service: `GetSubscription`, the user's current subscription, for
//! services that gate features by plan.
//!
//! Every call is authenticated first ([`kernel::grpc::authenticate`]): a call without a verified caller is refused
//! before anything is read. A service's token (role `service`) may ask about any user; a user's own token
//! (forwarded by a service acting for it) only about that user, and only while authz lets it read its own
//! subscription (a disabled user's live token does not). Any other call is `PERMISSION_DENIED` and recorded as an
//! `access.denied` event in billing's outbox, which the audit service stores; when authz cannot be asked, a user's
//! call is `UNAVAILABLE`.

use std::sync::Arc;

use chrono::Utc;
use kernel::access::{AccessError, AccessGuard, Denial, DenialRecorder, OutboxDenials, Resource};
use kernel::auth::{Claims, JwtVerifier};
use kernel::graphql::Caller;
use proto::billing::v1::billing_service_server::{BillingService, BillingServiceServer};
use proto::billing::v1::{
    GetSubscriptionRequest, GetSubscriptionResponse, Subscription as WireSubscription, SubscriptionStatus as WireStatus,
};
use tonic::{Request, Response, Status};

use crate::domain::{Subscription, SubscriptionStatus, UserId};
use crate::error::BillingError;
use crate::events::{SOURCE, TOPIC};
use crate::service::Billing;
use crate::store::reads;

/// The tonic service; build it with [`BillingGrpc::new`] and serve [`BillingGrpc::into_server`].
#[derive(Clone)]
pub struct BillingGrpc {
    verifier: Arc<JwtVerifier>,
    billing: Billing,
    guard: AccessGuard,
    denials: OutboxDenials,
}

impl BillingGrpc {
    /// A service reading through `billing` (and recording refusals in its outbox), authenticating with `verifier`
    /// and asking `guard` whether a user may still read its own subscription.
    pub fn new(verifier: Arc<JwtVerifier>, billing: Billing, guard: AccessGuard) -> Self {
        let denials = OutboxDenials::new(billing.conn().clone(), TOPIC);
        Self {
            verifier,
            billing,
            guard,
            denials,
        }
    }

    /// The service as tonic serves it.
    pub fn into_server(self) -> BillingServiceServer<Self> {
        BillingServiceServer::new(self)
    }

    /// Lets `claims` read the billing state of `user` when it is a service, or that very user and authz lets it read
    /// its own subscription; otherwise records the refusal and answers `PERMISSION_DENIED` (`UNAVAILABLE` when authz
    /// cannot be asked).
    async fn may_read<T>(&self, call: &Request<T>, claims: &Claims, user: &UserId) -> Result<(), Status> {
        if claims.is_service() {
            return Ok(());
        }
        let reason = if claims.sub == user.as_str() {
            match self.owner_may_read(call, claims, user).await {
                Ok(true) => return Ok(()),
                Ok(false) => format!(
                    "denied: authz no longer lets `{}` read its own subscription",
                    claims.sub
                ),
                Err(error) => {
                    tracing::warn!(%error, "could not ask authz whether a user may read its subscription");
                    return Err(Status::unavailable(
                        "authorization is unavailable right now; try again shortly",
                    ));
                }
            }
        } else {
            format!("denied: `{}` asked for another user's subscription", claims.sub)
        };
        let denial = Denial {
            id: uuid::Uuid::now_v7(),
            actor: claims.sub.clone(),
            action: "subscription:read".to_owned(),
            resource: format!("user:{}", user.as_str()),
            reason,
            service: SOURCE.to_owned(),
            client_address: call.remote_addr().map(|address| address.ip()),
            occurred_at: Utc::now(),
        };
        // Present: the call was authenticated with it. The outbox recorder writes to billing's own database.
        if let Some(token) = kernel::grpc::bearer_token(call.metadata())
            && let Err(error) = self.denials.record(&denial, &token).await
        {
            // The refusal stands; the log is the only record left.
            tracing::error!(%error, actor = %denial.actor, resource = %denial.resource, "could not record a denial");
        }
        Err(Status::permission_denied(
            "a user may only ask about itself; other users need a service's token",
        ))
    }

    /// Whether authz lets `claims`, which is `user`, read its own subscription: a disabled user may not.
    async fn owner_may_read<T>(&self, call: &Request<T>, claims: &Claims, user: &UserId) -> Result<bool, AccessError> {
        // Present: the call was authenticated with it; without it the caller counts as anonymous.
        let Some(token) = kernel::grpc::bearer_token(call.metadata()) else {
            return Ok(false);
        };
        let caller = Caller::authenticated(claims.clone(), token, call.remote_addr().map(|address| address.ip()));
        let resource = Resource::kind("subscription").owned_by(user.as_str());
        self.guard.allows(&caller, "read", &resource).await
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
        let claims = kernel::grpc::authenticate(&self.verifier, &call).await?;
        let user = UserId::parse(&call.get_ref().user_id).map_err(BillingError::from)?;
        self.may_read(&call, &claims, &user).await?;
        let mut current = reads::current_subscriptions(self.billing.conn(), std::slice::from_ref(&user))
            .await
            .map_err(BillingError::from)?;
        Ok(Response::new(GetSubscriptionResponse {
            subscription: current.remove(&user).as_ref().map(to_wire),
        }))
    }
}
