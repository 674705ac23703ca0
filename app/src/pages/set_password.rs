//! A staff member sets their own password through the one-time link the
//! operator gave them (`onsplan admin create-staff` / `new-link`). Nobody
//! else ever chooses or sees it. Using the link signs them in.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::error::AppError;
use crate::lang::t;

/// Whether the link still works (for showing its form).
#[server(endpoint = "password-link")]
pub async fn password_link(token: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    if crate::domain::accounts::password_link_valid(&state.db, &token, state.clock.now()).await? {
        Ok(())
    } else {
        Err(AppError::bad("error-link-invalid"))
    }
}

/// Sets the password, once, and signs the account in.
#[server(endpoint = "set-password")]
pub async fn set_password(token: String, password: String, repeat: String) -> Result<(), AppError> {
    use crate::domain::access::Caller;
    use crate::domain::accounts;
    use crate::request::{begin_session, state};
    if password != repeat {
        return Err(AppError::bad("error-password-mismatch"));
    }
    let state = state()?;
    let staff_id =
        match accounts::set_password_with_link(&state.db, &token, &password, state.clock.now())
            .await
        {
            Err(AppError::NotFound) => return Err(AppError::bad("error-link-invalid")),
            other => other?,
        };
    let caller = Caller::staff(&state.db, &staff_id).await?;
    begin_session(&state, &caller).await?;
    leptos_axum::redirect("/families");
    Ok(())
}

#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let token = use_params_map()
        .with_untracked(|p| p.get("token"))
        .unwrap_or_default();
    let shown = token.clone();
    load(password_link(token), move |()| {
        view! {
            <section class="card">
                <h1>{t("set-password-title")}</h1>
                <p class="muted">{t("set-password-intro")}</p>
                <FormError/>
                <PostForm action="/api/set-password" class="stack">
                    <Hidden name="token" value=shown/>
                    <label for="password">{t("set-password-new")}</label>
                    <input type="password" name="password" id="password" autocomplete="new-password" minlength="10" required/>
                    <label for="repeat">{t("set-password-repeat")}</label>
                    <input type="password" name="repeat" id="repeat" autocomplete="new-password" minlength="10" required/>
                    <button type="submit" id="set-password">{t("set-password-button")}</button>
                </PostForm>
            </section>
        }
    })
}
