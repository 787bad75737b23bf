//! The `router` binary: `router serve --supergraph PATH [--config router.toml]`.

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::process::ExitCode;

use clap::Parser;
use router::config::cli::{Cli, Command, ServeArgs};

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    let Cli { command } = Cli::parse();
    let outcome = match command {
        Command::Serve(args) => serve(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("router: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), Error> {
    let config = args.load_config()?;
    let telemetry = kernel::telemetry::init("router", &config.telemetry)?;
    let running = router::gateway::start(config, Some(telemetry)).await?;
    tracing::info!(addr = %running.server.http_addr(), "router started");
    running.server.serve().await?;
    Ok(())
}
