use secrecy::SecretString;

use super::*;

fn config(url: &str) -> DatabaseConfig {
    DatabaseConfig {
        url: SecretString::from(url),
        ..DatabaseConfig::default()
    }
}

#[test]
fn scheme_is_read_case_insensitively() {
    assert_eq!(url_scheme("PostgreSQL://db/app").as_deref(), Some("postgresql"));
    assert_eq!(url_scheme("sqlite::memory:").as_deref(), Some("sqlite"));
}

#[test]
fn text_without_a_scheme_has_none() {
    assert_eq!(url_scheme("hunter2"), None);
    assert_eq!(url_scheme("p@ss:word"), None);
}

#[tokio::test]
async fn unsupported_scheme_is_refused_without_echoing_the_url() {
    let error = connect(&config("mysql://root:hunter2@db/app")).await.unwrap_err();
    assert!(
        matches!(error, DbError::UnsupportedUrl { ref scheme } if scheme == "mysql"),
        "{error}"
    );
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

#[tokio::test]
async fn invalid_schema_is_refused_before_connecting() {
    let mut config = config("postgres://app:hunter2@127.0.0.1:1/app");
    config.schema = Some("Bad-Name".to_owned());
    let error = connect(&config).await.unwrap_err();
    assert!(matches!(error, DbError::InvalidSchema { .. }), "{error}");
}

#[tokio::test]
async fn in_memory_sqlite_connects_and_answers_ping() {
    let db = connect(&config("sqlite::memory:")).await.unwrap();
    assert_eq!(db.backend(), DbBackend::Sqlite);
    assert!(db.schema().is_none());
    db.ping().await.unwrap();
}

#[tokio::test]
async fn sqlite_file_and_its_directory_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/service.db");
    let db = connect(&config(&format!("sqlite://{}", path.display()))).await.unwrap();
    db.ping().await.unwrap();
    assert!(path.is_file());
    db.close().await.unwrap();
}
