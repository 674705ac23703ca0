//! The front door: what Onsplan is, and the ways in. Someone signed in goes
//! straight to their own start page.

use leptos::prelude::*;

use crate::components::read_aloud::ReadAloud;
use crate::lang::{current_lang, t};

#[component]
pub fn Home() -> impl IntoView {
    if let Some(home) = crate::app::start_page() {
        leptos_axum::redirect(home);
    }
    let lang = current_lang();
    let intro = t("home-intro");
    view! {
        <section class="card">
            <h1>{t("app-name")}</h1>
            <p class="lead" id="home-intro">{intro.clone()}</p>
            <ReadAloud text=intro lang=lang.tag().to_string() label=t("read-aloud")/>
        </section>
        <section class="card stack">
            <p><a class="button" href="/join" id="join-link">{t("join-title")}</a></p>
            <p class="muted">{t("home-join-help")}</p>
            <p><a class="button secondary" href="/sign-in" id="sign-in-link">{t("sign-in-title")}</a></p>
        </section>
    }
}
