//! Parse, limits and validation of an arbitrary document against the supergraph's API schema, then what the
//! pipeline does with the result: the GET check, variable coercion (no variables sent), introspection answers,
//! and the error responses of a refusal.

#![no_main]

use libfuzzer_sys::fuzz_target;
use router::http::{GraphQLResponse, ResponseFormat};
use router::operation::{coerce_variables, introspection};
use router_fuzz::{document_and_name, fixture};

fuzz_target!(|data: &[u8]| {
    let Some((text, name)) = document_and_name(data) else {
        return;
    };
    let fixture = fixture();
    match fixture.prepare(text, name) {
        Ok(operation) => {
            let _ = operation.ensure_allowed_over_get();
            let Ok(variables) = coerce_variables(&fixture.schema, &operation, None) else {
                return;
            };
            if operation.is_introspection_only() {
                let body = introspection::response_body(&fixture.schema, &operation, &variables);
                if let Err(error) = serde_json::from_str::<serde_json::Value>(&body) {
                    panic!("the introspection response is not JSON ({error}): {body}");
                }
            }
        }
        Err(error) => {
            for format in [ResponseFormat::GraphQLResponseJson, ResponseFormat::Json] {
                let response = GraphQLResponse::request_error(&error, format);
                if let Err(json_error) = serde_json::from_slice::<serde_json::Value>(&response.body) {
                    panic!("the error response is not JSON ({json_error}): {:?}", response.body);
                }
            }
        }
    }
});
