//! One-time invites by which a family member joins. The coach makes one;
//! its code (9 symbols from an alphabet without look-alikes: 30^9 ≈ 2^44)
//! is derived from the invite's random id with the server's secret key, so
//! the coach can show it again until it is used, and the store keeps only a
//! keyed hash to look it up. Opening a link never uses an invite: only
//! `redeem` (the confirmation step) does, once, within 7 days. A "new
//! phone" code (`new_phone`) is an invite row that names the member it
//! lets back in (`for_member`): the same code, look-up and one-time use.

use sqlx::Row;

use super::access::{internal, Caller};
use super::db::Db;
use super::ids::new_id;
use super::log;
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
    /// For a "new phone" code: the member it lets back in.
    pub for_name: Option<String>,
    /// For a "new phone" code: who made it (a member or the coach).
    pub made_by: Option<String>,
}

/// What joining with this invite means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum JoinKind {
    /// Nobody has joined yet: the newcomer is the family's first member,
    /// and joining is accepting the coach (the base mandate).
    First,
    /// A member of the family made the invite: that is the family's yes.
    InvitedByMember,
    /// The coach made the invite and the family has members: one of them
    /// must confirm the newcomer before the newcomer sees anything.
    NeedsConfirmation,
    /// A "new phone" code: it lets an existing member back in.
    NewPhone,
    /// The signed-in member is the one who used this code: they are in.
    AlreadyIn,
}

/// What the person who opens a valid invite may know before joining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteInfo {
    pub family_name: String,
    pub coach_name: Option<String>,
    pub org_name: String,
    pub kind: JoinKind,
    /// The member who made the invite, when a member made it; for a "new
    /// phone" code, whoever made it (a member or the coach).
    pub invited_by: Option<String>,
    /// For a "new phone" code: the member it lets back in.
    pub for_member: Option<String>,
}

/// Whether invite `i` (joined with its family `f`) still lets someone in:
/// made by the family's current coach while nobody has joined yet or the
/// family accepts that coach; or made by a member of the family who is
/// still in it. A "new phone" code also needs its member to be still in
/// the family. Shared by the look-up and the guarded updates, so they
/// cannot disagree.
pub(super) const INVITE_STILL_VALID: &str = "((
    (i.created_by_staff IS NOT NULL AND f.coach_id = i.created_by_staff AND (
        NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id AND m.confirmed_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                   AND b.coach_id = i.created_by_staff AND b.withdrawn_at IS NULL)))
    OR (i.created_by_member IS NOT NULL AND EXISTS (
        SELECT 1 FROM members m WHERE m.id = i.created_by_member AND m.family_id = f.id
          AND m.confirmed_at IS NOT NULL AND m.refused_at IS NULL AND m.removed_at IS NULL)))
    AND (i.for_member IS NULL OR EXISTS (
        SELECT 1 FROM members m WHERE m.id = i.for_member AND m.family_id = f.id
          AND m.confirmed_at IS NOT NULL AND m.refused_at IS NULL AND m.removed_at IS NULL)))";

/// Who makes an invite.
enum Maker {
    Staff(String),
    Member(String),
}

pub(super) fn code_for(secret: &SecretKey, invite_id: &str) -> String {
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

pub(super) fn lookup_hash(secret: &SecretKey, code: &str) -> String {
    secret.mac_hex("invite-lookup", code)
}

/// Who may invite people into the family: its current coach, while
/// nobody has joined yet or the family accepts them; or a member of the
/// family. Anyone else gets `NotFound`.
async fn may_invite(db: &Db, caller: &Caller, family_id: &str) -> Result<Maker, AppError> {
    let (sql, id, maker): (&str, &str, fn(String) -> Maker) = match caller {
        Caller::Staff(staff) => (
            "SELECT COUNT(*) FROM families f WHERE f.id = $1 AND f.coach_id = $2 AND (
               NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id AND m.confirmed_at IS NOT NULL)
               OR EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                          AND b.coach_id = $2 AND b.withdrawn_at IS NULL))",
            staff.staff_id(),
            Maker::Staff,
        ),
        Caller::Member(member) if member.is_confirmed() => (
            "SELECT COUNT(*) FROM members m WHERE m.family_id = $1 AND m.id = $2
               AND m.confirmed_at IS NOT NULL AND m.refused_at IS NULL AND m.removed_at IS NULL",
            member.member_id(),
            Maker::Member,
        ),
        _ => return Err(AppError::NotFound),
    };
    let allowed: i64 = sqlx::query_scalar(sql)
        .bind(family_id)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .map_err(internal)?;
    if allowed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(maker(id.to_string()))
}

/// A new invite into `family_id`, valid for 7 days, made by its coach or
/// by one of its members.
pub async fn create(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    family_id: &str,
    now: i64,
) -> Result<Invite, AppError> {
    let maker = may_invite(db, caller, family_id).await?;
    let (staff, member) = match &maker {
        Maker::Staff(id) => (Some(id.as_str()), None),
        Maker::Member(id) => (None, Some(id.as_str())),
    };
    let code = NewCode {
        family_id,
        staff,
        member,
        for_member: None,
        expires_at: now + INVITE_SECONDS,
    };
    insert_code(db, secret, &code, now).await
}

/// A code to store: an invite, or a "new phone" code (`for_member`).
pub(super) struct NewCode<'a> {
    pub family_id: &'a str,
    pub staff: Option<&'a str>,
    pub member: Option<&'a str>,
    pub for_member: Option<&'a str>,
    pub expires_at: i64,
}

/// Stores a new code; only its keyed hash is kept.
pub(super) async fn insert_code(
    db: &Db,
    secret: &SecretKey,
    new: &NewCode<'_>,
    now: i64,
) -> Result<Invite, AppError> {
    let id = new_id();
    let code = code_for(secret, &id);
    sqlx::query(
        "INSERT INTO invites (id, family_id, code_hash, created_by_staff, created_by_member,
                              for_member, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(new.family_id)
    .bind(lookup_hash(secret, &code))
    .bind(new.staff)
    .bind(new.member)
    .bind(new.for_member)
    .bind(now)
    .bind(new.expires_at)
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(Invite {
        id,
        code: format_code(&code),
        expires_at: new.expires_at,
        for_name: None,
        made_by: None,
    })
}

/// The unused, unexpired invites of a family to show again: to the coach
/// those the coach made; to a member those the family's members made. A
/// coach never sees a member's code (it would let them in unconfirmed).
pub async fn open_invites(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    family_id: &str,
    now: i64,
) -> Result<Vec<Invite>, AppError> {
    let maker = may_invite(db, caller, family_id).await?;
    let (sql, by) = match &maker {
        Maker::Staff(id) => ("AND created_by_staff = $3", id.as_str()),
        Maker::Member(_) => ("AND created_by_member IS NOT NULL AND $3 <> ''", "-"),
    };
    let rows = sqlx::query(&format!(
        "SELECT id, expires_at FROM invites
         WHERE family_id = $1 AND used_at IS NULL AND expires_at > $2 AND for_member IS NULL {sql}
         ORDER BY created_at DESC, id"
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
                id,
                for_name: None,
                made_by: None,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// Looks an invite up by its code without using it. Unknown, used and
/// expired codes each get their own message; a staff account is told it
/// cannot join a family. A member who opens the code they used themselves
/// is told they are in (`AlreadyIn`), with nothing else.
pub async fn peek(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    code: &str,
    now: i64,
) -> Result<InviteInfo, AppError> {
    if caller.as_staff().is_some() {
        return Err(AppError::Conflict("error-invite-staff".into()));
    }
    let code = normalise(code).ok_or_else(|| AppError::bad("error-invite-unknown"))?;
    let row = sqlx::query(&format!(
        "SELECT i.used_at, i.used_by, i.expires_at, f.display_name AS family_name,
                s.display_name AS coach_name, o.name AS org_name,
                COALESCE(mk.display_name, sk.display_name) AS invited_by,
                i.for_member, fm.display_name AS for_name,
                (SELECT COUNT(*) FROM members m WHERE m.family_id = f.id
                   AND m.confirmed_at IS NOT NULL) AS members,
                CASE WHEN {INVITE_STILL_VALID} THEN 1 ELSE 0 END AS still_valid
         FROM invites i JOIN families f ON f.id = i.family_id
         JOIN organisations o ON o.id = f.org_id
         LEFT JOIN staff s ON s.id = f.coach_id
         LEFT JOIN members mk ON mk.id = i.created_by_member
         LEFT JOIN staff sk ON sk.id = i.created_by_staff AND i.for_member IS NOT NULL
         LEFT JOIN members fm ON fm.id = i.for_member
         WHERE i.code_hash = $1"
    ))
    .bind(lookup_hash(secret, &code))
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?
    .ok_or_else(|| AppError::bad("error-invite-unknown"))?;
    let used: Option<i64> = row.try_get("used_at").map_err(internal)?;
    let expires: i64 = row.try_get("expires_at").map_err(internal)?;
    let used_by: Option<String> = row.try_get("used_by").map_err(internal)?;
    let mine = match (caller.as_member(), &used_by) {
        (Some(me), Some(by)) => me.member_id() == by,
        _ => false,
    };
    if used.is_some() && mine {
        return Ok(InviteInfo {
            family_name: String::new(),
            coach_name: None,
            org_name: String::new(),
            kind: JoinKind::AlreadyIn,
            invited_by: None,
            for_member: None,
        });
    }
    let for_id: Option<String> = row.try_get("for_member").map_err(internal)?;
    // A "new phone" code says so (its own words), never whose it was.
    let (used_id, expired_id) = if for_id.is_some() {
        ("error-new-phone-used", "error-new-phone-expired")
    } else {
        ("error-invite-used", "error-invite-expired")
    };
    if used.is_some() {
        return Err(AppError::Conflict(used_id.into()));
    }
    let still_valid: i64 = row.try_get("still_valid").map_err(internal)?;
    // The family stopped working with the coach who made it, has another
    // coach now, or the member who made it (or whom it lets in) is no
    // longer in the family.
    if expires <= now || still_valid == 0 {
        return Err(AppError::Conflict(expired_id.into()));
    }
    let invited_by: Option<String> = row.try_get("invited_by").map_err(internal)?;
    let members: i64 = row.try_get("members").map_err(internal)?;
    let kind = match (&invited_by, members) {
        _ if for_id.is_some() => JoinKind::NewPhone,
        (Some(_), _) => JoinKind::InvitedByMember,
        (None, 0) => JoinKind::First,
        (None, _) => JoinKind::NeedsConfirmation,
    };
    Ok(InviteInfo {
        family_name: row.try_get("family_name").map_err(internal)?,
        coach_name: row.try_get("coach_name").map_err(internal)?,
        org_name: row.try_get("org_name").map_err(internal)?,
        kind,
        invited_by,
        for_member: row.try_get("for_name").map_err(internal)?,
    })
}

/// Uses the invite: a new member joins with their name and language, in
/// one transaction with marking the invite used. The invite must still be
/// valid then (see `INVITE_STILL_VALID`). The family's first member joins
/// and accepts the coach (the base mandate); someone a member invited is
/// in at once; someone the coach invited into a family that has members
/// waits for a member's yes (`confirm`). Every join is logged. A staff
/// account never joins. Returns the new member's caller.
pub async fn redeem(
    db: &Db,
    secret: &SecretKey,
    caller: &Caller,
    code: &str,
    display_name: &str,
    lang: Lang,
    now: i64,
) -> Result<Caller, AppError> {
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::bad("error-name-empty"));
    }
    let info = peek(db, secret, caller, code, now).await?;
    match info.kind {
        // A "new phone" code lets its member back in, never someone new.
        JoinKind::NewPhone => return Err(AppError::bad("error-invite-unknown")),
        JoinKind::AlreadyIn => return Err(AppError::Conflict("error-invite-used".into())),
        _ => {}
    }
    let code = normalise(code).ok_or_else(|| AppError::bad("error-invite-unknown"))?;
    let hash = lookup_hash(secret, &code);
    let member_id = new_id();
    let mut tx = db.begin().await.map_err(internal)?;
    // Take the family's row first, so two people joining at once are
    // decided one after the other (who is the first member).
    sqlx::query(
        "UPDATE families SET display_name = display_name
         WHERE id = (SELECT family_id FROM invites WHERE code_hash = $1)",
    )
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let used = sqlx::query(&format!(
        "UPDATE invites SET used_at = $1, used_by = NULL
         WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 AND for_member IS NULL
           AND EXISTS (SELECT 1 FROM invites i JOIN families f ON f.id = i.family_id
                       WHERE i.id = invites.id AND {INVITE_STILL_VALID})
         RETURNING family_id, created_by_member"
    ))
    .bind(now)
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    // Someone else used it between the look and the update.
    let used = used.ok_or_else(|| AppError::Conflict("error-invite-used".into()))?;
    let family_id: String = used.try_get("family_id").map_err(internal)?;
    let invited_by: Option<String> = used.try_get("created_by_member").map_err(internal)?;
    let members: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM members WHERE family_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(&family_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    let (confirmed_at, confirmed_by, event) = match (members, &invited_by) {
        (0, _) => (Some(now), None, "member_joined"),
        (_, Some(by)) => (Some(now), Some(by.clone()), "member_joined"),
        (_, None) => (None, None, "member_asked_to_join"),
    };
    sqlx::query(
        "INSERT INTO members (id, family_id, display_name, language, created_at, confirmed_at, confirmed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&member_id)
    .bind(&family_id)
    .bind(name)
    .bind(lang.tag())
    .bind(now)
    .bind(confirmed_at)
    .bind(confirmed_by)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE invites SET used_by = $1 WHERE code_hash = $2")
        .bind(&member_id)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    log::record_by(
        &mut tx,
        &family_id,
        now,
        log::Actor::Member(&member_id),
        event,
        Some(&member_id),
    )
    .await?;
    // The first member's joining is accepting the coach (the base
    // mandate), in the same transaction: a join never half-happens. Later
    // members join the family's consents as they stand.
    if members == 0 {
        let coach: Option<String> =
            sqlx::query_scalar("SELECT coach_id FROM families WHERE id = $1")
                .bind(&family_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal)?;
        if let Some(coach) = coach {
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
            log::record_by(
                &mut tx,
                &family_id,
                now,
                log::Actor::Member(&member_id),
                "base_mandate_granted",
                Some(&mandate),
            )
            .await?;
        }
    }
    tx.commit().await.map_err(internal)?;
    Caller::member(db, &member_id).await
}
