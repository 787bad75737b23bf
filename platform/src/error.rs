//! Why the local stack could not be started, seeded or stopped. Each wrapped error is the `source`, not part of
//! the message, so printing the chain (`{:#}`) names every cause once.

use std::path::PathBuf;

/// Everything that can stop `platform dev`.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// A file or folder in the data folder could not be read or written.
    #[error("{}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// identity's signing key could not be generated.
    #[error("generate identity's signing key: {0}")]
    Key(String),
    /// identity could not be built or bound.
    #[error("identity")]
    Identity(#[from] identity::error::StartError),
    /// authz could not be built or bound.
    #[error("authz")]
    Authz(#[from] authz::AppError),
    /// audit could not be built or bound.
    #[error("audit")]
    Audit(#[from] audit::AppError),
    /// blog could not be built or bound.
    #[error("blog")]
    Blog(#[from] blog::AppError),
    /// billing could not be built or bound.
    #[error("billing")]
    Billing(#[from] billing::AppError),
    /// The router could not load the supergraph or bind its listener.
    #[error("router")]
    Router(#[from] router::gateway::GatewayError),
    /// No free loopback port could be found for authz's gRPC listener.
    #[error("find a free port for authz's gRPC listener")]
    FreePort(#[source] std::io::Error),
    /// A service started without the gRPC listener the others need to reach it.
    #[error("{0} is not serving gRPC")]
    NoGrpc(&'static str),
    /// A step of seeding the demo data failed.
    #[error("seed the demo data: {step}: {message}")]
    Seed {
        /// What was being done.
        step: String,
        /// What went wrong.
        message: String,
    },
    /// The progress output could not be written.
    #[error("write the progress output")]
    Output(#[source] std::io::Error),
}

impl DevError {
    /// A seeding failure at `step`.
    pub fn seed(step: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self::Seed {
            step: step.into(),
            message: message.to_string(),
        }
    }
}
