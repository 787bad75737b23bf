//! Small, real Federation v2 subgraphs of a fictional shop, for the router's end-to-end tests and benchmarks.
//!
//! Each subgraph is an async-graphql schema with deterministic in-memory data, served over HTTP on
//! `127.0.0.1:0`. Every started subgraph gets fresh data, so mutations in one test never leak into another, and
//! records every request body it receives so a test can check what the router sent it.
//!
//! Which federation feature lives where:
//!
//! - `accounts`: `User @key(fields: "id")`; `User.username @shareable` (provided by `reviews`); `Warehouse` stubs
//!   keyed by the nested `id organization { id }`; `Node` implemented by `User`; mutation `renameUser`.
//! - `products`: `Product @key(fields: "upc") @key(fields: "id")` (two keys); `ProductVariant
//!   @key(fields: "id sku")` (composite key); `Product.name` and `Dimensions` `@shareable`; the stale
//!   `Product.inStock` that `inventory` overrides; `Node` implemented by `Product`; mutation `setProductPrice`.
//! - `inventory`: `Product.shippingEstimate @requires(fields: "dimensions { size weight }")` (nested selection);
//!   `Product.shippingCost(zone:) @requires(fields: "price")` (a field with arguments);
//!   `Product.inStock @override(from: "products")`; `ProductVariant.stock` by the composite key;
//!   `Warehouse @key(fields: "id organization { id }")` (nested key); mutation `reserveStock`.
//! - `reviews`: `Review.author @provides(fields: "username")` over `User.username @external`; `Product` by its
//!   second key `id`; `Media @interfaceObject`; `latestReviews` repeats the same authors and products, so
//!   representation deduplication shows; mutation `addReview`.
//! - `media`: the entity interface `Media @key(fields: "id")`, implemented by `Book` and `Movie`.
//! - `search`: `union SearchResult = Product | User` and `interface Node`, whose members are owned by `products`
//!   and `accounts`; `Product.name @shareable`, answered here as well as by `products`.
//!
//! Progressive override (`@override(from:, label: "percent(…)")`) is absent: async-graphql 7.2 can only write
//! `@override(from:)`, and the federation version it links (v2.5) predates override labels (v2.7).

mod accounts;
mod inventory;
mod media;
mod products;
mod reviews;
mod search;
mod server;

use std::fmt;
use std::str::FromStr;

use async_graphql::{ObjectType, SDLExportOptions, Schema, SubscriptionType};

pub use server::{GRAPHQL_PATH, SubgraphHandle};

/// One of the test subgraphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubgraphName {
    /// Users and organizations.
    Accounts,
    /// The product catalogue.
    Products,
    /// Stock, shipping and warehouses.
    Inventory,
    /// Reviews of products and media.
    Reviews,
    /// Books and movies behind the `Media` entity interface.
    Media,
    /// Full-text search over users and products.
    Search,
}

impl SubgraphName {
    /// Every subgraph, in the order of the supergraph's `join__Graph` enum.
    pub const ALL: [SubgraphName; 6] = [
        SubgraphName::Accounts,
        SubgraphName::Products,
        SubgraphName::Inventory,
        SubgraphName::Reviews,
        SubgraphName::Media,
        SubgraphName::Search,
    ];

    /// The subgraph's name as it appears in the supergraph (`@join__graph(name:)`) and in fixture file names.
    pub fn as_str(self) -> &'static str {
        match self {
            SubgraphName::Accounts => "accounts",
            SubgraphName::Products => "products",
            SubgraphName::Inventory => "inventory",
            SubgraphName::Reviews => "reviews",
            SubgraphName::Media => "media",
            SubgraphName::Search => "search",
        }
    }
}

impl fmt::Display for SubgraphName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name given to [`SubgraphName::from_str`] is not one of the test subgraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSubgraph(pub String);

impl fmt::Display for UnknownSubgraph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no test subgraph is named {:?}", self.0)
    }
}

impl std::error::Error for UnknownSubgraph {}

impl FromStr for SubgraphName {
    type Err = UnknownSubgraph;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        SubgraphName::ALL
            .into_iter()
            .find(|candidate| candidate.as_str() == name)
            .ok_or_else(|| UnknownSubgraph(name.to_owned()))
    }
}

/// The subgraph's federation SDL, exactly as its `_service { sdl }` field returns it.
pub fn sdl(name: SubgraphName) -> String {
    match name {
        SubgraphName::Accounts => federation_sdl(&accounts::schema()),
        SubgraphName::Products => federation_sdl(&products::schema()),
        SubgraphName::Inventory => federation_sdl(&inventory::schema()),
        SubgraphName::Reviews => federation_sdl(&reviews::schema()),
        SubgraphName::Media => federation_sdl(&media::schema()),
        SubgraphName::Search => federation_sdl(&search::schema()),
    }
}

/// Starts the subgraph with fresh data on an ephemeral loopback port.
pub async fn start(name: SubgraphName) -> SubgraphHandle {
    match name {
        SubgraphName::Accounts => server::serve(name, accounts::schema()).await,
        SubgraphName::Products => server::serve(name, products::schema()).await,
        SubgraphName::Inventory => server::serve(name, inventory::schema()).await,
        SubgraphName::Reviews => server::serve(name, reviews::schema()).await,
        SubgraphName::Media => server::serve(name, media::schema()).await,
        SubgraphName::Search => server::serve(name, search::schema()).await,
    }
}

/// Starts every subgraph, in [`SubgraphName::ALL`] order.
pub async fn start_all() -> Vec<SubgraphHandle> {
    let mut handles = Vec::with_capacity(SubgraphName::ALL.len());
    for name in SubgraphName::ALL {
        handles.push(start(name).await);
    }
    handles
}

fn federation_sdl<Q, M, S>(schema: &Schema<Q, M, S>) -> String
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    schema.sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
