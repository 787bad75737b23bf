//! `platform-soak`: starts the platform as separate processes on real backends, drives reads and writes through
//! the router for a fixed time, prints throughput, latency, errors and memory, and checks that no acknowledged
//! write was lost. Exits non-zero when a write was lost or a process died (or the run could not be set up).

// The binary reaches its dependencies through the library; the lint's per-target view disagrees.
#![allow(unused_crate_dependencies)]

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use platform_soak::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Cli::parse().into_options() {
        Ok(options) => options,
        Err(error) => {
            eprintln!("platform-soak: {error}");
            return ExitCode::from(2);
        }
    };
    let progress = |line: &str| {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "==> {line}");
    };
    match platform_soak::run(&options, &progress).await {
        Ok(report) => {
            println!("{report}");
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("platform-soak: {error}");
            ExitCode::from(2)
        }
    }
}
