//! "Who can see this?" for one item or one whole domain: who sees it now
//! and why (which consent, until when); the "only us" switch; sharing with
//! our volunteer, an organisation or a person, for a purpose, until a day,
//! after a preview of what they will see; and withdrawing a share.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::icons::domain_name;
use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::error::AppError;
use crate::lang::{t, t_args};
use crate::model::ShareScope;
use crate::model::{ItemKind, Organisation, Person, PlanItem, Recipient};

/// Someone outside the family who can see the item or domain now, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seer {
    pub name: String,
    /// `coach` (base mandate) or `share`.
    pub why: String,
    pub share_id: Option<String>,
    pub purpose: Option<String>,
    pub until: Option<String>,
    /// "Only us" holds this share back for now.
    pub paused: bool,
    /// On a domain's page, the single item a share is about.
    pub on_item: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SharingData {
    pub family_id: String,
    pub item: Option<PlanItem>,
    /// The item's goal when it is hidden with its goal.
    pub hidden_by_goal: bool,
    pub domain: String,
    pub seers: Vec<Seer>,
    /// Shares that ended (`why`: `withdrawn` or `expired`; `until`: the
    /// day it ended), newest first.
    pub ended: Vec<Seer>,
    pub people: Vec<Person>,
    pub organisations: Vec<Organisation>,
    pub volunteer_name: Option<String>,
    pub today: String,
}

/// Parses `volunteer`, `person:<id>` or `org:<id>`.
pub fn parse_recipient(to: &str) -> Option<Recipient> {
    match to.split_once(':') {
        None if to == "volunteer" => Some(Recipient::OurVolunteer),
        Some(("person", id)) if !id.is_empty() => Some(Recipient::Person(id.to_string())),
        Some(("org", id)) if !id.is_empty() => Some(Recipient::Organisation(id.to_string())),
        _ => None,
    }
}

fn scope_of(item: Option<String>, domain: Option<String>) -> Result<ShareScope, AppError> {
    match (
        item.filter(|s| !s.is_empty()),
        domain.filter(|s| !s.is_empty()),
    ) {
        (Some(i), None) => Ok(ShareScope::Item(i)),
        (None, Some(d)) => Ok(ShareScope::Domain(d)),
        _ => Err(AppError::bad("error-bad-input")),
    }
}

/// Who can see an item (or a domain) of our plan, and what we can do.
#[server(endpoint = "sharing")]
pub async fn sharing(
    item: Option<String>,
    domain: Option<String>,
) -> Result<SharingData, AppError> {
    use crate::domain::{consent, overview};
    let (state, access) = crate::request::open_own_family().await?;
    let scope = scope_of(item, domain)?;
    let seen = consent::visibility(&state.db, &access, &scope).await?;
    let frame = overview::frame(&state.db, &access).await?;
    let people = overview::people(&state.db).await?;
    let named = consent::named_recipients(&state.db, &access).await?;
    let organisations = overview::organisations(&state.db).await?;
    let mut seers = Vec::new();
    if seen.coach_sees {
        seers.push(Seer {
            name: frame.coach_name.clone().unwrap_or_default(),
            why: "coach".into(),
            share_id: None,
            purpose: None,
            until: None,
            paused: false,
            on_item: None,
        });
    }
    for c in &seen.shares {
        let s = &c.share;
        seers.push(Seer {
            name: recipient_name(s, &named, &organisations, frame.volunteer_name.as_deref()),
            why: "share".into(),
            share_id: Some(s.id.clone()),
            purpose: Some(s.purpose.clone()),
            until: Some(s.until.clone()),
            paused: c.paused,
            on_item: c.item_body.clone(),
        });
    }
    let ended = seen
        .ended
        .iter()
        .map(|c| {
            let s = &c.share;
            let (why, on) = match s.withdrawn_at {
                Some(at) => ("withdrawn", crate::domain::clock::belgian_date(at)),
                None => ("expired", s.until.clone()),
            };
            Seer {
                name: recipient_name(s, &named, &organisations, frame.volunteer_name.as_deref()),
                why: why.into(),
                share_id: None,
                purpose: Some(s.purpose.clone()),
                until: Some(on),
                paused: false,
                on_item: c.item_body.clone(),
            }
        })
        .collect();
    let (item, hidden_by_goal, domain) = (seen.item, seen.hidden_by_goal, seen.domain);
    Ok(SharingData {
        family_id: access.family_id().to_string(),
        item,
        hidden_by_goal,
        domain,
        seers,
        ended,
        people,
        organisations,
        volunteer_name: frame.volunteer_name,
        today: access.today().to_string(),
    })
}

fn recipient_name(
    share: &crate::model::Share,
    people: &[Person],
    orgs: &[Organisation],
    volunteer: Option<&str>,
) -> String {
    match &share.recipient {
        Recipient::Person(id) => people
            .iter()
            .find(|p| &p.id == id)
            .map(|p| format!("{} ({})", p.name, p.org_name))
            .unwrap_or_default(),
        Recipient::Organisation(id) => orgs
            .iter()
            .find(|o| &o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        Recipient::OurVolunteer => volunteer
            .map(|v| crate::lang::t_args("our-volunteer-named", &[("name", v.to_string())]))
            .unwrap_or_else(|| crate::lang::t("our-volunteer")),
    }
}

/// What the recipient would see if we shared this now.
#[server(endpoint = "share-preview")]
pub async fn share_preview(
    item: Option<String>,
    domain: Option<String>,
    to: String,
) -> Result<Vec<PlanItem>, AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    let scope = scope_of(item, domain)?;
    let recipient = parse_recipient(&to).ok_or_else(|| AppError::bad("error-unknown-recipient"))?;
    crate::domain::consent::preview(&state.db, &access, &scope, &recipient).await
}

/// "Only us" on or off for one item.
#[server(endpoint = "only-us")]
pub async fn only_us(family: String, item: String, on: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    let on = match on.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::bad("error-bad-input")),
    };
    crate::domain::consent::set_only_us(&state.db, &access, &item, on).await?;
    // A coach with the thread open: its notes about the item go (or come
    // back) without waiting for the next message.
    crate::domain::messages::announce_family(&state.db, &state.live, &family, "coach").await;
    // Back to the item, saying it was saved (an id the store just found).
    leptos_axum::redirect(&format!("/plan/share?item={item}&saved=1"));
    Ok(())
}

/// Share an item or a domain.
#[server(endpoint = "share")]
pub async fn share(
    family: String,
    item: Option<String>,
    domain: Option<String>,
    to: String,
    purpose: String,
    until: String,
) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    let scope = scope_of(item.clone(), domain.clone())?;
    let recipient = parse_recipient(&to).ok_or_else(|| AppError::bad("error-unknown-recipient"))?;
    crate::domain::consent::share(&state.db, &access, &scope, &recipient, &purpose, &until).await?;
    let back = match scope {
        ShareScope::Item(i) => format!("/plan/share?item={i}&saved=1"),
        ShareScope::Domain(d) => format!("/plan/share?domain={d}&saved=1"),
    };
    leptos_axum::redirect(&back);
    Ok(())
}

/// Withdraw a share: it stops counting on the next request.
#[server(endpoint = "withdraw-share")]
pub async fn withdraw_share(family: String, share: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    crate::domain::consent::withdraw_share(&state.db, &access, &share).await
}

#[component]
pub fn SharePage() -> impl IntoView {
    let q = use_query_map();
    let item = q.with_untracked(|q| q.get("item"));
    let domain = q.with_untracked(|q| q.get("domain"));
    let to = q.with_untracked(|q| q.get("to")).filter(|s| !s.is_empty());
    let (pi, pd, pt) = (item.clone(), domain.clone(), to.clone());
    load(
        async move {
            let sharing = sharing(item, domain).await?;
            let preview = match pt.clone() {
                Some(to) => Some(share_preview(pi, pd, to).await?),
                None => None,
            };
            Ok((sharing, preview))
        },
        move |(s, preview)| view! { <ShareView s preview to/> },
    )
}

#[component]
fn ShareView(s: SharingData, preview: Option<Vec<PlanItem>>, to: Option<String>) -> impl IntoView {
    let subject = match &s.item {
        Some(i) => i.body.clone(),
        None => domain_name(&s.domain),
    };
    let family = s.family_id.clone();
    let (scope_name, scope_value) = match &s.item {
        Some(i) => ("item", i.id.clone()),
        None => ("domain", s.domain.clone()),
    };
    let scope_fields = move || view! { <Hidden name=scope_name value=scope_value.clone()/> };
    let scope_fields_2 = scope_fields.clone();
    let (family_1, family_2, family_3) = (family.clone(), family.clone(), family.clone());
    let hidden_now = s.item.as_ref().map(|i| i.only_us).unwrap_or(false);
    let seers: Vec<_> = s
        .seers
        .iter()
        .map(|x| {
            let why = match x.why.as_str() {
                "coach" => t("seen-by-coach-mandate"),
                _ => t_args(
                    "seen-by-share",
                    &[
                        ("purpose", x.purpose.clone().unwrap_or_default()),
                        ("until", day(x.until.as_deref())),
                    ],
                ),
            };
            let family = family_1.clone();
            let withdraw = x.share_id.clone().map(|id| {
                view! {
                    <PostForm action="/api/withdraw-share" class="inline-form">
                        <Hidden name="family" value=family.clone()/>
                        <Hidden name="share" value=id/>
                        <button type="submit" class="danger withdraw-share">{t("withdraw-share")}</button>
                    </PostForm>
                }
            });
            let on_item = x.on_item.clone().map(|body| {
                view! { <p class="muted seer-item">{t_args("seen-share-on-item", &[("item", body)])}</p> }
            });
            let paused = x.paused.then(|| {
                view! { <p class="notice seer-paused">{t("seen-share-paused")}</p> }
            });
            view! {
                <li class=if x.paused { "seer paused" } else { "seer" }>
                    <strong>{x.name.clone()}</strong>
                    <span class="why">" — "{why}</span>
                    {on_item}
                    {paused}
                    {withdraw}
                </li>
            }
        })
        .collect();
    // Paused shares are listed (to be found and withdrawn), but nobody
    // outside the family sees the item through them now.
    let earlier: Vec<_> = s
        .ended
        .iter()
        .map(|x| {
            let args = [
                ("purpose", x.purpose.clone().unwrap_or_default()),
                ("date", day(x.until.as_deref())),
            ];
            let why = if x.why == "withdrawn" {
                t_args("seen-earlier-withdrawn", &args)
            } else {
                t_args("seen-earlier-expired", &args)
            };
            let on_item = x.on_item.clone().map(|body| {
                view! { <p class="muted seer-item">{t_args("seen-share-on-item", &[("item", body)])}</p> }
            });
            view! {
                <li class="seer ended">
                    <strong>{x.name.clone()}</strong>
                    <span class="why">" — "{why}</span>
                    {on_item}
                </li>
            }
        })
        .collect();
    let earlier = (!earlier.is_empty()).then(|| {
        view! {
            <section class="card" id="earlier">
                <h2>{t("seen-earlier")}</h2>
                <ul class="plain-list">{earlier}</ul>
            </section>
        }
    });
    let nobody = (!s.seers.iter().any(|x| !x.paused))
        .then(|| view! { <p id="only-family">{t("seen-by-family-only")}</p> });
    let only_us = s.item.clone().map(|i| {
        let (on, label) = if i.only_us {
            ("0", t("only-us-off"))
        } else {
            ("1", t("only-us-on"))
        };
        let goal_note = s.hidden_by_goal.then(|| view! { <p class="muted">{t("only-us-by-goal")}</p> });
        let explain = if i.kind == ItemKind::Goal { t("only-us-explain-goal") } else { t("only-us-explain") };
        view! {
            <section class="card">
                <h2>{t("only-us-title")}</h2>
                <p>{explain}</p>
                {goal_note}
                <PostForm action="/api/only-us">
                    <Hidden name="family" value=family_2/>
                    <Hidden name="item" value=i.id.clone()/>
                    <Hidden name="on" value=on/>
                    <button type="submit" id="only-us-toggle" class=if on == "1" { "" } else { "secondary" }>{label}</button>
                </PostForm>
            </section>
        }
    });
    let recipients = {
        let mut v = Vec::new();
        if let Some(name) = &s.volunteer_name {
            v.push((
                "volunteer".to_string(),
                t_args("our-volunteer-named", &[("name", name.clone())]),
            ));
        }
        for o in &s.organisations {
            v.push((
                format!("org:{}", o.id),
                t_args("recipient-org", &[("name", o.name.clone())]),
            ));
        }
        for p in &s.people {
            v.push((
                format!("person:{}", p.id),
                format!(
                    "{} — {} ({})",
                    p.name,
                    t(&format!("role-{}", p.role)),
                    p.org_name
                ),
            ));
        }
        v
    };
    let chosen = to.clone().unwrap_or_default();
    let chosen_name = recipients
        .iter()
        .find(|(k, _)| *k == chosen)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let options: Vec<_> = recipients
        .into_iter()
        .map(|(k, n)| {
            let selected = k == chosen;
            view! { <option value=k selected=selected>{n}</option> }
        })
        .collect();
    let preview_view = preview.map(|items| {
        let lines: Vec<_> = items
            .iter()
            .map(|i| view! { <li class="preview-item">{domain_name(&i.domain)}": "<bdi lang=i.lang.clone()>{i.body.clone()}</bdi></li> })
            .collect();
        let empty = lines.is_empty().then(|| view! { <p>{t("preview-nothing")}</p> });
        view! {
            <section class="card" id="preview">
                <h2>{t_args("preview-title", &[("name", chosen_name.clone())])}</h2>
                {empty}
                <ul>{lines}</ul>
                <PostForm action="/api/share" class="stack">
                    <Hidden name="family" value=family_3/>
                    {scope_fields()}
                    <Hidden name="to" value=chosen.clone()/>
                    <label for="purpose">{t("share-purpose")}</label>
                    <p class="muted" id="purpose-hint">{t_args("share-purpose-read", &[("name", chosen_name.clone())])}</p>
                    <input type="text" name="purpose" id="purpose" required maxlength="500"
                        aria-describedby="purpose-hint"
                        value=crate::request::kept("/api/share", "purpose")/>
                    <label for="until">{t("share-until")}</label>
                    <input type="date" name="until" id="until" required min=s.today.clone()
                        value=crate::request::kept("/api/share", "until")/>
                    <button type="submit" id="share-confirm">{t("share-confirm")}</button>
                </PostForm>
            </section>
        }
    });
    let share_block = (!hidden_now).then(|| {
        view! {
            <section class="card">
                <h2>{t("share-title")}</h2>
                <form method="get" action="/plan/share" class="stack">
                    {scope_fields_2()}
                    <label for="to">{t("share-with")}</label>
                    <select name="to" id="to">{options}</select>
                    <button type="submit" class="secondary" id="share-preview">{t("share-preview")}</button>
                </form>
            </section>
            {preview_view}
        }
    });
    view! {
        <h1>{t("who-can-see-this")}</h1>
        <p class="lead" id="share-subject">{subject}</p>
        <FormError/>
        <section class="card">
            <h2>{t("seen-by-now")}</h2>
            <p class="muted">{t("seen-by-family-always")}</p>
            <ul class="plain-list">{seers}</ul>
            {nobody}
        </section>
        {only_us}
        {share_block}
        {earlier}
        <p><a class="nav-link" href="/plan">{t("back-to-plan")}</a></p>
    }
}

/// A day as the reader writes it ("31 december 2026").
fn day(iso: Option<&str>) -> String {
    iso.map(|d| crate::i18n::long_date(crate::lang::current_lang(), d))
        .unwrap_or_default()
}
