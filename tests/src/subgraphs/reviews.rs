//! `reviews`: what people said about products and media.
//!
//! `Review.author` carries `@provides(fields: "username")` over `User.username @external`, so a query for the
//! author's username needs no trip to `accounts`. Products are referenced by their second key, `id`. `Media` is an
//! `@interfaceObject`: this subgraph adds `reviewCount` and `averageRating` to every `Media` implementation
//! without knowing what the implementations are. `latestReviews` names the same authors and products several
//! times, so a router that deduplicates representations sends fewer of them.

use async_graphql::{Context, EmptySubscription, Error, ID, Object, Result, Schema};
use parking_lot::RwLock;

/// The schema type this subgraph serves.
pub(super) type ReviewsSchema = Schema<Query, Mutation, EmptySubscription>;

/// A fresh schema over freshly seeded data.
pub(super) fn schema() -> ReviewsSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(Store::seeded())
        .enable_federation()
        .finish()
}

/// Usernames of the authors this subgraph knows; kept in step with `accounts`, which owns them.
const USERNAMES: [(&str, &str); 3] = [("u1", "ada"), ("u2", "alan"), ("u3", "grace")];

/// Ratings per media item.
const MEDIA_RATINGS: [(&str, &[i32]); 3] = [("m1", &[5, 4]), ("m2", &[3]), ("m3", &[4, 4, 5])];

#[derive(Clone)]
struct ReviewRecord {
    id: ID,
    product_id: ID,
    author_id: ID,
    body: String,
    rating: i32,
}

struct Store {
    reviews: RwLock<Vec<ReviewRecord>>,
}

impl Store {
    fn seeded() -> Self {
        let review = |id: &str, product_id: &str, author_id: &str, body: &str, rating| ReviewRecord {
            id: ID::from(id),
            product_id: ID::from(product_id),
            author_id: ID::from(author_id),
            body: body.to_owned(),
            rating,
        };
        Self {
            reviews: RwLock::new(vec![
                review("r1", "p1", "u1", "Sturdy and handsome.", 5),
                review("r2", "p1", "u2", "Wobbles a little.", 4),
                review("r3", "p2", "u1", "Too soft for me.", 3),
                review("r4", "p1", "u1", "Still great a year later.", 5),
                review("r5", "p3", "u3", "Exactly as pictured.", 5),
                review("r6", "p2", "u2", "Comfortable.", 4),
            ]),
        }
    }

    fn matching(&self, keep: impl Fn(&ReviewRecord) -> bool) -> Vec<Review> {
        self.reviews
            .read()
            .iter()
            .filter(|r| keep(r))
            .cloned()
            .map(Review)
            .collect()
    }
}

fn username(user_id: &str) -> Option<&'static str> {
    USERNAMES.iter().find(|(id, _)| *id == user_id).map(|(_, name)| *name)
}

/// A review of a product.
pub(super) struct Review(ReviewRecord);

#[Object]
impl Review {
    async fn id(&self) -> &ID {
        &self.0.id
    }

    async fn body(&self) -> &str {
        &self.0.body
    }

    /// From 1 to 5.
    async fn rating(&self) -> i32 {
        self.0.rating
    }

    #[graphql(provides = "username")]
    async fn author(&self) -> User {
        User {
            id: self.0.author_id.clone(),
        }
    }

    async fn product(&self) -> Product {
        Product {
            id: self.0.product_id.clone(),
        }
    }
}

/// A user as `reviews` sees them: the author of reviews.
pub(super) struct User {
    id: ID,
}

#[Object]
impl User {
    async fn id(&self) -> &ID {
        &self.id
    }

    #[graphql(external)]
    async fn username(&self) -> Result<&str> {
        username(&self.id).ok_or_else(|| Error::new(format!("no username is known for user {}", self.id.as_str())))
    }

    async fn reviews(&self, ctx: &Context<'_>) -> Result<Vec<Review>> {
        Ok(ctx.data::<Store>()?.matching(|r| r.author_id == self.id))
    }
}

/// A product as `reviews` sees it, by its `id` key.
pub(super) struct Product {
    id: ID,
}

#[Object]
impl Product {
    async fn id(&self) -> &ID {
        &self.id
    }

    async fn reviews(&self, ctx: &Context<'_>) -> Result<Vec<Review>> {
        Ok(ctx.data::<Store>()?.matching(|r| r.product_id == self.id))
    }

    /// Mean rating, or null before the first review.
    async fn average_rating(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        let ratings: Vec<i32> = ctx
            .data::<Store>()?
            .matching(|r| r.product_id == self.id)
            .iter()
            .map(|r| r.0.rating)
            .collect();
        Ok(mean(&ratings))
    }
}

/// Every `Media` implementation, seen through the interface: this subgraph never learns whether it is a book or
/// a movie.
pub(super) struct Media {
    id: ID,
}

#[Object(interface_object)]
impl Media {
    async fn id(&self) -> &ID {
        &self.id
    }

    async fn review_count(&self) -> i32 {
        i32::try_from(self.ratings().len()).unwrap_or(i32::MAX)
    }

    /// Mean rating, or null before the first review.
    async fn average_rating(&self) -> Option<f64> {
        mean(self.ratings())
    }
}

impl Media {
    fn ratings(&self) -> &'static [i32] {
        MEDIA_RATINGS
            .iter()
            .find(|(id, _)| *id == self.id.as_str())
            .map_or(&[], |(_, ratings)| ratings)
    }
}

fn mean(ratings: &[i32]) -> Option<f64> {
    if ratings.is_empty() {
        return None;
    }
    Some(f64::from(ratings.iter().sum::<i32>()) / ratings.len() as f64)
}

/// Root query fields, plus the entity resolvers behind `_entities`.
pub(super) struct Query;

#[Object]
impl Query {
    /// Every review, oldest first.
    async fn latest_reviews(&self, ctx: &Context<'_>) -> Result<Vec<Review>> {
        Ok(ctx.data::<Store>()?.matching(|_| true))
    }

    async fn review(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Review>> {
        Ok(ctx.data::<Store>()?.matching(|r| r.id == id).into_iter().next())
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id }
    }

    #[graphql(entity)]
    async fn find_product_by_id(&self, id: ID) -> Product {
        Product { id }
    }

    #[graphql(entity)]
    async fn find_media_by_id(&self, id: ID) -> Media {
        Media { id }
    }
}

/// Root mutation fields.
pub(super) struct Mutation;

#[Object]
impl Mutation {
    /// Records a review and returns it; the author must be a user this subgraph knows.
    async fn add_review(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        author_id: ID,
        body: String,
        rating: i32,
    ) -> Result<Review> {
        if username(&author_id).is_none() {
            return Err(Error::new(format!("no user {} can write reviews", author_id.as_str())));
        }
        if !(1..=5).contains(&rating) {
            return Err(Error::new("a rating is from 1 to 5"));
        }
        let store = ctx.data::<Store>()?;
        let mut reviews = store.reviews.write();
        let record = ReviewRecord {
            id: ID::from(format!("r{}", reviews.len() + 1)),
            product_id,
            author_id,
            body,
            rating,
        };
        reviews.push(record.clone());
        Ok(Review(record))
    }
}
