//! The `identity` binary: `identity serve [--config FILE]` runs the service; `identity sdl` prints its
//! federation SDL (committed as `schema/identity.graphql`).

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use identity::config::IdentityConfig;

/// The identity service.
#[derive(Debug, Parser)]
#[command(name = "identity", about = "Users, credentials, sessions and tokens")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve GraphQL, the JWKS and gRPC.
    Serve {
        /// A TOML config file; `PLATFORM__…` variables override it.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Print the federation SDL.
    Sdl,
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Serve { config } => serve(config).await,
        Command::Sdl => {
            print!("{}", identity::graphql::sdl());
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole cause chain on one line, without a backtrace: this is for operators.
            eprintln!("identity: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(file: Option<PathBuf>) -> anyhow::Result<()> {
    let config = IdentityConfig::load(file.as_deref()).context("load the configuration")?;
    let telemetry = kernel::telemetry::init("identity", &config.telemetry).context("start telemetry")?;
    let app = identity::bootstrap::from_config(config)
        .await
        .context("start identity")?;
    let running = app.start(Some(telemetry)).await.context("bind the listeners")?;
    running.wait().await.context("serve")?;
    Ok(())
}
