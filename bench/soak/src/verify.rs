//! No acknowledged write was lost: every id the router answered a write with is looked up in PostgreSQL after the
//! load, in the state the write put it in. A row with no acknowledgement (its request timed out on the client,
//! say) is counted separately: it is not a loss.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::backends::RunDatabase;
use crate::error::SoakError;
use crate::stats::Acknowledged;

/// One kind of write, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteCheck {
    /// What was written, e.g. `posts`, `published`.
    pub kind: &'static str,
    /// Acknowledged by the router.
    pub acknowledged: usize,
    /// Of those, found in PostgreSQL in the state written.
    pub stored: usize,
    /// Rows of this kind no acknowledgement named (for kinds that create rows).
    pub unacknowledged_rows: Option<usize>,
}

impl WriteCheck {
    /// Acknowledged but not found.
    pub fn lost(&self) -> usize {
        self.acknowledged - self.stored
    }
}

/// Every kind of write, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Per kind, in report order.
    pub checks: Vec<WriteCheck>,
}

impl Verification {
    /// Acknowledged writes of every kind.
    pub fn acknowledged(&self) -> usize {
        self.checks.iter().map(|check| check.acknowledged).sum()
    }

    /// Of those, found.
    pub fn stored(&self) -> usize {
        self.checks.iter().map(|check| check.stored).sum()
    }

    /// Acknowledged but not found.
    pub fn lost(&self) -> usize {
        self.checks.iter().map(WriteCheck::lost).sum()
    }
}

/// Looks every acknowledged write up in the run's database.
pub async fn verify(database: &RunDatabase, acknowledged: &Acknowledged) -> Result<Verification, SoakError> {
    let conn = database.connect().await?;
    let posts = rows(&conn, "SELECT id::text AS id, status AS state FROM blog.posts").await?;
    let comments = rows(&conn, "SELECT id::text AS id, '' AS state FROM blog.comments").await?;
    let subscriptions = rows(
        &conn,
        "SELECT id::text AS id, status AS state FROM billing.subscriptions",
    )
    .await?;
    let payments = rows(&conn, "SELECT id::text AS id, '' AS state FROM billing.payments").await?;
    let invoices = rows(&conn, "SELECT id::text AS id, status AS state FROM billing.invoices").await?;
    let _ = conn.close().await;
    Ok(Verification {
        checks: vec![
            check("posts", &acknowledged.posts, &posts, None),
            check("published", &acknowledged.published, &posts, Some("published")),
            check("comments", &acknowledged.comments, &comments, None),
            check("subscriptions", &acknowledged.subscriptions, &subscriptions, None),
            check(
                "cancellations",
                &acknowledged.cancelled,
                &subscriptions,
                Some("canceled"),
            ),
            check("payments", &acknowledged.payments, &payments, None),
            check("paid invoices", &acknowledged.paid_invoices, &invoices, Some("paid")),
        ],
    })
}

/// `id → state` for every row `sql` selects (columns `id` and `state`).
async fn rows(conn: &DatabaseConnection, sql: &str) -> Result<BTreeMap<String, String>, SoakError> {
    let found = conn
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .map_err(SoakError::postgres(format!("read back: {sql}")))?;
    found
        .iter()
        .map(|row| -> Result<(String, String), sea_orm::DbErr> {
            let id: String = row.try_get("", "id")?;
            let state: String = row.try_get("", "state")?;
            Ok((id, state))
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(SoakError::postgres(format!("read a row of: {sql}")))
}

/// How many of `acknowledged` are among `rows`, in `state` when one is asked for. A kind without a state is a
/// kind of row, whose unacknowledged rows are counted too.
fn check(
    kind: &'static str,
    acknowledged: &BTreeSet<String>,
    rows: &BTreeMap<String, String>,
    state: Option<&str>,
) -> WriteCheck {
    let stored = acknowledged
        .iter()
        .filter(|id| {
            rows.get(*id)
                .is_some_and(|found| state.is_none_or(|state| found == state))
        })
        .count();
    WriteCheck {
        kind,
        acknowledged: acknowledged.len(),
        stored,
        unacknowledged_rows: state.is_none().then(|| rows.len() - stored),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn an_acknowledged_id_missing_or_in_another_state_is_lost_and_an_extra_row_is_not() {
        let rows: BTreeMap<String, String> = [("a", "published"), ("b", "draft"), ("c", "draft")]
            .into_iter()
            .map(|(id, state)| (id.to_owned(), state.to_owned()))
            .collect();
        let created = check("posts", &set(&["a", "b", "z"]), &rows, None);
        assert_eq!((created.acknowledged, created.stored, created.lost()), (3, 2, 1));
        assert_eq!(
            created.unacknowledged_rows,
            Some(1),
            "c was written but never acknowledged"
        );
        let published = check("published", &set(&["a", "b"]), &rows, Some("published"));
        assert_eq!(
            (published.stored, published.lost(), published.unacknowledged_rows),
            (1, 1, None)
        );
        let verification = Verification {
            checks: vec![created, published],
        };
        assert_eq!(
            (verification.acknowledged(), verification.stored(), verification.lost()),
            (5, 3, 2)
        );
    }
}
