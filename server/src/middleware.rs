//! Layers around every request: who is calling and in which language, the
//! cross-site request check, HTTP status of server-function errors, and
//! security headers.

use axum::body::{to_bytes, Body};
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use onsplan_app::domain::accounts;
use onsplan_app::domain::AppState;
use onsplan_app::error::AppError;
use onsplan_app::lang::Lang;
use onsplan_app::request::{cookie, RequestContext, SESSION_COOKIE};

/// Resolves the caller (from the session cookie) and the language (the
/// account's choice; else `?lang=` for someone not signed in, such as a
/// family member choosing a language while joining; else Accept-Language)
/// once per request. Nothing is cached across requests: a withdrawn consent
/// or an ended session counts at once.
pub async fn request_context(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let negotiated = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or(Lang::NlBe);
    let chosen = request.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::from_tag(v))
    });
    let token = cookie(request.headers(), SESSION_COOKIE);
    let session = match token {
        Some(token) => {
            match accounts::resolve_session(&state.db, &token, state.clock.now()).await {
                Ok(found) => found,
                Err(_) => {
                    let body = serde_json::to_string(&AppError::Internal).unwrap_or_default();
                    return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
                }
            }
        }
        None => None,
    };
    let client = client_address(&request, state.trusted_proxy);
    let context = match session {
        Some((caller, lang)) => RequestContext {
            caller,
            lang,
            client,
        },
        None => RequestContext {
            client,
            ..RequestContext::anonymous(chosen.unwrap_or(negotiated))
        },
    };
    request.extensions_mut().insert(context);
    next.run(request).await
}

/// The client's address: the peer, or for requests from the trusted
/// reverse proxy, the last address it added to `X-Forwarded-For`.
fn client_address(request: &Request, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if Some(peer) != trusted_proxy {
        return Some(peer);
    }
    request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .or(Some(peer))
}

/// Refuses state-changing requests that a browser marks as cross-site
/// (Sec-Fetch-Site), or whose Origin is not this host. This follows Go's
/// `http.CrossOriginProtection`, with one step more: a request that
/// carries a session cookie but neither header is refused too. Every
/// browser in use sends one of them; a request with someone's cookie and
/// neither is not one we can vouch for.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let headers = request.headers();
    let unvouched = !headers.contains_key("sec-fetch-site")
        && !headers.contains_key(header::ORIGIN)
        && cookie(headers, SESSION_COOKIE).is_some();
    if safe || (!unvouched && is_same_origin(&request)) {
        return next.run(request).await;
    }
    let body = serde_json::to_string(&AppError::Forbidden).unwrap_or_default();
    (StatusCode::FORBIDDEN, body).into_response()
}

fn is_same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            origin
                .split_once("://")
                .map(|(_, rest)| rest == host)
                .unwrap_or(false)
        }
    }
}

/// Server functions answer errors with 500 whatever went wrong. This layer
/// reads our error (JSON) back and sets the status it stands for, so bad
/// input is a 4xx and only real failures are 500.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let error: AppError = serde_json::from_slice(&bytes).unwrap_or(AppError::Internal);
    parts.status =
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Response::from_parts(parts, Body::from(bytes))
}

/// Headers on every answer: no sniffing, no framing, no referrer outside,
/// no powerful features but the microphone for this site itself (voice
/// messages); HSTS when Onsplan is reached over https; and
/// `Cache-Control: no-store` on everything that is not a static file, so
/// the back button after signing out (on a shared phone or office
/// computer) shows no family's page. The Content-Security-Policy of pages
/// is set where they are rendered (it carries the page's nonce).
pub async fn security_headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // Answers that are not pages (JSON, files) run no script at all.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(self), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The cookie that leads a browser back to what it typed into a refused
/// form (a random id; the values stay on the server).
const KEPT_COOKIE: &str = "onsplan_kept";

/// Changed by every change made with a form: pages kept for the back
/// button from before the change are not shown again as they were.
const CHANGED_COOKIE: &str = "onsplan_changed";

/// How long a refused form's values wait for the browser to come back.
const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(120);

/// At most this many refused forms are kept at once (each at most 64 KiB).
const KEPT_MAX: usize = 2_000;

/// Refused forms' values, in this process's memory only: never on disk,
/// never in an address, gone after one use or two minutes. Behind several
/// instances, a browser sent to another instance finds an empty form, as
/// before.
#[derive(Debug)]
pub struct KeptForms {
    forms: std::sync::Mutex<
        std::collections::HashMap<String, (std::time::Instant, onsplan_app::request::KeptForm)>,
    >,
    secure: bool,
}

impl KeptForms {
    pub fn new(secure: bool) -> Self {
        KeptForms {
            forms: Default::default(),
            secure,
        }
    }

    fn put(&self, form: onsplan_app::request::KeptForm) -> Option<String> {
        let mut forms = self.forms.lock().ok()?;
        let now = std::time::Instant::now();
        if forms.len() >= KEPT_MAX {
            forms.retain(|_, (at, _)| now.duration_since(*at) < KEPT_FOR);
            if forms.len() >= KEPT_MAX {
                return None;
            }
        }
        let id = onsplan_app::domain::ids::new_id();
        forms.insert(id.clone(), (now, form));
        Some(id)
    }

    fn take(&self, id: &str) -> Option<onsplan_app::request::KeptForm> {
        let (at, form) = self.forms.lock().ok()?.remove(id)?;
        (at.elapsed() < KEPT_FOR).then_some(form)
    }
}

/// A field whose value may be put back into a form: never a password, and
/// never the outbox's request key.
fn keepable(name: &str) -> bool {
    !name.contains("password") && name != "repeat" && name != "key"
}

/// Keeps what was typed into a form that the server refused (a plain form
/// post, answered with a redirect back carrying `__err`), and hands it to
/// the page the browser comes back to.
pub async fn keep_refused_forms(
    State(kept): State<std::sync::Arc<KeptForms>>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let is_form_post = request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if is_form_post {
        let action = request.uri().path().to_string();
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
            let body = serde_json::to_string(&AppError::bad("error-bad-input")).unwrap_or_default();
            return (StatusCode::PAYLOAD_TOO_LARGE, body).into_response();
        };
        let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes)
            .into_owned()
            .filter(|(k, _)| keepable(k))
            .collect();
        let mut response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        let refused = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.contains("__err="));
        if !refused && response.status().is_redirection() {
            // A change was made. Chromium keeps pages in memory for the
            // back button even when they are `no-store`, unless a cookie
            // changed meanwhile: this one does, so the page from before
            // the change (a question still asking) is fetched anew, also
            // without JavaScript (with it, app.js reloads such a page).
            let id = onsplan_app::domain::ids::new_id();
            set_strict_cookie(&mut response, CHANGED_COOKIE, &id, None, kept.secure);
        }
        if refused {
            let form = onsplan_app::request::KeptForm { action, fields };
            if let Some(id) = kept.put(form) {
                let age = Some(KEPT_FOR.as_secs());
                set_strict_cookie(&mut response, KEPT_COOKIE, &id, age, kept.secure);
            }
        }
        return response;
    }
    let id = cookie(request.headers(), KEPT_COOKIE);
    let Some(id) = id else {
        return next.run(request).await;
    };
    // Only the page that shows the refusal takes the values (not a script
    // or picture loaded alongside it).
    let showing_refusal = request.method() == Method::GET
        && request
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|p| p.starts_with("__err=")));
    if !showing_refusal {
        return next.run(request).await;
    }
    if let Some(form) = kept.take(&id) {
        request.extensions_mut().insert(form);
    }
    let mut response = next.run(request).await;
    set_strict_cookie(&mut response, KEPT_COOKIE, "", Some(0), kept.secure);
    response
}

/// Adds an HttpOnly, SameSite=Strict cookie for the whole site to
/// `response` (`max_age`: `None` for one that lasts the browser session).
fn set_strict_cookie(
    response: &mut Response,
    name: &str,
    value: &str,
    max_age: Option<u64>,
    secure: bool,
) {
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{age}{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}
