//! Decoding the GraphQL parameters of a request: a JSON body for POST, the query string for GET.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::HttpError;

/// The parameters of one GraphQL request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphQLRequest {
    /// The document text.
    pub query: String,
    /// Which operation of the document to run.
    pub operation_name: Option<String>,
    /// Variable values, by name.
    pub variables: Option<Map<String, Value>>,
    /// Protocol extensions (e.g. persisted queries), passed through.
    pub extensions: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct JsonRequest {
    #[serde(default)]
    query: Option<String>,
    #[serde(default, rename = "operationName")]
    operation_name: Option<String>,
    #[serde(default)]
    variables: Option<Map<String, Value>>,
    #[serde(default)]
    extensions: Option<Map<String, Value>>,
}

/// The query-string parameters of a GET request; the structured ones are JSON text.
#[doc(hidden)]
#[derive(Debug, Default, Deserialize)]
pub struct QueryParams {
    pub(crate) query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

impl GraphQLRequest {
    /// Decodes a POST body.
    pub fn from_json(body: &[u8]) -> Result<Self, HttpError> {
        if body.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'[') {
            return Err(HttpError::InvalidRequest(
                "batched requests are not supported".to_owned(),
            ));
        }
        let decoded: JsonRequest = serde_json::from_slice(body).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => HttpError::InvalidRequest(error.to_string()),
            _ => HttpError::InvalidJson(error.to_string()),
        })?;
        Ok(Self {
            query: query_or_persisted(decoded.query, decoded.extensions.as_ref())?,
            operation_name: decoded.operation_name,
            variables: decoded.variables,
            extensions: decoded.extensions,
        })
    }

    /// Decodes GET parameters; an empty `operationName` counts as absent.
    #[doc(hidden)]
    pub fn from_query_params(params: QueryParams) -> Result<Self, HttpError> {
        let extensions = json_object_param("extensions", params.extensions)?;
        Ok(Self {
            query: query_or_persisted(params.query, extensions.as_ref())?,
            operation_name: params.operation_name.filter(|name| !name.is_empty()),
            variables: json_object_param("variables", params.variables)?,
            extensions,
        })
    }
}

/// The document text; a request naming a persisted query may leave it out (it is then empty until the
/// persisted-query stage fills it in), any other request must send it.
fn query_or_persisted(query: Option<String>, extensions: Option<&Map<String, Value>>) -> Result<String, HttpError> {
    match query {
        Some(query) => Ok(query),
        None if extensions.is_some_and(|extensions| extensions.contains_key(PERSISTED_QUERY)) => Ok(String::new()),
        None => Err(HttpError::MissingQuery),
    }
}

/// The `extensions` key of a persisted-query reference.
pub(crate) const PERSISTED_QUERY: &str = "persistedQuery";

/// Reads the query string of `uri`.
#[doc(hidden)]
pub fn query_params(uri: &http::Uri) -> Result<QueryParams, HttpError> {
    if uri.query().is_none() {
        return Ok(QueryParams::default());
    }
    axum::extract::Query::<QueryParams>::try_from_uri(uri)
        .map(|axum::extract::Query(params)| params)
        .map_err(|rejection| HttpError::InvalidRequest(rejection.body_text()))
}

fn json_object_param(name: &str, text: Option<String>) -> Result<Option<Map<String, Value>>, HttpError> {
    let Some(text) = text.filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    serde_json::from_str::<Option<Map<String, Value>>>(&text)
        .map_err(|_| HttpError::InvalidRequest(format!("`{name}` must be a JSON object")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn post_body_with_every_parameter_decodes() {
        let body = br#"{"query":"{ me { id } }","operationName":null,"variables":{"a":1},"extensions":{"x":true}}"#;
        let request = GraphQLRequest::from_json(body).expect("decodes");
        assert_eq!(request.query, "{ me { id } }");
        assert_eq!(request.operation_name, None);
        assert_eq!(request.variables, json!({"a": 1}).as_object().cloned());
        assert_eq!(request.extensions, json!({"x": true}).as_object().cloned());
    }

    #[test]
    fn malformed_bodies_are_told_apart() {
        assert!(matches!(
            GraphQLRequest::from_json(b"{\"query\":"),
            Err(HttpError::InvalidJson(_))
        ));
        assert!(matches!(
            GraphQLRequest::from_json(b"{\"query\":1}"),
            Err(HttpError::InvalidRequest(_))
        ));
        assert!(matches!(
            GraphQLRequest::from_json(br#"{"query":"{a}","variables":[1]}"#),
            Err(HttpError::InvalidRequest(_))
        ));
        assert_eq!(GraphQLRequest::from_json(b"{}"), Err(HttpError::MissingQuery));
        assert_eq!(
            GraphQLRequest::from_json(b"{\"query\":null}"),
            Err(HttpError::MissingQuery)
        );
        let batch = GraphQLRequest::from_json(b" [{\"query\":\"{a}\"}]").expect_err("no batching");
        assert!(batch.to_string().contains("batched"), "{batch}");
    }

    #[test]
    fn query_string_parameters_decode_with_json_variables() {
        let uri: http::Uri = "/graphql?query=%7B%20me%20%7D&operationName=&variables=%7B%22a%22%3A1%7D"
            .parse()
            .expect("uri");
        let request = GraphQLRequest::from_query_params(query_params(&uri).expect("params")).expect("decodes");
        assert_eq!(request.query, "{ me }");
        assert_eq!(request.operation_name, None);
        assert_eq!(request.variables, json!({"a": 1}).as_object().cloned());
        let uri: http::Uri = "/graphql?query=%7Bme%7D&variables=5".parse().expect("uri");
        let error = GraphQLRequest::from_query_params(query_params(&uri).expect("params")).expect_err("not an object");
        assert!(error.to_string().contains("variables"), "{error}");
    }
}
