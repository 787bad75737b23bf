//! What the fuzz targets share: the repository's supergraph loaded once, the router's operation stage in front
//! of the planner, and the same policies the pipeline applies.

use std::sync::{Arc, OnceLock};

use router::operation::{OperationPolicy, OperationSchema, PreparedOperation, RequestError, prepare_document};
use router::plan::{PlanConfig, QueryPlanner};
use router::response::SchemaIndex;
use router::supergraph::Supergraph;
use tokio::runtime::Runtime;

/// The supergraph the platform's router serves.
const SUPERGRAPH: &str = include_str!("../../../schema/supergraph.graphql");

/// The fixed schema and the router's stages built over it, as the router builds them at start-up.
pub struct Fixture {
    pub schema: OperationSchema,
    pub index: SchemaIndex,
    pub planner: QueryPlanner,
    /// The configuration's defaults: introspection off.
    pub policy: OperationPolicy,
    /// The same limits with introspection on.
    pub introspection_policy: OperationPolicy,
    /// Runs the planner's blocking work, as the benches do.
    pub runtime: Runtime,
}

impl Fixture {
    fn new() -> Self {
        let supergraph = Arc::new(Supergraph::parse(SUPERGRAPH).expect("the repository's supergraph is valid"));
        let schema =
            OperationSchema::new(Arc::clone(supergraph.api_schema().document())).expect("the API schema indexes");
        let index = SchemaIndex::from_supergraph(&supergraph.planner().supergraph);
        let planner = QueryPlanner::new(supergraph, &PlanConfig::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a tokio runtime");
        let policy = OperationPolicy::default();
        let introspection_policy = OperationPolicy {
            introspection_enabled: true,
            ..policy.clone()
        };
        Self {
            schema,
            index,
            planner,
            policy,
            introspection_policy,
            runtime,
        }
    }

    /// The operation stage as the pipeline runs it: introspection refused first; an operation refused only for
    /// introspection is prepared again with introspection on, so the introspection paths are reached too.
    pub fn prepare(&self, text: &str, operation_name: Option<&str>) -> Result<PreparedOperation, RequestError> {
        match prepare_document(&self.schema, text, operation_name, &self.policy) {
            Err(RequestError::IntrospectionDisabled { .. }) => {
                prepare_document(&self.schema, text, operation_name, &self.introspection_policy)
            }
            other => other,
        }
    }
}

/// The fixture, built on first use.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(Fixture::new)
}

/// Splits a fuzz input into a document and an operation name: the text after the first NUL byte names the
/// operation (a NUL never occurs in a valid document). `None` when the input is not UTF-8, which a JSON body
/// cannot carry.
pub fn document_and_name(data: &[u8]) -> Option<(&str, Option<&str>)> {
    let text = std::str::from_utf8(data).ok()?;
    Some(match text.split_once('\0') {
        Some((document, name)) => (document, Some(name)),
        None => (text, None),
    })
}
