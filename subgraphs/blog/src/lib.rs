//! The blog service: posts (drafts, published, archived) with Markdown bodies, slugs and tags, and comments under
//! published posts. It contributes `posts` to identity's `User`, asks authz before every write, and publishes
//! every change to `blog.events` through its outbox.
//!
//! Read it in this order: [`domain`] (the rules, no I/O), [`store`] (the tables, with batched reads),
//! [`changes`] and [`events`] (writes and the events they publish), [`graphql`] and [`grpc`], then [`app`], which
//! wires them on the kernel.

pub mod app;
pub mod changes;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod grpc;
pub mod store;

pub use app::{AppError, BlogApp, BlogDeps, RunningBlog};
pub use config::BlogConfig;
