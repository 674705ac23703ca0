//! One-time invites by which a family member joins. The coach makes one;
//! its code (9 symbols from an alphabet without look-alikes: 30^9 ≈ 2^44)
//! is derived from the invite's random id with the server's secret key, so
//! the coach can show it again until it is used, and the store keeps only a
//! keyed hash to look it up. Opening a link never uses an invite: only
//! `redeem` (the confirmation step) does, once, within 7 days.

use sqlx::Row;

use super::access::{internal, Caller};
use super::db::Db;
use super::ids::new_id;
use super::secret::SecretKey;
use crate::error::AppError;
use crate::lang::Lang;

pub const INVITE_SECONDS: i64 = 7 * 86400;
/// No 0/O, 1/I/L, U/V-like pairs: 8 digits and 22 letters.
pub const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_LEN: usize = 9;

/// An invite the coach can hand over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: String,
    /// Formatted for reading aloud: `ABC-DEF-GHJ`.
    pub code: String,
    pub expires_at: i64,
}

/// What the person who opens a valid invite may know before joining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteInfo {
    pub family_name: String,
    pub coach_name: Option<String>,
    pub org_name: String,
}

fn code_for(secret: &SecretKey, invite_id: &str) -> String {
    let mac = secret.mac("invite-code", invite_id);
    let mut n = u128::from_be_bytes(mac[..16].try_into().expect("16 bytes"));
    (0..CODE_LEN)
        .map(|_| {
            let c = ALPHABET[(n % 30) as usize] as char;
            n /= 30;
            c
        })
        .collect()
}

/// `ABCDEFGHJ` → `ABC-DEF-GHJ`.
pub fn format_code(code: &str) -> String {
    code.as_bytes()
        .chunks(3)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Reads a typed or linked code: case, spaces and dashes do not matter.
pub fn normalise(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

fn lookup_hash(secret: &SecretKey, code: &str) -> String {
    secret.mac_hex("invite-lookup", code)
}

/// Whether this staff caller may invite people into the family: its current
/// coach, while the family has no members yet or has accepted them.
async fn may_invite(db: &Db, caller: &Caller, family_id: &str) -> Result<String, AppError> {
    let staff = caller.as_staff().ok_or(AppError::NotFound)?;
    let allowed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM families f WHERE f.id = $1 AND f.coach_id = $2 AND (
           NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id)
           OR EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                      AND b.coach_id = $2 AND b.withdrawn_at IS NULL))",
    )
    .bind(family_id)
    .bind(staff.staff_id())
    .fetch_one(db.pool())
    .await
    .map_err(internal)?;
    if allowed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(staff.staff_id().to_string())
}

/// A new invite into `family_id`, valid for 7 days.
pub async fn create(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    family_id: &str,
    now: i64,
) -> Result<Invite, AppError> {
    let staff_id = may_invite(db, caller, family_id).await?;
    let id = new_id();
    let code = code_for(secret, &id);
    let expires_at = now + INVITE_SECONDS;
    sqlx::query(
        "INSERT INTO invites (id, family_id, code_hash, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(family_id)
    .bind(lookup_hash(secret, &code))
    .bind(&staff_id)
    .bind(now)
    .bind(expires_at)
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(Invite {
        id,
        code: format_code(&code),
        expires_at,
    })
}

/// The unused, unexpired invites of a family, for its coach to show again.
pub async fn open_invites(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    family_id: &str,
    now: i64,
) -> Result<Vec<Invite>, AppError> {
    may_invite(db, caller, family_id).await?;
    let rows = sqlx::query(
        "SELECT id, expires_at FROM invites
         WHERE family_id = $1 AND used_at IS NULL AND expires_at > $2
         ORDER BY created_at DESC, id",
    )
    .bind(family_id)
    .bind(now)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            Ok(Invite {
                code: format_code(&code_for(secret, &id)),
                expires_at: r.try_get("expires_at")?,
                id,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// Looks an invite up by its code without using it. Unknown, used and
/// expired codes each get their own message.
pub async fn peek(
    db: &Db,
    secret: &SecretKey,
    code: &str,
    now: i64,
) -> Result<InviteInfo, AppError> {
    let code = normalise(code).ok_or_else(|| AppError::bad("error-invite-unknown"))?;
    let row = sqlx::query(
        "SELECT i.used_at, i.expires_at, f.display_name AS family_name, s.display_name AS coach_name,
                o.name AS org_name,
                CASE WHEN f.coach_id = i.created_by AND (
           NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id)
           OR EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                      AND b.coach_id = i.created_by AND b.withdrawn_at IS NULL)) THEN 1 ELSE 0 END AS still_valid
         FROM invites i JOIN families f ON f.id = i.family_id
         JOIN organisations o ON o.id = f.org_id
         LEFT JOIN staff s ON s.id = f.coach_id
         WHERE i.code_hash = $1",
    )
    .bind(lookup_hash(secret, &code))
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?
    .ok_or_else(|| AppError::bad("error-invite-unknown"))?;
    let used: Option<i64> = row.try_get("used_at").map_err(internal)?;
    let expires: i64 = row.try_get("expires_at").map_err(internal)?;
    if used.is_some() {
        return Err(AppError::Conflict("error-invite-used".into()));
    }
    let still_valid: i64 = row.try_get("still_valid").map_err(internal)?;
    // The family stopped working with the coach who made it, or has
    // another coach now: the invite ended with that.
    if expires <= now || still_valid == 0 {
        return Err(AppError::Conflict("error-invite-expired".into()));
    }
    Ok(InviteInfo {
        family_name: row.try_get("family_name").map_err(internal)?,
        coach_name: row.try_get("coach_name").map_err(internal)?,
        org_name: row.try_get("org_name").map_err(internal)?,
    })
}

/// Uses the invite: a new member joins with their name and language and
/// accepts the coach, in one transaction with marking the invite used. The
/// invite must still be valid then: made by the family's current coach,
/// while nobody joined yet or the family accepts that coach. Returns the
/// new member's caller.
pub async fn redeem(
    db: &Db,
    secret: &SecretKey,
    code: &str,
    display_name: &str,
    lang: Lang,
    now: i64,
) -> Result<Caller, AppError> {
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::bad("error-name-empty"));
    }
    peek(db, secret, code, now).await?;
    let code = normalise(code).ok_or_else(|| AppError::bad("error-invite-unknown"))?;
    let member_id = new_id();
    let mut tx = db.pool().begin().await.map_err(internal)?;
    let family_id: Option<String> = sqlx::query_scalar(
        "UPDATE invites SET used_at = $1, used_by = NULL
         WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
           AND EXISTS (SELECT 1 FROM families f, invites i WHERE i.id = invites.id
                       AND f.id = i.family_id AND f.coach_id = i.created_by AND (
           NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id)
           OR EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                      AND b.coach_id = i.created_by AND b.withdrawn_at IS NULL)))
         RETURNING family_id",
    )
    .bind(now)
    .bind(lookup_hash(secret, &code))
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    // Someone else used it between the look and the update.
    let family_id = family_id.ok_or_else(|| AppError::Conflict("error-invite-used".into()))?;
    sqlx::query(
        "INSERT INTO members (id, family_id, display_name, language, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&member_id)
    .bind(&family_id)
    .bind(name)
    .bind(lang.tag())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE invites SET used_by = $1 WHERE code_hash = $2")
        .bind(&member_id)
        .bind(lookup_hash(secret, &code))
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    // Joining is accepting the coach (the base mandate), in the same
    // transaction: a join never half-happens. No coach: nothing to accept.
    let coach: Option<String> = sqlx::query_scalar("SELECT coach_id FROM families WHERE id = $1")
        .bind(&family_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
    if let Some(coach) = coach {
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM base_mandates WHERE family_id = $1 AND coach_id = $2 AND withdrawn_at IS NULL",
        )
        .bind(&family_id)
        .bind(&coach)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        if live == 0 {
            let mandate = new_id();
            sqlx::query(
                "INSERT INTO base_mandates (id, family_id, coach_id, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&mandate)
            .bind(&family_id)
            .bind(&coach)
            .bind(&member_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            sqlx::query(
                "INSERT INTO access_log (id, family_id, at, seq, actor_kind, actor_id, event, subject_id, items)
                 VALUES ($1, $2, $3,
                         (SELECT COALESCE(MAX(seq), 0) + 1 FROM access_log WHERE family_id = $2),
                         'member', $4, 'base_mandate_granted', $5, '[]')",
            )
            .bind(new_id())
            .bind(&family_id)
            .bind(now)
            .bind(&member_id)
            .bind(&mandate)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        }
    }
    tx.commit().await.map_err(internal)?;
    Caller::member(db, &member_id).await
}
