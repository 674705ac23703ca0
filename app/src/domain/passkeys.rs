//! Passkeys for family members: after joining (or in "Our plan") a member
//! adds one, and signs in again later with the phone's fingerprint, face or
//! screen lock; there is nothing to remember or type. The credential is
//! discoverable (the phone offers it without a user name), so a member
//! never needs an email address. Each ceremony has two requests; its state
//! waits in the store in between, for five minutes, and is used once.
//!
//! Passkeys need the relying party to be a host name, not an IP address:
//! `ONSPLAN_PUBLIC_URL` must name the host people use (the Quick start
//! serves `http://localhost:3000`; browsers allow `localhost` without TLS).

use sqlx::Row;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, DiscoverableKey, Passkey,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};

use super::access::{internal, FamilyAccess};
use super::db::Db;
use super::ids::new_id;
use super::secret::{hex, SecretKey};
use crate::error::AppError;

/// How long a ceremony may take between its two requests.
const CEREMONY_SECONDS: i64 = 300;

/// The relying party for Onsplan's public address; `None` when the address
/// is an IP address (browsers refuse passkeys there).
pub fn relying_party(public_url: &str) -> Option<Webauthn> {
    let origin = Url::parse(public_url).ok()?;
    let host = origin.host_str()?.to_string();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return None;
    }
    WebauthnBuilder::new(&host, &origin)
        .ok()?
        .rp_name("Onsplan")
        .build()
        .ok()
}

/// The user handle the member's passkeys carry: derived from the member's
/// id under the server key, so it says nothing about the member to anyone
/// without the key, and stays the same for all their passkeys.
fn user_handle(secret: &SecretKey, member_id: &str) -> Uuid {
    let mac = secret.mac("passkey-user", member_id);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&mac[..16]);
    Uuid::from_bytes(bytes)
}

fn bad() -> AppError {
    AppError::bad("error-passkey")
}

async fn save_ceremony(
    db: &Db,
    kind: &str,
    member_id: Option<&str>,
    state: &impl serde::Serialize,
    now: i64,
) -> Result<String, AppError> {
    let id = new_id();
    // Old, unfinished ceremonies go: the table stays small.
    sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at < $1")
        .bind(now)
        .execute(db.pool())
        .await
        .map_err(internal)?;
    sqlx::query(
        "INSERT INTO passkey_ceremonies (id, kind, member_id, state, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(kind)
    .bind(member_id)
    .bind(serde_json::to_string(state).map_err(internal)?)
    .bind(now + CEREMONY_SECONDS)
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(id)
}

/// Takes a ceremony out of the store (used once): its state, if it is of
/// this kind, for this member, and not expired.
async fn take_ceremony<T: serde::de::DeserializeOwned>(
    db: &Db,
    id: &str,
    kind: &str,
    member_id: Option<&str>,
    now: i64,
) -> Result<T, AppError> {
    let row = sqlx::query(
        "DELETE FROM passkey_ceremonies WHERE id = $1 AND kind = $2 AND expires_at >= $3
           AND (member_id = $4 OR ($4 IS NULL AND member_id IS NULL))
         RETURNING state",
    )
    .bind(id)
    .bind(kind)
    .bind(now)
    .bind(member_id)
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?
    .ok_or_else(bad)?;
    let state: String = row.try_get("state").map_err(internal)?;
    serde_json::from_str(&state).map_err(internal)
}

/// A member starts adding a passkey on this phone: the options for
/// `navigator.credentials.create`, and the ceremony's id.
pub async fn start_registration(
    db: &Db,
    rp: &Webauthn,
    secret: &SecretKey,
    access: &FamilyAccess,
) -> Result<(String, CreationChallengeResponse), AppError> {
    let member_id = access.member_id().ok_or(AppError::NotFound)?;
    // The name the phone shows beside the passkey.
    let member_name: String = sqlx::query_scalar("SELECT display_name FROM members WHERE id = $1")
        .bind(member_id)
        .fetch_one(db.pool())
        .await
        .map_err(internal)?;
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT credential FROM passkeys WHERE member_id = $1")
            .bind(member_id)
            .fetch_all(db.pool())
            .await
            .map_err(internal)?;
    let exclude = existing
        .iter()
        .filter_map(|c| serde_json::from_str::<Passkey>(c).ok())
        .map(|p| p.cred_id().clone())
        .collect::<Vec<_>>();
    let (options, state) = rp
        .start_passkey_registration(
            user_handle(secret, member_id),
            &member_name,
            &member_name,
            Some(exclude),
        )
        .map_err(internal)?;
    let id = save_ceremony(db, "register", Some(member_id), &state, access.now()).await?;
    Ok((id, options))
}

/// The phone made the passkey: it is checked and kept for the member.
pub async fn finish_registration(
    db: &Db,
    rp: &Webauthn,
    secret: &SecretKey,
    access: &FamilyAccess,
    ceremony: &str,
    credential: &str,
) -> Result<(), AppError> {
    let member_id = access.member_id().ok_or(AppError::NotFound)?;
    let state: PasskeyRegistration =
        take_ceremony(db, ceremony, "register", Some(member_id), access.now()).await?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_str(credential).map_err(|_| bad())?;
    let passkey = rp
        .finish_passkey_registration(&credential, &state)
        .map_err(|_| bad())?;
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "INSERT INTO passkeys (id, member_id, user_handle, credential, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hex(passkey.cred_id()))
    .bind(member_id)
    .bind(user_handle(secret, member_id).to_string())
    .bind(serde_json::to_string(&passkey).map_err(internal)?)
    .bind(access.now())
    .execute(&mut *tx)
    .await
    .map_err(|_| bad())?;
    // A new way in: the family sees it in "Who looked".
    super::log::record_change(&mut tx, access, "member_passkey_added", None).await?;
    tx.commit().await.map_err(internal)
}

/// Someone starts signing in with a passkey: the options for
/// `navigator.credentials.get` (no user name: the phone offers its
/// passkeys for this site), and the ceremony's id.
pub async fn start_sign_in(
    db: &Db,
    rp: &Webauthn,
    now: i64,
) -> Result<(String, RequestChallengeResponse), AppError> {
    let (mut options, state) = rp.start_discoverable_authentication().map_err(internal)?;
    // A button, not the autofill prompt: the phone asks at once.
    options.mediation = None;
    let id = save_ceremony(db, "sign_in", None, &state, now).await?;
    Ok((id, options))
}

/// The phone signed the challenge: the member whose passkey it is, after
/// checking the signature; its counter is kept.
pub async fn finish_sign_in(
    db: &Db,
    rp: &Webauthn,
    ceremony: &str,
    credential: &str,
    now: i64,
) -> Result<String, AppError> {
    let state: DiscoverableAuthentication =
        take_ceremony(db, ceremony, "sign_in", None, now).await?;
    let credential: PublicKeyCredential = serde_json::from_str(credential).map_err(|_| bad())?;
    let (handle, cred_id) = rp
        .identify_discoverable_authentication(&credential)
        .map_err(|_| bad())?;
    let row = sqlx::query("SELECT member_id, user_handle, credential FROM passkeys WHERE id = $1")
        .bind(hex(cred_id))
        .fetch_optional(db.pool())
        .await
        .map_err(internal)?
        .ok_or_else(bad)?;
    let member_id: String = row.try_get("member_id").map_err(internal)?;
    let stored_handle: String = row.try_get("user_handle").map_err(internal)?;
    if stored_handle != handle.to_string() {
        return Err(bad());
    }
    let stored: String = row.try_get("credential").map_err(internal)?;
    let mut passkey: Passkey = serde_json::from_str(&stored).map_err(internal)?;
    // The v2 call needs the crate's `Credential` type, which 0.6 exports
    // only behind a feature named "danger-…"; this one does the same check.
    #[allow(deprecated)]
    let result = rp
        .finish_discoverable_authentication(&credential, state, &[DiscoverableKey::from(&passkey)])
        .map_err(|_| bad())?;
    passkey.update_credential(&result);
    sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3")
        .bind(serde_json::to_string(&passkey).map_err(internal)?)
        .bind(now)
        .bind(hex(cred_id))
        .execute(db.pool())
        .await
        .map_err(internal)?;
    Ok(member_id)
}

/// How many passkeys the member has (to offer one when there is none);
/// 0 for anyone who is not a member.
pub async fn count(db: &Db, access: &FamilyAccess) -> Result<i64, AppError> {
    let Some(member_id) = access.member_id() else {
        return Ok(0);
    };
    sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE member_id = $1")
        .bind(member_id)
        .fetch_one(db.pool())
        .await
        .map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passkeys_need_a_host_name() {
        assert!(relying_party("http://127.0.0.1:3000").is_none());
        assert!(relying_party("http://localhost:3000").is_some());
        assert!(relying_party("https://onsplan.example.be").is_some());
    }
}
