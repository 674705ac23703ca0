//! "Who looked": the family's access log, newest first, in plain words —
//! who read which of our items, when, and under which of our consents; and
//! every consent or answer given or withdrawn.

use leptos::prelude::*;

use crate::components::page::load;
use crate::error::AppError;
use crate::lang::{t, t_args};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LookedLine {
    pub when: String,
    pub who: String,
    /// `member`, `coach`, `volunteer`, `partner`.
    pub role: String,
    pub org: Option<String>,
    pub event: String,
    /// (item text, `base_mandate` | `share`) for reads.
    pub items: Vec<(String, String)>,
}

#[server(endpoint = "who-looked")]
pub async fn who_looked() -> Result<Vec<LookedLine>, AppError> {
    use crate::domain::{clock::belgian_datetime, log, plan};
    let (state, access) = crate::request::open_own_family().await?;
    let items = plan::items(&state.db, &access).await?;
    let entries = log::entries(&state.db, &access, 200).await?;
    Ok(entries
        .into_iter()
        .map(|e| LookedLine {
            when: belgian_datetime(e.at),
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
        })
        .collect())
}

#[component]
pub fn WhoLooked() -> impl IntoView {
    load(who_looked(), |lines| {
        let empty = lines
            .is_empty()
            .then(|| view! { <p class="card">{t("who-looked-empty")}</p> });
        let rows: Vec<_> = lines
            .into_iter()
            .map(|l| {
                let who = match &l.org {
                    Some(org) => t_args(
                        "who-with-role-org",
                        &[("name", l.who.clone()), ("role", t(&format!("role-{}", l.role))), ("org", org.clone())],
                    ),
                    None => l.who.clone(),
                };
                let what = if l.event == "read" {
                    let items: Vec<_> = l
                        .items
                        .iter()
                        .map(|(body, basis)| {
                            view! { <li>{body.clone()}<span class="muted">" — "{t(&format!("basis-{basis}"))}</span></li> }
                        })
                        .collect();
                    view! {
                        <p>{t_args("looked-read", &[("count", items.len().to_string())])}</p>
                        <ul>{items}</ul>
                    }
                    .into_any()
                } else {
                    view! { <p>{t(&format!("event-{}", l.event))}</p> }.into_any()
                };
                view! {
                    <li class=format!("card log-line log-{}", l.event)>
                        <p class="when muted">{l.when.clone()}</p>
                        <p class="who"><strong>{who}</strong></p>
                        {what}
                    </li>
                }
            })
            .collect();
        view! {
            <h1>{t("who-looked-title")}</h1>
            <p class="muted">{t("who-looked-intro")}</p>
            {empty}
            <ol class="plain-list" id="log">{rows}</ol>
            <p><a href="/plan">{t("back-to-plan")}</a></p>
        }
    })
}
