//! The plan: its header (intensity, evaluation, end criteria, status) and its
//! items (goals, actions, notes). Reads and writes take a `FamilyAccess`;
//! reads by anyone outside the family are filtered in SQL and logged.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::access::{internal, FamilyAccess, Reader, ALL_ITEMS_SQL, LIVE_BASE_MANDATE_SQL};
use super::db::Db;
use super::ids::new_id;
use super::log;
use crate::error::AppError;
pub use crate::model::{
    ActionInput, Basis, ItemKind, PlanHeader, PlanItem, ACTION_STATUS, DOMAINS, WHO,
};

pub const MAX_TEXT: usize = 2000;

fn item_from_row(row: &AnyRow) -> Result<PlanItem, sqlx::Error> {
    let via_mandate: Option<String> = row.try_get("via_mandate")?;
    let via_share: Option<String> = row.try_get("via_share")?;
    let basis = match (via_mandate, via_share) {
        (Some(m), _) => Basis::BaseMandate(m),
        (None, Some(s)) => Basis::Share(s),
        (None, None) => Basis::Family,
    };
    let kind: String = row.try_get("kind")?;
    Ok(PlanItem {
        id: row.try_get("id")?,
        kind: ItemKind::parse(&kind).unwrap_or(ItemKind::Note),
        goal_id: row.try_get("goal_id")?,
        domain: row.try_get("domain")?,
        body: row.try_get("body")?,
        who: row.try_get("who")?,
        due: row.try_get("due")?,
        status: row.try_get("status")?,
        only_us: row.try_get::<i64, _>("only_us")? != 0,
        author_kind: row.try_get("author_kind")?,
        author_id: row.try_get("author_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        lang: row.try_get("lang")?,
        basis,
    })
}

/// Every item this reader may see, oldest first. A read by someone outside
/// the family is written to the access log with the consent behind each item.
pub async fn items(db: &Db, access: &FamilyAccess) -> Result<Vec<PlanItem>, AppError> {
    let items = fetch_items(db, access).await?;
    log::record_read(db, access, &items).await?;
    Ok(items)
}

/// `items` for a whole plan page: when the reader is the family's coach,
/// the visit ("answers before now are no longer new") is committed with
/// the read's log entry, so the page waits for one commit, not two.
pub(crate) async fn items_for_page(
    db: &Db,
    access: &FamilyAccess,
    coach_visit: bool,
) -> Result<Vec<PlanItem>, AppError> {
    let items = fetch_items(db, access).await?;
    log::record_page_read(db, access, &items, coach_visit).await?;
    Ok(items)
}

/// The benchmark's baseline: the same read and log as `items`, with the
/// unfiltered query, to measure what the consent filter costs. Only built
/// with the `bench` feature, which the server never enables.
#[cfg(feature = "bench")]
pub async fn items_unfiltered(db: &Db, access: &FamilyAccess) -> Result<Vec<PlanItem>, AppError> {
    let rows = sqlx::query(ALL_ITEMS_SQL)
        .bind(access.family_id())
        .fetch_all(db.pool())
        .await
        .map_err(internal)?;
    let items = to_items(&rows)?;
    log::record_read(db, access, &items).await?;
    Ok(items)
}

/// One item, if this reader may see it; `NotFound` otherwise.
pub async fn item(db: &Db, access: &FamilyAccess, item_id: &str) -> Result<PlanItem, AppError> {
    let item = fetch_items(db, access)
        .await?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(AppError::NotFound)?;
    log::record_read(db, access, std::slice::from_ref(&item)).await?;
    Ok(item)
}

/// One item of `kind`, if this reader may see it; `NotFound` otherwise.
/// Only a shown item is logged: an address that leads nowhere logs nothing.
pub async fn item_of_kind(
    db: &Db,
    access: &FamilyAccess,
    item_id: &str,
    kind: ItemKind,
) -> Result<PlanItem, AppError> {
    let item = visible_item(db, access, item_id, kind).await?;
    log::record_read(db, access, std::slice::from_ref(&item)).await?;
    Ok(item)
}

/// The filtered read without logging, for checks before a write.
async fn fetch_items(db: &Db, access: &FamilyAccess) -> Result<Vec<PlanItem>, AppError> {
    let rows = match access.reader() {
        Reader::Member { .. } => sqlx::query(ALL_ITEMS_SQL)
            .bind(access.family_id())
            .fetch_all(db.pool())
            .await
            .map_err(internal)?,
        Reader::Staff { .. } => {
            access
                .reader_rows(db, super::access::ReaderQuery::VisibleItems)
                .await?
        }
    };
    let items = to_items(&rows)?;
    Ok(match access.reader() {
        Reader::Member { .. } => items,
        Reader::Staff { .. } => for_outsider(items),
    })
}

/// What someone outside the family receives of the items they may see:
/// only what those items need. No author ids, and no link to a goal they
/// may not see (its id would tell that it exists).
fn for_outsider(items: Vec<PlanItem>) -> Vec<PlanItem> {
    let seen: std::collections::HashSet<String> = items.iter().map(|i| i.id.clone()).collect();
    items
        .into_iter()
        .map(|mut i| {
            i.author_id = String::new();
            if i.goal_id.as_ref().is_some_and(|g| !seen.contains(g)) {
                i.goal_id = None;
            }
            i
        })
        .collect()
}

pub(crate) fn to_items(rows: &[AnyRow]) -> Result<Vec<PlanItem>, AppError> {
    rows.iter()
        .map(item_from_row)
        .collect::<Result<_, _>>()
        .map_err(internal)
}

/// An item of `kind` this reader may see (a write's target), unlogged;
/// `NotFound` when it is not there or not theirs to see.
async fn visible_item(
    db: &Db,
    access: &FamilyAccess,
    item_id: &str,
    kind: ItemKind,
) -> Result<PlanItem, AppError> {
    fetch_items(db, access)
        .await?
        .into_iter()
        .find(|i| i.id == item_id && i.kind == kind)
        .ok_or(AppError::NotFound)
}

/// The number of items hidden from the coach by "only us" (never which),
/// for a reader already known to be the coach.
pub(crate) async fn count_hidden(db: &Db, access: &FamilyAccess) -> Result<i64, AppError> {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM plan_items i LEFT JOIN plan_items g ON g.id = i.goal_id
         WHERE i.family_id = $1 AND (i.only_us = 1 OR COALESCE(g.only_us, 0) = 1)",
    )
    .bind(access.family_id())
    .fetch_one(db.pool())
    .await
    .map_err(internal)
}

/// Whether the reader is the family's current coach with a live base mandate.
pub(crate) async fn is_coach_with_mandate(
    db: &Db,
    access: &FamilyAccess,
) -> Result<bool, AppError> {
    let Some(staff_id) = access.staff_id() else {
        return Ok(false);
    };
    Ok(sqlx::query_scalar::<_, String>(LIVE_BASE_MANDATE_SQL)
        .bind(access.family_id())
        .bind(staff_id)
        .fetch_optional(db.pool())
        .await
        .map_err(internal)?
        .is_some())
}

/// Who may write the plan: a member, or the coach with a live base mandate.
/// Anyone else who can open the family only reads; to them the write target
/// does not exist.
async fn author(db: &Db, access: &FamilyAccess) -> Result<(&'static str, String), AppError> {
    if let Some(member_id) = access.member_id() {
        return Ok(("member", member_id.to_string()));
    }
    if is_coach_with_mandate(db, access).await? {
        return Ok(("staff", access.staff_id().unwrap_or_default().to_string()));
    }
    Err(AppError::NotFound)
}

fn check_text(text: &str) -> Result<String, AppError> {
    check_text_max(text, MAX_TEXT)
}

/// A trimmed, non-empty text of at most `max` characters.
pub(crate) fn check_text_max(text: &str, max: usize) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::bad("error-text-empty"));
    }
    if text.chars().count() > max {
        return Err(AppError::bad("error-text-too-long"));
    }
    // Control characters (NUL, which PostgreSQL refuses in a text, among
    // them) are never something a person typed; line breaks and tabs are.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::bad("error-bad-input"));
    }
    Ok(text.to_string())
}

fn check_domain(domain: &str) -> Result<(), AppError> {
    if DOMAINS.contains(&domain) {
        Ok(())
    } else {
        Err(AppError::bad("error-bad-input"))
    }
}

fn check_due(due: Option<&str>) -> Result<Option<String>, AppError> {
    match due.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => super::clock::parse_date(d)
            .map(|date| Some(super::clock::format_date(date)))
            .ok_or_else(|| AppError::bad("error-bad-date")),
    }
}

/// A new goal in a domain, in the family's own words.
pub async fn add_goal(
    db: &Db,
    access: &FamilyAccess,
    domain: &str,
    body: &str,
) -> Result<String, AppError> {
    check_domain(domain)?;
    let body = check_text(body)?;
    let (author_kind, author_id) = author(db, access).await?;
    insert_item(
        db,
        access,
        ItemKind::Goal,
        None,
        domain,
        &body,
        None,
        None,
        None,
        author_kind,
        &author_id,
    )
    .await
}

/// A new action under a goal the writer can see.
pub async fn add_action(
    db: &Db,
    access: &FamilyAccess,
    goal_id: &str,
    input: &ActionInput,
) -> Result<String, AppError> {
    let body = check_text(&input.body)?;
    if !WHO.contains(&input.who.as_str()) || !ACTION_STATUS.contains(&input.status.as_str()) {
        return Err(AppError::bad("error-bad-input"));
    }
    let due = check_due(input.due.as_deref())?;
    let (author_kind, author_id) = author(db, access).await?;
    let goal = visible_item(db, access, goal_id, ItemKind::Goal).await?;
    insert_item(
        db,
        access,
        ItemKind::Action,
        Some(&goal.id),
        &goal.domain,
        &body,
        Some(&input.who),
        due.as_deref(),
        Some(&input.status),
        author_kind,
        &author_id,
    )
    .await
}

/// A note in a domain, or under a goal the writer can see.
pub async fn add_note(
    db: &Db,
    access: &FamilyAccess,
    domain: &str,
    goal_id: Option<&str>,
    body: &str,
) -> Result<String, AppError> {
    let body = check_text(body)?;
    let (author_kind, author_id) = author(db, access).await?;
    let (goal, domain) = match goal_id {
        Some(goal_id) => {
            let goal = visible_item(db, access, goal_id, ItemKind::Goal).await?;
            (Some(goal.id), goal.domain)
        }
        None => {
            check_domain(domain)?;
            (None, domain.to_string())
        }
    };
    insert_item(
        db,
        access,
        ItemKind::Note,
        goal.as_deref(),
        &domain,
        &body,
        None,
        None,
        None,
        author_kind,
        &author_id,
    )
    .await
}

/// Changes where an action stands.
pub async fn set_action_status(
    db: &Db,
    access: &FamilyAccess,
    action_id: &str,
    status: &str,
) -> Result<(), AppError> {
    if !ACTION_STATUS.contains(&status) {
        return Err(AppError::bad("error-bad-input"));
    }
    author(db, access).await?;
    visible_item(db, access, action_id, ItemKind::Action).await?;
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "UPDATE plan_items SET status = $1, updated_at = $2 WHERE id = $3 AND family_id = $4",
    )
    .bind(status)
    .bind(access.now())
    .bind(action_id)
    .bind(access.family_id())
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    super::push::enqueue_plan_change(&mut tx, access, "action_status", Some(action_id)).await?;
    tx.commit().await.map_err(internal)
}

#[allow(clippy::too_many_arguments)]
async fn insert_item(
    db: &Db,
    access: &FamilyAccess,
    kind: ItemKind,
    goal_id: Option<&str>,
    domain: &str,
    body: &str,
    who: Option<&str>,
    due: Option<&str>,
    status: Option<&str>,
    author_kind: &str,
    author_id: &str,
) -> Result<String, AppError> {
    let id = new_id();
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "INSERT INTO plan_items (id, family_id, kind, goal_id, domain, body, who, due, status,
                                 only_us, author_kind, author_id, created_at, updated_at, lang)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $12,
                 COALESCE($13,
                          (SELECT language FROM members WHERE id = $11 AND $10 = 'member'),
                          (SELECT language FROM staff WHERE id = $11 AND $10 = 'staff')))",
    )
    .bind(&id)
    .bind(access.family_id())
    .bind(kind.as_str())
    .bind(goal_id)
    .bind(domain)
    .bind(body)
    .bind(who)
    .bind(due)
    .bind(status)
    .bind(author_kind)
    .bind(author_id)
    .bind(access.now())
    // The writer's language, unless the text's script says otherwise.
    .bind(crate::lang::Lang::by_script(body).map(|l| l.tag()))
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let event = format!("{}_added", kind.as_str());
    super::push::enqueue_plan_change(&mut tx, access, &event, Some(&id)).await?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// The plan header, for a reader already known to be a member or the coach.
pub(crate) async fn read_header(
    db: &Db,
    access: &FamilyAccess,
) -> Result<Option<PlanHeader>, AppError> {
    let row = sqlx::query(
        "SELECT intensity, next_evaluation, end_criteria, status, hold_reason, end_criteria_lang,
                hold_reason_lang
         FROM plans WHERE family_id = $1",
    )
    .bind(access.family_id())
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?;
    row.map(|r| {
        Ok(PlanHeader {
            intensity: r.try_get("intensity")?,
            next_evaluation: r.try_get("next_evaluation")?,
            end_criteria: r.try_get("end_criteria")?,
            status: r.try_get("status")?,
            hold_reason: r.try_get("hold_reason")?,
            end_criteria_lang: r.try_get("end_criteria_lang")?,
            hold_reason_lang: r.try_get("hold_reason_lang")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| internal(e))
}

/// Changes the header; by the family or its coach.
pub async fn set_header(
    db: &Db,
    access: &FamilyAccess,
    header: &PlanHeader,
) -> Result<(), AppError> {
    author(db, access).await?;
    let valid = ["low", "intensive"].contains(&header.intensity.as_str())
        && ["active", "on_hold", "ended"].contains(&header.status.as_str());
    if !valid
        || header.end_criteria.chars().count() > MAX_TEXT
        || header.hold_reason.chars().count() > MAX_TEXT
    {
        return Err(AppError::bad("error-bad-input"));
    }
    if header.status == "on_hold" && header.hold_reason.trim().is_empty() {
        return Err(AppError::bad("error-hold-needs-reason"));
    }
    let next = check_due(header.next_evaluation.as_deref())?;
    let mut tx = db.begin().await.map_err(internal)?;
    let before: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.next_evaluation, f.coach_id FROM plans p JOIN families f ON f.id = p.family_id
         WHERE p.family_id = $1",
    )
    .bind(access.family_id())
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    // A text that changed takes its writer's language; one that did not
    // keeps its own.
    let (kind, id) = match (access.member_id(), access.staff_id()) {
        (Some(m), _) => ("member", m),
        (None, Some(s)) => ("staff", s),
        (None, None) => return Err(AppError::Internal),
    };
    let writer: Option<String> = sqlx::query_scalar(
        "SELECT COALESCE((SELECT language FROM members WHERE id = $2 AND $1 = 'member'),
                         (SELECT language FROM staff WHERE id = $2 AND $1 = 'staff'))",
    )
    .bind(kind)
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query(
        "UPDATE plans SET intensity = $1, next_evaluation = $2, end_criteria = $3, status = $4,
                          hold_reason = $5, updated_at = $6,
                          end_criteria_lang = CASE WHEN end_criteria = $3 THEN end_criteria_lang
                                                   ELSE COALESCE($9, $8) END,
                          hold_reason_lang = CASE WHEN hold_reason = $5 THEN hold_reason_lang
                                                  ELSE COALESCE($10, $8) END
         WHERE family_id = $7",
    )
    .bind(&header.intensity)
    .bind(&next)
    .bind(header.end_criteria.trim())
    .bind(&header.status)
    .bind(header.hold_reason.trim())
    .bind(access.now())
    .bind(access.family_id())
    .bind(&writer)
    .bind(crate::lang::Lang::by_script(header.end_criteria.trim()).map(|l| l.tag()))
    .bind(crate::lang::Lang::by_script(header.hold_reason.trim()).map(|l| l.tag()))
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    super::push::enqueue_plan_change(&mut tx, access, "plan_header", None).await?;
    // A new evaluation day is a reminder in the thread with the coach, in
    // each reader's language.
    if let (Some(day), Some((was, Some(coach)))) = (next.as_deref(), before) {
        if was.as_deref() != Some(day) && day >= access.today() {
            let author = match (access.member_id(), access.staff_id()) {
                (Some(m), _) => ("member", m),
                (None, Some(s)) => ("staff", s),
                (None, None) => return Err(AppError::Internal),
            };
            super::messages::note_in_coach_thread(
                &mut tx,
                access.family_id(),
                &coach,
                author,
                "evaluation",
                None,
                &serde_json::json!({ "day": day }),
                access.now(),
            )
            .await?;
        }
    }
    tx.commit().await.map_err(internal)
}
