//! Turns what the smoke test needs into `cfg`s, so it is compiled as `#[ignore]` (reported skipped, not passed)
//! when it cannot run: the real backends (PostgreSQL, Redis, the tansu broker binary) come from the same
//! `PLATFORM_TEST_…` variables as every real-backend suite, and the stack's debug binaries must have been built
//! (`cargo build --workspace`), since a test can only ask cargo for binaries of its own package.

const BACKENDS: [(&str, &str); 3] = [
    ("PLATFORM_TEST_POSTGRES_URL", "backend_postgres"),
    ("PLATFORM_TEST_REDIS_URL", "backend_redis"),
    ("PLATFORM_TEST_TANSU_BIN", "backend_tansu_bin"),
];

/// The binaries the smoke test starts.
const STACK: [&str; 6] = ["identity", "authz", "audit", "blog", "billing", "router"];

fn main() {
    for (var, cfg) in BACKENDS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    println!("cargo::rustc-check-cfg=cfg(stack_binaries_built)");
    // OUT_DIR is <target>/<profile>/build/<package>-<hash>/out; the profile's binaries are three levels up.
    let profile_dir = std::env::var_os("OUT_DIR")
        .map(std::path::PathBuf::from)
        .and_then(|out| out.ancestors().nth(3).map(std::path::Path::to_path_buf));
    let Some(profile_dir) = profile_dir else {
        return;
    };
    let mut all_built = true;
    for name in STACK {
        let path = profile_dir.join(name);
        // Reruns when a binary is built or rebuilt (and, while one is missing, on every build).
        println!("cargo::rerun-if-changed={}", path.display());
        all_built &= path.is_file();
    }
    if all_built {
        println!("cargo::rustc-cfg=stack_binaries_built");
    }
    println!("cargo::rustc-env=PLATFORM_SOAK_STACK_BIN_DIR={}", profile_dir.display());
}
