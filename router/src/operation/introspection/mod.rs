//! Introspection answered by the router from the API schema: `__schema`, `__type(name:)` and `__typename` on
//! the root, with the selected fields only, in the order the operation selects them — so GraphiQL's (or any
//! client's) introspection query works without a subgraph.
//!
//! [`execute`] resolves the root's introspection fields and skips the others: for an introspection-only
//! operation ([`PreparedOperation::is_introspection_only`]) its output is the whole `data`; for an operation
//! mixing both, the response stage places these keys next to the fetched ones.

mod collect;
mod json;
mod node;

use graphql_tools::static_graphql::query::{Field, SelectionSet};
use serde_json::{Map, Value};

use super::prepared::{OperationKind, PreparedOperation, fragments};
use super::schema::OperationSchema;
use collect::Context;
use node::{Node, Resolved, TypeRef};

/// Resolves the root introspection fields of `operation` (validated against `schema`, variables coerced) and
/// returns them as the JSON text of an object: `{"__schema":{…},"t":{…},"__typename":"Query"}`.
pub fn execute(schema: &OperationSchema, operation: &PreparedOperation, variables: &Map<String, Value>) -> String {
    let fragments = fragments(operation.document());
    let context = Context {
        schema,
        fragments: &fragments,
        variables,
    };
    let root_type = match operation.kind() {
        OperationKind::Mutation => schema.mutation_type().unwrap_or(schema.query_type()),
        OperationKind::Subscription => schema.subscription_type().unwrap_or(schema.query_type()),
        OperationKind::Query => schema.query_type(),
    };
    let mut writer = Writer {
        context,
        out: String::with_capacity(256),
    };
    let groups = writer
        .context
        .collect(root_type, &[operation.operation().selection_set()]);
    writer.out.push('{');
    let mut first = true;
    for (key, fields) in groups {
        let field = fields[0];
        let value = match field.name.as_str() {
            "__typename" => Resolved::Str(root_type),
            "__schema" => Resolved::Node(Node::Schema),
            "__type" => match writer.context.argument(field, "name") {
                Some(Value::String(name)) => schema.type_definition(&name).map_or(Resolved::Null, |definition| {
                    Resolved::Node(Node::Type(TypeRef::Named(definition)))
                }),
                _ => Resolved::Null,
            },
            // Data fields come from the subgraphs.
            _ => continue,
        };
        if !first {
            writer.out.push(',');
        }
        first = false;
        json::string(&mut writer.out, key);
        writer.out.push(':');
        writer.value(value, &fields);
    }
    writer.out.push('}');
    writer.out
}

/// The `data` of an introspection-only response as one JSON document: `{"data":{…}}`.
pub fn response_body(
    schema: &OperationSchema,
    operation: &PreparedOperation,
    variables: &Map<String, Value>,
) -> String {
    let data = execute(schema, operation, variables);
    let mut body = String::with_capacity(data.len() + 9);
    body.push_str("{\"data\":");
    body.push_str(&data);
    body.push('}');
    body
}

struct Writer<'a> {
    context: Context<'a>,
    out: String,
}

impl<'a> Writer<'a> {
    fn value(&mut self, value: Resolved<'a>, fields: &[&'a Field]) {
        match value {
            Resolved::Null => self.out.push_str("null"),
            Resolved::Bool(flag) => self.out.push_str(if flag { "true" } else { "false" }),
            Resolved::Str(text) => json::string(&mut self.out, text),
            Resolved::Owned(text) => json::string(&mut self.out, &text),
            Resolved::Node(node) => self.object(node, fields),
            Resolved::Nodes(nodes) => {
                self.out.push('[');
                for (at, node) in nodes.into_iter().enumerate() {
                    if at > 0 {
                        self.out.push(',');
                    }
                    self.object(node, fields);
                }
                self.out.push(']');
            }
            Resolved::Names(names) => {
                self.out.push('[');
                for (at, name) in names.into_iter().enumerate() {
                    if at > 0 {
                        self.out.push(',');
                    }
                    json::string(&mut self.out, name);
                }
                self.out.push(']');
            }
        }
    }

    /// Writes `node` with the merged sub-selections of `fields` (all the fields sharing one response key).
    fn object(&mut self, node: Node<'a>, fields: &[&'a Field]) {
        let selection_sets: Vec<&'a SelectionSet> = fields.iter().map(|field| &field.selection_set).collect();
        let typename = node.typename();
        let groups = self.context.collect(typename, &selection_sets);
        self.out.push('{');
        for (at, (key, fields)) in groups.into_iter().enumerate() {
            if at > 0 {
                self.out.push(',');
            }
            json::string(&mut self.out, key);
            self.out.push(':');
            let field = fields[0];
            if field.name == "__typename" {
                json::string(&mut self.out, typename);
                continue;
            }
            let include_deprecated = self.context.argument(field, "includeDeprecated") == Some(Value::Bool(true));
            let value = node.resolve(self.context.schema, &field.name, include_deprecated);
            self.value(value, &fields);
        }
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests;
