//! The JSON body of a subgraph request, written in one pass: the operation, and only the variables the fetch
//! uses, with representation lists spliced in as already-serialized JSON.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::response::json;

/// What one subgraph request carries.
pub(crate) struct RequestBody<'a> {
    pub(crate) operation: &'a str,
    pub(crate) operation_name: Option<&'a str>,
    /// The client's variables.
    pub(crate) variables: Option<&'a Map<String, Value>>,
    /// The names of the client's variables this fetch forwards.
    pub(crate) variable_usages: &'a [Arc<str>],
    /// Representation variables: name and the JSON array text.
    pub(crate) representations: &'a [(&'a str, &'a [u8])],
}

impl RequestBody<'_> {
    /// Serializes the body.
    pub(crate) fn write(&self) -> Vec<u8> {
        let representations_len: usize = self
            .representations
            .iter()
            .map(|(name, list)| name.len() + list.len() + 4)
            .sum();
        let mut out = Vec::with_capacity(self.operation.len() + representations_len + 64);
        out.extend_from_slice(b"{\"query\":");
        json::write_str(&mut out, self.operation);
        if let Some(name) = self.operation_name {
            out.extend_from_slice(b",\"operationName\":");
            json::write_str(&mut out, name);
        }
        let mut first = true;
        let mut open = |out: &mut Vec<u8>| {
            if first {
                out.extend_from_slice(b",\"variables\":{");
                first = false;
            } else {
                out.push(b',');
            }
        };
        for (name, list) in self.representations {
            open(&mut out);
            json::write_key(&mut out, name);
            out.extend_from_slice(list);
        }
        if let Some(variables) = self.variables {
            for name in self.variable_usages {
                // An absent variable is left out so the subgraph applies its own default.
                if let Some(value) = variables.get(&**name) {
                    open(&mut out);
                    json::write_key(&mut out, name);
                    json::write_value(&mut out, value);
                }
            }
        }
        if !first {
            out.push(b'}');
        }
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_used_variables_are_sent_next_to_the_representations() {
        let variables: Map<String, Value> =
            serde_json::from_value(json!({"a": 1, "b": "x\"", "unused": true})).expect("an object");
        let usages: Vec<Arc<str>> = vec!["a".into(), "b".into(), "missing".into()];
        let body = RequestBody {
            operation: "query($representations:[_Any!]!){_entities(representations:$representations){...on U{n}}}",
            operation_name: Some("Op"),
            variables: Some(&variables),
            variable_usages: &usages,
            representations: &[("representations", br#"[{"__typename":"U","id":"1"}]"#)],
        }
        .write();
        let parsed: Value = serde_json::from_slice(&body).expect("valid JSON");
        assert_eq!(parsed["operationName"], "Op");
        assert_eq!(
            parsed["variables"],
            json!({"representations": [{"__typename": "U", "id": "1"}], "a": 1, "b": "x\""})
        );
    }

    #[test]
    fn a_fetch_without_variables_sends_none() {
        let body = RequestBody {
            operation: "{me{id}}",
            operation_name: None,
            variables: None,
            variable_usages: &[],
            representations: &[],
        }
        .write();
        assert_eq!(body, br#"{"query":"{me{id}}"}"#);
    }
}
