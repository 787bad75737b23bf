//! The HTTP edge's browser-facing sections: CORS, CSRF prevention and the request id.

use serde::Deserialize;

/// Cross-origin requests from browsers. With no allowed origins (the default) no CORS headers are sent, so
/// browsers refuse every cross-origin call; same-origin pages (GraphiQL served by the router) keep working.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    /// Exact origins allowed (`https://app.example.com`), or `["*"]` for any origin (not with credentials).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Whether browsers may send cookies and read the response of credentialed requests.
    #[serde(default)]
    pub allow_credentials: bool,
    /// Request headers a page may send, beyond the CORS-safelisted ones.
    #[serde(default = "default_allowed_headers")]
    pub allowed_headers: Vec<String>,
    /// Response headers a page may read, beyond the CORS-safelisted ones.
    #[serde(default = "default_exposed_headers")]
    pub exposed_headers: Vec<String>,
    /// How long a browser may cache a preflight answer.
    #[serde(default = "default_max_age_secs")]
    pub max_age_secs: u64,
}

fn default_allowed_headers() -> Vec<String> {
    [
        "content-type",
        "authorization",
        "x-request-id",
        "apollo-require-preflight",
        "x-platform-preflight",
        "traceparent",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn default_exposed_headers() -> Vec<String> {
    ["x-request-id", "retry-after"].map(str::to_owned).to_vec()
}

fn default_max_age_secs() -> u64 {
    600
}

impl Default for CorsConfig {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            allow_credentials: false,
            allowed_headers: default_allowed_headers(),
            exposed_headers: default_exposed_headers(),
            max_age_secs: default_max_age_secs(),
        }
    }
}

/// Cross-site request forgery prevention. A browser sends some requests cross-site without asking the server
/// first (no CORS preflight): GETs and POSTs with a "simple" content type. POSTs must be `application/json`
/// anyway, which always needs a preflight; an operation sent with GET runs only when it carries one of
/// `required_headers` (which a page can set only after a preflight the CORS rules allow).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsrfConfig {
    /// When `false`, GET operations run without a preflight header (only for deployments with no cookie auth
    /// and no browser clients).
    #[serde(default = "default_csrf_enabled")]
    pub enabled: bool,
    /// Any one of these headers, with any value, marks a GET operation as preflighted.
    #[serde(default = "default_required_headers")]
    pub required_headers: Vec<String>,
}

fn default_csrf_enabled() -> bool {
    true
}

fn default_required_headers() -> Vec<String> {
    [
        "x-platform-preflight",
        "apollo-require-preflight",
        "x-apollo-operation-name",
    ]
    .map(str::to_owned)
    .to_vec()
}

impl Default for CsrfConfig {
    fn default() -> Self {
        Self {
            enabled: default_csrf_enabled(),
            required_headers: default_required_headers(),
        }
    }
}
