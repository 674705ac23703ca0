//! Typed configuration from the environment, with defaults that run on a
//! laptop. Secrets have no defaults: they are generated on first start and
//! kept in the data directory.

use std::net::{IpAddr, SocketAddr};

use onsplan_app::domain::limits::{Rate, RateConfig};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `ONSPLAN_LISTEN`, default 127.0.0.1:3000.
    pub listen: SocketAddr,
    /// `ONSPLAN_DATA_DIR`, default ./data: the SQLite file and the secret key.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`, default the SQLite file in the data directory.
    pub database_url: String,
    /// `ONSPLAN_PUBLIC_DIR`, default ./public: CSS, icons, manifest.
    pub public_dir: PathBuf,
    /// `ONSPLAN_PUBLIC_URL`, default `http://` + the listen address
    /// (`http://localhost:PORT` on the loopback address): where
    /// people reach the server (invite links, QR codes; `https://` makes
    /// the session cookie Secure).
    pub public_url: String,
    /// `ONSPLAN_PKG_DIR`, default ./target/site/pkg: the built JS and WASM.
    pub pkg_dir: PathBuf,
    /// `ONSPLAN_LIMIT_SIGN_IN_ACCOUNT`, `ONSPLAN_LIMIT_SIGN_IN_ADDRESS`,
    /// `ONSPLAN_LIMIT_INVITE_ADDRESS` (`TRIES/SECONDS`): limits on guessing.
    pub limits: RateConfig,
    /// `ONSPLAN_TRUSTED_PROXY`: the address of a reverse proxy in front of
    /// Onsplan, whose `X-Forwarded-For` names the client.
    pub trusted_proxy: Option<IpAddr>,
    /// `ONSPLAN_PUSH_CONTACT`, default the public URL: how a push service
    /// reaches the operator (`mailto:…` or `https://…`; the VAPID `sub`).
    pub push_contact: String,
    /// `ONSPLAN_PUSH_ENDPOINTS`: the push services the server posts to,
    /// space-separated `scheme://host` with an optional `*.` (default: the
    /// services of Chrome, Firefox, Safari and Edge).
    pub push_endpoints: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("ONSPLAN_LISTEN is not an address like 127.0.0.1:3000: {0}")]
    Listen(String),
    #[error("ONSPLAN_PUBLIC_URL must start with http:// or https://: {0}")]
    PublicUrl(String),
    #[error("{0} must be TRIES/SECONDS, both above 0, like 10/900: {1}")]
    Limit(&'static str, String),
    #[error("ONSPLAN_PUSH_CONTACT must start with mailto:, https:// or http://: {0}")]
    PushContact(String),
    #[error("ONSPLAN_TRUSTED_PROXY is not an IP address: {0}")]
    TrustedProxy(String),
}

/// `http://` + the listen address, with the loopback address named
/// `localhost`: passkeys need a host name, and browsers allow them on
/// `http://localhost` without TLS.
fn default_public_url(listen: SocketAddr) -> String {
    if listen.ip().is_loopback() {
        format!("http://localhost:{}", listen.port())
    } else {
        format!("http://{listen}")
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let listen_text = get("ONSPLAN_LISTEN").unwrap_or_else(|| "127.0.0.1:3000".into());
        let listen = listen_text
            .parse()
            .map_err(|_| ConfigError::Listen(listen_text.clone()))?;
        let data_dir = PathBuf::from(get("ONSPLAN_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("onsplan.db").display()
            )
        });
        let public_url = get("ONSPLAN_PUBLIC_URL")
            .unwrap_or_else(|| default_public_url(listen))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::PublicUrl(public_url));
        }
        let defaults = RateConfig::default();
        let rate = |key: &'static str, default: Rate| match get(key) {
            None => Ok(default),
            Some(text) => Rate::parse(&text).ok_or(ConfigError::Limit(key, text)),
        };
        let limits = RateConfig {
            sign_in_account: rate("ONSPLAN_LIMIT_SIGN_IN_ACCOUNT", defaults.sign_in_account)?,
            sign_in_address: rate("ONSPLAN_LIMIT_SIGN_IN_ADDRESS", defaults.sign_in_address)?,
            invite_address: rate("ONSPLAN_LIMIT_INVITE_ADDRESS", defaults.invite_address)?,
        };
        let trusted_proxy = match get("ONSPLAN_TRUSTED_PROXY") {
            None => None,
            Some(text) => Some(
                text.trim()
                    .parse()
                    .map_err(|_| ConfigError::TrustedProxy(text))?,
            ),
        };
        let push_contact = get("ONSPLAN_PUSH_CONTACT").unwrap_or_else(|| public_url.clone());
        if !(push_contact.starts_with("mailto:")
            || push_contact.starts_with("https://")
            || push_contact.starts_with("http://"))
        {
            return Err(ConfigError::PushContact(push_contact));
        }
        let push_endpoints = get("ONSPLAN_PUSH_ENDPOINTS")
            .unwrap_or_else(|| onsplan_app::domain::push::DEFAULT_ENDPOINTS.into());
        Ok(Config {
            push_contact,
            push_endpoints,
            limits,
            trusted_proxy,
            listen,
            public_url,
            database_url,
            public_dir: PathBuf::from(get("ONSPLAN_PUBLIC_DIR").unwrap_or_else(|| "public".into())),
            pkg_dir: PathBuf::from(
                get("ONSPLAN_PKG_DIR").unwrap_or_else(|| "target/site/pkg".into()),
            ),
            data_dir,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loopback_address_is_reached_as_localhost() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.public_url, "http://localhost:3000");
        let config =
            Config::from_lookup(|k| (k == "ONSPLAN_LISTEN").then(|| "0.0.0.0:8080".into()))
                .unwrap();
        assert_eq!(config.public_url, "http://0.0.0.0:8080");
        let config = Config::from_lookup(|k| {
            (k == "ONSPLAN_PUBLIC_URL").then(|| "https://onsplan.example.be/".into())
        })
        .unwrap();
        assert_eq!(config.public_url, "https://onsplan.example.be");
    }
}
