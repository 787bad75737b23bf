//! The planning library's query plan turned into ours: past this file nothing sees the library's plan types.

use std::collections::BTreeSet;
use std::sync::Arc;

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet as HiveSelectionSet;
use hive_router_query_planner::planner::plan_nodes as hive;
use hive_router_query_planner::state::supergraph_state::OperationKind;

use super::error::PlanError;
use super::model::{
    BatchFetchNode, ConditionNode, EntityBatchAlias, FetchKind, FetchNode, FetchRewrite, FieldSelection, FlattenNode,
    InlineFragment, PathSegment, PlanNode, QueryPlan, ResponsePath, RewriteSegment, Selection, SelectionSet,
};

/// Converts a whole plan. Subscription and `@defer` nodes are refused as unsupported.
pub(crate) fn convert_query_plan(plan: &hive::QueryPlan) -> Result<QueryPlan, PlanError> {
    Ok(QueryPlan {
        root: plan.node.as_ref().map(convert_node).transpose()?,
    })
}

fn convert_node(node: &hive::PlanNode) -> Result<PlanNode, PlanError> {
    Ok(match node {
        hive::PlanNode::Fetch(fetch) => PlanNode::Fetch(convert_fetch(fetch)?),
        hive::PlanNode::BatchFetch(batch) => PlanNode::BatchFetch(convert_batch_fetch(batch)?),
        hive::PlanNode::Flatten(flatten) => PlanNode::Flatten(FlattenNode {
            path: convert_path(&flatten.path),
            node: Box::new(convert_node(&flatten.node)?),
        }),
        hive::PlanNode::Sequence(sequence) => PlanNode::Sequence(convert_nodes(&sequence.nodes)?),
        hive::PlanNode::Parallel(parallel) => PlanNode::Parallel(convert_nodes(&parallel.nodes)?),
        hive::PlanNode::Condition(condition) => PlanNode::Condition(ConditionNode {
            variable: condition.condition.as_str().into(),
            if_clause: convert_clause(condition.if_clause.as_deref())?,
            else_clause: convert_clause(condition.else_clause.as_deref())?,
        }),
        hive::PlanNode::Subscription(_) => return Err(PlanError::Unsupported("subscriptions")),
        hive::PlanNode::Defer(_) => return Err(PlanError::Unsupported("@defer")),
    })
}

fn convert_nodes(nodes: &[hive::PlanNode]) -> Result<Vec<PlanNode>, PlanError> {
    nodes.iter().map(convert_node).collect()
}

fn convert_clause(clause: Option<&hive::PlanNode>) -> Result<Option<Box<PlanNode>>, PlanError> {
    clause.map(|node| convert_node(node).map(Box::new)).transpose()
}

fn convert_kind(kind: Option<&OperationKind>) -> Result<FetchKind, PlanError> {
    match kind {
        None | Some(OperationKind::Query) => Ok(FetchKind::Query),
        Some(OperationKind::Mutation) => Ok(FetchKind::Mutation),
        Some(OperationKind::Subscription) => Err(PlanError::Unsupported("subscriptions")),
    }
}

fn convert_fetch(fetch: &hive::FetchNode) -> Result<FetchNode, PlanError> {
    Ok(FetchNode {
        id: fetch.id,
        subgraph: fetch.service_name.as_str().into(),
        kind: convert_kind(fetch.operation_kind.as_ref())?,
        operation: fetch.operation.document_str.as_str().into(),
        // The planner's subgraph operations are anonymous by design, so a renamed client operation keeps its plan.
        operation_name: None,
        variable_usages: convert_variables(fetch.variable_usages.as_ref()),
        requires: fetch.requires.as_ref().map(convert_selection_set).transpose()?,
        input_rewrites: convert_rewrites(fetch.input_rewrites.as_deref()),
        output_rewrites: convert_rewrites(fetch.output_rewrites.as_deref()),
    })
}

fn convert_batch_fetch(batch: &hive::BatchFetchNode) -> Result<BatchFetchNode, PlanError> {
    convert_kind(batch.operation_kind.as_ref())?;
    let aliases = batch
        .entity_batch
        .aliases
        .iter()
        .map(|alias| {
            Ok(EntityBatchAlias {
                alias: alias.alias.as_str().into(),
                representations_variable: alias.representations_variable_name.as_str().into(),
                merge_paths: alias.merge_paths.iter().map(convert_path).collect(),
                requires: convert_selection_set(&alias.requires)?,
                input_rewrites: convert_rewrites(alias.input_rewrites.as_deref()),
                output_rewrites: convert_rewrites(alias.output_rewrites.as_deref()),
            })
        })
        .collect::<Result<_, PlanError>>()?;
    Ok(BatchFetchNode {
        id: batch.id,
        subgraph: batch.service_name.as_str().into(),
        operation: batch.operation.document_str.as_str().into(),
        operation_name: None,
        variable_usages: convert_variables(batch.variable_usages.as_ref()),
        aliases,
    })
}

fn convert_variables(usages: Option<&BTreeSet<String>>) -> Vec<Arc<str>> {
    usages
        .map(|names| names.iter().map(|name| name.as_str().into()).collect())
        .unwrap_or_default()
}

fn convert_type_names(names: &BTreeSet<String>) -> Vec<Arc<str>> {
    names.iter().map(|name| name.as_str().into()).collect()
}

fn convert_path(path: &hive::FlattenNodePath) -> ResponsePath {
    ResponsePath(
        path.as_slice()
            .iter()
            .map(|segment| match segment {
                hive::FlattenNodePathSegment::Field(name) => PathSegment::Field(name.as_str().into()),
                hive::FlattenNodePathSegment::List => PathSegment::List,
                hive::FlattenNodePathSegment::TypeCondition(names) => {
                    PathSegment::TypeCondition(convert_type_names(names))
                }
            })
            .collect(),
    )
}

fn convert_rewrites(rewrites: Option<&[hive::FetchRewrite]>) -> Vec<FetchRewrite> {
    rewrites.unwrap_or_default().iter().map(convert_rewrite).collect()
}

fn convert_rewrite(rewrite: &hive::FetchRewrite) -> FetchRewrite {
    match rewrite {
        hive::FetchRewrite::ValueSetter(setter) => FetchRewrite::ValueSetter {
            path: convert_rewrite_path(&setter.path),
            value: setter.set_value_to.as_str().into(),
        },
        hive::FetchRewrite::KeyRenamer(renamer) => FetchRewrite::KeyRenamer {
            path: convert_rewrite_path(&renamer.path),
            rename_to: renamer.rename_key_to.as_str().into(),
        },
    }
}

fn convert_rewrite_path(path: &[hive::FetchNodePathSegment]) -> Vec<RewriteSegment> {
    path.iter()
        .map(|segment| match segment {
            hive::FetchNodePathSegment::Key(key) => RewriteSegment::Key(key.as_str().into()),
            hive::FetchNodePathSegment::TypenameEquals(names) => {
                RewriteSegment::TypenameEquals(convert_type_names(names))
            }
        })
        .collect()
}

/// Converts a representation's selection. The planner strips arguments and field conditions from it; a
/// conditional fragment or a fragment spread would need evaluation our model has no place for, so they are refused
/// rather than silently widened.
fn convert_selection_set(selections: &HiveSelectionSet) -> Result<SelectionSet, PlanError> {
    selections
        .items
        .iter()
        .map(|item| match item {
            SelectionItem::Field(field) => Ok(Selection::Field(FieldSelection {
                name: field.name.as_str().into(),
                alias: field.alias.as_deref().map(Into::into),
                selections: convert_selection_set(&field.selections)?,
            })),
            SelectionItem::InlineFragment(fragment) => {
                if fragment.skip_if.is_some() || fragment.include_if.is_some() {
                    return Err(PlanError::Conversion(format!(
                        "a conditional fragment on {} in an entity requirement",
                        fragment.type_condition
                    )));
                }
                Ok(Selection::InlineFragment(InlineFragment {
                    type_condition: Some(fragment.type_condition.as_str().into()),
                    selections: convert_selection_set(&fragment.selections)?,
                }))
            }
            SelectionItem::FragmentSpread(name) => Err(PlanError::Conversion(format!(
                "a fragment spread ...{name} in an entity requirement"
            ))),
        })
        .collect::<Result<_, _>>()
        .map(SelectionSet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_plan(json: &'static str) -> hive::QueryPlan {
        serde_json::from_str(json).expect("the test plan deserializes")
    }

    #[test]
    fn subscription_node_is_refused_as_unsupported() {
        let plan = parse_plan(
            r#"{"kind":"QueryPlan","node":{"kind":"Subscription","primary":{"id":1,"serviceName":"a",
                "operationKind":"subscription","operation":{"document":{"operation":{"name":null,
                "operation_kind":"subscription","selection_set":{"items":[]},"variable_definitions":null},
                "fragments":[]},"document_str":"subscription{a}","hash":0,"name_write_position":12}}}}"#,
        );
        let error = convert_query_plan(&plan).expect_err("subscriptions are not executed");
        assert!(matches!(error, PlanError::Unsupported("subscriptions")));
        assert_eq!(error.code(), kernel::error_code::ErrorCode::OperationNotSupported);
    }

    #[test]
    fn defer_node_is_refused_as_unsupported() {
        let plan = parse_plan(
            r#"{"kind":"QueryPlan","node":{"kind":"Defer","primary":{"subselection":null,"node":null},"deferred":[]}}"#,
        );
        let error = convert_query_plan(&plan).expect_err("@defer is not executed");
        assert!(matches!(error, PlanError::Unsupported("@defer")));
    }

    #[test]
    fn empty_plan_has_no_root() {
        let plan = parse_plan(r#"{"kind":"QueryPlan"}"#);
        assert_eq!(
            convert_query_plan(&plan).expect("an empty plan converts"),
            QueryPlan { root: None }
        );
    }

    #[test]
    fn rewrites_and_paths_keep_their_segments() {
        let rewrite = hive::FetchRewrite::ValueSetter(hive::ValueSetter {
            path: vec![
                hive::FetchNodePathSegment::TypenameEquals(BTreeSet::from(["Book".to_owned()])),
                hive::FetchNodePathSegment::Key("__typename".to_owned()),
            ],
            set_value_to: "Media".to_owned(),
        });
        assert_eq!(
            convert_rewrite(&rewrite),
            FetchRewrite::ValueSetter {
                path: vec![
                    RewriteSegment::TypenameEquals(vec!["Book".into()]),
                    RewriteSegment::Key("__typename".into())
                ],
                value: "Media".into(),
            }
        );
        let path: hive::FlattenNodePath =
            serde_json::from_str(r#"[{"Field":"search"},"@",{"TypeCondition":["Product"]}]"#).expect("a path");
        assert_eq!(convert_path(&path).to_string(), "search.@|[Product]");
    }
}
