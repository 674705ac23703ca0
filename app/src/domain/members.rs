//! Who is in the family. Once a family has members, nobody joins it
//! without a member's yes: someone the coach invited waits here until a
//! member confirms or refuses them. A member can remove another (a
//! duplicate, someone who left), never the last one. All are consent
//! changes, logged. And the notices that the coach let a phone in.

use sqlx::Row;

use super::access::{internal, FamilyAccess};
use super::db::Db;
use super::log;
use crate::error::AppError;
pub use crate::model::{FamilyMember, NewPhoneNotice, WaitingMember};

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
    let mut tx = db.begin().await.map_err(internal)?;
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
        super::push::forget_person(&mut tx, newcomer).await?;
    }
    let event = if yes {
        "member_confirmed"
    } else {
        "member_refused"
    };
    log::record_change(&mut tx, access, event, Some(newcomer)).await?;
    tx.commit().await.map_err(internal)
}

/// The members who are in the family (confirmed, not removed), for its
/// members and its coach with a live base mandate (who already sees their
/// names); anyone else gets `NotFound`. A read: the coach is the one
/// proven when the family was opened in this request.
pub async fn in_family(db: &Db, access: &FamilyAccess) -> Result<Vec<FamilyMember>, AppError> {
    if access.member_id().is_none() && !access.coach_at_open() {
        return Err(AppError::NotFound);
    }
    let me = access.member_id().unwrap_or("");
    let rows = sqlx::query(
        "SELECT id, display_name FROM members
         WHERE family_id = $1 AND confirmed_at IS NOT NULL AND refused_at IS NULL
           AND removed_at IS NULL
         ORDER BY created_at, id",
    )
    .bind(access.family_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            Ok(FamilyMember {
                is_me: id == me,
                name: r.try_get("display_name")?,
                id,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// A member removes another member of the family: a duplicate, or someone
/// who left. Their sessions end at once and they never open the family
/// again; what they wrote, answered and shared stays (it is the family's
/// plan, and its history). Nobody removes themselves (that is signing out)
/// or the family's last member. Logged ("Amira removed Yusuf").
pub async fn remove(db: &Db, access: &FamilyAccess, member: &str) -> Result<(), AppError> {
    let me = access.member_id().ok_or(AppError::NotFound)?;
    if member == me {
        return Err(AppError::bad("error-remove-yourself"));
    }
    let mut tx = db.begin().await.map_err(internal)?;
    // Take the family's row first, so two members removing each other at
    // once are decided one after the other (one member always stays).
    super::db::lock_family(&mut tx, access.family_id()).await?;
    let changed = sqlx::query(
        "UPDATE members SET removed_at = $1, removed_by = $2
         WHERE id = $3 AND family_id = $4 AND confirmed_at IS NOT NULL
           AND refused_at IS NULL AND removed_at IS NULL
           AND (SELECT COUNT(*) FROM members o WHERE o.family_id = $4 AND o.id <> $3
                  AND o.confirmed_at IS NOT NULL AND o.refused_at IS NULL
                  AND o.removed_at IS NULL) > 0",
    )
    .bind(access.now())
    .bind(me)
    .bind(member)
    .bind(access.family_id())
    .execute(&mut *tx)
    .await
    .map_err(internal)?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM sessions WHERE subject_kind = 'member' AND subject_id = $1")
        .bind(member)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    super::push::forget_person(&mut tx, member).await?;
    log::record_change(&mut tx, access, "member_removed", Some(member)).await?;
    tx.commit().await.map_err(internal)
}

/// The times the coach let someone in on a new phone that this member has
/// not put away yet (only those since they joined), newest first.
pub async fn new_phone_notices(
    db: &Db,
    access: &FamilyAccess,
) -> Result<Vec<NewPhoneNotice>, AppError> {
    let Some(me) = access.member_id() else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT i.used_at, s.display_name AS coach, m.display_name AS member
         FROM invites i JOIN staff s ON s.id = i.created_by_staff
         JOIN members m ON m.id = i.for_member
         WHERE i.family_id = $1 AND i.for_member IS NOT NULL AND i.used_at IS NOT NULL
           AND i.used_at >= (SELECT created_at FROM members WHERE id = $2)
           AND NOT EXISTS (SELECT 1 FROM new_phone_notices_seen n
                           WHERE n.invite_id = i.id AND n.member_id = $2)
         ORDER BY i.used_at DESC, i.id",
    )
    .bind(access.family_id())
    .bind(me)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|r| {
            Ok(NewPhoneNotice {
                at: r.try_get("used_at")?,
                coach: r.try_get("coach")?,
                member: r.try_get("member")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// This member puts away the notices shown to them: those up to `until`
/// (the newest one on their page), so that a newer one is never put away
/// unseen.
pub async fn dismiss_new_phone_notices(
    db: &Db,
    access: &FamilyAccess,
    until: i64,
) -> Result<(), AppError> {
    let me = access.member_id().ok_or(AppError::NotFound)?;
    sqlx::query(
        "INSERT INTO new_phone_notices_seen (invite_id, member_id, seen_at)
         SELECT i.id, $2, $3 FROM invites i
         WHERE i.family_id = $1 AND i.for_member IS NOT NULL AND i.created_by_staff IS NOT NULL
           AND i.used_at IS NOT NULL AND i.used_at <= $4
           AND NOT EXISTS (SELECT 1 FROM new_phone_notices_seen n
                           WHERE n.invite_id = i.id AND n.member_id = $2)",
    )
    .bind(access.family_id())
    .bind(me)
    .bind(access.now())
    .bind(until)
    .execute(db.pool())
    .await
    .map_err(internal)?;
    Ok(())
}
