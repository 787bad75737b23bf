//! SeaORM entities of identity's tables.

/// `users`: one row per account.
pub mod users {
    use sea_orm::entity::prelude::*;

    /// A user row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        /// UUIDv7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// As the user wrote it.
        pub email: String,
        /// Lower-cased, unique.
        pub email_key: String,
        /// The name shown to others.
        pub display_name: String,
        /// `active` or `disabled`.
        pub status: String,
        /// When the account was created.
        pub created_at: DateTimeUtc,
        /// When the row last changed.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through SeaORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `credentials`: the password hash of each user, apart from the user row so no user query ever reads it.
pub mod credentials {
    use sea_orm::entity::prelude::*;

    /// A credential row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "credentials")]
    pub struct Model {
        /// The user it belongs to.
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        /// argon2id PHC string.
        pub password_hash: String,
        /// When the password was last set.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through SeaORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `refresh_tokens`: hashed refresh tokens, grouped into families.
pub mod refresh_tokens {
    use sea_orm::entity::prelude::*;

    /// A refresh token row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refresh_tokens")]
    pub struct Model {
        /// Row id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The user the session belongs to.
        pub user_id: Uuid,
        /// Every token descended from one sign-in shares this id.
        pub family_id: Uuid,
        /// Hex SHA-256 of the token.
        pub token_hash: String,
        /// When it was issued.
        pub created_at: DateTimeUtc,
        /// When it stops being accepted.
        pub expires_at: DateTimeUtc,
        /// When it was exchanged for a new one; a second use is a replay.
        pub used_at: Option<DateTimeUtc>,
        /// When it was revoked (sign-out, replay, disabled user).
        pub revoked_at: Option<DateTimeUtc>,
    }

    /// No relations are navigated through SeaORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
