//! The `billing` command line: `billing serve [--config FILE]` and `billing sdl`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The `billing` binary's arguments.
#[derive(Debug, Parser)]
#[command(
    name = "billing",
    about = "The billing service: plans, subscriptions, invoices and payments."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `billing` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the renewal and the outbox relay and serves GraphQL and gRPC until SIGINT or SIGTERM.
    Serve {
        /// A TOML configuration file; `PLATFORM__…` variables override it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Prints the subgraph's SDL (as committed in `schema/billing.graphql`).
    Sdl,
}
