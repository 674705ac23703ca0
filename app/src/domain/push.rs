//! Web push (RFC 8030, RFC 8291, RFC 8292): the server's VAPID key pair,
//! each device's subscription, the notification outbox and the sender
//! that empties it.
//!
//! The rules, in order:
//! - An event worth telling is written to the outbox (`notification_events`)
//!   in the transaction that makes it: a consent change and its notice are
//!   written together or not at all.
//! - Who is told is decided when it is sent, through the access layer: a
//!   person who may no longer open the family is told nothing about it
//!   (except that a family changed what they may see, which carries no
//!   content and opens nothing they cannot open).
//! - A push carries a random id, a kind and a fixed sentence in the
//!   device's language; never a name, a text or a family id.
//! - Each delivery is one row; it is claimed with a lease, so a restart
//!   loses none and two instances never send the same one at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sqlx::{AnyConnection, Row};

use super::access::{internal, Caller, FamilyAccess};
use super::clock::Clock;
use super::db::Db;
use super::ids::new_id;
use super::secret::SecretError;
use crate::error::AppError;
use crate::lang::Lang;

/// What a notice is about. Each person turns each kind on or off per device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A family answered, changed or withdrew a coach's question.
    Answer,
    /// A family changed what this person may see.
    Consent,
    /// The coach asks the family something.
    Question,
    /// The coach changed the plan.
    Plan,
    /// Someone joined the family's plan, or asks to.
    Joined,
    /// The next evaluation is in 7 days, or tomorrow.
    Evaluation,
    /// A new message in a thread the person is in.
    Message,
    /// A test notification the person asked for on this device.
    Test,
}

impl Kind {
    /// The kinds a person can turn on or off.
    pub const CHOOSABLE: [Kind; 7] = [
        Kind::Message,
        Kind::Answer,
        Kind::Consent,
        Kind::Question,
        Kind::Plan,
        Kind::Joined,
        Kind::Evaluation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Answer => "answer",
            Kind::Consent => "consent",
            Kind::Question => "question",
            Kind::Plan => "plan",
            Kind::Joined => "joined",
            Kind::Evaluation => "evaluation",
            Kind::Message => "message",
            Kind::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Self::CHOOSABLE
            .into_iter()
            .chain([Kind::Test])
            .find(|k| k.as_str() == text)
    }

    /// The Fluent id of the lock-screen sentence.
    pub fn text_id(self) -> &'static str {
        match self {
            Kind::Answer => "push-answer",
            Kind::Consent => "push-consent",
            Kind::Question => "push-question",
            Kind::Plan => "push-plan",
            Kind::Joined => "push-joined",
            Kind::Evaluation => "push-evaluation",
            Kind::Message => "push-message",
            Kind::Test => "push-test",
        }
    }

    /// The kind of notice a logged change makes, if any.
    fn of_event(event: &str) -> Option<Kind> {
        match event {
            "mandate_asked" => Some(Kind::Question),
            "mandate_for_me" | "mandate_together" | "mandate_myself" | "mandate_withdrawn" => {
                Some(Kind::Answer)
            }
            "base_mandate_granted"
            | "base_mandate_withdrawn"
            | "base_mandate_ended"
            | "share_granted"
            | "share_withdrawn"
            | "item_hidden"
            | "item_unhidden"
            | "talk_granted"
            | "talk_withdrawn"
            | "talk_ended" => Some(Kind::Consent),
            "member_joined" | "member_asked_to_join" | "member_confirmed" => Some(Kind::Joined),
            _ => None,
        }
    }

    /// `high` for questions, answers and anything taken away; `normal` else.
    fn urgency(self, event: &str) -> web_push::Urgency {
        let taken_away =
            event.ends_with("_withdrawn") || event.ends_with("_ended") || event == "item_hidden";
        match self {
            Kind::Answer | Kind::Question | Kind::Message | Kind::Test => web_push::Urgency::High,
            Kind::Consent if taken_away => web_push::Urgency::High,
            _ => web_push::Urgency::Normal,
        }
    }

    /// Whether the recipient must still be able to open the family when it
    /// is sent. A consent notice is also for those who just lost access
    /// (it opens their list, not the family); a test is about no family.
    fn needs_access(self) -> bool {
        !matches!(self, Kind::Consent | Kind::Test)
    }
}

/// How long a push service keeps a notice for an unreachable device, and
/// how long the sender keeps trying: 48 hours at most.
pub const TTL_SECONDS: i64 = 48 * 3600;
/// A push service takes at most 4,096 bytes of body; ours are far smaller.
const MAX_PAYLOAD: usize = 3_000;
/// Deliveries claimed and sent together.
const BATCH: i64 = 1000;
/// Pushes in flight at once.
const IN_FLIGHT: usize = 64;
/// How long an instance holds a claimed delivery before another may take it.
const LEASE_SECONDS: i64 = 60;

/// The push services a subscription may point to. The browser chooses the
/// endpoint, so a subscription from an attacker could name any address;
/// the server posts only to these.
pub const DEFAULT_ENDPOINTS: &str = "https://fcm.googleapis.com \
     https://*.push.services.mozilla.com https://web.push.apple.com \
     https://*.notify.windows.com";

/// The server's push identity and where it may send.
pub struct Push {
    private_b64: String,
    public_b64: String,
    /// The VAPID `sub` claim: how a push service reaches the operator.
    contact: String,
    endpoints: Vec<(String, String)>,
    /// VAPID signatures per push service origin, reused for an hour.
    signatures: Mutex<HashMap<String, (i64, web_push::VapidSignature)>>,
}

impl std::fmt::Debug for Push {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Push")
            .field("public_key", &self.public_b64)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

const VAPID_KEY_NAME: &str = "vapid_private_key";

impl Push {
    /// The VAPID key pair from the store, made on first start (several
    /// instances on one store share it: a subscription is bound to it).
    /// `endpoints` is a space-separated list like `DEFAULT_ENDPOINTS`:
    /// `scheme://host`, where the host may start with `*.`.
    pub async fn load_shared(
        db: &Db,
        now: i64,
        contact: &str,
        endpoints: &str,
    ) -> Result<Push, SecretError> {
        let offered = generate_private_key();
        sqlx::query(
            "INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(VAPID_KEY_NAME)
        .bind(&offered)
        .bind(now)
        .execute(db.pool())
        .await
        .map_err(|e| SecretError::Store(e.to_string()))?;
        let stored: String = sqlx::query_scalar("SELECT value FROM server_keys WHERE name = $1")
            .bind(VAPID_KEY_NAME)
            .fetch_one(db.pool())
            .await
            .map_err(|e| SecretError::Store(e.to_string()))?;
        let partial = web_push::VapidSignatureBuilder::from_base64_no_sub(&stored)
            .map_err(|_| SecretError::Store("the stored VAPID key is not a P-256 key".into()))?;
        Ok(Push {
            public_b64: URL_SAFE_NO_PAD.encode(partial.get_public_key()),
            private_b64: stored,
            contact: contact.to_string(),
            endpoints: parse_endpoints(endpoints),
            signatures: Mutex::new(HashMap::new()),
        })
    }

    /// The public key browsers subscribe with (`applicationServerKey`).
    pub fn public_key(&self) -> &str {
        &self.public_b64
    }

    /// Whether the server may post to this endpoint.
    pub fn endpoint_allowed(&self, endpoint: &str) -> bool {
        let Ok(uri) = endpoint.parse::<http::Uri>() else {
            return false;
        };
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return false;
        };
        if uri.path().len() <= 1 || endpoint.len() > 1000 {
            return false;
        }
        let host = host.to_ascii_lowercase();
        self.endpoints.iter().any(|(s, pattern)| {
            s == scheme
                && match pattern.strip_prefix("*.") {
                    Some(suffix) => host.ends_with(&format!(".{suffix}")),
                    None => host == *pattern,
                }
        })
    }

    fn signature(
        &self,
        info: &web_push::SubscriptionInfo,
        now: i64,
    ) -> Result<web_push::VapidSignature, web_push::WebPushError> {
        let origin = origin_of(&info.endpoint);
        if let Some((made, sig)) = self
            .signatures
            .lock()
            .ok()
            .and_then(|m| m.get(&origin).cloned())
        {
            if now - made < 3600 {
                return Ok(sig);
            }
        }
        let mut builder = web_push::VapidSignatureBuilder::from_base64(&self.private_b64, info)?;
        builder.add_claim("sub", self.contact.as_str());
        let sig = builder.build()?;
        if let Ok(mut m) = self.signatures.lock() {
            m.insert(origin, (now, sig.clone()));
        }
        Ok(sig)
    }
}

fn parse_endpoints(text: &str) -> Vec<(String, String)> {
    text.split_whitespace()
        .filter_map(|rule| {
            let (scheme, host) = rule.split_once("://")?;
            let host = host.trim_end_matches('/').to_ascii_lowercase();
            (!host.is_empty() && (scheme == "https" || scheme == "http"))
                .then(|| (scheme.to_string(), host))
        })
        .collect()
}

fn origin_of(endpoint: &str) -> String {
    match endpoint.parse::<http::Uri>() {
        Ok(uri) => format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map(|a| a.as_str()).unwrap_or("")
        ),
        Err(_) => String::new(),
    }
}

/// A new P-256 private key, as base64url of its 32 bytes.
fn generate_private_key() -> String {
    use rand::RngCore;
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let text = URL_SAFE_NO_PAD.encode(bytes);
        // Almost every 32-byte string is a valid scalar; the rest are retried.
        if web_push::VapidSignatureBuilder::from_base64_no_sub(&text).is_ok() {
            return text;
        }
    }
}

// ---------------------------------------------------------------------------
// Subscriptions

/// What a browser's `PushSubscription` gives: where and how to encrypt.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

fn check_subscription(push: &Push, sub: &NewSubscription) -> Result<(), AppError> {
    let key_ok = URL_SAFE_NO_PAD
        .decode(sub.p256dh.trim_end_matches('='))
        .is_ok_and(|k| k.len() == 65 && k[0] == 4);
    let auth_ok = URL_SAFE_NO_PAD
        .decode(sub.auth.trim_end_matches('='))
        .is_ok_and(|a| a.len() == 16);
    if !push.endpoint_allowed(&sub.endpoint) {
        return Err(AppError::bad("error-push-endpoint"));
    }
    if !key_ok || !auth_ok {
        return Err(AppError::bad("error-bad-input"));
    }
    Ok(())
}

fn kinds_text(off: &[Kind]) -> String {
    if off.is_empty() {
        return String::new();
    }
    let mut text = String::from(",");
    for k in off {
        text.push_str(k.as_str());
        text.push(',');
    }
    text
}

/// How long a device is still told after its sign-in there ran out: a
/// coach signs in each working day (`STAFF_SESSION_SECONDS`), and is told
/// of a withdrawal in the evening and over the weekend too. A notice holds
/// nothing about a family; opening it asks to sign in again. Signing out of
/// the device, or someone else signing in there, ends it at once.
pub const TOLD_AFTER_SIGN_IN_SECONDS: i64 = crate::model::TOLD_AFTER_SIGN_IN_DAYS * 86_400;

/// This device says yes to notices for the signed-in person (`session` is
/// the session token of this browser, `device` its device token). The same
/// endpoint subscribing again (another person on a shared phone, a new
/// sign-in) replaces the old row: one endpoint has one owner.
#[allow(clippy::too_many_arguments)]
pub async fn subscribe(
    db: &Db,
    push: &Push,
    caller: &Caller,
    session: &str,
    device: &str,
    lang: Lang,
    sub: &NewSubscription,
    kinds_off: &[Kind],
    now: i64,
) -> Result<(), AppError> {
    let (kind, id) = super::accounts::subject_of(caller)?;
    check_subscription(push, sub)?;
    sqlx::query(
        "INSERT INTO push_subscriptions
           (id, subject_kind, subject_id, session_hash, endpoint, p256dh, auth, language, kinds_off, created_at, device_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (endpoint) DO UPDATE SET
           subject_kind = excluded.subject_kind, subject_id = excluded.subject_id,
           session_hash = excluded.session_hash, device_hash = excluded.device_hash,
           p256dh = excluded.p256dh,
           auth = excluded.auth, language = excluded.language,
           kinds_off = excluded.kinds_off, created_at = excluded.created_at",
    )
    .bind(new_id())
    .bind(kind)
    .bind(id)
    .bind(super::accounts::token_hash(session))
    .bind(&sub.endpoint)
    .bind(sub.p256dh.trim_end_matches('='))
    .bind(sub.auth.trim_end_matches('='))
    .bind(lang.tag())
    .bind(kinds_text(kinds_off))
    .bind(now)
    .bind(super::accounts::token_hash(device))
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(())
}

/// A sign-in in a browser that has subscribed before (`device` is its
/// device token): its subscriptions now belong to the new session
/// (`session`) if they are the same person's, and end if they are someone
/// else's, so a shared phone never shows the previous person's notices.
pub async fn follow_sign_in(
    db: &Db,
    device: &str,
    caller: &Caller,
    session: &str,
) -> Result<(), AppError> {
    if !super::accounts::is_token(device) {
        return Ok(());
    }
    let (kind, id) = super::accounts::subject_of(caller)?;
    let device = super::accounts::token_hash(device);
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "DELETE FROM push_subscriptions
          WHERE device_hash = $1 AND NOT (subject_kind = $2 AND subject_id = $3)",
    )
    .bind(&device)
    .bind(kind)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE push_subscriptions SET session_hash = $2 WHERE device_hash = $1")
        .bind(&device)
        .bind(super::accounts::token_hash(session))
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// This device no longer wants notices (only its owner can say so).
pub async fn unsubscribe(db: &Db, caller: &Caller, endpoint: &str) -> Result<(), AppError> {
    let (kind, id) = super::accounts::subject_of(caller)?;
    sqlx::query(
        "DELETE FROM push_subscriptions WHERE endpoint = $1 AND subject_kind = $2 AND subject_id = $3",
    )
    .bind(endpoint)
    .bind(kind)
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(())
}

/// This person's subscription on this device: its id and the kinds it
/// turned off; `None` when the endpoint is not theirs (or nobody's).
async fn own_subscription(
    db: &Db,
    caller: &Caller,
    endpoint: &str,
) -> Result<Option<(String, Vec<Kind>)>, AppError> {
    let (kind, id) = super::accounts::subject_of(caller)?;
    let row = sqlx::query(
        "SELECT id, kinds_off FROM push_subscriptions WHERE endpoint = $1 AND subject_kind = $2 AND subject_id = $3",
    )
    .bind(endpoint)
    .bind(kind)
    .bind(id)
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?;
    row.map(|r| {
        let off: String = r.try_get("kinds_off")?;
        Ok((
            r.try_get("id")?,
            off.split(',').filter_map(Kind::parse).collect(),
        ))
    })
    .transpose()
    .map_err(|e: sqlx::Error| internal(e))
}

/// The kinds this device turned off, or `None` when it has no subscription
/// of this person.
pub async fn kinds_off(
    db: &Db,
    caller: &Caller,
    endpoint: &str,
) -> Result<Option<Vec<Kind>>, AppError> {
    Ok(own_subscription(db, caller, endpoint)
        .await?
        .map(|(_, off)| off))
}

/// The signed-in person looks at this device's notices (their settings
/// page): if the subscription is theirs, it now belongs to this sign-in
/// (`session`) and this browser (`device`), so that what the page says
/// ("on") is what happens, also for a subscription made before an earlier
/// sign-in ran out.
pub async fn renew(
    db: &Db,
    caller: &Caller,
    endpoint: &str,
    session: &str,
    device: &str,
) -> Result<(), AppError> {
    let (kind, id) = super::accounts::subject_of(caller)?;
    sqlx::query(
        "UPDATE push_subscriptions SET session_hash = $4, device_hash = $5
          WHERE endpoint = $1 AND subject_kind = $2 AND subject_id = $3",
    )
    .bind(endpoint)
    .bind(kind)
    .bind(id)
    .bind(super::accounts::token_hash(session))
    .bind(super::accounts::token_hash(device))
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(())
}

/// A sign-in in a browser that still sends an earlier session (`old`):
/// that session's subscriptions move to the new one (`session`) if they are
/// the same person's; ending the old session then ends any others.
pub async fn follow_session(
    db: &Db,
    old: &str,
    caller: &Caller,
    session: &str,
) -> Result<(), AppError> {
    let (kind, id) = super::accounts::subject_of(caller)?;
    sqlx::query(
        "UPDATE push_subscriptions SET session_hash = $4
          WHERE session_hash = $1 AND subject_kind = $2 AND subject_id = $3",
    )
    .bind(super::accounts::token_hash(old))
    .bind(kind)
    .bind(id)
    .bind(super::accounts::token_hash(session))
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(())
}

/// Signing out in a browser: no notices reach it any more, whoever's they
/// were (`device` is its device token).
pub async fn forget_device(db: &Db, device: &str) -> Result<(), AppError> {
    if !super::accounts::is_token(device) {
        return Ok(());
    }
    sqlx::query("DELETE FROM push_subscriptions WHERE device_hash = $1")
        .bind(super::accounts::token_hash(device))
        .execute(db.pool())
        .await
        .map_err(internal)?;
    Ok(())
}

/// Asks for a test notice on this device (one of this person's).
pub async fn send_test(db: &Db, caller: &Caller, endpoint: &str, now: i64) -> Result<(), AppError> {
    let (sub, _) = own_subscription(db, caller, endpoint)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut conn = db.pool().acquire().await.map_err(internal)?;
    enqueue(
        &mut conn,
        &Event {
            kind: Kind::Test,
            event: "test",
            family_id: None,
            subject_id: None,
            actor_id: "",
            only_to: Some(&sub),
            once_key: None,
            at: now,
        },
    )
    .await
}

/// Ends the subscriptions of one session (signing out of that device).
pub(crate) async fn forget_session(
    conn: &mut AnyConnection,
    session_hash: &str,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM push_subscriptions WHERE session_hash = $1")
        .bind(session_hash)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Ends every subscription of a person (disabled, removed or refused).
pub(crate) async fn forget_person(conn: &mut AnyConnection, id: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM push_subscriptions WHERE subject_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The outbox

/// One event worth telling, as stored: ids only.
pub(crate) struct Event<'a> {
    pub kind: Kind,
    pub event: &'a str,
    pub family_id: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    pub actor_id: &'a str,
    pub only_to: Option<&'a str>,
    pub once_key: Option<&'a str>,
    pub at: i64,
}

/// Writes an event to the outbox, inside the caller's transaction. A
/// scheduled event whose `once_key` is already there is not written again.
pub(crate) async fn enqueue(conn: &mut AnyConnection, e: &Event<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO notification_events
           (id, kind, event, family_id, subject_id, actor_id, only_to, once_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT DO NOTHING",
    )
    .bind(new_id())
    .bind(e.kind.as_str())
    .bind(e.event)
    .bind(e.family_id)
    .bind(e.subject_id)
    .bind(e.actor_id)
    .bind(e.only_to)
    .bind(e.once_key)
    .bind(e.at)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(())
}

/// The notice a logged change makes (called by the log, in the change's
/// transaction, for every change it records).
pub(crate) async fn enqueue_for_change(
    conn: &mut AnyConnection,
    family_id: &str,
    at: i64,
    actor_id: &str,
    event: &str,
    subject_id: Option<&str>,
) -> Result<(), AppError> {
    let Some(kind) = Kind::of_event(event) else {
        return Ok(());
    };
    enqueue(
        conn,
        &Event {
            kind,
            event,
            family_id: Some(family_id),
            subject_id,
            actor_id,
            only_to: None,
            once_key: None,
            at,
        },
    )
    .await
}

/// The family's plan changed by its coach: every member is told.
pub(crate) async fn enqueue_plan_change(
    conn: &mut AnyConnection,
    access: &FamilyAccess,
    event: &str,
    subject_id: Option<&str>,
) -> Result<(), AppError> {
    let Some(staff_id) = access.staff_id() else {
        return Ok(());
    };
    enqueue(
        conn,
        &Event {
            kind: Kind::Plan,
            event,
            family_id: Some(access.family_id()),
            subject_id,
            actor_id: staff_id,
            only_to: None,
            once_key: None,
            at: access.now(),
        },
    )
    .await
}

/// A new message: everyone in the thread is told but its writer (when it
/// is sent, only those who may read the thread then).
pub(crate) async fn enqueue_message(
    conn: &mut AnyConnection,
    family_id: &str,
    thread_id: &str,
    actor_id: &str,
    at: i64,
) -> Result<(), AppError> {
    enqueue(
        conn,
        &Event {
            kind: Kind::Message,
            event: "message_posted",
            family_id: Some(family_id),
            subject_id: Some(thread_id),
            actor_id,
            only_to: None,
            once_key: None,
            at,
        },
    )
    .await
}

/// A person to tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Recipient {
    kind: &'static str,
    id: String,
}

impl Recipient {
    /// From a stored subject kind (`member` or `staff`) and id.
    fn stored(kind: &str, id: String) -> Recipient {
        Recipient {
            kind: if kind == "member" { "member" } else { "staff" },
            id,
        }
    }
}

struct StoredEvent {
    id: String,
    kind: Kind,
    event: String,
    family_id: Option<String>,
    subject_id: Option<String>,
    actor_id: String,
    only_to: Option<String>,
    created_at: i64,
}

/// The members of the family who are in: confirmed, not removed.
const MEMBERS_SQL: &str = "SELECT id FROM members WHERE family_id = $1
     AND confirmed_at IS NOT NULL AND refused_at IS NULL AND removed_at IS NULL";

async fn ids(db: &Db, sql: &str, binds: &[&str]) -> Result<Vec<String>, AppError> {
    let mut q = sqlx::query_scalar::<_, Option<String>>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_all(db.pool())
        .await
        .map_err(internal)?
        .into_iter()
        .flatten()
        .collect())
}

/// Who an event concerns, before the access check.
async fn concerned(db: &Db, e: &StoredEvent, today: &str) -> Result<Vec<Recipient>, AppError> {
    let family = e.family_id.as_deref().unwrap_or("");
    let subject = e.subject_id.as_deref().unwrap_or("");
    let members = |ids: Vec<String>| {
        ids.into_iter()
            .map(|id| Recipient { kind: "member", id })
            .collect::<Vec<_>>()
    };
    let staff = |ids: Vec<String>| {
        ids.into_iter()
            .map(|id| Recipient { kind: "staff", id })
            .collect::<Vec<_>>()
    };
    let mut out = match e.kind {
        Kind::Test => Vec::new(),
        Kind::Question | Kind::Plan => members(ids(db, MEMBERS_SQL, &[family]).await?),
        Kind::Message => {
            let mut all = members(ids(db, MEMBERS_SQL, &[family]).await?);
            all.extend(staff(
                super::access::staff_of_thread(db, family, subject).await?,
            ));
            all
        }
        Kind::Joined => members(ids(db, MEMBERS_SQL, &[family]).await?)
            .into_iter()
            .filter(|r| r.id != subject)
            .collect(),
        Kind::Answer => staff(
            ids(
                db,
                "SELECT coach_id FROM mandates WHERE id = $1 AND family_id = $2",
                &[subject, family],
            )
            .await?,
        ),
        Kind::Evaluation => {
            let mut all = members(ids(db, MEMBERS_SQL, &[family]).await?);
            all.extend(staff(
                ids(
                    db,
                    "SELECT f.coach_id FROM families f JOIN base_mandates b
                        ON b.family_id = f.id AND b.coach_id = f.coach_id AND b.withdrawn_at IS NULL
                     WHERE f.id = $1",
                    &[family],
                )
                .await?,
            ));
            all
        }
        Kind::Consent => staff(match e.event.as_str() {
            "share_granted" | "share_withdrawn" => {
                super::access::staff_reached_by_share(db, subject).await?
            }
            "item_hidden" | "item_unhidden" => {
                super::access::staff_seeing_item(db, family, subject, today).await?
            }
            "talk_granted" | "talk_withdrawn" | "talk_ended" => {
                super::access::staff_of_talk_consent(db, family, subject).await?
            }
            _ => {
                ids(
                    db,
                    "SELECT coach_id FROM base_mandates WHERE id = $1 AND family_id = $2",
                    &[subject, family],
                )
                .await?
            }
        }),
    };
    // Nobody is told of their own change.
    out.retain(|r| r.id != e.actor_id);
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup();
    Ok(out)
}

/// Whether `who` may open the family now: the access layer's own answer.
async fn may_open(db: &Db, who: &Recipient, family_id: &str, now: i64) -> Result<bool, AppError> {
    let Some((caller, _)) = Caller::with_language(db, who.kind, &who.id).await? else {
        return Ok(false);
    };
    match FamilyAccess::open(db, &caller, family_id, now).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound | AppError::Waiting | AppError::SignedOut) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `who` may read the thread now: the access layer's own answer.
async fn may_read_thread(
    db: &Db,
    who: &Recipient,
    thread_id: &str,
    now: i64,
) -> Result<bool, AppError> {
    let Some((caller, _)) = Caller::with_language(db, who.kind, &who.id).await? else {
        return Ok(false);
    };
    match super::access::ThreadAccess::open(db, &caller, thread_id, now).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound | AppError::Waiting | AppError::SignedOut) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Turns waiting events into deliveries, one per device of each person
/// told. Returns how many events it handled.
async fn expand(db: &Db, now: i64) -> Result<usize, AppError> {
    let rows = sqlx::query(
        "SELECT id, kind, event, family_id, subject_id, actor_id, only_to, created_at
         FROM notification_events WHERE expanded_at IS NULL ORDER BY created_at, id LIMIT 200",
    )
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let today = super::clock::belgian_date(now);
    let count = rows.len();
    for r in rows {
        let e = StoredEvent {
            id: r.try_get("id").map_err(internal)?,
            kind: Kind::parse(&r.try_get::<String, _>("kind").map_err(internal)?)
                .unwrap_or(Kind::Test),
            event: r.try_get("event").map_err(internal)?,
            family_id: r.try_get("family_id").map_err(internal)?,
            subject_id: r.try_get("subject_id").map_err(internal)?,
            actor_id: r.try_get("actor_id").map_err(internal)?,
            only_to: r.try_get("only_to").map_err(internal)?,
            created_at: r.try_get("created_at").map_err(internal)?,
        };
        // (recipient, subscription) pairs.
        let mut devices: Vec<(Recipient, String)> = Vec::new();
        if let Some(sub) = &e.only_to {
            let row = sqlx::query(
                "SELECT subject_kind, subject_id FROM push_subscriptions WHERE id = $1",
            )
            .bind(sub)
            .fetch_optional(db.pool())
            .await
            .map_err(internal)?;
            if let Some(row) = row {
                let kind: String = row.try_get("subject_kind").map_err(internal)?;
                devices.push((
                    Recipient::stored(&kind, row.try_get("subject_id").map_err(internal)?),
                    sub.clone(),
                ));
            }
        } else {
            for who in concerned(db, &e, &today).await? {
                let may = match e.kind {
                    Kind::Message => {
                        may_read_thread(db, &who, e.subject_id.as_deref().unwrap_or(""), now)
                            .await?
                    }
                    k if k.needs_access() => {
                        may_open(db, &who, e.family_id.as_deref().unwrap_or(""), now).await?
                    }
                    _ => true,
                };
                if !may {
                    continue;
                }
                let subs: Vec<String> = sqlx::query_scalar(
                    "SELECT p.id FROM push_subscriptions p
                       JOIN sessions s ON s.token_hash = p.session_hash
                        AND (s.expires_at > $6 OR (s.expires_at > $3 AND p.device_hash IS NOT NULL))
                     WHERE p.subject_kind = $1 AND p.subject_id = $2
                       AND p.kinds_off NOT LIKE $4 AND p.created_at <= $5",
                )
                .bind(who.kind)
                .bind(&who.id)
                // Still told for a while after the sign-in there ran out.
                .bind(now - TOLD_AFTER_SIGN_IN_SECONDS)
                .bind(format!("%,{},%", e.kind.as_str()))
                // A device that subscribed after the event is not told of it (one
                // that subscribed in the same second may be).
                .bind(e.created_at)
                // Without a device cookie (subscribed before there was
                // one), no later sign-in could end it: told while the
                // sign-in lasts, as it was.
                .bind(now)
                .fetch_all(db.pool())
                .await
                .map_err(internal)?;
                devices.extend(subs.into_iter().map(|s| (who.clone(), s)));
            }
        }
        let mut tx = db.begin().await.map_err(internal)?;
        // Many rows per statement: a family with many devices is one
        // round trip per 200 of them, not one per device.
        for chunk in devices.chunks(200) {
            let rows = (0..chunk.len())
                .map(|i| {
                    let b = 3 + i * 4;
                    format!("(${}, $1, ${}, ${}, ${}, $2, $2)", b, b + 1, b + 2, b + 3)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO push_deliveries
                   (id, event_id, subscription_id, recipient_kind, recipient_id, created_at, next_try_at)
                 VALUES {rows}
                 ON CONFLICT DO NOTHING"
            );
            let mut q = sqlx::query(&sql).bind(&e.id).bind(now);
            for (who, sub) in chunk {
                q = q.bind(new_id()).bind(sub).bind(who.kind).bind(&who.id);
            }
            q.execute(&mut *tx).await.map_err(internal)?;
        }
        sqlx::query("UPDATE notification_events SET expanded_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&e.id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
    }
    Ok(count)
}

/// Evaluation reminders, 7 days and 1 day before the plan's next
/// evaluation; each is written once (its `once_key`).
async fn schedule_reminders(db: &Db, now: i64) -> Result<(), AppError> {
    for days in [7i64, 1] {
        let day = super::clock::belgian_date(now + days * 86_400);
        let families: Vec<String> = sqlx::query_scalar(
            "SELECT family_id FROM plans WHERE next_evaluation = $1 AND status = 'active'",
        )
        .bind(&day)
        .fetch_all(db.pool())
        .await
        .map_err(internal)?;
        for family in families {
            let key = format!("evaluation:{family}:{day}:{days}");
            let mut conn = db.pool().acquire().await.map_err(internal)?;
            enqueue(
                &mut conn,
                &Event {
                    kind: Kind::Evaluation,
                    event: "evaluation_soon",
                    family_id: Some(&family),
                    subject_id: None,
                    actor_id: "",
                    only_to: None,
                    once_key: Some(&key),
                    at: now,
                },
            )
            .await?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The sender

/// What became of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The push service took it.
    Sent,
    /// The subscription is gone (404, 410) or refused our key (403):
    /// it is deleted.
    Gone,
    /// The push service refused this message (400, 413 …): not retried.
    Refused,
    /// Try again later (429, 5xx, no connection), after this many seconds.
    Later(i64),
    /// Not sent: the person may no longer open the family, the device is
    /// gone or turned this kind off.
    Dropped,
    /// Kept trying for the whole TTL.
    Expired,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Gone => "gone",
            Outcome::Refused => "refused",
            Outcome::Later(_) => "later",
            Outcome::Dropped => "dropped",
            Outcome::Expired => "expired",
        }
    }
}

/// The sender's settings.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// How often the outbox is looked at when nothing rang.
    pub poll: Duration,
    /// The first retry's wait (doubling up to an hour).
    pub first_retry: i64,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            poll: Duration::from_millis(200),
            first_retry: 2,
        }
    }
}

/// Runs the sender for as long as the server runs.
pub fn start_sender(
    db: Db,
    push: Arc<Push>,
    clock: Clock,
    config: SenderConfig,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "push: no HTTP client; notifications are off");
                return;
            }
        };
        let mut last_schedule: Option<i64> = None;
        loop {
            let now = clock.now();
            if last_schedule.is_none_or(|at| now - at >= 600) {
                if let Err(e) = schedule_reminders(&db, now).await {
                    tracing::warn!(error = %e, "push: reminders not scheduled");
                }
                last_schedule = Some(now);
            }
            let busy = match run_once(&db, &push, &client, &clock, &config).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "push: sender round failed");
                    false
                }
            };
            if !busy {
                tokio::time::sleep(config.poll).await;
            }
        }
    })
}

/// One round: expand waiting events, then send one batch of due
/// deliveries. Returns how much it did (events + deliveries).
pub async fn run_once(
    db: &Db,
    push: &Arc<Push>,
    client: &reqwest::Client,
    clock: &Clock,
    config: &SenderConfig,
) -> Result<usize, AppError> {
    let now = clock.now();
    let events = expand(db, now).await?;
    let claimed = claim(db, now).await?;
    if claimed.is_empty() {
        return Ok(events);
    }
    let count = claimed.len();
    let mut results = Vec::with_capacity(count);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut set = tokio::task::JoinSet::new();
    let access_cache: Arc<tokio::sync::Mutex<HashMap<(String, String), bool>>> = Arc::default();
    for d in claimed {
        let permit = semaphore.clone().acquire_owned().await.map_err(internal)?;
        let db = db.clone();
        let client = client.clone();
        let cache = access_cache.clone();
        let push = push.clone();
        let first_retry = config.first_retry;
        // Encrypting and signing in the task: on both cores at once.
        set.spawn(async move {
            let payload = render_payload(&d);
            let message = build_message(&push, &d, &payload, now);
            let outcome = deliver(&db, &client, &d, message, &cache, now, first_retry).await;
            drop(permit);
            (d, outcome)
        });
    }
    while let Some(joined) = set.join_next().await {
        if let Ok(r) = joined {
            results.push(r);
        }
    }
    record(db, &results, now).await?;
    Ok(events + count)
}

/// A delivery as the sender needs it.
#[derive(Debug)]
struct Claimed {
    id: String,
    kind: Kind,
    event: String,
    family_id: Option<String>,
    /// For a message: its thread.
    subject_id: Option<String>,
    recipient: Recipient,
    subscription_id: String,
    endpoint: Option<String>,
    p256dh: String,
    auth: String,
    language: String,
    kinds_off: String,
    attempts: i64,
    created_at: i64,
}

/// Claims up to one batch of due deliveries for this instance (a lease:
/// if it dies, another instance, or itself after a restart, takes them
/// when the lease runs out).
async fn claim(db: &Db, now: i64) -> Result<Vec<Claimed>, AppError> {
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM push_deliveries
         WHERE done_at IS NULL AND next_try_at <= $1 AND lease_until < $1
         ORDER BY next_try_at, id LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let list = (0..due.len())
        .map(|i| format!("${}", i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE push_deliveries SET lease_until = $1, attempts = attempts + 1
         WHERE done_at IS NULL AND lease_until < $2 AND id IN ({list}) RETURNING id"
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql)
        .bind(now + LEASE_SECONDS)
        .bind(now);
    for id in &due {
        q = q.bind(id);
    }
    let mine = q.fetch_all(db.pool()).await.map_err(internal)?;
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let list = (0..mine.len())
        .map(|i| format!("${}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT d.id, d.recipient_kind, d.recipient_id, d.subscription_id, d.attempts,
                d.created_at, e.kind, e.event, e.family_id, e.subject_id,
                p.endpoint, p.p256dh, p.auth, p.language, p.kinds_off
         FROM push_deliveries d JOIN notification_events e ON e.id = d.event_id
         LEFT JOIN push_subscriptions p ON p.id = d.subscription_id
         WHERE d.id IN ({list})"
    );
    let mut q = sqlx::query(&sql);
    for id in &mine {
        q = q.bind(id);
    }
    let rows = q.fetch_all(db.pool()).await.map_err(internal)?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("recipient_kind")?;
            Ok(Claimed {
                id: r.try_get("id")?,
                kind: Kind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(Kind::Test),
                event: r.try_get("event")?,
                family_id: r.try_get("family_id")?,
                subject_id: r.try_get("subject_id")?,
                recipient: Recipient::stored(&kind, r.try_get("recipient_id")?),
                subscription_id: r.try_get("subscription_id")?,
                endpoint: r.try_get("endpoint")?,
                p256dh: r
                    .try_get::<Option<String>, _>("p256dh")?
                    .unwrap_or_default(),
                auth: r.try_get::<Option<String>, _>("auth")?.unwrap_or_default(),
                language: r
                    .try_get::<Option<String>, _>("language")?
                    .unwrap_or_default(),
                kinds_off: r
                    .try_get::<Option<String>, _>("kinds_off")?
                    .unwrap_or_default(),
                attempts: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(internal)
}

/// The push's plain text: an id, a kind and one fixed sentence in the
/// device's language. No name, no family, no content.
fn render_payload(d: &Claimed) -> Vec<u8> {
    let lang = Lang::from_tag(&d.language).unwrap_or(Lang::NlBe);
    serde_json::json!({
        "id": d.id,
        "kind": d.kind.as_str(),
        "lang": lang.tag(),
        "dir": lang.dir(),
        "text": crate::i18n::tr(lang, d.kind.text_id()),
    })
    .to_string()
    .into_bytes()
}

/// The Topic header: the same for one family and kind, so a newer notice
/// of that kind replaces an older one still waiting at the push service;
/// a keyless hash would let the push service link topics to families, so
/// it is a MAC under a key derived from the VAPID key (24 bytes, 32
/// base64url characters, the most RFC 8030 allows).
fn topic(push: &Push, family_id: &str, kind: Kind) -> String {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(push.private_b64.as_bytes()).expect("any key length");
    mac.update(b"onsplan-push-topic\n");
    mac.update(family_id.as_bytes());
    mac.update(b"\n");
    mac.update(kind.as_str().as_bytes());
    URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..24])
}

/// A built push request, taken out of web-push's (http 0.2) request so
/// our own client sends it.
struct Request {
    url: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

fn build_message(push: &Push, d: &Claimed, payload: &[u8], now: i64) -> Result<Request, String> {
    let endpoint = d.endpoint.clone().ok_or("no subscription")?;
    if payload.len() > MAX_PAYLOAD {
        return Err("payload too large".into());
    }
    let info = web_push::SubscriptionInfo::new(endpoint, d.p256dh.clone(), d.auth.clone());
    let mut builder = web_push::WebPushMessageBuilder::new(&info);
    builder.set_payload(web_push::ContentEncoding::Aes128Gcm, payload);
    let left = (d.created_at + TTL_SECONDS - now).clamp(60, TTL_SECONDS);
    let ttl = if d.kind == Kind::Test {
        left.min(3600)
    } else {
        left
    };
    builder.set_ttl(ttl as u32);
    builder.set_urgency(d.kind.urgency(&d.event));
    if let Some(family) = &d.family_id {
        builder.set_topic(topic(push, family, d.kind));
    }
    builder.set_vapid_signature(push.signature(&info, now).map_err(|e| e.to_string())?);
    let message = builder.build().map_err(|e| e.to_string())?;
    let request = web_push::request_builder::build_request::<Vec<u8>>(message);
    let url = request.uri().to_string();
    let headers = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    Ok(Request {
        url,
        headers,
        body: request.into_body(),
    })
}

/// Sends one delivery, after asking again whether it may go.
async fn deliver(
    db: &Db,
    client: &reqwest::Client,
    d: &Claimed,
    message: Result<Request, String>,
    cache: &tokio::sync::Mutex<HashMap<(String, String), bool>>,
    now: i64,
    first_retry: i64,
) -> Outcome {
    if d.endpoint.is_none() || d.kinds_off.split(',').any(|k| k == d.kind.as_str()) {
        return Outcome::Dropped;
    }
    if d.kind.needs_access() {
        let family = d.family_id.clone().unwrap_or_default();
        // A message's reader may read its thread; anything else's may
        // open its family.
        let (scope, thread) = match d.kind {
            Kind::Message => (
                format!("thread:{}", d.subject_id.as_deref().unwrap_or("")),
                true,
            ),
            _ => (family.clone(), false),
        };
        let key = (d.recipient.id.clone(), scope);
        let known = cache.lock().await.get(&key).copied();
        let check = async {
            if thread {
                may_read_thread(db, &d.recipient, d.subject_id.as_deref().unwrap_or(""), now).await
            } else {
                may_open(db, &d.recipient, &family, now).await
            }
        };
        let allowed = match known {
            Some(a) => a,
            None => match check.await {
                Ok(a) => {
                    cache.lock().await.insert(key, a);
                    a
                }
                Err(_) => return Outcome::Later(first_retry),
            },
        };
        if !allowed {
            return Outcome::Dropped;
        }
    }
    let request = match message {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(push = %d.id, error = %e, "push: could not build the message");
            return Outcome::Refused;
        }
    };
    let mut builder = client.post(&request.url);
    for (k, v) in &request.headers {
        builder = builder.header(k.as_str(), v.as_slice());
    }
    let backoff = (first_retry << (d.attempts - 1).clamp(0, 20)).min(3600);
    let outcome = match builder.body(request.body).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
                .map(|s| s.clamp(0, 86_400));
            match status {
                200..=299 => Outcome::Sent,
                404 | 410 | 403 => Outcome::Gone,
                429 | 500..=599 => Outcome::Later(retry_after.unwrap_or(backoff).max(backoff)),
                _ => Outcome::Refused,
            }
        }
        Err(_) => Outcome::Later(backoff),
    };
    let outcome = match outcome {
        Outcome::Later(wait) if now + wait > d.created_at + TTL_SECONDS => Outcome::Expired,
        o => o,
    };
    // Each push is logged: its random id, kind and outcome; no person, no
    // family, no content.
    tracing::info!(
        push = %d.id,
        kind = d.kind.as_str(),
        attempt = d.attempts,
        outcome = outcome.as_str(),
        "push"
    );
    outcome
}

/// Writes what became of a batch, in one transaction.
async fn record(db: &Db, results: &[(Claimed, Outcome)], now: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await.map_err(internal)?;
    let mut done: HashMap<&'static str, Vec<&str>> = HashMap::new();
    for (d, outcome) in results {
        match outcome {
            Outcome::Later(wait) => {
                sqlx::query(
                    "UPDATE push_deliveries SET next_try_at = $1, lease_until = 0 WHERE id = $2",
                )
                .bind(now + wait)
                .bind(&d.id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            }
            other => {
                done.entry(other.as_str()).or_default().push(&d.id);
                if *other == Outcome::Gone {
                    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
                        .bind(&d.subscription_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(internal)?;
                }
            }
        }
    }
    for (outcome, ids) in done {
        for chunk in ids.chunks(200) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE push_deliveries SET done_at = $1, outcome = $2 WHERE id IN ({list})"
            );
            let mut q = sqlx::query(&sql).bind(now).bind(outcome);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await.map_err(internal)?;
        }
    }
    tx.commit().await.map_err(internal)
}

/// Where a delivery leads when its notification is opened, for the person
/// it was for (anyone else: `None`). Decided now, by the access layer: a
/// family the person can no longer open leads to their own start page.
pub async fn target(
    db: &Db,
    caller: &Caller,
    delivery_id: &str,
    now: i64,
) -> Result<Option<String>, AppError> {
    let (kind, id) = super::accounts::subject_of(caller)?;
    let row = sqlx::query(
        "SELECT e.kind, e.family_id, e.subject_id FROM push_deliveries d
           JOIN notification_events e ON e.id = d.event_id
         WHERE d.id = $1 AND d.recipient_kind = $2 AND d.recipient_id = $3",
    )
    .bind(delivery_id)
    .bind(kind)
    .bind(id)
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let kind = Kind::parse(&row.try_get::<String, _>("kind").map_err(internal)?);
    let family: Option<String> = row.try_get("family_id").map_err(internal)?;
    let subject: Option<String> = row.try_get("subject_id").map_err(internal)?;
    let home = if matches!(caller, Caller::Member(_)) {
        "/plan"
    } else {
        "/families"
    };
    let Some(family) = family else {
        return Ok(Some(home.to_string()));
    };
    if kind == Some(Kind::Message) {
        let thread = subject.unwrap_or_default();
        return Ok(Some(
            match super::access::ThreadAccess::open(db, caller, &thread, now).await {
                Ok(_) => format!("/messages/{thread}"),
                Err(_) => "/messages".to_string(),
            },
        ));
    }
    if FamilyAccess::open(db, caller, &family, now).await.is_err() {
        return Ok(Some(home.to_string()));
    }
    let subject = subject.unwrap_or_default();
    Ok(Some(match (kind, caller) {
        (Some(Kind::Question), Caller::Member(_)) => format!("/plan/question/{subject}"),
        (Some(Kind::Joined), Caller::Member(_)) => "/plan#members".to_string(),
        (_, Caller::Member(_)) => "/plan".to_string(),
        (_, _) => format!("/families/{family}"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(endpoints: &str) -> Push {
        Push {
            private_b64: generate_private_key(),
            public_b64: String::new(),
            contact: "mailto:test@example.be".into(),
            endpoints: parse_endpoints(endpoints),
            signatures: Mutex::new(HashMap::new()),
        }
    }

    #[test]
    fn only_listed_push_services_are_posted_to() {
        let p = push(DEFAULT_ENDPOINTS);
        assert!(p.endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc"));
        assert!(p.endpoint_allowed("https://updates.push.services.mozilla.com/wpush/v2/x"));
        assert!(p.endpoint_allowed("https://web.push.apple.com/QOk"));
        // Not a push service, a look-alike, plain http, or no path.
        assert!(!p.endpoint_allowed("https://169.254.169.254/latest/meta-data"));
        assert!(!p.endpoint_allowed("https://fcm.googleapis.com.evil.example/x"));
        assert!(!p.endpoint_allowed("https://evilpush.services.mozilla.com.example/x"));
        assert!(!p.endpoint_allowed("http://fcm.googleapis.com/fcm/send/abc"));
        assert!(!p.endpoint_allowed("https://fcm.googleapis.com/"));
        assert!(!p.endpoint_allowed("not a url"));
        let local = push("http://127.0.0.1");
        assert!(local.endpoint_allowed("http://127.0.0.1:8090/push/abc"));
        assert!(!local.endpoint_allowed("http://localhost:8090/push/abc"));
    }

    #[test]
    fn topics_are_short_stable_and_keyed() {
        let p = push("");
        let a = topic(&p, "family-a", Kind::Plan);
        assert_eq!(a.len(), 32);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(a, topic(&p, "family-a", Kind::Plan));
        assert_ne!(a, topic(&p, "family-b", Kind::Plan));
        assert_ne!(a, topic(&p, "family-a", Kind::Question));
        assert_ne!(a, topic(&push(""), "family-a", Kind::Plan));
    }

    #[test]
    fn every_notice_is_written_in_every_language() {
        for kind in Kind::CHOOSABLE.into_iter().chain([Kind::Test]) {
            for lang in Lang::ALL {
                let source = crate::i18n::source(lang).expect("a locale");
                let ids = crate::i18n::message_ids(&source);
                assert!(
                    ids.iter().any(|id| id == kind.text_id()),
                    "{} missing in {}",
                    kind.text_id(),
                    lang.tag()
                );
            }
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        // The settings page's label of each kind (made from its name).
        for kind in Kind::CHOOSABLE {
            let id = format!("notify-kind-{}", kind.as_str());
            for lang in Lang::ALL {
                let source = crate::i18n::source(lang).expect("a locale");
                assert!(
                    crate::i18n::message_ids(&source).contains(&id),
                    "{id} in {}",
                    lang.tag()
                );
            }
        }
    }

    #[test]
    fn withdrawals_and_questions_are_urgent() {
        use web_push::Urgency::{High, Normal};
        assert_eq!(Kind::Answer.urgency("mandate_withdrawn"), High);
        assert_eq!(Kind::Question.urgency("mandate_asked"), High);
        assert_eq!(Kind::Consent.urgency("share_withdrawn"), High);
        assert_eq!(Kind::Consent.urgency("base_mandate_withdrawn"), High);
        assert_eq!(Kind::Consent.urgency("item_hidden"), High);
        assert_eq!(Kind::Consent.urgency("share_granted"), Normal);
        assert_eq!(Kind::Plan.urgency("plan_changed"), Normal);
    }
}
