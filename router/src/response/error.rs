//! The GraphQL error a client sees: message, path into its response, and `extensions` with a code.

use std::borrow::Cow;
use std::sync::Arc;

use kernel::error_code::ErrorCode;
use serde_json::{Map, Value};

use super::json;

/// One step of an error's `path`: a response key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// A response key (an alias or a field name).
    Key(Arc<str>),
    /// A position in a list.
    Index(usize),
}

/// A client-visible GraphQL error. `code` and `service_name` are written into `extensions` next to whatever
/// else a subgraph put there.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphQLError {
    /// What went wrong, for a person.
    pub message: String,
    /// Where in the client's response, when known.
    pub path: Option<Vec<PathElement>>,
    /// `extensions.code`: one of [`ErrorCode`]'s strings, or a subgraph's own code.
    pub code: Cow<'static, str>,
    /// `extensions.serviceName`: the subgraph the error came from, if any.
    pub service_name: Option<Arc<str>>,
    /// Further `extensions` entries (never `code` or `serviceName`).
    pub extensions: Map<String, Value>,
}

impl GraphQLError {
    /// An error with `message` and `code`, without a path or a subgraph.
    pub fn new(message: impl Into<String>, code: ErrorCode) -> Self {
        Self {
            message: message.into(),
            path: None,
            code: Cow::Borrowed(code.as_str()),
            service_name: None,
            extensions: Map::new(),
        }
    }

    /// The same error at `path`.
    pub fn with_path(mut self, path: Vec<PathElement>) -> Self {
        self.path = Some(path);
        self
    }

    /// The same error attributed to subgraph `name`.
    pub fn with_service(mut self, name: Arc<str>) -> Self {
        self.service_name = Some(name);
        self
    }

    /// Whether this error explains a null at `path`: it has no path (it covers a whole fetch), or its path is
    /// `path` or leads to it.
    pub(crate) fn covers(&self, path: &[PathElement]) -> bool {
        match &self.path {
            None => true,
            Some(own) => own.len() <= path.len() && own.iter().zip(path).all(|(a, b)| a == b),
        }
    }

    /// Appends this error as a JSON object.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"message\":");
        json::write_str(out, &self.message);
        if let Some(path) = &self.path {
            out.extend_from_slice(b",\"path\":[");
            for (index, element) in path.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                match element {
                    PathElement::Key(key) => json::write_str(out, key),
                    PathElement::Index(position) => json::write_display(out, position),
                }
            }
            out.push(b']');
        }
        out.extend_from_slice(b",\"extensions\":{\"code\":");
        json::write_str(out, &self.code);
        if let Some(service) = &self.service_name {
            out.extend_from_slice(b",\"serviceName\":");
            json::write_str(out, service);
        }
        for (key, value) in &self.extensions {
            if key == "code" || key == "serviceName" {
                continue;
            }
            out.push(b',');
            json::write_key(out, key);
            json::write_value(out, value);
        }
        out.extend_from_slice(b"}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_error_serializes_with_path_code_service_and_extra_extensions() {
        let mut error = GraphQLError::new("boom \"x\"", ErrorCode::SubgraphRequestFailed)
            .with_path(vec![PathElement::Key("users".into()), PathElement::Index(2)])
            .with_service("accounts".into());
        error.extensions.insert("retryable".into(), json!(false));
        error.extensions.insert("code".into(), json!("IGNORED"));
        let mut out = Vec::new();
        error.write_json(&mut out);
        let value: Value = serde_json::from_slice(&out).expect("valid JSON");
        assert_eq!(
            value,
            json!({
                "message": "boom \"x\"",
                "path": ["users", 2],
                "extensions": {"code": "SUBGRAPH_REQUEST_FAILED", "serviceName": "accounts", "retryable": false}
            })
        );
    }

    #[test]
    fn a_pathless_error_covers_every_path_and_a_path_covers_what_lies_below_it() {
        let pathless = GraphQLError::new("x", ErrorCode::SubgraphRequestFailed);
        let below = [PathElement::Key("a".into()), PathElement::Index(0)];
        assert!(pathless.covers(&below));
        let at_a = pathless.clone().with_path(vec![PathElement::Key("a".into())]);
        assert!(at_a.covers(&below));
        let at_b = at_a.clone().with_path(vec![PathElement::Key("b".into())]);
        assert!(!at_b.covers(&below));
    }
}
