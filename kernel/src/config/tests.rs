use std::io::Write;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{ConfigError, load_with_env};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleConfig {
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    database: DatabaseSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    #[serde(default = "default_http_addr")]
    http_addr: String,
    #[serde(default = "default_shutdown_grace_ms")]
    shutdown_grace_ms: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        Self {
            http_addr: default_http_addr(),
            shutdown_grace_ms: default_shutdown_grace_ms(),
        }
    }
}

fn default_http_addr() -> String {
    "127.0.0.1:8080".to_owned()
}

fn default_shutdown_grace_ms() -> u64 {
    10_000
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    #[serde(default = "default_url")]
    url: SecretString,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        Self { url: default_url() }
    }
}

fn default_url() -> SecretString {
    SecretString::from("sqlite://data/service.db?mode=rwc")
}

fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("create a temp file");
    file.write_all(text.as_bytes()).expect("write the temp file");
    file
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn defaults_apply_when_nothing_is_configured() {
    let config: SampleConfig = load_with_env(None, vars(&[])).expect("defaults load");
    assert_eq!(config.server.http_addr, "127.0.0.1:8080");
    assert_eq!(config.server.shutdown_grace_ms, 10_000);
}

#[test]
fn file_overrides_defaults_and_environment_overrides_file() {
    let file = toml_file("[server]\nhttp_addr = \"0.0.0.0:9000\"\nshutdown_grace_ms = 500\n");
    let env = vars(&[("PLATFORM__SERVER__SHUTDOWN_GRACE_MS", "250"), ("UNRELATED", "x")]);
    let config: SampleConfig = load_with_env(Some(file.path()), env).expect("layers load");
    assert_eq!(config.server.http_addr, "0.0.0.0:9000");
    assert_eq!(config.server.shutdown_grace_ms, 250);
}

#[test]
fn unknown_key_in_file_fails_naming_the_key_and_the_file() {
    let file = toml_file("[server]\nhttp_adr = \"0.0.0.0:9000\"\n");
    let error = load_with_env::<SampleConfig>(Some(file.path()), vars(&[])).expect_err("unknown key is refused");
    let message = error.to_string();
    assert!(message.contains("server.http_adr"), "{message}");
    assert!(message.contains(&file.path().display().to_string()), "{message}");
}

#[test]
fn bad_value_in_environment_fails_naming_the_variable() {
    let env = vars(&[("PLATFORM__SERVER__SHUTDOWN_GRACE_MS", "soon")]);
    let error = load_with_env::<SampleConfig>(None, env).expect_err("a word is not a number");
    let message = error.to_string();
    assert!(message.contains("server.shutdown_grace_ms"), "{message}");
    assert!(message.contains("PLATFORM__SERVER__SHUTDOWN_GRACE_MS"), "{message}");
}

#[test]
fn unknown_section_in_environment_fails() {
    let env = vars(&[("PLATFORM__SERVR__HTTP_ADDR", "0.0.0.0:1")]);
    let error = load_with_env::<SampleConfig>(None, env).expect_err("unknown section is refused");
    assert!(error.to_string().contains("servr"), "{error}");
}

#[test]
fn missing_file_is_an_error() {
    let error = load_with_env::<SampleConfig>(Some(std::path::Path::new("/nonexistent/platform.toml")), vars(&[]))
        .expect_err("a named file must exist");
    assert!(matches!(error, ConfigError::MissingFile(_)));
}

#[test]
fn secrets_never_print() {
    let env = vars(&[("PLATFORM__DATABASE__URL", "postgres://app:hunter2@db/app")]);
    let config: SampleConfig = load_with_env(None, env).expect("secret loads");
    assert_eq!(config.database.url.expose_secret(), "postgres://app:hunter2@db/app");
    let printed = format!("{config:?}");
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(printed.contains("REDACTED"), "{printed}");
}

#[test]
fn numeric_looking_value_fills_a_string_field() {
    let env = vars(&[("PLATFORM__SERVER__HTTP_ADDR", "8080")]);
    let config: SampleConfig = load_with_env(None, env).expect("a number-like string loads");
    assert_eq!(config.server.http_addr, "8080");
}

#[test]
fn config_error_reads_like_a_report() {
    let env = vars(&[("PLATFORM__SERVER__SHUTDOWN_GRACE_MS", "-5")]);
    let error = load_with_env::<SampleConfig>(None, env).expect_err("a negative duration is refused");
    insta::assert_snapshot!(error.to_string());
}
