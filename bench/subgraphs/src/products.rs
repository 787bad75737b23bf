//! `products`: owns `Product @key(fields: "upc")` with its name, price and weight, and the `topProducts` list.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

use crate::data::{self, ProductRecord};

/// The schema type this subgraph serves.
pub type ProductsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The subgraph's schema, federation enabled.
pub fn schema() -> ProductsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// A product for sale.
pub struct Product(&'static ProductRecord);

#[Object]
impl Product {
    async fn upc(&self) -> &'static str {
        self.0.upc
    }

    async fn name(&self) -> &'static str {
        self.0.name
    }

    /// Price in cents.
    async fn price(&self) -> i32 {
        self.0.price
    }

    /// Shipping weight in whole kilograms.
    async fn weight(&self) -> i32 {
        self.0.weight
    }
}

/// Root query fields, plus the entity resolver behind `_entities`.
pub struct Query;

#[Object]
impl Query {
    /// The first `first` products of the catalogue, in catalogue order.
    async fn top_products(&self, #[graphql(default = 5)] first: Option<i32>) -> Vec<Product> {
        // An explicit `null` lists nothing, like a negative count.
        let limit = first.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        data::PRODUCTS.iter().take(limit).map(Product).collect()
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Option<Product> {
        data::product_by_upc(&upc).map(Product)
    }
}
