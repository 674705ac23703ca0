//! Joining a family by invite: the code (typed, or from the link or QR),
//! then a language (each named in its own script), then a name and, in
//! plain words, who the coach is and what accepting means. Opening the link
//! never uses the invite (chat apps open links for previews); only the last
//! button does. The same page takes a "new phone" code: it says whom it
//! lets back in, and one button starts a session as that member.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::error::AppError;
use crate::lang::{t, t_args, Lang};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InviteView {
    pub family_name: String,
    pub coach_name: Option<String>,
    pub org_name: String,
    /// `first` (joining is accepting the coach), `member` (a member of the
    /// family invited them), `confirm` (a member must confirm them),
    /// `new-phone` (a "new phone" code) or `yours` (the signed-in member
    /// used this code: they are in).
    pub kind: String,
    pub invited_by: Option<String>,
    /// For a "new phone" code: the member it lets back in.
    pub for_member: Option<String>,
}

/// What an invite is for, without using it.
#[server(endpoint = "invite-info")]
pub async fn invite_info(code: String) -> Result<InviteView, AppError> {
    use crate::domain::invites::{self, JoinKind};
    let state = crate::request::state()?;
    let context = crate::request::current();
    state.limits.invite(context.client)?;
    let info = invites::peek(
        &state.db,
        &state.secret,
        &context.caller,
        &code,
        state.clock.now(),
    )
    .await?;
    let kind = match info.kind {
        JoinKind::First => "first",
        JoinKind::InvitedByMember => "member",
        JoinKind::NeedsConfirmation => "confirm",
        JoinKind::NewPhone => "new-phone",
        JoinKind::AlreadyIn => {
            // Their own used invite, opened again: they belong on the plan.
            leptos_axum::redirect("/plan");
            "yours"
        }
    };
    Ok(InviteView {
        // Only the first member accepts the coach by joining, so only they
        // are told who the coach is; later members join the family's
        // choices as they stand.
        coach_name: (info.kind == JoinKind::First)
            .then_some(info.coach_name)
            .flatten(),
        org_name: info.org_name,
        family_name: info.family_name,
        kind: kind.into(),
        invited_by: info.invited_by,
        for_member: info.for_member,
    })
}

/// Uses a "new phone" code: a session on this phone as the member it
/// names (no new member). Limited per address like invites.
#[server(endpoint = "come-back")]
pub async fn come_back(code: String) -> Result<(), AppError> {
    use crate::domain::new_phone;
    let state = crate::request::state()?;
    let context = crate::request::current();
    state.limits.invite(context.client)?;
    let caller = new_phone::redeem(
        &state.db,
        &state.secret,
        &context.caller,
        &code,
        state.clock.now(),
    )
    .await?;
    crate::request::begin_session(&state, &caller).await?;
    leptos_axum::redirect("/plan");
    Ok(())
}

/// Uses the invite: the new member joins and stays signed in on this
/// phone. The first member accepts the coach (the base mandate) by
/// joining; someone the coach invited into a family that has members waits
/// for a member's yes.
#[server(endpoint = "join")]
pub async fn join(code: String, lang: String, name: String) -> Result<(), AppError> {
    use crate::domain::invites;
    let state = crate::request::state()?;
    let context = crate::request::current();
    state.limits.invite(context.client)?;
    let lang = Lang::from_tag(&lang).ok_or_else(|| AppError::bad("error-bad-input"))?;
    let now = state.clock.now();
    let caller = invites::redeem(
        &state.db,
        &state.secret,
        &context.caller,
        &code,
        &name,
        lang,
        now,
    )
    .await?;
    crate::request::begin_session(&state, &caller).await?;
    leptos_axum::redirect("/plan");
    Ok(())
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let query = use_query_map();
    let code = query
        .with_untracked(|q| q.get("code"))
        .filter(|c| !c.trim().is_empty());
    let lang = query
        .with_untracked(|q| q.get("lang"))
        .and_then(|l| Lang::from_tag(&l));
    match code {
        None => view! { <CodeForm lang/> }.into_any(),
        Some(code) => {
            let shown = code.clone();
            load(invite_info(code), move |invite| {
                match (invite.kind.as_str(), lang) {
                    ("yours", _) => view! { <AlreadyIn/> }.into_any(),
                    // A member coming back keeps the language they chose.
                    ("new-phone", _) => view! { <ComeBack code=shown invite/> }.into_any(),
                    (_, None) => view! { <ChooseLanguage code=shown/> }.into_any(),
                    (_, Some(lang)) => view! { <Confirm code=shown lang invite/> }.into_any(),
                }
            })
            .into_any()
        }
    }
}

#[component]
fn CodeForm(lang: Option<Lang>) -> impl IntoView {
    view! {
        <section class="card">
            <h1>{t("join-title")}</h1>
            <p>{t("join-code-intro")}</p>
            <p class="muted">{t("join-code-new-phone")}</p>
            <form method="get" action="/join" class="stack">
                {lang.map(|l| view! { <Hidden name="lang" value=l.tag()/> })}
                <label for="code">{t("join-code")}</label>
                <input type="text" name="code" id="code" autocomplete="off"
                    autocapitalize="characters" spellcheck="false" required maxlength="20"/>
                <button type="submit">{t("join-next")}</button>
            </form>
        </section>
    }
}

#[component]
fn ChooseLanguage(code: String) -> impl IntoView {
    let links: Vec<_> = Lang::ALL
        .iter()
        .map(|l| {
            let href = format!("/join?code={}&lang={}", urlencode(&code), l.tag());
            view! {
                <li>
                    <a class="button secondary lang-choice" href=href lang=l.tag() dir=l.dir()
                        hreflang=l.tag()>
                        {l.endonym()}
                    </a>
                </li>
            }
        })
        .collect();
    view! {
        <section class="card">
            <h1>{t("join-language")}</h1>
            <ul class="language-list">{links}</ul>
        </section>
    }
}

#[component]
fn Confirm(code: String, lang: Lang, invite: InviteView) -> impl IntoView {
    let coach = invite.coach_name.clone().unwrap_or_default();
    let explain = t_args(
        "join-accept-explain",
        &[("coach", coach.clone()), ("org", invite.org_name.clone())],
    );
    if invite.kind != "first" {
        // The family already chose its coach and what it shares: the
        // newcomer joins those choices, and does not make them anew.
        let note = match &invite.invited_by {
            Some(by) => t_args("join-invited-by-member", &[("name", by.clone())]),
            None => t("join-needs-confirmation"),
        };
        let button = if invite.kind == "member" {
            t("join-button")
        } else {
            t("join-ask-button")
        };
        return view! {
            <section class="card">
                <h1>{t_args("join-welcome", &[("family", invite.family_name.clone())])}</h1>
                <FormError/>
                <p id="join-note">{note}</p>
                <PostForm action="/api/join" class="stack">
                    <NameFields code lang/>
                    <button type="submit" id="accept">{button}</button>
                </PostForm>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card">
            <h1>{t_args("join-welcome", &[("family", invite.family_name.clone())])}</h1>
            <FormError/>
            <PostForm action="/api/join" class="stack">
                <NameFields code lang/>
                <h2>{t_args("join-your-coach", &[("coach", coach)])}</h2>
                <p id="accept-explain">{explain}</p>
                <ul class="plain-list">
                    <li>{t("join-accept-point-sees")}</li>
                    <li>{t("join-accept-point-hide")}</li>
                    <li>{t("join-accept-point-stop")}</li>
                </ul>
                <button type="submit" id="accept">{t("join-accept")}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

/// A "new phone" code: whom it lets back in, who made it, and the button.
#[component]
fn ComeBack(code: String, invite: InviteView) -> impl IntoView {
    let name = invite.for_member.clone().unwrap_or_default();
    let made = t_args(
        "new-phone-made-by",
        &[
            ("by", invite.invited_by.clone().unwrap_or_default()),
            ("family", invite.family_name.clone()),
            ("name", name.clone()),
        ],
    );
    view! {
        <section class="card">
            <h1>{t_args("new-phone-welcome", &[("name", name.clone())])}</h1>
            <FormError/>
            <p id="new-phone-note">{made}</p>
            <p class="muted">{t_args("new-phone-not-you", &[("name", name.clone())])}</p>
            <PostForm action="/api/come-back" class="stack">
                <Hidden name="code" value=code/>
                <button type="submit" id="come-back">{t_args("new-phone-button", &[("name", name)])}</button>
            </PostForm>
        </section>
    }
}

/// The signed-in member opened the code they used: they are in already.
#[component]
fn AlreadyIn() -> impl IntoView {
    view! {
        <section class="card">
            <h1>{t("join-already-in")}</h1>
            <p><a class="button" href="/plan">{t("back-to-plan")}</a></p>
        </section>
    }
}

/// The invite's code and language, and the newcomer's name.
#[component]
fn NameFields(code: String, lang: Lang) -> impl IntoView {
    view! {
        <Hidden name="code" value=code/>
        <Hidden name="lang" value=lang.tag()/>
        <label for="name">{t("join-name")}</label>
        <p class="muted">{t("join-name-help")}</p>
        <input type="text" name="name" id="name" required maxlength="80" autocomplete="given-name"
            value=crate::request::kept("/api/join", "name").or_else(|| crate::request::kept("/api/come-back", "name"))/>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
