//! A small hand-written Federation 2 supergraph for unit tests: three subgraphs (accounts, products, reviews) with
//! entities joined by `@key`, a `@requires`, a union, two mutation subgraphs and an `@inaccessible` field.

/// The SDL of the test supergraph.
pub(crate) const SUPERGRAPH: &str = r#"
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
  mutation: Mutation
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(
  graph: join__Graph
  requires: join__FieldSet
  provides: join__FieldSet
  type: String
  external: Boolean
  override: String
  usedOverridden: Boolean
) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(
  graph: join__Graph!
  key: join__FieldSet
  extension: Boolean! = false
  resolvable: Boolean! = true
  isInterfaceObject: Boolean! = false
) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://accounts.local/graphql")
  PRODUCTS @join__graph(name: "products", url: "http://products.local/graphql")
  REVIEWS @join__graph(name: "reviews", url: "http://reviews.local/graphql")
}

type Query
  @join__type(graph: ACCOUNTS)
  @join__type(graph: PRODUCTS)
  @join__type(graph: REVIEWS)
{
  me: User @join__field(graph: ACCOUNTS)
  user(id: ID!): User @join__field(graph: ACCOUNTS)
  topProducts(first: Int = 5): [Product!]! @join__field(graph: PRODUCTS)
  search(term: String!): [SearchResult!]! @join__field(graph: PRODUCTS)
}

type Mutation
  @join__type(graph: ACCOUNTS)
  @join__type(graph: REVIEWS)
{
  signUp(name: String!): User! @join__field(graph: ACCOUNTS)
  addReview(upc: String!, body: String!): Review! @join__field(graph: REVIEWS)
}

type User
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  passwordHash: String @join__field(graph: ACCOUNTS) @inaccessible
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Product
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: REVIEWS, key: "upc")
{
  upc: String!
  name: String! @join__field(graph: PRODUCTS)
  price: Int! @join__field(graph: PRODUCTS) @join__field(graph: REVIEWS, external: true)
  weight: Int! @join__field(graph: PRODUCTS) @join__field(graph: REVIEWS, external: true)
  shippingEstimate: Int! @join__field(graph: REVIEWS, requires: "price weight")
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Book @join__type(graph: PRODUCTS) {
  isbn: String!
  title: String!
}

union SearchResult
  @join__type(graph: PRODUCTS)
  @join__unionMember(graph: PRODUCTS, member: "Product")
  @join__unionMember(graph: PRODUCTS, member: "Book")
= Product | Book

type Review @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  body: String!
  author: User!
  product: Product!
}
"#;

/// The test supergraph with progressive overrides: `User.name` moves from accounts to reviews for rolls below
/// 25 %, and `Product.name` from products to reviews when the label `product-name` is on.
pub(crate) fn supergraph_with_progressive_overrides() -> String {
    SUPERGRAPH
        .replace("join/v0.3", "join/v0.5")
        .replace("usedOverridden: Boolean", "usedOverridden: Boolean\n  overrideLabel: String")
        .replace(
            "name: String! @join__field(graph: ACCOUNTS)",
            r#"name: String! @join__field(graph: ACCOUNTS, overrideLabel: "percent(25)") @join__field(graph: REVIEWS, override: "accounts", overrideLabel: "percent(25)")"#,
        )
        .replace(
            "name: String! @join__field(graph: PRODUCTS)",
            r#"name: String! @join__field(graph: PRODUCTS, overrideLabel: "product-name") @join__field(graph: REVIEWS, override: "products", overrideLabel: "product-name")"#,
        )
}
