//! Live updates: which thread of which family changed, for the readers
//! connected to this instance (`/api/events`, server-sent events).
//!
//! What goes through here holds no content: a thread id and its newest
//! number. Each connection asks the access layer whether its reader may
//! read that thread before it passes the news on, and the page then asks
//! for the thread itself, through the same check. On PostgreSQL, other
//! instances' news arrives through LISTEN/NOTIFY (see `server`), so a
//! reader connected to one instance hears of a message posted on another.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::{broadcast, watch};

use super::db::{Backend, Db};

/// News of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News {
    pub family_id: String,
    pub thread_id: String,
    pub seq: i64,
}

/// How many pieces of news a slow connection may fall behind before it
/// skips ahead (it then asks for the whole thread again, losing nothing).
const BACKLOG: usize = 64;

/// The families with readers connected here, each with its channel.
#[derive(Debug)]
pub struct Hub {
    families: Mutex<HashMap<String, broadcast::Sender<News>>>,
    stopping: watch::Sender<bool>,
    /// This instance, in its notifications to others (it skips its own).
    instance: String,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            families: Mutex::new(HashMap::new()),
            stopping: watch::channel(false).0,
            instance: super::ids::new_id(),
        }
    }
}

/// The PostgreSQL channel instances tell each other news on.
pub const CHANNEL: &str = "onsplan_live";

/// Tells the other instances on the same PostgreSQL (nothing on SQLite,
/// which one process serves). A failure is logged and lost: readers there
/// see the message at their next page, and the push still goes.
pub async fn notify_others(db: &Db, hub: &Hub, news: &News) {
    if db.backend() != Backend::Postgres {
        return;
    }
    let payload = format!(
        "{} {} {} {}",
        hub.instance, news.family_id, news.thread_id, news.seq
    );
    if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(db.pool())
        .await
    {
        tracing::warn!(error = %e, "could not tell the other instances");
    }
}

impl Hub {
    /// News another instance sent (`notify_others`), unless it is ours.
    pub fn from_other(&self, payload: &str) -> Option<News> {
        let mut parts = payload.split(' ');
        let (instance, family, thread, seq) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if instance == self.instance || parts.next().is_some() {
            return None;
        }
        Some(News {
            family_id: family.to_string(),
            thread_id: thread.to_string(),
            seq: seq.parse().ok()?,
        })
    }
}

impl Hub {
    /// Listens to one family's news.
    pub fn subscribe(&self, family_id: &str) -> broadcast::Receiver<News> {
        let mut families = self.families.lock().unwrap_or_else(|e| e.into_inner());
        families
            .entry(family_id.to_string())
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe()
    }

    /// Tells the readers connected here; a family nobody listens to is
    /// forgotten.
    pub fn publish(&self, news: News) {
        let mut families = self.families.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = families.get(&news.family_id) {
            if sender.receiver_count() == 0 {
                families.remove(&news.family_id);
            } else {
                let _ = sender.send(news);
            }
        }
    }

    /// How many families have a reader connected here.
    pub fn families_listening(&self) -> usize {
        let mut families = self.families.lock().unwrap_or_else(|e| e.into_inner());
        families.retain(|_, s| s.receiver_count() > 0);
        families.len()
    }

    /// The server is stopping: every event stream ends, so that the
    /// requests in flight can finish.
    pub fn stop(&self) {
        let _ = self.stopping.send(true);
    }

    /// Resolves once the server is stopping.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn news(family: &str, seq: i64) -> News {
        News {
            family_id: family.into(),
            thread_id: "t".into(),
            seq,
        }
    }

    #[tokio::test]
    async fn news_reaches_the_familys_listeners_only() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a");
        let mut b = hub.subscribe("b");
        hub.publish(news("a", 1));
        assert_eq!(a.recv().await.unwrap().seq, 1);
        assert!(b.try_recv().is_err());
        drop(a);
        hub.publish(news("a", 2));
        assert_eq!(hub.families_listening(), 1);
        drop(b);
        assert_eq!(hub.families_listening(), 0);
    }
}
