//! The blog's tables as SeaORM entities.

pub mod comment;
pub mod post;
pub mod post_tag;
