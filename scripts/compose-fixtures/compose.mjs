// Composes the test subgraphs into the supergraph fixture the router's end-to-end tests plan against, with
// @theguild/federation-composition (MIT), pinned in package.json and package-lock.json.
//
// Regenerate after changing a subgraph under tests/src/subgraphs/, from the repository root:
//   1. UPDATE_FEDERATION_FIXTURES=1 cargo test -p platform-tests --test federation_fixture subgraph_sdl_fixtures
//      rewrites tests/fixtures/federation/<name>.graphql from what the subgraphs serve;
//   2. (cd scripts/compose-fixtures && npm ci && node compose.mjs) rewrites tests/fixtures/federation/supergraph.graphql.
// The Rust test `supergraph_fixture_was_composed_from_the_committed_subgraph_sdl` fails until step 2 has been run.
//
// Each subgraph's URL in the supergraph is the placeholder http://subgraph.invalid/<name>: the tests start the
// subgraphs on ephemeral loopback ports and override every subgraph URL at run time.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";
import { composeServices, compositionHasErrors } from "@theguild/federation-composition";

// One target is composed here: `fixtures` (the default). The platform's own supergraph, schema/supergraph.graphql,
// is composed by the router itself: `router compose --config schema/supergraph.toml`.
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const TARGETS = {
  // Order is the order of the join__Graph enum; keep it in step with the Rust `SubgraphName::ALL`.
  fixtures: {
    dir: join(root, "tests", "fixtures", "federation"),
    subgraphs: ["accounts", "products", "inventory", "reviews", "media", "search"],
    url: (name) => `http://subgraph.invalid/${name}`,
  },
};
const targetName = process.argv[2] ?? "fixtures";
const target = TARGETS[targetName];
if (!target) {
  throw new Error(`unknown target ${targetName}; expected one of ${Object.keys(TARGETS).join(", ")}`);
}
const fixtures = target.dir;
const SUBGRAPHS = target.subgraphs;

// 64-bit FNV-1a of the file's bytes, as lowercase hex. The header of the supergraph records it per subgraph so that
// a Rust test can tell when a subgraph's SDL changed without the supergraph being recomposed.
function fnv1a64(bytes) {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

const sources = SUBGRAPHS.map((name) => ({ name, bytes: readFileSync(join(fixtures, `${name}.graphql`)) }));
const services = sources.map(({ name, bytes }) => ({
  name,
  url: target.url(name),
  typeDefs: parse(bytes.toString("utf8")),
}));
const header = [
  `# Composed by scripts/compose-fixtures/compose.mjs ${targetName} from the subgraph SDL beside this file; do not edit by hand.`,
  ...sources.map(({ name, bytes }) => `# source ${name}.graphql fnv1a64=${fnv1a64(bytes)}`),
].join("\n");

const result = composeServices(services);
if (compositionHasErrors(result)) {
  for (const error of result.errors) {
    console.error(`composition error: ${error.message}`);
  }
  process.exitCode = 1;
} else {
  const output = join(fixtures, "supergraph.graphql");
  const sdl = result.supergraphSdl.endsWith("\n") ? result.supergraphSdl : `${result.supergraphSdl}\n`;
  writeFileSync(output, `${header}\n\n${sdl}`);
  console.log(`wrote ${output}`);
}
