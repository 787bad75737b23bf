//! Database migrations, one SeaORM migrator per service. Each service's tables live in its own PostgreSQL schema
//! (or its own SQLite file), and every migrator starts with the kernel's `outbox` table, so a service can write
//! an event in the same transaction as the change it describes.

pub mod audit;
pub mod authz;
pub mod billing;
pub mod blog;
pub mod identity;
