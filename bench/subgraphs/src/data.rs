//! The shop every subgraph serves a slice of: fixed, in-memory, the same on every start.
//!
//! Every subgraph reads its records from here, so `reviews`' copy of a username (`@provides`) always agrees with
//! `accounts`, which owns it.

use std::sync::LazyLock;

/// A person with an account.
pub struct UserRecord {
    pub id: &'static str,
    pub name: &'static str,
    pub username: &'static str,
}

/// Everyone who has an account, in id order.
pub const USERS: [UserRecord; 8] = [
    user("u1", "Ada Lovelace", "ada"),
    user("u2", "Alan Turing", "alan"),
    user("u3", "Grace Hopper", "grace"),
    user("u4", "Edsger Dijkstra", "edsger"),
    user("u5", "Barbara Liskov", "barbara"),
    user("u6", "Donald Knuth", "don"),
    user("u7", "Margaret Hamilton", "margaret"),
    user("u8", "John Backus", "john"),
];

const fn user(id: &'static str, name: &'static str, username: &'static str) -> UserRecord {
    UserRecord { id, name, username }
}

/// A product of the catalogue, with what `inventory` knows about its stock.
pub struct ProductRecord {
    pub upc: &'static str,
    pub name: &'static str,
    /// Price in cents.
    pub price: i32,
    /// Shipping weight in whole kilograms.
    pub weight: i32,
    /// Units in the warehouse.
    pub units: i32,
}

/// The catalogue, in the order `topProducts` lists it.
pub const PRODUCTS: [ProductRecord; 8] = [
    product("1", "Table", 899, 20, 10),
    product("2", "Couch", 1299, 50, 0),
    product("3", "Chair", 54, 5, 5),
    product("4", "Lamp", 25, 2, 0),
    product("5", "Desk", 450, 30, 3),
    product("6", "Shelf", 1999, 15, 8),
    product("7", "Rug", 120, 4, 0),
    product("8", "Stool", 75, 3, 12),
];

const fn product(upc: &'static str, name: &'static str, price: i32, weight: i32, units: i32) -> ProductRecord {
    ProductRecord {
        upc,
        name,
        price,
        weight,
        units,
    }
}

/// A review of a product.
pub struct ReviewRecord {
    pub id: String,
    pub product_upc: &'static str,
    pub author: &'static UserRecord,
    pub body: &'static str,
    /// From 1 to 5.
    pub rating: i32,
}

/// How many reviews each product has.
pub const REVIEWS_PER_PRODUCT: usize = 4;

const BODIES: [&str; 7] = [
    "Sturdy and handsome.",
    "Wobbles a little.",
    "Exactly as pictured.",
    "Arrived a week late, but worth the wait.",
    "Still great a year later.",
    "Comfortable.",
    "The colour is off.",
];

/// Every review, product by product. Review `k` of product `p` is written by user `(3p + 5k) mod 8`, so a
/// product's reviewers all differ while the same people review several products: a router that deduplicates
/// entity representations sends `accounts` fewer of them.
pub static REVIEWS: LazyLock<Vec<ReviewRecord>> = LazyLock::new(|| {
    let mut reviews = Vec::with_capacity(PRODUCTS.len() * REVIEWS_PER_PRODUCT);
    for (p, product) in PRODUCTS.iter().enumerate() {
        for k in 0..REVIEWS_PER_PRODUCT {
            reviews.push(ReviewRecord {
                id: format!("r{}", reviews.len() + 1),
                product_upc: product.upc,
                author: &USERS[(3 * p + 5 * k) % USERS.len()],
                body: BODIES[(p + k) % BODIES.len()],
                rating: 1 + ((p + 2 * k) % 5) as i32,
            });
        }
    }
    reviews
});

/// The user with this id.
pub fn user_by_id(id: &str) -> Option<&'static UserRecord> {
    USERS.iter().find(|u| u.id == id)
}

/// The product with this upc.
pub fn product_by_upc(upc: &str) -> Option<&'static ProductRecord> {
    PRODUCTS.iter().find(|p| p.upc == upc)
}

/// The reviews of one product, oldest first.
pub fn reviews_of_product(upc: &str) -> impl Iterator<Item = &'static ReviewRecord> {
    REVIEWS.iter().filter(move |r| r.product_upc == upc)
}

/// The reviews one user wrote, oldest first.
pub fn reviews_by_user(id: &str) -> impl Iterator<Item = &'static ReviewRecord> {
    REVIEWS.iter().filter(move |r| r.author.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_has_distinct_reviewers_and_reviewers_repeat_across_products() {
        for product in &PRODUCTS {
            let mut authors: Vec<_> = reviews_of_product(product.upc).map(|r| r.author.id).collect();
            assert_eq!(authors.len(), REVIEWS_PER_PRODUCT, "product {}", product.upc);
            authors.sort_unstable();
            authors.dedup();
            assert_eq!(authors.len(), REVIEWS_PER_PRODUCT, "product {}", product.upc);
        }
        assert!(reviews_by_user("u1").count() > 1);
    }

    #[test]
    fn ratings_stay_between_one_and_five() {
        assert!(REVIEWS.iter().all(|r| (1..=5).contains(&r.rating)));
    }
}
