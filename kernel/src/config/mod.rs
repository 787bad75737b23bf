//! Typed, layered configuration: built-in defaults, then a TOML file, then environment variables.
//!
//! A service describes its configuration as one serde struct whose sections are the kernel's own config types
//! (`ServerConfig`, `DatabaseConfig`, …) plus its own. Every struct denies unknown fields and names its default
//! functions, so the built-in defaults live next to the fields. [`load`] layers a TOML file and
//! `PLATFORM__SECTION__KEY` variables over those defaults and fails with every problem, each naming its key and
//! where the bad value came from. Secrets are `secrecy::SecretString`, which prints as `[REDACTED]`.

mod env;
mod error;

use std::path::Path;

use figment::Figment;
use figment::providers::{Format, Toml};
use serde::de::DeserializeOwned;

pub use env::{ENV_PREFIX, EnvLayer};
pub use error::ConfigError;

/// Loads `T` from its defaults, the TOML file at `file` (which must exist when given), and the process's
/// `PLATFORM__…` environment variables, in that order of precedence (later wins).
pub fn load<T: DeserializeOwned>(file: Option<&Path>) -> Result<T, ConfigError> {
    load_with_env(file, std::env::vars())
}

/// Like [`load`], with the environment passed in, so callers and tests need not touch the process environment.
pub fn load_with_env<T: DeserializeOwned>(
    file: Option<&Path>,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<T, ConfigError> {
    if let Some(path) = file
        && !path.is_file()
    {
        return Err(ConfigError::MissingFile(path.to_path_buf()));
    }
    let mut env = EnvLayer::from_vars(vars);
    // An environment value has no type of its own: "8080" reads as a number. When a string field refuses such a
    // value, that variable is read again as a string. Each retry fixes one variable, so this ends.
    loop {
        let mut figment = Figment::new();
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        let error = match figment.merge(env.clone()).extract() {
            Ok(config) => return Ok(config),
            Err(error) => error,
        };
        if !env.retry_as_string(&error) {
            return Err(ConfigError::from_figment(error));
        }
    }
}

#[cfg(test)]
mod tests;
