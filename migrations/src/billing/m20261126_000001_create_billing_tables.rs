//! Creates billing's tables: `plans`, `subscriptions`, `invoices`, `invoice_lines` and `payments`.
//!
//! Money is stored as a BIGINT count of minor units next to its ISO 4217 code, never as a float. The invariants
//! that concurrent requests could otherwise break are the database's to keep:
//! - one current (not canceled) subscription per user: a partial unique index on `subscriptions (user_id)`;
//! - one invoice per subscription period: a unique index on `invoices (subscription_id, period_start)`, so two
//!   replicas renewing at once cannot bill a period twice;
//! - one payment per idempotency key of a payer, and one payment per invoice: unique indexes on `payments`, so
//!   duplicate requests racing each other still record a single payment.

use sea_orm_migration::prelude::{ColumnDef, DbErr, DeriveIden, ForeignKey, ForeignKeyAction, Index, Table};
// `DeriveIden` expands to paths under `sea_orm`, which this crate reaches through sea_orm_migration.
use sea_orm_migration::sea_orm;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// The migration; see the module docs.
pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_billing_create_billing_tables"
    }
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    Id,
    Code,
    Name,
    PriceMinor,
    Currency,
    BillingInterval,
    TrialDays,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    UserId,
    PlanId,
    Status,
    Anchor,
    PeriodIndex,
    PeriodStart,
    PeriodEnd,
    TrialEnd,
    CanceledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Invoices {
    Table,
    Id,
    UserId,
    SubscriptionId,
    Status,
    Currency,
    SubtotalMinor,
    TotalMinor,
    PeriodStart,
    PeriodEnd,
    DueAt,
    CreatedAt,
    PaidAt,
    VoidedAt,
}

#[derive(DeriveIden)]
enum InvoiceLines {
    Table,
    Id,
    InvoiceId,
    Position,
    Description,
    Quantity,
    UnitPriceMinor,
    AmountMinor,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    InvoiceId,
    PayerId,
    AmountMinor,
    Currency,
    IdempotencyKey,
    CreatedAt,
}

/// Valid on PostgreSQL and SQLite alike; the builder has no partial indexes.
const ONE_CURRENT_SUBSCRIPTION: &str =
    "CREATE UNIQUE INDEX subscriptions_one_current_per_user ON subscriptions (user_id) WHERE status <> 'canceled'";

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Plans::Table)
                    .col(ColumnDef::new(Plans::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Plans::Code).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(Plans::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Plans::PriceMinor).big_integer().not_null())
                    .col(ColumnDef::new(Plans::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(Plans::BillingInterval).string_len(8).not_null())
                    .col(ColumnDef::new(Plans::TrialDays).integer().not_null())
                    .col(ColumnDef::new(Plans::Active).boolean().not_null())
                    .col(ColumnDef::new(Plans::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(ColumnDef::new(Subscriptions::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Subscriptions::UserId).string_len(256).not_null())
                    .col(ColumnDef::new(Subscriptions::PlanId).uuid().not_null())
                    .col(ColumnDef::new(Subscriptions::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Subscriptions::Anchor)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Subscriptions::PeriodIndex).integer().not_null())
                    .col(
                        ColumnDef::new(Subscriptions::PeriodStart)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::PeriodEnd)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::TrialEnd)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::CanceledAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subscriptions_plan")
                            .from(Subscriptions::Table, Subscriptions::PlanId)
                            .to(Plans::Table, Plans::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invoices::Table)
                    .col(ColumnDef::new(Invoices::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Invoices::UserId).string_len(256).not_null())
                    .col(ColumnDef::new(Invoices::SubscriptionId).uuid().null())
                    .col(ColumnDef::new(Invoices::Status).string_len(8).not_null())
                    .col(ColumnDef::new(Invoices::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(Invoices::SubtotalMinor).big_integer().not_null())
                    .col(ColumnDef::new(Invoices::TotalMinor).big_integer().not_null())
                    .col(ColumnDef::new(Invoices::PeriodStart).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Invoices::PeriodEnd).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Invoices::DueAt).timestamp_with_time_zone().not_null())
                    .col(
                        ColumnDef::new(Invoices::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Invoices::PaidAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Invoices::VoidedAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoices_subscription")
                            .from(Invoices::Table, Invoices::SubscriptionId)
                            .to(Subscriptions::Table, Subscriptions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InvoiceLines::Table)
                    .col(ColumnDef::new(InvoiceLines::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(InvoiceLines::InvoiceId).uuid().not_null())
                    .col(ColumnDef::new(InvoiceLines::Position).integer().not_null())
                    .col(ColumnDef::new(InvoiceLines::Description).string_len(500).not_null())
                    .col(ColumnDef::new(InvoiceLines::Quantity).big_integer().not_null())
                    .col(ColumnDef::new(InvoiceLines::UnitPriceMinor).big_integer().not_null())
                    .col(ColumnDef::new(InvoiceLines::AmountMinor).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoice_lines_invoice")
                            .from(InvoiceLines::Table, InvoiceLines::InvoiceId)
                            .to(Invoices::Table, Invoices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payments::Table)
                    .col(ColumnDef::new(Payments::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Payments::InvoiceId).uuid().not_null())
                    .col(ColumnDef::new(Payments::PayerId).string_len(256).not_null())
                    .col(ColumnDef::new(Payments::AmountMinor).big_integer().not_null())
                    .col(ColumnDef::new(Payments::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(Payments::IdempotencyKey).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Payments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payments_invoice")
                            .from(Payments::Table, Payments::InvoiceId)
                            .to(Invoices::Table, Invoices::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes = [
            Index::create()
                .name("idx_subscriptions_user")
                .table(Subscriptions::Table)
                .col(Subscriptions::UserId)
                .col(Subscriptions::CreatedAt)
                .to_owned(),
            // The renewal scans live subscriptions whose period has ended.
            Index::create()
                .name("idx_subscriptions_due_for_renewal")
                .table(Subscriptions::Table)
                .col(Subscriptions::Status)
                .col(Subscriptions::PeriodEnd)
                .to_owned(),
            Index::create()
                .name("idx_invoices_one_per_period")
                .table(Invoices::Table)
                .col(Invoices::SubscriptionId)
                .col(Invoices::PeriodStart)
                .unique()
                .to_owned(),
            // A user's invoices are paged newest first; the id breaks ties.
            Index::create()
                .name("idx_invoices_user_created")
                .table(Invoices::Table)
                .col(Invoices::UserId)
                .col(Invoices::CreatedAt)
                .col(Invoices::Id)
                .to_owned(),
            Index::create()
                .name("idx_invoices_overdue")
                .table(Invoices::Table)
                .col(Invoices::Status)
                .col(Invoices::DueAt)
                .to_owned(),
            Index::create()
                .name("idx_invoice_lines_position")
                .table(InvoiceLines::Table)
                .col(InvoiceLines::InvoiceId)
                .col(InvoiceLines::Position)
                .unique()
                .to_owned(),
            Index::create()
                .name("idx_payments_idempotency_key")
                .table(Payments::Table)
                .col(Payments::PayerId)
                .col(Payments::IdempotencyKey)
                .unique()
                .to_owned(),
            Index::create()
                .name("idx_payments_one_per_invoice")
                .table(Payments::Table)
                .col(Payments::InvoiceId)
                .unique()
                .to_owned(),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        manager
            .get_connection()
            .execute_unprepared(ONE_CURRENT_SUBSCRIPTION)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["payments", "invoice_lines", "invoices", "subscriptions", "plans"] {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
