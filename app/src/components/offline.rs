//! What a page says when it is not live: a copy the service worker kept,
//! shown without a connection ("saved on …, you are offline"), and the
//! note that a new version is ready. Both are on every page, hidden, in
//! the reader's language; `public/sw.js` and `public/app.js` unhide them.

use leptos::prelude::*;

use crate::lang::{t, t_args};

#[component]
pub fn PageNotes() -> impl IntoView {
    // The page's own time: a kept copy shows when it was made.
    let when = crate::request::state()
        .map(|s| crate::domain::clock::belgian_datetime(s.clock.now()))
        .unwrap_or_default();
    view! {
        <p class="card notice" id="offline-note" data-offline hidden role="status">
            {t_args("offline-saved", &[("when", when)])}
        </p>
        <p class="card notice" id="update-note" data-update hidden role="status">
            <span>{t("update-ready")}</span>" "
            <button type="button" class="secondary" data-update-reload>{t("update-reload")}</button>
        </p>
    }
}

/// Shown by the service worker for a page it has no copy of, offline.
#[component]
pub fn OfflinePage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>{t("offline-title")}</h1>
            <p>{t("offline-body")}</p>
            <p><a class="button" href="/plan">{t("offline-to-plan")}</a></p>
        </section>
    }
}
