//! One fetch from start to finish, apart from the network: preparing its request body from the data so far,
//! and merging what came back (data, entities, errors re-pathed into the client's response).

use std::sync::Arc;

use crate::response::value::Value;
use kernel::error_code::ErrorCode;

use super::body::RequestBody;
use super::client::{SubgraphReply, TransportFailure};
use super::merge::{merge_object, merge_value, value_at_mut};
use super::reply::{convert_path, fetch_failed, read_reply, subgraph_error};
use super::representations::{Representations, Requirements};
use super::rewrite::apply_rewrites;
use crate::plan::model::{BatchFetchNode, FetchKind, FetchNode, FetchRewrite, ResponsePath};
use crate::response::{GraphQLError, PathElement, SchemaIndex};

/// A fetch whose request is ready, with what merging its reply needs.
pub(crate) enum Job<'p> {
    /// A root query or mutation fetch.
    Root(&'p FetchNode),
    /// An `_entities` fetch.
    Entities {
        fetch: &'p FetchNode,
        representations: Representations,
    },
    /// A batched `_entities` fetch: one representation list per variable; `alias_lists[i]` is the list alias `i`
    /// of `node` answers.
    Batch {
        node: &'p BatchFetchNode,
        lists: Vec<Representations>,
        alias_lists: Vec<usize>,
    },
}

/// What preparing a fetch reads besides the response data.
pub(crate) struct Context<'a> {
    pub(crate) schema: &'a SchemaIndex,
    pub(crate) variables: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

const ENTITIES: &str = "_entities";

impl<'p> Job<'p> {
    /// A root fetch and its body.
    pub(crate) fn root(fetch: &'p FetchNode, context: &Context<'_>) -> (Self, Vec<u8>) {
        let body = RequestBody {
            operation: &fetch.operation,
            operation_name: fetch.operation_name.as_deref(),
            variables: context.variables,
            variable_usages: &fetch.variable_usages,
            representations: &[],
        }
        .write();
        (Self::Root(fetch), body)
    }

    /// An entity fetch for the objects at `path` in `data`; `None` when there are none.
    pub(crate) fn entities(
        fetch: &'p FetchNode,
        path: &ResponsePath,
        data: &Value,
        context: &Context<'_>,
    ) -> Option<(Self, Vec<u8>)> {
        let empty = Default::default();
        let requirements = Requirements {
            requires: fetch.requires.as_ref().unwrap_or(&empty),
            input_rewrites: &fetch.input_rewrites,
            schema: context.schema,
        };
        let representations = Representations::collect(data, [path], &requirements);
        if representations.is_empty() {
            return None;
        }
        let body = RequestBody {
            operation: &fetch.operation,
            operation_name: fetch.operation_name.as_deref(),
            variables: context.variables,
            variable_usages: &fetch.variable_usages,
            representations: &[("representations", representations.json())],
        }
        .write();
        Some((Self::Entities { fetch, representations }, body))
    }

    /// A batched entity fetch; `None` when no alias has anything to fetch.
    pub(crate) fn batch(node: &'p BatchFetchNode, data: &Value, context: &Context<'_>) -> Option<(Self, Vec<u8>)> {
        let mut variables: Vec<&str> = Vec::new();
        let mut lists: Vec<Representations> = Vec::new();
        let mut alias_lists = Vec::with_capacity(node.aliases.len());
        for alias in &node.aliases {
            if let Some(index) = variables.iter().position(|v| **v == *alias.representations_variable) {
                alias_lists.push(index);
                continue;
            }
            let requirements = Requirements {
                requires: &alias.requires,
                input_rewrites: &alias.input_rewrites,
                schema: context.schema,
            };
            alias_lists.push(lists.len());
            variables.push(&alias.representations_variable);
            lists.push(Representations::collect(data, &alias.merge_paths, &requirements));
        }
        if lists.iter().all(Representations::is_empty) {
            return None;
        }
        let representations: Vec<(&str, &[u8])> = variables
            .iter()
            .zip(&lists)
            .map(|(name, list)| (*name, list.json()))
            .collect();
        let body = RequestBody {
            operation: &node.operation,
            operation_name: node.operation_name.as_deref(),
            variables: context.variables,
            variable_usages: &node.variable_usages,
            representations: &representations,
        }
        .write();
        Some((
            Self::Batch {
                node,
                lists,
                alias_lists,
            },
            body,
        ))
    }

    /// Whether this fetch is a query (entity fetches always are), so it may be retried and deduplicated.
    pub(crate) fn is_query(&self) -> bool {
        match self {
            Self::Root(fetch) => fetch.kind == FetchKind::Query,
            Self::Entities { .. } | Self::Batch { .. } => true,
        }
    }

    /// The subgraph this fetch goes to.
    pub(crate) fn subgraph(&self) -> &'p Arc<str> {
        match self {
            Self::Root(fetch) | Self::Entities { fetch, .. } => &fetch.subgraph,
            Self::Batch { node, .. } => &node.subgraph,
        }
    }

    /// Merges the reply into `data` and adds its errors to `errors`.
    pub(crate) fn finish(
        self,
        reply: Result<SubgraphReply, TransportFailure>,
        data: &mut Value,
        errors: &mut Vec<GraphQLError>,
        schema: &SchemaIndex,
    ) {
        let subgraph = self.subgraph();
        let response = match read_reply(subgraph, reply) {
            Ok(response) => response,
            Err(error) => {
                errors.push(error);
                return;
            }
        };
        let had_errors = !response.errors.is_empty();
        match self {
            Self::Root(fetch) => {
                for raw in response.errors {
                    let (error, path) = subgraph_error(raw, subgraph);
                    errors.push(match path.as_deref().and_then(convert_path) {
                        Some(path) => error.with_path(path),
                        None => error,
                    });
                }
                if let Some(fetched) = response.data {
                    let mut fetched = Value::Object(fetched);
                    apply_rewrites(&fetch.output_rewrites, &mut fetched, schema);
                    if let (Value::Object(root), Value::Object(fetched)) = (data, fetched) {
                        merge_object(root, fetched, schema);
                    }
                }
            }
            Self::Entities { fetch, representations } => {
                let mut fetched = response.data;
                let entities = fetched.as_mut().and_then(|d| d.remove(ENTITIES));
                let lists = [(ENTITIES, &representations)];
                repath_entity_errors(response.errors, subgraph, &lists, errors);
                let merge = Merge {
                    subgraph,
                    output_rewrites: &fetch.output_rewrites,
                    had_errors,
                    schema,
                };
                merge.entities(entities, &representations, data, errors);
            }
            Self::Batch {
                node,
                lists,
                alias_lists,
            } => {
                let mut fetched = response.data;
                let by_alias: Vec<(&str, &Representations)> = node
                    .aliases
                    .iter()
                    .zip(&alias_lists)
                    .map(|(alias, &list)| (&*alias.alias, &lists[list]))
                    .collect();
                repath_entity_errors(response.errors, subgraph, &by_alias, errors);
                for (alias, (_, representations)) in node.aliases.iter().zip(&by_alias) {
                    let entities = fetched.as_mut().and_then(|d| d.remove(&alias.alias));
                    let merge = Merge {
                        subgraph,
                        output_rewrites: &alias.output_rewrites,
                        had_errors,
                        schema,
                    };
                    merge.entities(entities, representations, data, errors);
                }
            }
        }
    }
}

/// Re-paths `_entities` errors: `[key, i, rest…]` becomes each location of representation `i`, then `rest`.
fn repath_entity_errors(
    raw_errors: Vec<serde_json::Value>,
    subgraph: &Arc<str>,
    lists: &[(&str, &Representations)],
    errors: &mut Vec<GraphQLError>,
) {
    for raw in raw_errors {
        let (error, path) = subgraph_error(raw, subgraph);
        let located = path.as_deref().and_then(|path| {
            let (serde_json::Value::String(key), Some(index)) =
                (path.first()?, path.get(1).and_then(serde_json::Value::as_u64))
            else {
                return None;
            };
            let (_, representations) = lists.iter().find(|(candidate, _)| *candidate == key.as_str())?;
            let rest = convert_path(&path[2..])?;
            let index = usize::try_from(index).ok()?;
            let paths: Vec<Vec<PathElement>> = representations
                .locations_of(index)
                .map(|location| location.iter().chain(&rest).cloned().collect())
                .collect();
            (!paths.is_empty()).then_some(paths)
        });
        match located {
            None => errors.push(error),
            Some(paths) => errors.extend(paths.into_iter().map(|path| error.clone().with_path(path))),
        }
    }
}

/// Merging one list of returned entities back into the locations they were requested for.
struct Merge<'a> {
    subgraph: &'a Arc<str>,
    output_rewrites: &'a [FetchRewrite],
    had_errors: bool,
    schema: &'a SchemaIndex,
}

impl Merge<'_> {
    fn entities(
        &self,
        entities: Option<Value>,
        representations: &Representations,
        data: &mut Value,
        errors: &mut Vec<GraphQLError>,
    ) {
        let mut entities = match entities {
            Some(Value::Array(entities)) => entities,
            // A subgraph that failed to resolve the field said why in its errors.
            None | Some(Value::Null) if self.had_errors => return,
            None | Some(Value::Null) => return errors.push(self.problem("it returned no entities")),
            Some(_) => return errors.push(self.problem("its `_entities` is not a list")),
        };
        // Entities answer representations by position. With a different count that pairing cannot be trusted, and
        // merging anyway could put one entity's data (another user's, say) in place of another's: merge nothing.
        if entities.len() != representations.len() {
            let reason = format!(
                "it returned {} entities for {} representations",
                entities.len(),
                representations.len()
            );
            return errors.push(self.problem(&reason));
        }
        if entities.iter().any(|entity| !entity.is_object() && !entity.is_null()) {
            errors.push(self.problem("it returned entities that are not objects"));
        }
        if !self.output_rewrites.is_empty() {
            for entity in &mut entities {
                apply_rewrites(self.output_rewrites, entity, self.schema);
            }
        }
        let mut remaining_uses = vec![0_u32; entities.len()];
        for (_, index) in representations.locations() {
            if let Some(uses) = remaining_uses.get_mut(index) {
                *uses += 1;
            }
        }
        for (location, index) in representations.locations() {
            let Some(entity) = entities.get_mut(index).filter(|entity| entity.is_object()) else {
                continue;
            };
            remaining_uses[index] -= 1;
            // The last location an entity goes to takes it; the others get copies.
            let entity = if remaining_uses[index] == 0 {
                std::mem::take(entity)
            } else {
                entity.clone()
            };
            if let Some(target) = value_at_mut(data, location).filter(|target| target.is_object()) {
                merge_value(target, entity, self.schema);
            }
        }
    }

    fn problem(&self, reason: &str) -> GraphQLError {
        fetch_failed(self.subgraph, reason, ErrorCode::SubgraphRequestFailed)
    }
}
