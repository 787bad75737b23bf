//! `search`: finds users and products by name.
//!
//! It returns `union SearchResult = Product | User` and `interface Node`, whose members are owned by `products`
//! and `accounts`: this subgraph only knows their keys (`@key(fields: "id", resolvable: false)`) and, for products,
//! the `@shareable` `name` from its own index, so the router fetches everything else from the owners.

use async_graphql::{EmptyMutation, EmptySubscription, ID, Interface, Object, Schema, Union};

/// The schema type this subgraph serves.
pub(super) type SearchSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// A fresh schema over the fixed index.
pub(super) fn schema() -> SearchSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// Product ids and names, as indexed; the names match `products`.
const PRODUCTS: [(&str, &str); 4] = [("p1", "Table"), ("p2", "Couch"), ("p3", "Chair"), ("p4", "Lamp")];

/// User ids and display names, as indexed when the fixture was seeded.
const USERS: [(&str, &str); 3] = [("u1", "Ada Lovelace"), ("u2", "Alan Turing"), ("u3", "Grace Hopper")];

/// A search hit.
#[derive(Union)]
pub(super) enum SearchResult {
    Product(Product),
    User(User),
}

/// Anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
pub(super) enum Node {
    Product(Product),
    User(User),
}

/// A product hit: its key and indexed name.
pub(super) struct Product {
    id: ID,
    name: &'static str,
}

#[Object(unresolvable = "id")]
impl Product {
    async fn id(&self) -> &ID {
        &self.id
    }

    #[graphql(shareable)]
    async fn name(&self) -> &str {
        self.name
    }
}

/// A user hit: only its key.
pub(super) struct User {
    id: ID,
}

#[Object(unresolvable = "id")]
impl User {
    async fn id(&self) -> &ID {
        &self.id
    }
}

fn product(id: &str) -> Option<Product> {
    PRODUCTS.iter().find(|(pid, _)| *pid == id).map(|(id, name)| Product {
        id: ID::from(*id),
        name,
    })
}

fn user(id: &str) -> Option<User> {
    USERS
        .iter()
        .find(|(uid, _)| *uid == id)
        .map(|(id, _)| User { id: ID::from(*id) })
}

/// Root query fields.
pub(super) struct Query;

#[Object]
impl Query {
    /// Products, then users, whose name contains `term` (case-insensitive).
    async fn search(&self, term: String) -> Vec<SearchResult> {
        let term = term.to_lowercase();
        let products = PRODUCTS
            .iter()
            .filter(|(_, name)| name.to_lowercase().contains(&term))
            .filter_map(|(id, _)| product(id).map(SearchResult::Product));
        let users = USERS
            .iter()
            .filter(|(_, name)| name.to_lowercase().contains(&term))
            .filter_map(|(id, _)| user(id).map(SearchResult::User));
        products.chain(users).collect()
    }

    /// The product or user with this id.
    async fn node(&self, id: ID) -> Option<Node> {
        product(&id).map(Node::Product).or_else(|| user(&id).map(Node::User))
    }
}
