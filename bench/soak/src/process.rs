//! One OS process of the stack: spawned with its own environment and log file, in its own process group (so a
//! Ctrl-C at the terminal reaches the harness, which then stops the load and verifies, and not the services), its
//! memory read from `/proc`, and stopped with SIGTERM, then SIGKILL after a grace period.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::SoakError;

/// Environment variables a child never inherits from the harness: its configuration is the file written for it,
/// and a `PLATFORM__…` or `RUST_LOG` left in the caller's shell would silently override it.
pub(crate) fn inherited_overrides() -> impl Iterator<Item = String> {
    std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| name.starts_with("PLATFORM__") || name == "RUST_LOG")
}

/// Memory of a process, from `/proc/<pid>/status`, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (`VmRSS`).
    pub rss_kib: u64,
    /// The largest resident set size so far (`VmHWM`).
    pub peak_kib: u64,
}

/// What a process is doing, from `/proc` and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    /// Running (or sleeping).
    Running,
    /// Exited, with this description of how.
    Exited(String),
}

/// A child process the harness started and owns.
#[derive(Debug)]
pub struct ManagedProcess {
    name: String,
    child: Child,
    log: PathBuf,
}

impl ManagedProcess {
    /// Starts `program args…` in `dir` with `env` added, stdout and stderr appended to `<dir>/<name>.log`.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[&str],
        dir: &Path,
        env: &[(String, String)],
    ) -> Result<Self, SoakError> {
        let log = dir.join(format!("{name}.log"));
        let stdout = File::create(&log).map_err(SoakError::io(format!("create {}", log.display())))?;
        let stderr = stdout
            .try_clone()
            .map_err(SoakError::io(format!("share {}", log.display())))?;
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0);
        for variable in inherited_overrides() {
            command.env_remove(variable);
        }
        command.envs(env.iter().map(|(key, value)| (key.as_str(), value.as_str())));
        let child = command
            .spawn()
            .map_err(SoakError::io(format!("start {name} ({})", program.display())))?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log,
        })
    }

    /// The process's name in reports.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Whether it still runs; an exited child is reaped here, so its status can be reported.
    pub fn liveness(&mut self) -> Liveness {
        match self.child.try_wait() {
            Ok(None) => Liveness::Running,
            Ok(Some(status)) => Liveness::Exited(describe(status)),
            Err(error) => Liveness::Exited(format!("cannot be waited for: {error}")),
        }
    }

    /// Its memory now; `None` once it has exited.
    pub fn memory(&self) -> Option<Memory> {
        memory_of(self.pid())
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }

    /// Asks it to stop (SIGTERM), waits up to `grace`, then kills it. Returns how it ended.
    pub async fn stop(mut self, grace: Duration) -> String {
        if let Liveness::Exited(how) = self.liveness() {
            return format!("had already {how}");
        }
        // std can only SIGKILL; `kill -TERM` gives the service its graceful shutdown. The child is not reaped
        // yet, so its pid cannot have been reused.
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Liveness::Exited(how) = self.liveness() {
                return how;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.child.kill();
        match self.child.wait() {
            Ok(status) => format!("killed after {}s: {}", grace.as_secs(), describe(status)),
            Err(error) => format!("killed after {}s, not reaped: {error}", grace.as_secs()),
        }
    }
}

impl Drop for ManagedProcess {
    /// A process still running when its owner goes away (an error or a panic on the way) is killed, not leaked.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("was ended by a signal ({status})"),
    }
}

/// `VmRSS` and `VmHWM` of `pid`, if it exists and is not a zombie.
pub fn memory_of(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status(&status)
}

fn parse_status(status: &str) -> Option<Memory> {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
    })
}

/// Whether `pid` is alive: present in `/proc` and not a zombie (exited, waiting to be reaped).
pub fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("State:"))
            .is_some_and(|state| !state.trim_start().starts_with(['Z', 'X']))
    })
}

/// A loopback port that was free a moment ago. Every port of the stack is chosen before any process starts,
/// since services need each other's addresses in their configuration; `reserve` holds the listeners so one run
/// never picks the same port twice, and the gap until a service binds its port is milliseconds.
pub fn free_ports(count: usize) -> Result<Vec<u16>, SoakError> {
    let mut reserve = Vec::with_capacity(count);
    let mut ports = Vec::with_capacity(count);
    for _ in 0..count {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(SoakError::io("find a free loopback port"))?;
        ports.push(
            listener
                .local_addr()
                .map_err(SoakError::io("read a bound port"))?
                .port(),
        );
        reserve.push(listener);
    }
    Ok(ports)
}

/// The last `lines` lines of the file at `path` (reading at most its last 64 KiB).
pub fn tail(path: &Path, lines: usize) -> String {
    let Ok(mut file) = File::open(path) else {
        return String::new();
    };
    let length = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(length.saturating_sub(64 * 1024)));
    let mut text = String::new();
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_ok() {
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_status_memory_fields_are_read_in_kib() {
        let status = "Name:\trouter\nVmPeak:\t  900 kB\nVmHWM:\t   52344 kB\nVmRSS:\t   41000 kB\nThreads:\t4\n";
        assert_eq!(
            parse_status(status),
            Some(Memory {
                rss_kib: 41_000,
                peak_kib: 52_344
            })
        );
        assert_eq!(parse_status("Name:\tkthreadd\nState:\tS\n"), None);
    }

    #[test]
    fn this_process_is_alive_and_has_memory() {
        let pid = std::process::id();
        assert!(is_alive(pid));
        let memory = memory_of(pid).expect("our own /proc entry");
        assert!(memory.rss_kib > 0 && memory.peak_kib >= memory.rss_kib, "{memory:?}");
    }

    #[test]
    fn free_ports_are_distinct() {
        let ports = free_ports(12).unwrap();
        let mut unique = ports.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 12);
    }

    #[tokio::test]
    async fn a_stopped_process_ends_on_sigterm_and_leaves_no_memory_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut process = ManagedProcess::spawn("sleeper", Path::new("sleep"), &["30"], dir.path(), &[]).unwrap();
        let pid = process.pid();
        assert_eq!(process.liveness(), Liveness::Running);
        let how = process.stop(Duration::from_secs(10)).await;
        assert!(how.contains("signal"), "{how}");
        assert!(!is_alive(pid));
    }
}
