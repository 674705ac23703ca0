//! Not found: unknown pages and anything outside the caller's reach look the same.

use leptos::prelude::*;

use crate::lang::t;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::request::set_status(404);
    view! {
        <section class="card">
            <h1>{t("not-found-title")}</h1>
            <p>{t("not-found-body")}</p>
            <p><a class="button" href="/">{t("back-home")}</a></p>
        </section>
    }
}
