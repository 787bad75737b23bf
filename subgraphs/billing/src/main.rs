//! The `billing` binary: `billing serve [--config FILE]` runs the service; `billing sdl` prints its subgraph SDL.

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::path::Path;
use std::process::ExitCode;

use billing::cli::{Cli, Command};
use billing::{BillingApp, BillingConfig};
use clap::Parser;

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    let Cli { command } = Cli::parse();
    let outcome = match command {
        Command::Serve { config } => serve(config.as_deref()).await,
        Command::Sdl => {
            print!("{}", billing::graphql::sdl());
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("billing: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(file: Option<&Path>) -> Result<(), Error> {
    let config = BillingConfig::load(file)?;
    let telemetry = kernel::telemetry::init("billing", &config.telemetry)?;
    let app = BillingApp::from_config(config).await?.with_telemetry(telemetry);
    let running = app.start().await?;
    tracing::info!(http = %running.http_addr(), grpc = ?running.grpc_addr(), "billing is serving");
    running.wait(kernel::server::termination()?).await;
    Ok(())
}
