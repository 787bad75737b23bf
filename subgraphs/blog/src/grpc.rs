//! The `blog.v1.BlogService` gRPC service: `GetPost`, for services that need a post's state outside the public
//! graph. Every call is authenticated first ([`kernel::grpc::authenticate`]); drafts are returned too, since the
//! caller is a service, not a reader.

use std::sync::Arc;

use kernel::auth::JwtVerifier;
use proto::blog::v1::blog_service_server::{BlogService, BlogServiceServer};
use proto::blog::v1::{GetPostRequest, GetPostResponse, Post, PostStatus as WireStatus};
use tonic::{Request, Response, Status};

use crate::domain::{PostStatus, parse_id};
use crate::error::BlogError;
use crate::store::{BlogStore, PostRecord};

/// The tonic service; build it with [`BlogGrpc::new`] and serve [`BlogGrpc::into_server`].
#[derive(Clone)]
pub struct BlogGrpc {
    verifier: Arc<JwtVerifier>,
    store: BlogStore,
}

impl BlogGrpc {
    /// A service reading `store`, authenticating with `verifier`.
    pub fn new(verifier: Arc<JwtVerifier>, store: BlogStore) -> Self {
        Self { verifier, store }
    }

    /// The service as tonic serves it.
    pub fn into_server(self) -> BlogServiceServer<Self> {
        BlogServiceServer::new(self)
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
        kernel::grpc::authenticate(&self.verifier, &call).await?;
        let id = parse_id(&call.get_ref().id, "post").map_err(BlogError::from)?;
        let post = self
            .store
            .post(id)
            .await
            .map_err(BlogError::from)?
            .ok_or_else(|| BlogError::NotFound(format!("there is no post `{id}`")))?;
        Ok(Response::new(GetPostResponse {
            post: Some(to_wire(&post)),
        }))
    }
}
