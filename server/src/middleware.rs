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
/// no powerful features; HSTS when Onsplan is reached over https; and
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
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
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
