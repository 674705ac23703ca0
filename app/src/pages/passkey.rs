//! Passkeys in the pages: a member adds one (a card on "Our plan"), and
//! anyone of a family signs in with one (a button on the sign-in page).
//! The ceremony runs in `public/passkey.js`, which shows the buttons only
//! where the browser can make passkeys; without JavaScript the page says
//! how else to get back in.

use leptos::prelude::*;

use crate::error::AppError;
use crate::lang::t;

/// The ceremony's id and the options for the browser, as JSON.
#[cfg(feature = "ssr")]
fn ceremony_json(id: String, options: impl serde::Serialize) -> Result<String, AppError> {
    serde_json::to_string(&serde_json::json!({ "ceremony": id, "options": options }))
        .map_err(|_| AppError::Internal)
}

#[cfg(feature = "ssr")]
fn relying_party(
    state: &crate::domain::AppState,
) -> Result<webauthn_rs::prelude::Webauthn, AppError> {
    crate::domain::passkeys::relying_party(&state.public_url)
        .ok_or_else(|| AppError::bad("error-passkey-host"))
}

#[server(endpoint = "passkey-add-start")]
pub async fn passkey_add_start() -> Result<String, AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    let rp = relying_party(&state)?;
    let (id, options) =
        crate::domain::passkeys::start_registration(&state.db, &rp, &state.secret, &access).await?;
    ceremony_json(id, options)
}

#[server(endpoint = "passkey-add-finish")]
pub async fn passkey_add_finish(ceremony: String, credential: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    if credential.len() > 16_384 {
        return Err(AppError::bad("error-passkey"));
    }
    let rp = relying_party(&state)?;
    crate::domain::passkeys::finish_registration(
        &state.db,
        &rp,
        &state.secret,
        &access,
        &ceremony,
        &credential,
    )
    .await
}

#[server(endpoint = "passkey-sign-in-start")]
pub async fn passkey_sign_in_start() -> Result<String, AppError> {
    let state = crate::request::state()?;
    state.limits.invite(crate::request::current().client)?;
    let rp = relying_party(&state)?;
    let (id, options) =
        crate::domain::passkeys::start_sign_in(&state.db, &rp, state.clock.now()).await?;
    ceremony_json(id, options)
}

/// Signs the member in on this phone (a new session).
#[server(endpoint = "passkey-sign-in-finish")]
pub async fn passkey_sign_in_finish(ceremony: String, credential: String) -> Result<(), AppError> {
    use crate::domain::access::Caller;
    let state = crate::request::state()?;
    state.limits.invite(crate::request::current().client)?;
    if credential.len() > 16_384 {
        return Err(AppError::bad("error-passkey"));
    }
    let rp = relying_party(&state)?;
    let member_id = crate::domain::passkeys::finish_sign_in(
        &state.db,
        &rp,
        &ceremony,
        &credential,
        state.clock.now(),
    )
    .await?;
    // A member the family refused or removed has no caller: no way in.
    let caller = Caller::member(&state.db, &member_id).await?;
    crate::request::begin_session(&state, &caller).await
}

/// The card on "Our plan": add a passkey to come back easily. At the top
/// while the member has none (right after joining), else among the
/// settings at the bottom (`settings`).
#[component]
pub fn PasskeyCard(count: i64, settings: bool) -> impl IntoView {
    ((count == 0) != settings).then(|| {
        view! {
            <section class="card" id="passkey">
                <h2>{t("passkey-title")}</h2>
                <p>{if count == 0 { t("passkey-none") } else { t("passkey-some") }}</p>
                <p class="passkey-done" hidden>{t("passkey-added")}</p>
                <p class="passkey-error" hidden>{t("error-passkey")}</p>
                <button type="button" data-passkey="add" hidden>{t("passkey-add")}</button>
                <noscript><p class="muted">{t("passkey-no-script")}</p></noscript>
            </section>
        }
    })
}

/// The button on the sign-in page, for members of a family.
#[component]
pub fn PasskeySignIn() -> impl IntoView {
    view! {
        <section class="card" id="passkey-sign-in">
            <h2>{t("passkey-sign-in-title")}</h2>
            <p class="passkey-error" hidden>{t("error-passkey")}</p>
            <button type="button" data-passkey="sign-in" hidden>{t("passkey-sign-in")}</button>
            <p class="muted">{t("passkey-sign-in-help")}</p>
        </section>
    }
}
