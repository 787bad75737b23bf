//! CORS for browser clients, from the `[cors]` section, by `tower-http`'s layer.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::CorsConfig;

/// Why the `[cors]` section cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorsConfigError {
    /// An origin is not a valid header value or not `scheme://host[:port]`.
    #[error("cors.allowed_origins: `{0}` is not an origin like `https://app.example.com`")]
    Origin(String),
    /// `*` together with credentials would let any site act with a user's cookies.
    #[error("cors.allowed_origins = [\"*\"] cannot be combined with cors.allow_credentials = true")]
    WildcardWithCredentials,
    /// A header name is not a valid HTTP header name.
    #[error("cors.{list}: `{name}` is not a valid header name")]
    Header {
        /// `allowed_headers` or `exposed_headers`.
        list: &'static str,
        /// The name as configured.
        name: String,
    },
}

/// The layer for `config`, or `None` when no origin is allowed (browsers then refuse cross-origin calls).
pub fn layer(config: &CorsConfig) -> Result<Option<CorsLayer>, CorsConfigError> {
    if config.allowed_origins.is_empty() {
        return Ok(None);
    }
    let wildcard = config.allowed_origins.iter().any(|origin| origin == "*");
    if wildcard && config.allow_credentials {
        return Err(CorsConfigError::WildcardWithCredentials);
    }
    let allow_origin = if wildcard {
        AllowOrigin::any()
    } else {
        let origins = config
            .allowed_origins
            .iter()
            .map(|origin| parse_origin(origin))
            .collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(origins)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(header_names("allowed_headers", &config.allowed_headers)?)
            .expose_headers(header_names("exposed_headers", &config.exposed_headers)?)
            .allow_credentials(config.allow_credentials)
            .max_age(Duration::from_secs(config.max_age_secs)),
    ))
}

/// An origin is `scheme://host[:port]` with nothing after it; browsers compare it byte for byte.
fn parse_origin(origin: &str) -> Result<HeaderValue, CorsConfigError> {
    let invalid = || CorsConfigError::Origin(origin.to_owned());
    let (scheme, rest) = origin.split_once("://").ok_or_else(invalid)?;
    let well_formed = matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', ' ', '*'])
        && origin.is_ascii();
    if !well_formed {
        return Err(invalid());
    }
    HeaderValue::from_str(origin).map_err(|_| invalid())
}

fn header_names(list: &'static str, names: &[String]) -> Result<Vec<HeaderName>, CorsConfigError> {
    names
        .iter()
        .map(|name| {
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| CorsConfigError::Header {
                list,
                name: name.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(origins: &[&str], credentials: bool) -> CorsConfig {
        CorsConfig {
            allowed_origins: origins.iter().map(|origin| (*origin).to_owned()).collect(),
            allow_credentials: credentials,
            ..CorsConfig::default()
        }
    }

    #[test]
    fn no_origins_means_no_layer() {
        assert!(layer(&CorsConfig::default()).unwrap().is_none());
    }

    #[test]
    fn exact_origins_and_a_lone_wildcard_are_accepted() {
        assert!(
            layer(&config(&["https://app.example.com", "http://localhost:5173"], true))
                .unwrap()
                .is_some()
        );
        assert!(layer(&config(&["*"], false)).unwrap().is_some());
    }

    #[test]
    fn a_wildcard_with_credentials_is_refused() {
        assert_eq!(
            layer(&config(&["*"], true)).unwrap_err(),
            CorsConfigError::WildcardWithCredentials
        );
    }

    #[test]
    fn malformed_origins_are_refused_by_name() {
        for origin in [
            "app.example.com",
            "https://app.example.com/",
            "ftp://x",
            "https://*.example.com",
            "https://",
        ] {
            assert_eq!(
                layer(&config(&[origin], false)).unwrap_err(),
                CorsConfigError::Origin(origin.to_owned()),
                "{origin}"
            );
        }
    }
}
