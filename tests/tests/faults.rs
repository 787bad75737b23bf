//! Fault injection against real backends and real subgraphs: each test runs a short load (a few concurrent
//! clients over loopback HTTP) while something breaks — PostgreSQL restarted, Redis killed, the broker killed,
//! a subgraph killed, slowed or answering garbage — and then prints a one-line report and checks that errors
//! stayed within what the fault touches, every error carried a code and no internals, nothing hung, and not one
//! acknowledged write went missing.
//!
//! Backends are private instances started by the test on ports of their own (never the machine's shared
//! servers), and stopped through the pid of the process the test spawned.

#[path = "faults/authz_stack.rs"]
mod authz_stack;
#[path = "faults/backends.rs"]
mod backends;
#[path = "faults/identity_stack.rs"]
mod identity_stack;
#[path = "faults/kafka.rs"]
mod kafka;
#[path = "faults/load.rs"]
mod load;
#[path = "faults/postgres.rs"]
mod postgres;
#[path = "faults/proxy.rs"]
mod proxy;
#[path = "faults/redis.rs"]
mod redis;
#[path = "faults/subgraphs.rs"]
mod subgraphs;
