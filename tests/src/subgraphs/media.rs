//! `media`: books and movies behind the entity interface `Media @key(fields: "id")`.
//!
//! `reviews` extends `Media` as an `@interfaceObject`; a representation `{ __typename: "Media", id }` sent here
//! resolves to the concrete `Book` or `Movie`, which is how the router learns the type behind an interface object.

use async_graphql::{EmptyMutation, EmptySubscription, ID, Interface, Object, Schema, SimpleObject};

/// The schema type this subgraph serves.
pub(super) type MediaSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// A fresh schema over the fixed catalogue.
pub(super) fn schema() -> MediaSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// (id, title, author, pages).
const BOOKS: [(&str, &str, &str, i32); 2] = [
    ("m1", "Dune", "Frank Herbert", 412),
    ("m3", "Neuromancer", "William Gibson", 271),
];

/// (id, title, director, minutes).
const MOVIES: [(&str, &str, &str, i32); 2] = [
    ("m2", "Blade Runner", "Ridley Scott", 117),
    ("m4", "Alien", "Ridley Scott", 116),
];

/// Something to read or watch.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"), field(name = "title", ty = "&String"))]
pub(super) enum Media {
    Book(Book),
    Movie(Movie),
}

/// A book.
#[derive(SimpleObject)]
pub(super) struct Book {
    id: ID,
    title: String,
    author: String,
    pages: i32,
}

/// A movie.
#[derive(SimpleObject)]
pub(super) struct Movie {
    id: ID,
    title: String,
    director: String,
    minutes: i32,
}

fn book(id: &str) -> Option<Book> {
    BOOKS.iter().find(|b| b.0 == id).map(|(id, title, author, pages)| Book {
        id: ID::from(*id),
        title: (*title).to_owned(),
        author: (*author).to_owned(),
        pages: *pages,
    })
}

fn movie(id: &str) -> Option<Movie> {
    MOVIES
        .iter()
        .find(|m| m.0 == id)
        .map(|(id, title, director, minutes)| Movie {
            id: ID::from(*id),
            title: (*title).to_owned(),
            director: (*director).to_owned(),
            minutes: *minutes,
        })
}

fn media_item(id: &str) -> Option<Media> {
    book(id).map(Media::Book).or_else(|| movie(id).map(Media::Movie))
}

/// Root query fields, plus the entity resolvers behind `_entities`.
pub(super) struct Query;

#[Object]
impl Query {
    /// The whole catalogue, ordered by id.
    async fn media(&self) -> Vec<Media> {
        ["m1", "m2", "m3", "m4"].into_iter().filter_map(media_item).collect()
    }

    async fn media_item(&self, id: ID) -> Option<Media> {
        media_item(&id)
    }

    #[graphql(entity)]
    async fn find_media_by_id(&self, id: ID) -> Option<Media> {
        media_item(&id)
    }

    #[graphql(entity)]
    async fn find_book_by_id(&self, id: ID) -> Option<Book> {
        book(&id)
    }

    #[graphql(entity)]
    async fn find_movie_by_id(&self, id: ID) -> Option<Movie> {
        movie(&id)
    }
}
