//! `supergraph.toml`: which subgraphs make the supergraph, where each is routed, and where its SDL comes from.
//!
//! ```toml
//! [subgraphs.identity]
//! routing_url = "http://identity.invalid/graphql"
//! schema.file = "identity.graphql"          # relative to this file's folder
//!
//! [subgraphs.authz]
//! routing_url = "http://authz.invalid/graphql"
//! schema.subgraph_url = "http://127.0.0.1:4002/graphql"   # fetched live from `_service { sdl }`
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kernel::config::ConfigError;
use serde::Deserialize;

/// The whole `supergraph.toml`, plus the folder it was read from (schema files are relative to it).
#[derive(Debug, Clone)]
pub struct ComposeConfig {
    /// Subgraphs by name; the name is what `join__Graph` and error messages call the subgraph.
    pub subgraphs: BTreeMap<String, SubgraphConfig>,
    /// The folder schema files are resolved against.
    pub base_dir: PathBuf,
}

/// One subgraph of `supergraph.toml`.
#[derive(Debug, Clone)]
pub struct SubgraphConfig {
    /// The URL the router sends this subgraph's requests to, written into `@join__graph(url:)`.
    pub routing_url: String,
    /// Where the subgraph's SDL is read from.
    pub schema: SchemaSource,
}

/// Where a subgraph's SDL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// A file, relative to the config's folder unless absolute.
    File(PathBuf),
    /// The running subgraph at this URL, asked for `_service { sdl }`.
    SubgraphUrl(String),
}

impl SchemaSource {
    /// A short human description: the file name or the URL.
    pub fn describe(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::SubgraphUrl(url) => url.clone(),
        }
    }
}

/// Why `supergraph.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ComposeConfigError {
    /// The file is missing or does not parse into the expected shape.
    #[error("{path}: {source}")]
    Load {
        /// The config file.
        path: PathBuf,
        /// What was wrong with it, one problem per key.
        source: ConfigError,
    },
    /// A subgraph entry is inconsistent (no schema source, or both).
    #[error("{path}: subgraphs.{subgraph}: {problem}")]
    Subgraph {
        /// The config file.
        path: PathBuf,
        /// The subgraph's name.
        subgraph: String,
        /// What is wrong with its entry.
        problem: String,
    },
    /// The config names no subgraph at all.
    #[error("{0}: no [subgraphs.NAME] entries")]
    Empty(PathBuf),
    /// A subgraph's schema file could not be read.
    #[error("subgraph {subgraph}: cannot read {path}: {source}")]
    SchemaFile {
        /// The subgraph's name.
        subgraph: String,
        /// The schema file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default = "default_subgraphs")]
    subgraphs: BTreeMap<String, RawSubgraph>,
}

fn default_subgraphs() -> BTreeMap<String, RawSubgraph> {
    BTreeMap::new()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubgraph {
    routing_url: String,
    schema: RawSchema,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    #[serde(default = "default_file")]
    file: Option<PathBuf>,
    #[serde(default = "default_subgraph_url")]
    subgraph_url: Option<String>,
}

fn default_file() -> Option<PathBuf> {
    None
}

fn default_subgraph_url() -> Option<String> {
    None
}

impl ComposeConfig {
    /// Reads and checks `supergraph.toml` at `path`.
    pub fn load(path: &Path) -> Result<Self, ComposeConfigError> {
        // Environment variables are not layered in: a supergraph definition is a committed artefact.
        let raw: RawConfig = kernel::config::load_with_env(Some(path), std::iter::empty()).map_err(|source| {
            ComposeConfigError::Load {
                path: path.to_path_buf(),
                source,
            }
        })?;
        if raw.subgraphs.is_empty() {
            return Err(ComposeConfigError::Empty(path.to_path_buf()));
        }
        let mut subgraphs = BTreeMap::new();
        for (name, subgraph) in raw.subgraphs {
            let problem = |problem: &str| ComposeConfigError::Subgraph {
                path: path.to_path_buf(),
                subgraph: name.clone(),
                problem: problem.to_owned(),
            };
            let schema = match (subgraph.schema.file, subgraph.schema.subgraph_url) {
                (Some(file), None) => SchemaSource::File(file),
                (None, Some(url)) => SchemaSource::SubgraphUrl(url),
                (Some(_), Some(_)) => return Err(problem("schema.file and schema.subgraph_url are exclusive")),
                (None, None) => return Err(problem("needs schema.file or schema.subgraph_url")),
            };
            let routing_url = subgraph.routing_url;
            subgraphs.insert(name, SubgraphConfig { routing_url, schema });
        }
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Self { subgraphs, base_dir })
    }

    /// Resolves a schema file against the config's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        self.base_dir.join(path)
    }

    /// Reads one subgraph's schema file.
    pub fn read_schema_file(&self, subgraph: &str, path: &Path) -> Result<String, ComposeConfigError> {
        let path = self.resolve(path);
        std::fs::read_to_string(&path).map_err(|source| ComposeConfigError::SchemaFile {
            subgraph: subgraph.to_owned(),
            path,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{ComposeConfig, ComposeConfigError, SchemaSource};

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("supergraph.toml");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    #[test]
    fn file_and_live_sources_are_read() {
        let (_dir, path) = write(
            "[subgraphs.a]\nrouting_url = \"http://a\"\nschema.file = \"a.graphql\"\n\
             [subgraphs.b]\nrouting_url = \"http://b\"\nschema.subgraph_url = \"http://127.0.0.1:1/graphql\"\n",
        );
        let config = ComposeConfig::load(&path).expect("loads");
        assert_eq!(config.subgraphs["a"].schema, SchemaSource::File("a.graphql".into()));
        assert_eq!(config.subgraphs["b"].routing_url, "http://b");
        assert_eq!(
            config.subgraphs["b"].schema,
            SchemaSource::SubgraphUrl("http://127.0.0.1:1/graphql".into())
        );
    }

    #[test]
    fn a_subgraph_without_a_schema_source_is_refused_by_name() {
        let (_dir, path) = write("[subgraphs.a]\nrouting_url = \"http://a\"\nschema = {}\n");
        let error = ComposeConfig::load(&path).expect_err("refused");
        assert!(
            matches!(&error, ComposeConfigError::Subgraph { subgraph, .. } if subgraph == "a"),
            "{error}"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let (_dir, path) = write("[subgraphs.a]\nrouting_url = \"http://a\"\nurl = \"x\"\nschema.file = \"a\"\n");
        let error = ComposeConfig::load(&path).expect_err("refused");
        assert!(error.to_string().contains("url"), "{error}");
    }
}
