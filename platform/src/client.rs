//! A small GraphQL client for the router's public endpoint, as any frontend would call it.

use serde_json::{Value, json};

/// What a GraphQL request answered: its data, or the first error's code and message.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The request succeeded; `data`.
    Data(Value),
    /// The request failed with `extensions.code` (empty when absent) and `message`.
    Error {
        /// The error code clients branch on, e.g. `CONFLICT`.
        code: String,
        /// The message for people.
        message: String,
    },
}

/// Posts GraphQL requests to one endpoint.
#[derive(Debug, Clone)]
pub struct GraphqlClient {
    http: reqwest::Client,
    url: String,
}

impl GraphqlClient {
    /// A client for the GraphQL endpoint at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.into(),
        }
    }

    /// Sends `query` with `variables`, as the bearer of `token` when given.
    pub async fn request(&self, token: Option<&str>, query: &str, variables: Value) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let body: Value = request.send().await?.json().await?;
        Ok(answer(body))
    }
}

fn answer(mut body: Value) -> Answer {
    match body.get("errors").and_then(|errors| errors.get(0)) {
        Some(error) => Answer::Error {
            code: error["extensions"]["code"].as_str().unwrap_or_default().to_owned(),
            message: error["message"].as_str().unwrap_or_default().to_owned(),
        },
        None => Answer::Data(body["data"].take()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_wins_over_partial_data() {
        let body =
            json!({ "data": { "a": null }, "errors": [{ "message": "no", "extensions": { "code": "FORBIDDEN" } }] });
        assert_eq!(
            answer(body),
            Answer::Error {
                code: "FORBIDDEN".to_owned(),
                message: "no".to_owned()
            }
        );
        assert_eq!(answer(json!({ "data": { "a": 1 } })), Answer::Data(json!({ "a": 1 })));
    }
}
