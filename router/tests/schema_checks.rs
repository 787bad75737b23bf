//! Schema tooling: the committed `schema/` supergraph is exactly what `router compose` makes of it and passes
//! `router check`, and two corpora pin composition (`compose_corpus/<case>/<subgraph>.graphql`) and API schema
//! diffs (`diff_corpus/<case>/{old,new}.graphql` with optional `operations.json`) as insta snapshots.

// Test binaries see the library's dependencies too; only some are used here.
#![allow(unused_crate_dependencies)]

use std::path::{Path, PathBuf};

use router::check::{SchemaModel, breaking_uses, check_sdl, diff, usage};
use router::compose::{ComposeConfig, SubgraphSdl, compose, compose_file, load_subgraphs};
use router::supergraph::Supergraph;

fn here(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn cases(corpus: &str) -> Vec<(String, PathBuf)> {
    let mut cases: Vec<_> = std::fs::read_dir(here(corpus))
        .expect("read the corpus")
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|path| path.is_dir())
        .map(|path| (path.file_name().expect("named").to_string_lossy().into_owned(), path))
        .collect();
    cases.sort();
    cases
}

#[tokio::test]
async fn composing_the_committed_schema_reproduces_the_committed_supergraph() {
    let config = here("../schema/supergraph.toml");
    let (composed, warnings) = compose_file(&config).await.expect("schema/ composes");
    let committed = std::fs::read_to_string(here("../schema/supergraph.graphql")).expect("read supergraph");
    assert!(warnings.is_empty(), "composition warnings: {warnings:?}");
    assert!(
        composed == committed,
        "schema/supergraph.graphql is stale: run `router compose --config schema/supergraph.toml --output \
         schema/supergraph.graphql`"
    );
    Supergraph::parse(&committed).expect("the router serves the committed supergraph");
}

#[tokio::test]
async fn every_committed_subgraph_passes_check_against_the_others() {
    let config = ComposeConfig::load(&here("../schema/supergraph.toml")).expect("config");
    let committed = load_subgraphs(&config).await.expect("subgraphs");
    for subgraph in &committed {
        let report = check_sdl(&committed, &subgraph.name, &subgraph.sdl, None).expect("check runs");
        assert!(report.passes(false), "{}", report.to_human());
        assert!(
            report.changes.is_empty(),
            "unchanged SDL shows changes: {}",
            report.to_human()
        );
    }
}

#[test]
fn compose_corpus() {
    let cases = cases("tests/compose_corpus");
    assert!(cases.len() >= 9, "the corpus lost cases");
    for (name, dir) in cases {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("case dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
            .collect();
        files.sort();
        let subgraphs: Vec<SubgraphSdl> = files
            .iter()
            .map(|path| {
                let name = path.file_stem().expect("stem").to_string_lossy().into_owned();
                SubgraphSdl {
                    url: format!("http://{name}.invalid/graphql"),
                    source: format!("{name}.graphql"),
                    sdl: std::fs::read_to_string(path).expect("read subgraph"),
                    name,
                }
            })
            .collect();
        let output = match compose(&subgraphs) {
            Ok(composed) => {
                Supergraph::parse(&composed.supergraph_sdl)
                    .unwrap_or_else(|error| panic!("{name}: the router refuses the supergraph: {error}"));
                format!(
                    "# supergraph\n{}\n# api schema\n{}",
                    composed.supergraph_sdl.trim_end(),
                    composed.api_sdl.trim_end()
                )
            }
            Err(error) => format!("# errors\n{error}"),
        };
        insta::assert_snapshot!(format!("compose_{name}"), output);
    }
}

#[test]
fn diff_corpus() {
    let cases = cases("tests/diff_corpus");
    assert!(cases.len() >= 15, "the corpus lost cases");
    for (name, dir) in cases {
        let read = |file: &str| std::fs::read_to_string(dir.join(file)).expect("read case file");
        let old = SchemaModel::parse(&read("old.graphql")).expect("old parses");
        let new = SchemaModel::parse(&read("new.graphql")).expect("new parses");
        let changes = diff(&old, &new);
        assert!(!changes.is_empty(), "{name}: no change found");
        let mut output: Vec<String> = changes
            .iter()
            .map(|c| format!("{:?} {:?} {}: {}", c.severity, c.kind, c.coordinate, c.message))
            .collect();
        let operations = dir.join("operations.json");
        if operations.exists() {
            let recorded = usage::load_operations(&operations, &old).expect("operations load");
            for used in breaking_uses(&changes, &recorded) {
                let broken = if used.operations.is_empty() {
                    "no recorded operation uses it".to_owned()
                } else {
                    used.operations.join(", ")
                };
                output.push(format!("breaks {}: {broken}", used.coordinate));
            }
        }
        insta::assert_snapshot!(format!("diff_{name}"), output.join("\n"));
    }
}

fn run_router(args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_router"))
        .args(args)
        .output()
        .expect("run the router binary");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn identity_sdl() -> String {
    std::fs::read_to_string(here("../schema/identity.graphql")).expect("read identity SDL")
}

#[test]
fn a_removed_field_fails_check_with_its_operations_unless_breaking_is_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let changed = dir.path().join("identity.graphql");
    let sdl = identity_sdl();
    // User.email is renamed: a removal (breaking) and an addition (safe).
    let without_email = sdl.replacen(
        "FORBIDDEN).\n\t\"\"\"\n\temail:",
        "FORBIDDEN).\n\t\"\"\"\n\tmailbox:",
        1,
    );
    assert_ne!(sdl, without_email, "the fixture has User.email");
    std::fs::write(&changed, without_email).expect("write");
    let operations = dir.path().join("ops.json");
    std::fs::write(
        &operations,
        r#"["query Me { me { id email } }", "query Roles { roles { name } }"]"#,
    )
    .expect("ops");
    let config = here("../schema/supergraph.toml");
    let base = [
        "check",
        "--config",
        config.to_str().expect("utf-8"),
        "--subgraph",
        "identity",
        "--schema",
        changed.to_str().expect("utf-8"),
        "--operations",
        operations.to_str().expect("utf-8"),
    ];
    let (ok, human) = run_router(&base);
    assert!(!ok, "a breaking change fails the check:\n{human}");
    assert!(human.contains("breaking[FIELD_REMOVED]: User.email"), "{human}");
    assert!(human.contains("(breaks: Me)"), "{human}");
    let (ok, json) = run_router(&[&base[..], &["--format", "json", "--allow-breaking"]].concat());
    assert!(ok, "--allow-breaking lets it pass:\n{json}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("json report");
    assert_eq!(report["breaking_uses"][0]["coordinate"], "User.email");
    assert_eq!(report["breaking_uses"][0]["operations"], serde_json::json!(["Me"]));
    assert!(
        report["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["kind"] == "FIELD_REMOVED")
    );
}

#[test]
fn a_subgraph_that_no_longer_composes_fails_check_even_when_breaking_is_allowed() {
    let committed = vec![SubgraphSdl {
        name: "identity".into(),
        url: "http://identity.invalid/graphql".into(),
        source: "identity.graphql".into(),
        sdl: identity_sdl(),
    }];
    // authz's User key names a field no subgraph defines.
    let authz = std::fs::read_to_string(here("../schema/authz.graphql")).expect("authz");
    let mut all = committed.clone();
    all.push(SubgraphSdl {
        name: "authz".into(),
        url: "http://authz.invalid/graphql".into(),
        source: "authz.graphql".into(),
        sdl: authz.clone(),
    });
    let broken = authz.replacen(
        "type User @key(fields: \"id\")",
        "type User @key(fields: \"missing\")",
        1,
    );
    assert_ne!(broken, authz, "the fixture has User's key");
    let report = check_sdl(&all, "authz", &broken, None).expect("check runs");
    assert!(!report.composition_errors.is_empty(), "{}", report.to_human());
    assert!(!report.passes(true), "composition errors fail regardless");
    let first = report.to_human().lines().next().expect("a line").to_owned();
    assert!(first.starts_with("error["), "{first}");
}

#[test]
fn compose_writes_the_supergraph_and_refuses_a_bad_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("out.graphql");
    let config = here("../schema/supergraph.toml");
    let (ok, _) = run_router(&[
        "compose",
        "--config",
        config.to_str().expect("utf-8"),
        "--output",
        output.to_str().expect("utf-8"),
    ]);
    assert!(ok);
    let written = std::fs::read_to_string(&output).expect("written");
    assert_eq!(
        written,
        std::fs::read_to_string(here("../schema/supergraph.graphql")).expect("committed")
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[subgraphs.a]\nrouting_url = \"http://a\"\nschema.file = \"missing.graphql\"\n",
    )
    .expect("w");
    let (ok, _) = run_router(&["compose", "--config", bad.to_str().expect("utf-8")]);
    assert!(!ok, "a missing schema file fails");
}

#[tokio::test]
async fn a_subgraph_sdl_is_fetched_live_from_its_service_field() {
    let sdl = std::fs::read_to_string(here("../schema/authz.graphql")).expect("authz");
    let answer = serde_json::json!({ "data": { "_service": { "sdl": sdl } } });
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move || {
            let answer = answer.clone();
            async move { axum::Json(answer) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().expect("tempdir");
    for file in ["identity.graphql", "audit.graphql", "blog.graphql", "billing.graphql"] {
        std::fs::copy(here(&format!("../schema/{file}")), dir.path().join(file)).expect("copy");
    }
    let config = dir.path().join("supergraph.toml");
    std::fs::write(
        &config,
        format!(
            "[subgraphs.identity]\nrouting_url = \"http://identity.invalid/graphql\"\nschema.file = \
             \"identity.graphql\"\n[subgraphs.authz]\nrouting_url = \"http://authz.invalid/graphql\"\n\
             schema.subgraph_url = \"http://{addr}/graphql\"\n[subgraphs.audit]\nrouting_url = \
             \"http://audit.invalid/graphql\"\nschema.file = \"audit.graphql\"\n[subgraphs.blog]\nrouting_url = \
             \"http://blog.invalid/graphql\"\nschema.file = \"blog.graphql\"\n[subgraphs.billing]\nrouting_url = \
             \"http://billing.invalid/graphql\"\nschema.file = \"billing.graphql\"\n"
        ),
    )
    .expect("write config");
    let (live, _) = compose_file(&config).await.expect("composes with a live subgraph");
    let committed = std::fs::read_to_string(here("../schema/supergraph.graphql")).expect("committed");
    let body = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        body(&live),
        body(&committed),
        "the same SDL, fetched, composes the same supergraph"
    );
    assert!(
        live.contains(&format!("# source http://{addr}/graphql fnv1a64=")),
        "{live}"
    );
    server.abort();
}
