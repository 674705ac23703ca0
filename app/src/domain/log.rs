//! The access log: every read of family items by someone outside the family
//! (who, which items, when, under which consent) and every consent or
//! mandate change (who, what, when). Append-only: rows are only inserted.

use sqlx::{AnyConnection, Row};

use super::access::{internal, FamilyAccess, Reader};
use super::db::{insert_numbered, Db};
use super::ids::new_id;
use super::plan::PlanItem;
use crate::error::AppError;
pub use crate::model::LogEntry;

fn actor(access: &FamilyAccess) -> (&'static str, &str) {
    match access.reader() {
        Reader::Member { member_id } => ("member", member_id),
        Reader::Staff { staff_id, .. } => ("staff", staff_id),
    }
}

async fn append(
    conn: &mut AnyConnection,
    access: &FamilyAccess,
    event: &str,
    subject_id: Option<&str>,
    items: &[(String, String)],
) -> Result<(), AppError> {
    let (kind, id) = actor(access);
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
        .bind(access.family_id())
        .bind(access.now())
        .bind(kind)
        .bind(id)
        .bind(event)
        .bind(subject_id)
        .bind(&items)
    })
    .await
    .map_err(internal)
}

/// Records a read of `items` when the reader is outside the family.
pub async fn record_read(
    db: &Db,
    access: &FamilyAccess,
    items: &[PlanItem],
) -> Result<(), AppError> {
    if access.member_id().is_some() || items.is_empty() {
        return Ok(());
    }
    let pairs: Vec<(String, String)> = items
        .iter()
        .map(|i| (i.id.clone(), i.basis.log_text()))
        .collect();
    let mut conn = db.pool().acquire().await.map_err(internal)?;
    append(&mut conn, access, "read", None, &pairs).await
}

/// Records a consent or mandate change, inside the transaction that makes
/// the change: the change and its record are written together or not at all.
pub async fn record_change(
    tx: &mut AnyConnection,
    access: &FamilyAccess,
    event: &str,
    subject_id: Option<&str>,
) -> Result<(), AppError> {
    append(tx, access, event, subject_id, &[]).await
}

/// The family's log, newest first ("who looked"); for members only.
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
                COALESCE(s.role, 'member') AS actor_role, o.name AS actor_org
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
    rows.iter()
        .map(|r| {
            let items: String = r.try_get("items")?;
            Ok(LogEntry {
                at: r.try_get("at")?,
                actor_kind: r.try_get("actor_kind")?,
                actor_id: r.try_get("actor_id")?,
                actor_name: r.try_get("actor_name")?,
                actor_role: r.try_get("actor_role")?,
                actor_org: r.try_get("actor_org")?,
                event: r.try_get("event")?,
                subject_id: r.try_get("subject_id")?,
                items: serde_json::from_str(&items).unwrap_or_default(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}
