//! A synthetic supergraph of realistic size, written as Apollo supergraph SDL (join v0.3): [`SUBGRAPHS`]
//! subgraphs and [`ENTITIES`] entity types keyed by `id`.
//!
//! Entity `Tn` lives in subgraphs `n`, `n+1` and `n+2` (mod 5). Its scalar fields are owned by different ones
//! of them, and its references (`next: Tn+1`, `partners: [Tn+2]`) are owned by the subgraph both ends share, so
//! following a reference and selecting the target's fields from other subgraphs needs entity fetches at every
//! level, as in a real composed graph.

use std::fmt::Write as _;

/// How many subgraphs the supergraph joins.
pub const SUBGRAPHS: usize = 5;
/// How many entity types it declares.
pub const ENTITIES: usize = 200;

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

/// The enum value naming subgraph `index` in `join__Graph`.
fn graph(index: usize) -> String {
    format!("G{}", index % SUBGRAPHS)
}

/// The name of entity type `index`.
pub fn entity(index: usize) -> String {
    format!("T{:03}", index % ENTITIES)
}

/// The supergraph SDL.
pub fn sdl() -> String {
    let mut out = String::with_capacity(256 * 1024);
    out.push_str(HEADER);
    out.push_str("\nenum join__Graph {\n");
    for index in 0..SUBGRAPHS {
        let _ = writeln!(
            out,
            "  G{index} @join__graph(name: \"sg{index}\", url: \"http://subgraph.invalid/sg{index}\")"
        );
    }
    out.push_str("}\n\ntype Query");
    for index in 0..SUBGRAPHS {
        let _ = write!(out, " @join__type(graph: G{index})");
    }
    out.push_str(" {\n");
    for index in 0..ENTITIES {
        let (name, home) = (entity(index), graph(index));
        let field = name.to_lowercase();
        let _ = writeln!(out, "  {field}(id: ID!): {name} @join__field(graph: {home})");
        let _ = writeln!(out, "  {field}List(first: Int): [{name}!]! @join__field(graph: {home})");
    }
    out.push_str("}\n");
    for index in 0..ENTITIES {
        write_entity(&mut out, index);
    }
    out
}

fn write_entity(out: &mut String, index: usize) {
    let (home, second, third) = (graph(index), graph(index + 1), graph(index + 2));
    let _ = write!(out, "\ntype {}", entity(index));
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
        next = entity(index + 1),
        partner = entity(index + 2),
    );
}
