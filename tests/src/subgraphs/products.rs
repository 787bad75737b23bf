//! `products`: the catalogue.
//!
//! Owns `Product`, reachable by two keys — `@key(fields: "upc")`, which `inventory` uses, and `@key(fields: "id")`,
//! which `reviews` and `search` use — and `ProductVariant @key(fields: "id sku")`, whose variant id alone repeats
//! across skus. `Product.name` and the `Dimensions` value type are `@shareable`. `Product.inStock` is still
//! answered here but has moved to `inventory` (`@override(from: "products")`); the copy here is stale on purpose
//! (always `true`), so a test sees at once which subgraph answered.

use async_graphql::{Context, EmptySubscription, ID, Interface, Object, Result, Schema, SimpleObject};
use parking_lot::RwLock;

/// The schema type this subgraph serves.
pub(super) type ProductsSchema = Schema<Query, Mutation, EmptySubscription>;

/// A fresh schema over freshly seeded data.
pub(super) fn schema() -> ProductsSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(Store::seeded())
        .register_output_type::<Node>()
        .enable_federation()
        .finish()
}

#[derive(Clone)]
struct ProductRecord {
    upc: &'static str,
    id: ID,
    name: &'static str,
    price: i32,
    dimensions: Dimensions,
}

#[derive(Clone, Copy)]
struct VariantRecord {
    id: &'static str,
    sku: &'static str,
    product_upc: &'static str,
    color: &'static str,
}

const VARIANTS: [VariantRecord; 3] = [
    VariantRecord {
        id: "v1",
        sku: "TABLE-OAK",
        product_upc: "1",
        color: "oak",
    },
    VariantRecord {
        id: "v1",
        sku: "TABLE-WALNUT",
        product_upc: "1",
        color: "walnut",
    },
    VariantRecord {
        id: "v2",
        sku: "CHAIR-RED",
        product_upc: "3",
        color: "red",
    },
];

struct Store {
    products: RwLock<Vec<ProductRecord>>,
}

impl Store {
    fn seeded() -> Self {
        let product = |upc, id: &str, name, price, size: &str, weight| ProductRecord {
            upc,
            id: ID::from(id),
            name,
            price,
            dimensions: Dimensions {
                size: size.to_owned(),
                weight,
            },
        };
        Self {
            products: RwLock::new(vec![
                product("1", "p1", "Table", 899, "large", 20),
                product("2", "p2", "Couch", 1299, "large", 50),
                product("3", "p3", "Chair", 54, "small", 5),
                product("4", "p4", "Lamp", 25, "small", 2),
            ]),
        }
    }

    fn find(&self, matches: impl Fn(&ProductRecord) -> bool) -> Option<Product> {
        self.products.read().iter().find(|p| matches(p)).cloned().map(Product)
    }
}

/// Anything with a global id.
// `search` resolves `Node`s; here `Product` is the only one.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
pub(super) enum Node {
    Product(Product),
}

/// A product for sale.
pub(super) struct Product(ProductRecord);

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        self.0.upc
    }

    async fn id(&self) -> &ID {
        &self.0.id
    }

    #[graphql(shareable)]
    async fn name(&self) -> &str {
        self.0.name
    }

    /// Price in cents.
    async fn price(&self) -> i32 {
        self.0.price
    }

    async fn dimensions(&self) -> &Dimensions {
        &self.0.dimensions
    }

    /// Stale since `inventory` took the field over; the planner must not ask here.
    async fn in_stock(&self) -> bool {
        true
    }

    async fn variants(&self) -> Vec<ProductVariant> {
        VARIANTS
            .iter()
            .filter(|v| v.product_upc == self.0.upc)
            .copied()
            .map(ProductVariant)
            .collect()
    }
}

/// Size and weight of a product.
// Shared with `inventory`, which needs them to estimate shipping.
#[derive(Clone, SimpleObject)]
#[graphql(shareable)]
pub(super) struct Dimensions {
    size: String,
    weight: i32,
}

/// One sellable variant of a product, identified by variant id and sku together.
pub(super) struct ProductVariant(VariantRecord);

#[Object]
impl ProductVariant {
    async fn id(&self) -> ID {
        ID::from(self.0.id)
    }

    async fn sku(&self) -> &str {
        self.0.sku
    }

    async fn color(&self) -> &str {
        self.0.color
    }

    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        Ok(ctx.data::<Store>()?.find(|p| p.upc == self.0.product_upc))
    }
}

/// Root query fields, plus the entity resolvers behind `_entities`.
pub(super) struct Query;

#[Object]
impl Query {
    /// The first `first` products of the catalogue, in catalogue order.
    async fn top_products(&self, ctx: &Context<'_>, #[graphql(default = 5)] first: i32) -> Result<Vec<Product>> {
        let limit = usize::try_from(first).unwrap_or(0);
        Ok(ctx
            .data::<Store>()?
            .products
            .read()
            .iter()
            .take(limit)
            .cloned()
            .map(Product)
            .collect())
    }

    async fn product(&self, ctx: &Context<'_>, upc: String) -> Result<Option<Product>> {
        Ok(ctx.data::<Store>()?.find(|p| p.upc == upc))
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, ctx: &Context<'_>, upc: String) -> Result<Option<Product>> {
        Ok(ctx.data::<Store>()?.find(|p| p.upc == upc))
    }

    #[graphql(entity)]
    async fn find_product_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        Ok(ctx.data::<Store>()?.find(|p| p.id == id))
    }

    #[graphql(entity)]
    async fn find_product_variant(&self, id: ID, sku: String) -> Option<ProductVariant> {
        VARIANTS
            .iter()
            .find(|v| v.id == id.as_str() && v.sku == sku)
            .copied()
            .map(ProductVariant)
    }
}

/// Root mutation fields.
pub(super) struct Mutation;

#[Object]
impl Mutation {
    /// Sets a product's price in cents and returns the product as it is afterwards.
    async fn set_product_price(&self, ctx: &Context<'_>, upc: String, price: i32) -> Result<Option<Product>> {
        let store = ctx.data::<Store>()?;
        if let Some(product) = store.products.write().iter_mut().find(|p| p.upc == upc) {
            product.price = price;
        }
        Ok(store.find(|p| p.upc == upc))
    }
}
