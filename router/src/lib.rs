//! The Federation v2 router. Its pipeline stages (`http`, `auth`, `operation`, `plan`, `execute`, `response`)
//! are built by the router issue; this crate holds no code yet.
