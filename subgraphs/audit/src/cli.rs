//! The `audit` command line: `audit serve [--config FILE]` and `audit sdl`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The `audit` binary's arguments.
#[derive(Debug, Parser)]
#[command(
    name = "audit",
    about = "The audit service: the append-only audit log fed by events and gRPC."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Consumes the platform's events and serves GraphQL and gRPC until SIGINT or SIGTERM.
    Serve {
        /// A TOML configuration file; `PLATFORM__…` variables override it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Prints the subgraph's SDL (as committed in `schema/audit.graphql`).
    Sdl,
}
