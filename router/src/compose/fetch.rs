//! Fetching a subgraph's SDL live, through the federation `_service { sdl }` field every subgraph serves.

use std::time::Duration;

use serde::Deserialize;

/// How long one SDL fetch may take before it fails.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a subgraph's SDL could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The request failed or the answer was not JSON of the expected shape.
    #[error("subgraph {subgraph}: fetching _service {{ sdl }} from {url}: {reason}")]
    Request {
        /// The subgraph's name.
        subgraph: String,
        /// The URL asked.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
struct Response {
    data: Option<Data>,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "_service")]
    service: Service,
}

#[derive(Deserialize)]
struct Service {
    sdl: String,
}

/// Asks the subgraph `name` at `url` for its SDL.
pub async fn fetch_sdl(name: &str, url: &str) -> Result<String, FetchError> {
    let failed = |reason: String| FetchError::Request {
        subgraph: name.to_owned(),
        url: url.to_owned(),
        reason,
    };
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .build()
        .map_err(|error| failed(error.to_string()))?;
    let response = client
        .post(url)
        .json(&serde_json::json!({ "query": "query SubgraphSdl { _service { sdl } }" }))
        .send()
        .await
        .map_err(|error| failed(error.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("HTTP {status}")));
    }
    let body: Response = response.json().await.map_err(|error| failed(error.to_string()))?;
    match body.data {
        Some(data) if body.errors.is_empty() => Ok(data.service.sdl),
        _ => Err(failed(format!(
            "GraphQL errors: {}",
            serde_json::Value::Array(body.errors)
        ))),
    }
}
