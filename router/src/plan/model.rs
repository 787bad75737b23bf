//! The router's own query plan: what the executor runs. The planning library's types stop at `plan/convert.rs`.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A plan for one operation. `root` is `None` when nothing needs fetching (e.g. only `__typename` at the root).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryPlan {
    /// The node to run first.
    pub root: Option<PlanNode>,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PlanNode {
    /// A request to one subgraph; at the root, or inside a [`FlattenNode`] for entity fetches.
    Fetch(FetchNode),
    /// Entity fetches for several response paths answered by one `_entities` request with aliases.
    BatchFetch(BatchFetchNode),
    /// Runs its fetch for every object found at `path` in the response so far, and merges the results there.
    Flatten(FlattenNode),
    /// Runs its nodes one after another (later ones read what earlier ones fetched).
    Sequence(Vec<PlanNode>),
    /// Runs its nodes concurrently.
    Parallel(Vec<PlanNode>),
    /// Runs one branch depending on a boolean variable (`@skip`/`@include`).
    Condition(ConditionNode),
}

/// Whether a fetch is a query or a mutation (subscriptions are refused before planning completes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FetchKind {
    /// A `query` operation.
    Query,
    /// A `mutation` operation; its root fields run in document order.
    Mutation,
}

/// A request to one subgraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchNode {
    /// The planner's id for this fetch, stable within one plan.
    pub id: i64,
    /// The subgraph's name as in the supergraph's `join__Graph` enum.
    pub subgraph: Arc<str>,
    /// Query or mutation.
    pub kind: FetchKind,
    /// The GraphQL document sent to the subgraph.
    pub operation: Arc<str>,
    /// The operation name inside `operation`, if it has one.
    pub operation_name: Option<Arc<str>>,
    /// The client variables this fetch forwards; no others are sent.
    pub variable_usages: Vec<Arc<str>>,
    /// For entity fetches: the selection each representation is built from (`__typename`, keys, `@requires`).
    pub requires: Option<SelectionSet>,
    /// Rewrites applied to each representation before it is sent.
    pub input_rewrites: Vec<FetchRewrite>,
    /// Rewrites applied to each returned entity before it is merged.
    pub output_rewrites: Vec<FetchRewrite>,
}

/// One `_entities` request whose aliases each serve a set of response paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchFetchNode {
    /// The planner's id for this fetch.
    pub id: i64,
    /// The subgraph's name.
    pub subgraph: Arc<str>,
    /// The GraphQL document sent to the subgraph; one aliased `_entities` field per entry of `aliases`.
    pub operation: Arc<str>,
    /// The operation name inside `operation`, if it has one.
    pub operation_name: Option<Arc<str>>,
    /// The client variables this fetch forwards.
    pub variable_usages: Vec<Arc<str>>,
    /// The aliased `_entities` fields of the request.
    pub aliases: Vec<EntityBatchAlias>,
}

/// One aliased `_entities` field of a [`BatchFetchNode`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityBatchAlias {
    /// The alias of the `_entities` field in the response.
    pub alias: Arc<str>,
    /// The variable that carries this alias's representations.
    pub representations_variable: Arc<str>,
    /// Where in the response the representations are collected and the results merged.
    pub merge_paths: Vec<ResponsePath>,
    /// The selection each representation is built from.
    pub requires: SelectionSet,
    /// Rewrites applied to each representation before it is sent.
    pub input_rewrites: Vec<FetchRewrite>,
    /// Rewrites applied to each returned entity before it is merged.
    pub output_rewrites: Vec<FetchRewrite>,
}

/// Runs `node` at every object found at `path`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlattenNode {
    /// Where the objects are, from the response root.
    pub path: ResponsePath,
    /// The fetch to run for them (a [`PlanNode::Fetch`]).
    pub node: Box<PlanNode>,
}

/// Chooses a branch by a boolean variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionNode {
    /// The variable's name, without `$`.
    pub variable: Arc<str>,
    /// Runs when the variable is `true`.
    pub if_clause: Option<Box<PlanNode>>,
    /// Runs when the variable is `false`.
    pub else_clause: Option<Box<PlanNode>>,
}

/// A path into the response: field response keys, list traversals and type conditions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ResponsePath(pub Vec<PathSegment>);

/// One step of a [`ResponsePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PathSegment {
    /// The value at this response key.
    Field(Arc<str>),
    /// Every item of the list here.
    List,
    /// Only objects whose `__typename` is one of these.
    TypeCondition(Vec<Arc<str>>),
}

/// A rewrite of a representation or a returned entity, for `@interfaceObject` and renamed keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FetchRewrite {
    /// Sets the value at `path` (e.g. `__typename` to the interface's name).
    ValueSetter {
        /// Where to set it.
        path: Vec<RewriteSegment>,
        /// The string value to set.
        value: Arc<str>,
    },
    /// Renames the key at `path`.
    KeyRenamer {
        /// Which key.
        path: Vec<RewriteSegment>,
        /// Its new name.
        rename_to: Arc<str>,
    },
}

/// One step of a rewrite's path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RewriteSegment {
    /// The value at this key.
    Key(Arc<str>),
    /// Only when the object's `__typename` is one of these.
    TypenameEquals(Vec<Arc<str>>),
}

/// A selection over fetched data, used to build entity representations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelectionSet(pub Vec<Selection>);

/// One item of a [`SelectionSet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selection {
    /// A field, read at its response key.
    Field(FieldSelection),
    /// Selections that apply when `__typename` matches `type_condition`.
    InlineFragment(InlineFragment),
}

/// A field of a [`SelectionSet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSelection {
    /// The field's name in the schema.
    pub name: Arc<str>,
    /// Its alias, if any; the response key is the alias or the name.
    pub alias: Option<Arc<str>>,
    /// Sub-selections, empty for leaves.
    pub selections: SelectionSet,
}

impl FieldSelection {
    /// The key this field has in a response.
    pub fn response_key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// An inline fragment of a [`SelectionSet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlineFragment {
    /// The type it applies to; `None` applies always.
    pub type_condition: Option<Arc<str>>,
    /// Its selections.
    pub selections: SelectionSet,
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(name) => f.write_str(name),
            Self::List => f.write_str("@"),
            Self::TypeCondition(types) => write!(f, "|[{}]", types.join("|")),
        }
    }
}

impl fmt::Display for ResponsePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 && !matches!(segment, PathSegment::TypeCondition(_)) {
                f.write_str(".")?;
            }
            write!(f, "{segment}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SelectionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, selection) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match selection {
                Selection::Field(field) => {
                    if let Some(alias) = &field.alias {
                        write!(f, "{alias}: ")?;
                    }
                    f.write_str(&field.name)?;
                    if !field.selections.0.is_empty() {
                        write!(f, " {}", field.selections)?;
                    }
                }
                Selection::InlineFragment(fragment) => match &fragment.type_condition {
                    Some(type_name) => write!(f, "... on {type_name} {}", fragment.selections)?,
                    None => write!(f, "... {}", fragment.selections)?,
                },
            }
        }
        f.write_str("}")
    }
}

impl fmt::Display for QueryPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "QueryPlan {{")?;
        if let Some(root) = &self.root {
            write_node(f, root, 1)?;
        }
        f.write_str("}")
    }
}

fn indent(f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
    write!(f, "{:width$}", "", width = depth * 2)
}

fn write_block(f: &mut fmt::Formatter<'_>, name: &str, nodes: &[PlanNode], depth: usize) -> fmt::Result {
    indent(f, depth)?;
    writeln!(f, "{name} {{")?;
    for node in nodes {
        write_node(f, node, depth + 1)?;
    }
    indent(f, depth)?;
    writeln!(f, "}},")
}

fn write_operation(f: &mut fmt::Formatter<'_>, operation: &str, depth: usize) -> fmt::Result {
    for line in operation.lines() {
        indent(f, depth)?;
        writeln!(f, "{line}")?;
    }
    Ok(())
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &PlanNode, depth: usize) -> fmt::Result {
    match node {
        PlanNode::Fetch(fetch) => {
            indent(f, depth)?;
            writeln!(f, "Fetch(service: \"{}\") {{", fetch.subgraph)?;
            if let Some(requires) = &fetch.requires {
                indent(f, depth + 1)?;
                writeln!(f, "requires: {requires}")?;
            }
            if !fetch.variable_usages.is_empty() {
                indent(f, depth + 1)?;
                writeln!(f, "variables: [{}]", fetch.variable_usages.join(", "))?;
            }
            write_operation(f, &fetch.operation, depth + 1)?;
            indent(f, depth)?;
            writeln!(f, "}},")
        }
        PlanNode::BatchFetch(batch) => {
            indent(f, depth)?;
            writeln!(f, "BatchFetch(service: \"{}\") {{", batch.subgraph)?;
            for alias in &batch.aliases {
                indent(f, depth + 1)?;
                let paths: Vec<String> = alias.merge_paths.iter().map(ToString::to_string).collect();
                writeln!(
                    f,
                    "{} <- [{}] requires: {}",
                    alias.alias,
                    paths.join(", "),
                    alias.requires
                )?;
            }
            write_operation(f, &batch.operation, depth + 1)?;
            indent(f, depth)?;
            writeln!(f, "}},")
        }
        PlanNode::Flatten(flatten) => {
            indent(f, depth)?;
            writeln!(f, "Flatten(path: \"{}\") {{", flatten.path)?;
            write_node(f, &flatten.node, depth + 1)?;
            indent(f, depth)?;
            writeln!(f, "}},")
        }
        PlanNode::Sequence(nodes) => write_block(f, "Sequence", nodes, depth),
        PlanNode::Parallel(nodes) => write_block(f, "Parallel", nodes, depth),
        PlanNode::Condition(condition) => {
            indent(f, depth)?;
            writeln!(f, "Condition(if: ${}) {{", condition.variable)?;
            if let Some(node) = &condition.if_clause {
                indent(f, depth + 1)?;
                writeln!(f, "then:")?;
                write_node(f, node, depth + 2)?;
            }
            if let Some(node) = &condition.else_clause {
                indent(f, depth + 1)?;
                writeln!(f, "else:")?;
                write_node(f, node, depth + 2)?;
            }
            indent(f, depth)?;
            writeln!(f, "}},")
        }
    }
}
