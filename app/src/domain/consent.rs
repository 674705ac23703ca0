//! The family's consents: the base mandate (accepting its coach), "only us"
//! on single items, and shares. Only a family member grants or withdraws
//! them; every change is kept (rows are never deleted) and logged.

use sqlx::Row;

use super::access::{internal, FamilyAccess};
use super::db::Db;
use super::ids::{looks_like_id, new_id};
use super::log;
use super::plan::DOMAINS;
use crate::error::AppError;
pub use crate::model::{Person, Recipient, Share, ShareScope};

fn member(access: &FamilyAccess) -> Result<&str, AppError> {
    access.member_id().ok_or(AppError::NotFound)
}

/// "I want to work with our coach": grants the base mandate to the family's
/// current coach. Granting twice keeps the one live mandate.
pub async fn accept_coach(db: &Db, access: &FamilyAccess) -> Result<(), AppError> {
    let member_id = member(access)?;
    let coach: Option<String> = sqlx::query_scalar("SELECT coach_id FROM families WHERE id = $1")
        .bind(access.family_id())
        .fetch_one(db.pool())
        .await
        .map_err(internal)?;
    let coach = coach.ok_or_else(|| AppError::Conflict("error-no-coach".into()))?;
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM base_mandates WHERE family_id = $1 AND coach_id = $2 AND withdrawn_at IS NULL",
    )
    .bind(access.family_id())
    .bind(&coach)
    .fetch_one(db.pool())
    .await
    .map_err(internal)?;
    if live > 0 {
        return Ok(());
    }
    let id = new_id();
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "INSERT INTO base_mandates (id, family_id, coach_id, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(access.family_id())
    .bind(&coach)
    .bind(member_id)
    .bind(access.now())
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    log::record_change(&mut tx, access, "base_mandate_granted", Some(&id)).await?;
    tx.commit().await.map_err(internal)
}

/// Withdraws the base mandate: the coach sees nothing of the family from the
/// next request on.
pub async fn withdraw_coach(db: &Db, access: &FamilyAccess) -> Result<(), AppError> {
    let member_id = member(access)?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM base_mandates WHERE family_id = $1 AND withdrawn_at IS NULL",
    )
    .bind(access.family_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let mut tx = db.begin().await.map_err(internal)?;
    for id in ids {
        sqlx::query(
            "UPDATE base_mandates SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 AND withdrawn_at IS NULL",
        )
        .bind(access.now())
        .bind(member_id)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        log::record_change(&mut tx, access, "base_mandate_withdrawn", Some(&id)).await?;
    }
    tx.commit().await.map_err(internal)
}

/// Whether the family's current coach holds a live base mandate.
pub async fn coach_accepted(db: &Db, access: &FamilyAccess) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM base_mandates b JOIN families f ON f.id = b.family_id
         WHERE b.family_id = $1 AND b.coach_id = f.coach_id AND b.withdrawn_at IS NULL",
    )
    .bind(access.family_id())
    .fetch_one(db.pool())
    .await
    .map_err(internal)?;
    Ok(n > 0)
}

/// Turns "only us" on or off for one item of the family. The item's
/// `updated_at` stays: it tells when its content changed, and a change in
/// who may see it must leave no trace for those who see it again.
pub async fn set_only_us(
    db: &Db,
    access: &FamilyAccess,
    item_id: &str,
    on: bool,
) -> Result<(), AppError> {
    member(access)?;
    let mut tx = db.begin().await.map_err(internal)?;
    let changed =
        sqlx::query("UPDATE plan_items SET only_us = $1 WHERE id = $2 AND family_id = $3")
            .bind(i64::from(on))
            .bind(item_id)
            .bind(access.family_id())
            .execute(&mut *tx)
            .await
            .map_err(internal)?
            .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    let event = if on { "item_hidden" } else { "item_unhidden" };
    log::record_change(&mut tx, access, event, Some(item_id)).await?;
    tx.commit().await.map_err(internal)
}

/// Shares an item or a domain with a recipient, for a purpose, until a day
/// (inclusive). Returns the share's id.
pub async fn share(
    db: &Db,
    access: &FamilyAccess,
    scope: &ShareScope,
    recipient: &Recipient,
    purpose: &str,
    until: &str,
) -> Result<String, AppError> {
    let member_id = member(access)?;
    let purpose = purpose.trim();
    if purpose.is_empty() || purpose.chars().count() > 500 {
        return Err(AppError::bad("error-share-purpose"));
    }
    let until = super::clock::parse_date(until)
        .map(super::clock::format_date)
        .ok_or_else(|| AppError::bad("error-bad-date"))?;
    if until.as_str() < access.today() {
        return Err(AppError::bad("error-date-past"));
    }
    let (item_id, domain) = match scope {
        ShareScope::Item(id) => {
            let exists: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM plan_items WHERE id = $1 AND family_id = $2",
            )
            .bind(id)
            .bind(access.family_id())
            .fetch_one(db.pool())
            .await
            .map_err(internal)?;
            if exists == 0 {
                return Err(AppError::NotFound);
            }
            (Some(id.clone()), None)
        }
        ShareScope::Domain(d) if DOMAINS.contains(&d.as_str()) => (None, Some(d.clone())),
        ShareScope::Domain(_) => return Err(AppError::bad("error-bad-input")),
    };
    let (kind, staff, org) = match recipient {
        Recipient::Person(id) => {
            if !looks_like_id(id)
                || !exists(
                    db,
                    "SELECT COUNT(*) FROM staff WHERE id = $1 AND disabled_at IS NULL
                       AND role <> 'coordinator'",
                    id,
                )
                .await?
            {
                return Err(AppError::bad("error-unknown-recipient"));
            }
            ("person", Some(id.clone()), None)
        }
        Recipient::OurVolunteer => ("volunteer", None, None),
        Recipient::Organisation(id) => {
            if !exists(db, "SELECT COUNT(*) FROM organisations WHERE id = $1", id).await? {
                return Err(AppError::bad("error-unknown-recipient"));
            }
            ("organisation", None, Some(id.clone()))
        }
    };
    let id = new_id();
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "INSERT INTO shares (id, family_id, item_id, domain, recipient_kind, recipient_staff_id,
                             recipient_org_id, purpose, until, granted_by, granted_at,
                             purpose_for_recipient)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
    )
    .bind(&id)
    .bind(access.family_id())
    .bind(item_id)
    .bind(domain)
    .bind(kind)
    .bind(staff)
    .bind(org)
    .bind(purpose)
    .bind(&until)
    .bind(member_id)
    .bind(access.now())
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    log::record_change(&mut tx, access, "share_granted", Some(&id)).await?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// Whether `count_sql` (a `SELECT COUNT(*) … WHERE id = $1`) finds `id`.
async fn exists(db: &Db, count_sql: &str, id: &str) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(count_sql)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .map_err(internal)?;
    Ok(n > 0)
}

/// Withdraws a share; it stops counting on the next request.
pub async fn withdraw_share(
    db: &Db,
    access: &FamilyAccess,
    share_id: &str,
) -> Result<(), AppError> {
    let member_id = member(access)?;
    let mut tx = db.begin().await.map_err(internal)?;
    let changed = sqlx::query(
        "UPDATE shares SET withdrawn_at = $1, withdrawn_by = $2
         WHERE id = $3 AND family_id = $4 AND withdrawn_at IS NULL",
    )
    .bind(access.now())
    .bind(member_id)
    .bind(share_id)
    .bind(access.family_id())
    .execute(&mut *tx)
    .await
    .map_err(internal)?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    log::record_change(&mut tx, access, "share_withdrawn", Some(share_id)).await?;
    tx.commit().await.map_err(internal)
}

/// Every share the family ever made, newest first (members only).
pub async fn shares(db: &Db, access: &FamilyAccess) -> Result<Vec<Share>, AppError> {
    member(access)?;
    let rows = sqlx::query(
        "SELECT id, item_id, domain, recipient_kind, recipient_staff_id, recipient_org_id, purpose,
                until, granted_by, granted_at, withdrawn_at
         FROM shares WHERE family_id = $1 ORDER BY granted_at DESC, id",
    )
    .bind(access.family_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(|r| {
            let item: Option<String> = r.try_get("item_id")?;
            let domain: Option<String> = r.try_get("domain")?;
            let kind: String = r.try_get("recipient_kind")?;
            let staff: Option<String> = r.try_get("recipient_staff_id")?;
            let org: Option<String> = r.try_get("recipient_org_id")?;
            let until: String = r.try_get("until")?;
            let withdrawn_at: Option<i64> = r.try_get("withdrawn_at")?;
            Ok(Share {
                id: r.try_get("id")?,
                scope: match item {
                    Some(i) => ShareScope::Item(i),
                    None => ShareScope::Domain(domain.unwrap_or_default()),
                },
                recipient: match kind.as_str() {
                    "person" => Recipient::Person(staff.unwrap_or_default()),
                    "organisation" => Recipient::Organisation(org.unwrap_or_default()),
                    _ => Recipient::OurVolunteer,
                },
                purpose: r.try_get("purpose")?,
                live: withdrawn_at.is_none() && until.as_str() >= access.today(),
                until,
                granted_by: r.try_get("granted_by")?,
                granted_at: r.try_get("granted_at")?,
                withdrawn_at,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// What the family shares with the staff member reading it, what for and
/// until when, live, soonest end first: whole domains, and single items the
/// reader sees now (`seen`, from the access layer), so a share that "only
/// us" holds back is not hinted at, nor its purpose. Who a share reaches is the access layer's rule
/// (`SHARES_TO_READER_SQL`).
pub async fn shared_with_me(
    db: &Db,
    access: &FamilyAccess,
    seen: &[crate::model::PlanItem],
) -> Result<Vec<crate::model::SharedWithMe>, AppError> {
    if access.staff_id().is_none() {
        return Ok(Vec::new());
    }
    let rows = access
        .reader_rows(db, super::access::ReaderQuery::SharesToReader)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let item_id: Option<String> = r.try_get("item_id").map_err(internal)?;
        let item_body = match &item_id {
            None => None,
            Some(id) => match seen.iter().find(|i| &i.id == id) {
                Some(i) => Some(i.body.clone()),
                None => continue,
            },
        };
        out.push(crate::model::SharedWithMe {
            domain: r.try_get("domain").map_err(internal)?,
            item_id,
            item_body,
            purpose: r.try_get("purpose").map_err(internal)?,
            until: r.try_get("until").map_err(internal)?,
        });
    }
    Ok(out)
}

/// Everyone this family ever shared with by name, closed accounts
/// included: their names stay in the family's history (members only).
pub async fn named_recipients(db: &Db, access: &FamilyAccess) -> Result<Vec<Person>, AppError> {
    member(access)?;
    let rows = sqlx::query(
        "SELECT DISTINCT s.id, s.display_name, s.role, o.name AS org_name
         FROM shares sh JOIN staff s ON s.id = sh.recipient_staff_id
         JOIN organisations o ON o.id = s.org_id
         WHERE sh.family_id = $1",
    )
    .bind(access.family_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    rows.iter()
        .map(super::overview::person_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(internal)
}

/// "What will they see?": the items `recipient` would see if the family
/// shared `scope` with them now. It runs the real consent query inside a
/// transaction holding the would-be share, then rolls back: the preview
/// and the real thing cannot disagree, and nothing is written or logged.
pub async fn preview(
    db: &Db,
    access: &FamilyAccess,
    scope: &ShareScope,
    recipient: &Recipient,
) -> Result<Vec<super::plan::PlanItem>, AppError> {
    let member_id = member(access)?;
    let (item_id, domain) = match scope {
        ShareScope::Item(id) => (Some(id.clone()), None),
        ShareScope::Domain(d) if DOMAINS.contains(&d.as_str()) => (None, Some(d.clone())),
        ShareScope::Domain(_) => return Err(AppError::bad("error-bad-input")),
    };
    if let Some(id) = &item_id {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM plan_items WHERE id = $1 AND family_id = $2")
                .bind(id)
                .bind(access.family_id())
                .fetch_one(db.pool())
                .await
                .map_err(internal)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
    }
    let (kind, staff_id, org_id, person, org) = match recipient {
        Recipient::OurVolunteer => {
            let volunteer: Option<String> =
                sqlx::query_scalar("SELECT volunteer_id FROM families WHERE id = $1")
                    .bind(access.family_id())
                    .fetch_one(db.pool())
                    .await
                    .map_err(internal)?;
            let Some(v) = volunteer else {
                return Ok(Vec::new());
            };
            let org: String = sqlx::query_scalar("SELECT org_id FROM staff WHERE id = $1")
                .bind(&v)
                .fetch_one(db.pool())
                .await
                .map_err(internal)?;
            ("volunteer", v, org, None, None)
        }
        Recipient::Person(id) => {
            let org: Option<String> = sqlx::query_scalar(
                "SELECT org_id FROM staff WHERE id = $1 AND disabled_at IS NULL",
            )
            .bind(id)
            .fetch_optional(db.pool())
            .await
            .map_err(internal)?;
            let org = org.ok_or_else(|| AppError::bad("error-unknown-recipient"))?;
            ("person", id.clone(), org, Some(id.clone()), None)
        }
        Recipient::Organisation(id) => {
            if !exists(db, "SELECT COUNT(*) FROM organisations WHERE id = $1", id).await? {
                return Err(AppError::bad("error-unknown-recipient"));
            }
            (
                "organisation",
                String::new(),
                id.clone(),
                None,
                Some(id.clone()),
            )
        }
    };
    let mut tx = db.begin().await.map_err(internal)?;
    sqlx::query(
        "INSERT INTO shares (id, family_id, item_id, domain, recipient_kind, recipient_staff_id,
                             recipient_org_id, purpose, until, granted_by, granted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'preview', '9999-12-31', $8, $9)",
    )
    .bind(new_id())
    .bind(access.family_id())
    .bind(item_id)
    .bind(domain)
    .bind(kind)
    .bind(person)
    .bind(org)
    .bind(member_id)
    .bind(access.now())
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let rows = sqlx::query(super::access::VISIBLE_ITEMS_SQL)
        .bind(access.family_id())
        .bind(&staff_id)
        .bind(&org_id)
        .bind(access.today())
        .fetch_all(&mut *tx)
        .await
        .map_err(internal)?;
    tx.rollback().await.map_err(internal)?;
    super::plan::to_items(&rows)
}

/// A live share that covers an item or touches a domain, as "Who can see
/// this?" lists it.
pub struct CoveringShare {
    pub share: Share,
    /// "Only us" on the shared item (or its goal) holds it back for now;
    /// it counts again when "only us" is turned off, if still live.
    pub paused: bool,
    /// For a share of a single item listed on its domain's page: the item.
    pub item_body: Option<String>,
}

/// Who outside the family can see an item or a whole domain right now, and
/// under which consent ("Who can see this?"). For members only. Every live
/// share is listed, also one that "only us" pauses: the family must always
/// be able to find, and withdraw, what it shared.
pub struct Visibility {
    /// The item, when the question is about one.
    pub item: Option<super::plan::PlanItem>,
    /// The item is hidden because its goal is "only us".
    pub hidden_by_goal: bool,
    pub domain: String,
    /// The coach sees it under the base mandate.
    pub coach_sees: bool,
    /// The live shares that cover it (for a domain: the domain's shares and
    /// those of single items in it), paused ones included.
    pub shares: Vec<CoveringShare>,
    /// The shares that covered it and ended (taken back, or past their end
    /// day), newest first: they stay in the family's history.
    pub ended: Vec<CoveringShare>,
}

pub async fn visibility(
    db: &Db,
    access: &FamilyAccess,
    scope: &ShareScope,
) -> Result<Visibility, AppError> {
    use std::collections::HashMap;
    member(access)?;
    let items = super::plan::items(db, access).await?;
    let by_id: HashMap<&str, &super::plan::PlanItem> =
        items.iter().map(|i| (i.id.as_str(), i)).collect();
    // Whether "only us" holds an item back: on the item or on its goal.
    let hidden = |id: &str| {
        by_id.get(id).is_some_and(|i| {
            i.only_us
                || i.goal_id
                    .as_deref()
                    .and_then(|g| by_id.get(g))
                    .is_some_and(|g| g.only_us)
        })
    };
    let (item, domain) = match scope {
        ShareScope::Item(id) => {
            let item = by_id.get(id.as_str()).map(|i| (*i).clone());
            let item = item.ok_or(AppError::NotFound)?;
            let domain = item.domain.clone();
            (Some(item), domain)
        }
        ShareScope::Domain(d) if DOMAINS.contains(&d.as_str()) => (None, d.clone()),
        ShareScope::Domain(_) => return Err(AppError::NotFound),
    };
    let hidden_by_goal = item
        .as_ref()
        .and_then(|i| i.goal_id.as_deref())
        .and_then(|g| by_id.get(g))
        .is_some_and(|g| g.only_us);
    let item_hidden = item.as_ref().is_some_and(|i| hidden(&i.id));
    let (shares, ended): (Vec<CoveringShare>, Vec<CoveringShare>) = shares(db, access)
        .await?
        .into_iter()
        .filter_map(|s| {
            let covering = match (&s.scope, &item) {
                (ShareScope::Item(id), Some(i)) => {
                    (id == &i.id || Some(id) == i.goal_id.as_ref()).then_some(item_hidden)
                }
                (ShareScope::Domain(d), Some(_)) => (d == &domain).then_some(item_hidden),
                (ShareScope::Domain(d), None) => (d == &domain).then_some(false),
                (ShareScope::Item(id), None) => by_id
                    .get(id.as_str())
                    .filter(|i| i.domain == domain)
                    .map(|_| hidden(id)),
            };
            let item_body = match (&s.scope, &item) {
                (ShareScope::Item(id), None) => by_id.get(id.as_str()).map(|i| i.body.clone()),
                _ => None,
            };
            covering.map(|paused| CoveringShare {
                paused: paused && s.live,
                share: s,
                item_body,
            })
        })
        .partition(|c| c.share.live);
    Ok(Visibility {
        coach_sees: !item_hidden && coach_accepted(db, access).await?,
        item,
        hidden_by_goal,
        domain,
        shares,
        ended,
    })
}
