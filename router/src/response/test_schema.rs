//! A small hand-written supergraph shared by the response and execute unit tests.

use hive_router_query_planner::ast::normalization::normalize_operation;
use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::state::supergraph_state::SupergraphState;
use hive_router_query_planner::utils::parsing::{safe_parse_operation, safe_parse_schema};

use super::schema_index::SchemaIndex;

pub(crate) const SUPERGRAPH: &str = r#"
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) {
  query: Query
  mutation: Mutation
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String,
  external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true, isInterfaceObject: Boolean! = false)
  repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://accounts.invalid/graphql")
  PRODUCTS @join__graph(name: "products", url: "http://products.invalid/graphql")
  REVIEWS @join__graph(name: "reviews", url: "http://reviews.invalid/graphql")
}

scalar DateTime @join__type(graph: ACCOUNTS)

enum Role @join__type(graph: ACCOUNTS) {
  ADMIN @join__enumValue(graph: ACCOUNTS)
  MEMBER @join__enumValue(graph: ACCOUNTS)
}

type Query @join__type(graph: ACCOUNTS) @join__type(graph: PRODUCTS) @join__type(graph: REVIEWS) {
  me: User @join__field(graph: ACCOUNTS)
  users: [User!]! @join__field(graph: ACCOUNTS)
  user(id: ID!): User @join__field(graph: ACCOUNTS)
  products: [Product] @join__field(graph: PRODUCTS)
  search(text: String!): [SearchResult!] @join__field(graph: PRODUCTS)
  matrix: [[Int!]] @join__field(graph: PRODUCTS)
  top: Book! @join__field(graph: PRODUCTS)
}

type Mutation @join__type(graph: ACCOUNTS) {
  rename(name: String!): User @join__field(graph: ACCOUNTS)
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  age: Int @join__field(graph: ACCOUNTS)
  score: Float @join__field(graph: ACCOUNTS)
  active: Boolean @join__field(graph: ACCOUNTS)
  role: Role @join__field(graph: ACCOUNTS)
  createdAt: DateTime @join__field(graph: ACCOUNTS)
  reviews: [Review!] @join__field(graph: REVIEWS)
}

interface Product @join__type(graph: PRODUCTS) {
  id: ID!
  title: String
}

type Book implements Product
  @join__implements(graph: PRODUCTS, interface: "Product")
  @join__type(graph: PRODUCTS, key: "id")
  @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  title: String @join__field(graph: PRODUCTS)
  pages: Int @join__field(graph: PRODUCTS) @join__field(graph: REVIEWS, external: true)
  readingHours: Int @join__field(graph: REVIEWS, requires: "pages")
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Movie implements Product
  @join__implements(graph: PRODUCTS, interface: "Product")
  @join__type(graph: PRODUCTS, key: "id") {
  id: ID!
  title: String
  minutes: Int!
}

type Review @join__type(graph: REVIEWS) {
  body: String!
  stars: Int
  author: User!
}

union SearchResult
  @join__type(graph: PRODUCTS)
  @join__unionMember(graph: PRODUCTS, member: "Book")
  @join__unionMember(graph: PRODUCTS, member: "Movie") = Book | Movie
"#;

/// The planner's state for [`SUPERGRAPH`].
pub(crate) fn supergraph_state() -> SupergraphState {
    let document = safe_parse_schema(SUPERGRAPH).expect("the test supergraph parses");
    SupergraphState::new(&document)
}

/// The [`SchemaIndex`] of [`SUPERGRAPH`].
pub(crate) fn schema_index() -> SchemaIndex {
    SchemaIndex::from_supergraph(&supergraph_state())
}

/// `operation` normalized against [`SUPERGRAPH`], as the plan stage hands it over.
pub(crate) fn normalized(operation: &str) -> OperationDefinition {
    let state = supergraph_state();
    let document = safe_parse_operation(operation).expect("the test operation parses");
    normalize_operation(&state, &document, None)
        .expect("the test operation normalizes")
        .operation
}
