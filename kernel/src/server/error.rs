//! What can go wrong while starting a server.

use std::net::SocketAddr;

use thiserror::Error;

/// A server start-up failure.
#[derive(Debug, Error)]
pub enum ServerError {
    /// A listener could not bind its address (in use, not local, no permission).
    #[error("cannot bind the {listener} listener to {addr} (server.{listener}_addr): {source}")]
    Bind {
        /// `http` or `grpc`.
        listener: &'static str,
        /// The configured address.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The bound address of a listener could not be read back.
    #[error("cannot read the bound address of the {listener} listener: {source}")]
    LocalAddr {
        /// `http` or `grpc`.
        listener: &'static str,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// gRPC services were given but no address to serve them on.
    #[error("the service serves gRPC but server.grpc_addr is not configured")]
    GrpcAddrMissing,
    /// The SIGINT/SIGTERM handlers could not be installed.
    #[error("cannot listen for shutdown signals: {0}")]
    Signal(std::io::Error),
}
