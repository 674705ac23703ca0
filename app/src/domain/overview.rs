//! What staff see before opening a family ("my families"), the frame of a
//! family (names, never plan content), and the people and organisations a
//! family can share with.

use sqlx::Row;

use super::access::{internal, FamilyAccess, StaffCaller, StaffRole};
use super::db::Db;
use super::plan;
use super::{consent, mandates};
use crate::error::AppError;
use crate::model::{Basis, ItemKind};
pub use crate::model::{FamilyCard, FamilyFrame, Organisation, Person, PlanPage, TeamLine};

/// The families a staff member works with: a coach's own families (with
/// counts only where the family accepted them), and for everyone the
/// families that share something with them today.
pub async fn my_families(
    db: &Db,
    staff: &StaffCaller,
    today: &str,
) -> Result<Vec<FamilyCard>, AppError> {
    let mut cards = Vec::new();
    // A coordinator sees no family, not even its name (see `team`).
    if staff.role() == StaffRole::Coordinator {
        return Ok(cards);
    }
    if staff.role() == StaffRole::Coach {
        let rows = sqlx::query(
            "SELECT f.id, f.display_name,
               (SELECT COUNT(*) FROM members m WHERE m.family_id = f.id
                  AND m.confirmed_at IS NOT NULL) AS members,
               (SELECT COUNT(*) FROM base_mandates b WHERE b.family_id = f.id AND b.coach_id = $1
                  AND b.withdrawn_at IS NULL) AS live,
               p.next_evaluation, p.status,
               (SELECT COUNT(*) FROM mandates q WHERE q.family_id = f.id AND q.coach_id = $1
                  AND q.until >= $2
                  AND q.action_id NOT IN (SELECT i.id FROM plan_items i LEFT JOIN plan_items g ON g.id = i.goal_id
                                          WHERE i.family_id = f.id AND (i.only_us = 1 OR COALESCE(g.only_us, 0) = 1))
                  AND NOT EXISTS (SELECT 1 FROM mandate_answers a WHERE a.mandate_id = q.id)) AS open_q,
               (SELECT COUNT(*) FROM mandate_answers a JOIN mandates q ON q.id = a.mandate_id
                  WHERE q.family_id = f.id AND q.coach_id = $1
                  AND q.action_id NOT IN (SELECT i.id FROM plan_items i LEFT JOIN plan_items g ON g.id = i.goal_id
                                          WHERE i.family_id = f.id AND (i.only_us = 1 OR COALESCE(g.only_us, 0) = 1))
                  AND a.answered_at >= COALESCE((SELECT v.visited_at FROM coach_visits v
                                                WHERE v.family_id = f.id AND v.coach_id = $1), 0)) AS new_a
             FROM families f JOIN plans p ON p.family_id = f.id
             WHERE f.coach_id = $1 ORDER BY f.display_name, f.id",
        )
        .bind(staff.staff_id())
        .bind(today)
        .fetch_all(db.pool())
        .await
        .map_err(internal)?;
        for r in rows {
            let members: i64 = r.try_get("members").map_err(internal)?;
            let live: i64 = r.try_get("live").map_err(internal)?;
            let (state, accepted) = match (live > 0, members > 0) {
                (true, _) => ("active", true),
                (false, false) => ("waiting", false),
                // The family withdrew its consent: nothing to show.
                (false, true) => continue,
            };
            let status: String = r.try_get("status").map_err(internal)?;
            cards.push(FamilyCard {
                id: r.try_get("id").map_err(internal)?,
                name: r.try_get("display_name").map_err(internal)?,
                state: state.into(),
                open_questions: if accepted {
                    r.try_get("open_q").map_err(internal)?
                } else {
                    0
                },
                new_answers: if accepted {
                    r.try_get("new_a").map_err(internal)?
                } else {
                    0
                },
                next_evaluation: if accepted {
                    r.try_get("next_evaluation").map_err(internal)?
                } else {
                    None
                },
                on_hold: accepted && status == "on_hold",
            });
        }
    }
    let shared = sqlx::query(
        "SELECT f.id, f.display_name FROM families f
         WHERE NOT (f.coach_id = $1 AND EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                      AND b.coach_id = $1 AND b.withdrawn_at IS NULL))
           AND EXISTS (SELECT 1 FROM shares s
              WHERE s.family_id = f.id AND s.withdrawn_at IS NULL AND s.until >= $3
                AND ((s.recipient_kind = 'person' AND s.recipient_staff_id = $1)
                  OR (s.recipient_kind = 'volunteer' AND f.volunteer_id = $1)
                  OR (s.recipient_kind = 'organisation' AND s.recipient_org_id = $2)))
         ORDER BY f.display_name, f.id",
    )
    .bind(staff.staff_id())
    .bind(staff.org_id())
    .bind(today)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    for r in shared {
        cards.push(FamilyCard {
            id: r.try_get("id").map_err(internal)?,
            name: r.try_get("display_name").map_err(internal)?,
            state: "shared".into(),
            open_questions: 0,
            new_answers: 0,
            next_evaluation: None,
            on_hold: false,
        });
    }
    Ok(cards)
}

/// A coordinator's team: the coaches and volunteers of their organisation,
/// each with how many families they carry. Counts only; for anyone else,
/// nothing.
pub async fn team(db: &Db, staff: &StaffCaller) -> Result<Vec<TeamLine>, AppError> {
    if staff.role() != StaffRole::Coordinator {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT s.display_name, s.role,
           (SELECT COUNT(*) FROM families f WHERE f.coach_id = s.id
              AND EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                            AND b.coach_id = s.id AND b.withdrawn_at IS NULL)) AS active,
           (SELECT COUNT(*) FROM families f WHERE f.coach_id = s.id
              AND NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id
                                AND m.confirmed_at IS NOT NULL)) AS waiting,
           (SELECT COUNT(*) FROM families f WHERE f.volunteer_id = s.id) AS volunteer
         FROM staff s
         WHERE s.org_id = $1 AND s.disabled_at IS NULL AND s.role IN ('coach', 'volunteer')
         ORDER BY s.role, s.display_name, s.id",
    )
    .bind(staff.org_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|r| {
            Ok(TeamLine {
                name: r.try_get("display_name")?,
                role: r.try_get("role")?,
                active: r.try_get("active")?,
                waiting: r.try_get("waiting")?,
                volunteer: r.try_get("volunteer")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// The family's name, organisation, coach, volunteer and members.
pub async fn frame(db: &Db, access: &FamilyAccess) -> Result<FamilyFrame, AppError> {
    frame_of(db, access.family_id()).await
}

/// The frame of a family its current coach is waiting on (nobody joined
/// yet); `NotFound` for anyone else.
pub async fn waiting_frame(
    db: &Db,
    staff: &StaffCaller,
    family_id: &str,
) -> Result<FamilyFrame, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM families f WHERE f.id = $1 AND f.coach_id = $2
           AND NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id AND m.confirmed_at IS NOT NULL)",
    )
    .bind(family_id)
    .bind(staff.staff_id())
    .fetch_one(db.pool())
    .await
    .map_err(internal)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    frame_of(db, family_id).await
}

async fn frame_of(db: &Db, family_id: &str) -> Result<FamilyFrame, AppError> {
    let r = sqlx::query(
        "SELECT f.display_name, o.name AS org_name, c.display_name AS coach_name,
                v.display_name AS volunteer_name
         FROM families f JOIN organisations o ON o.id = f.org_id
         LEFT JOIN staff c ON c.id = f.coach_id LEFT JOIN staff v ON v.id = f.volunteer_id
         WHERE f.id = $1",
    )
    .bind(family_id)
    .fetch_one(db.pool())
    .await
    .map_err(internal)?;
    let members: Vec<String> = sqlx::query_scalar(
        "SELECT display_name FROM members WHERE family_id = $1 AND confirmed_at IS NOT NULL
           AND refused_at IS NULL AND removed_at IS NULL ORDER BY created_at, id",
    )
    .bind(family_id)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    Ok(FamilyFrame {
        name: r.try_get("display_name").map_err(internal)?,
        org_name: r.try_get("org_name").map_err(internal)?,
        coach_name: r.try_get("coach_name").map_err(internal)?,
        volunteer_name: r.try_get("volunteer_name").map_err(internal)?,
        members,
    })
}

/// What someone outside the family, reached only by a share, may know of
/// its frame: the name it chose to be known by.
async fn viewer_frame(db: &Db, access: &FamilyAccess) -> Result<FamilyFrame, AppError> {
    let name: String = sqlx::query_scalar("SELECT display_name FROM families WHERE id = $1")
        .bind(access.family_id())
        .fetch_one(db.pool())
        .await
        .map_err(internal)?;
    Ok(FamilyFrame {
        name,
        org_name: String::new(),
        coach_name: None,
        volunteer_name: None,
        members: Vec::new(),
    })
}

/// The people (staff accounts) a family can share with by name.
pub async fn people(db: &Db) -> Result<Vec<Person>, AppError> {
    let rows = sqlx::query(
        "SELECT s.id, s.display_name, s.role, o.name AS org_name
         FROM staff s JOIN organisations o ON o.id = s.org_id
         WHERE s.disabled_at IS NULL AND s.role <> 'coordinator'
         ORDER BY s.display_name, s.id",
    )
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(person_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// A staff account as a family sees it when sharing: the row has `id`,
/// `display_name`, `role` and `org_name`.
pub(crate) fn person_from_row(r: &sqlx::any::AnyRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: r.try_get("id")?,
        name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        org_name: r.try_get("org_name")?,
    })
}

pub async fn organisations(db: &Db) -> Result<Vec<Organisation>, AppError> {
    let rows = sqlx::query("SELECT id, name FROM organisations ORDER BY name, id")
        .fetch_all(db.pool())
        .await
        .map_err(internal)?;
    rows.iter()
        .map(|r| {
            Ok(Organisation {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// Everything a plan page shows, read through the access layer (the item
/// read is logged when the reader is outside the family; the coach's read
/// also counts as their visit, committed with it). Whether the reader is
/// the coach comes from the proof made when the family was opened, in this
/// request: the page asks it once, not once per part.
pub async fn plan_page(db: &Db, access: &FamilyAccess) -> Result<PlanPage, AppError> {
    let reader = if access.member_id().is_some() {
        "member"
    } else if access.coach_at_open() {
        "coach"
    } else {
        "viewer"
    };
    // Someone reached only by a share learns the family's name and the
    // shared items, nothing else: not its members, coach or organisation.
    let frame = if reader == "viewer" {
        viewer_frame(db, access).await?
    } else {
        frame(db, access).await?
    };
    let items = plan::items_for_page(db, access, reader == "coach").await?;
    let (header, mandates, coach_accepted, hidden_count) = match reader {
        "member" => (
            plan::read_header(db, access).await?,
            mandates::list_of(db, access, None).await?,
            consent::coach_accepted(db, access).await?,
            0,
        ),
        "coach" => {
            // The coach's questions follow their actions: those seen under
            // the base mandate (an action made "only us" hides its question).
            let actions: Vec<String> = items
                .iter()
                .filter(|i| i.kind == ItemKind::Action && matches!(i.basis, Basis::BaseMandate(_)))
                .map(|i| i.id.clone())
                .collect();
            (
                plan::read_header(db, access).await?,
                mandates::list_of(db, access, Some(&actions)).await?,
                // Their live base mandate is the family's acceptance.
                true,
                plan::count_hidden(db, access).await?,
            )
        }
        _ => (None, Vec::new(), false, 0),
    };
    let shared_with_me = if reader == "viewer" {
        consent::shared_with_me(db, access, &items).await?
    } else {
        Vec::new()
    };
    Ok(PlanPage {
        family_id: access.family_id().to_string(),
        frame,
        header,
        items,
        mandates,
        reader: reader.to_string(),
        coach_accepted,
        hidden_count,
        shared_with_me,
    })
}

pub async fn staff_name(db: &Db, staff: &StaffCaller) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT display_name FROM staff WHERE id = $1")
        .bind(staff.staff_id())
        .fetch_one(db.pool())
        .await
        .map_err(internal)
}
