//! `accounts`: owns `User @key(fields: "id")`. `User.username` is `@shareable` because `reviews` provides it too.

use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema};

use crate::data::{self, UserRecord};

/// The schema type this subgraph serves.
pub type AccountsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The subgraph's schema, federation enabled.
pub fn schema() -> AccountsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// A person with an account.
pub struct User(&'static UserRecord);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID::from(self.0.id)
    }

    /// Full name.
    async fn name(&self) -> &'static str {
        self.0.name
    }

    #[graphql(shareable)]
    async fn username(&self) -> &'static str {
        self.0.username
    }
}

/// Root query fields, plus the entity resolver behind `_entities`.
pub struct Query;

#[Object]
impl Query {
    /// The signed-in user of the fixture data (always `u1`).
    async fn me(&self) -> Option<User> {
        data::user_by_id("u1").map(User)
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Option<User> {
        data::user_by_id(&id).map(User)
    }
}
