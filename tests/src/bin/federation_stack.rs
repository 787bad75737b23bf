//! Starts the federation test subgraphs on loopback and writes a router config that points at them, for load
//! benchmarks that run the router as its own process. Runs until Ctrl-C or SIGTERM.
//!
//! Usage: `federation-stack OUT_DIR ROUTER_PORT` — writes `OUT_DIR/router.toml` and `OUT_DIR/supergraph.graphql`,
//! then `OUT_DIR/ready` once every subgraph listens.

use std::fmt::Write as _;
use std::path::PathBuf;

use platform_tests::subgraphs::start_all;

const SUPERGRAPH: &str = include_str!("../../fixtures/federation/supergraph.graphql");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(port)) = (args.next(), args.next()) else {
        return Err("usage: federation-stack OUT_DIR ROUTER_PORT".into());
    };
    let out = PathBuf::from(out);
    let port: u16 = port.parse()?;
    let handles = start_all().await;
    let supergraph = out.join("supergraph.graphql");
    std::fs::write(&supergraph, SUPERGRAPH)?;
    let mut config = format!(
        "[listen]\nhttp_addr = \"127.0.0.1:{port}\"\n\n[supergraph]\npath = \"{}\"\nwatch_interval_ms = 0\n\n\
         [telemetry]\nlog_level = \"warn\"\n",
        supergraph.display()
    );
    for handle in &handles {
        write!(
            config,
            "\n[subgraphs.overrides.{}]\nurl = \"{}\"\n",
            handle.name(),
            handle.url()
        )?;
    }
    std::fs::write(out.join("router.toml"), config)?;
    std::fs::write(out.join("ready"), "")?;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    drop(handles);
    Ok(())
}
