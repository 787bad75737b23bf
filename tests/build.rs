//! Turns each configured real backend into a `cfg`, so a suite whose backend is not configured is compiled as
//! `#[ignore]` and reported as skipped by the test runner instead of passing silently.

const BACKENDS: [(&str, &str); 5] = [
    ("PLATFORM_TEST_POSTGRES_URL", "backend_postgres"),
    ("PLATFORM_TEST_REDIS_URL", "backend_redis"),
    ("PLATFORM_TEST_KAFKA_BROKERS", "backend_kafka"),
    ("PLATFORM_TEST_ETCD_URL", "backend_etcd"),
    ("PLATFORM_TEST_TANSU_BIN", "backend_tansu_bin"),
];

fn main() {
    for (var, cfg) in BACKENDS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
