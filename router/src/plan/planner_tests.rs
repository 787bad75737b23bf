use std::sync::{Arc, LazyLock};

use hive_router_query_planner::utils::parsing::safe_parse_operation;

use super::*;
use crate::supergraph::test_fixture::{SUPERGRAPH, supergraph_with_progressive_overrides};

static SUPERGRAPH_UNDER_TEST: LazyLock<Arc<Supergraph>> =
    LazyLock::new(|| Arc::new(Supergraph::parse(SUPERGRAPH).expect("the fixture is a valid supergraph")));

fn planner_with_deadline(timeout_ms: u64) -> QueryPlanner {
    QueryPlanner::new(
        Arc::clone(&SUPERGRAPH_UNDER_TEST),
        &PlanConfig {
            timeout_ms,
            ..PlanConfig::default()
        },
    )
}

fn planner() -> QueryPlanner {
    planner_with_deadline(PlanConfig::default().timeout_ms)
}

fn parse(operation: &str) -> Document {
    safe_parse_operation(operation).expect("the test operation parses")
}

async fn plan_text(operation: &str) -> String {
    let planned = planner()
        .plan(&parse(operation), None)
        .await
        .expect("the operation plans");
    planned.plan().to_string()
}

#[tokio::test]
async fn root_field_from_one_subgraph_is_one_fetch() {
    insta::assert_snapshot!(plan_text("{ topProducts(first: 2) { upc name } }").await);
}

#[tokio::test]
async fn entity_fields_from_another_subgraph_are_joined_by_key() {
    insta::assert_snapshot!(plan_text("query Me { me { name reviews { body } } }").await);
}

#[tokio::test]
async fn required_fields_are_fetched_before_the_field_that_requires_them() {
    insta::assert_snapshot!(plan_text("{ topProducts { name shippingEstimate } }").await);
}

#[tokio::test]
async fn include_directive_becomes_a_condition_node() {
    insta::assert_snapshot!(
        plan_text("query ($withReviews: Boolean!) { me { name reviews @include(if: $withReviews) { body } } }").await
    );
}

#[tokio::test]
async fn skip_directive_becomes_a_condition_node_with_an_else_branch() {
    insta::assert_snapshot!(
        plan_text("query ($brief: Boolean!) { topProducts { name reviews @skip(if: $brief) { body } } }").await
    );
}

#[tokio::test]
async fn mutation_root_fields_run_in_sequence() {
    insta::assert_snapshot!(
        plan_text(
            r#"mutation { signUp(name: "ada") { id name } addReview(upc: "1", body: "great") { id author { name } } }"#
        )
        .await
    );
}

#[tokio::test]
async fn union_members_are_joined_under_a_type_condition() {
    insta::assert_snapshot!(
        plan_text(
            r#"{ search(term: "x") { __typename ... on Product { name reviews { body } } ... on Book { title } } }"#
        )
        .await
    );
}

#[tokio::test]
async fn variables_are_forwarded_only_to_the_fetches_that_use_them() {
    insta::assert_snapshot!(
        plan_text("query User($id: ID!) { user(id: $id) { name reviews { product { name price } } } }").await
    );
}

#[tokio::test]
async fn only_typename_at_the_root_is_fetched_from_one_subgraph() {
    let planned = planner()
        .plan(&parse("{ __typename }"), None)
        .await
        .expect("the operation plans");
    // The planner still sends `{__typename}` to one subgraph rather than answering it locally.
    insta::assert_snapshot!(planned.plan().to_string(), @r#"
    QueryPlan {
      Fetch(service: "accounts") {
        {__typename}
      },
    }
    "#);
}

#[tokio::test]
async fn named_operation_is_selected_and_normalized() {
    let document =
        parse("query A { me { id } } mutation B { signUp(name: \"x\") { ...U } } fragment U on User { name }");
    let planned = planner().plan(&document, Some("B")).await.expect("B plans");
    assert_eq!(planned.operation_name(), Some("B"));
    assert_eq!(planned.kind(), FetchKind::Mutation);
    insta::assert_snapshot!(planned.normalized().to_string(), @r#"mutation B {signUp(name: "x"){name}}"#);
}

#[tokio::test]
async fn unknown_operation_name_is_a_bad_request() {
    let error = planner()
        .plan(&parse("query A { me { id } }"), Some("Z"))
        .await
        .expect_err("Z is not there");
    assert!(matches!(error, PlanError::OperationSelection(_)), "{error:?}");
    assert_eq!(error.code(), kernel::error_code::ErrorCode::BadRequest);
}

#[tokio::test]
async fn several_operations_without_a_name_is_a_bad_request() {
    let error = planner()
        .plan(&parse("query A { me { id } } query B { me { id } }"), None)
        .await
        .expect_err("ambiguous");
    assert!(matches!(error, PlanError::OperationSelection(_)), "{error:?}");
}

#[tokio::test]
async fn subscription_is_unsupported() {
    let error = planner()
        .plan(&parse("subscription { me { id } }"), None)
        .await
        .expect_err("not executed");
    assert!(matches!(error, PlanError::Unsupported("subscriptions")), "{error:?}");
    assert_eq!(error.code(), kernel::error_code::ErrorCode::OperationNotSupported);
}

#[tokio::test]
async fn panic_during_planning_fails_that_request_and_the_planner_keeps_working() {
    let planner = planner();
    let error = planner
        .run::<(), _>(|_| panic!("a bug in the planning library"))
        .await
        .expect_err("it panics");
    assert!(matches!(error, PlanError::Panicked(ref message) if message == "a bug in the planning library"));
    assert_eq!(error.code(), kernel::error_code::ErrorCode::InternalServerError);

    planner
        .plan(&parse("{ me { name reviews { body } } }"), None)
        .await
        .expect("the next request plans");
}

#[tokio::test]
async fn zero_deadline_times_out_and_the_planner_keeps_working() {
    let operation = parse("{ me { name reviews { body product { name shippingEstimate } } } }");
    let error = planner_with_deadline(0)
        .plan(&operation, None)
        .await
        .expect_err("no time to plan");
    assert!(matches!(error, PlanError::Timeout { deadline_ms: 0 }), "{error:?}");

    planner()
        .plan(&operation, None)
        .await
        .expect("the same supergraph's planner plans the next request");
}

#[test]
fn library_planner_checks_its_cancellation_token() {
    use hive_router_query_planner::ast::normalization::normalize_operation;
    use hive_router_query_planner::planner::PlannerError;
    use hive_router_query_planner::utils::cancellation::CancellationError;

    let planner = SUPERGRAPH_UNDER_TEST.planner();
    let document = parse("{ me { name reviews { body product { name shippingEstimate } } } }");
    let normalized = normalize_operation(&planner.supergraph, &document, None).expect("the operation normalizes");
    let token = CancellationToken::with_timeout(std::time::Duration::ZERO);
    let result =
        planner.plan_from_normalized_operation(&normalized.operation, PlannerOverrideContext::default(), &token);
    // The planner reports the cancellation wrapped in the stage that noticed it (here the walker).
    let error = result.expect_err("the token had expired before planning started");
    assert!(matches!(error, PlannerError::PathLocatorError(_)), "{error:?}");
    assert!(error.to_string().ends_with("timed out"), "{error}");
    assert!(matches!(token.bail_if_cancelled(), Err(CancellationError::TimedOut)));
}

#[tokio::test]
async fn progressive_overrides_choose_the_subgraph_per_request() {
    let supergraph =
        Arc::new(Supergraph::parse(&supergraph_with_progressive_overrides()).expect("the override fixture is valid"));
    let planner = QueryPlanner::new(Arc::clone(&supergraph), &PlanConfig::default());
    let document = parse("{ me { name } topProducts { name } }");
    let plan_for = |labels: &'static [&'static str], roll: f64| {
        let context = PlanContext {
            operation_hash: Some(7),
            overrides: OverrideContext::resolve(&supergraph, labels.iter().copied(), roll),
        };
        let planner = planner.clone();
        let document = document.clone();
        async move {
            planner
                .plan_with_context(&document, None, &context)
                .await
                .expect("plans")
                .plan()
                .to_string()
        }
    };
    insta::assert_snapshot!("overrides_off", plan_for(&[], 60.0).await);
    insta::assert_snapshot!("overrides_on", plan_for(&["product-name"], 10.0).await);
}

#[tokio::test]
async fn a_shared_plan_is_read_back_instead_of_planning_again() {
    let store: Arc<dyn kernel::cache::Cache> = Arc::new(kernel::cache::InProcessCache::new(
        std::num::NonZeroUsize::new(16).expect("non-zero"),
    ));
    let shared = SharedPlans::new(Arc::clone(&store), Duration::from_secs(60));
    let first = planner().with_shared_plans(shared.clone());
    let document = parse("{ me { id name reviews { body product { name } } } }");
    let planned = first.plan(&document, None).await.expect("plans");

    let key = shared::key(SUPERGRAPH_UNDER_TEST.fingerprint(), &document.to_string(), None);
    let bytes = store
        .get(&key)
        .await
        .expect("the store answers")
        .expect("the plan was kept");
    let stored: StoredPlan = serde_json::from_slice(&bytes).expect("the stored plan reads back");
    assert_eq!(stored.plan, **planned.plan());

    let second = planner().with_shared_plans(shared);
    let again = second.plan(&document, None).await.expect("plans");
    assert_eq!(again.plan(), planned.plan());
    assert_eq!(again.operation_name(), planned.operation_name());
    assert_eq!(
        again.operation().to_string(),
        planned.operation().to_string(),
        "the normalized operation reads back as it was"
    );
}
