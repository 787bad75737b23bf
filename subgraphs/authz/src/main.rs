//! The `authz` binary: `authz serve [--config FILE]` runs the service; `authz sdl` prints its subgraph SDL.

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::path::Path;
use std::process::ExitCode;

use authz::cli::{Cli, Command};
use authz::{AuthzApp, AuthzConfig};
use clap::Parser;

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    let Cli { command } = Cli::parse();
    let outcome = match command {
        Command::Serve { config } => serve(config.as_deref()).await,
        Command::BindRole {
            config,
            subject,
            role,
            resource,
        } => bind_role(config.as_deref(), &subject, &role, resource.as_deref()).await,
        Command::Sdl => {
            print!("{}", authz::graphql::sdl());
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("authz: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(file: Option<&Path>) -> Result<(), Error> {
    let config = AuthzConfig::load(file)?;
    let telemetry = kernel::telemetry::init("authz", &config.telemetry)?;
    let app = AuthzApp::from_config(config).await?.with_telemetry(telemetry);
    let running = app.start().await?;
    tracing::info!(http = %running.http_addr(), grpc = ?running.grpc_addr(), "authz is serving");
    running.wait(kernel::server::termination()?).await;
    Ok(())
}

async fn bind_role(file: Option<&Path>, subject: &str, role: &str, resource: Option<&str>) -> Result<(), Error> {
    let app = AuthzApp::from_config(AuthzConfig::load(file)?).await?;
    let binding = app.manager().bind_role("cli", subject, role, resource).await?;
    println!("bound `{role}` to {subject} (binding {})", binding.id);
    Ok(())
}
