//! The `platform` command line: `platform dev [options]`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::options::{Backends, DevConfig, Ports};

/// The `platform` binary's arguments.
#[derive(Debug, Parser)]
#[command(name = "platform", about = "Runs the whole platform on one machine.")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `platform` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the router and the five services with demo data until Ctrl-C.
    Dev(DevArgs),
}

/// `platform dev`'s flags; each wins over the same setting from `--config` and `PLATFORM__…` variables.
#[derive(Debug, Default, clap::Args)]
pub struct DevArgs {
    /// A TOML file with the settings below (`data_dir`, `backends`, `postgres_url`, …).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where SQLite files, identity's signing key and the supergraph are kept [default: ./.data].
    #[arg(long, value_name = "PATH")]
    pub data_dir: Option<PathBuf>,
    /// The router's port [default: 4000; 0 picks a free one].
    #[arg(long, value_name = "PORT")]
    pub router_port: Option<u16>,
    /// `fixed`: each service's documented port; `ephemeral`: free ports everywhere.
    #[arg(long, value_enum)]
    pub ports: Option<Ports>,
    /// `embedded`: SQLite, in-process cache and bus; `real`: PostgreSQL, Redis and Kafka.
    #[arg(long, value_enum)]
    pub backends: Option<Backends>,
    /// PostgreSQL URL for `--backends real` (each service gets its own schema).
    #[arg(long, value_name = "URL")]
    pub postgres_url: Option<String>,
    /// Redis URL for `--backends real`.
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
    /// Kafka bootstrap servers for `--backends real`.
    #[arg(long, value_name = "HOST:PORT,…")]
    pub kafka_brokers: Option<String>,
    /// Prefix of schemas, cache keys and consumer groups, to run several stacks on the same backends.
    #[arg(long, value_name = "NAME")]
    pub namespace: Option<String>,
}

impl DevArgs {
    /// Lays these flags over `config`.
    pub fn apply(self, mut config: DevConfig) -> DevConfig {
        if let Some(dir) = self.data_dir {
            config.data_dir = dir;
        }
        if self.router_port.is_some() {
            config.router_port = self.router_port;
        }
        if let Some(ports) = self.ports {
            config.ports = ports;
        }
        if let Some(backends) = self.backends {
            config.backends = backends;
        }
        if let Some(url) = self.postgres_url {
            config.postgres_url = SecretString::from(url);
        }
        if let Some(url) = self.redis_url {
            config.redis_url = SecretString::from(url);
        }
        if let Some(brokers) = self.kafka_brokers {
            config.kafka_brokers = brokers;
        }
        if let Some(namespace) = self.namespace {
            config.namespace = namespace;
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn flags_win_over_loaded_settings() {
        let cli = Cli::try_parse_from([
            "platform",
            "dev",
            "--data-dir",
            "/tmp/x",
            "--router-port",
            "0",
            "--ports",
            "ephemeral",
            "--backends",
            "real",
            "--postgres-url",
            "postgres://h/db",
        ])
        .unwrap();
        let Command::Dev(args) = cli.command;
        let config = args.apply(DevConfig {
            kafka_brokers: "from-env:9092".to_owned(),
            ..DevConfig::default()
        });
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(config.router_port(), 0);
        assert_eq!(config.ports, Ports::Ephemeral);
        assert_eq!(config.backends, Backends::Real);
        assert_eq!(config.postgres_url.expose_secret(), "postgres://h/db");
        assert_eq!(config.kafka_brokers, "from-env:9092");
    }
}
