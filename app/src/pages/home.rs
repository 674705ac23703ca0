//! The front door: what Onsplan is, and the ways in.

use leptos::prelude::*;

use crate::components::read_aloud::ReadAloud;
use crate::lang::{current_lang, t};

#[component]
pub fn Home() -> impl IntoView {
    let lang = current_lang();
    let intro = t("home-intro");
    view! {
        <section class="card">
            <h1>{t("app-name")}</h1>
            <p class="lead" id="home-intro">{intro.clone()}</p>
            <ReadAloud text=intro lang=lang.tag().to_string() label=t("read-aloud")/>
        </section>
    }
}
