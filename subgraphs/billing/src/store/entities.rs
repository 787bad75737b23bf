//! Billing's tables as SeaORM entities; each module is one table, with no relations declared (reads join by id).

/// `plans`: what can be subscribed to.
pub mod plan {
    use sea_orm::entity::prelude::*;

    /// One plan row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plans")]
    pub struct Model {
        /// The plan's id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The unique code.
        pub code: String,
        /// The name shown to people.
        pub name: String,
        /// The price in minor units.
        pub price_minor: i64,
        /// The price's ISO 4217 code.
        pub currency: String,
        /// `month` or `year`.
        pub billing_interval: String,
        /// Days of free trial.
        pub trial_days: i32,
        /// Whether new subscriptions may choose it.
        pub active: bool,
        /// When it was created.
        pub created_at: DateTimeUtc,
    }

    /// No relations declared.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `subscriptions`: a user on a plan.
pub mod subscription {
    use sea_orm::entity::prelude::*;

    /// One subscription row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "subscriptions")]
    pub struct Model {
        /// The subscription's id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Whose it is.
        pub user_id: String,
        /// The plan.
        pub plan_id: Uuid,
        /// `trialing`, `active`, `past_due` or `canceled`.
        pub status: String,
        /// Where paid periods are counted from.
        pub anchor: DateTimeUtc,
        /// The current paid period's index.
        pub period_index: i32,
        /// The current period's start.
        pub period_start: DateTimeUtc,
        /// The current period's end.
        pub period_end: DateTimeUtc,
        /// When the trial ends.
        pub trial_end: Option<DateTimeUtc>,
        /// When it was canceled.
        pub canceled_at: Option<DateTimeUtc>,
        /// When it was created.
        pub created_at: DateTimeUtc,
        /// When it last changed.
        pub updated_at: DateTimeUtc,
    }

    /// No relations declared.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `invoices`: what a user owes.
pub mod invoice {
    use sea_orm::entity::prelude::*;

    /// One invoice row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoices")]
    pub struct Model {
        /// The invoice's id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Who owes it.
        pub user_id: String,
        /// The subscription it bills.
        pub subscription_id: Option<Uuid>,
        /// `draft`, `open`, `paid` or `void`.
        pub status: String,
        /// The ISO 4217 code of every amount on it.
        pub currency: String,
        /// The sum of its lines, in minor units.
        pub subtotal_minor: i64,
        /// What is owed, in minor units.
        pub total_minor: i64,
        /// The billed period's start.
        pub period_start: Option<DateTimeUtc>,
        /// The billed period's end.
        pub period_end: Option<DateTimeUtc>,
        /// When payment is due.
        pub due_at: DateTimeUtc,
        /// When it was created.
        pub created_at: DateTimeUtc,
        /// When it was paid.
        pub paid_at: Option<DateTimeUtc>,
        /// When it was voided.
        pub voided_at: Option<DateTimeUtc>,
    }

    /// No relations declared.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `invoice_lines`: what an invoice bills.
pub mod invoice_line {
    use sea_orm::entity::prelude::*;

    /// One line row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoice_lines")]
    pub struct Model {
        /// The line's id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The invoice it is on.
        pub invoice_id: Uuid,
        /// Its place on the invoice, from 0.
        pub position: i32,
        /// What is billed.
        pub description: String,
        /// How many.
        pub quantity: i64,
        /// The price of one, in minor units.
        pub unit_price_minor: i64,
        /// `quantity × unit price`, in minor units.
        pub amount_minor: i64,
    }

    /// No relations declared.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `payments`: money received against an invoice.
pub mod payment {
    use sea_orm::entity::prelude::*;

    /// One payment row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payments")]
    pub struct Model {
        /// The payment's id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The invoice paid.
        pub invoice_id: Uuid,
        /// Who paid.
        pub payer_id: String,
        /// The amount, in minor units.
        pub amount_minor: i64,
        /// The amount's ISO 4217 code.
        pub currency: String,
        /// The payer's key for this payment.
        pub idempotency_key: String,
        /// When it was recorded.
        pub created_at: DateTimeUtc,
    }

    /// No relations declared.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
