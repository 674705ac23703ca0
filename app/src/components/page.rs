//! How a page loads its data: on the server, before the first byte is sent
//! (routes render in `SsrMode::Async`), so the status code is right and the
//! page is whole without JavaScript. Errors become a page of their own in
//! the reader's language.

use std::future::Future;

use leptos::prelude::*;

use crate::error::AppError;
use crate::lang::t;

/// Renders `ok(data)` once `load` is done, or the page for its error.
pub fn load<T, Fut, V>(load: Fut, ok: impl FnOnce(T) -> V + Send + 'static) -> impl IntoView
where
    T: Send + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load.await {
                    Ok(data) => ok(data).into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A whole page for an error, with its HTTP status.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    crate::request::set_status(error.status());
    let (title, body) = match &error {
        AppError::NotFound => (t("not-found-title"), t("not-found-body")),
        AppError::SignedOut => (t("signed-out-title"), t("error-signed-out")),
        AppError::Waiting => (t("member-waiting-title"), t("error-member-waiting")),
        other => (t("problem-title"), t(&shown_error_id(other.message_id()))),
    };
    let signed_out = error == AppError::SignedOut;
    view! {
        <section class="card error-page">
            <h1>{title}</h1>
            <p>{body}</p>
            {signed_out.then(|| view! {
                <p><a class="button" href="/join">{t("join-title")}</a></p>
                <p><a class="button secondary" href="/sign-in">{t("sign-in-title")}</a></p>
            })}
            <p><a class="nav-link" href="/">{t("back-home")}</a></p>
        </section>
    }
}

/// The message of a failed form post, which the server puts in the address
/// (`__err`) when it sends the browser back to the form without JavaScript.
#[component]
pub fn FormError() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let message = query.with_untracked(|q| q.get("__err")).map(|encoded| {
        let error: AppError = server_fn::error::ServerFnUrlError::<AppError>::decode_err(&encoded);
        t(&shown_error_id(error.message_id()))
    });
    message.map(|m| {
        view! { <p class="card error" role="alert" id="form-error">{m}</p> }
    })
}

/// The message id to show for an error. The address of a page can be
/// crafted by anyone, so only our own error messages are shown; any other
/// id (or text) becomes the general "something is not right".
pub fn shown_error_id(id: &str) -> String {
    if id.starts_with("error-") && crate::i18n::exists(id) {
        id.to_string()
    } else {
        "error-bad-input".to_string()
    }
}

/// A plain HTML form that posts to a server function; it works the same
/// with and without JavaScript.
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(optional, into)] class: String,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=action class=class>
            {children()}
        </form>
    }
}

/// A hidden field.
#[component]
pub fn Hidden(name: &'static str, #[prop(into)] value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value/> }
}
