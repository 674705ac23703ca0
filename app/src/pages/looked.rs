//! "Who looked": the family's access log, newest first, in plain words —
//! who read which of our items, when, and under which of our consents; and
//! every consent or answer given or withdrawn, naming what it was about.
//! Repeated reads of the same items by the same person on one day are one
//! line ("looked at 7 items, 3 times"), so the family is not shown a wall of
//! identical entries.

use leptos::prelude::*;

use crate::components::icons::domain_name;
use crate::components::page::load;
use crate::error::AppError;
use crate::lang::{t, t_args};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LookedLine {
    /// When it happened (for a group of reads: the latest).
    pub when: String,
    /// For a group of reads: the earliest.
    pub first: Option<String>,
    /// How many reads this line stands for.
    pub times: usize,
    pub who: String,
    /// `member`, `coach`, `volunteer`, `partner`, `service`.
    pub role: String,
    pub org: Option<String>,
    pub event: String,
    /// (item text, `base_mandate` | `share`) for reads.
    pub items: Vec<(String, String)>,
    /// What a change was about (item, question, member, coach).
    pub subject: Option<String>,
    /// A shared domain.
    pub domain: Option<String>,
    /// With whom something was shared; empty for "our volunteer".
    pub recipient: Option<String>,
}

/// The page: its lines, and whether the log's seal holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LookedPage {
    pub lines: Vec<LookedLine>,
    /// The first entry that was changed or removed outside Onsplan, if the
    /// family's chain does not verify.
    pub broken_at: Option<i64>,
}

#[server(endpoint = "who-looked")]
pub async fn who_looked() -> Result<LookedPage, AppError> {
    use crate::domain::{clock, log, plan};
    let (state, access) = crate::request::open_own_family().await?;
    let items = plan::items(&state.db, &access).await?;
    let entries = log::entries(&state.db, &access, 500).await?;
    let mut lines: Vec<LookedLine> = Vec::new();
    // Reads grouped by (who, day, which items), in order of their newest.
    let mut groups: std::collections::HashMap<(String, String, String), usize> =
        std::collections::HashMap::new();
    for e in entries {
        let when = crate::i18n::date_time(crate::lang::current_lang(), e.at);
        // A thread read by staff groups the same way (one thread a day).
        if e.event == "read" || e.event == "thread_read" {
            let what = if e.event == "read" {
                serde_json::to_string(&e.items).unwrap_or_default()
            } else {
                format!("thread:{}", e.subject_id.clone().unwrap_or_default())
            };
            let key = (
                format!("{}:{}", e.actor_kind, e.actor_id),
                clock::belgian_date(e.at),
                what,
            );
            if let Some(&at) = groups.get(&key) {
                lines[at].times += 1;
                lines[at].first = Some(when);
                continue;
            }
            groups.insert(key, lines.len());
        }
        lines.push(LookedLine {
            when,
            first: None,
            times: 1,
            who: e.actor_name,
            role: e.actor_role,
            org: e.actor_org,
            event: e.event,
            items: e
                .items
                .iter()
                .map(|(id, basis)| {
                    let body = items
                        .iter()
                        .find(|i| &i.id == id)
                        .map(|i| i.body.clone())
                        .unwrap_or_default();
                    let kind = basis.split(':').next().unwrap_or("").to_string();
                    (body, kind)
                })
                .collect(),
            subject: e.subject_text,
            domain: e.subject_domain,
            recipient: e.recipient,
        });
    }
    lines.truncate(200);
    let check = log::verify(&state.db, access.family_id()).await?;
    Ok(LookedPage {
        lines,
        broken_at: check.broken_at,
    })
}

#[component]
pub fn WhoLooked() -> impl IntoView {
    load(who_looked(), |page| {
        let LookedPage { lines, broken_at } = page;
        // Whether anyone changed or removed an entry outside Onsplan.
        let seal = match broken_at {
            None => view! { <p class="muted" id="log-seal">{t("log-sealed")}</p> }.into_any(),
            Some(entry) => view! {
                <p class="card notice" id="log-seal">
                    {t_args("log-broken", &[("entry", entry.to_string())])}
                </p>
            }
            .into_any(),
        };
        let empty = lines
            .is_empty()
            .then(|| view! { <p class="card">{t("who-looked-empty")}</p> });
        let rows: Vec<_> = lines
            .into_iter()
            .map(|l| view! { <LookedRow l/> })
            .collect();
        view! {
            <h1>{t("who-looked-title")}</h1>
            <p class="muted">{t("who-looked-intro")}</p>
            {seal}
            {empty}
            <ol class="plain-list" id="log">{rows}</ol>
            <p><a class="nav-link" href="/plan">{t("back-to-plan")}</a></p>
        }
    })
}

#[component]
fn LookedRow(l: LookedLine) -> impl IntoView {
    // A name alone is isolated here; inside a sentence, Fluent isolates it.
    let who = match (&l.org, l.role.as_str()) {
        (_, "service") => t("actor-service").into_any(),
        (Some(org), _) => t_args(
            "who-with-role-org",
            &[
                ("name", l.who.clone()),
                ("role", t(&format!("role-{}", l.role))),
                ("org", org.clone()),
            ],
        )
        .into_any(),
        (None, _) => view! { <bdi>{l.who.clone()}</bdi> }.into_any(),
    };
    let when = match &l.first {
        Some(first) if l.times > 1 => t_args(
            "looked-times",
            &[
                ("count", l.times.to_string()),
                ("first", first.clone()),
                ("last", l.when.clone()),
            ],
        ),
        _ => l.when.clone(),
    };
    let what = if l.event == "read" {
        if l.items.is_empty() {
            view! { <p>{t("looked-opened-nothing")}</p> }.into_any()
        } else {
            let items: Vec<_> = l
                .items
                .iter()
                .map(|(body, basis)| {
                    view! { <li><bdi>{body.clone()}</bdi><span class="muted">" — "{t(&format!("basis-{basis}"))}</span></li> }
                })
                .collect();
            view! {
                <p>{t_args("looked-read", &[("count", items.len().to_string())])}</p>
                <ul>{items}</ul>
            }
            .into_any()
        }
    } else {
        let subject = match (&l.subject, &l.domain) {
            (Some(text), _) => Some(match text.strip_prefix("help:") {
                Some(kind) => t(&format!("help-{kind}")),
                None => text.clone(),
            }),
            (None, Some(domain)) => {
                Some(t_args("looked-domain", &[("domain", domain_name(domain))]))
            }
            (None, None) => None,
        };
        let subject = subject.map(|s| view! { <p class="log-subject"><q><bdi>{s}</bdi></q></p> });
        let recipient = l.recipient.clone().map(|r| {
            let name = if r.is_empty() { t("our-volunteer") } else { r };
            view! { <p class="log-recipient">{t_args("looked-with", &[("name", name)])}</p> }
        });
        view! {
            <p>{t(&format!("event-{}", l.event))}</p>
            {subject}
            {recipient}
        }
        .into_any()
    };
    view! {
        <li class=format!("card log-line log-{}", l.event)>
            <p class="when muted">{when}</p>
            <p class="who"><strong>{who}</strong></p>
            {what}
        </li>
    }
}
