//! Why a registry operation failed.

/// A service registry failure: a bad instance or config, or a backend that refused or could not be reached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The instance, service name or id cannot be registered as given.
    #[error("invalid service instance: {0}")]
    InvalidInstance(String),
    /// The registry section of the config is unusable; the message names the key.
    #[error("invalid registry config: {0}")]
    Config(String),
    /// The configured backend was left out of this build.
    #[error("the `{backend}` registry backend is not compiled in; rebuild the kernel with the `{feature}` feature")]
    BackendNotCompiled {
        /// The backend chosen in the config.
        backend: &'static str,
        /// The cargo feature that compiles it in.
        feature: &'static str,
    },
    /// The etcd client failed.
    #[cfg(feature = "etcd")]
    #[error("etcd request failed: {0}")]
    Etcd(#[from] etcd_client::Error),
    /// The HTTP request to Consul failed before a response arrived.
    #[error("consul request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// Consul answered with an error status.
    #[error("consul answered {status} to {operation}: {body}")]
    ConsulStatus {
        /// What was being done, e.g. `register`.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// An entry read from the backend could not be decoded.
    #[error("malformed registry entry: {0}")]
    Decode(String),
    /// A background task of the registry (lease keep-alive) panicked.
    #[error("registry background task failed: {0}")]
    Task(String),
    /// The watch stopped producing updates because its registry was dropped.
    #[error("the watch on service `{0}` has ended")]
    WatchClosed(String),
}
