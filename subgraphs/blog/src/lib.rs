//! The blog service. Its domain, store, GraphQL subgraph, gRPC service and events are built by the services' issues; this crate holds no code yet.
