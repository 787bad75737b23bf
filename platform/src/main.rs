//! The `platform` binary: `platform dev` runs the whole platform on this machine until Ctrl-C.

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use platform::cli::{Cli, Command, DevArgs};
use platform::{DevConfig, DevStack};

#[tokio::main]
async fn main() -> ExitCode {
    let Cli { command } = Cli::parse();
    let outcome = match command {
        Command::Dev(args) => dev(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole cause chain on one line, without a backtrace: this is for people.
            eprintln!("platform: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dev(args: DevArgs) -> anyhow::Result<()> {
    let loaded = DevConfig::load(args.config.as_deref()).context("load the configuration")?;
    let config = args.apply(loaded);
    let telemetry = kernel::telemetry::init("platform", &config.telemetry).context("start telemetry")?;
    // Installed before anything starts, so Ctrl-C during start-up ends the process instead of being lost; what
    // start-up left half done (a seeding cut short) is finished at the next start.
    let mut signal = std::pin::pin!(kernel::server::termination().context("listen for Ctrl-C")?);
    let mut stdout = std::io::stdout();
    let stack = tokio::select! {
        started = DevStack::start(&config, &mut stdout) => started.context("start the platform")?,
        () = &mut signal => return Ok(()),
    };
    stack.run_until(signal).await;
    println!("platform dev: stopped");
    tokio::task::spawn_blocking(move || telemetry.shutdown())
        .await
        .context("flush telemetry")?
        .context("flush telemetry")?;
    Ok(())
}
