//! Cross-site request forgery prevention: an operation sent with GET runs only when it carries a header that a
//! browser sends cross-site only after a CORS preflight the router allowed.
//!
//! A browser sends a "simple" request (GET, or POST with a form or text body) to any site without asking first,
//! with the user's cookies. POST operations must be `application/json`, which is never simple, so only GET needs
//! the check; a page that may call the router (by the `[cors]` rules) sets one of the required headers.

use http::{HeaderMap, HeaderName};

use super::error::HttpError;
use crate::config::CsrfConfig;

/// The configured check; `None` inside when CSRF prevention is off.
#[derive(Debug, Clone)]
pub struct CsrfGuard {
    required: Option<Vec<HeaderName>>,
}

impl Default for CsrfGuard {
    /// Prevention on, with the default headers.
    fn default() -> Self {
        let required = CsrfConfig::default()
            .required_headers
            .iter()
            .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok())
            .collect();
        Self {
            required: Some(required),
        }
    }
}

/// A configured header name that is not a valid HTTP header name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("csrf.required_headers: `{0}` is not a valid header name")]
pub struct CsrfConfigError(pub String);

impl CsrfGuard {
    /// The check `config` describes.
    pub fn from_config(config: &CsrfConfig) -> Result<Self, CsrfConfigError> {
        if !config.enabled {
            return Ok(Self { required: None });
        }
        let required = config
            .required_headers
            .iter()
            .map(|name| HeaderName::from_bytes(name.as_bytes()).map_err(|_| CsrfConfigError(name.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            required: Some(required),
        })
    }

    /// Refuses a GET operation that a browser could have sent cross-site without a preflight.
    pub fn check_get(&self, headers: &HeaderMap) -> Result<(), HttpError> {
        let Some(required) = &self.required else {
            return Ok(());
        };
        if required.iter().any(|name| headers.contains_key(name)) {
            return Ok(());
        }
        Err(HttpError::CsrfPrevented(
            required.iter().map(HeaderName::as_str).collect::<Vec<_>>().join(", "),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_without_a_preflight_header_is_refused_and_one_with_it_passes() {
        let guard = CsrfGuard::from_config(&CsrfConfig::default()).unwrap();
        let refused = guard.check_get(&HeaderMap::new()).unwrap_err();
        assert!(refused.to_string().contains("x-platform-preflight"), "{refused}");
        let mut headers = HeaderMap::new();
        headers.insert("apollo-require-preflight", "true".parse().unwrap());
        assert!(guard.check_get(&headers).is_ok());
    }

    #[test]
    fn disabled_prevention_lets_every_get_through() {
        let config = CsrfConfig {
            enabled: false,
            ..CsrfConfig::default()
        };
        assert!(
            CsrfGuard::from_config(&config)
                .unwrap()
                .check_get(&HeaderMap::new())
                .is_ok()
        );
    }

    #[test]
    fn an_invalid_header_name_is_a_config_error() {
        let config = CsrfConfig {
            required_headers: vec!["bad header".to_owned()],
            ..CsrfConfig::default()
        };
        assert_eq!(
            CsrfGuard::from_config(&config).unwrap_err(),
            CsrfConfigError("bad header".to_owned())
        );
    }
}
