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
        .map(|s| crate::i18n::date_time(crate::lang::current_lang(), s.clock.now()))
        .unwrap_or_default();
    // "Saved", in plain words, after a change (the server sends the
    // person back with `?saved=…`).
    // Not after a refused form (sent back to a page that said "saved").
    let (saved, refused) = leptos_router::hooks::use_query_map()
        .with_untracked(|q| (q.get("saved"), q.get("__err").is_some()));
    let saved = saved.filter(|_| !refused);
    let hidden = saved.is_none();
    let saved_text = match saved.as_deref() {
        Some("answer") => Some(t("saved-answer")),
        Some(_) => Some(t("saved-note")),
        None => None,
    };
    view! {
        <p class="card saved" id="saved-note" role="status" hidden=hidden>{saved_text}</p>
        // An answer made offline, kept on the phone (public/app.js).
        <p class="card notice" id="outbox-waiting" data-outbox="waiting" hidden role="status">{t("outbox-waiting")}</p>
        <p class="card error" id="outbox-refused" data-outbox="refused" hidden role="alert">{t("outbox-refused")}</p>
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
