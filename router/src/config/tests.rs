use std::io::Write;
use std::time::Duration;

use super::RouterConfig;

fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("create a temp file");
    file.write_all(text.as_bytes()).expect("write the temp file");
    file
}

fn no_env() -> Vec<(String, String)> {
    Vec::new()
}

#[test]
fn nothing_configured_gives_the_defaults() {
    let config = RouterConfig::load_with_env(None, no_env()).expect("defaults load");
    assert!(config.introspection.enabled);
    assert_eq!(config.limits, super::LimitsConfig::default());
    assert_eq!(config.supergraph.path, None);
    assert_eq!(config.planner.timeout_ms, crate::plan::PlanConfig::default().timeout_ms);
    assert_eq!(config.subgraphs.timeout("any"), Duration::from_secs(30));
}

#[test]
fn file_sections_fill_every_part() {
    let file = toml_file(
        r#"
        [listen]
        http_addr = "127.0.0.1:4000"
        [supergraph]
        path = "schema/supergraph.graphql"
        watch_interval_ms = 500
        [subgraphs]
        timeout_ms = 2000
        [subgraphs.overrides.blog]
        url = "http://127.0.0.1:4102/graphql"
        timeout_ms = 250
        [limits]
        max_depth = 7
        max_body_bytes = 1024
        [introspection]
        enabled = false
        [planner]
        timeout_ms = 100
        [telemetry]
        log_level = "debug"
        "#,
    );
    let config = RouterConfig::load_with_env(Some(file.path()), no_env()).expect("file loads");
    assert_eq!(config.listen.http_addr.port(), 4000);
    assert_eq!(
        config.supergraph.path.as_deref(),
        Some(std::path::Path::new("schema/supergraph.graphql"))
    );
    assert_eq!(config.supergraph.watch_interval_ms, 500);
    assert_eq!(config.subgraphs.timeout("blog"), Duration::from_millis(250));
    assert_eq!(config.subgraphs.timeout("billing"), Duration::from_millis(2000));
    assert_eq!(
        config.subgraphs.url_overrides().get("blog").map(String::as_str),
        Some("http://127.0.0.1:4102/graphql")
    );
    assert_eq!(config.limits.max_depth, 7);
    assert_eq!(config.limits.max_body_bytes, 1024);
    assert_eq!(config.limits.max_aliases, super::LimitsConfig::default().max_aliases);
    assert!(!config.introspection.enabled);
    assert_eq!(config.planner.timeout_ms, 100);
    assert_eq!(config.telemetry.log_level, "debug");
}

#[test]
fn environment_overrides_the_file() {
    let file = toml_file("[limits]\nmax_depth = 7\n");
    let env = vec![
        ("PLATFORM__LIMITS__MAX_DEPTH".to_owned(), "9".to_owned()),
        ("PLATFORM__INTROSPECTION__ENABLED".to_owned(), "false".to_owned()),
    ];
    let config = RouterConfig::load_with_env(Some(file.path()), env).expect("layers load");
    assert_eq!(config.limits.max_depth, 9);
    assert!(!config.introspection.enabled);
}

#[test]
fn unknown_key_is_refused_naming_it() {
    let file = toml_file("[limits]\nmax_dept = 7\n");
    let error = RouterConfig::load_with_env(Some(file.path()), no_env()).expect_err("typo is refused");
    assert!(error.to_string().contains("limits.max_dept"), "{error}");
}

#[test]
fn subgraph_url_that_is_not_http_is_refused_naming_the_key() {
    let file = toml_file("[subgraphs.overrides.blog]\nurl = \"blog:4102\"\n");
    let error = RouterConfig::load_with_env(Some(file.path()), no_env()).expect_err("not a URL");
    let message = error.to_string();
    assert!(message.contains("subgraphs.overrides.blog.url"), "{message}");
    assert!(message.contains("blog:4102"), "{message}");
}

#[test]
fn subgraph_connection_settings_apply_with_per_subgraph_overrides() {
    let file = toml_file(
        "[subgraphs]\ntimeout_ms = 1000\nconnect_timeout_ms = 200\nhttp2_prior_knowledge = false\n\
         [subgraphs.overrides.fast]\ntimeout_ms = 50\nhttp2_prior_knowledge = true\n",
    );
    let config = RouterConfig::load_with_env(Some(file.path()), no_env()).expect("valid config");
    let fast = config.subgraphs.endpoint("fast".into(), "http://127.0.0.1:1/graphql");
    assert_eq!(fast.timeout, std::time::Duration::from_millis(50));
    assert!(fast.transport.http2_prior_knowledge);
    assert_eq!(fast.transport.connect_timeout, std::time::Duration::from_millis(200));
    let other = config.subgraphs.endpoint("other".into(), "http://127.0.0.1:2/graphql");
    assert_eq!(other.timeout, std::time::Duration::from_millis(1000));
    assert!(!other.transport.http2_prior_knowledge);
}

#[test]
fn the_deployment_config_of_compose_yaml_loads() {
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/router.toml"));
    let config = RouterConfig::load_with_env(Some(path), no_env()).expect("deploy/router.toml is valid");
    assert!(config.auth.enabled);
    assert_eq!(config.subgraphs.overrides.len(), 5);
    assert!(config.planner.shared_cache.is_some());
}
