//! Photos and voice messages over HTTP: the upload forms (multipart, the
//! only requests larger than 64 KiB; see `app` in lib.rs) and `/media/<id>`,
//! which serves one through the thread's own check.
//!
//! A photo is a plain file form, so it works without JavaScript: the
//! browser is sent back to the thread, or to it with the reason in the
//! reader's language (`?__err=`, as every refused form). A voice message
//! is sent by app.js the same way.

use std::sync::OnceLock;

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use onsplan_app::domain::access::{Caller, ThreadAccess};
use onsplan_app::domain::media::{self, MAX_PHOTO_BYTES, MAX_VOICE_BYTES};
use onsplan_app::domain::{messages, AppState};
use onsplan_app::error::AppError;
use onsplan_app::request::RequestContext;

/// The most an upload request may carry: the photo, the form's small
/// fields, and room to say "too big" in words rather than a bare 413.
pub const MAX_UPLOAD: usize = MAX_PHOTO_BYTES + 1024 * 1024;

type Semaphore = std::sync::Arc<tokio::sync::Semaphore>;

/// Pictures are decoded one at a time: a large one takes a couple of
/// hundred MB while it is worked on.
fn decoding() -> &'static Semaphore {
    static ONE: OnceLock<Semaphore> = OnceLock::new();
    ONE.get_or_init(|| Semaphore::new(tokio::sync::Semaphore::new(1)))
}

/// Files read at the same time: each is held in memory (up to
/// `MAX_UPLOAD`) until it is stored, so at most this many are. A permit is
/// taken only once the caller may write in the thread, and it goes with
/// the work: a file whose sender hangs up still counts while it is read.
const READING: usize = 8;

fn reading() -> &'static Semaphore {
    static SOME: OnceLock<Semaphore> = OnceLock::new();
    SOME.get_or_init(|| Semaphore::new(tokio::sync::Semaphore::new(READING)))
}

/// How long an upload may take to arrive: a 15 MB photo over a slow
/// mobile connection (1 Mbit/s) takes two minutes.
const ARRIVAL: std::time::Duration = std::time::Duration::from_secs(300);

/// The most a small field (`thread`, `key`) may hold.
const SMALL: usize = 1024;

/// What a message form sent: the thread (checked for the caller), the
/// phone's key, and the file with its reading permit; or the message a
/// retry already made.
enum Upload {
    File {
        thread: Box<ThreadAccess>,
        key: Option<String>,
        file: Vec<u8>,
        permit: tokio::sync::OwnedSemaphorePermit,
    },
    Sent(String),
}

/// Reads a message form. The caller's right to write in the thread is
/// checked when the file begins, before a byte of it is read: a browser
/// sends the form's fields in order (`thread`, `key`, then the file), and
/// nothing is read for anyone who may not write there, nor for a retry of
/// a message that arrived, nor into a thread that has ended.
async fn read_upload(
    state: &AppState,
    context: &RequestContext,
    thread_id: &mut String,
    mut form: Multipart,
    file_field: &'static str,
    max: usize,
) -> Result<Upload, AppError> {
    let too_big = || {
        AppError::bad(if file_field == "photo" {
            "error-photo-too-big"
        } else {
            "error-voice-too-long"
        })
    };
    let mut key = None;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| AppError::bad("error-bad-input"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == file_field {
            let thread =
                ThreadAccess::open(&state.db, &context.caller, thread_id, state.clock.now())
                    .await?;
            if let Some(id) = messages::sent_with_key(&state.db, &thread, key.as_deref()).await? {
                return Ok(Upload::Sent(id));
            }
            if !thread.live() {
                return Err(AppError::Conflict("error-thread-ended".into()));
            }
            let permit = reading()
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| AppError::Internal)?;
            let file = read_field(&mut field, max).await?.ok_or_else(too_big)?;
            // A file form with nothing chosen sends an empty file.
            if file.is_empty() {
                break;
            }
            return Ok(Upload::File {
                thread: Box::new(thread),
                key,
                file,
                permit,
            });
        }
        let small = read_field(&mut field, SMALL)
            .await?
            .ok_or_else(|| AppError::bad("error-bad-input"))?;
        match name.as_str() {
            "thread" => *thread_id = String::from_utf8_lossy(&small).into_owned(),
            "key" => key = Some(String::from_utf8_lossy(&small).into_owned()),
            _ => {}
        }
    }
    // Nothing sent: still answer as the thread's check would.
    ThreadAccess::open(&state.db, &context.caller, thread_id, state.clock.now()).await?;
    Err(AppError::bad(if file_field == "photo" {
        "error-photo-none"
    } else {
        "error-voice-kind"
    }))
}

/// A field's bytes, read as they arrive; `None` as soon as there are more
/// than `max` (the rest is not read).
async fn read_field(
    field: &mut axum::extract::multipart::Field<'_>,
    max: usize,
) -> Result<Option<Vec<u8>>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|_| AppError::bad("error-bad-input"))?
    {
        if bytes.len() + chunk.len() > max {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// `POST /api/post-photo`: a photo from a file form (`thread`, `key`,
/// `photo`).
pub async fn post_photo(
    State(state): State<AppState>,
    axum::Extension(context): axum::Extension<RequestContext>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    post(state, context, headers, form, "photo").await
}

/// `POST /api/post-voice`: a recording (`thread`, `key`, `voice`).
pub async fn post_voice(
    State(state): State<AppState>,
    axum::Extension(context): axum::Extension<RequestContext>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    post(state, context, headers, form, "voice").await
}

async fn post(
    state: AppState,
    context: RequestContext,
    headers: HeaderMap,
    form: Multipart,
    field: &'static str,
) -> Response {
    let mut thread = String::new();
    let posted = receive(&state, &context, &mut thread, form, field).await;
    answer(&headers, &thread, field, posted)
}

async fn receive(
    state: &AppState,
    context: &RequestContext,
    thread_id: &mut String,
    form: Multipart,
    field: &'static str,
) -> Result<String, AppError> {
    // Nobody signed out is read at all.
    if matches!(context.caller, Caller::Anonymous) {
        return Err(AppError::SignedOut);
    }
    let max = if field == "photo" {
        MAX_PHOTO_BYTES
    } else {
        MAX_VOICE_BYTES
    };
    let upload = tokio::time::timeout(
        ARRIVAL,
        read_upload(state, context, thread_id, form, field, max),
    )
    .await
    .map_err(|_| AppError::bad("error-upload-slow"))??;
    let (thread, key, bytes, permit) = match upload {
        Upload::Sent(id) => return Ok(id),
        Upload::File {
            thread,
            key,
            file,
            permit,
        } => (thread, key, file, permit),
    };
    // The permits go with the work: a decode goes on when its sender
    // hangs up, and still counts while it runs.
    let made = if field == "photo" {
        let one = decoding()
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(move || {
            let photo = media::photo(&bytes);
            drop((one, permit));
            photo
        })
        .await
        .map_err(|_| AppError::Internal)?
    } else {
        tokio::task::spawn_blocking(move || {
            let voice = media::voice(&bytes);
            drop(permit);
            voice
        })
        .await
        .map_err(|_| AppError::Internal)?
    }?;
    // Reading and decoding take time: the thread is asked again, so a
    // family that stopped meanwhile is not written to by who it stopped.
    let thread = ThreadAccess::open(
        &state.db,
        &context.caller,
        thread.thread_id(),
        state.clock.now(),
    )
    .await?;
    messages::post_media(
        &state.db,
        &state.live,
        &thread,
        &made,
        context.lang,
        key.as_deref(),
    )
    .await
}

/// A browser's form goes back to the thread (with the refusal's reason);
/// a script gets the status and our error as JSON, as from a server
/// function.
fn answer(
    headers: &HeaderMap,
    thread: &str,
    field: &str,
    posted: Result<String, AppError>,
) -> Response {
    let wants_page = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let back = if onsplan_app::domain::ids::looks_like_id(thread) {
        format!("/messages/{thread}")
    } else {
        "/messages".to_string()
    };
    match posted {
        Ok(_) if wants_page => redirect(&format!("{back}#end")),
        Ok(id) => (StatusCode::OK, axum::Json(serde_json::json!({ "id": id }))).into_response(),
        Err(e) if wants_page => {
            let path = format!("/api/post-{field}");
            match leptos::server_fn::error::ServerFnUrlError::new(path, e)
                .to_url(&format!("http://onsplan{back}"))
            {
                Ok(url) => redirect(&format!(
                    "{}?{}#end",
                    url.path(),
                    url.query().unwrap_or_default()
                )),
                Err(_) => redirect(&back),
            }
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, axum::Json(e)).into_response()
        }
    }
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `GET /media/<message id>`: the photo or recording, for a reader of its
/// thread only (404 for anyone else, 401 signed out); never kept by the
/// browser or anything between.
pub async fn get(
    State(state): State<AppState>,
    axum::Extension(context): axum::Extension<RequestContext>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    match messages::media(&state.db, &context.caller, &id, state.clock.now()).await {
        Ok((content_type, bytes)) => {
            // Audio players (Safari's above all) ask for parts.
            let total = bytes.len();
            let part = request
                .get(header::RANGE)
                .and_then(|v| v.to_str().ok())
                .filter(|v| v.starts_with("bytes="))
                .map(|v| byte_range(v, total));
            let mut response = match part {
                Some(Some((start, end))) => {
                    let mut r =
                        (StatusCode::PARTIAL_CONTENT, bytes[start..=end].to_vec()).into_response();
                    if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}")) {
                        r.headers_mut().insert(header::CONTENT_RANGE, v);
                    }
                    r
                }
                Some(None) => {
                    let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                        r.headers_mut().insert(header::CONTENT_RANGE, v);
                    }
                    return r;
                }
                None => bytes.into_response(),
            };
            let headers = response.headers_mut();
            headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            for (name, value) in [
                (header::CONTENT_TYPE, content_type.as_str()),
                (header::CACHE_CONTROL, "private, no-store"),
                (header::CONTENT_DISPOSITION, "inline"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox",
                ),
            ] {
                if let Ok(v) = HeaderValue::from_str(value) {
                    headers.insert(name, v);
                }
            }
            response
        }
        Err(e) => StatusCode::from_u16(e.status())
            .unwrap_or(StatusCode::NOT_FOUND)
            .into_response(),
    }
}

/// One range of a `Range: bytes=…` header over `total` bytes, as the first
/// and last byte; `None` when it cannot be served (416). Several ranges
/// are answered with the first.
fn byte_range(header: &str, total: usize) -> Option<(usize, usize)> {
    let spec = header.strip_prefix("bytes=")?.split(',').next()?.trim();
    let (from, to) = spec.split_once('-')?;
    if total == 0 {
        return None;
    }
    // Digits only; a number past any file's size stands for "to the end".
    let number = |s: &str| -> Option<usize> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(s.parse::<usize>().unwrap_or(usize::MAX))
    };
    let (start, end) = match (from.trim(), to.trim()) {
        ("", suffix) => (total.saturating_sub(number(suffix)?), total - 1),
        (from, "") => (number(from)?, total - 1),
        (from, to) => (number(from)?, number(to)?.min(total - 1)),
    };
    (start <= end && start < total).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn ranges_as_players_ask_for_them() {
        assert_eq!(byte_range("bytes=0-", 100), Some((0, 99)));
        assert_eq!(byte_range("bytes=0-1", 100), Some((0, 1)));
        assert_eq!(byte_range("bytes=90-200", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=0-1, 5-6", 100), Some((0, 1)));
        assert_eq!(byte_range("bytes=100-", 100), None);
        assert_eq!(byte_range("bytes=5-2", 100), None);
        assert_eq!(byte_range("bytes=x-1", 100), None);
        assert_eq!(byte_range("bytes=+1-2", 100), None);
        assert_eq!(
            byte_range("bytes=0-99999999999999999999999999", 100),
            Some((0, 99))
        );
        assert_eq!(
            byte_range("bytes=-99999999999999999999999999", 100),
            Some((0, 99))
        );
        assert_eq!(byte_range("bytes=99999999999999999999999999-", 100), None);
    }
}
