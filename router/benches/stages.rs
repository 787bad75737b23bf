//! The router's per-operation stages measured one by one over a synthetic supergraph of 5 subgraphs and 200
//! entity types: parse + validate, normalize + plan, the warm cache lookup against the cold path, and response
//! shaping of a 1,000-item result.
//!
//! Run with `cargo bench -p router --bench stages` (add `-- --quick` for a short run).

// The bench uses a handful of the router's dependencies; the others are the library's.
#![allow(unused_crate_dependencies)]

#[path = "stages/fixture.rs"]
mod fixture;
#[path = "stages/supergraph.rs"]
mod supergraph;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use fixture::{Stages, warm_cache};
use router::cache::OperationKey;
use router::http::CachedOperation;
use router::operation::{OperationPolicy, OperationSchema, prepare_document};
use router::plan::{PlanConfig, QueryPlanner};
use router::response::SchemaIndex;
use router::supergraph::Supergraph;
use serde_json::{Map, Value, json};

/// A client's nested operation: three levels of references, fields from every subgraph along the way, a fragment
/// and a guarded selection.
const NESTED: &str = r#"query Nested($id: ID!, $withPartners: Boolean = true) {
  t000(id: $id) {
    id
    name
    score
    weight
    next {
      id
      name
      label
      active
      next {
        ...Head
        partners @include(if: $withPartners) {
          id
          name
          score
          weight
        }
      }
    }
    partners {
      id
      createdAt
      next {
        name
        score
      }
    }
  }
}

fragment Head on T002 {
  id
  name
  score
  weight
}
"#;

/// A list of entities with nested references, for response shaping.
const LISTING: &str = r#"query Listing {
  t000List(first: 1000) {
    id
    name
    createdAt
    score
    label
    weight
    active
    next {
      id
      name
      score
      next {
        id
        label
        weight
      }
    }
    partners {
      id
      name
      active
    }
  }
}
"#;

/// How many items the shaped list holds.
const LIST_LEN: usize = 1_000;

/// The stages over the synthetic supergraph.
fn fixture() -> Stages {
    let sdl = supergraph::sdl();
    let supergraph = Arc::new(Supergraph::parse(&sdl).expect("the synthetic supergraph is valid"));
    let schema = OperationSchema::new(Arc::clone(supergraph.api_schema().document())).expect("the API schema indexes");
    let index = SchemaIndex::from_supergraph(&supergraph.planner().supergraph);
    let planner = QueryPlanner::new(supergraph, &PlanConfig::default());
    Stages::new(schema, OperationPolicy::default(), planner, index)
}

fn parse_validate(c: &mut Criterion, fixture: &Stages) {
    let mut group = c.benchmark_group("parse_validate");
    group.bench_function("nested", |b| {
        b.iter(|| prepare_document(&fixture.schema, black_box(NESTED), None, &fixture.policy))
    });
    group.finish();
}

fn plan_cold(c: &mut Criterion, fixture: &Stages) {
    let operation = fixture.prepare(NESTED);
    let planned = fixture.plan(&operation);
    let fetches = planned
        .plan()
        .root
        .as_ref()
        .map_or(0, |root| fixture::fetches(root, &mut BTreeSet::new()));
    println!("plan_cold: the nested operation plans into {fetches} fetches");
    let mut group = c.benchmark_group("plan_cold");
    // A millisecond per iteration: 50 samples fit the measurement time.
    group.sample_size(50);
    group.bench_function("nested", |b| {
        b.iter(|| {
            fixture
                .runtime
                .block_on(fixture.planner.plan(black_box(operation.document()), operation.name()))
        })
    });
    group.finish();
}

fn cache_warm_vs_cold(c: &mut Criterion, fixture: &Stages) {
    let cache = warm_cache(NESTED, Arc::new(fixture.cold(NESTED)), Arc::new(fixture.cold(LISTING)));

    let mut group = c.benchmark_group("operation_cache");
    // A millisecond per iteration: 50 samples fit the measurement time.
    group.sample_size(50);
    group.bench_function("warm: key + get", |b| {
        b.iter(|| cache.get(&OperationKey::new(black_box(NESTED), None)))
    });
    group.bench_function("cold: prepare + plan + projection", |b| {
        b.iter(|| fixture.cold(black_box(NESTED)))
    });
    group.finish();
}

fn response_shaping(c: &mut Criterion, fixture: &Stages) {
    let CachedOperation {
        prepared: Some((_, projection)),
        ..
    } = fixture.cold(LISTING)
    else {
        unreachable!("cold always plans")
    };
    let data = router::response::value::Value::from(listing_data());
    let variables = Map::new();
    let mut out = Vec::with_capacity(1 << 20);
    projection.write_response(&data, &[], Some(&variables), &mut out);
    let written = out.len();
    let shaped: Value = serde_json::from_slice(&out).expect("the response is JSON");
    assert!(
        shaped.get("errors").is_none(),
        "the data fits the projection: {}",
        shaped["errors"]
    );
    assert_eq!(shaped["data"]["t000List"].as_array().map(Vec::len), Some(LIST_LEN));
    println!("response_shaping: {LIST_LEN} items, {written} bytes of JSON");

    let mut group = c.benchmark_group("response_shaping");
    group.throughput(Throughput::Bytes(u64::try_from(written).unwrap_or(u64::MAX)));
    group.bench_function("list_1000 into a reused buffer", |b| {
        b.iter(|| {
            out.clear();
            projection.write_response(black_box(&data), &[], Some(&variables), &mut out);
            out.len()
        })
    });
    group.bench_function("list_1000 into a new buffer", |b| {
        b.iter_batched_ref(
            Vec::new,
            |fresh| projection.write_response(black_box(&data), &[], Some(&variables), fresh),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// The merged subgraph data for [`LISTING`], with the `__typename`s and keys the planner adds for entity fetches.
fn listing_data() -> Value {
    let items: Vec<Value> = (0..LIST_LEN)
        .map(|index| {
            json!({
                "__typename": "T000",
                "id": format!("t0-{index}"),
                "name": format!("entity {index}"),
                "createdAt": "2025-01-01T00:00:00Z",
                "score": index,
                "label": if index % 3 == 0 { Value::Null } else { json!(format!("label {index}")) },
                "weight": index as f64 * 0.5,
                "active": index % 2 == 0,
                "next": {
                    "__typename": "T001",
                    "id": format!("t1-{index}"),
                    "name": format!("next {index}"),
                    "score": index * 2,
                    "next": {
                        "__typename": "T002",
                        "id": format!("t2-{index}"),
                        "label": "deep",
                        "weight": 1.25,
                    },
                },
                "partners": [
                    { "__typename": "T002", "id": format!("p{index}-a"), "name": "partner a", "active": true },
                    { "__typename": "T002", "id": format!("p{index}-b"), "name": "partner b", "active": false },
                ],
            })
        })
        .collect();
    json!({ "t000List": items })
}

fn stages(c: &mut Criterion) {
    let fixture = fixture();
    parse_validate(c, &fixture);
    plan_cold(c, &fixture);
    cache_warm_vs_cold(c, &fixture);
    response_shaping(c, &fixture);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = stages
}
criterion_main!(benches);
