//! "Onsplan on your home screen": how to add it, step by step, on Android
//! and on an iPhone, in the reader's language. Where the browser offers it
//! (Chrome on Android and on computers), a button installs it in one tap;
//! without JavaScript the steps are all there is, and they are enough.

use leptos::prelude::*;

use crate::lang::t;

#[component]
pub fn InstallPage() -> impl IntoView {
    let steps = |ids: &[&'static str]| {
        ids.iter()
            .map(|id| view! { <li>{t(id)}</li> })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="card" id="install">
            <h1>{t("install-title")}</h1>
            <p>{t("install-intro")}</p>
            // Shown by app.js: when the browser can install in one tap, and
            // once Onsplan runs from the home screen.
            <button type="button" id="install-now" data-install-now hidden>{t("install-button")}</button>
            <p class="saved" role="status" data-install-done hidden>{t("install-done")}</p>
        </section>
        <section class="card" id="install-android">
            <h2>{t("install-android-title")}</h2>
            <ol class="steps">{steps(&["install-android-1", "install-android-2", "install-android-3"])}</ol>
        </section>
        <section class="card" id="install-iphone">
            <h2>{t("install-iphone-title")}</h2>
            <ol class="steps">{steps(&["install-iphone-1", "install-iphone-2", "install-iphone-3", "install-iphone-4"])}</ol>
        </section>
        <p><a class="nav-link" href="/">{t("back-home")}</a></p>
    }
}
