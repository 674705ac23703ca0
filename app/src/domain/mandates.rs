//! Mandate questions: the coach asks to act on one action ("May I do this
//! for you?"), naming what, with whom, which facts and until when. A member
//! answers; any member can withdraw an answer at any time. Every answer is a
//! new row, so the full history stays.

use sqlx::Row;

use super::access::{internal, FamilyAccess};
use super::db::{insert_numbered, Db};
use super::ids::new_id;
use super::log;
use super::plan::{check_text_max as text, is_coach_with_mandate, MAX_TEXT};
use crate::error::AppError;
pub use crate::model::{Mandate, MandateAnswer};
use crate::model::{FACT_KINDS, HELP_KINDS, PARTY_KINDS};

pub const ANSWERS: [&str; 3] = ["for_me", "together", "myself"];

/// What the coach asks: what they will do, with whom, which facts they
/// pass on and until when, each from a list so that every reader reads it
/// in their own language; their own words are an optional addition.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct MandateInput {
    /// One of `model::HELP_KINDS`.
    pub help: String,
    /// One of `model::PARTY_KINDS`.
    pub party: String,
    /// The counterparty's name ("WoninGent"); may be empty.
    pub party_name: String,
    /// Some of `model::FACT_KINDS`; none when no facts are passed on.
    pub facts: Vec<String>,
    /// The coach's own words, in their language; may be empty.
    pub words: String,
    pub until: String,
}

/// The fact kinds of a question as stored (`income,housing`), in the
/// list's order, each once; unknown ones are refused.
fn fact_list(facts: &[String]) -> Result<String, AppError> {
    if facts.iter().any(|f| !FACT_KINDS.contains(&f.as_str())) {
        return Err(AppError::bad("error-bad-input"));
    }
    Ok(FACT_KINDS
        .iter()
        .filter(|k| facts.iter().any(|f| f == *k))
        .copied()
        .collect::<Vec<_>>()
        .join(","))
}

/// The ids of actions this reader may see (the coach's questions follow
/// their action: an action made "only us" hides its question too).
async fn visible_action_ids(db: &Db, access: &FamilyAccess) -> Result<Vec<String>, AppError> {
    let rows = access
        .reader_rows(db, super::access::ReaderQuery::VisibleItems)
        .await?;
    Ok(rows
        .iter()
        .filter(|r| r.try_get::<String, _>("kind").ok().as_deref() == Some("action"))
        .filter(|r| {
            r.try_get::<Option<String>, _>("via_mandate")
                .ok()
                .flatten()
                .is_some()
        })
        .filter_map(|r| r.try_get("id").ok())
        .collect())
}

/// The coach (with a live base mandate) asks about an action they can see.
pub async fn ask(
    db: &Db,
    access: &FamilyAccess,
    action_id: &str,
    input: &MandateInput,
) -> Result<String, AppError> {
    if !is_coach_with_mandate(db, access).await? {
        return Err(AppError::NotFound);
    }
    if !HELP_KINDS.contains(&input.help.as_str()) {
        return Err(AppError::bad("error-question-what"));
    }
    if !PARTY_KINDS.contains(&input.party.as_str()) {
        return Err(AppError::bad("error-question-with-whom"));
    }
    // The name and the coach's own words may be left out.
    let optional = |value: &str, max| match value.trim() {
        "" => Ok(String::new()),
        _ => text(value, max),
    };
    let party_name = optional(&input.party_name, 300)?;
    let facts = fact_list(&input.facts)?;
    let words = optional(&input.words, MAX_TEXT)?;
    let until = super::clock::parse_date(&input.until)
        .map(super::clock::format_date)
        .ok_or_else(|| AppError::bad("error-bad-date"))?;
    if until.as_str() < access.today() {
        return Err(AppError::bad("error-date-past"));
    }
    if !visible_action_ids(db, access)
        .await?
        .iter()
        .any(|id| id == action_id)
    {
        return Err(AppError::NotFound);
    }
    let id = new_id();
    let coach_id = access.staff_id().unwrap_or_default();
    let mut tx = db.begin().await.map_err(internal)?;
    // The coach's words are kept with the language they wrote them in.
    sqlx::query(
        "INSERT INTO mandates (id, family_id, action_id, coach_id, what, counterparty, facts, until,
                               asked_at, help_kind, party_kind, fact_kinds, words_lang)
         VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $10, $11,
                 COALESCE($12, (SELECT language FROM staff WHERE id = $4)))",
    )
    .bind(&id)
    .bind(access.family_id())
    .bind(action_id)
    .bind(coach_id)
    .bind(&words)
    .bind(&party_name)
    .bind(&until)
    .bind(access.now())
    .bind(&input.help)
    .bind(&input.party)
    .bind(&facts)
    .bind(crate::lang::Lang::by_script(&words).map(|l| l.tag()))
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    log::record_change(&mut tx, access, "mandate_asked", Some(&id)).await?;
    // The question appears in the thread with the coach, in each reader's
    // language, linking to it.
    super::messages::note_in_coach_thread(
        &mut tx,
        access.family_id(),
        coach_id,
        ("staff", coach_id),
        "question",
        Some(&id),
        &serde_json::json!({ "help": input.help, "party": input.party }),
        access.now(),
    )
    .await?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// The questions this reader may see, newest first: all of them for the
/// family; for its coach with a live base mandate, those on actions the
/// coach can see; nothing for anyone else.
pub async fn list(db: &Db, access: &FamilyAccess) -> Result<Vec<Mandate>, AppError> {
    let visible: Option<Vec<String>> = if access.member_id().is_some() {
        None
    } else if is_coach_with_mandate(db, access).await? {
        Some(visible_action_ids(db, access).await?)
    } else {
        return Ok(Vec::new());
    };
    list_of(db, access, visible.as_deref()).await
}

/// The questions on a plan page. `visible` is `None` for a member (all of
/// them); for the coach, the actions they see under their base mandate.
pub(crate) async fn list_of(
    db: &Db,
    access: &FamilyAccess,
    visible: Option<&[String]>,
) -> Result<Vec<Mandate>, AppError> {
    let rows = sqlx::query(
        "SELECT m.id, m.action_id, m.coach_id, i.body AS action_body, s.display_name AS coach_name, m.what,
                m.counterparty, m.facts, m.until, m.asked_at, m.help_kind, m.party_kind, m.fact_kinds,
                m.words_lang
         FROM mandates m JOIN plan_items i ON i.id = m.action_id
         JOIN staff s ON s.id = m.coach_id
         WHERE m.family_id = $1 ORDER BY m.asked_at DESC, m.id",
    )
    .bind(access.family_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let answers = sqlx::query(
        "SELECT a.mandate_id, a.answer, a.answered_at, a.seq, mb.display_name
         FROM mandate_answers a JOIN mandates m ON m.id = a.mandate_id
         JOIN members mb ON mb.id = a.member_id
         WHERE m.family_id = $1 ORDER BY a.mandate_id, a.seq",
    )
    .bind(access.family_id())
    .fetch_all(db.pool())
    .await
    .map_err(internal)?;
    let mut out = Vec::new();
    for r in &rows {
        let id: String = r.try_get("id").map_err(internal)?;
        let action_id: String = r.try_get("action_id").map_err(internal)?;
        if let Some(v) = visible {
            // A coach sees the questions they asked, on actions they see;
            // a new coach does not see a former coach's questions.
            let asked_by: String = r.try_get("coach_id").map_err(internal)?;
            if !v.contains(&action_id) || Some(asked_by.as_str()) != access.staff_id() {
                continue;
            }
        }
        let mut history = Vec::new();
        for a in &answers {
            if a.try_get::<String, _>("mandate_id").map_err(internal)? == id {
                history.push(MandateAnswer {
                    answer: a.try_get("answer").map_err(internal)?,
                    member_name: a.try_get("display_name").map_err(internal)?,
                    at: a.try_get("answered_at").map_err(internal)?,
                });
            }
        }
        let until: String = r.try_get("until").map_err(internal)?;
        out.push(Mandate {
            id,
            action_id,
            action_body: r.try_get("action_body").map_err(internal)?,
            coach_name: r.try_get("coach_name").map_err(internal)?,
            help: r.try_get("help_kind").map_err(internal)?,
            party: r.try_get("party_kind").map_err(internal)?,
            fact_kinds: r
                .try_get::<String, _>("fact_kinds")
                .map_err(internal)?
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
            what: r.try_get("what").map_err(internal)?,
            counterparty: r.try_get("counterparty").map_err(internal)?,
            facts: r.try_get("facts").map_err(internal)?,
            words_lang: r.try_get("words_lang").map_err(internal)?,
            ended: until.as_str() < access.today(),
            until,
            asked_at: r.try_get("asked_at").map_err(internal)?,
            answer: history.last().map(|a| a.answer.clone()),
            history,
        });
    }
    Ok(out)
}

/// One question this reader may see.
pub async fn get(db: &Db, access: &FamilyAccess, mandate_id: &str) -> Result<Mandate, AppError> {
    list(db, access)
        .await?
        .into_iter()
        .find(|m| m.id == mandate_id)
        .ok_or(AppError::NotFound)
}

/// A member answers (`for_me`, `together`, `myself`) or withdraws
/// (`withdrawn`) an answer. Only the family answers.
pub async fn answer(
    db: &Db,
    access: &FamilyAccess,
    mandate_id: &str,
    answer: &str,
) -> Result<(), AppError> {
    answer_once(db, access, mandate_id, answer, None).await
}

/// Whether a request key looks like one a phone makes (a UUID, or any 16
/// to 64 letters, digits, `-` and `_`).
pub fn looks_like_request_key(key: &str) -> bool {
    (16..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `answer`, done once per `key`: the phone's outbox sends an answer made
/// offline again until it hears back, and a key already used by this
/// member is answered as done without a second answer.
pub async fn answer_once(
    db: &Db,
    access: &FamilyAccess,
    mandate_id: &str,
    answer: &str,
    key: Option<&str>,
) -> Result<(), AppError> {
    let member_id = access.member_id().ok_or(AppError::NotFound)?;
    if let Some(key) = key {
        if !looks_like_request_key(key) {
            return Err(AppError::bad("error-bad-input"));
        }
        let done: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM request_keys WHERE subject_id = $1 AND request_key = $2",
        )
        .bind(member_id)
        .bind(key)
        .fetch_one(db.pool())
        .await
        .map_err(internal)?;
        if done > 0 {
            return Ok(());
        }
    }
    if !ANSWERS.contains(&answer) && answer != "withdrawn" {
        return Err(AppError::bad("error-bad-input"));
    }
    let mandate = get(db, access, mandate_id).await?;
    if answer == "withdrawn" {
        if !matches!(mandate.answer.as_deref(), Some("for_me" | "together")) {
            return Err(AppError::Conflict("error-nothing-to-withdraw".into()));
        }
    } else if mandate.ended {
        return Err(AppError::Conflict("error-mandate-ended".into()));
    }
    let mut tx = db.begin().await.map_err(internal)?;
    let row_id = new_id();
    insert_numbered(&mut tx, || {
        sqlx::query(
            "INSERT INTO mandate_answers (id, mandate_id, answer, member_id, answered_at, seq)
             VALUES ($1, $2, $3, $4, $5,
                     (SELECT COALESCE(MAX(seq), 0) + 1 FROM mandate_answers WHERE mandate_id = $2))",
        )
        .bind(&row_id)
        .bind(mandate_id)
        .bind(answer)
        .bind(member_id)
        .bind(access.now())
    })
    .await
    .map_err(internal)?;
    if let Some(key) = key {
        let kept = sqlx::query(
            "INSERT INTO request_keys (subject_id, request_key, created_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(member_id)
        .bind(key)
        .bind(access.now())
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if kept.rows_affected() == 0 {
            // The same key, sent twice at once: the other one answered.
            return Ok(());
        }
    }
    let event = format!("mandate_{answer}");
    log::record_change(&mut tx, access, &event, Some(mandate_id)).await?;
    // The answer appears in the thread with the coach who asked (while
    // they may read it), under the question.
    let coach_id: String =
        sqlx::query_scalar("SELECT coach_id FROM mandates WHERE id = $1 AND family_id = $2")
            .bind(mandate_id)
            .bind(access.family_id())
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
    super::messages::note_in_coach_thread(
        &mut tx,
        access.family_id(),
        &coach_id,
        ("member", member_id),
        "answer",
        Some(mandate_id),
        &serde_json::json!({ "answer": answer }),
        access.now(),
    )
    .await?;
    tx.commit().await.map_err(internal)
}
