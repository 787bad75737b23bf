//! What audit consumes: every configured topic, as one consumer group, each usable event stored as a record
//! ([`AuditConsumer`]) and each unusable message moved to the dead-letter topic ([`dead_letter`]).

mod consumer;
pub mod dead_letter;
mod metrics;

pub use consumer::AuditConsumer;
pub use metrics::ConsumerMetrics;

#[cfg(test)]
mod tests;
