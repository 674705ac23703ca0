//! The server's secret key: 32 random bytes made on first start and kept in
//! the data directory (mode 0600). There is no default and no key in the
//! code. It keys the HMACs that derive and look up invite codes, so a copy
//! of the database alone cannot be used to guess them.

use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};

use super::db::Db;
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
    #[error(
        "the secret key in {0} does not match the one in the database: this data directory \
         belongs to another Onsplan. Point DATABASE_URL at this directory's own database, or \
         move {0} away to use the database's key"
    )]
    Mismatch(String),
    #[error("could not read or store the secret key in the database: {0}")]
    Store(String),
}

/// The name of the invite-code key in `server_keys`.
const STORE_NAME: &str = "secret";

impl SecretKey {
    /// A fresh random key (tests and first start).
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// Reads `path`, or creates it with a new key readable by its owner only.
    pub fn load_or_create(path: &Path) -> Result<SecretKey, SecretError> {
        match Self::read(path)? {
            Some(key) => Ok(key),
            None => {
                let key = Self::generate();
                key.write_new(path)?;
                Ok(key)
            }
        }
    }

    /// The key in `path`, `None` when there is no such file.
    fn read(path: &Path) -> Result<Option<SecretKey>, SecretError> {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(text.trim())
                .map(Some)
                .ok_or(SecretError::Malformed(shown)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SecretError::Io(shown, e)),
        }
    }

    /// Writes a new key file, readable by its owner only.
    fn write_new(&self, path: &Path) -> Result<(), SecretError> {
        let shown = path.display().to_string();
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
        file.write_all(self.to_hex().as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| SecretError::Io(shown, e))
    }

    /// The server's key, shared by every instance on one store: the store
    /// holds it, and each data directory keeps a copy at `path`.
    /// - The store has a key and the directory none: the copy is written.
    /// - The directory has a key and the store none (a store made before
    ///   keys moved into it, or a restored backup): the store takes it.
    /// - Neither: a new key; when two instances start at once, the first to
    ///   write it wins and both use that one.
    /// - Both, different: refused, with a clear message: this data
    ///   directory belongs to another Onsplan.
    pub async fn load_shared(db: &Db, path: &Path, now: i64) -> Result<SecretKey, SecretError> {
        let in_dir = Self::read(path)?;
        let offered = in_dir.clone().unwrap_or_else(Self::generate);
        // Insert if absent, then read back whichever key the store holds.
        sqlx::query(
            "INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(STORE_NAME)
        .bind(offered.to_hex())
        .bind(now)
        .execute(db.pool())
        .await
        .map_err(|e| SecretError::Store(e.to_string()))?;
        let stored: String = sqlx::query_scalar("SELECT value FROM server_keys WHERE name = $1")
            .bind(STORE_NAME)
            .fetch_one(db.pool())
            .await
            .map_err(|e| SecretError::Store(e.to_string()))?;
        let stored = Self::from_hex(&stored)
            .ok_or_else(|| SecretError::Store("the stored key is not 64 hex digits".into()))?;
        match in_dir {
            Some(key) if key.0 == stored.0 => Ok(key),
            Some(_) => Err(SecretError::Mismatch(path.display().to_string())),
            None => {
                stored.write_new(path)?;
                Ok(stored)
            }
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
