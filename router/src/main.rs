//! The `router` binary: `router serve`, `router compose` and `router check`.

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::process::ExitCode;

use clap::Parser;
use router::config::cli::{CheckArgs, Cli, Command, ComposeArgs, OutputFormat, ServeArgs};

type Error = Box<dyn std::error::Error>;

/// mimalloc: small, frequent allocations (JSON values, request buffers) are the router's allocation pattern, and
/// it serves them faster and with less fragmentation than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let Cli { command } = Cli::parse();
    let outcome = match command {
        Command::Serve(args) => serve(args).await.map(|()| true),
        Command::Compose(args) => compose(args).await.map(|()| true),
        Command::Check(args) => check(args).await,
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
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

async fn compose(args: ComposeArgs) -> Result<(), Error> {
    let (file, warnings) = router::compose::compose_file(&args.config).await?;
    for warning in warnings {
        eprintln!("warning[{}]: {}: {}", warning.code, warning.location, warning.message);
    }
    match args.output {
        Some(path) => std::fs::write(&path, file).map_err(|e| format!("{}: {e}", path.display()))?,
        None => print!("{file}"),
    }
    Ok(())
}

/// `Ok(false)` when the check found composition errors or (unallowed) breaking changes.
async fn check(args: CheckArgs) -> Result<bool, Error> {
    let input = router::check::CheckInput {
        config: args.config,
        subgraph: args.subgraph,
        schema: args.schema,
        operations: args.operations,
    };
    let report = router::check::check(&input).await?;
    match args.format {
        OutputFormat::Human => print!("{}", report.to_human()),
        OutputFormat::Json => println!("{}", report.to_json()),
    }
    Ok(report.passes(args.allow_breaking))
}
