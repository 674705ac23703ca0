//! The access log: every read of family items by someone outside the family
//! (who, which items, when, under which consent) and every consent or
//! mandate change (who, what, when). Append-only: rows are only inserted.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::access::{internal, FamilyAccess, Reader};
use super::db::{insert_numbered, Db};
use super::ids::new_id;
use super::plan::PlanItem;
use crate::error::AppError;
pub use crate::model::LogEntry;

/// Who made a logged change or read.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Member(&'a str),
    Staff(&'a str),
    /// The organisation's work, where no family member acted (a coach
    /// reassigned ends the old coach's base mandate): "by the service".
    Service,
}

impl Actor<'_> {
    fn kind_and_id(&self) -> (&'static str, &str) {
        match self {
            Actor::Member(id) => ("member", id),
            Actor::Staff(id) => ("staff", id),
            Actor::Service => ("service", ""),
        }
    }
}

fn actor(access: &FamilyAccess) -> Actor<'_> {
    match access.reader() {
        Reader::Member { member_id } => Actor::Member(member_id),
        Reader::Staff { staff_id, .. } => Actor::Staff(staff_id),
    }
}

async fn append(
    conn: &mut AnyConnection,
    family_id: &str,
    at: i64,
    actor: Actor<'_>,
    event: &str,
    subject_id: Option<&str>,
    items: &[(String, String)],
) -> Result<(), AppError> {
    let (kind, id) = actor.kind_and_id();
    let items = serde_json::to_string(items).map_err(internal)?;
    let row_id = new_id();
    insert_numbered(conn, || {
        sqlx::query(
            "INSERT INTO access_log (id, family_id, at, seq, actor_kind, actor_id, event, subject_id, items)
             VALUES ($1, $2, $3,
                     (SELECT COALESCE(MAX(seq), 0) + 1 FROM access_log WHERE family_id = $2),
                     $4, $5, $6, $7, $8)",
        )
        .bind(&row_id)
        .bind(family_id)
        .bind(at)
        .bind(kind)
        .bind(id)
        .bind(event)
        .bind(subject_id)
        .bind(&items)
    })
    .await
    .map_err(internal)
}

/// Records a read of `items` when the reader is outside the family. An
/// opening that showed no item is recorded too (with no items): the family
/// learns that someone opened its plan, even when nothing was shown.
pub async fn record_read(
    db: &Db,
    access: &FamilyAccess,
    items: &[PlanItem],
) -> Result<(), AppError> {
    if access.member_id().is_some() {
        return Ok(());
    }
    let pairs: Vec<(String, String)> = items
        .iter()
        .map(|i| (i.id.clone(), i.basis.log_text()))
        .collect();
    let mut conn = db.pool().acquire().await.map_err(internal)?;
    append(
        &mut conn,
        access.family_id(),
        access.now(),
        actor(access),
        "read",
        None,
        &pairs,
    )
    .await
}

/// Records a consent or mandate change, inside the transaction that makes
/// the change: the change and its record are written together or not at all.
pub async fn record_change(
    tx: &mut AnyConnection,
    access: &FamilyAccess,
    event: &str,
    subject_id: Option<&str>,
) -> Result<(), AppError> {
    record_by(
        tx,
        access.family_id(),
        access.now(),
        actor(access),
        event,
        subject_id,
    )
    .await
}

/// Records a change made before anyone holds a `FamilyAccess` for it (a
/// join) or by the service, inside the transaction that makes it.
pub async fn record_by(
    tx: &mut AnyConnection,
    family_id: &str,
    at: i64,
    actor: Actor<'_>,
    event: &str,
    subject_id: Option<&str>,
) -> Result<(), AppError> {
    append(tx, family_id, at, actor, event, subject_id, &[]).await
}

/// The family's log, newest first ("who looked"); for members only. Each
/// change names what it was about: the item, the question, the member,
/// the coach, and for a share also with whom.
pub async fn entries(
    db: &Db,
    access: &FamilyAccess,
    limit: i64,
) -> Result<Vec<LogEntry>, AppError> {
    if access.member_id().is_none() {
        return Err(AppError::NotFound);
    }
    let rows = sqlx::query(
        "SELECT l.at, l.actor_kind, l.actor_id, l.event, l.subject_id, l.items,
                COALESCE(s.display_name, m.display_name, '') AS actor_name,
                CASE WHEN l.actor_kind = 'service' THEN 'service'
                     ELSE COALESCE(s.role, 'member') END AS actor_role,
                o.name AS actor_org
         FROM access_log l
         LEFT JOIN staff s ON l.actor_kind = 'staff' AND s.id = l.actor_id
         LEFT JOIN organisations o ON o.id = s.org_id
         LEFT JOIN members m ON l.actor_kind = 'member' AND m.id = l.actor_id
         WHERE l.family_id = $1 ORDER BY l.seq DESC LIMIT $2",
    )
    .bind(access.family_id())
    .bind(limit)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let names = SubjectNames::load(db, access.family_id()).await?;
    rows.iter()
        .map(|r| {
            let items: String = r.try_get("items")?;
            let event: String = r.try_get("event")?;
            let subject_id: Option<String> = r.try_get("subject_id")?;
            let (subject_text, subject_domain, recipient) =
                names.describe(&event, subject_id.as_deref());
            Ok(LogEntry {
                at: r.try_get("at")?,
                actor_kind: r.try_get("actor_kind")?,
                actor_id: r.try_get("actor_id")?,
                actor_name: r.try_get("actor_name")?,
                actor_role: r.try_get("actor_role")?,
                actor_org: r.try_get("actor_org")?,
                event,
                subject_id,
                subject_text,
                subject_domain,
                recipient,
                items: serde_json::from_str(&items).unwrap_or_default(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// A share's scope and recipient, for naming it in the log.
struct ShareName {
    item: Option<String>,
    domain: Option<String>,
    recipient: String,
}

/// What the log's subjects are called, loaded once per family.
struct SubjectNames {
    items: HashMap<String, String>,
    questions: HashMap<String, String>,
    members: HashMap<String, String>,
    coaches: HashMap<String, String>,
    shares: HashMap<String, ShareName>,
}

async fn pairs(db: &Db, sql: &str, family_id: &str) -> Result<HashMap<String, String>, AppError> {
    let rows = sqlx::query(sql)
        .bind(family_id)
        .fetch_all(db.pool())
        .await
        .map_err(internal)?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

impl SubjectNames {
    async fn load(db: &Db, family_id: &str) -> Result<SubjectNames, AppError> {
        let shares = sqlx::query(
            "SELECT s.id, s.item_id, s.domain, s.recipient_kind,
                    COALESCE(st.display_name, o.name, '') AS recipient_name
             FROM shares s LEFT JOIN staff st ON st.id = s.recipient_staff_id
             LEFT JOIN organisations o ON o.id = s.recipient_org_id
             WHERE s.family_id = $1",
        )
        .bind(family_id)
        .fetch_all(db.pool())
        .await
        .map_err(internal)?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("recipient_kind")?;
            let name: String = r.try_get("recipient_name")?;
            Ok((
                r.try_get("id")?,
                ShareName {
                    item: r.try_get("item_id")?,
                    domain: r.try_get("domain")?,
                    // "Our volunteer" follows the role: named as such.
                    recipient: if kind == "volunteer" {
                        String::new()
                    } else {
                        name
                    },
                },
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)?;
        Ok(SubjectNames {
            items: pairs(
                db,
                "SELECT id, body AS name FROM plan_items WHERE family_id = $1",
                family_id,
            )
            .await?,
            questions: pairs(
                db,
                "SELECT id, what AS name FROM mandates WHERE family_id = $1",
                family_id,
            )
            .await?,
            members: pairs(
                db,
                "SELECT id, display_name AS name FROM members WHERE family_id = $1",
                family_id,
            )
            .await?,
            coaches: pairs(
                db,
                "SELECT b.id, s.display_name AS name FROM base_mandates b
                 JOIN staff s ON s.id = b.coach_id WHERE b.family_id = $1",
                family_id,
            )
            .await?,
            shares,
        })
    }

    /// (what, which domain, with whom) for one log entry.
    fn describe(
        &self,
        event: &str,
        subject: Option<&str>,
    ) -> (Option<String>, Option<String>, Option<String>) {
        let Some(id) = subject else {
            return (None, None, None);
        };
        let from = |map: &HashMap<String, String>| map.get(id).cloned();
        match event {
            "item_hidden" | "item_unhidden" => (from(&self.items), None, None),
            e if e.starts_with("mandate_") => (from(&self.questions), None, None),
            e if e.starts_with("member_") => (from(&self.members), None, None),
            e if e.starts_with("base_mandate_") => (from(&self.coaches), None, None),
            e if e.starts_with("share_") => match self.shares.get(id) {
                Some(share) => (
                    share.item.as_ref().and_then(|i| self.items.get(i).cloned()),
                    share.domain.clone(),
                    Some(share.recipient.clone()),
                ),
                None => (None, None, None),
            },
            _ => (None, None, None),
        }
    }
}
