//! Configuration errors that name the key and the place the bad value came from.

use std::fmt;
use std::path::PathBuf;

/// Why configuration could not be loaded. Displayed, it lists one problem a line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A config file was named but does not exist.
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    /// One or more keys are unknown, missing or hold a value of the wrong type.
    #[error("invalid configuration:\n{0}")]
    Invalid(Problems),
}

/// The problems found in one load, one per key.
#[derive(Debug)]
pub struct Problems(pub Vec<String>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl ConfigError {
    pub(super) fn from_figment(error: figment::Error) -> Self {
        let problems = error.into_iter().map(|e| describe(&e)).collect();
        Self::Invalid(Problems(problems))
    }

    /// The individual problems, one per key, for callers that render them themselves.
    pub fn problems(&self) -> Vec<String> {
        match self {
            Self::MissingFile(_) => vec![self.to_string()],
            Self::Invalid(Problems(problems)) => problems.clone(),
        }
    }
}

fn describe(error: &figment::Error) -> String {
    use figment::error::Kind;

    let mut path: Vec<&str> = error.path.iter().map(String::as_str).collect();
    // An unknown field is reported at its parent; name the field itself.
    if let Kind::UnknownField(field, _) = &error.kind {
        path.push(field);
    }
    let key = if path.is_empty() {
        "<root>".to_owned()
    } else {
        path.join(".")
    };
    let origin = match &error.metadata {
        Some(metadata) => {
            let profile = error.profile.clone().unwrap_or_default();
            match &metadata.source {
                Some(source) => format!("{} {source}", metadata.name),
                None => format!("{} {}", metadata.name, metadata.interpolate(&profile, &path)),
            }
        }
        None => "defaults".to_owned(),
    };
    format!("key `{key}` (from {origin}): {}", error.kind)
}
