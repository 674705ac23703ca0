//! Not found: unknown pages and anything outside the caller's reach look the same.

use leptos::prelude::*;

use crate::lang::t;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="card">
            <h1>{t("not-found-title")}</h1>
            <p>{t("not-found-body")}</p>
            <p><a class="button" href="/">{t("back-home")}</a></p>
        </section>
    }
}
