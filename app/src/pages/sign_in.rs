//! Sign-in for staff (email and password), sign-out for everyone, and the
//! language switch of a signed-in account.

use leptos::prelude::*;

use crate::components::page::{FormError, PostForm};
use crate::error::AppError;
use crate::lang::t;

/// Signs a staff member in: a new session (and a new cookie) every time.
#[server(endpoint = "sign-in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::domain::access::Caller;
    use crate::domain::accounts;
    use crate::request::{begin_session, state};
    if email.len() > 320 || password.len() > 1024 {
        return Err(AppError::bad("error-sign-in"));
    }
    let state = state()?;
    state
        .limits
        .sign_in(&email, crate::request::current().client)?;
    let staff_id = accounts::check_login(&state.db, &email, &password)
        .await?
        .ok_or_else(|| AppError::bad("error-sign-in"))?;
    let caller = Caller::staff(&state.db, &staff_id).await?;
    begin_session(&state, &caller).await?;
    leptos_axum::redirect("/families");
    Ok(())
}

/// Ends the session of this browser.
#[server(endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::domain::accounts;
    use crate::request::{
        cookie, session_cookie, set_cookie, state, DEVICE_COOKIE, SESSION_COOKIE,
    };
    let state = state()?;
    if let Some(parts) = use_context::<http::request::Parts>() {
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            accounts::end_session(&state.db, &token).await?;
        }
        if let Some(device) = cookie(&parts.headers, DEVICE_COOKIE) {
            crate::domain::push::forget_device(&state.db, &device).await?;
        }
    }
    set_cookie(&session_cookie(
        None,
        0,
        state.public_url.starts_with("https://"),
    ));
    // A shared phone or office computer keeps nothing of what was shown:
    // the browser drops its cached pages and stored data for this site.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::HeaderName::from_static("clear-site-data"),
            http::HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
        );
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// A signed-in person picks the language Onsplan speaks to them.
#[server(endpoint = "set-language")]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    use crate::domain::accounts;
    use crate::lang::Lang;
    use crate::request::{signed_in, state};
    let lang = Lang::from_tag(&lang).ok_or_else(|| AppError::bad("error-bad-input"))?;
    let state = state()?;
    accounts::set_language(&state.db, &signed_in()?, lang).await
}

#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        // Families first: they sign in with a passkey, staff with a password.
        <crate::pages::passkey::PasskeySignIn/>
        <section class="card">
            <h1>{t("sign-in-title")}</h1>
            <p class="muted">{t("sign-in-intro")}</p>
            <FormError/>
            <PostForm action="/api/sign-in" class="stack">
                <label for="email">{t("sign-in-email")}</label>
                <input type="email" name="email" id="email" autocomplete="username" required
                    value=crate::request::kept("/api/sign-in", "email")/>
                <label for="password">{t("sign-in-password")}</label>
                <input type="password" name="password" id="password" autocomplete="current-password" required/>
                <button type="submit" id="sign-in">{t("sign-in-button")}</button>
            </PostForm>
            <p><a class="nav-link" href="/join">{t("join-instead")}</a></p>
        </section>
    }
}
