//! Planning of every arbitrary document the operation stage accepts, through the router's planner (under its
//! deadline and panic guard, on a current-thread runtime), then the response projection the pipeline builds
//! from the planned operation. A valid operation must plan (or time out) and project.

#![no_main]

use libfuzzer_sys::fuzz_target;
use router::plan::PlanError;
use router::response::Projection;
use router_fuzz::{document_and_name, fixture};

fuzz_target!(|data: &[u8]| {
    let Some((text, name)) = document_and_name(data) else {
        return;
    };
    let fixture = fixture();
    let Ok(operation) = fixture.prepare(text, name) else {
        return;
    };
    if operation.is_introspection_only() {
        return;
    }
    let planned = fixture
        .runtime
        .block_on(fixture.planner.plan(operation.document(), operation.name()));
    let planned = match planned {
        Ok(planned) => planned,
        Err(PlanError::Timeout { .. }) => return,
        Err(error) => panic!("a valid operation does not plan ({error:?}):\n{text}"),
    };
    if let Err(error) = Projection::build(&fixture.index, planned.operation()) {
        panic!("a planned operation does not project ({error}):\n{text}");
    }
});
