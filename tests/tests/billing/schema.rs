//! The committed SDL is what the service serves.

#[test]
fn committed_sdl_matches_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/billing.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = billing::graphql::sdl();
    assert!(
        committed == current,
        "schema/billing.graphql is out of date with the billing subgraph; regenerate it with\n    \
         cargo run -p billing -- sdl > schema/billing.graphql\nand review the diff"
    );
}

#[test]
fn sdl_extends_the_user_entity_and_keeps_amounts_64_bit_safe() {
    let sdl = billing::graphql::sdl();
    assert!(sdl.contains("type User @key(fields: \"id\")"), "{sdl}");
    assert!(sdl.contains("scalar MinorUnits"), "{sdl}");
    assert!(sdl.contains("amount: MinorUnits!"), "{sdl}");
    assert!(
        sdl.contains("invoices(first: Int, after: String, status: InvoiceStatus): InvoiceConnection!"),
        "{sdl}"
    );
}
