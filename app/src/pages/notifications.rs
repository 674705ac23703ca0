//! Notifications on this device: the server functions the browser calls to
//! subscribe, choose kinds, ask for a test notice and stop; and where a
//! notice leads when it is opened.

use leptos::prelude::*;

use crate::error::AppError;

/// The signed-in person, the session token of this browser and the state.
#[cfg(feature = "ssr")]
fn this_device() -> Result<
    (
        crate::domain::AppState,
        crate::domain::access::Caller,
        String,
    ),
    AppError,
> {
    use crate::request::{cookie, signed_in, state, SESSION_COOKIE};
    let state = state()?;
    let caller = signed_in()?;
    let token = use_context::<http::request::Parts>()
        .and_then(|parts| cookie(&parts.headers, SESSION_COOKIE))
        .ok_or(AppError::SignedOut)?;
    Ok((state, caller, token))
}

/// `kinds_off` as sent by a form or a script: kind names separated by commas.
#[cfg(feature = "ssr")]
fn parse_kinds(text: &str) -> Result<Vec<crate::domain::push::Kind>, AppError> {
    use crate::domain::push::Kind;
    text.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            Kind::parse(k)
                .filter(|k| Kind::CHOOSABLE.contains(k))
                .ok_or_else(|| AppError::bad("error-bad-input"))
        })
        .collect()
}

/// The key this server's notices are signed with (the browser subscribes
/// with it).
#[server(endpoint = "push-key")]
pub async fn push_key() -> Result<String, AppError> {
    let (state, _, _) = this_device()?;
    Ok(state.push.public_key().to_string())
}

/// This device says yes to notices, for the kinds not in `kinds_off`, in
/// the language of this page.
#[server(endpoint = "push-subscribe")]
pub async fn push_subscribe(
    endpoint: String,
    p256dh: String,
    auth: String,
    kinds_off: String,
) -> Result<(), AppError> {
    use crate::domain::push::{self, NewSubscription};
    let (state, caller, token) = this_device()?;
    if p256dh.len() > 200 || auth.len() > 100 || kinds_off.len() > 200 {
        return Err(AppError::bad("error-bad-input"));
    }
    let kinds = parse_kinds(&kinds_off)?;
    let sub = NewSubscription {
        endpoint,
        p256dh,
        auth,
    };
    let device = crate::request::device_token(&state);
    push::subscribe(
        &state.db,
        &state.push,
        &caller,
        &token,
        &device,
        crate::request::current().lang,
        &sub,
        &kinds,
        state.clock.now(),
    )
    .await
}

/// This device wants no more notices.
#[server(endpoint = "push-unsubscribe")]
pub async fn push_unsubscribe(endpoint: String) -> Result<(), AppError> {
    let (state, caller, _) = this_device()?;
    crate::domain::push::unsubscribe(&state.db, &caller, &endpoint).await
}

/// The kinds this device turned off (comma-separated); `NotFound` when this
/// device has no subscription of the signed-in person.
#[server(endpoint = "push-settings")]
pub async fn push_settings(endpoint: String) -> Result<String, AppError> {
    let (state, caller, token) = this_device()?;
    let off = crate::domain::push::kinds_off(&state.db, &caller, &endpoint)
        .await?
        .ok_or(AppError::NotFound)?;
    let device = crate::request::device_token(&state);
    crate::domain::push::renew(&state.db, &caller, &endpoint, &token, &device).await?;
    Ok(off.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","))
}

/// A test notice to this device.
#[server(endpoint = "push-test")]
pub async fn push_test(endpoint: String) -> Result<(), AppError> {
    let (state, caller, _) = this_device()?;
    crate::domain::push::send_test(&state.db, &caller, &endpoint, state.clock.now()).await
}
