//! `inventory`: stock, shipping and warehouses.
//!
//! Extends `Product` (by `upc`) with fields that need data owned by `products`: `shippingEstimate` requires the
//! nested selection `dimensions { size weight }`, and `shippingCost(zone:)`, a field with an argument, requires
//! `price`. It took `Product.inStock` over from `products` (`@override(from: "products")`). It extends
//! `ProductVariant` by its composite key `id sku`, and owns `Warehouse @key(fields: "id organization { id }")`,
//! whose id is only unique within its organization.

use async_graphql::{Context, EmptySubscription, Enum, Error, ID, InputObject, Object, Result, Schema, SimpleObject};
use parking_lot::RwLock;

/// The schema type this subgraph serves.
pub(super) type InventorySchema = Schema<Query, Mutation, EmptySubscription>;

/// A fresh schema over freshly seeded data.
pub(super) fn schema() -> InventorySchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(Store::seeded())
        .enable_federation()
        .finish()
}

/// Units in stock per product upc, and per product variant (`id`, `sku`).
struct Store {
    product_stock: RwLock<Vec<(&'static str, i32)>>,
    variant_stock: Vec<(&'static str, &'static str, i32)>,
}

impl Store {
    fn seeded() -> Self {
        Self {
            product_stock: RwLock::new(vec![("1", 10), ("2", 0), ("3", 5), ("4", 0)]),
            variant_stock: vec![
                ("v1", "TABLE-OAK", 7),
                ("v1", "TABLE-WALNUT", 3),
                ("v2", "CHAIR-RED", 5),
            ],
        }
    }

    fn product_stock(&self, upc: &str) -> Option<i32> {
        self.product_stock
            .read()
            .iter()
            .find(|(u, _)| *u == upc)
            .map(|(_, stock)| *stock)
    }
}

/// (organization id, warehouse id, name, city).
const WAREHOUSES: [(&str, &str, &str, &str); 3] = [
    ("o1", "w1", "Main depot", "London"),
    ("o1", "w2", "Overflow", "Leeds"),
    ("o2", "w1", "Harbour", "Rotterdam"),
];

/// A product as `inventory` sees it: its key, what `products` sent along for `@requires`, and the stock.
pub(super) struct Product {
    upc: String,
    price: Option<i32>,
    dimensions: Option<Dimensions>,
    stock: i32,
}

impl Product {
    fn required<'a, T>(value: &'a Option<T>, field: &str) -> Result<&'a T> {
        value
            .as_ref()
            .ok_or_else(|| Error::new(format!("the representation lacks the required field `{field}`")))
    }
}

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.upc
    }

    #[graphql(external)]
    async fn price(&self) -> Result<i32> {
        Self::required(&self.price, "price").copied()
    }

    #[graphql(external)]
    async fn dimensions(&self) -> Result<&Dimensions> {
        Self::required(&self.dimensions, "dimensions")
    }

    #[graphql(override_from = "products")]
    async fn in_stock(&self) -> bool {
        self.stock > 0
    }

    /// Days until delivery: large items ship slower, and every 25 weight units add a day.
    #[graphql(requires = "dimensions { size weight }")]
    async fn shipping_estimate(&self) -> Result<i32> {
        let dimensions = Self::required(&self.dimensions, "dimensions")?;
        let base = if dimensions.size == "large" { 5 } else { 2 };
        Ok(base + dimensions.weight / 25)
    }

    /// Shipping cost in cents to `zone`: free at home from 1000 cents up, a flat rate plus 10% abroad.
    #[graphql(requires = "price")]
    async fn shipping_cost(&self, zone: ShippingZone) -> Result<i32> {
        let price = *Self::required(&self.price, "price")?;
        Ok(match zone {
            ShippingZone::Domestic if price >= 1000 => 0,
            ShippingZone::Domestic => 499,
            ShippingZone::International => 1999 + price / 10,
        })
    }
}

/// Where a parcel goes.
#[derive(Clone, Copy, PartialEq, Eq, Enum)]
pub(super) enum ShippingZone {
    Domestic,
    International,
}

/// Size and weight of a product.
// Owned by `products`; shared here for `@requires`.
#[derive(Clone, SimpleObject)]
#[graphql(shareable)]
pub(super) struct Dimensions {
    size: String,
    weight: i32,
}

/// `dimensions` as it arrives in a representation.
#[derive(InputObject)]
pub(super) struct DimensionsInput {
    size: String,
    weight: i32,
}

/// One sellable variant of a product, identified by variant id and sku together.
#[derive(SimpleObject)]
pub(super) struct ProductVariant {
    id: ID,
    sku: String,
    stock: i32,
}

/// A warehouse of one organization.
#[derive(SimpleObject)]
pub(super) struct Warehouse {
    id: ID,
    organization: Organization,
    name: String,
    city: String,
}

/// A customer organization.
// `inventory` knows only its key.
#[derive(SimpleObject)]
#[graphql(unresolvable = "id")]
pub(super) struct Organization {
    id: ID,
}

/// The nested `organization { id }` part of a warehouse's key.
#[derive(InputObject)]
pub(super) struct OrganizationKey {
    id: ID,
}

/// Root query fields; this subgraph only has entity resolvers.
pub(super) struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_product_by_upc(
        &self,
        ctx: &Context<'_>,
        #[graphql(key)] upc: String,
        price: Option<i32>,
        dimensions: Option<DimensionsInput>,
    ) -> Result<Option<Product>> {
        let Some(stock) = ctx.data::<Store>()?.product_stock(&upc) else {
            return Ok(None);
        };
        let dimensions = dimensions.map(|d| Dimensions {
            size: d.size,
            weight: d.weight,
        });
        Ok(Some(Product {
            upc,
            price,
            dimensions,
            stock,
        }))
    }

    #[graphql(entity)]
    async fn find_product_variant(&self, ctx: &Context<'_>, id: ID, sku: String) -> Result<Option<ProductVariant>> {
        let store = ctx.data::<Store>()?;
        let stock = store
            .variant_stock
            .iter()
            .find(|(i, s, _)| *i == id.as_str() && *s == sku)
            .map(|v| v.2);
        Ok(stock.map(|stock| ProductVariant { id, sku, stock }))
    }

    #[graphql(entity)]
    async fn find_warehouse(&self, id: ID, organization: OrganizationKey) -> Option<Warehouse> {
        WAREHOUSES
            .iter()
            .find(|(org, wid, _, _)| *org == organization.id.as_str() && *wid == id.as_str())
            .map(|(_, _, name, city)| Warehouse {
                id,
                organization: Organization { id: organization.id },
                name: (*name).to_owned(),
                city: (*city).to_owned(),
            })
    }
}

/// Root mutation fields.
pub(super) struct Mutation;

#[Object]
impl Mutation {
    /// Takes `quantity` units of a product out of stock and returns how many are left; fails, changing nothing,
    /// when fewer are in stock.
    async fn reserve_stock(&self, ctx: &Context<'_>, upc: String, quantity: i32) -> Result<i32> {
        let store = ctx.data::<Store>()?;
        let mut stock = store.product_stock.write();
        let Some((_, units)) = stock.iter_mut().find(|(u, _)| *u == upc) else {
            return Err(Error::new(format!("no product has upc {upc}")));
        };
        if quantity < 0 || quantity > *units {
            return Err(Error::new(format!(
                "cannot reserve {quantity} of {upc}: {units} in stock"
            )));
        }
        *units -= quantity;
        Ok(*units)
    }
}
