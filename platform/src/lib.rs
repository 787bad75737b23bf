//! The `platform` command that runs the whole stack on one machine. Built by the one-command-dev issue; no code yet.
