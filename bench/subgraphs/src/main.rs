//! `bench-subgraphs`: serves the four bench subgraphs from one process on loopback until Ctrl-C or SIGTERM.
//!
//! ```text
//! bench-subgraphs [--no-cache] [ACCOUNTS_PORT PRODUCTS_PORT INVENTORY_PORT REVIEWS_PORT]   # ports default to 0
//! bench-subgraphs sdl NAME                                                                 # print one SDL
//! ```
//!
//! Once every port is bound it prints one line per subgraph, `NAME URL`, then `ready`.

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::io::Write as _;

use bench_subgraphs::ResponseCache;

const USAGE: &str = "usage: bench-subgraphs [--no-cache] [ACCOUNTS_PORT PRODUCTS_PORT INVENTORY_PORT REVIEWS_PORT]\n       \
                     bench-subgraphs sdl NAME";

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("sdl") {
        let [_, name] = args.as_slice() else {
            return Err(USAGE.into());
        };
        print!("{}", bench_subgraphs::sdl(name.parse()?));
        return Ok(());
    }
    let cache = match args.iter().position(|a| a == "--no-cache") {
        Some(at) => {
            args.remove(at);
            ResponseCache::Disabled
        }
        None => ResponseCache::Enabled,
    };
    let ports: [u16; 4] = match args.as_slice() {
        [] => [0; 4],
        [a, p, i, r] => [a.parse()?, p.parse()?, i.parse()?, r.parse()?],
        _ => return Err(USAGE.into()),
    };
    let bound = bench_subgraphs::bind(ports).await?;
    let mut out = std::io::stdout().lock();
    for subgraph in &bound {
        writeln!(out, "{} {}", subgraph.name(), subgraph.url())?;
    }
    writeln!(out, "ready")?;
    out.flush()?;
    drop(out);
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    };
    bench_subgraphs::serve(bound, cache, shutdown).await?;
    Ok(())
}
