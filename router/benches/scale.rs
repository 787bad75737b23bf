//! The router on a large supergraph: a generated one of 50 subgraphs and 2,000 entity types (see
//! `stages/supergraph.rs`). Measures what start-up does before the router can serve (read, parse, API schema,
//! planner, pipeline), and for one deep operation touching many subgraphs: cold planning, the warm operation-cache
//! lookup against the cold path, and parse + validate.
//!
//! Run with `cargo bench -p router --bench scale`.

// The bench uses a handful of the router's dependencies; the others are the library's.
#![allow(unused_crate_dependencies)]

#[path = "stages/fixture.rs"]
mod fixture;
#[path = "stages/supergraph.rs"]
mod supergraph;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use fixture::{Stages, warm_cache};
use graphql_tools::static_graphql::schema::{Definition, Document, TypeDefinition};
use hive_router_query_planner::planner::{Planner, QueryPlannerOptions};
use hive_router_query_planner::utils::parsing::safe_parse_schema;
use router::cache::OperationKey;
use router::config::RouterConfig;
use router::gateway;
use router::operation::{OperationPolicy, OperationSchema, prepare_document};
use router::plan::QueryPlanner;
use router::response::SchemaIndex;
use router::supergraph::Supergraph;
use supergraph::Shape;

/// The supergraph's size.
const SHAPE: Shape = Shape {
    subgraphs: 50,
    entities: 2_000,
};

/// A client's deep operation: two root fields in subgraphs 0 and 25, five levels of references below the first
/// (entity fetches at every level), four named fragments, an `@include`, 60 field selections.
const OPERATION: &str = r#"query Scale($id: ID!, $other: ID!, $withPartners: Boolean = true) {
  t0000(id: $id) {
    ...T0000Fields
    next {
      ...T0001Fields
      partners {
        id
        name
        score
        weight
        next {
          ...T0004Fields
          partners @include(if: $withPartners) {
            id
            name
            score
            weight
            next {
              id
              name
              label
              active
            }
          }
        }
      }
    }
    partners {
      id
      createdAt
      score
      active
    }
  }
  t0025(id: $other) {
    id
    name
    weight
    next {
      ...T0026Fields
      next {
        id
        name
        score
        partners {
          id
          name
          createdAt
          score
          active
        }
      }
    }
  }
}

fragment T0000Fields on T0000 {
  id
  name
  createdAt
  score
  label
  weight
  active
}

fragment T0001Fields on T0001 {
  id
  name
  label
  active
}

fragment T0004Fields on T0004 {
  id
  name
  createdAt
  label
  active
}

fragment T0026Fields on T0026 {
  id
  name
  score
  label
  weight
  active
}
"#;

/// What every benchmark shares: the supergraph file, the router's configuration, and what start-up derived from
/// them, plus a runtime for the planner's blocking tasks.
struct Fixture {
    /// Holds the supergraph file for the fixture's lifetime.
    _dir: tempfile::TempDir,
    path: PathBuf,
    config: RouterConfig,
    stages: Stages,
}

impl Fixture {
    fn new() -> Self {
        let sdl = SHAPE.sdl();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("supergraph.graphql");
        std::fs::write(&path, &sdl).expect("the supergraph file is written");
        let config = RouterConfig::default();
        print_planner_breakdown(&sdl);

        // Start-up's two steps, each timed once: the supergraph loaded exactly as the router loads it, then the
        // pipeline over it. Both must succeed: the generated SDL is a supergraph the router serves.
        let supergraph = timed(
            "Supergraph::load (read + parse + checks + planner + API schema)",
            || Supergraph::load(&path, &config.subgraphs.url_overrides()).expect("the generated supergraph loads"),
        );
        assert_eq!(supergraph.subgraphs().len(), SHAPE.subgraphs);
        print_api_size(&supergraph);
        let supergraph = Arc::new(supergraph);
        timed(
            "gateway::pipeline_for (operation schema, subgraph clients, indexes)",
            || gateway::pipeline_for(&config, Arc::clone(&supergraph)).expect("the router's pipeline builds"),
        );
        let schema = timed("OperationSchema::new (validation index of the API schema)", || {
            OperationSchema::new(Arc::clone(supergraph.api_schema().document())).expect("the API schema indexes")
        });
        let index = timed("SchemaIndex::from_supergraph (response shaping index)", || {
            SchemaIndex::from_supergraph(&supergraph.planner().supergraph)
        });
        let planner = QueryPlanner::new(supergraph, &config.planner);
        let policy = OperationPolicy::from_config(&config);
        Self {
            _dir: dir,
            path,
            config,
            stages: Stages::new(schema, policy, planner, index),
        }
    }
}

/// Runs `work` once and prints how long it took, as one line of the load breakdown.
fn timed<T>(label: &str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = work();
    println!("load breakdown (one run): {label}: {:.1?}", started.elapsed());
    value
}

/// Prints the SDL's size, then times the planner library's part of a load: parsing the SDL and building the
/// planner, for this supergraph and for smaller ones of the same kind, to show how planner construction grows.
fn print_planner_breakdown(sdl: &str) {
    let document = timed("SDL parse (safe_parse_schema)", || {
        safe_parse_schema(sdl).expect("the generated SDL parses")
    });
    let (types, objects, fields) = count_types(&document);
    println!(
        "sdl: {} subgraphs, {} entity types; {} bytes; {types} type definitions ({objects} object types), \
         {fields} fields",
        SHAPE.subgraphs,
        SHAPE.entities,
        sdl.len()
    );
    let smaller = [
        Shape::default(),
        Shape {
            subgraphs: SHAPE.subgraphs,
            entities: SHAPE.entities / 4,
        },
        Shape {
            subgraphs: SHAPE.subgraphs,
            entities: SHAPE.entities / 2,
        },
    ];
    for shape in smaller {
        let document = safe_parse_schema(&shape.sdl()).expect("the generated SDL parses");
        let started = Instant::now();
        black_box(Planner::new_from_supergraph(&document, QueryPlannerOptions::default()).expect("the planner builds"));
        println!(
            "planner construction at {} subgraphs, {} entity types: {:.1?}",
            shape.subgraphs,
            shape.entities,
            started.elapsed()
        );
    }
    let started = Instant::now();
    black_box(Planner::new_from_supergraph(&document, QueryPlannerOptions::default()).expect("the planner builds"));
    println!(
        "planner construction at {} subgraphs, {} entity types: {:.1?}",
        SHAPE.subgraphs,
        SHAPE.entities,
        started.elapsed()
    );
}

/// Prints the size of the API schema clients see.
fn print_api_size(supergraph: &Supergraph) {
    let api = supergraph.api_schema().sdl();
    let document = safe_parse_schema(api).expect("the printed API schema parses");
    let (types, objects, fields) = count_types(&document);
    println!(
        "api schema: {} bytes of SDL; {types} type definitions ({objects} object types), {fields} fields",
        api.len()
    );
}

/// Type definitions, object types among them, and the fields of objects, interfaces and input objects.
fn count_types(document: &Document) -> (usize, usize, usize) {
    let (mut types, mut objects, mut fields) = (0, 0, 0);
    for definition in &document.definitions {
        let Definition::TypeDefinition(definition) = definition else {
            continue;
        };
        types += 1;
        fields += match definition {
            TypeDefinition::Object(object) => {
                objects += 1;
                object.fields.len()
            }
            TypeDefinition::Interface(interface) => interface.fields.len(),
            TypeDefinition::InputObject(input) => input.fields.len(),
            TypeDefinition::Scalar(_) | TypeDefinition::Union(_) | TypeDefinition::Enum(_) => 0,
        };
    }
    (types, objects, fields)
}

fn load(c: &mut Criterion, fixture: &Fixture) {
    let mut group = c.benchmark_group("load");
    // Seconds per iteration: ten samples of one iteration each.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.bench_function("gateway::build_pipeline", |b| {
        b.iter_with_large_drop(|| gateway::build_pipeline(&fixture.config, black_box(&fixture.path)))
    });
    group.finish();
}

fn parse_validate(c: &mut Criterion, fixture: &Fixture) {
    let fixture = &fixture.stages;
    let mut group = c.benchmark_group("parse_validate");
    group.bench_function("scale", |b| {
        b.iter(|| prepare_document(&fixture.schema, black_box(OPERATION), None, &fixture.policy))
    });
    group.finish();
}

fn plan_cold(c: &mut Criterion, fixture: &Fixture) {
    let fixture = &fixture.stages;
    let operation = fixture.prepare(OPERATION);
    let planned = fixture.plan(&operation);
    let mut subgraphs = BTreeSet::new();
    let fetches = planned
        .plan()
        .root
        .as_ref()
        .map_or(0, |root| fixture::fetches(root, &mut subgraphs));
    println!(
        "plan_cold: the operation plans into {fetches} fetches to {} subgraphs",
        subgraphs.len()
    );
    let mut group = c.benchmark_group("plan_cold");
    group.sample_size(10);
    group.bench_function("scale", |b| {
        b.iter(|| {
            fixture
                .runtime
                .block_on(fixture.planner.plan(black_box(operation.document()), operation.name()))
        })
    });
    group.finish();
}

fn cache_warm_vs_cold(c: &mut Criterion, fixture: &Fixture) {
    let fixture = &fixture.stages;
    let entry = Arc::new(fixture.cold(OPERATION));
    let cache = warm_cache(OPERATION, Arc::clone(&entry), entry);

    let mut group = c.benchmark_group("operation_cache");
    group.sample_size(10);
    group.bench_function("warm: key + get", |b| {
        b.iter(|| cache.get(&OperationKey::new(black_box(OPERATION), None)))
    });
    group.bench_function("cold: prepare + plan + projection", |b| {
        b.iter(|| fixture.cold(black_box(OPERATION)))
    });
    group.finish();
}

fn scale(c: &mut Criterion) {
    let fixture = Fixture::new();
    load(c, &fixture);
    parse_validate(c, &fixture);
    plan_cold(c, &fixture);
    cache_warm_vs_cold(c, &fixture);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = scale
}
criterion_main!(benches);
