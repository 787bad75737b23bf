//! The query root: `auditLog`.

use async_graphql::{Context, Object};
use kernel::graphql::Caller;

use super::Services;
use super::types::{AuditLogFilter, AuditRecordConnection, AuditRecordEdge, PageInfo};
use crate::domain::page::{DEFAULT_PAGE_SIZE, parse_time};
use crate::domain::{Cursor, InvalidInput, LogFilter, PageSize};
use crate::error::AuditError;

/// The subgraph's query root.
#[derive(Debug, Default)]
pub struct Query;

#[Object]
impl Query {
    /// The audit log, newest first: `first` records (20 when not given, at most 100) after the cursor `after`,
    /// matching `filter`. Administrators only: the caller needs `audit_log:read` in authz.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<AuditRecordConnection> {
        let caller = ctx.data::<Caller>()?;
        let claims = caller.require()?;
        let services = ctx.data::<Services>()?;
        // `require` succeeded, so the request carried the token that verified to these claims.
        let token = caller.token().ok_or_else(|| {
            kernel::graphql::error(kernel::error_code::ErrorCode::Unauthenticated, "sign in to do this")
        })?;
        let allowed = services
            .access
            .may_read_log(&claims.sub, token)
            .await
            .map_err(|error| AuditError::from(error).to_graphql())?;
        if !allowed {
            return Err(AuditError::Forbidden("reading the audit log needs `audit_log:read`".to_owned()).to_graphql());
        }
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        let (filter, after, size) = arguments(filter.unwrap_or_default(), first, after.as_deref())
            .map_err(|error| AuditError::from(error).to_graphql())?;
        let page = services
            .store
            .page(&filter, after, size)
            .await
            .map_err(|error| AuditError::from(error).to_graphql())?;
        let edges: Vec<AuditRecordEdge> = page.records.into_iter().map(AuditRecordEdge::from).collect();
        let end_cursor = edges.last().map(|edge| edge.cursor.clone());
        Ok(AuditRecordConnection {
            edges,
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
        })
    }
}

/// The client's arguments, parsed; the first bad one is refused.
fn arguments(
    filter: AuditLogFilter,
    first: i32,
    after: Option<&str>,
) -> Result<(LogFilter, Option<Cursor>, PageSize), InvalidInput> {
    let size = PageSize::new(first)?;
    let after = after.map(Cursor::decode).transpose()?;
    let from = filter.from.as_deref().map(|t| parse_time(t, "from")).transpose()?;
    let to = filter.to.as_deref().map(|t| parse_time(t, "to")).transpose()?;
    Ok((
        LogFilter {
            actor: filter.actor,
            resource: filter.resource,
            action: filter.action,
            from,
            to,
        },
        after,
        size,
    ))
}
