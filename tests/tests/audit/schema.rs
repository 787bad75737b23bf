//! The committed SDL is what the service serves.

#[test]
fn committed_sdl_matches_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/audit.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = audit::graphql::sdl();
    assert!(
        committed == current,
        "schema/audit.graphql is out of date with the audit subgraph; regenerate it with\n    \
         cargo run -p audit -- sdl > schema/audit.graphql\nand review the diff"
    );
}

#[test]
fn sdl_offers_the_paged_log_and_no_way_to_change_it() {
    let sdl = audit::graphql::sdl();
    assert!(
        sdl.contains("auditLog(filter: AuditLogFilter, first: Int, after: String): AuditRecordConnection!"),
        "{sdl}"
    );
    assert!(!sdl.contains("type Mutation"), "{sdl}");
}
