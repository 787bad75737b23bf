//! A synthetic supergraph of realistic size, written as Apollo supergraph SDL (join v0.3): a [`Shape`]'s number of
//! subgraphs and of entity types keyed by `id` (by default [`Shape::default`]: 5 subgraphs, 200 entity types).
//!
//! Entity `Tn` lives in subgraphs `n`, `n+1` and `n+2` (mod the subgraph count). Its scalar fields are owned by
//! different ones of them, and its references (`next: Tn+1`, `partners: [Tn+2]`) are owned by the subgraph both
//! ends share, so following a reference and selecting the target's fields from other subgraphs needs entity
//! fetches at every level, as in a real composed graph. Every entity has the root fields `tn(id:)` and
//! `tnList(first:)` in its first subgraph.

use std::fmt::Write as _;

/// How large a generated supergraph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// How many subgraphs the supergraph joins; at least 3, since every entity lives in three.
    pub subgraphs: usize,
    /// How many entity types it declares; a multiple of the subgraph count, so that the references of the last
    /// entities, which wrap around to the first, join subgraphs both ends share as well.
    pub entities: usize,
}

impl Default for Shape {
    /// The stage benchmarks' supergraph: 5 subgraphs and 200 entity types.
    fn default() -> Self {
        Self {
            subgraphs: 5,
            entities: 200,
        }
    }
}

const HEADER: &str = r#"schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) {
  query: Query
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}
"#;

/// The supergraph SDL of the default shape.
#[allow(
    dead_code,
    reason = "the stage benchmarks use the default shape, the scale benchmark its own"
)]
pub fn sdl() -> String {
    Shape::default().sdl()
}

impl Shape {
    /// The name of entity type `index` (mod the entity count): `T` and at least three digits, as many as the
    /// largest index needs.
    pub fn entity(self, index: usize) -> String {
        let width = (self.entities.saturating_sub(1)).to_string().len().max(3);
        format!("T{:0width$}", index % self.entities)
    }

    /// The enum value naming subgraph `index` (mod the subgraph count) in `join__Graph`.
    fn graph(self, index: usize) -> String {
        format!("G{}", index % self.subgraphs)
    }

    /// The supergraph SDL.
    pub fn sdl(self) -> String {
        assert!(
            self.subgraphs >= 3 && self.entities > 0 && self.entities.is_multiple_of(self.subgraphs),
            "a supergraph needs 3 subgraphs or more and a multiple of their count of entities: {self:?}"
        );
        let mut out = String::with_capacity(HEADER.len() + 128 * self.subgraphs + 640 * self.entities);
        out.push_str(HEADER);
        out.push_str("\nenum join__Graph {\n");
        for index in 0..self.subgraphs {
            let _ = writeln!(
                out,
                "  G{index} @join__graph(name: \"sg{index}\", url: \"http://subgraph.invalid/sg{index}\")"
            );
        }
        out.push_str("}\n\ntype Query");
        for index in 0..self.subgraphs {
            let _ = write!(out, " @join__type(graph: G{index})");
        }
        out.push_str(" {\n");
        for index in 0..self.entities {
            let (name, home) = (self.entity(index), self.graph(index));
            let field = name.to_lowercase();
            let _ = writeln!(out, "  {field}(id: ID!): {name} @join__field(graph: {home})");
            let _ = writeln!(out, "  {field}List(first: Int): [{name}!]! @join__field(graph: {home})");
        }
        out.push_str("}\n");
        for index in 0..self.entities {
            self.write_entity(&mut out, index);
        }
        out
    }

    fn write_entity(self, out: &mut String, index: usize) {
        let (home, second, third) = (self.graph(index), self.graph(index + 1), self.graph(index + 2));
        let _ = write!(out, "\ntype {}", self.entity(index));
        for owner in [&home, &second, &third] {
            let _ = write!(out, " @join__type(graph: {owner}, key: \"id\")");
        }
        let _ = write!(
            out,
            " {{
  id: ID!
  name: String! @join__field(graph: {home})
  createdAt: String! @join__field(graph: {home})
  score: Int @join__field(graph: {second})
  label: String @join__field(graph: {second})
  weight: Float @join__field(graph: {third})
  active: Boolean! @join__field(graph: {third})
  next: {next} @join__field(graph: {second})
  partners: [{partner}!]! @join__field(graph: {third})
}}
",
            next = self.entity(index + 1),
            partner = self.entity(index + 2),
        );
    }
}
