//! The `platform-soak` command line and how it becomes [`SoakOptions`].

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::error::SoakError;
use crate::load::LoadOptions;
use crate::stack::StackOptions;
use crate::{KafkaSource, SoakOptions};

/// The length of a `--soak` run unless `--duration` is given.
const SOAK_DURATION: Duration = Duration::from_secs(30 * 60);
/// The status line interval of a `--soak` run unless `--status-every` is given.
const SOAK_STATUS_EVERY: Duration = Duration::from_secs(30);

/// The arguments of `platform-soak`.
#[derive(Debug, Parser)]
#[command(
    name = "platform-soak",
    about = "Starts the five services and the router as processes on real backends, drives reads and writes \
             through the router, and checks that no acknowledged write was lost."
)]
pub struct Cli {
    /// How long the load runs: `20s`, `5m`, `1h`, `500ms` (a bare number is seconds). 20s, or 30m with --soak.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Workers, each one seeded user with one request in flight.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// A long run: 30 minutes (unless --duration says otherwise) with a status line every 30 seconds.
    #[arg(long)]
    pub soak: bool,
    /// A status line (requests, rate, errors, every process's RSS) this often.
    #[arg(long, value_parser = parse_duration)]
    pub status_every: Option<Duration>,
    /// Where the identity, authz, audit, blog, billing and router binaries are; this binary's folder by default.
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// A PostgreSQL URL whose user may create databases; each run gets a fresh database on that server.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres_url: String,
    /// Redis; the run's keys live under `soak_<run>:` and are deleted at the end.
    #[arg(long, default_value = "redis://127.0.0.1:6379")]
    pub redis_url: String,
    /// A running Kafka-compatible broker to use instead of starting a private one.
    #[arg(long)]
    pub kafka_brokers: Option<String>,
    /// The tansu binary to start a private broker with when --kafka-brokers is not given.
    #[arg(long)]
    pub tansu_bin: Option<PathBuf>,
    /// Every process's log filter.
    #[arg(long, default_value = "warn")]
    pub log_level: String,
    /// argon2id at its cheapest in identity (for debug builds; only seeding hashes passwords).
    #[arg(long)]
    pub cheap_passwords: bool,
    /// How long one request may take before the client counts it as CLIENT_TIMEOUT.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// The supergraph the router serves; the committed one (built into this binary) by default.
    #[arg(long)]
    pub supergraph: Option<PathBuf>,
    /// Keep the run folder (configs and logs) even when the run passes.
    #[arg(long)]
    pub keep: bool,
}

impl Cli {
    /// The options these arguments ask for.
    pub fn into_options(self) -> Result<SoakOptions, SoakError> {
        let kafka = match (self.kafka_brokers, self.tansu_bin) {
            (Some(brokers), _) => KafkaSource::Running(brokers),
            (None, Some(tansu)) => KafkaSource::Private(tansu),
            (None, None) => return Err(SoakError::NoBroker),
        };
        let bin_dir = match self.bin_dir {
            Some(dir) => dir,
            None => std::env::current_exe()
                .map_err(SoakError::io("find this binary's folder"))?
                .parent()
                .map(PathBuf::from)
                .unwrap_or_default(),
        };
        let (default_duration, default_status) = if self.soak {
            (SOAK_DURATION, Some(SOAK_STATUS_EVERY))
        } else {
            (Duration::from_secs(20), None)
        };
        Ok(SoakOptions {
            stack: StackOptions {
                bin_dir,
                log_level: self.log_level,
                cheap_passwords: self.cheap_passwords,
                supergraph: self.supergraph,
            },
            load: LoadOptions {
                duration: self.duration.unwrap_or(default_duration),
                status_every: self.status_every.or(default_status),
                request_timeout: self.request_timeout,
            },
            concurrency: usize::from(self.concurrency),
            postgres_url: self.postgres_url,
            redis_url: self.redis_url,
            kafka,
            keep_run_dir: self.keep,
        })
    }
}

/// `500ms`, `20s`, `5m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 20s, 5m or 1h"))?;
    let seconds = |factor: u64| Duration::from_secs(value.saturating_mul(factor));
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "" | "s" => Ok(seconds(1)),
        "m" => Ok(seconds(60)),
        "h" => Ok(seconds(3600)),
        other => Err(format!("unknown unit `{other}` in `{text}`: use ms, s, m or h")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_units_people_write() {
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("5 days").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn soak_mode_runs_half_an_hour_with_status_lines_unless_told_otherwise() {
        let cli = Cli::parse_from(["platform-soak", "--soak", "--tansu-bin", "/bin/tansu"]);
        let options = cli.into_options().unwrap();
        assert_eq!(options.load.duration, SOAK_DURATION);
        assert_eq!(options.load.status_every, Some(SOAK_STATUS_EVERY));
        assert!(matches!(options.kafka, KafkaSource::Private(_)));

        let cli = Cli::parse_from(["platform-soak", "--kafka-brokers", "127.0.0.1:9092", "--duration", "5s"]);
        let options = cli.into_options().unwrap();
        assert_eq!(
            (options.load.duration, options.load.status_every),
            (Duration::from_secs(5), None)
        );
        assert_eq!(options.concurrency, 16);
        assert!(matches!(options.kafka, KafkaSource::Running(brokers) if brokers == "127.0.0.1:9092"));
    }

    #[test]
    fn without_a_broker_or_a_broker_binary_the_run_is_refused() {
        let cli = Cli::parse_from(["platform-soak"]);
        assert!(matches!(cli.into_options(), Err(SoakError::NoBroker)));
    }
}
