//! The database contract: what `kernel::db` promises on SQLite (always) and PostgreSQL (with
//! `PLATFORM_TEST_POSTGRES_URL`), driven through a small migrator defined here.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

use kernel::db::{self, Database, DatabaseConfig, DbError};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use secrecy::SecretString;

/// A two-table schema with a foreign key, applied by SeaORM's migrator exactly as a service's would be.
mod contract_migrations {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr};
    use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager};

    pub struct Migrator;

    #[async_trait::async_trait]
    impl MigratorTrait for Migrator {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            vec![Box::new(CreateAuthorsAndNotes)]
        }
    }

    struct CreateAuthorsAndNotes;

    impl MigrationName for CreateAuthorsAndNotes {
        fn name(&self) -> &str {
            "m20260101_000001_create_authors_and_notes"
        }
    }

    #[async_trait::async_trait]
    impl MigrationTrait for CreateAuthorsAndNotes {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            let conn = manager.get_connection();
            conn.execute_unprepared("CREATE TABLE contract_authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
                .await?;
            conn.execute_unprepared(
                "CREATE TABLE contract_notes (id INTEGER PRIMARY KEY, \
                 author_id INTEGER NOT NULL REFERENCES contract_authors (id), body TEXT NOT NULL)",
            )
            .await?;
            Ok(())
        }

        async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            let conn = manager.get_connection();
            conn.execute_unprepared("DROP TABLE contract_notes").await?;
            conn.execute_unprepared("DROP TABLE contract_authors").await?;
            Ok(())
        }
    }
}

use contract_migrations::Migrator;

fn config(url: impl Into<String>) -> DatabaseConfig {
    DatabaseConfig {
        url: SecretString::from(url.into()),
        ..DatabaseConfig::default()
    }
}

async fn query_string(db: &Database, sql: &str) -> String {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

async fn query_i64(db: &Database, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Writes through the migrated tables and reads back; a note for a missing author must be refused.
async fn insert_and_select_work_with_foreign_keys_enforced(db: &Database) {
    let conn = db.conn();
    conn.execute_unprepared("INSERT INTO contract_authors (id, name) VALUES (1, 'Ada')")
        .await
        .unwrap();
    conn.execute_unprepared("INSERT INTO contract_notes (id, author_id, body) VALUES (10, 1, 'first')")
        .await
        .unwrap();
    let body = query_string(
        db,
        "SELECT n.body FROM contract_notes n JOIN contract_authors a ON a.id = n.author_id",
    )
    .await;
    assert_eq!(body, "first");
    let orphan = conn
        .execute_unprepared("INSERT INTO contract_notes (id, author_id, body) VALUES (11, 99, 'x')")
        .await;
    assert!(
        orphan.is_err(),
        "a note for a missing author must violate the foreign key"
    );
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn file_is_created_in_wal_mode_with_foreign_keys_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.db");
        let db = db::connect(&config(format!("sqlite://{}", path.display())))
            .await
            .unwrap();
        assert_eq!(db.backend(), DbBackend::Sqlite);
        assert!(path.is_file(), "the database file should exist after connecting");
        db.ping().await.unwrap();
        // Pragmas are per connection; hold several at once so more than one pooled connection answers.
        let mut transactions = Vec::new();
        for _ in 0..3 {
            transactions.push(db.conn().begin().await.unwrap());
        }
        for transaction in &transactions {
            let mode = transaction.query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA journal_mode"));
            let mode = mode.await.unwrap().unwrap().try_get_by_index::<String>(0).unwrap();
            assert_eq!(mode, "wal");
            let keys = transaction.query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA foreign_keys"));
            assert_eq!(keys.await.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap(), 1);
        }
        for transaction in transactions {
            transaction.rollback().await.unwrap();
        }
        db.close().await.unwrap();
    }

    #[tokio::test]
    async fn migrations_apply_once_and_tables_work() {
        let dir = tempfile::tempdir().unwrap();
        let db = db::connect(&config(format!("sqlite://{}/blog.db", dir.path().display())))
            .await
            .unwrap();
        db::migrate::<Migrator>(&db).await.unwrap();
        insert_and_select_work_with_foreign_keys_enforced(&db).await;

        db::migrate::<Migrator>(&db).await.unwrap();
        assert_eq!(query_i64(&db, "SELECT COUNT(*) FROM seaql_migrations").await, 1);
        assert_eq!(
            query_i64(&db, "SELECT COUNT(*) FROM contract_notes").await,
            1,
            "a re-run must not touch data"
        );
    }

    #[tokio::test]
    async fn data_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/audit.db", dir.path().display());
        let db = db::connect(&config(url.as_str())).await.unwrap();
        db::migrate::<Migrator>(&db).await.unwrap();
        db.conn()
            .execute_unprepared("INSERT INTO contract_authors (id, name) VALUES (1, 'Ada')")
            .await
            .unwrap();
        db.close().await.unwrap();

        let db = db::connect(&config(url)).await.unwrap();
        db::migrate::<Migrator>(&db).await.unwrap();
        assert_eq!(
            query_string(&db, "SELECT name FROM contract_authors WHERE id = 1").await,
            "Ada"
        );
    }
}

mod postgres {
    use std::collections::BTreeSet;
    use std::panic::AssertUnwindSafe;

    use futures::FutureExt;
    use platform_tests::{postgres_url, unique_name};

    use super::*;

    /// Connects with a fresh schema, runs `body`, then drops the schema even when `body` panics.
    async fn with_fresh_schema<F, Fut>(max_connections: u32, body: F)
    where
        F: FnOnce(Database, String) -> Fut,
        Fut: Future<Output = ()>,
    {
        let schema = unique_name("contract");
        let mut config = config(postgres_url());
        config.schema = Some(schema.clone());
        config.max_connections = max_connections;
        let db = db::connect(&config).await.unwrap();
        let outcome = AssertUnwindSafe(body(db.clone(), schema.clone())).catch_unwind().await;
        db.conn()
            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await
            .unwrap();
        db.close().await.unwrap();
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }

    async fn tables_in(db: &Database, schema: &str) -> BTreeSet<String> {
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
            [schema.into()],
        );
        let rows = db.conn().query_all_raw(statement).await.unwrap();
        rows.iter()
            .map(|row| row.try_get_by_index::<String>(0).unwrap())
            .collect()
    }

    #[tokio::test]
    #[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
    async fn schema_is_created_and_every_pooled_connection_searches_it() {
        with_fresh_schema(4, |db, schema| async move {
            assert_eq!(db.backend(), DbBackend::Postgres);
            assert_eq!(db.schema().map(|s| s.as_str()), Some(schema.as_str()));
            let exists = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1",
                [schema.as_str().into()],
            );
            let count = db.conn().query_one_raw(exists).await.unwrap().unwrap();
            assert_eq!(count.try_get_by_index::<i64>(0).unwrap(), 1);

            // Four open transactions hold four distinct pooled connections at the same time.
            let mut transactions = Vec::new();
            for _ in 0..4 {
                transactions.push(db.conn().begin().await.unwrap());
            }
            let mut backends = BTreeSet::new();
            for transaction in &transactions {
                let sql = "SELECT current_schema()::text, pg_backend_pid()";
                let row = transaction.query_one_raw(Statement::from_string(DbBackend::Postgres, sql));
                let row = row.await.unwrap().unwrap();
                assert_eq!(row.try_get_by_index::<String>(0).unwrap(), schema);
                backends.insert(row.try_get_by_index::<i32>(1).unwrap());
            }
            assert_eq!(backends.len(), 4, "the check must cover distinct connections");
            for transaction in transactions {
                transaction.rollback().await.unwrap();
            }
            db.ping().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    #[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
    async fn migrations_and_their_bookkeeping_land_in_the_service_schema() {
        with_fresh_schema(2, |db, schema| async move {
            db::migrate::<Migrator>(&db).await.unwrap();
            let expected: BTreeSet<String> = ["contract_authors", "contract_notes", "seaql_migrations"]
                .map(str::to_owned)
                .into();
            assert_eq!(tables_in(&db, &schema).await, expected);
            assert!(!tables_in(&db, "public").await.contains("contract_notes"));
            insert_and_select_work_with_foreign_keys_enforced(&db).await;

            db::migrate::<Migrator>(&db).await.unwrap();
            assert_eq!(query_i64(&db, "SELECT COUNT(*) FROM seaql_migrations").await, 1);
        })
        .await;
    }

    #[tokio::test]
    #[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
    async fn connecting_again_to_an_existing_schema_is_fine() {
        with_fresh_schema(1, |db, schema| async move {
            db::migrate::<Migrator>(&db).await.unwrap();
            let mut again = config(postgres_url());
            again.schema = Some(schema);
            let second = db::connect(&again).await.unwrap();
            db::migrate::<Migrator>(&second).await.unwrap();
            assert_eq!(query_i64(&second, "SELECT COUNT(*) FROM contract_authors").await, 0);
            second.close().await.unwrap();
        })
        .await;
    }
}

#[tokio::test]
async fn schema_name_that_is_not_a_plain_identifier_is_refused() {
    for bad in [
        "Identity",
        "blog-posts",
        "x\"; DROP SCHEMA public CASCADE; --",
        "",
        "1st",
        "pg_temp",
    ] {
        let mut config = config("postgres://app:Sup3rSecretPw@127.0.0.1:1/app");
        config.schema = Some(bad.to_owned());
        let error = db::connect(&config).await.expect_err("the schema name must be refused");
        assert!(matches!(error, DbError::InvalidSchema { .. }), "{bad:?}: {error}");
    }
}

#[tokio::test]
async fn connection_error_does_not_reveal_the_password() {
    let port = platform_tests::free_port();
    let mut config = config(format!("postgres://app:Sup3rSecretPw@127.0.0.1:{port}/app"));
    config.connect_timeout_ms = 1_000;
    let error = db::connect(&config).await.expect_err("nothing listens on the port");
    assert!(matches!(error, DbError::ConnectTimeout { .. }), "{error}");
    assert!(
        error.to_string().to_lowercase().contains("refused"),
        "the reason should be named: {error}"
    );
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("Sup3rSecretPw"), "{text}");
    }
}

#[tokio::test]
async fn unparsable_url_error_does_not_reveal_it() {
    let error = db::connect(&config("postgres://app:Sup3rSecretPw@127.0.0.1:notaport/app"))
        .await
        .unwrap_err();
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("Sup3rSecretPw"), "{text}");
    }
}

#[tokio::test]
async fn unknown_scheme_is_refused() {
    let error = db::connect(&config("mysql://root:Sup3rSecretPw@127.0.0.1/app"))
        .await
        .unwrap_err();
    assert!(matches!(error, DbError::UnsupportedUrl { .. }), "{error}");
    assert!(!error.to_string().contains("Sup3rSecretPw"));
}
