//! The bar at the top of every page: the name, and sign-out for someone
//! signed in.

use leptos::prelude::*;

use crate::components::page::PostForm;
use crate::lang::t;

#[component]
pub fn TopBar(signed_in: bool, #[prop(optional)] home: Option<&'static str>) -> impl IntoView {
    let home = home.unwrap_or("/");
    view! {
        <header class="top-bar">
            <a class="brand" href=home>{t("app-name")}</a>
            {signed_in.then(|| view! {
                <PostForm action="/api/sign-out" class="sign-out">
                    <button type="submit" class="secondary">{t("sign-out")}</button>
                </PostForm>
            })}
        </header>
    }
}
