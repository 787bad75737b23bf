//! A small API schema shared by the operation stage's tests.

use std::sync::Arc;

use hive_router_query_planner::utils::parsing::safe_parse_schema;

use super::{OperationPolicy, OperationSchema, PreparedOperation, RequestError, prepare_document};

/// Every kind of type, deprecations, defaults, a custom scalar and a `@oneOf` input.
pub(crate) const SDL: &str = r#"
schema { query: Query mutation: Mutation subscription: Subscription }

"An instant, as RFC 3339 text."
scalar DateTime @specifiedBy(url: "https://scalars.graphql.org/andimarek/date-time")

type Query {
  me: User
  user(id: ID!): User
  users(first: Int = 10, role: Role): [User!]!
  node(id: ID!): Node
  search(text: String!): [SearchResult!]!
  legacy: String @deprecated(reason: "Use `me`.")
}

type Mutation {
  createPost(input: PostInput!): Post
}

type Subscription {
  postAdded: Post
}

"Anything with a global id."
interface Node {
  id: ID!
}

"A person with an account."
type User implements Node {
  id: ID!
  name: String!
  email: String @deprecated
  posts(first: Int = 5, after: String @deprecated): [Post!]!
  role: Role
}

type Post implements Node {
  id: ID!
  title: String!
  author: User
  published: DateTime
}

union SearchResult = User | Post

enum Role {
  ADMIN
  EDITOR
  VIEWER
  GUEST @deprecated(reason: "Use VIEWER.")
}

input PostInput {
  title: String!
  body: String
  tags: [String!] = []
  draft: Boolean = true
  rating: Float
  score: Int
  role: Role
  filter: Filter
  publishAt: DateTime
}

input Filter @oneOf {
  id: ID
  byName: String
}
"#;

/// The test schema, indexed.
pub(crate) fn schema() -> OperationSchema {
    let document = safe_parse_schema(SDL).expect("the test schema parses");
    OperationSchema::new(Arc::new(document)).expect("the test schema indexes")
}

/// Prepares `text` with the default policy.
pub(crate) fn prepare(schema: &OperationSchema, text: &str) -> Result<PreparedOperation, RequestError> {
    let policy = OperationPolicy {
        introspection_enabled: true,
        ..OperationPolicy::default()
    };
    prepare_document(schema, text, None, &policy)
}
