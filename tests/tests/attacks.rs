//! Attacks on the whole platform (identity, authz, audit, blog, billing and the router verifying tokens at the
//! edge, started as `platform dev` starts them): a disabled user's still-valid access token, a replayed refresh
//! token, one member going after another's data through the router and around it over the services' gRPC ports.
//! Each attempt is judged three ways: the exact error the caller sees, the databases unchanged, and the denial in
//! the audit log. Token-shape attacks at the router (forged, expired, wrong audience, …) are the router's own tests.

#[path = "platform_e2e/stack.rs"]
mod stack;

#[path = "attacks/scene.rs"]
mod scene;

#[path = "attacks/disabled_user.rs"]
mod disabled_user;

#[path = "attacks/refresh_replay.rs"]
mod refresh_replay;

#[path = "attacks/horizontal_graphql.rs"]
mod horizontal_graphql;

#[path = "attacks/horizontal_grpc.rs"]
mod horizontal_grpc;
