//! The log is append-only in the database itself: raw SQL cannot update, delete or truncate a record.

use sea_orm::{ConnectionTrait, DbErr};

use crate::harness::{Db, Harness, Options, record};

async fn refused(h: &Harness, sql: &str) -> DbErr {
    h.db.conn()
        .execute_unprepared(sql)
        .await
        .expect_err(&format!("`{sql}` was allowed"))
}

async fn update_and_delete_are_refused(h: Harness) {
    let r = record("u1", "post.publish", "post:1", chrono::Utc::now());
    h.store.append(&r).await.unwrap();
    let before = h.store.all().await.unwrap();
    for sql in [
        "UPDATE audit_records SET actor = 'someone else'",
        "DELETE FROM audit_records",
    ] {
        let error = refused(&h, sql).await;
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    if h.db.backend() == sea_orm::DbBackend::Postgres {
        let error = refused(&h, "TRUNCATE audit_records").await;
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    assert_eq!(h.store.all().await.unwrap(), before);
    h.finish().await;
}

#[tokio::test]
async fn on_sqlite_raw_update_and_delete_are_refused() {
    update_and_delete_are_refused(Harness::start().await).await;
}

#[tokio::test]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn on_postgres_raw_update_delete_and_truncate_are_refused() {
    let options = Options {
        db: Db::Postgres,
        ..Options::default()
    };
    update_and_delete_are_refused(Harness::start_with(options).await).await;
}
