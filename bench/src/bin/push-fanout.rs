//! `cargo run --release -p onsplan-bench --bin push-fanout -- [--devices N]
//! [--changes M]`: the web push sender, measured (issue 11, stage 4).
//!
//! - Fan-out: one change to a family whose members have N devices
//!   subscribed (default 10,000): the time from the change's commit until
//!   the loopback push service has received all N pushes (each encrypted
//!   with RFC 8291 and VAPID-signed, as for a real push service).
//! - Latency: M changes one after the other (default 200), each told to one
//!   device: the time from the change's commit until its push arrives, with
//!   the sender running as in the server (polling every 200 ms). p50, p99.
//!
//! The push service here answers 201 without decrypting (the tests check
//! decryption against web-push-testing); it counts and timestamps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;

use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::clock::Clock;
use onsplan_app::domain::db::Db;
use onsplan_app::domain::push::{self, Push, SenderConfig};
use onsplan_app::domain::{accounts, consent, plan};
use onsplan_app::lang::Lang;

/// A valid P-256 public key and auth secret of a browser subscription (the
/// example of the web-push crate's documentation): every device here
/// encrypts to it; only the endpoints differ.
const P256DH: &str =
    "BLMbF9ffKBiWQLCKvTHb6LO8Nb6dcUh6TItC455vu2kElga6PQvUmaFyCdykxY2nOSSL3yKgfbmFLRTUaGv4yV8";
const AUTH: &str = "xS03Fi5ErfTNH_l9WHE9Ig";

#[derive(Default)]
struct Received {
    count: AtomicUsize,
    arrivals: Mutex<Vec<(String, Instant)>>,
}

fn arg(name: &str, default: usize) -> usize {
    let v: Vec<String> = std::env::args().collect();
    v.iter()
        .position(|a| a == name)
        .and_then(|i| v.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let devices = arg("--devices", 10_000);
    let changes = arg("--changes", 200);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("push.db").display()));
    let db = Db::connect(&url).await.expect("store opens");
    let clock = Clock::System;
    let now = clock.now();
    let push = Arc::new(
        Push::load_shared(&db, now, "mailto:bench@onsplan.invalid", "http://127.0.0.1")
            .await
            .unwrap(),
    );

    // The loopback push service.
    let received = Arc::new(Received::default());
    let r = received.clone();
    let service = Router::new().route(
        "/push/{id}",
        post(
            move |axum::extract::Path(id): axum::extract::Path<String>| {
                let r = r.clone();
                async move {
                    r.count.fetch_add(1, Ordering::SeqCst);
                    r.arrivals.lock().unwrap().push((id, Instant::now()));
                    axum::http::StatusCode::CREATED
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });

    // A family, its coach (accepted), and one member.
    let org = accounts::create_organisation(&db, "Huis van het Kind", now)
        .await
        .unwrap();
    let coach = accounts::create_staff(
        &db,
        &accounts::NewStaff {
            org_id: &org,
            role: onsplan_app::domain::access::StaffRole::Coach,
            email: "coach@bench.example",
            display_name: "Sara",
            lang: Lang::NlBe,
        },
        "a long enough password",
        now,
    )
    .await
    .unwrap();
    let coach = Caller::staff(&db, &coach).await.unwrap();
    let family = accounts::create_family(&db, coach.as_staff().unwrap(), "Gezin", now)
        .await
        .unwrap();
    accounts::assign(
        &db,
        &family,
        Some(coach.as_staff().unwrap().staff_id()),
        None,
        now,
    )
    .await
    .unwrap();
    let member = accounts::add_member(&db, &family, "Amal", Lang::Ar, now)
        .await
        .unwrap();
    let member_id = member.clone();
    let member = Caller::member(&db, &member).await.unwrap();
    let access = FamilyAccess::open(&db, &member, &family, now)
        .await
        .unwrap();
    consent::accept_coach(&db, &access).await.unwrap();

    // N devices of the member, each signed in (a session) and subscribed.
    let t0 = Instant::now();
    let mut tx = db.pool().begin().await.unwrap();
    for i in 0..devices {
        let hash = format!("{i:064x}");
        sqlx::query(
            "INSERT INTO sessions (token_hash, subject_kind, subject_id, created_at, expires_at)
             VALUES ($1, 'member', $2, $3, $4)",
        )
        .bind(&hash)
        .bind(&member_id)
        .bind(now - 60)
        .bind(now + 86_400)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO push_subscriptions (id, subject_kind, subject_id, session_hash, endpoint,
                                             p256dh, auth, language, kinds_off, created_at)
             VALUES ($1, 'member', $2, $3, $4, $5, $6, 'ar', '', $7)",
        )
        .bind(format!("sub{i}"))
        .bind(&member_id)
        .bind(&hash)
        .bind(format!("http://127.0.0.1:{port}/push/{i}"))
        .bind(P256DH)
        .bind(AUTH)
        .bind(now - 60)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    println!(
        "{devices} devices subscribed in {:.1} s ({:?})",
        t0.elapsed().as_secs_f64(),
        db.backend()
    );

    // Fan-out: the coach changes the plan; every device is told.
    let coach_access = FamilyAccess::open(&db, &coach, &family, clock.now())
        .await
        .unwrap();
    let sender = push::start_sender(
        db.clone(),
        push.clone(),
        clock.clone(),
        SenderConfig::default(),
    );
    // Let the sender finish the events of the set-up first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = received.count.load(Ordering::SeqCst);
    let start = Instant::now();
    plan::add_goal(&db, &coach_access, "housing", "Een droge woning")
        .await
        .unwrap();
    let deadline = start + Duration::from_secs(120);
    while received.count.load(Ordering::SeqCst) < before + devices && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let got = received.count.load(Ordering::SeqCst) - before;
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "fan-out: {got} of {devices} pushes received in {elapsed:.2} s ({:.0} pushes/s)",
        got as f64 / elapsed
    );

    // Latency: one device left subscribed; M changes one after the other.
    sqlx::query("DELETE FROM push_subscriptions WHERE id <> 'sub0'")
        .execute(db.pool())
        .await
        .unwrap();
    received.arrivals.lock().unwrap().clear();
    let mut latencies = Vec::with_capacity(changes);
    for n in 0..changes {
        let before = received.count.load(Ordering::SeqCst);
        let start = Instant::now();
        plan::add_goal(&db, &coach_access, "work", &format!("Doel {n}"))
            .await
            .unwrap();
        let deadline = start + Duration::from_secs(10);
        while received.count.load(Ordering::SeqCst) == before && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        latencies.push(start.elapsed());
        // Changes come at a person's pace, not back to back.
        tokio::time::sleep(Duration::from_millis(37)).await;
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "change → push received, {changes} changes: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        at(1.0).as_secs_f64() * 1000.0
    );
    sender.abort();
}
