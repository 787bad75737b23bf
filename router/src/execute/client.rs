//! One pooled HTTP client per subgraph: keep-alive connections, HTTP/2 by ALPN (or prior knowledge when
//! configured), a whole-request deadline, and the GraphQL-over-HTTP content headers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};

use super::error::ExecuteError;

const ACCEPT_VALUE: &str = "application/graphql-response+json, application/json";

/// Connection settings for one subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportOptions {
    /// Speak HTTP/2 over cleartext without negotiating (`h2c`); TLS subgraphs negotiate HTTP/2 by ALPN anyway.
    pub http2_prior_knowledge: bool,
    /// The deadline for opening a connection (capped by the request deadline).
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// How many idle connections the pool keeps per host.
    pub pool_max_idle_per_host: usize,
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            http2_prior_knowledge: false,
            connect_timeout: Duration::from_secs(5),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 256,
        }
    }
}

/// Where and how to reach one subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphEndpoint {
    /// The subgraph's name, as query plans refer to it.
    pub name: Arc<str>,
    /// Its GraphQL endpoint.
    pub url: String,
    /// The whole-request deadline (connect, send, read the body).
    pub timeout: Duration,
    /// Connection settings.
    pub transport: TransportOptions,
}

impl SubgraphEndpoint {
    /// An endpoint with default connection settings.
    pub fn new(name: impl Into<Arc<str>>, url: impl Into<String>, timeout: Duration) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            timeout,
            transport: TransportOptions::default(),
        }
    }
}

/// What a subgraph answered at the HTTP level.
#[derive(Debug, Clone)]
pub struct SubgraphReply {
    /// The HTTP status.
    pub status: StatusCode,
    /// The whole body.
    pub body: Bytes,
}

/// Why no reply came back.
#[derive(Debug, thiserror::Error)]
pub enum TransportFailure {
    /// The deadline passed before the whole body arrived.
    #[error("no complete response within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// No connection could be opened.
    #[error("the connection could not be opened")]
    Connect(#[source] reqwest::Error),
    /// The connection failed or closed while sending or receiving.
    #[error("the connection failed before a complete response arrived")]
    Exchange(#[source] reqwest::Error),
}

/// A pooled client for one subgraph. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SubgraphClient {
    name: Arc<str>,
    url: reqwest::Url,
    timeout: Duration,
    http: reqwest::Client,
}

impl SubgraphClient {
    /// Builds the client for `endpoint`.
    pub fn new(endpoint: &SubgraphEndpoint) -> Result<Self, ExecuteError> {
        let url = reqwest::Url::parse(&endpoint.url).map_err(|_| ExecuteError::InvalidUrl {
            name: endpoint.name.to_string(),
            url: endpoint.url.clone(),
        })?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_VALUE));
        let options = &endpoint.transport;
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            // Subgraph traffic is internal: a proxy from the environment would only add a hop or leak it.
            .no_proxy()
            .tcp_nodelay(true)
            .connect_timeout(options.connect_timeout.min(endpoint.timeout))
            .pool_idle_timeout(options.pool_idle_timeout)
            .pool_max_idle_per_host(options.pool_max_idle_per_host);
        if options.http2_prior_knowledge {
            builder = builder.http2_prior_knowledge();
        }
        let http = builder.build().map_err(|source| ExecuteError::Client {
            name: endpoint.name.to_string(),
            source,
        })?;
        Ok(Self {
            name: endpoint.name.clone(),
            url,
            timeout: endpoint.timeout,
            http,
        })
    }

    /// The subgraph's name.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The request deadline.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// POSTs a JSON `body`, with `headers` added to the defaults, and reads the whole reply within the deadline.
    pub async fn send(&self, body: Vec<u8>, headers: Option<&HeaderMap>) -> Result<SubgraphReply, TransportFailure> {
        let mut request = self.http.post(self.url.clone()).body(body);
        if let Some(headers) = headers {
            for (name, value) in headers {
                request = request.header(name, value);
            }
        }
        let exchange = async {
            let response = request.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>(SubgraphReply { status, body })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_elapsed) => Err(TransportFailure::Timeout(self.timeout)),
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(error)) if error.is_connect() => Err(TransportFailure::Connect(error)),
            Ok(Err(error)) if error.is_timeout() => Err(TransportFailure::Timeout(self.timeout)),
            Ok(Err(error)) => Err(TransportFailure::Exchange(error)),
        }
    }
}

/// The clients of every subgraph, by name. Built once per supergraph (or configuration) and shared.
#[derive(Debug, Clone, Default)]
pub struct SubgraphClients {
    by_name: HashMap<Arc<str>, SubgraphClient>,
}

impl SubgraphClients {
    /// Builds one client per endpoint.
    pub fn new(endpoints: impl IntoIterator<Item = SubgraphEndpoint>) -> Result<Self, ExecuteError> {
        let mut by_name = HashMap::new();
        for endpoint in endpoints {
            let client = SubgraphClient::new(&endpoint)?;
            if by_name.insert(endpoint.name.clone(), client).is_some() {
                return Err(ExecuteError::DuplicateSubgraph {
                    name: endpoint.name.to_string(),
                });
            }
        }
        Ok(Self { by_name })
    }

    /// The client for the subgraph named `name`.
    pub fn get(&self, name: &str) -> Option<&SubgraphClient> {
        self.by_name.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_url_is_refused_with_the_subgraph_named() {
        let error = SubgraphClients::new([SubgraphEndpoint::new("a", "not a url", Duration::from_secs(1))])
            .expect_err("invalid URL");
        assert!(matches!(error, ExecuteError::InvalidUrl { ref name, .. } if name == "a"));
    }

    #[test]
    fn a_duplicate_name_is_refused() {
        let endpoint = SubgraphEndpoint::new("a", "http://127.0.0.1:1/graphql", Duration::from_secs(1));
        let error = SubgraphClients::new([endpoint.clone(), endpoint]).expect_err("duplicate");
        assert!(matches!(error, ExecuteError::DuplicateSubgraph { .. }));
    }
}
