//! The domain, server side only: storage, the access layer and the consent
//! rules. Every read or change of family data goes through `access`.

pub mod access;
pub mod accounts;
pub mod clock;
pub mod consent;
pub mod db;
pub mod ids;
pub mod invites;
pub mod limits;
pub mod live;
pub mod log;
pub mod mandates;
pub mod media;
pub mod members;
pub mod messages;
pub mod new_phone;
pub mod overview;
pub mod passkeys;
pub mod plan;
pub mod push;
pub mod secret;
pub mod webm;

use std::sync::Arc;

use clock::Clock;
use db::Db;
use secret::SecretKey;

/// What every request handler and server function can reach. It holds no
/// decisions about access: those are made per request, in the SQL.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub secret: Arc<SecretKey>,
    /// Where people reach this server, e.g. `https://onsplan.example.be`
    /// (invite links and QR codes point here; `https` makes cookies Secure).
    pub public_url: String,
    /// Limits on guessing (sign-in, invite codes), shared by all requests.
    pub limits: Arc<limits::RateLimits>,
    /// A reverse proxy in front of Onsplan (`ONSPLAN_TRUSTED_PROXY`): for
    /// requests from it, the client's address is the last one it added to
    /// `X-Forwarded-For`. Without it, the peer address is the client's.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// The server's web push identity (VAPID keys, shared through the
    /// store) and the push services it may post to.
    pub push: Arc<push::Push>,
    /// The readers connected to this instance for live updates.
    pub live: Arc<live::Hub>,
}
