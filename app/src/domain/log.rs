//! The access log: every read of family items by someone outside the family
//! (who, which items, when, under which consent) and every consent or
//! mandate change (who, what, when). Append-only: rows are only inserted.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::access::{internal, FamilyAccess, Reader};
use super::db::Db;
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

/// The "previous hash" of a family's first chained entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as it is hashed: every stored field, one per line, in a fixed
/// order (ids, numbers and the items' JSON as stored; no field can hold a
/// newline of its own except the items, which come last).
struct Canonical<'a> {
    id: &'a str,
    family_id: &'a str,
    seq: i64,
    at: i64,
    actor_kind: &'a str,
    actor_id: &'a str,
    event: &'a str,
    subject_id: Option<&'a str>,
    items: &'a str,
}

impl Canonical<'_> {
    /// SHA-256 over the previous entry's hash and this entry's content.
    fn hash(&self, prev: &str) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "onsplan-log-v1\n{prev}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.id,
            self.family_id,
            self.seq,
            self.at,
            self.actor_kind,
            self.actor_id,
            self.event,
            self.subject_id.unwrap_or(""),
            self.items
        );
        super::secret::hex(&Sha256::digest(text.as_bytes()))
    }
}

/// Moves a family's head `by` entries on, under its row lock (concurrent
/// writers of one family take turns), and answers the new last number and
/// the hash the first new entry chains to. The head is made at the
/// family's first chained entry (numbering on from any entries made
/// before the chain); only then does the move need a second try.
async fn move_head(
    conn: &mut AnyConnection,
    family_id: &str,
    by: i64,
) -> Result<(i64, String), AppError> {
    const MOVE_HEAD: &str =
        "UPDATE log_heads SET seq = seq + $2 WHERE family_id = $1 RETURNING seq, hash";
    let moved = sqlx::query(MOVE_HEAD)
        .bind(family_id)
        .bind(by)
        .fetch_optional(&mut *conn)
        .await
        .map_err(internal)?;
    let head = match moved {
        Some(head) => head,
        None => {
            sqlx::query(
                "INSERT INTO log_heads (family_id, seq, hash)
                 SELECT $1, COALESCE(MAX(seq), 0), $2 FROM access_log WHERE family_id = $1
                 ON CONFLICT (family_id) DO NOTHING",
            )
            .bind(family_id)
            .bind(GENESIS)
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
            sqlx::query(MOVE_HEAD)
                .bind(family_id)
                .bind(by)
                .fetch_one(&mut *conn)
                .await
                .map_err(internal)?
        }
    };
    Ok((
        head.try_get("seq").map_err(internal)?,
        head.try_get("hash").map_err(internal)?,
    ))
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
    use sqlx::Connection;
    let (kind, id) = actor.kind_and_id();
    let items = serde_json::to_string(items).map_err(internal)?;
    let row_id = new_id();
    // A savepoint inside the caller's transaction, or a transaction of its
    // own: the entry and the head move together or not at all.
    let mut tx = conn.begin().await.map_err(internal)?;
    let (seq, prev) = move_head(&mut tx, family_id, 1).await?;
    let hash = Canonical {
        id: &row_id,
        family_id,
        seq,
        at,
        actor_kind: kind,
        actor_id: id,
        event,
        subject_id,
        items: &items,
    }
    .hash(&prev);
    sqlx::query(
        "INSERT INTO access_log (id, family_id, at, seq, actor_kind, actor_id, event, subject_id,
                                 items, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&row_id)
    .bind(family_id)
    .bind(at)
    .bind(seq)
    .bind(kind)
    .bind(id)
    .bind(event)
    .bind(subject_id)
    .bind(&items)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE log_heads SET hash = $1 WHERE family_id = $2")
        .bind(&hash)
        .bind(family_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// What checking a family's chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    /// Entries in the log (chained or from before the chain).
    pub entries: i64,
    /// The number of the first entry that was changed, removed or added
    /// outside Onsplan; `None` when the chain verifies.
    pub broken_at: Option<i64>,
}

/// Checks a family's chain: entry numbers without gaps, each chained
/// entry's hash over its content and the previous hash, and the head.
pub async fn verify(db: &Db, family_id: &str) -> Result<ChainCheck, AppError> {
    let rows = sqlx::query(
        "SELECT id, seq, at, actor_kind, actor_id, event, subject_id, items, prev_hash, hash
         FROM access_log WHERE family_id = $1 ORDER BY seq",
    )
    .bind(family_id)
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let head = sqlx::query("SELECT seq, hash FROM log_heads WHERE family_id = $1")
        .bind(family_id)
        .fetch_optional(db.pool())
        .await
        .map_err(internal)?;
    let broken = |seq: i64| ChainCheck {
        entries: rows.len() as i64,
        broken_at: Some(seq),
    };
    let mut next: Option<i64> = None;
    let mut running: Option<String> = None;
    for r in &rows {
        let get = |name: &str| r.try_get::<Option<String>, _>(name).map_err(internal);
        let seq: i64 = r.try_get("seq").map_err(internal)?;
        if next.is_some_and(|n| n != seq) || (next.is_none() && seq != 1) {
            // An entry is missing before this one.
            return Ok(broken(next.unwrap_or(1)));
        }
        next = Some(seq + 1);
        let (prev, hash) = (get("prev_hash")?, get("hash")?);
        let Some(hash) = hash else {
            if running.is_some() {
                return Ok(broken(seq)); // a chained entry lost its seal
            }
            continue; // from before the chain
        };
        let expected_prev = running.as_deref().unwrap_or(GENESIS);
        let items = get("items")?.unwrap_or_default();
        let subject = get("subject_id")?;
        let id = get("id")?.unwrap_or_default();
        let family = family_id;
        let content = Canonical {
            id: &id,
            family_id: family,
            seq,
            at: r.try_get("at").map_err(internal)?,
            actor_kind: &get("actor_kind")?.unwrap_or_default(),
            actor_id: &get("actor_id")?.unwrap_or_default(),
            event: &get("event")?.unwrap_or_default(),
            subject_id: subject.as_deref(),
            items: &items,
        };
        if prev.as_deref() != Some(expected_prev) || content.hash(expected_prev) != hash {
            return Ok(broken(seq));
        }
        running = Some(hash);
    }
    let last = next.map_or(0, |n| n - 1);
    if let Some(head) = head {
        let head_seq: i64 = head.try_get("seq").map_err(internal)?;
        let head_hash: String = head.try_get("hash").map_err(internal)?;
        let chained_to = running.as_deref().unwrap_or(GENESIS);
        if head_seq != last || head_hash != chained_to {
            // The newest entries were removed (or the head was changed).
            return Ok(broken(last + 1));
        }
    }
    Ok(ChainCheck {
        entries: rows.len() as i64,
        broken_at: None,
    })
}

/// Checks every family's chain (the operator's `verify-log`): each family
/// whose chain is broken, with the first broken entry, and how many
/// families and entries were checked.
pub async fn verify_all(db: &Db) -> Result<(i64, i64, Vec<(String, i64)>), AppError> {
    let families: Vec<String> = sqlx::query_scalar("SELECT id FROM families ORDER BY id")
        .fetch_all(db.pool())
        .await
        .map_err(internal)?;
    let (mut entries, mut broken) = (0, Vec::new());
    for family in &families {
        let check = verify(db, family).await?;
        entries += check.entries;
        if let Some(at) = check.broken_at {
            broken.push((family.clone(), at));
        }
    }
    Ok((families.len() as i64, entries, broken))
}

/// Records a read of `items` when the reader is outside the family. An
/// opening that showed no item is recorded too (with no items): the family
/// learns that someone opened its plan, even when nothing was shown.
///
/// Group commit: the entry goes to the store's log writer, which writes the
/// entries of all requests waiting at that moment in one transaction (one
/// disk flush) and answers each when that transaction is committed. The
/// read is answered only after its entry is durable, as before; concurrent
/// readers share the flush instead of queueing for one each.
pub async fn record_read(
    db: &Db,
    access: &FamilyAccess,
    items: &[PlanItem],
) -> Result<(), AppError> {
    record_page_read(db, access, items, false).await
}

/// `record_read`, and with `coach_visit` also the coach's visit (when they
/// last opened the family, for "new answers"), in the same commit.
pub(crate) async fn record_page_read(
    db: &Db,
    access: &FamilyAccess,
    items: &[PlanItem],
    coach_visit: bool,
) -> Result<(), AppError> {
    if access.member_id().is_some() {
        return Ok(());
    }
    let reader = actor(access);
    let (actor_kind, actor_id) = reader.kind_and_id();
    let (done, committed) = tokio::sync::oneshot::channel();
    db.read_log()
        .send(PendingRead {
            family_id: access.family_id().to_string(),
            at: access.now(),
            actor_kind,
            actor_id: actor_id.to_string(),
            items: items
                .iter()
                .map(|i| (i.id.clone(), i.basis.log_text()))
                .collect(),
            visit: coach_visit,
            done,
        })
        .map_err(|_| AppError::Internal)?;
    committed.await.map_err(|_| AppError::Internal)?
}

/// A read's log entry waiting for the group writer, with the reader's
/// visit (when a coach last opened the family, for "new answers") when
/// `visit` is set.
pub(crate) struct PendingRead {
    family_id: String,
    at: i64,
    actor_kind: &'static str,
    actor_id: String,
    items: Vec<(String, String)>,
    /// Also record the coach's visit, in the same savepoint.
    visit: bool,
    done: tokio::sync::oneshot::Sender<Result<(), AppError>>,
}

pub(crate) type ReadSender = tokio::sync::mpsc::UnboundedSender<PendingRead>;

/// At most this many entries in one transaction.
const MAX_BATCH: usize = 256;

/// Starts the store's read-log writer; it ends when the store is dropped.
pub(crate) fn start_group_writer(
    pool: sqlx::AnyPool,
    retries: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> ReadSender {
    let (send, mut receive) = tokio::sync::mpsc::unbounded_channel::<PendingRead>();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        while let Some(first) = receive.recv().await {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match receive.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            // Families' heads are taken in one order by every writer, so
            // two transactions never wait on each other in a circle.
            batch.sort_by(|a: &PendingRead, b: &PendingRead| a.family_id.cmp(&b.family_id));
            let results = write_batch(&pool, &batch, &retries).await;
            for (pending, result) in batch.drain(..).zip(results) {
                let _ = pending.done.send(result);
            }
        }
    });
    send
}

/// Writes a batch in one transaction; each entry in a savepoint of its own,
/// so one that fails does not take the others with it.
async fn write_batch(
    pool: &sqlx::AnyPool,
    batch: &[PendingRead],
    retries: &std::sync::atomic::AtomicU64,
) -> Vec<Result<(), AppError>> {
    // Usually all of it at once, in a few statements; if that fails, one
    // savepoint per entry, so that one entry's failure fails only its read.
    match write_together(pool, batch).await {
        Ok(()) => return batch.iter().map(|_| Ok(())).collect(),
        // No content: the store's error was logged by `internal`.
        Err(_) => {
            retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!(
                entries = batch.len(),
                "log batch failed; writing one by one"
            )
        }
    }
    let failed = |n: usize| (0..n).map(|_| Err(AppError::Internal)).collect();
    let Ok(mut tx) = pool.begin().await else {
        return failed(batch.len());
    };
    let mut results = Vec::with_capacity(batch.len());
    for p in batch {
        results.push(write_one(&mut tx, p).await);
    }
    match tx.commit().await {
        Ok(()) => results,
        Err(_) => failed(batch.len()),
    }
}

/// Rows per multi-row statement (11 values each: far below both engines'
/// limits on bound values).
const ROWS_PER_STATEMENT: usize = 100;

/// The whole batch in one transaction: every family's head moved on by its
/// number of entries in one UPDATE, the entries chained in Rust and
/// written with one INSERT per hundred, the heads' new hashes in one
/// UPDATE, the coaches' visits in one upsert. The same rows and hashes as
/// one entry at a time, with a handful of round trips per batch instead
/// of about eight per entry.
async fn write_together(pool: &sqlx::AnyPool, batch: &[PendingRead]) -> Result<(), AppError> {
    use std::collections::BTreeMap;
    let mut tx = pool.begin().await.map_err(internal)?;
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for p in batch {
        *counts.entry(p.family_id.as_str()).or_default() += 1;
    }
    // family -> (the next entry's number, the hash it chains to). Every
    // head moves in one statement (one round trip however large the
    // batch: under load each round trip of this one writer waits its
    // turn for a core). The store locks them in its own order; two
    // writers (two instances) that deadlock are told so by the store,
    // and the loser writes its batch again one entry at a time.
    let mut heads: BTreeMap<&str, (i64, String)> = BTreeMap::new();
    let counted: Vec<(&str, i64)> = counts.iter().map(|(f, n)| (*f, *n)).collect();
    for chunk in counted.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE log_heads SET seq = log_heads.seq + v.column2 FROM (VALUES {}) AS v
             WHERE log_heads.family_id = v.column1
             RETURNING log_heads.family_id, log_heads.seq, log_heads.hash",
            values(chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql).persistent(false);
        for (family, n) in chunk {
            q = q.bind(*family).bind(*n);
        }
        for row in q.fetch_all(&mut *tx).await.map_err(internal)? {
            let family: String = row.try_get("family_id").map_err(internal)?;
            let last: i64 = row.try_get("seq").map_err(internal)?;
            let prev: String = row.try_get("hash").map_err(internal)?;
            let (family, n) = counts
                .get_key_value(family.as_str())
                .ok_or(AppError::Internal)?;
            heads.insert(family, (last - n + 1, prev));
        }
    }
    // A family's first chained entry: its head is made first (rare).
    for (family, n) in &counts {
        if !heads.contains_key(family) {
            let (last, prev) = move_head(&mut tx, family, *n).await?;
            heads.insert(family, (last - n + 1, prev));
        }
    }
    struct Row {
        id: String,
        seq: i64,
        items: String,
        prev: String,
        hash: String,
    }
    let mut rows = Vec::with_capacity(batch.len());
    for p in batch {
        let (seq, prev) = heads
            .get_mut(p.family_id.as_str())
            .ok_or(AppError::Internal)?;
        let id = new_id();
        let items = serde_json::to_string(&p.items).map_err(internal)?;
        let hash = Canonical {
            id: &id,
            family_id: &p.family_id,
            seq: *seq,
            at: p.at,
            actor_kind: p.actor_kind,
            actor_id: &p.actor_id,
            event: "read",
            subject_id: None,
            items: &items,
        }
        .hash(prev);
        rows.push(Row {
            id,
            seq: *seq,
            items,
            prev: std::mem::replace(prev, hash.clone()),
            hash,
        });
        *seq += 1;
    }
    for chunk in batch
        .iter()
        .zip(&rows)
        .collect::<Vec<_>>()
        .chunks(ROWS_PER_STATEMENT)
    {
        let sql = format!(
            "INSERT INTO access_log (id, family_id, at, seq, actor_kind, actor_id, event,
                                     items, prev_hash, hash) VALUES {}",
            values(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql).persistent(false);
        for (p, r) in chunk {
            q = q
                .bind(&r.id)
                .bind(&p.family_id)
                .bind(p.at)
                .bind(r.seq)
                .bind(p.actor_kind)
                .bind(&p.actor_id)
                .bind("read")
                .bind(&r.items)
                .bind(&r.prev)
                .bind(&r.hash);
        }
        q.execute(&mut *tx).await.map_err(internal)?;
    }
    let new_heads: Vec<(&str, &String)> = heads.iter().map(|(f, (_, h))| (*f, h)).collect();
    for chunk in new_heads.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE log_heads SET hash = v.column2 FROM (VALUES {}) AS v
             WHERE log_heads.family_id = v.column1",
            values(chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql).persistent(false);
        for (family, hash) in chunk {
            q = q.bind(*family).bind(*hash);
        }
        q.execute(&mut *tx).await.map_err(internal)?;
    }
    // One visit per coach and family (the latest), as one upsert may not
    // touch a row twice.
    let mut visits: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for p in batch.iter().filter(|p| p.visit) {
        let at = visits.entry((&p.actor_id, &p.family_id)).or_insert(p.at);
        *at = (*at).max(p.at);
    }
    let visits: Vec<_> = visits.into_iter().collect();
    for chunk in visits.chunks(ROWS_PER_STATEMENT) {
        let sql = visits_upsert(chunk.len());
        let mut q = sqlx::query(&sql).persistent(false);
        for ((coach, family), at) in chunk {
            q = q.bind(*coach).bind(*family).bind(*at);
        }
        q.execute(&mut *tx).await.map_err(internal)?;
    }
    tx.commit().await.map_err(internal)
}

/// `rows` groups of `cols` numbered placeholders for a multi-row VALUES:
/// `values(2, 2)` is `($1, $2), ($3, $4)`.
fn values(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Records when coaches last opened families, `rows` at a time (binds:
/// coach, family, instant per row).
fn visits_upsert(rows: usize) -> String {
    format!(
        "INSERT INTO coach_visits (coach_id, family_id, visited_at) VALUES {}
         ON CONFLICT (coach_id, family_id) DO UPDATE SET visited_at = excluded.visited_at",
        values(rows, 3)
    )
}

/// One read's entry, and its visit, in a savepoint: both or neither.
async fn write_one(conn: &mut AnyConnection, p: &PendingRead) -> Result<(), AppError> {
    use sqlx::Connection;
    let actor = match p.actor_kind {
        "member" => Actor::Member(&p.actor_id),
        "staff" => Actor::Staff(&p.actor_id),
        _ => Actor::Service,
    };
    if !p.visit {
        // `append` keeps its own savepoint.
        return append(conn, &p.family_id, p.at, actor, "read", None, &p.items).await;
    }
    let mut tx = conn.begin().await.map_err(internal)?;
    append(&mut tx, &p.family_id, p.at, actor, "read", None, &p.items).await?;
    sqlx::query(&visits_upsert(1))
        .bind(&p.actor_id)
        .bind(&p.family_id)
        .bind(p.at)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)
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
    append(tx, family_id, at, actor, event, subject_id, &[]).await?;
    // Its notice, if it makes one, in the same transaction.
    let (_, actor_id) = actor.kind_and_id();
    super::push::enqueue_for_change(tx, family_id, at, actor_id, event, subject_id).await
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
    /// Talk consents: the volunteer each was given to.
    talks: HashMap<String, String>,
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
            // A structured question is named by what the coach will do
            // (`help:<kind>`, read in the reader's language); an older one
            // by its words.
            questions: pairs(
                db,
                "SELECT id, CASE WHEN help_kind IS NULL THEN what ELSE 'help:' || help_kind END AS name
                 FROM mandates WHERE family_id = $1",
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
            talks: pairs(
                db,
                "SELECT c.id, s.display_name AS name FROM talk_consents c
                 JOIN staff s ON s.id = c.staff_id WHERE c.family_id = $1",
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
            e if e.starts_with("talk_") => (None, None, from(&self.talks)),
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

#[cfg(test)]
mod tests {
    use super::values;

    #[test]
    fn placeholders_number_on_across_rows() {
        assert_eq!(values(1, 3), "($1, $2, $3)");
        assert_eq!(values(2, 2), "($1, $2), ($3, $4)");
        let ten = values(3, 10);
        assert!(
            ten.starts_with("($1, $2,") && ten.ends_with("$29, $30)"),
            "{ten}"
        );
        assert_eq!(ten.matches('$').count(), 30);
    }
}
