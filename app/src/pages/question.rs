//! "May I do this for you?": the coach's question on one action — what,
//! with whom, which facts, until when — and four big buttons. Withdrawing a
//! yes is one tap from the plan, then a confirmation.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::components::read_aloud::ReadAloud;
use crate::error::AppError;
use crate::lang::{current_lang, t, t_args, Lang};
use crate::model::Mandate;

/// One of the family's questions.
#[server(endpoint = "question")]
pub async fn question(id: String) -> Result<Mandate, AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    crate::domain::mandates::get(&state.db, &access, &id).await
}

/// The family answers: `for_me`, `together`, `myself`, or `withdrawn`.
/// `key`: set by the phone's outbox (an answer made offline, sent when the
/// connection returns); the same key is answered once.
#[server(endpoint = "answer")]
pub async fn answer(
    family: String,
    question: String,
    answer: String,
    key: Option<String>,
) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    let key = key.filter(|k| !k.is_empty());
    crate::domain::mandates::answer_once(&state.db, &access, &question, &answer, key.as_deref())
        .await?;
    crate::domain::messages::announce_family(&state.db, &state.live, &family, "coach").await;
    leptos_axum::redirect("/plan?saved=answer");
    Ok(())
}

#[component]
pub fn QuestionPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    let withdraw = use_query_map()
        .with_untracked(|q| q.get("withdraw"))
        .is_some();
    let family = current_family();
    load(question(id), move |m| {
        if withdraw {
            view! { <ConfirmWithdraw m family/> }.into_any()
        } else {
            view! { <Ask m family/> }.into_any()
        }
    })
}

fn current_family() -> String {
    crate::request::current()
        .caller
        .as_member()
        .map(|m| m.family_id().to_string())
        .unwrap_or_default()
}

/// The small label naming the language of a text in another language
/// than the reader's.
fn lang_label(tag: &str) -> Option<impl IntoView> {
    Lang::from_tag(tag)
        .filter(|l| *l != current_lang())
        .map(|l| view! { <span class="lang-label" lang=l.tag()>{l.endonym()}</span> })
}

/// What the coach will do, in the reader's language (or an older
/// question's own words).
pub fn help_text(m: &Mandate) -> String {
    match &m.help {
        Some(h) => t(&format!("help-{h}")),
        None => m.what.clone(),
    }
}

/// With whom, in the reader's language: the kind of counterparty, and its
/// name when the coach gave one (isolated, as Fluent isolates arguments).
fn party_named(m: &Mandate) -> String {
    let kind = t(&format!("party-{}", m.party.as_deref().unwrap_or_default()));
    if m.counterparty.is_empty() {
        kind
    } else {
        t_args(
            "party-named",
            &[("kind", kind), ("name", m.counterparty.clone())],
        )
    }
}

/// The language `help_text` is in.
pub fn help_lang(m: &Mandate) -> String {
    match &m.help {
        Some(_) => current_lang().tag().to_string(),
        None => m.words_lang.clone(),
    }
}

/// The question: what, with whom, which facts, until when, each in the
/// reader's language; then the coach's own words, marked with their
/// language. An older question (free text) is shown as it was written.
#[component]
fn Facts(m: Mandate) -> impl IntoView {
    let until = crate::i18n::long_date(current_lang(), &m.until);
    let action =
        view! { <dt>{t("question-action")}</dt><dd><bdi>{m.action_body.clone()}</bdi></dd> };
    let Some(help) = m.help.clone() else {
        let l = m.words_lang.clone();
        return view! {
            <dl class="facts">
                {action}
                <dt>{t("question-what")}</dt>
                <dd id="question-what" lang=l.clone() dir="auto">{m.what.clone()}</dd>
                <dt>{t("question-with-whom")}</dt>
                <dd lang=l.clone() dir="auto">{m.counterparty.clone()}</dd>
                <dt>{t("question-facts")}</dt>
                <dd lang=l.clone() dir="auto">{m.facts.clone()}</dd>
                <dt>{t("question-until")}</dt>
                <dd>{until}</dd>
            </dl>
            {lang_label(&l)}
        }
        .into_any();
    };
    let party = party_named(&m);
    let facts = if m.fact_kinds.is_empty() {
        view! { <p>{t("question-no-facts")}</p> }.into_any()
    } else {
        let items: Vec<_> = m
            .fact_kinds
            .iter()
            .map(|f| view! { <li>{t(&format!("fact-{f}"))}</li> })
            .collect();
        view! { <ul class="fact-list">{items}</ul> }.into_any()
    };
    let words = (!m.what.is_empty()).then(|| {
        view! {
            <section class="coach-words">
                <h2>{t_args("question-words", &[("coach", m.coach_name.clone())])}</h2>
                <p id="question-words" lang=m.words_lang.clone() dir="auto">{m.what.clone()}</p>
                {lang_label(&m.words_lang)}
            </section>
        }
    });
    view! {
        <dl class="facts">
            {action}
            <dt>{t("question-what")}</dt>
            <dd id="question-what">{t(&format!("help-{help}"))}</dd>
            <dt>{t("question-with-whom")}</dt>
            <dd id="question-party">{party}</dd>
            <dt>{t("question-facts")}</dt>
            <dd id="question-facts">{facts}</dd>
            <dt>{t("question-until")}</dt>
            <dd>{until}</dd>
        </dl>
        {words}
    }
    .into_any()
}

#[component]
fn Ask(m: Mandate, family: String) -> impl IntoView {
    let title = t_args("question-title", &[("coach", m.coach_name.clone())]);
    let spoken = spoken(&title, &m);
    let current = m.answer.clone().map(|a| {
        view! { <p class="card notice" id="current-answer">{t(&format!("mandate-state-{a}"))}</p> }
    });
    let id = m.id.clone();
    let buttons = (!m.ended).then(|| {
        let b = |value: &'static str, label: String, class: &'static str| {
            view! {
                <button type="submit" name="answer" value=value class=class id=format!("answer-{value}")>
                    {label}
                </button>
            }
        };
        view! {
            <PostForm action="/api/answer" class="big-buttons">
                <Hidden name="family" value=family.clone()/>
                <Hidden name="question" value=id/>
                {b("for_me", t("answer-for-me"), "")}
                {b("together", t("answer-together"), "")}
                {b("myself", t("answer-myself"), "secondary")}
            </PostForm>
            <p class="big-buttons"><a class="button secondary" href="/plan" id="answer-later">{t("answer-later")}</a></p>
        }
    });
    let withdraw_href = format!("/plan/question/{}?withdraw=1", m.id);
    let withdraw = m.granted().then(|| {
        view! {
            <p><a class="button danger" href=withdraw_href id="withdraw-answer">{t("withdraw-answer")}</a></p>
        }
    });
    let history: Vec<_> = m
        .history
        .iter()
        .map(|a| {
            // Each line names who said it: the reader may be another member.
            view! { <li>{t_args(&format!("answer-history-{}", a.answer), &[("name", a.member_name.clone())])}</li> }
        })
        .collect();
    view! {
        <section class="card">
            <h1>{title}</h1>
            <FormError/>
            <ReadAloud text=spoken lang=current_lang().tag().to_string() label=t("read-aloud")/>
            <Facts m=m.clone()/>
            {current}
            {m.ended.then(|| view! { <p class="muted">{t("mandate-state-ended")}</p> })}
            {buttons}
            {withdraw}
            {(!history.is_empty()).then(|| view! {
                <h2>{t("answer-history")}</h2>
                <ul class="history">{history}</ul>
            })}
        </section>
    }
}

#[component]
fn ConfirmWithdraw(m: Mandate, family: String) -> impl IntoView {
    view! {
        <section class="card">
            <h1>{t("withdraw-answer-title")}</h1>
            <p>{t_args("withdraw-answer-explain", &[("coach", m.coach_name.clone())])}</p>
            <Facts m=m.clone()/>
            <PostForm action="/api/answer">
                <Hidden name="family" value=family/>
                <Hidden name="question" value=m.id.clone()/>
                <button type="submit" name="answer" value="withdrawn" class="danger" id="confirm-withdraw">
                    {t("withdraw-answer-confirm")}
                </button>
            </PostForm>
            <p><a class="button secondary" href="/plan">{t("cancel")}</a></p>
        </section>
    }
}

/// The question read aloud in the reader's language: the coach's own
/// words only when they are in that language (a voice reads one language).
fn spoken(title: &str, m: &Mandate) -> String {
    let facts = if m.help.is_some() {
        let named: Vec<String> = m
            .fact_kinds
            .iter()
            .map(|f| t(&format!("fact-{f}")))
            .collect();
        if named.is_empty() {
            t("question-no-facts")
        } else {
            named.join(", ")
        }
    } else {
        m.facts.clone()
    };
    let party = match &m.party {
        Some(_) => party_named(m),
        None => m.counterparty.clone(),
    };
    let mut out = format!(
        "{title} {}. {} {}. {} {}. {} {}. {} {}.",
        help_text(m),
        t("question-with-whom"),
        party,
        t("question-facts"),
        facts,
        t("question-until"),
        crate::i18n::long_date(current_lang(), &m.until),
        t("question-action"),
        m.action_body
    );
    if m.help.is_some() && !m.what.is_empty() && m.words_lang == current_lang().tag() {
        out.push(' ');
        out.push_str(&m.what);
    }
    out
}
