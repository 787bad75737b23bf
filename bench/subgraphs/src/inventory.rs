//! `inventory`: extends `Product` (by `upc`) with `inStock` and `shippingEstimate`, which
//! `@requires(fields: "price weight")` — both owned by `products`, sent along in the representation.

use async_graphql::{EmptyMutation, EmptySubscription, Error, Object, Result, Schema};

use crate::data;

/// The schema type this subgraph serves.
pub type InventorySchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The subgraph's schema, federation enabled.
pub fn schema() -> InventorySchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// Orders from this price (in cents) up ship free.
const FREE_SHIPPING_FROM: i32 = 1000;
/// Shipping cost in cents per kilogram below [`FREE_SHIPPING_FROM`].
const CENTS_PER_KILOGRAM: i32 = 50;

/// A product as `inventory` sees it: its key, what the router sent along for `@requires`, and the stock.
pub struct Product {
    upc: String,
    price: Option<i32>,
    weight: Option<i32>,
    units: i32,
}

fn required(value: Option<i32>, field: &str) -> Result<i32> {
    value.ok_or_else(|| Error::new(format!("the representation lacks the required field `{field}`")))
}

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.upc
    }

    #[graphql(external)]
    async fn price(&self) -> Result<i32> {
        required(self.price, "price")
    }

    #[graphql(external)]
    async fn weight(&self) -> Result<i32> {
        required(self.weight, "weight")
    }

    async fn in_stock(&self) -> bool {
        self.units > 0
    }

    /// Shipping cost in cents: free from 1000 cents up, else 50 cents per kilogram.
    #[graphql(requires = "price weight")]
    async fn shipping_estimate(&self) -> Result<i32> {
        let price = required(self.price, "price")?;
        let weight = required(self.weight, "weight")?;
        Ok(if price >= FREE_SHIPPING_FROM {
            0
        } else {
            weight * CENTS_PER_KILOGRAM
        })
    }
}

/// Root query fields; this subgraph only has an entity resolver.
pub struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_product_by_upc(
        &self,
        #[graphql(key)] upc: String,
        price: Option<i32>,
        weight: Option<i32>,
    ) -> Option<Product> {
        let units = data::product_by_upc(&upc)?.units;
        Some(Product {
            upc,
            price,
            weight,
            units,
        })
    }
}
