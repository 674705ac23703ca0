//! The access layer: the only code that decides who may read or change a
//! family's data. It hands out two kinds of proof, both constructible only
//! here: a `Caller` (who is asking, resolved from the store for this one
//! request) and a `FamilyAccess` (this caller may open this family). Every
//! storage function that touches family data takes a `FamilyAccess`, and the
//! consent check itself is inside each query (see `VISIBLE_ITEMS_SQL`), so an
//! unconsented row never leaves the database. Nothing here is cached beyond
//! one request.

use sqlx::Row;

use super::db::Db;
use crate::error::AppError;
use crate::lang::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StaffRole {
    Coach,
    Volunteer,
    Partner,
    /// Leads a team of coaches: sees how many families each carries, never
    /// a family's name or content, and no share ever reaches them.
    Coordinator,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Coach => "coach",
            StaffRole::Volunteer => "volunteer",
            StaffRole::Partner => "partner",
            StaffRole::Coordinator => "coordinator",
        }
    }

    pub fn parse(s: &str) -> Option<StaffRole> {
        match s {
            "coach" => Some(StaffRole::Coach),
            "volunteer" => Some(StaffRole::Volunteer),
            "partner" => Some(StaffRole::Partner),
            "coordinator" => Some(StaffRole::Coordinator),
            _ => None,
        }
    }
}

/// A signed-in member of a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCaller {
    member_id: String,
    family_id: String,
    /// False while the member waits for the family's yes (someone outside
    /// the household invited them): they see nothing of the family yet.
    confirmed: bool,
}

/// A signed-in staff account: coach, volunteer or partner worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffCaller {
    staff_id: String,
    org_id: String,
    role: StaffRole,
}

/// Who is calling. Built only by this module, from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Member(MemberCaller),
    Staff(StaffCaller),
}

impl MemberCaller {
    pub fn member_id(&self) -> &str {
        &self.member_id
    }
    pub fn family_id(&self) -> &str {
        &self.family_id
    }
    pub fn is_confirmed(&self) -> bool {
        self.confirmed
    }
}

impl StaffCaller {
    pub fn staff_id(&self) -> &str {
        &self.staff_id
    }
    pub fn org_id(&self) -> &str {
        &self.org_id
    }
    pub fn role(&self) -> StaffRole {
        self.role
    }
}

impl Caller {
    /// The caller for a member account, read from the store.
    pub async fn member(db: &Db, member_id: &str) -> Result<Caller, AppError> {
        Ok(Self::with_language(db, "member", member_id)
            .await?
            .ok_or(AppError::SignedOut)?
            .0)
    }

    /// The caller for a staff account, read from the store.
    pub async fn staff(db: &Db, staff_id: &str) -> Result<Caller, AppError> {
        Ok(Self::with_language(db, "staff", staff_id)
            .await?
            .ok_or(AppError::SignedOut)?
            .0)
    }

    /// The account behind a session subject (`member` or `staff`), with the
    /// language it chose; `None` when the account no longer exists (or the
    /// family refused or removed the member).
    pub async fn with_language(
        db: &Db,
        kind: &str,
        id: &str,
    ) -> Result<Option<(Caller, Lang)>, AppError> {
        let sql = match kind {
            "member" => {
                "SELECT family_id AS a, CASE WHEN confirmed_at IS NULL THEN 'waiting' ELSE '' END AS b,
                        language FROM members WHERE id = $1 AND refused_at IS NULL AND removed_at IS NULL"
            }
            "staff" => {
                "SELECT org_id AS a, role AS b, language FROM staff
                 WHERE id = $1 AND disabled_at IS NULL"
            }
            _ => return Ok(None),
        };
        let Some(row) = sqlx::query(sql)
            .bind(id)
            .fetch_optional(db.pool())
            .await
            .map_err(internal)?
        else {
            return Ok(None);
        };
        let a: String = row.try_get("a").map_err(internal)?;
        let b: String = row.try_get("b").map_err(internal)?;
        let lang: String = row.try_get("language").map_err(internal)?;
        let lang = Lang::from_tag(&lang).unwrap_or(Lang::NlBe);
        let caller = if kind == "member" {
            Caller::Member(MemberCaller {
                member_id: id.to_string(),
                family_id: a,
                confirmed: b.is_empty(),
            })
        } else {
            Caller::Staff(StaffCaller {
                staff_id: id.to_string(),
                org_id: a,
                role: StaffRole::parse(&b).ok_or(AppError::Internal)?,
            })
        };
        Ok(Some((caller, lang)))
    }

    pub fn as_member(&self) -> Option<&MemberCaller> {
        match self {
            Caller::Member(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_staff(&self) -> Option<&StaffCaller> {
        match self {
            Caller::Staff(s) => Some(s),
            _ => None,
        }
    }
}

/// Who reads, inside a `FamilyAccess`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reader {
    Member { member_id: String },
    Staff { staff_id: String, org_id: String },
}

/// Proof that the caller may open this family: a member of it, its coach
/// with a live base mandate, or someone with at least one live share. What
/// exactly they see is decided again, in SQL, by every query that takes it.
#[derive(Debug, Clone)]
pub struct FamilyAccess {
    family_id: String,
    reader: Reader,
    today: String,
    now: i64,
    /// The reader was the family's coach with a live base mandate when the
    /// family was opened (found by the same query as the proof). A page
    /// read in this request relies on it; a write checks again.
    coach_at_open: bool,
}

impl FamilyAccess {
    pub fn family_id(&self) -> &str {
        &self.family_id
    }

    pub(crate) fn reader(&self) -> &Reader {
        &self.reader
    }

    pub fn today(&self) -> &str {
        &self.today
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    /// Whether the reader was the family's coach with a live base mandate
    /// when this family was opened. For reading one page; writes use
    /// `plan::is_coach_with_mandate`, which asks the store again.
    pub(crate) fn coach_at_open(&self) -> bool {
        self.coach_at_open
    }

    /// The member id when a family member reads.
    pub fn member_id(&self) -> Option<&str> {
        match &self.reader {
            Reader::Member { member_id } => Some(member_id),
            Reader::Staff { .. } => None,
        }
    }

    /// The staff id when someone outside the family reads.
    pub fn staff_id(&self) -> Option<&str> {
        match &self.reader {
            Reader::Staff { staff_id, .. } => Some(staff_id),
            Reader::Member { .. } => None,
        }
    }

    /// Runs one of this layer's queries for the reader: `VISIBLE_ITEMS_SQL`
    /// or `SHARES_TO_READER_SQL`, which bind $1 family, $2 the reader's id,
    /// $3 their organisation ('' for members), $4 today.
    pub(crate) async fn reader_rows(
        &self,
        db: &Db,
        sql: ReaderQuery,
    ) -> Result<Vec<sqlx::any::AnyRow>, AppError> {
        let (id, org) = match &self.reader {
            Reader::Member { member_id } => (member_id.as_str(), ""),
            Reader::Staff { staff_id, org_id } => (staff_id.as_str(), org_id.as_str()),
        };
        let sql = match sql {
            ReaderQuery::VisibleItems => VISIBLE_ITEMS_SQL,
            ReaderQuery::SharesToReader => SHARES_TO_READER_SQL,
        };
        sqlx::query(sql)
            .bind(&self.family_id)
            .bind(id)
            .bind(org)
            .bind(self.today())
            .fetch_all(db.pool())
            .await
            .map_err(internal)
    }

    /// Opens `family_id` for `caller` at `now`, or answers `NotFound` (the
    /// same answer as for an id that does not exist).
    pub async fn open(
        db: &Db,
        caller: &Caller,
        family_id: &str,
        now: i64,
    ) -> Result<FamilyAccess, AppError> {
        let today = super::clock::belgian_date(now);
        match caller {
            Caller::Anonymous => Err(AppError::SignedOut),
            Caller::Member(m) if m.family_id == family_id && !m.confirmed => Err(AppError::Waiting),
            Caller::Member(m) if m.family_id == family_id => Ok(FamilyAccess {
                family_id: family_id.to_string(),
                reader: Reader::Member {
                    member_id: m.member_id.clone(),
                },
                today,
                now,
                coach_at_open: false,
            }),
            Caller::Member(_) => Err(AppError::NotFound),
            // A coordinator sees no family content: no family opens for
            // them, whatever was shared with their organisation.
            Caller::Staff(s) if s.role == StaffRole::Coordinator => Err(AppError::NotFound),
            Caller::Staff(s) => {
                let opens = sqlx::query_scalar::<_, i64>(STAFF_MAY_OPEN_SQL)
                    .bind(family_id)
                    .bind(&s.staff_id)
                    .bind(&s.org_id)
                    .bind(&today)
                    .fetch_optional(db.pool())
                    .await
                    .map_err(internal)?
                    .unwrap_or(0);
                if opens == 0 {
                    return Err(AppError::NotFound);
                }
                Ok(FamilyAccess {
                    family_id: family_id.to_string(),
                    reader: Reader::Staff {
                        staff_id: s.staff_id.clone(),
                        org_id: s.org_id.clone(),
                    },
                    today,
                    now,
                    coach_at_open: opens == 1,
                })
            }
        }
    }
}

/// The live base mandate of the family's current coach, if `$2` is that coach.
/// Binds: $1 family, $2 staff id.
pub(crate) const LIVE_BASE_MANDATE_SQL: &str = "
    SELECT b.id FROM base_mandates b JOIN families f ON f.id = b.family_id
    WHERE b.family_id = $1 AND f.coach_id = $2 AND b.coach_id = $2
      AND b.withdrawn_at IS NULL
    ORDER BY b.granted_at, b.id LIMIT 1";

/// Whether a staff member may open a family at all: for a family that
/// exists, 1 when they are its coach with a live base mandate, 2 when a
/// live share reaches them, 0 when neither (they may not open it).
/// Binds: $1 family, $2 staff id, $3 staff org, $4 today.
const STAFF_MAY_OPEN_SQL: &str = "
    SELECT CASE
      WHEN EXISTS (SELECT 1 FROM base_mandates b
              WHERE b.family_id = f.id AND f.coach_id = $2 AND b.coach_id = $2
                AND b.withdrawn_at IS NULL) THEN 1
      WHEN EXISTS (SELECT 1 FROM shares s
              WHERE s.family_id = f.id AND s.withdrawn_at IS NULL AND s.until >= $4
                AND ((s.recipient_kind = 'person' AND s.recipient_staff_id = $2)
                  OR (s.recipient_kind = 'volunteer' AND f.volunteer_id = $2)
                  OR (s.recipient_kind = 'organisation' AND s.recipient_org_id = $3))) THEN 2
      ELSE 0 END
    FROM families f WHERE f.id = $1";

/// The plan items a reader outside the family may see, each with the consent
/// it is seen under. "Only us" on the item or on its goal overrides every
/// consent; otherwise the coach's live base mandate, or a live share of the
/// item, of its goal or of its domain, to this person, to the family's
/// volunteer when that is them, or to their organisation. The parts that do
/// not depend on the item refer to `$1`, not to the row, so both engines
/// compute them once per query instead of once per item; and the shares are
/// looked up only for items the base mandate does not already cover (the
/// mandate is the consent reported first, so the result is the same).
/// Binds: $1 family, $2 staff id, $3 staff org, $4 today.
pub(crate) const VISIBLE_ITEMS_SQL: &str = "
    SELECT * FROM (
      SELECT x.*,
        CASE WHEN x.via_mandate IS NULL THEN
          (SELECT s.id FROM shares s
            WHERE s.family_id = $1 AND s.withdrawn_at IS NULL AND s.until >= $4
              AND (s.item_id = x.id OR s.item_id = x.goal_id OR s.domain = x.domain)
              AND ((s.recipient_kind = 'person' AND s.recipient_staff_id = $2)
                OR (s.recipient_kind = 'volunteer'
                    AND $2 = (SELECT f.volunteer_id FROM families f WHERE f.id = $1))
                OR (s.recipient_kind = 'organisation' AND s.recipient_org_id = $3))
            ORDER BY s.granted_at, s.id LIMIT 1)
        END AS via_share
      FROM (
        SELECT i.id, i.kind, i.goal_id, i.domain, i.body, i.who, i.due, i.status,
               i.only_us, i.author_kind, i.author_id, i.created_at, i.updated_at, i.lang,
          (SELECT b.id FROM base_mandates b JOIN families f ON f.id = b.family_id
            WHERE b.family_id = $1 AND f.coach_id = $2 AND b.coach_id = $2
              AND b.withdrawn_at IS NULL
            ORDER BY b.granted_at, b.id LIMIT 1) AS via_mandate
        FROM plan_items i LEFT JOIN plan_items g ON g.id = i.goal_id
        WHERE i.family_id = $1 AND i.only_us = 0 AND COALESCE(g.only_us, 0) = 0
      ) x
    ) v
    WHERE v.via_mandate IS NOT NULL OR v.via_share IS NOT NULL
    ORDER BY v.created_at, v.id";

/// The same columns for a family member: everything, no filter.
/// Binds: $1 family.
pub(crate) const ALL_ITEMS_SQL: &str = "
    SELECT i.id, i.kind, i.goal_id, i.domain, i.body, i.who, i.due, i.status,
           i.only_us, i.author_kind, i.author_id, i.created_at, i.updated_at, i.lang,
           NULL AS via_mandate, NULL AS via_share
    FROM plan_items i WHERE i.family_id = $1
    ORDER BY i.created_at, i.id";

/// The live shares of a family that reach a staff reader: the same reach
/// as in `STAFF_MAY_OPEN_SQL` and `VISIBLE_ITEMS_SQL`, soonest end first.
/// Binds: $1 family, $2 staff id, $3 staff org, $4 today.
const SHARES_TO_READER_SQL: &str = "
    SELECT s.item_id, s.domain, s.until,
           CASE WHEN s.purpose_for_recipient = 1 THEN s.purpose ELSE '' END AS purpose
    FROM shares s JOIN families f ON f.id = s.family_id
    WHERE s.family_id = $1 AND s.withdrawn_at IS NULL AND s.until >= $4
      AND ((s.recipient_kind = 'person' AND s.recipient_staff_id = $2)
        OR (s.recipient_kind = 'volunteer' AND f.volunteer_id = $2)
        OR (s.recipient_kind = 'organisation' AND s.recipient_org_id = $3))
    ORDER BY s.until, s.id";

/// The reader queries `FamilyAccess::reader_rows` runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ReaderQuery {
    VisibleItems,
    SharesToReader,
}

// Threads (messages): who may read and write in a conversation between a
// family and one person of staff. Nothing here goes through
// `FamilyAccess::open`: a volunteer talks without seeing any plan item,
// and a share gives nobody a thread.

/// The condition under which a thread's staff side may read it, for a
/// thread `t` joined with its family `f`: the family's coach now with a
/// live base mandate (a coach thread), or its volunteer now with the
/// family's live yes to talking with them (a volunteer thread).
macro_rules! thread_live {
    () => {
        "((t.role = 'coach' AND f.coach_id = t.staff_id
             AND EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = t.family_id
                           AND b.coach_id = t.staff_id AND b.withdrawn_at IS NULL))
          OR (t.role = 'volunteer' AND f.volunteer_id = t.staff_id
             AND EXISTS (SELECT 1 FROM talk_consents c WHERE c.family_id = t.family_id
                           AND c.staff_id = t.staff_id AND c.withdrawn_at IS NULL)))"
    };
}

/// The condition under which staff see message `m` of a thread they may
/// read: a message about a mandate question (`about_id`) only while the
/// question's action is one they see, that is not "only us" (a thread's
/// coach has a live base mandate, so that is the whole check). The family
/// sees every message.
macro_rules! message_shown_to_staff {
    () => {
        "(m.about_id IS NULL OR EXISTS (SELECT 1 FROM mandates q
             JOIN plan_items i ON i.id = q.action_id LEFT JOIN plan_items g ON g.id = i.goal_id
             WHERE q.id = m.about_id AND i.only_us = 0 AND COALESCE(g.only_us, 0) = 0))"
    };
}

/// A thread's newest messages, oldest first, as the reader may see them,
/// with the writer's name. Binds: $1 thread, $2 reader kind, $3 how many.
const THREAD_MESSAGES_SQL: &str = concat!(
    "SELECT * FROM (
       SELECT m.id, m.seq, m.author_kind, m.author_id, m.kind, m.body, m.args, m.lang,
              m.about_id, m.created_at, m.deleted_at,
              COALESCE(mb.display_name, s.display_name, '') AS author
       FROM messages m
       LEFT JOIN members mb ON m.author_kind = 'member' AND mb.id = m.author_id
       LEFT JOIN staff s ON m.author_kind = 'staff' AND s.id = m.author_id
       WHERE m.thread_id = $1 AND ($2 = 'member' OR ",
    message_shown_to_staff!(),
    ")
       ORDER BY m.seq DESC LIMIT $3) x
     ORDER BY x.seq"
);

/// A thread, if this reader may read it: any member of its family who is
/// in (confirmed, not refused or removed), or its staff side while
/// `thread_live!` holds (and their account is not disabled). `live` says
/// whether the staff side may read it now (the family writes only then).
/// Binds: $1 thread, $2 reader kind (`member` or `staff`), $3 reader id.
pub(crate) const THREAD_READER_SQL: &str = concat!(
    "SELECT t.id, t.family_id, t.role, t.staff_id, t.last_seq, f.display_name AS family_name,
            s.display_name AS staff_name,
            CASE WHEN ",
    thread_live!(),
    " THEN 1 ELSE 0 END AS live
     FROM threads t JOIN families f ON f.id = t.family_id JOIN staff s ON s.id = t.staff_id
     WHERE t.id = $1 AND (
       ($2 = 'member' AND EXISTS (SELECT 1 FROM members m WHERE m.id = $3
            AND m.family_id = t.family_id AND m.confirmed_at IS NOT NULL
            AND m.refused_at IS NULL AND m.removed_at IS NULL))
       OR ($2 = 'staff' AND t.staff_id = $3 AND s.disabled_at IS NULL AND ",
    thread_live!(),
    "))"
);

/// The threads a staff member may read now, with the family's name and how
/// many messages of others they have not read. Binds: $1 staff id.
const THREADS_OF_STAFF_SQL: &str = concat!(
    "SELECT t.id, t.family_id, t.role, t.staff_id, t.last_seq, f.display_name AS family_name,
            s.display_name AS staff_name, 1 AS live,
            (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id
               AND m.seq > COALESCE(r.seq, 0) AND m.deleted_at IS NULL
               AND NOT (m.author_kind = 'staff' AND m.author_id = $1)
               AND ",
    message_shown_to_staff!(),
    ") AS unread
     FROM threads t JOIN families f ON f.id = t.family_id JOIN staff s ON s.id = t.staff_id
     LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.reader_kind = 'staff' AND r.reader_id = $1
     WHERE t.staff_id = $1 AND s.disabled_at IS NULL AND ",
    thread_live!(),
    "
     ORDER BY t.last_seq = 0, f.display_name, t.id"
);

/// The threads of a member's family, with the staff side's name, whether
/// it is live and how many messages of others the member has not read.
/// Binds: $1 member id.
const THREADS_OF_MEMBER_SQL: &str = concat!(
    "SELECT t.id, t.family_id, t.role, t.staff_id, t.last_seq, f.display_name AS family_name,
            s.display_name AS staff_name,
            CASE WHEN ", thread_live!(), " THEN 1 ELSE 0 END AS live,
            (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id
               AND m.seq > COALESCE(r.seq, 0) AND m.deleted_at IS NULL
               AND NOT (m.author_kind = 'member' AND m.author_id = $1)) AS unread
     FROM members me JOIN threads t ON t.family_id = me.family_id
     JOIN families f ON f.id = t.family_id JOIN staff s ON s.id = t.staff_id
     LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.reader_kind = 'member' AND r.reader_id = $1
     WHERE me.id = $1 AND me.confirmed_at IS NOT NULL
       AND me.refused_at IS NULL AND me.removed_at IS NULL
     ORDER BY live DESC, t.last_seq DESC, t.id"
);

/// The conversations a family may have now and that have no thread row
/// yet: its coach with a live base mandate, its volunteer with a live
/// talk consent (rows are made on first sight; a row grants nothing).
/// Binds: $1 family.
const THREADS_DUE_SQL: &str = "
    SELECT 'coach' AS role, f.coach_id AS staff_id FROM families f
     WHERE f.id = $1 AND f.coach_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                     AND b.coach_id = f.coach_id AND b.withdrawn_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.family_id = f.id
                     AND t.role = 'coach' AND t.staff_id = f.coach_id)
    UNION ALL
    SELECT 'volunteer', f.volunteer_id FROM families f
     WHERE f.id = $1 AND f.volunteer_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM talk_consents c WHERE c.family_id = f.id
                     AND c.staff_id = f.volunteer_id AND c.withdrawn_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.family_id = f.id
                     AND t.role = 'volunteer' AND t.staff_id = f.volunteer_id)";

/// The families where a staff member may talk now (as above, from their
/// side). Binds: $1 staff id.
const TALKING_FAMILIES_SQL: &str = "
    SELECT f.id FROM families f JOIN staff s ON s.id = $1 AND s.disabled_at IS NULL
     WHERE (f.coach_id = $1 AND EXISTS (SELECT 1 FROM base_mandates b WHERE b.family_id = f.id
                     AND b.coach_id = $1 AND b.withdrawn_at IS NULL))
        OR (f.volunteer_id = $1 AND EXISTS (SELECT 1 FROM talk_consents c WHERE c.family_id = f.id
                     AND c.staff_id = $1 AND c.withdrawn_at IS NULL))
     ORDER BY f.id";

/// Proof that the caller may read one thread (`THREAD_READER_SQL`), built
/// only here, for one request.
#[derive(Debug, Clone)]
pub struct ThreadAccess {
    thread_id: String,
    family_id: String,
    role: String,
    staff_id: String,
    family_name: String,
    staff_name: String,
    last_seq: i64,
    live: bool,
    reader_kind: &'static str,
    reader_id: String,
    now: i64,
}

impl ThreadAccess {
    /// Opens thread `thread_id` for `caller`, or answers `NotFound` (the
    /// same as for an id that does not exist).
    pub async fn open(
        db: &Db,
        caller: &Caller,
        thread_id: &str,
        now: i64,
    ) -> Result<ThreadAccess, AppError> {
        let (reader_kind, reader_id) = match caller {
            Caller::Anonymous => return Err(AppError::SignedOut),
            Caller::Member(m) if !m.confirmed => return Err(AppError::Waiting),
            Caller::Member(m) => ("member", m.member_id.clone()),
            Caller::Staff(s) => ("staff", s.staff_id.clone()),
        };
        if !super::ids::looks_like_id(thread_id) {
            return Err(AppError::NotFound);
        }
        let row = sqlx::query(THREAD_READER_SQL)
            .bind(thread_id)
            .bind(reader_kind)
            .bind(&reader_id)
            .fetch_optional(db.pool())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let get = |c: &str| row.try_get::<String, _>(c).map_err(internal);
        Ok(ThreadAccess {
            thread_id: get("id")?,
            family_id: get("family_id")?,
            role: get("role")?,
            staff_id: get("staff_id")?,
            family_name: get("family_name")?,
            staff_name: get("staff_name")?,
            last_seq: row.try_get("last_seq").map_err(internal)?,
            live: row.try_get::<i64, _>("live").map_err(internal)? == 1,
            reader_kind,
            reader_id,
            now,
        })
    }

    pub fn thread_id(&self) -> &str {
        &self.thread_id
    }
    pub fn family_id(&self) -> &str {
        &self.family_id
    }
    /// `coach` or `volunteer`.
    pub fn role(&self) -> &str {
        &self.role
    }
    pub fn staff_id(&self) -> &str {
        &self.staff_id
    }
    pub fn family_name(&self) -> &str {
        &self.family_name
    }
    pub fn staff_name(&self) -> &str {
        &self.staff_name
    }
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }
    /// Whether the staff side may read it now (both sides may write).
    pub fn live(&self) -> bool {
        self.live
    }
    /// `member` or `staff`.
    pub fn reader_kind(&self) -> &'static str {
        self.reader_kind
    }
    pub fn reader_id(&self) -> &str {
        &self.reader_id
    }
    pub fn reader_is_member(&self) -> bool {
        self.reader_kind == "member"
    }
    pub fn now(&self) -> i64 {
        self.now
    }
}

/// The threads `caller` may read now, with their family's and staff
/// side's names, whether the staff side may read them (`live`) and how
/// many messages of others the caller has not read (`unread`): a member's
/// family's (ended ones too), or a staff member's live ones. Nothing for
/// anyone else.
pub(crate) async fn readable_thread_rows(
    db: &Db,
    caller: &Caller,
) -> Result<Vec<sqlx::any::AnyRow>, AppError> {
    let (sql, id) = match caller {
        Caller::Member(m) if m.confirmed => (THREADS_OF_MEMBER_SQL, m.member_id.as_str()),
        Caller::Staff(s) => (THREADS_OF_STAFF_SQL, s.staff_id.as_str()),
        _ => return Ok(Vec::new()),
    };
    sqlx::query(sql)
        .bind(id)
        .fetch_all(db.pool())
        .await
        .map_err(internal)
}

/// The thread's newest `limit` messages, oldest first, that the reader of
/// `thread` may see (`THREAD_MESSAGES_SQL`).
pub(crate) async fn thread_message_rows(
    db: &Db,
    thread: &ThreadAccess,
    limit: i64,
) -> Result<Vec<sqlx::any::AnyRow>, AppError> {
    sqlx::query(THREAD_MESSAGES_SQL)
        .bind(&thread.thread_id)
        .bind(thread.reader_kind)
        .bind(limit)
        .fetch_all(db.pool())
        .await
        .map_err(internal)
}

/// Makes room for one message written by Onsplan in the family's thread
/// with its coach `coach_id`, inside the caller's transaction: the thread's
/// next number and its id, or `None` when that coach may not read the
/// thread now (`thread_live!`: the family's coach with a live base
/// mandate); then nothing is written.
pub(crate) async fn next_in_coach_thread(
    conn: &mut sqlx::AnyConnection,
    family_id: &str,
    coach_id: &str,
    now: i64,
) -> Result<Option<(String, i64)>, AppError> {
    // A row grants nothing: it is made on first need, as on first sight,
    // and only for a coach who may read it now (else the family would find
    // an empty, ended conversation with someone it never talked to).
    let make = concat!(
        "INSERT INTO threads (id, family_id, role, staff_id, last_seq, created_at)
         SELECT $1, f.id, 'coach', t.staff_id, 0, $4
         FROM families f
         JOIN (SELECT 'coach' AS role, $3 AS staff_id, $2 AS family_id) t ON t.family_id = f.id
         WHERE f.id = $2 AND ",
        thread_live!(),
        " ON CONFLICT DO NOTHING"
    );
    sqlx::query(make)
        .bind(super::ids::new_id())
        .bind(family_id)
        .bind(coach_id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    let sql = concat!(
        "UPDATE threads SET last_seq = last_seq + 1 WHERE id = (
           SELECT t.id FROM threads t JOIN families f ON f.id = t.family_id
           WHERE t.family_id = $1 AND t.role = 'coach' AND t.staff_id = $2 AND ",
        thread_live!(),
        ") RETURNING id, last_seq"
    );
    sqlx::query_as(sql)
        .bind(family_id)
        .bind(coach_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)
}

/// The families where a staff member may talk now (`TALKING_FAMILIES_SQL`).
pub(crate) async fn talking_families(db: &Db, staff_id: &str) -> Result<Vec<String>, AppError> {
    sqlx::query_scalar(TALKING_FAMILIES_SQL)
        .bind(staff_id)
        .fetch_all(db.pool())
        .await
        .map_err(internal)
}

/// The conversations (role, staff id) a family may have now that have no
/// thread row yet (`THREADS_DUE_SQL`).
pub(crate) async fn threads_due(
    db: &Db,
    family_id: &str,
) -> Result<Vec<(String, String)>, AppError> {
    sqlx::query_as(THREADS_DUE_SQL)
        .bind(family_id)
        .fetch_all(db.pool())
        .await
        .map_err(internal)
}

/// The staff side of a thread, and the volunteer a talk consent named:
/// candidates for a notice (`push.rs`), checked again when it is sent.
pub async fn staff_of_thread(
    db: &Db,
    family_id: &str,
    thread_id: &str,
) -> Result<Vec<String>, AppError> {
    staff_ids(
        db,
        "SELECT staff_id FROM threads WHERE id = $1 AND family_id = $2",
        &[thread_id, family_id],
    )
    .await
}

pub async fn staff_of_talk_consent(
    db: &Db,
    family_id: &str,
    consent_id: &str,
) -> Result<Vec<String>, AppError> {
    staff_ids(
        db,
        "SELECT staff_id FROM talk_consents WHERE id = $1 AND family_id = $2",
        &[consent_id, family_id],
    )
    .await
}

// Who a change concerns, for notifications (`push.rs`): the same reach
// rules as the queries above, kept here so that who sees what is read in
// one file. Whether each may still open the family is asked again through
// `FamilyAccess::open` when the notice is sent.

/// Staff a share reaches: one person, the family's volunteer, or the
/// workers of an organisation (never its coordinators). Binds: $1 share.
const SHARE_REACHES_SQL: &str = "
    SELECT s.recipient_staff_id AS id FROM shares s
     WHERE s.id = $1 AND s.recipient_kind = 'person'
    UNION
    SELECT f.volunteer_id FROM shares s JOIN families f ON f.id = s.family_id
     WHERE s.id = $1 AND s.recipient_kind = 'volunteer' AND f.volunteer_id IS NOT NULL
    UNION
    SELECT w.id FROM shares s JOIN staff w ON w.org_id = s.recipient_org_id
     WHERE s.id = $1 AND s.recipient_kind = 'organisation'
       AND w.role IN ('coach', 'volunteer', 'partner') AND w.disabled_at IS NULL";

/// Staff whose view of one item depends on it: the coach with a live base
/// mandate, and whoever a live share of the item, its goal or its domain
/// reaches. Binds: $1 family, $2 item, $3 today.
const ITEM_SEEN_BY_SQL: &str = "
    SELECT f.coach_id AS id FROM families f JOIN base_mandates b
        ON b.family_id = f.id AND b.coach_id = f.coach_id AND b.withdrawn_at IS NULL
     WHERE f.id = $1
    UNION
    SELECT CASE s.recipient_kind WHEN 'person' THEN s.recipient_staff_id
                                 WHEN 'volunteer' THEN f.volunteer_id END
      FROM shares s JOIN families f ON f.id = s.family_id
      JOIN plan_items i ON i.id = $2 AND i.family_id = $1
     WHERE s.family_id = $1 AND s.withdrawn_at IS NULL AND s.until >= $3
       AND s.recipient_kind IN ('person', 'volunteer')
       AND (s.item_id = i.id OR s.item_id = i.goal_id OR s.domain = i.domain)
    UNION
    SELECT w.id FROM shares s JOIN staff w ON w.org_id = s.recipient_org_id
      JOIN plan_items i ON i.id = $2 AND i.family_id = $1
     WHERE s.family_id = $1 AND s.withdrawn_at IS NULL AND s.until >= $3
       AND s.recipient_kind = 'organisation'
       AND w.role IN ('coach', 'volunteer', 'partner') AND w.disabled_at IS NULL
       AND (s.item_id = i.id OR s.item_id = i.goal_id OR s.domain = i.domain)";

/// Staff a share reaches (or reached: a withdrawal concerns whoever it
/// reached), live or not; a person shared with by name even if their
/// account is disabled now (an organisation's disabled workers are left
/// out): a candidate list for a notice, never an authorization
/// (`FamilyAccess::open` decides that).
pub async fn staff_reached_by_share(db: &Db, share_id: &str) -> Result<Vec<String>, AppError> {
    staff_ids(db, SHARE_REACHES_SQL, &[share_id]).await
}

/// Staff whose view of one item "only us" changes: the coach with a live
/// base mandate and whoever a live share covering it reaches, whether the
/// item is hidden now or not. Candidates for a notice, as above.
pub async fn staff_seeing_item(
    db: &Db,
    family_id: &str,
    item_id: &str,
    today: &str,
) -> Result<Vec<String>, AppError> {
    staff_ids(db, ITEM_SEEN_BY_SQL, &[family_id, item_id, today]).await
}

async fn staff_ids(db: &Db, sql: &str, binds: &[&str]) -> Result<Vec<String>, AppError> {
    let mut q = sqlx::query_scalar::<_, Option<String>>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let mut ids: Vec<String> = q
        .fetch_all(db.pool())
        .await
        .map_err(internal)?
        .into_iter()
        .flatten()
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Store errors become `Internal`; the detail goes to the log, never to the
/// person (and never family content: sqlx errors hold no bound values).
pub(crate) fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "store error");
    AppError::Internal
}
