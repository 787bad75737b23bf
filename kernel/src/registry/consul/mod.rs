//! The Consul adapter, over the local agent's HTTP API with the workspace's HTTP client.
//!
//! Health is Consul's own: the agent polls each instance's HTTP check, `resolve` and `watch` list only instances
//! whose checks pass, and an instance that stays critical for `deregister_after_ms` is removed by Consul. An
//! instance registered without a health check counts as healthy until it is deregistered. Watches are blocking
//! queries on the health endpoint (`index` + `wait`, answered with `X-Consul-Index`).
//!
//! It speaks the API with the workspace's `reqwest` rather than `consulrs`, which would bring a second HTTP/TLS
//! stack (reqwest 0.11, hyper 0.14, OpenSSL) into the build for the four endpoints used here.

mod api;

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, Url};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::watch;

use super::ServiceRegistry;
use super::backoff::Backoff;
use super::config::ConsulConfig;
use super::error::RegistryError;
use super::instance::{ServiceInstance, validate_service_name};
use super::registration::{Deregister, Registration};
use super::watch::ServiceWatch;
use api::{HealthEntry, ServiceRegistration};

/// A registry backed by a Consul agent.
#[derive(Clone)]
pub struct ConsulRegistry {
    http: reqwest::Client,
    base: Url,
    token: Option<SecretString>,
    request_timeout: Duration,
    watch_wait: Duration,
}

impl ConsulRegistry {
    /// A client for the configured agent; makes no request yet.
    pub fn new(config: &ConsulConfig) -> Result<Self, RegistryError> {
        let base = Url::parse(&config.address)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && !url.cannot_be_a_base())
            .ok_or_else(|| {
                RegistryError::Config(format!(
                    "registry.consul.address: `{}` is not an http(s) URL",
                    config.address
                ))
            })?;
        if config.watch_wait_secs == 0 {
            return Err(RegistryError::Config(
                "registry.consul.watch_wait_secs must be at least 1".to_owned(),
            ));
        }
        Ok(Self {
            http: reqwest::Client::builder().build()?,
            base,
            token: config.token.clone(),
            request_timeout: Duration::from_millis(config.request_timeout_ms),
            watch_wait: Duration::from_secs(config.watch_wait_secs),
        })
    }

    /// A client for the configured agent, after checking that the agent answers.
    pub async fn connect(config: &ConsulConfig) -> Result<Self, RegistryError> {
        let registry = Self::new(config)?;
        registry
            .send(
                "reach the agent",
                registry.request(Method::GET, registry.url(&["v1", "status", "leader"])),
            )
            .await?;
        Ok(registry)
    }

    /// The agent URL of an API path, its segments percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        // Cannot fail: `new` accepts only URLs that can be a base.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let builder = self.http.request(method, url).timeout(self.request_timeout);
        match &self.token {
            Some(token) => builder.header("X-Consul-Token", token.expose_secret()),
            None => builder,
        }
    }

    async fn send(&self, operation: &'static str, request: RequestBuilder) -> Result<Response, RegistryError> {
        let response = request.send().await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let mut body = response.text().await.unwrap_or_default();
        body.truncate(body.floor_char_boundary(512));
        Err(RegistryError::ConsulStatus {
            operation,
            status: status.as_u16(),
            body,
        })
    }

    /// The passing instances of `service` and the index they were read at; with `index`, a blocking query that
    /// returns when the list changes after that index or when the wait runs out.
    async fn fetch(&self, service: &str, index: Option<u64>) -> Result<(Vec<ServiceInstance>, u64), RegistryError> {
        let mut url = self.url(&["v1", "health", "service", service]);
        url.query_pairs_mut().append_pair("passing", "true");
        if let Some(index) = index {
            url.query_pairs_mut()
                .append_pair("index", &index.to_string())
                .append_pair("wait", &format!("{}s", self.watch_wait.as_secs()));
        }
        let mut request = self.request(Method::GET, url);
        if index.is_some() {
            // Consul adds up to wait/16 of jitter before answering.
            request = request.timeout(self.request_timeout + self.watch_wait + self.watch_wait / 16);
        }
        let response = self.send("list healthy instances", request).await?;
        let new_index = response
            .headers()
            .get("X-Consul-Index")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
        let entries: Vec<HealthEntry> = response
            .json()
            .await
            .map_err(|e| RegistryError::Decode(e.to_string()))?;
        let mut instances: Vec<_> = entries.into_iter().map(HealthEntry::into_instance).collect();
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        Ok((instances, new_index))
    }

    /// Follows one service with blocking queries until the watch is dropped.
    async fn follow(self, service: String, mut index: u64, sender: watch::Sender<Vec<ServiceInstance>>) {
        let mut backoff = Backoff::new();
        while !sender.is_closed() {
            match self.fetch(&service, Some(index)).await {
                Ok((instances, new_index)) => {
                    backoff.reset();
                    // Consul's rules for blocking queries: start over when the index goes backwards, and never
                    // block on index 0 (it would return at once, forever).
                    index = if new_index < index { 0 } else { new_index.max(1) };
                    sender.send_if_modified(|current| {
                        let changed = *current != instances;
                        if changed {
                            *current = instances;
                        }
                        changed
                    });
                }
                Err(error) => {
                    tracing::warn!(%service, %error, "consul watch query failed; retrying");
                    tokio::time::sleep(backoff.advance()).await;
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl ServiceRegistry for ConsulRegistry {
    async fn register(&self, instance: ServiceInstance) -> Result<Registration, RegistryError> {
        instance.validate()?;
        let body = ServiceRegistration::from_instance(&instance)?;
        let url = self.url(&["v1", "agent", "service", "register"]);
        self.send("register", self.request(Method::PUT, url).json(&body))
            .await?;
        let handle = ConsulRegistration {
            registry: self.clone(),
            id: instance.id.clone(),
        };
        Ok(Registration::new(instance, Box::new(handle)))
    }

    async fn resolve(&self, service: &str) -> Result<Vec<ServiceInstance>, RegistryError> {
        validate_service_name(service)?;
        Ok(self.fetch(service, None).await?.0)
    }

    async fn watch(&self, service: &str) -> Result<ServiceWatch, RegistryError> {
        validate_service_name(service)?;
        let (instances, index) = self.fetch(service, None).await?;
        let (sender, receiver) = watch::channel(instances);
        let task = tokio::spawn(self.clone().follow(service.to_owned(), index.max(1), sender));
        Ok(ServiceWatch::new(service.to_owned(), receiver, Some(task)))
    }
}

/// A registration with the agent; dropping it leaves the instance to Consul's health check.
struct ConsulRegistration {
    registry: ConsulRegistry,
    id: String,
}

#[async_trait::async_trait]
impl Deregister for ConsulRegistration {
    async fn deregister(self: Box<Self>) -> Result<(), RegistryError> {
        let url = self.registry.url(&["v1", "agent", "service", "deregister", &self.id]);
        let request = self.registry.request(Method::PUT, url);
        self.registry.send("deregister", request).await?;
        Ok(())
    }
}
