//! identity's signing key for the local stack, kept in the data folder so tokens issued before a restart still
//! verify after it (identity would otherwise generate a fresh key on every start).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use identity::config::SigningKeyConfig;
use kernel::auth::SigningKey;
use secrecy::ExposeSecret as _;

use crate::error::DevError;

/// The key id published in the JWKS.
const KID: &str = "platform-dev";
/// The file in the data folder.
const FILE: &str = "identity-signing-key.pem";

/// The signing key config for identity, creating the key file in `data_dir` on first use.
pub fn signing_key(data_dir: &Path) -> Result<SigningKeyConfig, DevError> {
    let path = data_dir.join(FILE);
    if !path.is_file() {
        let key = SigningKey::generate_ed25519(KID).map_err(|source| DevError::Key(source.to_string()))?;
        write_private(&path, key.pkcs8_pem().expose_secret()).map_err(|source| DevError::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok(SigningKeyConfig {
        kid: KID.to_owned(),
        pem_file: Some(path),
        pem: None,
    })
}

/// Writes `contents` to a file only its owner may read, since it is a private key.
fn write_private(path: &PathBuf, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = signing_key(dir.path()).unwrap();
        let path = first.pem_file.clone().unwrap();
        let pem = std::fs::read_to_string(&path).unwrap();
        let second = signing_key(dir.path()).unwrap();
        assert_eq!(second.pem_file.as_deref(), Some(path.as_path()));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
        SigningKey::from_ed25519_pem(KID, &pem).unwrap();
    }
}
