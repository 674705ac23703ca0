//! Settings, for everyone signed in: the language; notifications on this
//! device, kind by kind, with a test notice; where one is signed in, with
//! "sign out everywhere else". Notifications need the page's script
//! (`public/app.js`) and a browser that has them; the rest is plain forms.

use leptos::prelude::*;

use crate::components::page::{load, FormError, PostForm};
use crate::error::AppError;
use crate::lang::{t, t_args};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SettingsData {
    /// The key browsers subscribe with.
    pub push_key: String,
    /// The kinds of notice this person can get (none for a coordinator).
    pub kinds: Vec<String>,
    pub devices: Vec<DeviceLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceLine {
    pub since: String,
    pub current: bool,
    pub notifications: bool,
}

#[server(endpoint = "settings")]
pub async fn settings() -> Result<SettingsData, AppError> {
    use crate::domain::access::{Caller, StaffRole};
    use crate::domain::{accounts, push::Kind};
    use crate::request::{cookie, signed_in, state, SESSION_COOKIE};
    let state = state()?;
    let caller = signed_in()?;
    let token = use_context::<http::request::Parts>()
        .and_then(|parts| cookie(&parts.headers, SESSION_COOKIE))
        .ok_or(AppError::SignedOut)?;
    let kinds: &[Kind] = match &caller {
        Caller::Member(_) => &[Kind::Question, Kind::Plan, Kind::Joined, Kind::Evaluation],
        Caller::Staff(s) if s.role() == StaffRole::Coach => {
            &[Kind::Answer, Kind::Consent, Kind::Evaluation]
        }
        Caller::Staff(s) if s.role() == StaffRole::Coordinator => &[],
        _ => &[Kind::Consent],
    };
    let devices = accounts::sessions_of(&state.db, &caller, &token, state.clock.now())
        .await?
        .into_iter()
        .map(|d| DeviceLine {
            since: crate::i18n::date_time(crate::lang::current_lang(), d.since),
            current: d.current,
            notifications: d.notifications,
        })
        .collect();
    Ok(SettingsData {
        push_key: state.push.public_key().to_string(),
        kinds: kinds.iter().map(|k| k.as_str().to_string()).collect(),
        devices,
    })
}

/// Signs out every other browser and phone of this person.
#[server(endpoint = "sign-out-elsewhere")]
pub async fn sign_out_elsewhere() -> Result<(), AppError> {
    use crate::request::{cookie, signed_in, state, SESSION_COOKIE};
    let state = state()?;
    let caller = signed_in()?;
    let token = use_context::<http::request::Parts>()
        .and_then(|parts| cookie(&parts.headers, SESSION_COOKIE))
        .ok_or(AppError::SignedOut)?;
    crate::domain::accounts::end_other_sessions(&state.db, &caller, &token).await?;
    leptos_axum::redirect("/settings?done=elsewhere#devices");
    Ok(())
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let done = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("done"))
        .is_some_and(|d| d == "elsewhere");
    load(settings(), move |data| {
        view! {
            <section class="card">
                <h1>{t("settings-title")}</h1>
            </section>
            <FormError/>
            <crate::pages::plan::LanguageForm/>
            {(!data.kinds.is_empty()).then(|| view! {
                <Notifications push_key=data.push_key kinds=data.kinds/>
            })}
            <Devices devices=data.devices done/>
            <section class="card">
                <p><a class="nav-link" href="/install" id="install-link">{t("install-title")}</a></p>
            </section>
        }
    })
}

/// Notifications on this device. Every state's words are on the page, in
/// the reader's language; the script only shows the one that applies.
#[component]
fn Notifications(push_key: String, kinds: Vec<String>) -> impl IntoView {
    let boxes: Vec<_> = kinds
        .into_iter()
        .map(|k| {
            let id = format!("kind-{k}");
            view! {
                <label class="check">
                    <input type="checkbox" name="kind" value=k.clone() id=id checked/>
                    <span>{t(&format!("notify-kind-{k}"))}</span>
                </label>
            }
        })
        .collect();
    view! {
        <section class="card" id="notifications" data-push-key=push_key>
            <h2>{t("notify-title")}</h2>
            <p>{t("notify-intro")}</p>
            <p class="muted" data-push-state="nojs">{t("notify-need-script")}</p>
            <p class="notice" data-push-state="unsupported" hidden>{t("notify-unsupported")}</p>
            <p class="notice" data-push-state="ios" hidden>{t("notify-ios")}</p>
            <p class="notice" data-push-state="blocked" hidden>{t("notify-blocked")}</p>
            <p class="saved" data-push-state="on" role="status" hidden>{t("notify-on")}</p>
            <form data-push-form hidden class="stack" onsubmit="return false">
                <fieldset class="stack">
                    <legend>{t("notify-which")}</legend>
                    {boxes}
                </fieldset>
                <p class="muted">{t_args("notify-keep", &[("days", crate::model::TOLD_AFTER_SIGN_IN_DAYS.to_string())])}</p>
                <button type="button" data-push-action="on" id="notify-on">{t("notify-turn-on")}</button>
                <button type="button" data-push-action="save" class="secondary" hidden>{t("save")}</button>
                <button type="button" data-push-action="test" class="secondary" hidden id="notify-test">{t("notify-test")}</button>
                <button type="button" data-push-action="off" class="secondary" hidden>{t("notify-turn-off")}</button>
                <p role="status" aria-live="polite" data-push-message></p>
                <span hidden data-push-text="saved">{t("notify-saved")}</span>
                <span hidden data-push-text="test">{t("notify-test-sent")}</span>
                <span hidden data-push-text="off">{t("notify-off")}</span>
                <span hidden data-push-text="failed">{t("notify-failed")}</span>
            </form>
        </section>
    }
}

#[component]
fn Devices(devices: Vec<DeviceLine>, done: bool) -> impl IntoView {
    let others = devices.iter().filter(|d| !d.current).count();
    let lines: Vec<_> = devices
        .into_iter()
        .map(|d| {
            view! {
                <li>
                    <span>{t_args("devices-since", &[("when", d.since)])}</span>
                    {d.current.then(|| view! { <strong>" · "{t("devices-this")}</strong> })}
                    {d.notifications.then(|| view! { <span class="muted">" · "{t("devices-notifications")}</span> })}
                </li>
            }
        })
        .collect();
    view! {
        <section class="card" id="devices">
            <h2>{t("devices-title")}</h2>
            {done.then(|| view! { <p class="saved" role="status">{t("devices-signed-out-elsewhere")}</p> })}
            <ul class="plain-list">{lines}</ul>
            {(others > 0).then(|| view! {
                <PostForm action="/api/sign-out-elsewhere">
                    <button type="submit" class="secondary" id="sign-out-elsewhere">{t("devices-sign-out-elsewhere")}</button>
                </PostForm>
            })}
        </section>
    }
}
