//! GraphQL over HTTP to the router, as a frontend calls it, with every answer sorted into data or one error code:
//! the first error's `extensions.code`, or the harness's own code for what never got a GraphQL answer.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The code of an error without `extensions.code`.
pub const NO_CODE: &str = "NO_CODE";
/// The request got no answer within the client's timeout.
pub const CLIENT_TIMEOUT: &str = "CLIENT_TIMEOUT";
/// The connection failed or broke.
pub const TRANSPORT_ERROR: &str = "TRANSPORT_ERROR";

/// What one request answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `data`, without errors.
    Data(Value),
    /// An error code: the first GraphQL error's `extensions.code`, `HTTP_<status>` for a body that is not a
    /// GraphQL response, or one of this module's codes.
    Error(String),
}

/// A pooled client for the router's GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct GraphqlClient {
    http: reqwest::Client,
    url: String,
    timeout: Duration,
}

impl GraphqlClient {
    /// A client for `url` whose requests give up after `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(1024)
            .build()
            // Only a TLS backend that fails to initialise makes the builder fail; the default client then
            // differs in its pool size alone, and every request sets the timeout itself.
            .unwrap_or_default();
        Self {
            http,
            url: url.to_owned(),
            timeout,
        }
    }

    /// Sends operation `name` (`query` with `variables`) as the bearer of `token`; returns the answer and how
    /// long it took.
    pub async fn send(&self, token: Option<&str>, name: &str, query: &str, variables: Value) -> (Answer, Duration) {
        let started = Instant::now();
        let mut request = self
            .http
            .post(&self.url)
            .timeout(self.timeout)
            .json(&json!({ "query": query, "operationName": name, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status();
                match response.json::<Value>().await {
                    Ok(body) => classify(body, status.as_u16()),
                    Err(error) if error.is_timeout() => Answer::Error(CLIENT_TIMEOUT.to_owned()),
                    Err(_) => Answer::Error(format!("HTTP_{}", status.as_u16())),
                }
            }
            Err(error) if error.is_timeout() => Answer::Error(CLIENT_TIMEOUT.to_owned()),
            Err(_) => Answer::Error(TRANSPORT_ERROR.to_owned()),
        };
        (answer, started.elapsed())
    }
}

/// Sorts a GraphQL response body: any error makes the answer that error's code, even with partial data, since
/// the harness only counts what fully succeeded.
fn classify(mut body: Value, status: u16) -> Answer {
    if let Some(error) = body.get("errors").and_then(|errors| errors.get(0)) {
        let code = error["extensions"]["code"].as_str().unwrap_or(NO_CODE);
        return Answer::Error(code.to_owned());
    }
    match body.get_mut("data") {
        Some(data) if !data.is_null() => Answer::Data(data.take()),
        _ => Answer::Error(format!("HTTP_{status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_errors_code_wins_over_partial_data() {
        let body = json!({
            "data": { "post": null },
            "errors": [{ "message": "no", "extensions": { "code": "FORBIDDEN" } }, { "message": "x" }]
        });
        assert_eq!(classify(body, 200), Answer::Error("FORBIDDEN".to_owned()));
        let body = json!({ "errors": [{ "message": "uncoded" }] });
        assert_eq!(classify(body, 200), Answer::Error(NO_CODE.to_owned()));
    }

    #[test]
    fn data_alone_is_a_success_and_a_body_without_data_is_named_by_its_status() {
        assert_eq!(
            classify(json!({ "data": { "me": { "id": "1" } } }), 200),
            Answer::Data(json!({ "me": { "id": "1" } }))
        );
        assert_eq!(
            classify(json!({ "status": "down" }), 503),
            Answer::Error("HTTP_503".to_owned())
        );
    }
}
