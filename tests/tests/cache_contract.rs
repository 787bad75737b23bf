//! The cache contract: one set of behaviours, run against every `Cache` implementation.
//!
//! The in-process cache always runs; the Redis runs need `PLATFORM_TEST_REDIS_URL` and are reported skipped
//! without it. Every test works in its own key namespace, so runs share one Redis safely.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kernel::cache::{self, Cache, CacheBackend, CacheConfig, CacheError, CacheJsonExt, InProcessCache, PrefixedCache};
use secrecy::SecretString;

/// The implementation a behaviour runs against.
#[derive(Clone, Copy)]
enum Backend {
    InProcess,
    Redis,
}

impl Backend {
    /// Caches in distinct, fresh namespaces over one shared store, so what one writes the others could see if
    /// namespacing were broken.
    async fn caches(self, count: usize) -> Vec<Arc<dyn Cache>> {
        let namespaces = (0..count).map(|_| platform_tests::unique_name("contract"));
        match self {
            Backend::InProcess => {
                let shared: Arc<dyn Cache> = Arc::new(InProcessCache::new(NonZeroUsize::new(1_000).unwrap()));
                namespaces
                    .map(|namespace| Arc::new(PrefixedCache::new(shared.clone(), &namespace)) as Arc<dyn Cache>)
                    .collect()
            }
            Backend::Redis => {
                let mut caches = Vec::with_capacity(count);
                for namespace in namespaces {
                    let config = CacheConfig {
                        backend: CacheBackend::Redis,
                        url: SecretString::from(platform_tests::redis_url()),
                        key_prefix: namespace,
                        ..CacheConfig::default()
                    };
                    caches.push(cache::connect(&config).await.expect("connect to the test Redis"));
                }
                caches
            }
        }
    }

    async fn cache(self) -> Arc<dyn Cache> {
        self.caches(1).await.remove(0)
    }
}

/// The behaviours every implementation must show.
mod behaviours {
    use serde::{Deserialize, Serialize};

    use super::*;

    /// Short enough to keep the suite fast, long enough that a loaded machine reads before it lapses.
    const SHORT_TTL: Duration = Duration::from_millis(300);

    pub async fn value_set_is_read_back(backend: Backend) {
        let cache = backend.cache().await;
        cache
            .set("greeting", Bytes::from_static(b"hello\x00world"), None)
            .await
            .unwrap();
        assert_eq!(
            cache.get("greeting").await.unwrap(),
            Some(Bytes::from_static(b"hello\x00world"))
        );
        cache.ping().await.unwrap();
    }

    pub async fn missing_key_reads_as_none(backend: Backend) {
        let cache = backend.cache().await;
        assert_eq!(cache.get("never-written").await.unwrap(), None);
    }

    pub async fn overwrite_replaces_the_value(backend: Backend) {
        let cache = backend.cache().await;
        cache
            .set("k", Bytes::from_static(b"old"), Some(SHORT_TTL))
            .await
            .unwrap();
        cache.set("k", Bytes::from_static(b"new"), None).await.unwrap();
        tokio::time::sleep(SHORT_TTL * 2).await;
        assert_eq!(
            cache.get("k").await.unwrap(),
            Some(Bytes::from_static(b"new")),
            "the old TTL must not apply"
        );
    }

    pub async fn entry_expires_after_its_ttl(backend: Backend) {
        let cache = backend.cache().await;
        cache
            .set("fleeting", Bytes::from_static(b"v"), Some(SHORT_TTL))
            .await
            .unwrap();
        cache.set("lasting", Bytes::from_static(b"v"), None).await.unwrap();
        assert_eq!(cache.get("fleeting").await.unwrap(), Some(Bytes::from_static(b"v")));
        tokio::time::sleep(SHORT_TTL * 2).await;
        assert_eq!(cache.get("fleeting").await.unwrap(), None);
        assert_eq!(
            cache.get_many(&["fleeting", "lasting"]).await.unwrap(),
            vec![None, Some(Bytes::from_static(b"v"))]
        );
    }

    pub async fn zero_ttl_is_refused(backend: Backend) {
        let cache = backend.cache().await;
        let error = cache
            .set("k", Bytes::from_static(b"v"), Some(Duration::ZERO))
            .await
            .unwrap_err();
        assert!(matches!(error, CacheError::InvalidTtl), "{error}");
        assert_eq!(cache.get("k").await.unwrap(), None);
    }

    pub async fn counter_counts_within_its_window_and_restarts_after(backend: Backend) {
        let cache = backend.cache().await;
        assert_eq!(cache.increment("attempts", SHORT_TTL).await.unwrap(), 1);
        assert_eq!(cache.increment("attempts", SHORT_TTL).await.unwrap(), 2);
        assert_eq!(cache.increment("other", SHORT_TTL).await.unwrap(), 1);
        // Later increments do not extend the window: it is fixed from the first one.
        assert_eq!(cache.increment("attempts", SHORT_TTL * 20).await.unwrap(), 3);
        tokio::time::sleep(SHORT_TTL * 2).await;
        assert_eq!(cache.increment("attempts", SHORT_TTL).await.unwrap(), 1);
    }

    pub async fn counter_refuses_a_value_that_is_not_a_number(backend: Backend) {
        let cache = backend.cache().await;
        cache.set("k", Bytes::from_static(b"text"), None).await.unwrap();
        let error = cache.increment("k", SHORT_TTL).await.unwrap_err();
        assert!(matches!(error, CacheError::Command { .. }), "{error}");
        assert_eq!(
            cache.get("k").await.unwrap(),
            Some(Bytes::from_static(b"text")),
            "the value is kept"
        );
        assert!(matches!(
            cache.increment("k", Duration::ZERO).await.unwrap_err(),
            CacheError::InvalidTtl
        ));
    }

    pub async fn delete_removes_and_says_whether_it_did(backend: Backend) {
        let cache = backend.cache().await;
        cache.set("k", Bytes::from_static(b"v"), None).await.unwrap();
        assert!(cache.delete("k").await.unwrap());
        assert_eq!(cache.get("k").await.unwrap(), None);
        assert!(!cache.delete("k").await.unwrap());
    }

    pub async fn get_many_keeps_order_with_holes(backend: Backend) {
        let cache = backend.cache().await;
        cache.set("a", Bytes::from_static(b"1"), None).await.unwrap();
        cache.set("c", Bytes::from_static(b"3"), None).await.unwrap();
        let values = cache.get_many(&["a", "b", "c", "d"]).await.unwrap();
        assert_eq!(
            values,
            vec![
                Some(Bytes::from_static(b"1")),
                None,
                Some(Bytes::from_static(b"3")),
                None
            ]
        );
        assert!(cache.get_many(&[]).await.unwrap().is_empty());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Decision {
        subject: String,
        allowed: bool,
        scopes: Vec<String>,
    }

    pub async fn json_helpers_round_trip_typed_values(backend: Backend) {
        let cache = backend.cache().await;
        let decision = Decision {
            subject: "user:7".to_owned(),
            allowed: true,
            scopes: vec!["posts:write".to_owned()],
        };
        cache
            .set_json("decision", &decision, Some(Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(cache.get_json::<Decision>("decision").await.unwrap(), Some(decision));
        assert_eq!(cache.get_json::<Decision>("absent").await.unwrap(), None);

        cache
            .set("garbage", Bytes::from_static(b"not json"), None)
            .await
            .unwrap();
        let error = cache.get_json::<Decision>("garbage").await.unwrap_err();
        assert!(
            matches!(error, CacheError::Decode { ref key, .. } if key == "garbage"),
            "{error}"
        );
    }

    pub async fn namespaces_do_not_see_each_other(backend: Backend) {
        let caches = backend.caches(2).await;
        let (blog, billing) = (&caches[0], &caches[1]);
        blog.set("shared-name", Bytes::from_static(b"blog"), None)
            .await
            .unwrap();
        assert_eq!(billing.get("shared-name").await.unwrap(), None);
        billing
            .set("shared-name", Bytes::from_static(b"billing"), None)
            .await
            .unwrap();
        assert_eq!(
            blog.get("shared-name").await.unwrap(),
            Some(Bytes::from_static(b"blog"))
        );
        assert!(billing.delete("shared-name").await.unwrap());
        assert_eq!(
            blog.get_many(&["shared-name"]).await.unwrap(),
            vec![Some(Bytes::from_static(b"blog"))]
        );
    }
}

/// Runs every listed behaviour once per implementation.
macro_rules! contract {
    ($($behaviour:ident),* $(,)?) => {
        mod in_process {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    super::behaviours::$behaviour(super::Backend::InProcess).await;
                }
            )*
        }

        mod redis {
            $(
                #[tokio::test]
                #[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
                async fn $behaviour() {
                    super::behaviours::$behaviour(super::Backend::Redis).await;
                }
            )*
        }
    };
}

contract!(
    value_set_is_read_back,
    missing_key_reads_as_none,
    overwrite_replaces_the_value,
    entry_expires_after_its_ttl,
    zero_ttl_is_refused,
    delete_removes_and_says_whether_it_did,
    counter_counts_within_its_window_and_restarts_after,
    counter_refuses_a_value_that_is_not_a_number,
    get_many_keeps_order_with_holes,
    json_helpers_round_trip_typed_values,
    namespaces_do_not_see_each_other,
);

/// Redis-specific: a throwaway server is killed and restarted under a live cache object.
mod redis_recovery {
    use std::path::Path;

    use platform_tests::{ChildProcess, free_port, wait_for_port};
    use tokio::time::Instant;

    use super::*;

    const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);

    fn start_redis(port: u16, dir: &Path) -> ChildProcess {
        let port = port.to_string();
        let args = [
            "--port",
            port.as_str(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ];
        ChildProcess::spawn("redis-server", &args, dir)
    }

    #[tokio::test]
    #[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
    async fn cache_reports_a_dead_server_promptly_and_recovers_after_restart() {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut server = start_redis(port, dir.path());
        wait_for_port(port, Duration::from_secs(10)).await;

        let config = CacheConfig {
            backend: CacheBackend::Redis,
            url: SecretString::from(format!("redis://127.0.0.1:{port}")),
            key_prefix: "recovery".to_owned(),
            command_timeout_ms: u64::try_from(COMMAND_TIMEOUT.as_millis()).unwrap(),
            ..CacheConfig::default()
        };
        let cache = cache::connect(&config).await.unwrap();
        cache.set("before", Bytes::from_static(b"1"), None).await.unwrap();
        assert_eq!(cache.get("before").await.unwrap(), Some(Bytes::from_static(b"1")));

        server.kill();
        for _ in 0..3 {
            let started = Instant::now();
            let error = cache.get("before").await.unwrap_err();
            let waited = started.elapsed();
            assert!(
                waited < COMMAND_TIMEOUT + Duration::from_millis(250),
                "a dead server held the call for {waited:?}"
            );
            assert!(
                matches!(
                    error,
                    CacheError::Unavailable { command: "GET", .. } | CacheError::Timeout { command: "GET", .. }
                ),
                "unexpected error: {error}"
            );
            assert!(error.to_string().contains("GET"), "{error}");
        }
        assert!(cache.ping().await.is_err(), "ping must fail while the server is down");

        // The same port again, so the cache object's own reconnect logic has to find the new server.
        let _server = start_redis(port, dir.path());
        wait_for_port(port, Duration::from_secs(10)).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match cache.set("after", Bytes::from_static(b"2"), None).await {
                Ok(()) => break,
                Err(error) => {
                    assert!(
                        Instant::now() < deadline,
                        "cache did not recover after the restart: {error}"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        assert_eq!(cache.get("after").await.unwrap(), Some(Bytes::from_static(b"2")));
        assert_eq!(
            cache.get("before").await.unwrap(),
            None,
            "the restarted server keeps nothing on disk"
        );
        cache.ping().await.unwrap();
    }

    #[tokio::test]
    async fn connection_error_does_not_reveal_the_password() {
        let config = CacheConfig {
            backend: CacheBackend::Redis,
            url: SecretString::from(format!("redis://:Sup3rSecretPw@127.0.0.1:{}", free_port())),
            command_timeout_ms: 500,
            ..CacheConfig::default()
        };
        let error = cache::connect(&config)
            .await
            .err()
            .expect("nothing listens on the port");
        assert!(
            matches!(error, CacheError::Unavailable { .. } | CacheError::Timeout { .. }),
            "{error}"
        );
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains("Sup3rSecretPw"), "{text}");
        }
    }
}
