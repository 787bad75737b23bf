//! The environment-variable layer: `PLATFORM__SERVER__HTTP_ADDR=…` sets `server.http_addr`.

use figment::value::{Dict, Map, Value};
use figment::{Error, Metadata, Profile, Provider};

/// The prefix of every configuration variable; `__` separates the path segments after it.
pub const ENV_PREFIX: &str = "PLATFORM__";

const SEPARATOR: &str = "__";

/// A figment provider holding the `PLATFORM__…` variables of one environment snapshot.
#[derive(Debug, Clone, Default)]
pub struct EnvLayer {
    vars: Vec<(Vec<String>, String)>,
    /// Variables whose value is kept as a string because a string field refused its parsed form.
    verbatim: Vec<Vec<String>>,
}

impl EnvLayer {
    /// Keeps the variables that start with [`ENV_PREFIX`], splitting each name into lowercase key segments.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let vars = vars
            .into_iter()
            .filter_map(|(name, value)| {
                let path = name.strip_prefix(ENV_PREFIX)?;
                let segments: Vec<String> = path.split(SEPARATOR).map(str::to_ascii_lowercase).collect();
                if segments.iter().any(String::is_empty) {
                    return None;
                }
                Some((segments, value))
            })
            .collect();
        Self {
            vars,
            verbatim: Vec::new(),
        }
    }

    /// If `error` is a string field refusing a value this layer parsed as a number or bool, keeps that variable
    /// verbatim from now on and returns `true`; otherwise returns `false`.
    pub(super) fn retry_as_string(&mut self, error: &Error) -> bool {
        use figment::error::Kind;
        let Kind::InvalidType(_, expected) = &error.kind else {
            return false;
        };
        if !expected.contains("string") || self.verbatim.contains(&error.path) {
            return false;
        }
        if !self.vars.iter().any(|(segments, _)| *segments == error.path) {
            return false;
        }
        self.verbatim.push(error.path.clone());
        true
    }
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable").interpolater(|_: &Profile, keys: &[&str]| {
            let upper: Vec<String> = keys.iter().map(|k| k.to_ascii_uppercase()).collect();
            format!("{ENV_PREFIX}{}", upper.join(SEPARATOR))
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        let mut root = Dict::new();
        for (segments, raw) in &self.vars {
            // Values parse the way TOML scalars do ("8080" is a number, "true" a bool); serde then coerces a
            // number back to a string where the field is a string.
            let value: Value = if self.verbatim.contains(segments) {
                Value::from(raw.clone())
            } else {
                raw.parse()
                    .unwrap_or_else(|never: std::convert::Infallible| match never {})
            };
            insert(&mut root, segments, value);
        }
        Ok(Profile::Default.collect(root))
    }
}

/// Inserts `value` at `segments`, creating intermediate tables; a scalar in the way is replaced by a table.
fn insert(dict: &mut Dict, segments: &[String], value: Value) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() {
        dict.insert(first.clone(), value);
        return;
    }
    let entry = dict.entry(first.clone()).or_insert_with(|| Value::from(Dict::new()));
    if entry.as_dict().is_none() {
        *entry = Value::from(Dict::new());
    }
    if let Value::Dict(_, child) = entry {
        insert(child, rest, value);
    }
}
