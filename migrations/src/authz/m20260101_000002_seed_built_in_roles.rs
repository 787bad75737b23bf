//! Seeds the built-in roles: `admin` (everything), `editor` (post and comment moderation) and `member` (what every
//! signed-up user may do). The authz service marks them built-in, so they can be changed but never deleted.

use sea_orm_migration::prelude::{DbErr, DeriveIden, Expr, Query};
use sea_orm_migration::sea_orm::sea_query::{ExprTrait, OnConflict};
// `DeriveIden` expands to paths under `sea_orm`, which this crate reaches through sea_orm_migration.
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// The migration; see the module docs.
pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000002_authz_seed_built_in_roles"
    }
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Name,
    Description,
    BuiltIn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RolePermissions {
    Table,
    Role,
    Permission,
}

/// `(name, description, permissions)` of every built-in role.
const BUILT_IN_ROLES: [(&str, &str, &[&str]); 3] = [
    ("admin", "Administrators: every action on every resource.", &["*:*"]),
    (
        "editor",
        "Editors: write, publish and moderate posts and comments.",
        &[
            "post:read",
            "post:create",
            "post:edit",
            "post:publish",
            "post:archive",
            "post:delete",
            "comment:read",
            "comment:create",
            "comment:edit",
            "comment:delete",
        ],
    ),
    (
        "member",
        "Members: read, write their own posts and comments, subscribe.",
        &[
            "post:read",
            "post:create",
            "comment:read",
            "comment:create",
            "subscription:create",
        ],
    ),
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, description, permissions) in BUILT_IN_ROLES {
            let mut insert = Query::insert();
            insert
                .into_table(Roles::Table)
                .columns([
                    Roles::Name,
                    Roles::Description,
                    Roles::BuiltIn,
                    Roles::CreatedAt,
                    Roles::UpdatedAt,
                ])
                .values([
                    name.into(),
                    description.into(),
                    true.into(),
                    Expr::current_timestamp(),
                    Expr::current_timestamp(),
                ])
                .map_err(seed_error)?
                .on_conflict(OnConflict::column(Roles::Name).do_nothing().to_owned());
            manager.exec_stmt(insert).await?;
            for permission in permissions {
                let mut insert = Query::insert();
                insert
                    .into_table(RolePermissions::Table)
                    .columns([RolePermissions::Role, RolePermissions::Permission])
                    .values([name.into(), (*permission).into()])
                    .map_err(seed_error)?
                    .on_conflict(
                        OnConflict::columns([RolePermissions::Role, RolePermissions::Permission])
                            .do_nothing()
                            .to_owned(),
                    );
                manager.exec_stmt(insert).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _, _) in BUILT_IN_ROLES {
            let mut delete = Query::delete();
            delete
                .from_table(RolePermissions::Table)
                .and_where(Expr::col(RolePermissions::Role).eq(name));
            manager.exec_stmt(delete).await?;
            let mut delete = Query::delete();
            delete
                .from_table(Roles::Table)
                .and_where(Expr::col(Roles::Name).eq(name));
            manager.exec_stmt(delete).await?;
        }
        Ok(())
    }
}

fn seed_error(error: sea_orm_migration::sea_orm::sea_query::error::Error) -> DbErr {
    DbErr::Migration(format!("building the seed statement: {error}"))
}
