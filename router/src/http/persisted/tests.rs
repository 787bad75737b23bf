use std::num::NonZeroUsize;

use kernel::cache::InProcessCache;
use serde_json::json;

use super::*;

const DOCUMENT: &str = "{ me { id } }";

fn request(query: &str, hash: Option<&str>) -> GraphQLRequest {
    GraphQLRequest {
        query: query.to_owned(),
        extensions: hash.map(|hash| {
            json!({"persistedQuery": {"version": 1, "sha256Hash": hash}})
                .as_object()
                .cloned()
                .unwrap_or_default()
        }),
        ..GraphQLRequest::default()
    }
}

fn automatic() -> PersistedQueries {
    PersistedQueries::automatic(Arc::new(InProcessCache::new(NonZeroUsize::new(16).unwrap())))
}

#[test]
fn the_hash_is_the_lowercase_hex_sha256() {
    assert_eq!(
        sha256_hex(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[tokio::test]
async fn an_unknown_hash_is_not_found_then_registered_then_resolved() {
    let apq = automatic();
    let hash = sha256_hex(DOCUMENT);
    let missing = apq.resolve(&mut request("", Some(&hash))).await.unwrap_err();
    assert_eq!(missing.extensions.code, ErrorCode::PersistedQueryNotFound);
    assert_eq!(missing.message, "PersistedQueryNotFound");

    apq.resolve(&mut request(DOCUMENT, Some(&hash))).await.unwrap();

    let mut by_hash = request("", Some(&hash));
    apq.resolve(&mut by_hash).await.unwrap();
    assert_eq!(by_hash.query, DOCUMENT);
}

#[tokio::test]
async fn a_hash_that_does_not_match_its_document_is_refused_and_not_registered() {
    let apq = automatic();
    let wrong = sha256_hex("{ other }");
    let refused = apq.resolve(&mut request(DOCUMENT, Some(&wrong))).await.unwrap_err();
    assert_eq!(refused.extensions.code, ErrorCode::BadRequest);
    let still_missing = apq.resolve(&mut request("", Some(&wrong))).await.unwrap_err();
    assert_eq!(still_missing.extensions.code, ErrorCode::PersistedQueryNotFound);
}

#[tokio::test]
async fn malformed_references_are_bad_requests() {
    let apq = automatic();
    for extensions in [
        json!({"persistedQuery": {"version": 2, "sha256Hash": sha256_hex(DOCUMENT)}}),
        json!({"persistedQuery": {"version": 1, "sha256Hash": "abc"}}),
        json!({"persistedQuery": {"version": 1}}),
    ] {
        let mut request = GraphQLRequest {
            extensions: extensions.as_object().cloned(),
            ..GraphQLRequest::default()
        };
        let refused = apq.resolve(&mut request).await.unwrap_err();
        assert_eq!(refused.extensions.code, ErrorCode::BadRequest, "{extensions}");
    }
}

#[tokio::test]
async fn plain_requests_pass_untouched() {
    let mut plain = request(DOCUMENT, None);
    automatic().resolve(&mut plain).await.unwrap();
    assert_eq!(plain.query, DOCUMENT);
}

#[tokio::test]
async fn trusted_mode_runs_listed_documents_only() {
    let trusted = PersistedQueries::trusted([DOCUMENT]);
    let mut by_hash = request("", Some(&sha256_hex(DOCUMENT)));
    trusted.resolve(&mut by_hash).await.unwrap();
    assert_eq!(by_hash.query, DOCUMENT);
    trusted.resolve(&mut request(DOCUMENT, None)).await.unwrap();

    let refused = trusted
        .resolve(&mut request("{ users { email } }", None))
        .await
        .unwrap_err();
    assert_eq!(refused.extensions.code, ErrorCode::Forbidden);
    let unknown = trusted
        .resolve(&mut request("", Some(&sha256_hex("{ users { email } }"))))
        .await
        .unwrap_err();
    assert_eq!(unknown.extensions.code, ErrorCode::PersistedQueryNotFound);
    // Registering is not possible in trusted mode: a document sent with its hash is still refused.
    let hash = sha256_hex("{ users { email } }");
    let registering = trusted
        .resolve(&mut request("{ users { email } }", Some(&hash)))
        .await
        .unwrap_err();
    assert_eq!(registering.extensions.code, ErrorCode::Forbidden);
}

#[tokio::test]
async fn a_manifest_is_read_in_either_form_and_a_wrong_hash_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let listed = dir.path().join("ops.json");
    std::fs::write(
        &listed,
        json!({"operations": [{"id": sha256_hex(DOCUMENT), "body": DOCUMENT}]}).to_string(),
    )
    .unwrap();
    let config = PersistedQueriesConfig {
        mode: PersistedQueryMode::Trusted,
        manifest: Some(listed),
        ..PersistedQueriesConfig::default()
    };
    let trusted = PersistedQueries::from_config(&config).await.unwrap();
    trusted.resolve(&mut request(DOCUMENT, None)).await.unwrap();

    let map = dir.path().join("map.json");
    std::fs::write(&map, json!({ sha256_hex("{ x }"): DOCUMENT }).to_string()).unwrap();
    let config = PersistedQueriesConfig {
        manifest: Some(map),
        ..config
    };
    let refused = PersistedQueries::from_config(&config).await.unwrap_err();
    assert!(refused.to_string().contains("is not the SHA-256"), "{refused}");

    let no_manifest = PersistedQueriesConfig {
        mode: PersistedQueryMode::Trusted,
        ..PersistedQueriesConfig::default()
    };
    assert!(matches!(
        PersistedQueries::from_config(&no_manifest).await,
        Err(PersistedConfigError::NoManifest)
    ));
}
