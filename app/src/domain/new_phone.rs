//! "Let me in on my new phone": a one-time code that starts a session as a
//! member who already is in the family (no new member). A member makes one
//! for any member of the family, themselves included; the family's coach,
//! while the family accepts them, makes one when no member can help, and
//! then the member's old sessions end and every member is told (a notice
//! on "Our plan", and "Who looked"). The code is an invite row with
//! `for_member` set: same format, look-up, rate limit and one-time use as
//! invites (see `invites`), valid for 24 hours.

use sqlx::Row;

use super::access::{internal, Caller};
use super::db::Db;
use super::invites::{
    self, code_for, format_code, insert_code, lookup_hash, normalise, Invite, JoinKind, NewCode,
    INVITE_STILL_VALID,
};
use super::log;
use super::secret::SecretKey;
use crate::error::AppError;

/// A "new phone" code works for one day: long enough to pass it on, short
/// enough that a forgotten one is soon useless.
pub const NEW_PHONE_SECONDS: i64 = 24 * 3600;

/// The logged event when a code was used ("let someone in as … on a new
/// phone"); its actor is who made the code, its subject the member.
pub const EVENT: &str = "member_new_phone";

/// Who may make a code for member `for_member` of `family_id`: a member of
/// the family, or its coach with a live base mandate; and only for a member
/// who is in the family (confirmed, not refused, not removed). Anyone else,
/// and any other member id, gets `NotFound`.
async fn maker<'c>(
    db: &Db,
    caller: &'c Caller,
    family_id: &str,
    for_member: &str,
) -> Result<(Option<&'c str>, Option<&'c str>), AppError> {
    let (maker_ok, staff, member) = match caller {
        Caller::Member(m) if m.is_confirmed() && m.family_id() == family_id => (
            "EXISTS (SELECT 1 FROM members k WHERE k.id = $3 AND k.family_id = f.id
               AND k.confirmed_at IS NOT NULL AND k.refused_at IS NULL AND k.removed_at IS NULL)",
            None,
            Some(m.member_id()),
        ),
        Caller::Staff(s) => (
            "f.coach_id = $3 AND EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
               AND b.coach_id = $3 AND b.withdrawn_at IS NULL)",
            Some(s.staff_id()),
            None,
        ),
        _ => return Err(AppError::NotFound),
    };
    let allowed: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM families f WHERE f.id = $1 AND {maker_ok}
           AND EXISTS (SELECT 1 FROM members m WHERE m.id = $2 AND m.family_id = f.id
               AND m.confirmed_at IS NOT NULL AND m.refused_at IS NULL AND m.removed_at IS NULL)"
    ))
    .bind(family_id)
    .bind(for_member)
    .bind(staff.or(member).unwrap_or(""))
    .fetch_one(db.pool())
    .await
    .map_err(internal)?;
    if allowed == 0 {
        return Err(AppError::NotFound);
    }
    Ok((staff, member))
}

/// A new one-time code that lets `for_member` back in, valid for 24 hours.
pub async fn create(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    family_id: &str,
    for_member: &str,
    now: i64,
) -> Result<Invite, AppError> {
    let (staff, member) = maker(db, caller, family_id, for_member).await?;
    let new = NewCode {
        family_id,
        staff,
        member,
        for_member: Some(for_member),
        expires_at: now + NEW_PHONE_SECONDS,
    };
    insert_code(db, secret, &new, now).await
}

/// The unused, unexpired "new phone" codes to show again: to a member,
/// every code of the family (the family sees what could let someone in,
/// also the coach's); to the coach, those the coach made, while the family
/// accepts them. Anyone else gets `NotFound`.
pub async fn open_codes(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    family_id: &str,
    now: i64,
) -> Result<Vec<Invite>, AppError> {
    let (filter, by) = match caller {
        Caller::Member(m) if m.is_confirmed() && m.family_id() == family_id => {
            ("$3 <> ''", m.member_id())
        }
        Caller::Staff(s) => (
            "i.created_by_staff = $3 AND f.coach_id = $3 AND EXISTS (
               SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                 AND b.coach_id = $3 AND b.withdrawn_at IS NULL)",
            s.staff_id(),
        ),
        _ => return Err(AppError::NotFound),
    };
    let rows = sqlx::query(&format!(
        "SELECT i.id, i.expires_at, fm.display_name AS for_name,
                COALESCE(mk.display_name, sk.display_name) AS made_by
         FROM invites i JOIN families f ON f.id = i.family_id
         JOIN members fm ON fm.id = i.for_member
         LEFT JOIN members mk ON mk.id = i.created_by_member
         LEFT JOIN staff sk ON sk.id = i.created_by_staff
         WHERE i.family_id = $1 AND i.for_member IS NOT NULL AND i.used_at IS NULL
           AND i.expires_at > $2 AND {INVITE_STILL_VALID} AND {filter}
         ORDER BY i.created_at DESC, i.id"
    ))
    .bind(family_id)
    .bind(now)
    .bind(by)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            Ok(Invite {
                code: format_code(&code_for(secret, &id)),
                expires_at: r.try_get("expires_at")?,
                for_name: r.try_get("for_name")?,
                made_by: r.try_get("made_by")?,
                id,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// Uses a "new phone" code, once: returns the caller of the member it lets
/// back in, for a new session on this phone. No member row is made. When
/// the coach made the code, the member's other sessions end (the old phone
/// is signed out). Logged with who made the code as the actor. A staff
/// account never uses one (409, as for invites).
pub async fn redeem(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    code: &str,
    now: i64,
) -> Result<Caller, AppError> {
    let info = invites::peek(db, secret, caller, code, now).await?;
    match info.kind {
        JoinKind::NewPhone => {}
        JoinKind::AlreadyIn => return Err(AppError::Conflict("error-invite-used".into())),
        // An invite to join is used on the join page, with a name.
        _ => return Err(AppError::bad("error-invite-unknown")),
    }
    let code = normalise(code).ok_or_else(|| AppError::bad("error-invite-unknown"))?;
    let mut tx = db.begin().await.map_err(internal)?;
    let used = sqlx::query(&format!(
        "UPDATE invites SET used_at = $1, used_by = for_member
         WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 AND for_member IS NOT NULL
           AND EXISTS (SELECT 1 FROM invites i JOIN families f ON f.id = i.family_id
                       WHERE i.id = invites.id AND {INVITE_STILL_VALID})
         RETURNING family_id, for_member, created_by_member, created_by_staff"
    ))
    .bind(now)
    .bind(lookup_hash(secret, &code))
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?
    // Someone else used it between the look and the update.
    .ok_or_else(|| AppError::Conflict("error-invite-used".into()))?;
    let family_id: String = used.try_get("family_id").map_err(internal)?;
    let member_id: String = used.try_get("for_member").map_err(internal)?;
    let by_member: Option<String> = used.try_get("created_by_member").map_err(internal)?;
    let by_staff: Option<String> = used.try_get("created_by_staff").map_err(internal)?;
    let actor = match (&by_member, &by_staff) {
        (Some(m), _) => log::Actor::Member(m),
        (None, Some(s)) => log::Actor::Staff(s),
        (None, None) => return Err(AppError::Internal),
    };
    if by_staff.is_some() {
        // Someone outside the household let a phone in: whoever held the
        // member's old sessions is out, so it cannot happen unseen.
        sqlx::query("DELETE FROM sessions WHERE subject_kind = 'member' AND subject_id = $1")
            .bind(&member_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        super::push::forget_person(&mut tx, &member_id).await?;
    }
    log::record_by(&mut tx, &family_id, now, actor, EVENT, Some(&member_id)).await?;
    tx.commit().await.map_err(internal)?;
    Caller::member(db, &member_id).await
}
