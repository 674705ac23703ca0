//! The domain, server side only: storage, the access layer and the consent
//! rules. Every read or change of family data goes through `access`.

pub mod access;
pub mod accounts;
pub mod clock;
pub mod consent;
pub mod db;
pub mod ids;
pub mod log;
pub mod plan;

use clock::Clock;
use db::Db;

/// What every request handler and server function can reach. It holds no
/// decisions about access: those are made per request, in the SQL.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
}
