//! Four small Federation v2 subgraphs of a shop — `accounts`, `products`, `inventory`, `reviews` — served from
//! one process, for benchmarking routers side by side on the same subgraphs.
//!
//! - `accounts`: `User @key(fields: "id")` with `name` and the `@shareable` `username`.
//! - `products`: `Product @key(fields: "upc")` with `name`, `price`, `weight`; `topProducts(first: Int = 5)`.
//! - `inventory`: `Product.inStock`, and `Product.shippingEstimate @requires(fields: "price weight")`.
//! - `reviews`: `Product.reviews` (four a product), `Review.author @provides(fields: "username")`.
//!
//! The data is fixed and in memory ([`data`]), resolvers are trivial, and each endpoint replays the answer to a
//! request body it has seen before ([`server`]), so the subgraphs stay cheap next to the router under test.

pub mod accounts;
pub mod data;
pub mod inventory;
pub mod products;
pub mod reviews;
pub mod server;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;

use async_graphql::{ObjectType, SDLExportOptions, Schema, SubscriptionType};
use axum::Router;
use tokio::net::TcpListener;

pub use server::{GRAPHQL_PATH, REQUESTS_PATH, ResponseCache};

/// One of the bench subgraphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubgraphName {
    /// Users.
    Accounts,
    /// The product catalogue.
    Products,
    /// Stock and shipping.
    Inventory,
    /// Reviews of products.
    Reviews,
}

impl SubgraphName {
    /// Every subgraph, in the order ports are given on the command line.
    pub const ALL: [SubgraphName; 4] = [
        SubgraphName::Accounts,
        SubgraphName::Products,
        SubgraphName::Inventory,
        SubgraphName::Reviews,
    ];

    /// The subgraph's name in the supergraph and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            SubgraphName::Accounts => "accounts",
            SubgraphName::Products => "products",
            SubgraphName::Inventory => "inventory",
            SubgraphName::Reviews => "reviews",
        }
    }
}

impl fmt::Display for SubgraphName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the subgraphs could not be started.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No bench subgraph has this name.
    #[error("no bench subgraph is named {0:?} (accounts, products, inventory, reviews)")]
    UnknownSubgraph(String),
    /// A subgraph's port could not be bound.
    #[error("bind 127.0.0.1:{port} for {name}: {source}")]
    Bind {
        name: SubgraphName,
        port: u16,
        source: std::io::Error,
    },
    /// A server stopped with an I/O error.
    #[error("{name} stopped: {source}")]
    Serve { name: SubgraphName, source: std::io::Error },
}

impl FromStr for SubgraphName {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        SubgraphName::ALL
            .into_iter()
            .find(|candidate| candidate.as_str() == name)
            .ok_or_else(|| Error::UnknownSubgraph(name.to_owned()))
    }
}

/// The subgraph's federation SDL, exactly as its `_service { sdl }` field returns it.
pub fn sdl(name: SubgraphName) -> String {
    match name {
        SubgraphName::Accounts => federation_sdl(&accounts::schema()),
        SubgraphName::Products => federation_sdl(&products::schema()),
        SubgraphName::Inventory => federation_sdl(&inventory::schema()),
        SubgraphName::Reviews => federation_sdl(&reviews::schema()),
    }
}

fn federation_sdl<Q, M, S>(schema: &Schema<Q, M, S>) -> String
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    schema.sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}

/// The HTTP app of one subgraph.
pub fn app(name: SubgraphName, cache: ResponseCache) -> Router {
    match name {
        SubgraphName::Accounts => server::app(accounts::schema(), cache),
        SubgraphName::Products => server::app(products::schema(), cache),
        SubgraphName::Inventory => server::app(inventory::schema(), cache),
        SubgraphName::Reviews => server::app(reviews::schema(), cache),
    }
}

/// A subgraph whose port is bound but not yet served.
pub struct Bound {
    name: SubgraphName,
    listener: TcpListener,
    addr: SocketAddr,
}

impl Bound {
    /// Which subgraph this is.
    pub fn name(&self) -> SubgraphName {
        self.name
    }

    /// The GraphQL endpoint, e.g. `http://127.0.0.1:4201/graphql`.
    pub fn url(&self) -> String {
        format!("http://{}{GRAPHQL_PATH}", self.addr)
    }
}

/// Binds every subgraph on loopback, `ports` in [`SubgraphName::ALL`] order; port 0 picks a free one.
pub async fn bind(ports: [u16; 4]) -> Result<Vec<Bound>, Error> {
    let mut bound = Vec::with_capacity(ports.len());
    for (name, port) in SubgraphName::ALL.into_iter().zip(ports) {
        let bind_error = |source| Error::Bind { name, port, source };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        bound.push(Bound { name, listener, addr });
    }
    Ok(bound)
}

/// Serves every bound subgraph until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    bound: Vec<Bound>,
    cache: ResponseCache,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut servers = tokio::task::JoinSet::new();
    for Bound { name, listener, .. } in bound {
        let mut stopped = stopped.clone();
        let app = app(name, cache);
        servers.spawn(async move {
            let signal = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await
                .map_err(|source| Error::Serve { name, source })
        });
    }
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    while let Some(joined) = servers.join_next().await {
        // A panicking server task is a bug in a resolver; the others keep serving until shutdown.
        if let Ok(Err(e)) = joined {
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
