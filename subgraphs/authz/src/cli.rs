//! The `authz` command line: `authz serve [--config FILE]` and `authz sdl`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The `authz` binary's arguments.
#[derive(Debug, Parser)]
#[command(
    name = "authz",
    about = "The authz service: roles, permissions, grants and the Check API."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `authz` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serves GraphQL and gRPC until SIGINT or SIGTERM.
    Serve {
        /// A TOML configuration file; `PLATFORM__…` variables override it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Prints the subgraph's SDL (as committed in `schema/authz.graphql`).
    Sdl,
}
