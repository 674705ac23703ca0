//! "Sign out?": before signing out, the plain words on how to get back in
//! (a member: a "new phone" code from another member, or from the coach;
//! staff: their email and password). The button posts to `/api/sign-out`.

use leptos::prelude::*;

use crate::components::page::PostForm;
use crate::domain::access::Caller;
use crate::lang::t;

#[component]
pub fn SignOutPage() -> impl IntoView {
    let (explain, back) = match crate::request::current().caller {
        Caller::Member(_) => ("sign-out-member-explain", "/plan"),
        Caller::Staff(_) => ("sign-out-staff-explain", "/families"),
        Caller::Anonymous => {
            return view! {
                <section class="card">
                    <h1>{t("signed-out-title")}</h1>
                    <p><a class="nav-link" href="/">{t("back-home")}</a></p>
                </section>
            }
            .into_any()
        }
    };
    view! {
        <section class="card">
            <h1>{t("sign-out-title")}</h1>
            <p id="sign-out-explain">{t(explain)}</p>
            <PostForm action="/api/sign-out">
                <button type="submit" id="confirm-sign-out">{t("sign-out-confirm")}</button>
            </PostForm>
            <p><a class="button secondary" href=back>{t("cancel")}</a></p>
        </section>
    }
    .into_any()
}
