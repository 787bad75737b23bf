//! The committed SDL is what the service serves.

#[test]
fn committed_sdl_matches_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/identity.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = identity::graphql::sdl();
    assert!(
        committed == current,
        "schema/identity.graphql is out of date with the identity subgraph; regenerate it with\n    \
         cargo run -p identity -- sdl > schema/identity.graphql\nand review the diff"
    );
}

#[test]
fn sdl_declares_user_as_a_federation_entity() {
    let sdl = identity::graphql::sdl();
    assert!(sdl.contains("type User @key(fields: \"id\")"), "{sdl}");
    assert!(!sdl.to_lowercase().contains("passwordhash"), "{sdl}");
}
