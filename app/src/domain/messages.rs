//! Messages between a family and its coach or its volunteer (see "Messages:
//! who talks with whom" in docs/CONSENT-RULES.md). Every function takes a
//! proof from the access layer: a `ThreadAccess` for one thread (its check
//! is in the query that makes it), a `FamilyAccess` of a member for the
//! family's talk consent, or a `Caller` for a reader's own list.

use sqlx::Row;

use super::access::{
    internal, next_in_coach_thread, readable_thread_rows, talking_families, thread_message_rows,
    threads_due, Caller, FamilyAccess, ThreadAccess,
};
use super::db::Db;
use super::ids::new_id;
use super::live::{Hub, News};
use super::log::{self, Actor};
use super::media::Media;
use crate::error::AppError;
use crate::lang::Lang;
pub use crate::model::{Message, MessagesHome, TalkQuestion, ThreadLine, ThreadView};
use crate::model::{DELETE_WITHIN_SECONDS, MAX_MESSAGE, PHRASES};

/// The most messages a thread page shows (the newest).
const PAGE: i64 = 200;

/// Makes the thread rows of the conversations a family may have now and
/// that have none yet. A row grants nothing: `THREAD_READER_SQL` decides.
async fn ensure_threads(db: &Db, family_id: &str, now: i64) -> Result<(), AppError> {
    for (role, staff) in threads_due(db, family_id).await? {
        sqlx::query(
            "INSERT INTO threads (id, family_id, role, staff_id, last_seq, created_at)
             VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT DO NOTHING",
        )
        .bind(new_id())
        .bind(family_id)
        .bind(&role)
        .bind(&staff)
        .bind(now)
        .execute(db.pool())
        .await
        .map_err(internal)?;
    }
    Ok(())
}

fn thread_line(row: &sqlx::any::AnyRow, reader_is_member: bool) -> Result<ThreadLine, AppError> {
    let name = if reader_is_member {
        "staff_name"
    } else {
        "family_name"
    };
    Ok(ThreadLine {
        id: row.try_get("id").map_err(internal)?,
        role: row.try_get("role").map_err(internal)?,
        with_name: row.try_get(name).map_err(internal)?,
        live: row.try_get::<i64, _>("live").map_err(internal)? == 1,
        unread: row.try_get("unread").map_err(internal)?,
    })
}

/// The reader's conversations: a member's are the family's (ended ones
/// too); staff's are those they may read now, across their families.
pub async fn home(db: &Db, caller: &Caller, now: i64) -> Result<MessagesHome, AppError> {
    let member = match caller {
        Caller::Anonymous => return Err(AppError::SignedOut),
        Caller::Member(m) if !m.is_confirmed() => return Err(AppError::Waiting),
        Caller::Member(m) => {
            ensure_threads(db, m.family_id(), now).await?;
            Some(m)
        }
        Caller::Staff(s) => {
            for family in talking_families(db, s.staff_id()).await? {
                ensure_threads(db, &family, now).await?;
            }
            None
        }
    };
    let threads = readable_thread_rows(db, caller)
        .await?
        .iter()
        .map(|r| thread_line(r, member.is_some()))
        .collect::<Result<_, _>>()?;
    Ok(MessagesHome {
        threads,
        talk: match member {
            Some(m) => talk_question(db, m.family_id()).await?,
            None => None,
        },
        family: member.map(|m| m.family_id().to_string()),
    })
}

/// How many messages of others the reader has not read, in every thread
/// they may read (the number on every page).
pub async fn unread(db: &Db, caller: &Caller) -> Result<i64, AppError> {
    unread_except(db, caller, None).await
}

/// As `unread`, leaving out one thread (the one on the screen).
pub async fn unread_except(
    db: &Db,
    caller: &Caller,
    except: Option<&str>,
) -> Result<i64, AppError> {
    let rows = readable_thread_rows(db, caller).await?;
    let mut total = 0;
    for r in &rows {
        if except.is_some_and(|e| r.try_get::<String, _>("id").ok().as_deref() == Some(e)) {
            continue;
        }
        total += r.try_get::<i64, _>("unread").map_err(internal)?;
    }
    Ok(total)
}

/// The thread's newest messages, oldest first, as this reader sees them;
/// marks them read. A read by staff is written to the family's log ("Who
/// looked"), in the same transaction as the read mark.
/// `live`: the page's own script asks again after news (not a person
/// opening it): a staff read is logged only when it showed something new.
pub async fn view(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    live: bool,
) -> Result<ThreadView, AppError> {
    let rows = thread_message_rows(db, thread, PAGE).await?;
    // How far the other side read: for the family's messages, the staff
    // member; for staff's, any member.
    let other_read: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(seq), 0) FROM thread_reads WHERE thread_id = $1 AND reader_kind <> $2",
    )
    .bind(thread.thread_id())
    .bind(thread.reader_kind())
    .fetch_one(db.pool())
    .await
    .map_err(internal)?;
    let mut messages = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: String = r.try_get("author_kind").map_err(internal)?;
        let author_id: String = r.try_get("author_id").map_err(internal)?;
        let mine = kind == thread.reader_kind() && author_id == thread.reader_id();
        let deleted_at: Option<i64> = r.try_get("deleted_at").map_err(internal)?;
        let at: i64 = r.try_get("created_at").map_err(internal)?;
        let seq: i64 = r.try_get("seq").map_err(internal)?;
        // The volunteer learns the family's name, not its members' (as a
        // share's recipient): the family's messages are the family's.
        let author = if kind == "member" && !thread.reader_is_member() && thread.role() != "coach" {
            thread.family_name().to_string()
        } else {
            r.try_get("author").map_err(internal)?
        };
        let args: String = r.try_get("args").map_err(internal)?;
        let message_kind: String = r.try_get("kind").map_err(internal)?;
        messages.push(Message {
            id: r.try_get("id").map_err(internal)?,
            mine,
            author,
            deletable: mine
                && deletable_kind(&message_kind)
                && deleted_at.is_none()
                && thread.live()
                && thread.now() - at < DELETE_WITHIN_SECONDS,
            kind: message_kind,
            body: if deleted_at.is_some() {
                String::new()
            } else {
                r.try_get("body").map_err(internal)?
            },
            args: if deleted_at.is_some() {
                Vec::new()
            } else {
                parse_args(&args)
            },
            lang: r.try_get("lang").map_err(internal)?,
            about: r.try_get("about_id").map_err(internal)?,
            at,
            deleted: deleted_at.is_some(),
            read: false,
            state: String::new(),
            ours: kind == thread.reader_kind(),
        });
        let last = messages.last_mut().expect("just pushed");
        last.read = last.mine && seq <= other_read;
    }
    settle_appointments(&mut messages);
    mark_read(db, hub, thread, live).await?;
    Ok(ThreadView {
        id: thread.thread_id().to_string(),
        family_id: thread.family_id().to_string(),
        today: super::clock::belgian_date(thread.now()),
        role: thread.role().to_string(),
        with_name: if thread.reader_is_member() {
            thread.staff_name().to_string()
        } else {
            thread.family_name().to_string()
        },
        live: thread.live(),
        reader_is_member: thread.reader_is_member(),
        messages,
    })
}

/// A proposal's state, from the answers that name it (`to`, kind): agreed
/// when someone said OK to it, replaced when another time was proposed in
/// answer to it, open otherwise.
fn appointment_state<'a>(
    id: &str,
    answers: impl Iterator<Item = (&'a str, &'a str)>,
) -> &'static str {
    let mut state = "open";
    for (to, kind) in answers {
        if to == id {
            state = if kind == "appointment_ok" {
                "accepted"
            } else {
                "replaced"
            };
        }
    }
    state
}

/// Each proposal's state on a page (a deleted answer does not count).
fn settle_appointments(messages: &mut [Message]) {
    let answers: Vec<(String, String)> = messages
        .iter()
        .filter(|m| !m.deleted)
        .filter_map(|m| {
            let to = m.args.iter().find(|(k, _)| k == "to")?.1.clone();
            Some((to, m.kind.clone()))
        })
        .collect();
    for m in messages.iter_mut().filter(|m| m.kind == "appointment") {
        let pairs = answers.iter().map(|(t, k)| (t.as_str(), k.as_str()));
        m.state = appointment_state(&m.id, pairs).to_string();
    }
}

/// A proposal in this thread: its state, its arguments, and whether the
/// reader's side wrote it (a member answering another member's proposal
/// is not the other side's OK).
async fn proposal(
    db: &Db,
    thread: &ThreadAccess,
    id: &str,
) -> Result<(&'static str, Vec<(String, String)>, bool), AppError> {
    let row = sqlx::query(
        "SELECT author_kind, args FROM messages
         WHERE id = $1 AND thread_id = $2 AND kind = 'appointment' AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(thread.thread_id())
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?
    .ok_or(AppError::NotFound)?;
    let author_kind: String = row.try_get("author_kind").map_err(internal)?;
    let args: String = row.try_get("args").map_err(internal)?;
    let answers: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, args FROM messages WHERE thread_id = $1 AND deleted_at IS NULL
           AND kind IN ('appointment', 'appointment_ok') AND args LIKE $2",
    )
    .bind(thread.thread_id())
    .bind(format!("%\"to\":\"{id}\"%"))
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let answers: Vec<(String, String)> = answers
        .into_iter()
        .filter_map(|(kind, args)| {
            let to = parse_args(&args).into_iter().find(|(k, _)| k == "to")?.1;
            Some((to, kind))
        })
        .collect();
    let state = appointment_state(id, answers.iter().map(|(t, k)| (t.as_str(), k.as_str())));
    Ok((
        state,
        parse_args(&args),
        author_kind == thread.reader_kind(),
    ))
}

/// Proposes an appointment: a day (today or later), an hour, a kind of
/// place (`PLACES`) and, if the writer wants, a few words about the place.
/// `reply_to`: an open proposal this one answers ("another time").
#[allow(clippy::too_many_arguments)]
pub async fn propose(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    day: &str,
    time: &str,
    place: &str,
    note: &str,
    reply_to: Option<&str>,
    lang: Lang,
    key: Option<&str>,
) -> Result<String, AppError> {
    let day = check_day(day.trim(), thread.now())?;
    if day.as_str() < super::clock::belgian_date(thread.now()).as_str() {
        return Err(AppError::bad("error-date-past"));
    }
    let time = check_time(time.trim())?;
    if !crate::model::PLACES.contains(&place) {
        return Err(AppError::bad("error-bad-input"));
    }
    let note = match note.trim() {
        "" => String::new(),
        text => super::plan::check_text_max(text, 300)?,
    };
    let mut args = serde_json::Map::new();
    args.insert("day".into(), day.into());
    args.insert("time".into(), time.into());
    args.insert("place".into(), place.into());
    if let Some(to) = reply_to.filter(|t| !t.is_empty()) {
        let (state, _, _) = proposal(db, thread, to).await?;
        if state != "open" {
            return Err(AppError::Conflict("error-appointment-closed".into()));
        }
        args.insert("to".into(), to.into());
    }
    let args = serde_json::Value::Object(args).to_string();
    post(
        db,
        hub,
        thread,
        "appointment",
        &note,
        &args,
        lang,
        key,
        None,
    )
    .await
}

/// Says OK to an open proposal of the other side.
pub async fn accept(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    proposal_id: &str,
    lang: Lang,
    key: Option<&str>,
) -> Result<String, AppError> {
    let (state, earlier, ours) = proposal(db, thread, proposal_id).await?;
    if ours {
        return Err(AppError::bad("error-bad-input"));
    }
    if state != "open" {
        return Err(AppError::Conflict("error-appointment-closed".into()));
    }
    let mut args = serde_json::Map::new();
    args.insert("to".into(), proposal_id.into());
    for (k, v) in &earlier {
        if k == "day" || k == "time" {
            args.insert(k.clone(), v.clone().into());
        }
    }
    let args = serde_json::Value::Object(args).to_string();
    post(
        db,
        hub,
        thread,
        "appointment_ok",
        "",
        &args,
        lang,
        key,
        None,
    )
    .await
}

/// The reader has seen the thread up to its newest message; staff's
/// reading is logged for the family. When that is further than before,
/// the writer's open page is told (its ticks turn to "read").
async fn mark_read(db: &Db, hub: &Hub, thread: &ThreadAccess, live: bool) -> Result<(), AppError> {
    let mut tx = db.begin().await.map_err(internal)?;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT seq FROM thread_reads WHERE thread_id = $1 AND reader_kind = $2 AND reader_id = $3",
    )
    .bind(thread.thread_id())
    .bind(thread.reader_kind())
    .bind(thread.reader_id())
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    let further = before.unwrap_or(0) < thread.last_seq();
    upsert_read(&mut tx, thread, thread.last_seq()).await?;
    if !thread.reader_is_member() && (further || !live) {
        log::record_by(
            &mut tx,
            thread.family_id(),
            thread.now(),
            Actor::Staff(thread.reader_id()),
            "thread_read",
            Some(thread.thread_id()),
        )
        .await?;
    }
    tx.commit().await.map_err(internal)?;
    if further {
        announce(
            db,
            hub,
            thread.family_id(),
            thread.thread_id(),
            thread.last_seq(),
        )
        .await;
    }
    Ok(())
}

async fn upsert_read(
    conn: &mut sqlx::AnyConnection,
    thread: &ThreadAccess,
    seq: i64,
) -> Result<(), AppError> {
    let reader = (thread.reader_kind(), thread.reader_id());
    read_up_to(conn, thread.thread_id(), reader, seq, thread.now()).await
}

/// Moves a reader's read mark on to `seq` (never back).
async fn read_up_to(
    conn: &mut sqlx::AnyConnection,
    thread_id: &str,
    (reader_kind, reader_id): (&str, &str),
    seq: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO thread_reads (thread_id, reader_kind, reader_id, seq, at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (thread_id, reader_kind, reader_id) DO UPDATE
           SET seq = CASE WHEN excluded.seq > thread_reads.seq THEN excluded.seq ELSE thread_reads.seq END,
               at = excluded.at",
    )
    .bind(thread_id)
    .bind(reader_kind)
    .bind(reader_id)
    .bind(seq)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(())
}

/// Posts a text in the reader's language. `key`: made by the writer's
/// phone; the same key (a retry, the offline outbox) is one message.
/// Returns the message's id.
pub async fn post_text(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    body: &str,
    lang: Lang,
    key: Option<&str>,
) -> Result<String, AppError> {
    let body = super::plan::check_text_max(body, MAX_MESSAGE)?;
    // The writer's language, unless the text's script says otherwise.
    let lang = Lang::by_script(&body).unwrap_or(lang);
    post(db, hub, thread, "text", &body, "{}", lang, key, None).await
}

/// Posts a phrase of the book with its arguments (`day` a date, `time`
/// an hour of the day, exactly those the phrase has); every reader reads
/// it in their own language.
pub async fn post_phrase(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    phrase: &str,
    args: &[(&str, &str)],
    lang: Lang,
    key: Option<&str>,
) -> Result<String, AppError> {
    let Some((id, _, wanted, _)) = PHRASES.iter().find(|p| p.0 == phrase) else {
        return Err(AppError::bad("error-bad-input"));
    };
    let mut stored = serde_json::Map::new();
    for name in *wanted {
        let value = args
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("");
        let value = match *name {
            "day" => check_day(value, thread.now())?,
            "time" => check_time(value)?,
            _ => return Err(AppError::Internal),
        };
        stored.insert(name.to_string(), serde_json::Value::String(value));
    }
    let args = serde_json::Value::Object(stored).to_string();
    post(db, hub, thread, "phrase", id, &args, lang, key, None).await
}

/// Posts a photo or a voice message, as `media::photo` or `media::voice`
/// made it ready (the caller does that work off the async runtime). The
/// message holds its size or its length; the bytes are served only by
/// `media`.
pub async fn post_media(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    media: &Media,
    lang: Lang,
    key: Option<&str>,
) -> Result<String, AppError> {
    let (kind, args) = if media.content_type.starts_with("image/") {
        (
            "photo",
            serde_json::json!({ "w": media.width.to_string(), "h": media.height.to_string() }),
        )
    } else {
        (
            "voice",
            serde_json::json!({ "ms": media.duration_ms.to_string() }),
        )
    };
    let args = args.to_string();
    post(db, hub, thread, kind, "", &args, lang, key, Some(media)).await
}

/// The photo or recording of message `message_id` (its content type and
/// bytes), for a reader of its thread (`ThreadAccess::open`, the same
/// check as the thread's page); `NotFound` for anyone else, a deleted
/// message or a message without one.
pub async fn media(
    db: &Db,
    caller: &Caller,
    message_id: &str,
    now: i64,
) -> Result<(String, Vec<u8>), AppError> {
    if !super::ids::looks_like_id(message_id) {
        return Err(AppError::NotFound);
    }
    let thread_id: Option<String> =
        sqlx::query_scalar("SELECT thread_id FROM messages WHERE id = $1 AND deleted_at IS NULL")
            .bind(message_id)
            .fetch_optional(db.pool())
            .await
            .map_err(internal)?;
    let thread = ThreadAccess::open(db, caller, &thread_id.ok_or(AppError::NotFound)?, now).await?;
    let row: Option<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT d.content_type, d.bytes FROM message_media d JOIN messages m ON m.id = d.message_id
         WHERE d.message_id = $1 AND m.thread_id = $2",
    )
    .bind(message_id)
    .bind(thread.thread_id())
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?;
    row.ok_or(AppError::NotFound)
}

/// A day for a message: a real date, from a year ago to two years ahead.
fn check_day(value: &str, now: i64) -> Result<String, AppError> {
    let day = super::clock::parse_date(value).ok_or_else(|| AppError::bad("error-bad-date"))?;
    let today =
        super::clock::parse_date(&super::clock::belgian_date(now)).ok_or(AppError::Internal)?;
    if day < today - time::Duration::days(366) || day > today + time::Duration::days(731) {
        return Err(AppError::bad("error-bad-date"));
    }
    Ok(super::clock::format_date(day))
}

/// An hour of the day, `HH:MM` (a browser's time field sends that).
fn check_time(value: &str) -> Result<String, AppError> {
    let parsed = value.split_once(':').and_then(|(h, m)| {
        let ok = h.len() == 2 && m.len() == 2;
        let (h, m) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
        (ok && h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
    });
    parsed.ok_or_else(|| AppError::bad("error-bad-time"))
}

/// Stored arguments back as pairs (unknown or broken ones are left out).
fn parse_args(stored: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<serde_json::Value>(stored) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string())))
            .collect(),
        _ => Vec::new(),
    }
}

/// Writes one message of any kind, once per key.
#[allow(clippy::too_many_arguments)]
async fn post(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    kind: &str,
    body: &str,
    args: &str,
    lang: Lang,
    key: Option<&str>,
    media: Option<&Media>,
) -> Result<String, AppError> {
    // A message that already arrived is answered as sent, even when the
    // thread ended since (the phone's first try lost its answer).
    let key = send_key(key)?;
    if let Some(id) = sent_with_key(db, thread, key).await? {
        return Ok(id);
    }
    // The family keeps an ended thread to read; nobody writes in it (the
    // other side could not read it).
    if !thread.live() {
        return Err(AppError::Conflict("error-thread-ended".into()));
    }
    let id = new_id();
    let mut tx = db.begin().await.map_err(internal)?;
    let seq: i64 = sqlx::query_scalar(
        "UPDATE threads SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
    )
    .bind(thread.thread_id())
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    // An answer to a proposal (OK, or another time) is checked again here,
    // after the thread's row is taken: of two answers at once, the second
    // finds the first and is refused.
    if let Some(to) = parse_args(args)
        .into_iter()
        .find(|(k, _)| k == "to")
        .map(|(_, v)| v)
    {
        let answered: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE thread_id = $1 AND deleted_at IS NULL
               AND kind IN ('appointment', 'appointment_ok') AND args LIKE $2",
        )
        .bind(thread.thread_id())
        .bind(format!("%\"to\":\"{to}\"%"))
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        if answered > 0 {
            return Err(AppError::Conflict("error-appointment-closed".into()));
        }
    }
    let inserted = sqlx::query(
        "INSERT INTO messages
           (id, thread_id, seq, author_kind, author_id, kind, body, lang, created_at, client_key,
            args)
         VALUES ($1, $2, $3, $4, $5, $10, $6, $7, $8, $9, $11)
         ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(thread.thread_id())
    .bind(seq)
    .bind(thread.reader_kind())
    .bind(thread.reader_id())
    .bind(body)
    .bind(lang.tag())
    .bind(thread.now())
    .bind(key)
    .bind(kind)
    .bind(args)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    if inserted.rows_affected() == 0 {
        // The same key arrived twice at once: the other one is the message.
        drop(tx);
        return by_key(db, thread, key.unwrap_or_default())
            .await?
            .ok_or(AppError::Internal);
    }
    if let Some(media) = media {
        sqlx::query(
            "INSERT INTO message_media (message_id, content_type, bytes) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(media.content_type)
        .bind(&media.bytes)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    }
    upsert_read(&mut tx, thread, seq).await?;
    super::push::enqueue_message(
        &mut tx,
        thread.family_id(),
        thread.thread_id(),
        thread.reader_id(),
        thread.now(),
    )
    .await?;
    tx.commit().await.map_err(internal)?;
    announce(db, hub, thread.family_id(), thread.thread_id(), seq).await;
    Ok(id)
}

/// Writes a message by Onsplan into the family's thread with its coach
/// `coach_id`, inside the caller's transaction, signed by the person whose
/// act it records: `question` (the coach asked a mandate question, `about`
/// it), `answer` (a member answered it; `args` has the answer) or
/// `evaluation` (`args` has the day). Each reader reads it in their own
/// language. Nothing is written when the coach may not read the thread now
/// (`access::next_in_coach_thread`); returns whether it was. After the
/// commit, `announce_family` tells open pages.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn note_in_coach_thread(
    conn: &mut sqlx::AnyConnection,
    family_id: &str,
    coach_id: &str,
    author: (&str, &str),
    kind: &str,
    about: Option<&str>,
    args: &serde_json::Value,
    now: i64,
) -> Result<bool, AppError> {
    let Some((thread_id, seq)) = next_in_coach_thread(conn, family_id, coach_id, now).await? else {
        return Ok(false);
    };
    let (author_kind, author_id) = author;
    sqlx::query(
        "INSERT INTO messages
           (id, thread_id, seq, author_kind, author_id, kind, body, lang, created_at, args, about_id)
         VALUES ($1, $2, $3, $4, $5, $6, '',
                 COALESCE((SELECT language FROM members WHERE id = $5 AND $4 = 'member'),
                          (SELECT language FROM staff WHERE id = $5 AND $4 = 'staff'), 'nl-BE'),
                 $7, $8, $9)",
    )
    .bind(new_id())
    .bind(&thread_id)
    .bind(seq)
    .bind(author_kind)
    .bind(author_id)
    .bind(kind)
    .bind(now)
    .bind(args.to_string())
    .bind(about)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    // The writer has seen what they did.
    read_up_to(conn, &thread_id, author, seq, now).await?;
    Ok(true)
}

/// A phone's send key: letters, digits, `-` and `_`, at most 64; none
/// when empty.
fn send_key(key: Option<&str>) -> Result<Option<&str>, AppError> {
    match key.filter(|k| !k.is_empty()) {
        Some(k)
            if k.len() > 64
                || !k
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Err(AppError::bad("error-bad-input"))
        }
        key => Ok(key),
    }
}

/// The message the caller already sent with `key`, if any: a retry is
/// answered with it (and a photo is not decoded again).
pub async fn sent_with_key(
    db: &Db,
    thread: &ThreadAccess,
    key: Option<&str>,
) -> Result<Option<String>, AppError> {
    match send_key(key)? {
        Some(k) => by_key(db, thread, k).await,
        None => Ok(None),
    }
}

/// The caller's message sent with `key` in this thread. A key is the
/// writer's own across threads: one already used in another thread is
/// refused (it is not a retry of this message).
async fn by_key(db: &Db, thread: &ThreadAccess, key: &str) -> Result<Option<String>, AppError> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT id, thread_id FROM messages
         WHERE author_kind = $1 AND author_id = $2 AND client_key = $3",
    )
    .bind(thread.reader_kind())
    .bind(thread.reader_id())
    .bind(key)
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?;
    match found {
        Some((id, in_thread)) if in_thread == thread.thread_id() => Ok(Some(id)),
        Some(_) => Err(AppError::bad("error-bad-input")),
        None => Ok(None),
    }
}

/// Whether a message of `kind` may be deleted by its writer: what Onsplan
/// wrote down of an act (a question asked, an answer given, an evaluation
/// set) is a record of that act, signed by who did it, and stays.
fn deletable_kind(kind: &str) -> bool {
    !matches!(kind, "question" | "answer" | "evaluation")
}

/// The writer deletes their message within 15 minutes: its text goes,
/// "message deleted" stays in its place.
pub async fn delete(
    db: &Db,
    hub: &Hub,
    thread: &ThreadAccess,
    message_id: &str,
) -> Result<(), AppError> {
    if !thread.live() {
        return Err(AppError::Conflict("error-thread-ended".into()));
    }
    let mut tx = db.begin().await.map_err(internal)?;
    let found: Option<(i64, String)> = sqlx::query_as(
        "SELECT created_at, kind FROM messages WHERE id = $1 AND thread_id = $2
           AND author_kind = $3 AND author_id = $4 AND deleted_at IS NULL",
    )
    .bind(message_id)
    .bind(thread.thread_id())
    .bind(thread.reader_kind())
    .bind(thread.reader_id())
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    let Some((at, kind)) = found else {
        return Err(AppError::NotFound);
    };
    if !deletable_kind(&kind) {
        return Err(AppError::Conflict("error-message-not-deletable".into()));
    }
    if thread.now() - at >= DELETE_WITHIN_SECONDS {
        return Err(AppError::Conflict("error-delete-too-late".into()));
    }
    sqlx::query("UPDATE messages SET body = '', args = '{}', deleted_at = $1 WHERE id = $2")
        .bind(thread.now())
        .bind(message_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    // A photo or a recording goes with its message.
    sqlx::query("DELETE FROM message_media WHERE message_id = $1")
        .bind(message_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let seq: i64 = sqlx::query_scalar(
        "UPDATE threads SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
    )
    .bind(thread.thread_id())
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    announce(db, hub, thread.family_id(), thread.thread_id(), seq).await;
    Ok(())
}

/// Tells this instance's connected readers, and on PostgreSQL every
/// other instance's (`NOTIFY`, after the commit: nobody hears of a
/// message before it can be read).
async fn announce(db: &Db, hub: &Hub, family_id: &str, thread_id: &str, seq: i64) {
    let news = News {
        family_id: family_id.to_string(),
        thread_id: thread_id.to_string(),
        seq,
    };
    super::live::notify_others(db, hub, &news).await;
    hub.publish(news);
}

/// Tells the connected readers of the family's threads with its coach
/// (`role` = `coach`) or volunteer that they changed, after a consent
/// change: who may read them is asked again. Only those threads: the
/// coach does not learn when the family's talk with its volunteer changes.
/// The change is already made when this runs: a failure here is logged,
/// and open pages catch up at their next news or load.
pub async fn announce_family(db: &Db, hub: &Hub, family_id: &str, role: &str) {
    let rows = sqlx::query(
        "SELECT id, last_seq FROM threads WHERE family_id = $1 AND role = $2 ORDER BY id",
    )
    .bind(family_id)
    .bind(role)
    .fetch_all(db.pool())
    .await;
    let Ok(rows) = rows else {
        tracing::warn!("live: could not list the family's threads to announce");
        return;
    };
    for r in rows {
        if let (Ok(id), Ok(seq)) = (
            r.try_get::<String, _>("id"),
            r.try_get::<i64, _>("last_seq"),
        ) {
            announce(db, hub, family_id, &id, seq).await;
        }
    }
}

/// For a member: the family's volunteer's name while the family has not
/// said yes to talking with them ("Our plan" points to the question).
pub async fn talk_to_answer(db: &Db, access: &FamilyAccess) -> Result<Option<String>, AppError> {
    if access.member_id().is_none() {
        return Ok(None);
    }
    Ok(talk_question(db, access.family_id())
        .await?
        .filter(|q| !q.said_yes)
        .map(|q| q.volunteer))
}

/// The family's volunteer and whether it talks with them.
async fn talk_question(db: &Db, family_id: &str) -> Result<Option<TalkQuestion>, AppError> {
    let row = sqlx::query(
        "SELECT s.display_name, s.id,
                (SELECT COUNT(*) FROM talk_consents c WHERE c.family_id = f.id
                   AND c.staff_id = f.volunteer_id AND c.withdrawn_at IS NULL) AS live
         FROM families f JOIN staff s ON s.id = f.volunteer_id WHERE f.id = $1",
    )
    .bind(family_id)
    .fetch_optional(db.pool())
    .await
    .map_err(internal)?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(TalkQuestion {
        volunteer: row.try_get("display_name").map_err(internal)?,
        volunteer_id: row.try_get("id").map_err(internal)?,
        said_yes: row.try_get::<i64, _>("live").map_err(internal)? > 0,
    }))
}

/// A member says yes (`yes`) or stops (`!yes`) talking with the family's
/// volunteer. Saying what is already so changes nothing.
/// `asked_about`: the volunteer the member saw named on the page; a yes is
/// given to that person only (409 if the family's volunteer changed since).
pub async fn set_talk(
    db: &Db,
    hub: &Hub,
    access: &FamilyAccess,
    yes: bool,
    asked_about: Option<&str>,
) -> Result<(), AppError> {
    let Some(member) = access.member_id() else {
        return Err(AppError::NotFound);
    };
    let mut tx = db.begin().await.map_err(internal)?;
    // One answer at a time per family (two members tapping "yes" at once
    // give one yes).
    super::db::lock_family(&mut tx, access.family_id()).await?;
    let volunteer: Option<Option<String>> =
        sqlx::query_scalar("SELECT volunteer_id FROM families WHERE id = $1")
            .bind(access.family_id())
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    let Some(volunteer) = volunteer.flatten() else {
        return Err(AppError::Conflict("error-no-volunteer".into()));
    };
    if yes && asked_about.is_some_and(|named| named != volunteer) {
        return Err(AppError::Conflict("error-volunteer-changed".into()));
    }
    let live: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM talk_consents WHERE family_id = $1 AND staff_id = $2
           AND withdrawn_at IS NULL ORDER BY granted_at, id",
    )
    .bind(access.family_id())
    .bind(&volunteer)
    .fetch_all(&mut *tx)
    .await
    .map_err(internal)?;
    if yes && live.is_empty() {
        let id = new_id();
        sqlx::query(
            "INSERT INTO talk_consents (id, family_id, staff_id, granted_by, granted_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(access.family_id())
        .bind(&volunteer)
        .bind(member)
        .bind(access.now())
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        log::record_change(&mut tx, access, "talk_granted", Some(&id)).await?;
    } else if !yes {
        for id in &live {
            sqlx::query(
                "UPDATE talk_consents SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3",
            )
            .bind(access.now())
            .bind(member)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            log::record_change(&mut tx, access, "talk_withdrawn", Some(id)).await?;
        }
    }
    tx.commit().await.map_err(internal)?;
    // A connected volunteer's page asks again (and is refused, or finds
    // the thread open).
    announce_family(db, hub, access.family_id(), "volunteer").await;
    Ok(())
}

/// Ends, "by the service", the family's yes to talking with a volunteer
/// who is no longer its volunteer (`keep`: the volunteer now, if any).
/// Inside the transaction that changes the volunteer.
pub(crate) async fn end_talk_consents(
    tx: &mut sqlx::AnyConnection,
    family_id: Option<&str>,
    staff_id: Option<&str>,
    keep: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let rows = sqlx::query(
        "SELECT id, family_id FROM talk_consents WHERE withdrawn_at IS NULL
           AND ($1 IS NULL OR family_id = $1) AND ($2 IS NULL OR staff_id = $2)
           AND ($3 IS NULL OR staff_id <> $3)
         ORDER BY family_id, granted_at, id",
    )
    .bind(family_id)
    .bind(staff_id)
    .bind(keep)
    .fetch_all(&mut *tx)
    .await
    .map_err(internal)?;
    for row in rows {
        let id: String = row.try_get("id").map_err(internal)?;
        let family: String = row.try_get("family_id").map_err(internal)?;
        sqlx::query(
            "UPDATE talk_consents SET withdrawn_at = $1, withdrawn_by = 'service' WHERE id = $2",
        )
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        log::record_by(tx, &family, now, Actor::Service, "talk_ended", Some(&id)).await?;
    }
    Ok(())
}

/// The families whose news a reader's event stream listens to: a member's
/// own; the families a staff member may talk with now. Each piece of news
/// is checked again (`ThreadAccess::open`) before it is passed on.
pub async fn families_to_hear(db: &Db, caller: &Caller) -> Result<Vec<String>, AppError> {
    match caller {
        Caller::Member(m) if m.is_confirmed() => Ok(vec![m.family_id().to_string()]),
        Caller::Staff(s) => talking_families(db, s.staff_id()).await,
        _ => Ok(Vec::new()),
    }
}

/// The ids of the threads a reader may read now (without making any).
pub async fn readable_threads(db: &Db, caller: &Caller) -> Result<Vec<String>, AppError> {
    readable_thread_rows(db, caller)
        .await?
        .iter()
        .map(|r| r.try_get("id").map_err(internal))
        .collect()
}
