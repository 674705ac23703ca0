//! The access log: every read of family items by someone outside the family
//! (who, which items, when, under which consent) and every consent or
//! mandate change (who, what, when). Append-only: rows are only inserted.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::access::{internal, FamilyAccess, Reader};
use super::db::Db;
use super::ids::new_id;
use super::plan::PlanItem;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: String,
    pub event: String,
    pub subject_id: Option<String>,
    /// (item id, basis) pairs for reads.
    pub items: Vec<(String, String)>,
}

fn actor(access: &FamilyAccess) -> (&'static str, &str) {
    match access.reader() {
        Reader::Member { member_id } => ("member", member_id),
        Reader::Staff { staff_id, .. } => ("staff", staff_id),
    }
}

async fn append(
    db: &Db,
    access: &FamilyAccess,
    event: &str,
    subject_id: Option<&str>,
    items: &[(String, String)],
) -> Result<(), AppError> {
    let (kind, id) = actor(access);
    let items = serde_json::to_string(items).map_err(internal)?;
    sqlx::query(
        "INSERT INTO access_log (id, family_id, at, seq, actor_kind, actor_id, event, subject_id, items)
         VALUES ($1, $2, $3,
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM access_log WHERE family_id = $2),
                 $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(access.family_id())
    .bind(access.now())
    .bind(kind)
    .bind(id)
    .bind(event)
    .bind(subject_id)
    .bind(items)
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(())
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
    append(db, access, "read", None, &pairs).await
}

/// Records a consent or mandate change.
pub async fn record_change(
    db: &Db,
    access: &FamilyAccess,
    event: &str,
    subject_id: Option<&str>,
) -> Result<(), AppError> {
    append(db, access, event, subject_id, &[]).await
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
        "SELECT at, actor_kind, actor_id, event, subject_id, items FROM access_log
         WHERE family_id = $1 ORDER BY seq DESC LIMIT $2",
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
                event: r.try_get("event")?,
                subject_id: r.try_get("subject_id")?,
                items: serde_json::from_str(&items).unwrap_or_default(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}
