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
                    <a class="button secondary" href="/settings" id="settings">{t("settings-title")}</a>
                    <a class="button secondary sign-out" href="/sign-out" id="sign-out">{t("sign-out")}</a>
                </nav>
            })}
        </header>
    }
}
