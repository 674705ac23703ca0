//! Nothing acknowledged is lost: a client makes consent changes (shares,
//! withdrawals, "only us", answers) as fast as it can against a real
//! `onsplan serve` process, which is killed with SIGKILL at random moments
//! and started again, at least 20 times. Afterwards every change the server
//! acknowledged (answered 2xx or 3xx) is in the store with its log entry,
//! and the family's chained log verifies. On SQLite and on PostgreSQL.
//!
//! Kills: ONSPLAN_CRASH_KILLS (default 20) per store.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::clock::Clock;
use onsplan_app::domain::db::Db;
use onsplan_app::domain::limits::RateLimits;
use onsplan_app::domain::mandates::{self, MandateInput};
use onsplan_app::domain::secret::SecretKey;
use onsplan_app::domain::{accounts, consent, log, plan, AppState};
use onsplan_app::lang::Lang;
use onsplan_app::model::ActionInput;
use onsplan_tests::process::{data_dir, free_port, Instance, Setup};
use onsplan_tests::world::World;
use onsplan_tests::{fresh_db, no_limits, stores, Store};

/// A change the server acknowledged.
#[derive(Debug, Clone)]
enum Acked {
    /// A share with this (unique) purpose.
    Share(String),
    /// The withdrawal of the share with this purpose.
    Withdraw(String),
    OnlyUs,
    Answer,
}

struct Family {
    id: String,
    item: String,
    question: String,
    cookie: String,
}

/// The family, its plan and a question, made in the store before the
/// server starts; the member's session is handed to the client.
async fn seed(setup: &Setup) -> Family {
    let db = Db::connect(&setup.database_url).await.unwrap();
    std::fs::create_dir_all(&setup.data_dir).unwrap();
    let secret = SecretKey::load_shared(&db, &setup.data_dir.join("secret.key"), 0)
        .await
        .unwrap();
    let state = AppState {
        db: db.clone(),
        clock: Clock::System,
        secret: Arc::new(secret),
        public_url: setup.public_url.clone(),
        limits: Arc::new(RateLimits::new(no_limits())),
        trusted_proxy: None,
        push: onsplan_tests::test_push(&db).await,
        live: Default::default(),
    };
    let world = World::build(&state).await;
    let now = state.clock.now();
    let member = accounts::add_member(&db, &world.family, "Amal", Lang::NlBe, now)
        .await
        .unwrap();
    let member = Caller::member(&db, &member).await.unwrap();
    let access = FamilyAccess::open(&db, &member, &world.family, now)
        .await
        .unwrap();
    consent::accept_coach(&db, &access).await.unwrap();
    let goal = plan::add_goal(&db, &access, "housing", "Een woning")
        .await
        .unwrap();
    let item = plan::add_action(
        &db,
        &access,
        &goal,
        &ActionInput {
            body: "Inschrijven".into(),
            who: "together".into(),
            due: None,
            status: "todo".into(),
        },
    )
    .await
    .unwrap();
    let coach = Caller::staff(&db, &world.coach.id).await.unwrap();
    let coach = FamilyAccess::open(&db, &coach, &world.family, now)
        .await
        .unwrap();
    let question = mandates::ask(
        &db,
        &coach,
        &item,
        &MandateInput {
            help: "call".into(),
            party: "social_housing".into(),
            party_name: "WoninGent".into(),
            facts: vec!["identity".into()],
            words: String::new(),
            until: "2099-12-31".into(),
        },
    )
    .await
    .unwrap();
    let token = accounts::start_session(&db, &member, now).await.unwrap();
    db.pool().close().await;
    Family {
        id: world.family,
        item,
        question,
        cookie: format!("onsplan_session={token}"),
    }
}

/// Makes changes until the server stops answering; what it acknowledged.
async fn client(
    port: u16,
    store_url: String,
    family: Arc<Family>,
    start: usize,
    acked: Arc<Mutex<Vec<Acked>>>,
) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let origin = format!("http://127.0.0.1:{port}");
    // Shares acknowledged and not yet withdrawn, to withdraw later.
    let mut shared: Vec<String> = {
        let acked = acked.lock().unwrap();
        let withdrawn: Vec<&String> = acked
            .iter()
            .filter_map(|a| match a {
                Acked::Withdraw(p) => Some(p),
                _ => None,
            })
            .collect();
        acked
            .iter()
            .filter_map(|a| match a {
                Acked::Share(p) if !withdrawn.contains(&p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    };
    for n in start.. {
        let purpose = format!("crash-{n}");
        let (path, fields, done): (&str, Vec<(&str, String)>, Acked) = match n % 4 {
            0 => (
                "/api/share",
                vec![
                    ("family", family.id.clone()),
                    ("item", family.item.clone()),
                    ("to", "volunteer".into()),
                    ("purpose", purpose.clone()),
                    ("until", "2099-12-31".into()),
                ],
                Acked::Share(purpose.clone()),
            ),
            1 => (
                "/api/only-us",
                vec![
                    ("family", family.id.clone()),
                    ("item", family.item.clone()),
                    ("on", if n % 8 == 1 { "1" } else { "0" }.into()),
                ],
                Acked::OnlyUs,
            ),
            2 => (
                "/api/answer",
                vec![
                    ("family", family.id.clone()),
                    ("question", family.question.clone()),
                    ("answer", "myself".into()),
                ],
                Acked::Answer,
            ),
            _ => {
                let Some(purpose) = shared.pop() else {
                    continue;
                };
                let share = match share_id(&store_url, &purpose).await {
                    Some(id) => id,
                    None => continue,
                };
                (
                    "/api/withdraw-share",
                    vec![("family", family.id.clone()), ("share", share)],
                    Acked::Withdraw(purpose),
                )
            }
        };
        let answer = http
            .post(format!("{origin}{path}"))
            .header("cookie", &family.cookie)
            .header("origin", &origin)
            .form(&fields)
            .send()
            .await;
        match answer {
            Ok(r) if r.status().is_success() || r.status().is_redirection() => {
                if let Acked::Share(p) = &done {
                    shared.push(p.clone());
                }
                acked.lock().unwrap().push(done);
            }
            // A withdrawal written just before a kill, whose answer was
            // lost: the share is already withdrawn.
            Ok(r) if path == "/api/withdraw-share" && r.status().as_u16() == 404 => {}
            Ok(r) => panic!("{path} answered {}", r.status()),
            // The server died: this change was not acknowledged.
            Err(_) => return,
        }
    }
}

/// The id of the share with this purpose, looked up in the store (the
/// share's id is not in the server's answer).
async fn share_id(store_url: &str, purpose: &str) -> Option<String> {
    let db = sqlx::AnyPool::connect(store_url).await.ok()?;
    let id = sqlx::query_scalar("SELECT id FROM shares WHERE purpose = $1")
        .bind(purpose)
        .fetch_optional(&db)
        .await
        .ok()?;
    db.close().await;
    id
}

async fn run(store: Store, kills: usize) {
    sqlx::any::install_default_drivers();
    let root = tempfile::tempdir().unwrap();
    let dir = data_dir(root.path(), "data");
    let port = free_port();
    let test_db = match store {
        Store::Sqlite => None,
        Store::Postgres => Some(fresh_db(Store::Postgres).await),
    };
    let setup = Setup {
        database_url: match &test_db {
            None => format!("sqlite://{}?mode=rwc", dir.join("onsplan.db").display()),
            Some(db) => db.url.clone(),
        },
        data_dir: dir,
        public_url: format!("http://127.0.0.1:{port}"),
    };
    let family = Arc::new(seed(&setup).await);
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::new(Mutex::new(Vec::new()));
    let mut next = 0;
    for kill in 0..kills {
        let mut server = Instance::start(&setup, port)
            .await
            .unwrap_or_else(|e| panic!("restart {kill}: {e}"));
        let task = tokio::spawn(client(
            port,
            setup.database_url.clone(),
            family.clone(),
            next,
            acked.clone(),
        ));
        // A random moment: somewhere in the middle of the client's work.
        let wait = 150 + (rand_u64() % 600);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.signal("KILL");
        task.await.unwrap();
        next += 10_000;
    }

    // Everything acknowledged is there, with its log entry, and the chain
    // verifies.
    let db = Db::connect(&setup.database_url).await.unwrap();
    let acked = acked.lock().unwrap().clone();
    let mut lost = Vec::new();
    let count = |event: &'static str| {
        let db = db.clone();
        let family = family.id.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM access_log WHERE family_id = $1 AND event = $2",
            )
            .bind(family)
            .bind(event)
            .fetch_one(db.pool())
            .await
            .unwrap()
        }
    };
    for a in &acked {
        match a {
            Acked::Share(purpose) | Acked::Withdraw(purpose) => {
                let row: Option<(String, Option<i64>)> =
                    sqlx::query_as("SELECT id, withdrawn_at FROM shares WHERE purpose = $1")
                        .bind(purpose)
                        .fetch_optional(db.pool())
                        .await
                        .unwrap();
                let event = if matches!(a, Acked::Share(_)) {
                    "share_granted"
                } else {
                    "share_withdrawn"
                };
                let found = match &row {
                    None => false,
                    Some((id, withdrawn)) => {
                        let logged: i64 = sqlx::query_scalar(
                            "SELECT COUNT(*) FROM access_log WHERE event = $1 AND subject_id = $2",
                        )
                        .bind(event)
                        .bind(id)
                        .fetch_one(db.pool())
                        .await
                        .unwrap();
                        logged == 1 && (event == "share_granted" || withdrawn.is_some())
                    }
                };
                if !found {
                    lost.push(a.clone());
                }
            }
            Acked::OnlyUs | Acked::Answer => {}
        }
    }
    let only_us = acked.iter().filter(|a| matches!(a, Acked::OnlyUs)).count() as i64;
    let answers = acked.iter().filter(|a| matches!(a, Acked::Answer)).count() as i64;
    let logged_only_us = count("item_hidden").await + count("item_unhidden").await;
    let logged_answers = count("mandate_myself").await;
    let stored_answers: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM mandate_answers WHERE mandate_id = $1")
            .bind(&family.question)
            .fetch_one(db.pool())
            .await
            .unwrap();
    // A change may be written and the answer lost in the kill, never the
    // other way round: what was acknowledged is at most what is stored.
    let lost_only_us = (only_us - logged_only_us).max(0);
    let lost_answers = (answers - logged_answers.min(stored_answers)).max(0);
    let check = log::verify(&db, &family.id).await.unwrap();
    println!(
        "crash test on {store:?}: {kills} kills, {} acknowledged changes ({} shares and withdrawals, \
         {only_us} only-us, {answers} answers), lost: {}; log {} entries, chain {}",
        acked.len(),
        acked.len() as i64 - only_us - answers,
        lost.len() as i64 + lost_only_us + lost_answers,
        check.entries,
        if check.broken_at.is_none() { "verifies" } else { "BROKEN" }
    );
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert_eq!(
        lost_only_us, 0,
        "{only_us} acknowledged, {logged_only_us} logged"
    );
    assert_eq!(
        lost_answers, 0,
        "{answers} acknowledged, {logged_answers} logged, {stored_answers} stored"
    );
    assert_eq!(check.broken_at, None, "the chain verifies");
    assert!(
        acked.len() >= kills * 5,
        "the client did real work: {}",
        acked.len()
    );
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    h.finish()
}

fn kills() -> usize {
    std::env::var("ONSPLAN_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_kill_9() {
    for store in stores() {
        run(store, kills()).await;
    }
}
