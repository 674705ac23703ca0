//! Who is in the family. Once a family has members, nobody joins it
//! without a member's yes: someone the coach invited waits here until a
//! member confirms or refuses them. Both are consent changes, logged.

use sqlx::Row;

use super::access::{internal, FamilyAccess};
use super::db::Db;
use super::log;
use crate::error::AppError;
pub use crate::model::WaitingMember;

/// The people waiting for the family's yes (members only).
pub async fn waiting(db: &Db, access: &FamilyAccess) -> Result<Vec<WaitingMember>, AppError> {
    if access.member_id().is_none() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT id, display_name, created_at FROM members
         WHERE family_id = $1 AND confirmed_at IS NULL AND refused_at IS NULL
         ORDER BY created_at, id",
    )
    .bind(access.family_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|r| {
            Ok(WaitingMember {
                id: r.try_get("id")?,
                name: r.try_get("display_name")?,
                asked_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// A member lets a waiting newcomer in (`yes`) or refuses them. A refused
/// newcomer's sessions end at once and they never see the family.
pub async fn decide(
    db: &Db,
    access: &FamilyAccess,
    newcomer: &str,
    yes: bool,
) -> Result<(), AppError> {
    let member_id = access.member_id().ok_or(AppError::NotFound)?;
    let mut tx = db.pool().begin().await.map_err(internal)?;
    let sql = if yes {
        "UPDATE members SET confirmed_at = $1, confirmed_by = $2
         WHERE id = $3 AND family_id = $4 AND confirmed_at IS NULL AND refused_at IS NULL"
    } else {
        "UPDATE members SET refused_at = $1, confirmed_by = $2
         WHERE id = $3 AND family_id = $4 AND confirmed_at IS NULL AND refused_at IS NULL"
    };
    let changed = sqlx::query(sql)
        .bind(access.now())
        .bind(member_id)
        .bind(newcomer)
        .bind(access.family_id())
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    if !yes {
        sqlx::query("DELETE FROM sessions WHERE subject_kind = 'member' AND subject_id = $1")
            .bind(newcomer)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    let event = if yes {
        "member_confirmed"
    } else {
        "member_refused"
    };
    log::record_change(&mut tx, access, event, Some(newcomer)).await?;
    tx.commit().await.map_err(internal)
}
