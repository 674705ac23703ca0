//! Layers around every request: who is calling and in which language, the
//! cross-site request check, HTTP status of server-function errors, and
//! security headers.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
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
    let context = match session {
        Some((caller, lang)) => RequestContext { caller, lang },
        None => RequestContext::anonymous(chosen.unwrap_or(negotiated)),
    };
    request.extensions_mut().insert(context);
    next.run(request).await
}

/// Refuses state-changing requests that a browser marks as cross-site
/// (Sec-Fetch-Site), or whose Origin is not this host. Requests without
/// either header do not come from a browser and cannot carry a victim's
/// cookies by a forged form. This follows Go's `http.CrossOriginProtection`.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || is_same_origin(&request) {
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

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
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
