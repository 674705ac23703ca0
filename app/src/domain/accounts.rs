//! Organisations, staff accounts, families and their members, sessions.
//! Provisioning (the operator's and the coach's set-up work) lives here; it
//! creates the frame of a family, never reads its plan.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::access::{internal, Caller, StaffCaller, StaffRole};
use super::db::Db;
use super::ids::new_id;
use crate::error::AppError;
use crate::lang::Lang;

pub async fn create_organisation(db: &Db, name: &str, now: i64) -> Result<String, AppError> {
    let id = new_id();
    sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name.trim())
        .bind(now)
        .execute(db.pool())
        .await
        .map_err(internal)?;
    Ok(id)
}

/// Hashes a password with argon2id (the crate's default parameters).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(internal)
}

/// Argon2 takes tens of milliseconds of CPU on purpose: it runs on the
/// blocking pool, never on the async runtime, so a burst of sign-ins does
/// not stall every other request.
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(internal)?
}

async fn hash_password_off_runtime(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    off_runtime(move || hash_password(&password)).await
}

pub struct NewStaff<'a> {
    pub org_id: &'a str,
    pub role: StaffRole,
    pub email: &'a str,
    pub display_name: &'a str,
    pub lang: Lang,
}

/// A staff account with a password chosen here (the demo and the tests;
/// an operator uses `create_staff_account`).
pub async fn create_staff(
    db: &Db,
    staff: &NewStaff<'_>,
    password: &str,
    now: i64,
) -> Result<String, AppError> {
    if password.chars().count() < 10 {
        return Err(AppError::bad("error-password-short"));
    }
    let hash = hash_password_off_runtime(password).await?;
    insert_staff(db, staff, &hash, now).await
}

/// A staff account without a password (the operator's way): its owner sets
/// one through a one-time link (`new_password_link`), so no password is ever
/// chosen or seen by anyone else. Until then, nobody can sign in with it.
pub async fn create_staff_account(
    db: &Db,
    staff: &NewStaff<'_>,
    now: i64,
) -> Result<String, AppError> {
    insert_staff(db, staff, NO_PASSWORD, now).await
}

/// The stored hash of an account whose owner has not set a password yet.
/// Never a valid argon2 hash, so it never verifies.
const NO_PASSWORD: &str = "";

async fn insert_staff(
    db: &Db,
    staff: &NewStaff<'_>,
    hash: &str,
    now: i64,
) -> Result<String, AppError> {
    let email = staff.email.trim().to_lowercase();
    if email.chars().count() > 200 || !looks_like_email(&email) {
        return Err(AppError::bad("error-bad-email"));
    }
    let name = staff.display_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::bad("error-name-empty"));
    }
    let id = new_id();
    let mut tx = db.begin().await.map_err(internal)?;
    organisation_exists(&mut tx, staff.org_id).await?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM staff WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
    if taken.is_some() {
        return Err(AppError::Conflict("error-email-taken".into()));
    }
    sqlx::query(
        "INSERT INTO staff (id, org_id, role, email, display_name, password_hash, language, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(staff.org_id)
    .bind(staff.role.as_str())
    .bind(&email)
    .bind(name)
    .bind(hash)
    .bind(staff.lang.tag())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// Refuses an organisation id that names no organisation.
async fn organisation_exists(tx: &mut sqlx::AnyConnection, org_id: &str) -> Result<(), AppError> {
    let org: Option<String> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
    org.map(|_| ())
        .ok_or_else(|| AppError::bad("error-unknown-organisation"))
}

/// One `@` with something on both sides and no spaces: enough to catch a
/// typo; the set-password link proves the address works.
fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, host)) => {
            !local.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// How long a set-password link works.
pub const PASSWORD_LINK_SECONDS: i64 = 7 * 86400;

/// A new one-time link token for a staff account to set its own password.
/// Older unused links of the account stop working. Refused for a disabled
/// or unknown account.
pub async fn new_password_link(db: &Db, staff_id: &str, now: i64) -> Result<String, AppError> {
    let mut tx = db.begin().await.map_err(internal)?;
    let live: Option<String> =
        sqlx::query_scalar("SELECT id FROM staff WHERE id = $1 AND disabled_at IS NULL")
            .bind(staff_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    if live.is_none() {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM password_links WHERE staff_id = $1 AND used_at IS NULL")
        .bind(staff_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let token = random_token();
    sqlx::query(
        "INSERT INTO password_links (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&token))
    .bind(staff_id)
    .bind(now)
    .bind(now + PASSWORD_LINK_SECONDS)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(token)
}

/// Whether a set-password link can still be used (for showing its form).
pub async fn password_link_valid(db: &Db, token: &str, now: i64) -> Result<bool, AppError> {
    if !is_token(token) {
        return Ok(false);
    }
    Ok(sqlx::query_scalar::<_, String>(PASSWORD_LINK_VALID)
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(db.pool())
        .await
        .map_err(internal)?
        .is_some())
}

const PASSWORD_LINK_VALID: &str =
    "SELECT l.staff_id FROM password_links l JOIN staff s ON s.id = l.staff_id
     WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND s.disabled_at IS NULL";

/// Sets the account's password through its one-time link, once; ends the
/// account's other sessions (someone who knew the old password is out).
/// Returns the staff id, to start a session.
pub async fn set_password_with_link(
    db: &Db,
    token: &str,
    password: &str,
    now: i64,
) -> Result<String, AppError> {
    if password.chars().count() < 10 {
        return Err(AppError::bad("error-password-short"));
    }
    if password.chars().count() > 200 {
        return Err(AppError::bad("error-text-too-long"));
    }
    // The expensive hashing only for a link that works: random tokens
    // cannot make the server hash.
    if !password_link_valid(db, token, now).await? {
        return Err(AppError::NotFound);
    }
    let hash = hash_password_off_runtime(password).await?;
    let mut tx = db.begin().await.map_err(internal)?;
    let staff_id: Option<String> = sqlx::query_scalar(PASSWORD_LINK_VALID)
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
    let staff_id = staff_id.ok_or(AppError::NotFound)?;
    // Used once: a second request with the same link changes nothing.
    let used = sqlx::query(
        "UPDATE password_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(token_hash(token))
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    if used.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(&staff_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    sqlx::query("DELETE FROM sessions WHERE subject_kind = 'staff' AND subject_id = $1")
        .bind(&staff_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    super::push::forget_person(&mut tx, &staff_id).await?;
    tx.commit().await.map_err(internal)?;
    Ok(staff_id)
}

/// Operator work: an account is disabled. Its sessions end at once, it can
/// never sign in or read again, and it leaves the families it was coach or
/// volunteer of (a coach's base mandates end, "by the service").
pub async fn disable_staff(db: &Db, staff_id: &str, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await.map_err(internal)?;
    let done =
        sqlx::query("UPDATE staff SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
            .bind(now)
            .bind(staff_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    for sql in [
        "DELETE FROM sessions WHERE subject_kind = 'staff' AND subject_id = $1",
        "DELETE FROM push_subscriptions WHERE subject_kind = 'staff' AND subject_id = $1",
        "DELETE FROM password_links WHERE staff_id = $1 AND used_at IS NULL",
    ] {
        sqlx::query(sql)
            .bind(staff_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    leave_families(&mut tx, staff_id, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

/// Operator work: a staff member moves to another organisation. They leave
/// the families they were coach or volunteer of (a coach's base mandates
/// end, "by the service": the family gave them to a person of a service).
/// Shares to them as a person stay; shares to an organisation reach them by
/// the organisation they are in at the time of reading.
pub async fn move_staff(db: &Db, staff_id: &str, org_id: &str, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await.map_err(internal)?;
    organisation_exists(&mut tx, org_id).await?;
    let done = sqlx::query(
        "UPDATE staff SET org_id = $1 WHERE id = $2 AND disabled_at IS NULL AND org_id <> $1",
    )
    .bind(org_id)
    .bind(staff_id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    leave_families(&mut tx, staff_id, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

/// The staff member stops being coach or volunteer of any family, and
/// their live base mandates end (each logged "by the service").
async fn leave_families(
    tx: &mut sqlx::AnyConnection,
    staff_id: &str,
    now: i64,
) -> Result<(), AppError> {
    for sql in [
        "UPDATE families SET coach_id = NULL WHERE coach_id = $1",
        "UPDATE families SET volunteer_id = NULL WHERE volunteer_id = $1",
    ] {
        sqlx::query(sql)
            .bind(staff_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    let ending = sqlx::query(
        "SELECT id, family_id FROM base_mandates
         WHERE coach_id = $1 AND withdrawn_at IS NULL ORDER BY family_id, granted_at, id",
    )
    .bind(staff_id)
    .fetch_all(&mut *tx)
    .await
    .map_err(internal)?;
    for row in ending {
        let id: String = row.try_get("id").map_err(internal)?;
        let family_id: String = row.try_get("family_id").map_err(internal)?;
        end_base_mandate(tx, &family_id, &id, now).await?;
    }
    // No family has them as its volunteer any more: its yes to talking
    // with them ends too.
    super::messages::end_talk_consents(tx, None, Some(staff_id), None, now).await?;
    Ok(())
}

/// Ends one base mandate, logged "by the service" in the same transaction.
async fn end_base_mandate(
    tx: &mut sqlx::AnyConnection,
    family_id: &str,
    mandate_id: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE base_mandates SET withdrawn_at = $1 WHERE id = $2")
        .bind(now)
        .bind(mandate_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    super::log::record_by(
        tx,
        family_id,
        now,
        super::log::Actor::Service,
        "base_mandate_ended",
        Some(mandate_id),
    )
    .await
}

/// Sets a new password (the demo resets its accounts' passwords each run).
pub async fn set_password(db: &Db, staff_id: &str, password: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
        .bind(hash_password_off_runtime(password).await?)
        .bind(staff_id)
        .execute(db.pool())
        .await
        .map_err(internal)?;
    Ok(())
}

/// A hash to verify against when the email is unknown, made once, so that a
/// missing account costs the same work as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not a real password").unwrap_or_default());

/// The staff id for a correct email and password; `None` otherwise. A
/// missing account costs the same hashing work as a wrong password.
pub async fn check_login(db: &Db, email: &str, password: &str) -> Result<Option<String>, AppError> {
    let row =
        sqlx::query("SELECT id, password_hash FROM staff WHERE email = $1 AND disabled_at IS NULL")
            .bind(email.trim().to_lowercase())
            .fetch_optional(db.pool())
            .await
            .map_err(internal)?;
    let (id, hash) = match row {
        Some(r) => (
            Some(r.try_get::<String, _>("id").map_err(internal)?),
            r.try_get::<String, _>("password_hash").map_err(internal)?,
        ),
        None => (None, DUMMY_HASH.clone()),
    };
    // No password set yet: the same work as a wrong one, and never a match.
    let (id, hash) = if hash == NO_PASSWORD {
        (None, DUMMY_HASH.clone())
    } else {
        (id, hash)
    };
    let password = password.to_string();
    let ok = off_runtime(move || {
        let parsed = PasswordHash::new(&hash).map_err(internal)?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?;
    Ok(if ok { id } else { None })
}

/// A coach opens a family: its frame (name, coach, empty plan). The family
/// joins by invite and accepts the coach before the coach sees anything.
pub async fn create_family(
    db: &Db,
    coach: &StaffCaller,
    display_name: &str,
    now: i64,
) -> Result<String, AppError> {
    if coach.role() != StaffRole::Coach {
        return Err(AppError::NotFound);
    }
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::bad("error-text-empty"));
    }
    let id = new_id();
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "INSERT INTO families (id, org_id, display_name, coach_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(coach.org_id())
    .bind(name)
    .bind(coach.staff_id())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query(
        "INSERT INTO plans (family_id, intensity, status, updated_at) VALUES ($1, 'low', 'active', $2)",
    )
    .bind(&id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// Operator work: who is the family's coach and volunteer. A new coach needs
/// a new base mandate; the old coach's ends with the assignment.
pub async fn assign(
    db: &Db,
    family_id: &str,
    coach_id: Option<&str>,
    volunteer_id: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = db.begin().await.map_err(internal)?;
    let family_org: Option<String> =
        sqlx::query_scalar("SELECT org_id FROM families WHERE id = $1")
            .bind(family_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    let family_org = family_org.ok_or(AppError::NotFound)?;
    // The coach: a live coach account of the family's own organisation.
    // The volunteer: any live staff account (a Home-Start volunteer is of
    // another organisation; a coach can also be a family's volunteer).
    if let Some(id) = coach_id {
        let ok: Option<String> = sqlx::query_scalar(
            "SELECT id FROM staff WHERE id = $1 AND disabled_at IS NULL AND role = 'coach' AND org_id = $2",
        )
        .bind(id)
        .bind(&family_org)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        if ok.is_none() {
            return Err(AppError::bad("error-not-a-coach-here"));
        }
    }
    if let Some(id) = volunteer_id {
        let ok: Option<String> = sqlx::query_scalar(
            "SELECT id FROM staff WHERE id = $1 AND disabled_at IS NULL AND role <> 'coordinator'",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        if ok.is_none() {
            return Err(AppError::bad("error-unknown-recipient"));
        }
    }
    sqlx::query("UPDATE families SET coach_id = $1, volunteer_id = $2 WHERE id = $3")
        .bind(coach_id)
        .bind(volunteer_id)
        .bind(family_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    // A base mandate is given to a person: a coach who leaves the family
    // loses it for good, and coming back needs the family's yes again. The
    // family sees this in "who looked", made "by the service".
    let ending: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM base_mandates
         WHERE family_id = $1 AND withdrawn_at IS NULL AND ($2 IS NULL OR coach_id <> $2)
         ORDER BY granted_at, id",
    )
    .bind(family_id)
    .bind(coach_id)
    .fetch_all(&mut *tx)
    .await
    .map_err(internal)?;
    for id in ending {
        end_base_mandate(&mut tx, family_id, &id, now).await?;
    }
    // The yes to talking was given to a person too: a new volunteer is
    // asked again.
    super::messages::end_talk_consents(&mut tx, Some(family_id), None, volunteer_id, now).await?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

/// A new member of a family (the invite's last step).
pub async fn add_member(
    db: &Db,
    family_id: &str,
    display_name: &str,
    lang: Lang,
    now: i64,
) -> Result<String, AppError> {
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::bad("error-name-empty"));
    }
    let id = new_id();
    sqlx::query("INSERT INTO members (id, family_id, display_name, language, created_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(&id)
        .bind(family_id)
        .bind(name)
        .bind(lang.tag())
        .bind(now)
        .execute(db.pool())
        .await
        .map_err(internal)?;
    Ok(id)
}

/// Session lengths: staff sign in each working day; a family member's phone
/// stays signed in.
pub const STAFF_SESSION_SECONDS: i64 = 12 * 3600;
pub const MEMBER_SESSION_SECONDS: i64 = 180 * 86400;

/// 256 random bits as 64 hex digits: a session or link token.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts a session and returns the token for the cookie (256 random bits;
/// the store keeps only its hash).
pub async fn start_session(db: &Db, caller: &Caller, now: i64) -> Result<String, AppError> {
    let (kind, id, ttl) = match caller {
        Caller::Member(m) => ("member", m.member_id(), MEMBER_SESSION_SECONDS),
        Caller::Staff(s) => ("staff", s.staff_id(), STAFF_SESSION_SECONDS),
        Caller::Anonymous => return Err(AppError::SignedOut),
    };
    let token = random_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, subject_kind, subject_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(kind)
    .bind(id)
    .bind(now)
    .bind(now + ttl)
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(token)
}

/// The caller behind a session token and their language; `None` for an
/// unknown, malformed or expired token.
pub async fn resolve_session(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<Option<(Caller, Lang)>, AppError> {
    if !is_token(token) {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT subject_kind, subject_id FROM sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let kind: String = row.try_get("subject_kind").map_err(internal)?;
    let id: String = row.try_get("subject_id").map_err(internal)?;
    Caller::with_language(db, &kind, &id).await
}

/// A member or staff account changes its language.
pub async fn set_language(db: &Db, caller: &Caller, lang: Lang) -> Result<(), AppError> {
    let (sql, id) = match caller {
        Caller::Member(m) => (
            "UPDATE members SET language = $1 WHERE id = $2",
            m.member_id(),
        ),
        Caller::Staff(s) => ("UPDATE staff SET language = $1 WHERE id = $2", s.staff_id()),
        Caller::Anonymous => return Err(AppError::SignedOut),
    };
    let mut tx = db.begin().await.map_err(internal)?;
    for sql in [
        sql,
        "UPDATE push_subscriptions SET language = $1 WHERE subject_id = $2",
    ] {
        sqlx::query(sql)
            .bind(lang.tag())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    tx.commit().await.map_err(internal)
}

/// Ends a session (sign-out), and the notices to that device.
pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    let hash = token_hash(token);
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    super::push::forget_session(&mut tx, &hash).await?;
    tx.commit().await.map_err(internal)
}

/// One place a person is signed in, as they see it in their settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub since: i64,
    /// This browser.
    pub current: bool,
    /// Notifications are on for it.
    pub notifications: bool,
}

pub(crate) fn subject_of(caller: &Caller) -> Result<(&'static str, &str), AppError> {
    match caller {
        Caller::Member(m) => Ok(("member", m.member_id())),
        Caller::Staff(s) => Ok(("staff", s.staff_id())),
        Caller::Anonymous => Err(AppError::SignedOut),
    }
}

/// Where this person is signed in now, newest first (`token`: this browser's).
pub async fn sessions_of(
    db: &Db,
    caller: &Caller,
    token: &str,
    now: i64,
) -> Result<Vec<SignedIn>, AppError> {
    let (kind, id) = subject_of(caller)?;
    let rows = sqlx::query(
        "SELECT s.token_hash, s.created_at,
                (SELECT COUNT(*) FROM push_subscriptions p WHERE p.session_hash = s.token_hash) AS subs
         FROM sessions s WHERE s.subject_kind = $1 AND s.subject_id = $2
          AND (s.expires_at > $3
               OR (s.expires_at > $4 AND EXISTS (SELECT 1 FROM push_subscriptions p
                    WHERE p.session_hash = s.token_hash AND p.device_hash IS NOT NULL)))
         ORDER BY s.created_at DESC, s.token_hash",
    )
    .bind(kind)
    .bind(id)
    .bind(now)
    // A device whose sign-in ran out but which is still told is listed
    // too, so "sign out everywhere else" can end it.
    .bind(now - super::push::TOLD_AFTER_SIGN_IN_SECONDS)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let mine = token_hash(token);
    rows.iter()
        .map(|r| {
            let hash: String = r.try_get("token_hash")?;
            Ok(SignedIn {
                since: r.try_get("created_at")?,
                current: hash == mine,
                notifications: r.try_get::<i64, _>("subs")? > 0,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(internal)
}

/// Signs this person out everywhere but this browser (a lost phone, a
/// shared computer): those sessions and their notifications end.
pub async fn end_other_sessions(db: &Db, caller: &Caller, token: &str) -> Result<(), AppError> {
    let (kind, id) = subject_of(caller)?;
    let mine = token_hash(token);
    let mut tx = db.begin().await.map_err(internal)?;
    for sql in [
        "DELETE FROM push_subscriptions WHERE subject_kind = $1 AND subject_id = $2 AND session_hash <> $3",
        "DELETE FROM sessions WHERE subject_kind = $1 AND subject_id = $2 AND token_hash <> $3",
    ] {
        sqlx::query(sql)
            .bind(kind)
            .bind(id)
            .bind(&mine)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    tx.commit().await.map_err(internal)
}

/// A staff account as the operator sees it: no family content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub org_id: String,
    pub org_name: String,
    /// `active`, `no-password` (the set-password link is not used yet) or
    /// `disabled`.
    pub state: String,
}

/// A family as the operator sees it: who works with it, never its name or
/// plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyAssignment {
    pub id: String,
    pub org_name: String,
    pub coach_email: Option<String>,
    pub volunteer_email: Option<String>,
}

const STAFF_ACCOUNT_SQL: &str = "SELECT s.id, s.email, s.display_name, s.role, s.org_id,
        o.name AS org_name,
        CASE WHEN s.disabled_at IS NOT NULL THEN 'disabled'
             WHEN s.password_hash = '' THEN 'no-password' ELSE 'active' END AS state
     FROM staff s JOIN organisations o ON o.id = s.org_id";

fn staff_account(r: &sqlx::any::AnyRow) -> Result<StaffAccount, sqlx::Error> {
    Ok(StaffAccount {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        state: r.try_get("state")?,
    })
}

/// The account with this email, disabled ones included.
pub async fn staff_by_email(db: &Db, email: &str) -> Result<Option<StaffAccount>, AppError> {
    sqlx::query(&format!("{STAFF_ACCOUNT_SQL} WHERE s.email = $1"))
        .bind(email.trim().to_lowercase())
        .fetch_optional(db.pool())
        .await
        .map_err(internal)?
        .as_ref()
        .map(staff_account)
        .transpose()
        .map_err(internal)
}

/// Every organisation (id, name, number of live accounts), every account,
/// every family's assignment: what the operator's `list` prints.
pub async fn operator_list(
    db: &Db,
) -> Result<
    (
        Vec<(String, String, i64)>,
        Vec<StaffAccount>,
        Vec<FamilyAssignment>,
    ),
    AppError,
> {
    let orgs = sqlx::query(
        "SELECT o.id, o.name,
           (SELECT COUNT(*) FROM staff s WHERE s.org_id = o.id AND s.disabled_at IS NULL) AS staff
         FROM organisations o ORDER BY o.name, o.id",
    )
    .fetch_all(db.pool())
    .await
    .map_err(internal)?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("staff")?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()
    .map_err(internal)?;
    let staff = sqlx::query(&format!(
        "{STAFF_ACCOUNT_SQL} ORDER BY o.name, s.role, s.email"
    ))
    .fetch_all(db.pool())
    .await
    .map_err(internal)?
    .iter()
    .map(staff_account)
    .collect::<Result<Vec<_>, sqlx::Error>>()
    .map_err(internal)?;
    let families = sqlx::query(
        "SELECT f.id, o.name AS org_name, c.email AS coach_email, v.email AS volunteer_email
         FROM families f JOIN organisations o ON o.id = f.org_id
         LEFT JOIN staff c ON c.id = f.coach_id LEFT JOIN staff v ON v.id = f.volunteer_id
         ORDER BY o.name, c.email, f.id",
    )
    .fetch_all(db.pool())
    .await
    .map_err(internal)?
    .iter()
    .map(|r| {
        Ok(FamilyAssignment {
            id: r.try_get("id")?,
            org_name: r.try_get("org_name")?,
            coach_email: r.try_get("coach_email")?,
            volunteer_email: r.try_get("volunteer_email")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()
    .map_err(internal)?;
    Ok((orgs, staff, families))
}

/// Operator work: the family's volunteer changes (or there is none); the
/// coach stays. Shares to "our volunteer" follow the new volunteer.
pub async fn assign_volunteer(
    db: &Db,
    family_id: &str,
    volunteer_id: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let coach: Option<Option<String>> =
        sqlx::query_scalar("SELECT coach_id FROM families WHERE id = $1")
            .bind(family_id)
            .fetch_optional(db.pool())
            .await
            .map_err(internal)?;
    let coach = coach.ok_or(AppError::NotFound)?;
    assign(db, family_id, coach.as_deref(), volunteer_id, now).await
}
