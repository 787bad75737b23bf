//! Hostile requests through the router in front of the real test subgraphs: each is refused with its status and
//! `extensions.code`, no subgraph is called for a refused operation, and ten thousand of them leave the process's
//! memory where it was (figures printed).

use serde_json::{Value, json};

use crate::harness::Router;

/// One hostile request and what the router must answer.
struct Case {
    name: &'static str,
    body: Value,
    status: u16,
    code: &'static str,
}

fn deep(levels: usize) -> String {
    let mut query = String::from("{ users ");
    for level in 0..levels {
        query.push_str(if level % 2 == 0 {
            "{ organization "
        } else {
            "{ warehouses "
        });
    }
    query.push_str("{ id }");
    query.push_str(&"}".repeat(levels + 1));
    query
}

fn cases() -> Vec<Case> {
    let aliases: String = (0..2_000).map(|n| format!("a{n}: users {{ id }} ")).collect();
    let directives: String = (0..5_000).map(|_| "@include(if: true) ").collect();
    vec![
        Case {
            name: "nesting past the depth limit",
            body: json!({ "query": deep(40) }),
            status: 400,
            code: "OPERATION_LIMIT_EXCEEDED",
        },
        Case {
            name: "nesting past the parser's recursion bound",
            body: json!({ "query": deep(2_000) }),
            status: 400,
            code: "GRAPHQL_PARSE_FAILED",
        },
        Case {
            name: "alias bomb",
            body: json!({ "query": format!("{{ {aliases} }}") }),
            status: 400,
            code: "OPERATION_LIMIT_EXCEEDED",
        },
        Case {
            name: "fragment cycle",
            body: json!({ "query": "{ users { ...A } } fragment A on User { ...B } fragment B on User { ...A }" }),
            status: 400,
            code: "GRAPHQL_VALIDATION_FAILED",
        },
        Case {
            name: "a huge list of directives",
            body: json!({ "query": format!("{{ users {directives} {{ id }} }}") }),
            status: 400,
            code: "OPERATION_LIMIT_EXCEEDED",
        },
        Case {
            name: "a batched array",
            body: json!([{ "query": "{ users { id } }" }, { "query": "{ users { id } }" }]),
            status: 400,
            code: "BAD_REQUEST",
        },
        Case {
            name: "a NUL byte in the document",
            body: json!({ "query": "{ users\u{0} { id } }" }),
            status: 400,
            code: "GRAPHQL_PARSE_FAILED",
        },
        Case {
            name: "unicode where a name belongs",
            body: json!({ "query": "{ usérs { id } }" }),
            status: 400,
            code: "GRAPHQL_PARSE_FAILED",
        },
        Case {
            name: "a variable of the wrong type",
            body: json!({ "query": "query($id: ID!) { user(id: $id) { id } }", "variables": { "id": { "$gt": "" } } }),
            status: 400,
            code: "BAD_USER_INPUT",
        },
        Case {
            name: "a missing required variable",
            body: json!({ "query": "query($id: ID!) { user(id: $id) { id } }" }),
            status: 400,
            code: "BAD_USER_INPUT",
        },
        Case {
            name: "variables that are not an object",
            body: json!({ "query": "{ users { id } }", "variables": [1, 2] }),
            status: 400,
            code: "BAD_REQUEST",
        },
        Case {
            name: "a subscription",
            body: json!({ "query": "subscription { users { id } }" }),
            status: 400,
            code: "OPERATION_NOT_SUPPORTED",
        },
    ]
}

#[tokio::test]
async fn hostile_requests_are_refused_with_their_codes_and_reach_no_subgraph() {
    let router = Router::start().await;
    router.clear_requests();
    for case in cases() {
        let (status, text) = router.post_raw(&case.body).await;
        let body: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON ({e}): {text}", case.name));
        let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default();
        assert_eq!((status, code), (case.status, case.code), "{}: {text}", case.name);
        assert!(body.get("data").is_none_or(Value::is_null), "{}: {text}", case.name);
    }
    let reached: usize = platform_tests::subgraphs::SubgraphName::ALL
        .iter()
        .map(|name| router.subgraph(*name).request_count())
        .sum();
    assert_eq!(reached, 0, "a refused operation must not reach any subgraph");
}

#[tokio::test]
async fn a_ten_megabyte_body_is_refused_with_413() {
    let router = Router::start().await;
    let padding = "x".repeat(10 * 1024 * 1024);
    let (status, text) = router
        .post_raw(&json!({ "query": "{ users { id } }", "extensions": { "padding": padding } }))
        .await;
    assert_eq!(status, 413, "{}", &text[..text.len().min(300)]);
    let body: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "OPERATION_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn introspection_is_refused_when_disabled_however_it_is_spelled() {
    let router = Router::start_with(|config| config.introspection.enabled = false).await;
    for query in [
        "{ __schema { types { name } } }",
        "{ a: __schema { queryType { name } } }",
        "query { ...F } fragment F on Query { __type(name: \"User\") { fields { name } } }",
        "{ users { id } ... on Query { __schema { types { name } } } }",
    ] {
        let (status, text) = router.post_raw(&json!({ "query": query })).await;
        assert_eq!(status, 400, "{query}: {text}");
        assert!(text.contains("GRAPHQL_VALIDATION_FAILED"), "{query}: {text}");
        assert!(!text.contains("\"types\""), "{query}: schema leaked: {text}");
    }
    let (status, text) = router
        .post_raw(&json!({ "query": "{ users { __typename id } }" }))
        .await;
    assert_eq!(status, 200, "__typename stays allowed: {text}");
}

/// The resident set of this process, in KiB, from `/proc/self/status`.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_hostile_requests_leave_memory_where_it_was() {
    let router = Router::start().await;
    let cases = cases();
    // Warm up: every refusal path once, so lazily built state is counted before the baseline.
    for case in &cases {
        router.post_raw(&case.body).await;
    }
    let before = rss_kib();
    for round in 0..10_000 {
        let case = &cases[round % cases.len()];
        let (status, _) = router.post_raw(&case.body).await;
        assert_eq!(status, case.status, "{}", case.name);
    }
    let after = rss_kib();
    let grown = after.saturating_sub(before);
    println!("RSS before {before} KiB, after 10,000 hostile requests {after} KiB, grown {grown} KiB");
    // The router holds no per-request state after answering; allocator slack stays well under this bound.
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
}
