//! The server's secret key: 32 random bytes made on first start and kept in
//! the data directory (mode 0600). There is no default and no key in the
//! code. It keys the HMACs that derive and look up invite codes, so a copy
//! of the database alone cannot be used to guess them.

use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("could not read or create the secret key {0}: {1}")]
    Io(String, std::io::Error),
    #[error("the secret key {0} is not 64 hex digits; move it away to make a new one")]
    Malformed(String),
}

impl SecretKey {
    /// A fresh random key (tests and first start).
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// Reads `path`, or creates it with a new key readable by its owner only.
    pub fn load_or_create(path: &Path) -> Result<SecretKey, SecretError> {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(text.trim()).ok_or(SecretError::Malformed(shown)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options
                    .open(path)
                    .map_err(|e| SecretError::Io(shown.clone(), e))?;
                file.write_all(key.to_hex().as_bytes())
                    .and_then(|_| file.sync_all())
                    .map_err(|e| SecretError::Io(shown, e))?;
                Ok(key)
            }
            Err(e) => Err(SecretError::Io(shown, e)),
        }
    }

    fn to_hex(&self) -> String {
        hex(&self.0)
    }

    fn from_hex(text: &str) -> Option<SecretKey> {
        if text.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(SecretKey(bytes))
    }

    /// HMAC-SHA-256 of `data` under this key, for one named purpose.
    pub fn mac(&self, purpose: &str, data: &str) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn mac_hex(&self, purpose: &str, data: &str) -> String {
        hex(&self.mac(purpose, data))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_made_once_private_and_read_back() {
        let dir =
            std::env::temp_dir().join(format!("onsplan-key-{}", crate::domain::ids::new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret.key");
        let first = SecretKey::load_or_create(&path).unwrap();
        let again = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(first.mac_hex("p", "x"), again.mac_hex("p", "x"));
        assert_ne!(
            first.mac_hex("p", "x"),
            SecretKey::generate().mac_hex("p", "x")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            SecretKey::load_or_create(&path),
            Err(SecretError::Malformed(_))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
