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
    /// Binds a role to a subject directly in the database, e.g. the first `admin`, who then manages the rest
    /// through GraphQL. The change is recorded with actor `cli` and its event is relayed when the service runs.
    BindRole {
        /// A TOML configuration file; `PLATFORM__…` variables override it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The subject: a user id.
        #[arg(long)]
        subject: String,
        /// The role's name, e.g. `admin`.
        #[arg(long)]
        role: String,
        /// Scopes the binding to one resource, e.g. `post:123`; global without it.
        #[arg(long)]
        resource: Option<String>,
    },
}
