//! `reviews`: owns `Review`, and extends `Product` (by `upc`) and `User` (by `id`) with their reviews.
//! `Review.author` carries `@provides(fields: "username")` over `User.username @external`, so a query for an
//! author's username alone needs no trip to `accounts`.

use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema};

use crate::data::{self, ReviewRecord, UserRecord};

/// The schema type this subgraph serves.
pub type ReviewsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The subgraph's schema, federation enabled.
pub fn schema() -> ReviewsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// A review of a product.
pub struct Review(&'static ReviewRecord);

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID::from(self.0.id.as_str())
    }

    async fn body(&self) -> &'static str {
        self.0.body
    }

    /// From 1 to 5.
    async fn rating(&self) -> i32 {
        self.0.rating
    }

    #[graphql(provides = "username")]
    async fn author(&self) -> User {
        User(self.0.author)
    }

    async fn product(&self) -> Product {
        Product {
            upc: self.0.product_upc.to_owned(),
        }
    }
}

/// A user as `reviews` sees them: the author of reviews.
pub struct User(&'static UserRecord);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID::from(self.0.id)
    }

    #[graphql(external)]
    async fn username(&self) -> &'static str {
        self.0.username
    }

    async fn reviews(&self) -> Vec<Review> {
        data::reviews_by_user(self.0.id).map(Review).collect()
    }
}

/// A product as `reviews` sees it, by its `upc` key.
pub struct Product {
    upc: String,
}

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.upc
    }

    async fn reviews(&self) -> Vec<Review> {
        data::reviews_of_product(&self.upc).map(Review).collect()
    }
}

/// Root query fields, plus the entity resolvers behind `_entities`.
pub struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Option<User> {
        data::user_by_id(&id).map(User)
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Product {
        Product { upc }
    }
}
