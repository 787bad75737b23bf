//! Turns `PLATFORM_TEST_REDIS_URL` into the `backend_redis` cfg, so the Redis tests are compiled as `#[ignore]`
//! and reported skipped, not passed, when no Redis is configured.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(backend_redis)");
    println!("cargo::rerun-if-env-changed=PLATFORM_TEST_REDIS_URL");
    if std::env::var_os("PLATFORM_TEST_REDIS_URL").is_some_and(|value| !value.is_empty()) {
        println!("cargo::rustc-cfg=backend_redis");
    }
}
