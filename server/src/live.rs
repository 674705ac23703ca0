//! `/api/events`: a signed-in reader's live updates, as server-sent events.
//!
//! An event holds no content: which thread changed, its newest number, and
//! the reader's unread count. Before passing news on, the connection asks
//! the access layer whether its reader may read that thread now; the page
//! then asks for the thread itself, through the same check. A thread the
//! reader could read and no longer can is announced as `gone` (its page
//! reloads and says "not found"). The stream ends when the sign-in ends
//! (checked every `SESSION_CHECK`) or when the server stops.
//!
//! On PostgreSQL, `listen` brings other instances' news into this one.

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, BoxStream, SelectAll, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use onsplan_app::domain::access::{Caller, ThreadAccess};
use onsplan_app::domain::live::News;
use onsplan_app::domain::{accounts, messages, AppState};
use onsplan_app::request::{cookie, RequestContext, SESSION_COOKIE};

/// How often an open stream checks that its sign-in still holds.
const SESSION_CHECK: Duration = Duration::from_secs(30);

/// The browser waits this long before connecting again after a drop.
const RETRY: Duration = Duration::from_secs(3);

struct Connection {
    state: AppState,
    caller: Caller,
    token: String,
    news: SelectAll<BoxStream<'static, News>>,
    /// The families whose news this connection hears.
    families: HashSet<String>,
    /// Threads this reader could read (at the start, or told of since):
    /// news of one they may no longer read becomes `gone`, once.
    told: HashSet<String>,
    stopping: tokio::sync::watch::Receiver<bool>,
    check: tokio::time::Interval,
    hello: bool,
}

pub async fn events(
    State(state): State<AppState>,
    axum::Extension(context): axum::Extension<RequestContext>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = cookie(&headers, SESSION_COOKIE) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if matches!(context.caller, Caller::Anonymous) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let families = match messages::families_to_hear(&state.db, &context.caller).await {
        Ok(f) => f,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let told: HashSet<String> = match messages::readable_threads(&state.db, &context.caller).await {
        Ok(t) => t.into_iter().collect(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let mut news = SelectAll::new();
    for family in &families {
        news.push(hear(&state, family));
    }
    let mut check = tokio::time::interval(SESSION_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stopping = state.live.stopping();
    let connection = Connection {
        state,
        caller: context.caller,
        token,
        news,
        families: families.into_iter().collect(),
        told,
        stopping,
        check,
        hello: true,
    };
    let stream = stream::unfold(connection, |mut c| async move {
        if c.hello {
            // The first event: the unread count now (a page brought back
            // from the browser's memory, or after a reconnect, is right).
            c.hello = false;
            c.check.tick().await;
            let unread = messages::unread(&c.state.db, &c.caller).await.ok()?;
            let event = Event::default()
                .event("hello")
                .retry(RETRY)
                .data(serde_json::json!({ "unread": unread }).to_string());
            return Some((Ok::<_, Infallible>(event), c));
        }
        loop {
            if *c.stopping.borrow() {
                return None;
            }
            tokio::select! {
                _ = c.stopping.changed() => return None,
                _ = c.check.tick() => {
                    let now = c.state.clock.now();
                    match accounts::resolve_session(&c.state.db, &c.token, now).await {
                        Ok(Some((caller, _))) if caller == c.caller => {}
                        _ => return None,
                    }
                    // A family that became the reader's since (a coach the
                    // family accepted, a yes to talking): heard from now on.
                    if let Ok(families) = messages::families_to_hear(&c.state.db, &c.caller).await {
                        for family in families {
                            if c.families.insert(family.clone()) {
                                c.news.push(hear(&c.state, &family));
                            }
                        }
                    }
                }
                // No family to hear yet (a volunteer before the family's
                // yes): the stream stays open, and the check adds them.
                next = c.news.next(), if !c.news.is_empty() => {
                    let news = next?;
                    if let Some(event) = c.event_for(&news).await {
                        return Some((Ok(event), c));
                    }
                }
            }
        }
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(25)))
        .into_response();
    // Never kept by anyone on the way, never compressed into a buffer.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response
}

impl Connection {
    /// The event for one piece of news, if this reader may hear it.
    async fn event_for(&mut self, news: &News) -> Option<Event> {
        let now = self.state.clock.now();
        match ThreadAccess::open(&self.state.db, &self.caller, &news.thread_id, now).await {
            Ok(_) => {
                self.told.insert(news.thread_id.clone());
                let unread = messages::unread(&self.state.db, &self.caller)
                    .await
                    .unwrap_or(0);
                Some(
                    Event::default().event("message").data(
                        serde_json::json!({
                            "thread": news.thread_id,
                            "unread": unread,
                        })
                        .to_string(),
                    ),
                )
            }
            Err(_) if self.told.remove(&news.thread_id) => Some(
                Event::default()
                    .event("gone")
                    .data(serde_json::json!({ "thread": news.thread_id }).to_string()),
            ),
            // A thread of the family this reader is not in (the coach's,
            // for the volunteer): not a word of it.
            Err(_) => None,
        }
    }
}

/// Brings other instances' news into this one (PostgreSQL only): one
/// connection listening on `live::CHANNEL`, made again when it drops.
pub fn listen(state: AppState, database_url: String) {
    if !database_url.starts_with("postgres") {
        return;
    }
    tokio::spawn(async move {
        loop {
            match sqlx::postgres::PgListener::connect(&database_url).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(onsplan_app::domain::live::CHANNEL).await {
                        tracing::warn!(error = %e, "live: could not listen");
                    } else {
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(n)) => {
                                    if let Some(news) = state.live.from_other(n.payload()) {
                                        state.live.publish(news);
                                    }
                                }
                                // The connection dropped (and is made
                                // again by the listener); news in between
                                // is lost, and pages catch up on the next.
                                Ok(None) => continue,
                                Err(e) => {
                                    tracing::warn!(error = %e, "live: listening failed");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live: could not connect to listen"),
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
}

/// The news of one family on this instance, as a stream.
fn hear(state: &AppState, family: &str) -> BoxStream<'static, News> {
    let rx = state.live.subscribe(family);
    stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(n) => return Some((n, rx)),
                // Fell behind: what was skipped is asked for again with the
                // next news (the page reads the whole thread), so nothing is
                // lost.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    })
    .boxed()
}
