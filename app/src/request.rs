//! What the server knows about the request being served: who is calling
//! (resolved from the session by a middleware in the server crate) and in
//! which language to answer. It lives for one request only.

use http::HeaderMap;

use crate::domain::access::{Caller, FamilyAccess};
use crate::domain::AppState;
use crate::error::AppError;
use crate::lang::Lang;

pub const SESSION_COOKIE: &str = "onsplan_session";
/// Names this browser for its notices (a random token, set when it
/// subscribes; the store keeps its hash): see `push::follow_sign_in`.
pub const DEVICE_COOKIE: &str = "onsplan_device";
/// How long a browser keeps its device cookie: the longest browsers allow.
const DEVICE_COOKIE_SECONDS: i64 = 400 * 86_400;

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub caller: Caller,
    pub lang: Lang,
    /// The client's address, for limits on guessing only (never logged).
    pub client: Option<std::net::IpAddr>,
}

impl RequestContext {
    pub fn anonymous(lang: Lang) -> Self {
        RequestContext {
            caller: Caller::Anonymous,
            lang,
            client: None,
        }
    }
}

/// What was typed into a form that the server refused, put back into the
/// form when the browser comes back to it (`?__err=`), so nobody types it
/// all again. Set by a layer in the server crate; passwords are never kept.
#[derive(Debug, Clone, Default)]
pub struct KeptForm {
    /// The form's action, e.g. `/api/ask`: only that form gets the values.
    pub action: String,
    pub fields: Vec<(String, String)>,
}

/// The value typed into field `name` of the refused form posting to
/// `action`, if the page is showing that refusal.
pub fn kept(action: &str, name: &str) -> Option<String> {
    leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| {
        let form = parts.extensions.get::<KeptForm>()?;
        (form.action == action)
            .then(|| {
                form.fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
            .flatten()
    })
}

/// As [`kept`], but only when the form's field `key` had the value
/// `value` (one of several forms to the same action on a page, such as
/// "add an action" under each goal).
pub fn kept_where(action: &str, key: &str, value: &str, name: &str) -> Option<String> {
    (kept(action, key).as_deref() == Some(value))
        .then(|| kept(action, name))
        .flatten()
}

/// Every value typed into field `name` (checkboxes) of the refused form to
/// `action` whose field `key` had the value `value`.
pub fn kept_all_where(action: &str, key: &str, value: &str, name: &str) -> Vec<String> {
    if kept(action, key).as_deref() != Some(value) {
        return Vec::new();
    }
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| {
            let form = parts.extensions.get::<KeptForm>()?;
            Some(
                form.fields
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .collect(),
            )
        })
        .unwrap_or_default()
}

/// The current request's context, inside a page render or a server function.
pub fn current() -> RequestContext {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestContext>().cloned())
        .unwrap_or_else(|| RequestContext::anonymous(Lang::NlBe))
}

/// The shared state (store, clock, key) inside a server function.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)
}

/// The caller, or `SignedOut`.
pub fn signed_in() -> Result<Caller, AppError> {
    match current().caller {
        Caller::Anonymous => Err(AppError::SignedOut),
        caller => Ok(caller),
    }
}

/// Opens a family for the current caller (see `FamilyAccess::open`).
pub async fn open_family(family_id: &str) -> Result<(AppState, FamilyAccess), AppError> {
    let state = state()?;
    let caller = signed_in()?;
    if !crate::domain::ids::looks_like_id(family_id) {
        return Err(AppError::NotFound);
    }
    let access = FamilyAccess::open(&state.db, &caller, family_id, state.clock.now()).await?;
    Ok((state, access))
}

/// Opens the signed-in member's own family.
pub async fn open_own_family() -> Result<(AppState, FamilyAccess), AppError> {
    let caller = signed_in()?;
    let family = caller
        .as_member()
        .map(|m| m.family_id().to_string())
        .ok_or(AppError::NotFound)?;
    open_family(&family).await
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value for a session (or, with `None`, one that ends it).
pub fn session_cookie(token: Option<&str>, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// This browser's device token, making one (and its cookie) if it has none.
pub fn device_token(state: &AppState) -> String {
    let sent = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| cookie(&parts.headers, DEVICE_COOKIE))
        .filter(|t| crate::domain::accounts::is_token(t));
    if let Some(token) = sent {
        return token;
    }
    let token = crate::domain::accounts::random_token();
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    set_cookie(&format!(
        "{DEVICE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={DEVICE_COOKIE_SECONDS}{secure}"
    ));
    token
}

/// Starts a session for `caller` and sets its cookie on the response.
pub async fn begin_session(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    use crate::domain::accounts::{self, MEMBER_SESSION_SECONDS, STAFF_SESSION_SECONDS};
    let token = accounts::start_session(&state.db, caller, state.clock.now()).await?;
    if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() {
        // This browser's notices follow the new sign-in (or end, if it is
        // someone else's) …
        if let Some(device) = cookie(&parts.headers, DEVICE_COOKIE) {
            crate::domain::push::follow_sign_in(&state.db, &device, caller, &token).await?;
        }
        // … and a new id at every sign-in: an old cookie of this browser
        // ends (its notices stay with the same person's new sign-in).
        if let Some(old) = cookie(&parts.headers, SESSION_COOKIE) {
            crate::domain::push::follow_session(&state.db, &old, caller, &token).await?;
            accounts::end_session(&state.db, &old).await?;
        }
    }
    let max_age = match caller {
        Caller::Member(_) => MEMBER_SESSION_SECONDS,
        _ => STAFF_SESSION_SECONDS,
    };
    set_cookie(&session_cookie(
        Some(&token),
        max_age,
        state.public_url.starts_with("https://"),
    ));
    Ok(())
}

pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Sets the HTTP status of the page being rendered.
pub fn set_status(status: u16) {
    if let (Some(response), Ok(code)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(code);
    }
}
