//! The committed SDL is what the service serves.

#[test]
fn committed_sdl_matches_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/blog.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = blog::graphql::sdl();
    assert!(
        committed == current,
        "schema/blog.graphql is out of date with the blog subgraph; regenerate it with\n    \
         cargo run -p blog -- sdl > schema/blog.graphql\nand review the diff"
    );
}

#[test]
fn sdl_keys_posts_and_users_by_id() {
    let sdl = blog::graphql::sdl();
    assert!(sdl.contains("type Post @key(fields: \"id\")"), "{sdl}");
    assert!(sdl.contains("type User @key(fields: \"id\")"), "{sdl}");
    assert!(
        sdl.contains("posts(first: Int, after: String, status: PostStatus): PostConnection!"),
        "{sdl}"
    );
}
