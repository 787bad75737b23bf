//! The command line: `router serve --supergraph PATH [--config router.toml]`, `router compose --config
//! supergraph.toml [--output PATH]` and `router check --subgraph NAME --schema PATH [--operations PATH]`.

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
    /// Composes the subgraphs a `supergraph.toml` names into a supergraph SDL.
    Compose(ComposeArgs),
    /// Checks a changed subgraph schema: does it still compose, and what does it change for clients.
    Check(CheckArgs),
}

/// Arguments of `router compose`.
#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// The `supergraph.toml` naming the subgraphs, their routing URLs and where each SDL comes from.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Where to write the supergraph SDL; standard output when absent.
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Arguments of `router check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The subgraph whose schema changed, as `supergraph.toml` names it (a new name adds a subgraph).
    #[arg(long, value_name = "NAME")]
    pub subgraph: String,
    /// The changed subgraph SDL.
    #[arg(long, value_name = "PATH")]
    pub schema: PathBuf,
    /// The committed `supergraph.toml` the change is checked against.
    #[arg(long, value_name = "FILE", default_value = "schema/supergraph.toml")]
    pub config: PathBuf,
    /// Recorded client operations: a file holding one GraphQL document, a JSON list of documents, or a folder of
    /// such files; breaking changes are matched against them.
    #[arg(long, value_name = "PATH")]
    pub operations: Option<PathBuf>,
    /// Exit successfully even when breaking changes are found (composition errors still fail).
    #[arg(long)]
    pub allow_breaking: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// How `router check` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Lines for a person.
    Human,
    /// One JSON object, for CI.
    Json,
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

    use super::{Cli, Command, OutputFormat};

    #[test]
    fn serve_takes_a_supergraph_and_an_optional_config() {
        let cli = Cli::try_parse_from(["router", "serve", "--supergraph", "s.graphql", "--config", "r.toml"])
            .expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        assert_eq!(args.supergraph.as_deref(), Some(std::path::Path::new("s.graphql")));
        assert_eq!(args.config.as_deref(), Some(std::path::Path::new("r.toml")));
        let bare = Cli::try_parse_from(["router", "serve"]).expect("both are optional");
        let Command::Serve(args) = bare.command else {
            panic!("serve")
        };
        assert!(args.supergraph.is_none() && args.config.is_none());
    }

    #[test]
    fn compose_needs_a_config() {
        assert!(Cli::try_parse_from(["router", "compose"]).is_err());
        let cli = Cli::try_parse_from(["router", "compose", "--config", "s.toml"]).expect("parses");
        let Command::Compose(args) = cli.command else {
            panic!("compose")
        };
        assert_eq!(args.config, std::path::Path::new("s.toml"));
        assert!(args.output.is_none());
    }

    #[test]
    fn check_takes_a_subgraph_a_schema_and_options() {
        assert!(Cli::try_parse_from(["router", "check", "--subgraph", "a"]).is_err());
        let cli = Cli::try_parse_from([
            "router",
            "check",
            "--subgraph",
            "a",
            "--schema",
            "a.graphql",
            "--operations",
            "ops.json",
            "--allow-breaking",
            "--format",
            "json",
        ])
        .expect("parses");
        let Command::Check(args) = cli.command else {
            panic!("check")
        };
        assert_eq!(args.subgraph, "a");
        assert_eq!(args.config, std::path::Path::new("schema/supergraph.toml"));
        assert!(args.allow_breaking);
        assert_eq!(args.format, OutputFormat::Json);
    }

    #[test]
    fn unknown_subcommands_are_refused() {
        assert!(Cli::try_parse_from(["router", "frobnicate"]).is_err());
        assert!(Cli::try_parse_from(["router"]).is_err());
    }
}
