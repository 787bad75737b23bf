//! The infrastructure sections each service is started with: SQLite files in the data folder, in-process caches
//! and the process's event bus by default; PostgreSQL (a schema per service), Redis and Kafka with real backends.

use std::path::Path;

use kernel::cache::{CacheBackend, CacheConfig};
use kernel::db::DatabaseConfig;
use kernel::events::{EventsBackend, EventsConfig, KafkaConfig};
use secrecy::SecretString;

use crate::options::{Backends, DevConfig};

/// The database, cache and event-bus sections for one service.
#[derive(Debug, Clone)]
pub struct ServiceBackends {
    /// Where the service's tables live.
    pub database: DatabaseConfig,
    /// Its cache (only identity and authz have one).
    pub cache: CacheConfig,
    /// The bus its outbox relay publishes to and its consumers read.
    pub events: EventsConfig,
}

/// The sections `service` runs on under `config`, its SQLite file in `data_dir` with embedded backends.
pub fn for_service(config: &DevConfig, data_dir: &Path, service: &str) -> ServiceBackends {
    match config.backends {
        Backends::Embedded => ServiceBackends {
            database: DatabaseConfig {
                url: sqlite_url(data_dir, service),
                ..DatabaseConfig::for_service(service)
            },
            cache: CacheConfig::for_service(service),
            events: EventsConfig::default(),
        },
        Backends::Real => ServiceBackends {
            database: DatabaseConfig {
                url: config.postgres_url.clone(),
                schema: Some(config.namespaced(service)),
                ..DatabaseConfig::for_service(service)
            },
            cache: CacheConfig {
                backend: CacheBackend::Redis,
                url: config.redis_url.clone(),
                ..CacheConfig::for_service(&config.namespaced(service))
            },
            events: EventsConfig {
                backend: EventsBackend::Kafka,
                kafka: KafkaConfig {
                    brokers: config.kafka_brokers.clone(),
                    client_id: service.to_owned(),
                    ..KafkaConfig::default()
                },
            },
        },
    }
}

/// A one-line description of the backends, for the progress output.
pub fn describe(config: &DevConfig, data_dir: &Path) -> String {
    match config.backends {
        Backends::Embedded => format!(
            "embedded backends: SQLite files in {}, in-process caches and event bus",
            data_dir.display()
        ),
        Backends::Real => {
            let schemas = if config.namespace.is_empty() {
                "one schema per service".to_owned()
            } else {
                format!("schemas {}", config.namespaced("<service>"))
            };
            format!(
                "real backends: PostgreSQL ({schemas}), Redis, Kafka at {}",
                config.kafka_brokers
            )
        }
    }
}

fn sqlite_url(data_dir: &Path, service: &str) -> SecretString {
    SecretString::from(format!(
        "sqlite://{}?mode=rwc",
        data_dir.join(format!("{service}.db")).display()
    ))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn embedded_services_get_their_own_sqlite_file_and_the_in_process_adapters() {
        let backends = for_service(&DevConfig::default(), Path::new("/tmp/stack"), "blog");
        assert_eq!(
            backends.database.url.expose_secret(),
            "sqlite:///tmp/stack/blog.db?mode=rwc"
        );
        assert_eq!(backends.cache.backend, CacheBackend::InProcess);
        assert_eq!(backends.events.backend, EventsBackend::InProcess);
    }

    #[test]
    fn real_services_get_a_namespaced_schema_redis_prefix_and_kafka() {
        let config = DevConfig {
            backends: Backends::Real,
            namespace: "run7".to_owned(),
            postgres_url: SecretString::from("postgres://pg/db"),
            kafka_brokers: "k:9092".to_owned(),
            ..DevConfig::default()
        };
        let backends = for_service(&config, Path::new("/unused"), "authz");
        assert_eq!(backends.database.url.expose_secret(), "postgres://pg/db");
        assert_eq!(backends.database.schema.as_deref(), Some("run7_authz"));
        assert_eq!(backends.cache.backend, CacheBackend::Redis);
        assert_eq!(backends.cache.key_prefix, "run7_authz");
        assert_eq!(backends.events.backend, EventsBackend::Kafka);
        assert_eq!(backends.events.kafka.brokers, "k:9092");
    }
}
