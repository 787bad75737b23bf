//! The `blog.v1.BlogService` gRPC service: `GetPost`, for services that need a post's state outside the public
//! graph. Every call is authenticated first ([`kernel::grpc::authenticate`]). A service's token (role `service`)
//! gets drafts too, since it is not a reader; a user's own token (forwarded by a service acting for it) gets only
//! what that user may see anyway: published posts and its own, the latter only while authz still lets it read what
//! it owns (a disabled user's token no longer does). Anything else is `PERMISSION_DENIED` and recorded as an
//! `access.denied` event in blog's outbox, which the audit service stores; when authz cannot be asked, an
//! unpublished post is `UNAVAILABLE` rather than shown.

use std::sync::Arc;

use chrono::Utc;
use kernel::access::{AccessGuard, Denial, DenialRecorder, OutboxDenials, Resource};
use kernel::auth::{Claims, JwtVerifier};
use kernel::graphql::Caller;
use proto::blog::v1::blog_service_server::{BlogService, BlogServiceServer};
use proto::blog::v1::{GetPostRequest, GetPostResponse, Post, PostStatus as WireStatus};
use tonic::{Request, Response, Status};

use crate::domain::{PostStatus, parse_id};
use crate::error::BlogError;
use crate::events::{SOURCE, TOPIC};
use crate::store::{BlogStore, PostRecord};

/// The tonic service; build it with [`BlogGrpc::new`] and serve [`BlogGrpc::into_server`].
#[derive(Clone)]
pub struct BlogGrpc {
    verifier: Arc<JwtVerifier>,
    store: BlogStore,
    guard: AccessGuard,
    denials: OutboxDenials,
}

impl BlogGrpc {
    /// A service reading `store` (and recording refusals in its outbox), authenticating with `verifier` and asking
    /// `guard` whether an author may still read its own unpublished posts.
    pub fn new(verifier: Arc<JwtVerifier>, store: BlogStore, guard: AccessGuard) -> Self {
        let denials = OutboxDenials::new(store.conn().clone(), TOPIC);
        Self {
            verifier,
            store,
            guard,
            denials,
        }
    }

    /// The service as tonic serves it.
    pub fn into_server(self) -> BlogServiceServer<Self> {
        BlogServiceServer::new(self)
    }

    /// Lets `claims` read `post` when it is a service, the post is published, or it is the post's author and authz
    /// lets it read what it owns; otherwise records the refusal and answers `PERMISSION_DENIED`. When authz cannot
    /// be asked about an author's own post, the answer is `UNAVAILABLE` and nothing is shown.
    async fn may_read<T>(&self, call: &Request<T>, claims: &Claims, post: &PostRecord) -> Result<(), Status> {
        if claims.is_service() || post.status.is_public() {
            return Ok(());
        }
        let reason = if claims.sub == post.author_id {
            match self.owner_may_read(call, claims, post).await {
                Ok(true) => return Ok(()),
                Ok(false) => format!("denied: authz no longer lets `{}` read its own posts", claims.sub),
                Err(error) => {
                    tracing::warn!(%error, post = %post.id, "could not ask authz whether an author may read its post");
                    return Err(Status::unavailable(
                        "authorization is unavailable right now; try again shortly",
                    ));
                }
            }
        } else {
            format!(
                "denied: `{}` asked for a post it did not write that is not published",
                claims.sub
            )
        };
        let denial = Denial {
            id: uuid::Uuid::now_v7(),
            actor: claims.sub.clone(),
            action: "post:read".to_owned(),
            resource: format!("post:{}", post.id),
            reason,
            service: SOURCE.to_owned(),
            client_address: call.remote_addr().map(|address| address.ip()),
            occurred_at: Utc::now(),
        };
        // Present: the call was authenticated with it. The outbox recorder writes to blog's own database.
        if let Some(token) = kernel::grpc::bearer_token(call.metadata())
            && let Err(error) = self.denials.record(&denial, &token).await
        {
            // The refusal stands; the log is the only record left.
            tracing::error!(%error, actor = %denial.actor, resource = %denial.resource, "could not record a denial");
        }
        Err(Status::permission_denied(
            "a user may only read published posts and its own; other posts need a service's token",
        ))
    }

    /// Whether authz lets the author `claims` read `post`, which it owns: a disabled author may not.
    async fn owner_may_read<T>(
        &self,
        call: &Request<T>,
        claims: &Claims,
        post: &PostRecord,
    ) -> Result<bool, kernel::access::AccessError> {
        // Present: the call was authenticated with it; without it the caller counts as anonymous.
        let Some(token) = kernel::grpc::bearer_token(call.metadata()) else {
            return Ok(false);
        };
        let caller = Caller::authenticated(claims.clone(), token, call.remote_addr().map(|address| address.ip()));
        let resource = Resource::id("post", post.id.to_string()).owned_by(post.author_id.clone());
        self.guard.allows(&caller, "read", &resource).await
    }
}

/// The wire form of `post`.
pub fn to_wire(post: &PostRecord) -> Post {
    let status = match post.status {
        PostStatus::Draft => WireStatus::Draft,
        PostStatus::Published => WireStatus::Published,
        PostStatus::Archived => WireStatus::Archived,
    };
    Post {
        id: post.id.to_string(),
        author_id: post.author_id.clone(),
        slug: post.slug.clone(),
        title: post.title.clone(),
        status: status.into(),
        created_at: post.created_at.to_rfc3339(),
        updated_at: post.updated_at.to_rfc3339(),
        published_at: post.published_at.map(|at| at.to_rfc3339()).unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl BlogService for BlogGrpc {
    async fn get_post(&self, call: Request<GetPostRequest>) -> Result<Response<GetPostResponse>, Status> {
        let claims = kernel::grpc::authenticate(&self.verifier, &call).await?;
        let id = parse_id(&call.get_ref().id, "post").map_err(BlogError::from)?;
        let post = self
            .store
            .post(id)
            .await
            .map_err(BlogError::from)?
            .ok_or_else(|| BlogError::NotFound(format!("there is no post `{id}`")))?;
        self.may_read(&call, &claims, &post).await?;
        Ok(Response::new(GetPostResponse {
            post: Some(to_wire(&post)),
        }))
    }
}
