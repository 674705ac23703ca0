//! The bar at the top of every page: the name, and sign-out for someone
//! signed in (a page that asks first, and says how to get back in).

use leptos::prelude::*;

use crate::lang::t;

#[component]
pub fn TopBar(signed_in: bool, #[prop(optional)] home: Option<&'static str>) -> impl IntoView {
    let home = home.unwrap_or("/");
    view! {
        <header class="top-bar">
            <a class="brand" href=home>{t("app-name")}</a>
            {signed_in.then(|| view! {
                <nav class="top-links">
                    <MessagesLink/>
                    <a class="button secondary" href="/settings" id="settings">{t("settings-title")}</a>
                    <a class="button secondary sign-out" href="/sign-out" id="sign-out">{t("sign-out")}</a>
                </nav>
            })}
        </header>
    }
}

/// "Messages", with how many the reader has not read (app.js keeps the
/// number current while the page is open).
#[component]
fn MessagesLink() -> impl IntoView {
    // On a thread's page, that thread is being read: the number is what
    // waits elsewhere.
    #[cfg(feature = "ssr")]
    let count = {
        let showing = use_context::<http::request::Parts>()
            .and_then(|p| p.uri.path().strip_prefix("/messages/").map(str::to_string));
        let context = crate::request::current();
        let state = crate::request::state();
        async move {
            match state {
                Ok(state) => crate::domain::messages::unread_except(
                    &state.db,
                    &context.caller,
                    showing.as_deref(),
                )
                .await
                .unwrap_or(0),
                Err(_) => 0,
            }
        }
    };
    #[cfg(not(feature = "ssr"))]
    let count = async { 0i64 };
    view! {
        <Suspense>
            {Suspend::new(async move {
                let n = count.await;
                let label = if n > 0 {
                    crate::lang::t_args("messages-link-unread", &[("count", n.to_string())])
                } else {
                    t("messages-title")
                };
                view! {
                    <a class="button secondary" href="/messages" id="messages-link" aria-label=label>
                        {t("messages-title")}
                        <span id="unread" class="badge" hidden={n == 0}>{n.to_string()}</span>
                    </a>
                }
            })}
        </Suspense>
    }
}
