//! Blog's federation subgraph: `Post @key(fields: "id")` with its comments, the posts contributed to identity's
//! `User @key(fields: "id")`, the queries that read them and the mutations that change them.
//!
//! Reads hide what the caller may not see (drafts and archived posts are seen by whoever may edit them); writes
//! ask authz first through the kernel's [`AccessGuard`], which refuses with `FORBIDDEN` and records the denial.
//! Lists of posts, comments, tags and `_entities` are batched by data loaders, so a page costs a fixed number of
//! statements whatever its size.

mod loaders;
mod mutation;
mod post;
mod query;
mod reader;
mod types;
mod user;

use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::future::BoxFuture;
use async_graphql::{EmptySubscription, Schema, SchemaBuilder};
use kernel::access::AccessGuard;

pub use loaders::{AuthorPostsLoader, CommentsLoader, PostLoader, TagsLoader};
pub use mutation::Mutation;
pub use post::{CommentObject, PostObject};
pub use query::Query;
pub use types::{
    CommentConnection, CommentEdge, CreatePostInput, EditPostInput, PageInfo, PostConnection, PostEdge,
    PostFilterInput, PostStatusValue,
};
pub use user::User;

use crate::changes::Changes;
use crate::store::BlogStore;

/// How long a loader waits for more keys once [`after_the_request_moved_on`] let it start.
const BATCH_WINDOW: Duration = Duration::from_millis(5);
/// How many times a batch lets the rest of the runtime run before it starts its window.
const BATCH_YIELDS: usize = 16;

/// Spawns a loader's batch only after yielding [`BATCH_YIELDS`] times, then waiting [`BATCH_WINDOW`].
/// async-graphql resolves a long list in chunks (its futures yield once Tokio's cooperative budget runs out) and a
/// page's keys arrive chunk by chunk; the yields let the request resolve its next chunks first, and the window
/// covers chunks that take longer. Batching stays a matter of timing: a starved runtime can still split a page
/// into a few batches.
fn after_the_request_moved_on(batch: BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for _ in 0..BATCH_YIELDS {
            tokio::task::yield_now().await;
        }
        batch.await;
    })
}

/// The subgraph's schema.
pub type BlogSchema = Schema<Query, Mutation, EmptySubscription>;

/// What resolvers need, put into the schema's data.
#[derive(Debug, Clone)]
pub struct Services {
    /// Reads posts and comments.
    pub store: BlogStore,
    /// Makes changes.
    pub changes: Changes,
    /// Asks authz before every write (and for reads of posts that are not public).
    pub guard: AccessGuard,
}

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query, Mutation, EmptySubscription).enable_federation()
}

/// The schema serving `services`.
pub fn schema(services: Services) -> BlogSchema {
    let store = services.store.clone();
    builder()
        .data(DataLoader::new(PostLoader::new(store.clone()), after_the_request_moved_on).delay(BATCH_WINDOW))
        .data(DataLoader::new(TagsLoader::new(store.clone()), after_the_request_moved_on).delay(BATCH_WINDOW))
        .data(DataLoader::new(CommentsLoader::new(store.clone()), after_the_request_moved_on).delay(BATCH_WINDOW))
        .data(DataLoader::new(AuthorPostsLoader::new(store), after_the_request_moved_on).delay(BATCH_WINDOW))
        .data(services)
        .extension(reader::PerRequest)
        .finish()
}

/// The subgraph's SDL with federation directives, as committed in `schema/blog.graphql`.
pub fn sdl() -> String {
    kernel::graphql::federation_sdl(&builder().finish())
}
