//! The comment header of a composed supergraph file: who wrote it, and a hash of each subgraph SDL it came from,
//! so a test can tell when a subgraph changed without the supergraph being recomposed.

use super::SubgraphSdl;

/// 64-bit FNV-1a of `bytes`: small, stable across platforms and versions, and enough to notice an edit.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The supergraph file as `router compose` writes it: the header, a blank line, then the supergraph SDL.
pub fn supergraph_file(config_name: &str, subgraphs: &[SubgraphSdl], supergraph_sdl: &str) -> String {
    let mut out = format!(
        "# Composed by `router compose --config {config_name}` from the subgraph SDL below; do not edit by hand.\n"
    );
    for subgraph in subgraphs {
        out.push_str(&format!(
            "# source {} fnv1a64={:016x}\n",
            subgraph.source,
            fnv1a64(subgraph.sdl.as_bytes())
        ));
    }
    out.push('\n');
    out.push_str(supergraph_sdl.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::fnv1a64;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
