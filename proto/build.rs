//! Compiles the platform's protos with `protox` (a pure-Rust protobuf compiler), so building needs no `protoc`.

const PROTOS: [&str; 5] = [
    "proto/identity/v1/identity.proto",
    "proto/authz/v1/authz.proto",
    "proto/audit/v1/audit.proto",
    "proto/blog/v1/blog.proto",
    "proto/billing/v1/billing.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo::rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
