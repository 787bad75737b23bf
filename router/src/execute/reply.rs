//! Reading a subgraph's reply: transport failures, HTTP statuses and malformed bodies become one error naming
//! the subgraph; a well-formed GraphQL response yields its data and its errors, each carrying a code and the
//! subgraph's name.

use std::borrow::Cow;
use std::sync::Arc;

use kernel::error_code::ErrorCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::client::{SubgraphReply, TransportFailure};
use crate::response::{GraphQLError, PathElement, value};

/// A subgraph's GraphQL response.
#[derive(Debug, Default)]
pub(crate) struct SubgraphResponse {
    /// `data`, when it is an object.
    pub(crate) data: Option<value::Map>,
    /// `errors`, each as the subgraph sent it.
    pub(crate) errors: Vec<Value>,
}

#[derive(Deserialize)]
struct RawResponse {
    #[serde(default)]
    data: Option<value::Value>,
    #[serde(default)]
    errors: Option<Value>,
}

/// One error naming `subgraph`, for a fetch that produced nothing usable.
pub(crate) fn fetch_failed(subgraph: &Arc<str>, reason: &str, code: ErrorCode) -> GraphQLError {
    GraphQLError::new(format!("Request to subgraph \"{subgraph}\" failed: {reason}."), code)
        .with_service(Arc::clone(subgraph))
}

/// Interprets what came back from `subgraph`.
// The error is the cold path of one fetch and is moved once into the response; boxing it would cost an
// allocation for nothing (it is larger than clippy's threshold only because JSON maps keep insertion order).
#[allow(clippy::result_large_err)]
pub(crate) fn read_reply(
    subgraph: &Arc<str>,
    reply: Result<SubgraphReply, TransportFailure>,
) -> Result<SubgraphResponse, GraphQLError> {
    let reply = match reply {
        Ok(reply) => reply,
        Err(failure) => {
            tracing::warn!(subgraph = %subgraph, error = ?failure, "subgraph request failed");
            let code = match failure {
                TransportFailure::Timeout(_) => ErrorCode::SubgraphTimeout,
                TransportFailure::Connect(_)
                | TransportFailure::Exchange(_)
                | TransportFailure::CircuitOpen
                | TransportFailure::NoInstance => ErrorCode::SubgraphRequestFailed,
            };
            return Err(fetch_failed(subgraph, &failure.to_string(), code));
        }
    };
    if !reply.status.is_success() {
        tracing::warn!(subgraph = %subgraph, status = %reply.status, "subgraph answered with an error status");
        let reason = format!("HTTP status {}", reply.status);
        return Err(fetch_failed(subgraph, &reason, ErrorCode::SubgraphRequestFailed));
    }
    let malformed = |problem: &str| {
        tracing::warn!(subgraph = %subgraph, problem, "subgraph sent a malformed response");
        fetch_failed(subgraph, problem, ErrorCode::SubgraphRequestFailed)
    };
    let raw: RawResponse =
        serde_json::from_slice(&reply.body).map_err(|_| malformed("the response is not a JSON object"))?;
    let errors = match raw.errors {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(errors)) => errors,
        Some(_) => return Err(malformed("the response's `errors` is not a list")),
    };
    let data = match raw.data {
        None | Some(value::Value::Null) => None,
        Some(value::Value::Object(data)) => Some(data),
        Some(_) => return Err(malformed("the response's `data` is not an object")),
    };
    if data.is_none() && errors.is_empty() {
        return Err(malformed("the response has neither `data` nor `errors`"));
    }
    Ok(SubgraphResponse { data, errors })
}

/// Turns one of `subgraph`'s errors into a client error without a path, and returns the path it gave.
pub(crate) fn subgraph_error(raw: Value, subgraph: &Arc<str>) -> (GraphQLError, Option<Vec<Value>>) {
    let Value::Object(mut raw) = raw else {
        let error = fetch_failed(
            subgraph,
            "it sent an error that is not an object",
            ErrorCode::SubgraphRequestFailed,
        );
        return (error, None);
    };
    let message = match raw.remove("message") {
        Some(Value::String(message)) => message,
        _ => format!("Subgraph \"{subgraph}\" reported an error without a message."),
    };
    let path = match raw.remove("path") {
        Some(Value::Array(path)) => Some(path),
        _ => None,
    };
    let mut extensions = match raw.remove("extensions") {
        Some(Value::Object(extensions)) => extensions,
        _ => Map::new(),
    };
    let code = match extensions.remove("code") {
        Some(Value::String(code)) => Cow::Owned(code),
        _ => Cow::Borrowed(ErrorCode::SubgraphRequestFailed.as_str()),
    };
    extensions.remove("serviceName");
    let error = GraphQLError {
        message,
        path: None,
        code,
        service_name: Some(Arc::clone(subgraph)),
        extensions,
    };
    (error, path)
}

/// A subgraph's error path in our terms; `None` when it holds anything but keys and indexes.
pub(crate) fn convert_path(raw: &[Value]) -> Option<Vec<PathElement>> {
    raw.iter()
        .map(|element| match element {
            Value::String(key) => Some(PathElement::Key(Arc::from(key.as_str()))),
            Value::Number(index) => index
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .map(PathElement::Index),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use serde_json::json;
    use std::time::Duration;

    fn reply(status: StatusCode, body: &'static str) -> Result<SubgraphReply, TransportFailure> {
        Ok(SubgraphReply {
            status,
            body: body.as_bytes().to_vec().into(),
        })
    }

    fn failure(result: Result<SubgraphResponse, GraphQLError>) -> GraphQLError {
        result.expect_err("the reply is refused")
    }

    #[test]
    fn bodies_that_are_not_graphql_responses_fail_the_fetch() {
        let name: Arc<str> = "a".into();
        for body in [
            "<html>",
            "[1]",
            r#"{"data": 5}"#,
            r#"{"errors": {}}"#,
            "{}",
            r#"{"data":{"a":1"#,
        ] {
            let error = failure(read_reply(&name, reply(StatusCode::OK, body)));
            assert_eq!(error.code, "SUBGRAPH_REQUEST_FAILED", "{body}");
            assert_eq!(error.service_name.as_deref(), Some("a"));
        }
    }

    #[test]
    fn an_error_status_and_a_timeout_have_their_codes() {
        let name: Arc<str> = "a".into();
        let error = failure(read_reply(&name, reply(StatusCode::BAD_GATEWAY, r#"{"data":{}}"#)));
        assert!(error.message.contains("502"), "{}", error.message);
        let timeout = failure(read_reply(
            &name,
            Err(TransportFailure::Timeout(Duration::from_millis(5))),
        ));
        assert_eq!(timeout.code, "SUBGRAPH_TIMEOUT");
    }

    #[test]
    fn subgraph_errors_keep_their_code_and_extensions_and_get_the_service_name() {
        let name: Arc<str> = "a".into();
        let raw = json!({
            "message": "nope", "path": ["me", 0], "locations": [{"line": 1, "column": 2}],
            "extensions": {"code": "FORBIDDEN", "serviceName": "spoofed", "reason": "x"}
        });
        let (error, path) = subgraph_error(raw, &name);
        assert_eq!(error.code, "FORBIDDEN");
        assert_eq!(error.service_name.as_deref(), Some("a"));
        assert_eq!(
            error.extensions,
            json!({"reason": "x"}).as_object().cloned().unwrap_or_default()
        );
        assert_eq!(
            convert_path(&path.unwrap_or_default()),
            Some(vec![PathElement::Key("me".into()), PathElement::Index(0)])
        );

        let (plain, _) = subgraph_error(json!({"message": "m"}), &name);
        assert_eq!(plain.code, "SUBGRAPH_REQUEST_FAILED");
        let (odd, _) = subgraph_error(json!(17), &name);
        assert_eq!(odd.code, "SUBGRAPH_REQUEST_FAILED");
    }
}
