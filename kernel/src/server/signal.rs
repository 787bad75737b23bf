//! The operating-system signals that ask a service to stop.

use std::future::Future;

use super::error::ServerError;

/// Installs the SIGINT (Ctrl-C) and SIGTERM handlers now, so a failure surfaces before serving, and returns a
/// future that completes when either signal arrives.
pub fn termination() -> Result<impl Future<Output = ()> + Send, ServerError> {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).map_err(ServerError::Signal)?;
    #[cfg(unix)]
    let mut interrupt =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).map_err(ServerError::Signal)?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = terminate.recv() => tracing::info!("received SIGTERM"),
            _ = interrupt.recv() => tracing::info!("received SIGINT"),
        }
        #[cfg(not(unix))]
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("received Ctrl-C"),
            Err(error) => {
                tracing::error!(%error, "cannot listen for Ctrl-C; stopping only on request");
                std::future::pending::<()>().await;
            }
        }
    })
}
