//! The `blog` command line: `blog serve [--config FILE]` and `blog sdl`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The `blog` binary's arguments.
#[derive(Debug, Parser)]
#[command(name = "blog", about = "The blog service: posts and comments.")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `blog` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serves GraphQL and gRPC and relays the outbox until SIGINT or SIGTERM.
    Serve {
        /// A TOML configuration file; `PLATFORM__…` variables override it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Prints the subgraph's SDL (as committed in `schema/blog.graphql`).
    Sdl,
}
