//! The command line: `router serve --supergraph PATH [--config router.toml]`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kernel::config::ConfigError;

use super::RouterConfig;

/// The router's command line.
#[derive(Debug, Parser)]
#[command(
    name = "router",
    version,
    about = "The federation router: one GraphQL endpoint over many subgraphs."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The router's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serves the supergraph's API over HTTP until SIGINT or SIGTERM.
    Serve(ServeArgs),
}

/// Arguments of `router serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The supergraph SDL file; takes precedence over `supergraph.path` in the configuration.
    #[arg(long, value_name = "PATH")]
    pub supergraph: Option<PathBuf>,
    /// A TOML configuration file; `PLATFORM__SECTION__KEY` variables override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl ServeArgs {
    /// Loads the configuration these arguments name, with `--supergraph` applied.
    pub fn load_config(&self) -> Result<RouterConfig, ConfigError> {
        let mut config = RouterConfig::load(self.config.as_deref())?;
        if let Some(path) = &self.supergraph {
            config.supergraph.path = Some(path.clone());
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command};

    #[test]
    fn serve_takes_a_supergraph_and_an_optional_config() {
        let cli = Cli::try_parse_from(["router", "serve", "--supergraph", "s.graphql", "--config", "r.toml"])
            .expect("parses");
        let Command::Serve(args) = cli.command;
        assert_eq!(args.supergraph.as_deref(), Some(std::path::Path::new("s.graphql")));
        assert_eq!(args.config.as_deref(), Some(std::path::Path::new("r.toml")));
        let bare = Cli::try_parse_from(["router", "serve"]).expect("both are optional");
        let Command::Serve(args) = bare.command;
        assert!(args.supergraph.is_none() && args.config.is_none());
    }

    #[test]
    fn unknown_subcommands_are_refused() {
        assert!(Cli::try_parse_from(["router", "compose"]).is_err());
        assert!(Cli::try_parse_from(["router"]).is_err());
    }
}
