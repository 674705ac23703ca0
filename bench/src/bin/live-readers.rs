//! `cargo build --release -p onsplan && cargo run --release -p onsplan-bench
//! --bin live-readers -- [--readers N] [--posts M] [--posters P]
//! [--seconds S]`: live messages, measured (issue 12, increment 4).
//!
//! The real server (`target/release/onsplan serve`, a child process) on a
//! fresh store (SQLite here, or `DATABASE_URL`), with N family members
//! (default 1,000) in families of four, each with an open `/api/events`
//! stream, as a phone with the app open has:
//! - memory: the server's resident memory before the streams and with all
//!   N open (each has said `hello`), per reader;
//! - latency: M messages (default 300), one after the other, each posted
//!   by a member through `/api/post-message`, from the start of the post
//!   until each of the three other members' streams has the news: p50,
//!   p99, max over all deliveries;
//! - throughput: P members (default 8) posting as fast as the server
//!   answers, for S seconds (default 10), all streams still open.
//!
//! Everything runs on this machine: the readers and posters share its
//! cores with the server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::clock::Clock;
use onsplan_app::domain::db::Db;
use onsplan_app::domain::{accounts, consent, messages};
use onsplan_app::lang::Lang;
use tokio::sync::mpsc;

fn arg(name: &str, default: usize) -> usize {
    let v: Vec<String> = std::env::args().collect();
    v.iter()
        .position(|a| a == name)
        .and_then(|i| v.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// A member with a session, and their family's thread with its coach.
struct Reader {
    family: usize,
    token: String,
    thread: String,
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let readers_wanted = arg("--readers", 1_000);
    let posts = arg("--posts", 300);
    let posters = arg("--posters", 8);
    let seconds = arg("--seconds", 10) as u64;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf();
    let binary = root.join("target/release/onsplan");
    assert!(
        binary.exists(),
        "build the server first: cargo build --release -p onsplan"
    );
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("live.db").display()));
    let db = Db::connect(&url).await.expect("store opens");
    let now = Clock::System.now();

    // Families of four members, each family with its coach (twenty
    // families a coach), the coach accepted: every member has the coach
    // thread.
    let org = accounts::create_organisation(&db, "Huis van het Kind", now)
        .await
        .unwrap();
    let families = readers_wanted.div_ceil(4);
    let mut readers = Vec::new();
    let mut coach = None;
    for f in 0..families {
        if f % 20 == 0 {
            let id = accounts::create_staff(
                &db,
                &accounts::NewStaff {
                    org_id: &org,
                    role: onsplan_app::domain::access::StaffRole::Coach,
                    email: &format!("coach{f}@bench.example"),
                    display_name: &format!("Coach {f}"),
                    lang: Lang::NlBe,
                },
                "a long bench password",
                now,
            )
            .await
            .unwrap();
            coach = Some(Caller::staff(&db, &id).await.unwrap());
        }
        let coach = coach.as_ref().unwrap();
        let family =
            accounts::create_family(&db, coach.as_staff().unwrap(), &format!("Gezin {f}"), now)
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
        for m in 0..4 {
            if readers.len() == readers_wanted {
                break;
            }
            let id = accounts::add_member(&db, &family, &format!("Lid {m}"), Lang::Ar, now)
                .await
                .unwrap();
            let caller = Caller::member(&db, &id).await.unwrap();
            if m == 0 {
                let access = FamilyAccess::open(&db, &caller, &family, now)
                    .await
                    .unwrap();
                consent::accept_coach(&db, &access).await.unwrap();
            }
            let home = messages::home(&db, &caller, now).await.unwrap();
            readers.push(Reader {
                family: f,
                token: accounts::start_session(&db, &caller, now).await.unwrap(),
                thread: home.threads[0].id.clone(),
            });
        }
    }
    drop(db);

    // The server.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut server = std::process::Command::new(&binary)
        .arg("serve")
        .env("ONSPLAN_LISTEN", format!("127.0.0.1:{port}"))
        .env("ONSPLAN_DATA_DIR", &data)
        .env("DATABASE_URL", &url)
        .env("ONSPLAN_PUBLIC_URL", &base)
        .env("ONSPLAN_PUBLIC_DIR", root.join("public"))
        .env("ONSPLAN_PKG_DIR", root.join("target/site/pkg"))
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("the server starts");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pid = server.id();
    // Let it settle after start-up (migrations, first requests).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib(pid);

    // Every reader opens its stream.
    let (news_tx, mut news_rx) = mpsc::unbounded_channel::<(usize, String, Instant)>();
    let hellos = Arc::new(AtomicUsize::new(0));
    for (i, r) in readers.iter().enumerate() {
        let client = client.clone();
        let url = format!("{base}/api/events");
        let cookie = format!("onsplan_session={}", r.token);
        let news_tx = news_tx.clone();
        let hellos = hellos.clone();
        tokio::spawn(async move {
            let mut response = client
                .get(url)
                .header("cookie", cookie)
                .header("accept", "text/event-stream")
                .send()
                .await
                .expect("stream");
            let mut buffer = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                let at = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    if block.contains("event: hello") {
                        hellos.fetch_add(1, Ordering::Relaxed);
                    } else if block.contains("event: message") {
                        if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                            if let Ok(v) = serde_json::from_str::<serde_json::Value>(data.trim()) {
                                let thread = v["thread"].as_str().unwrap_or("").to_string();
                                let _ = news_tx.send((i, thread, at));
                            }
                        }
                    }
                }
            }
        });
    }
    let opened = Instant::now();
    while hellos.load(Ordering::Relaxed) < readers.len() {
        assert!(
            opened.elapsed() < Duration::from_secs(120),
            "only {} of {} streams opened",
            hellos.load(Ordering::Relaxed),
            readers.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let open_time = opened.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = rss_kib(pid);

    let post = |who: usize, text: String| {
        let client = client.clone();
        let base = base.clone();
        let r = &readers[who];
        let cookie = format!("onsplan_session={}", r.token);
        let thread = r.thread.clone();
        async move {
            let response = client
                .post(format!("{base}/api/post-message"))
                .header("cookie", cookie)
                .header("origin", base.clone())
                .form(&[("thread", thread.as_str()), ("body", text.as_str())])
                .send()
                .await
                .expect("post");
            assert!(
                response.status().is_success() || response.status().is_redirection(),
                "post: {}",
                response.status()
            );
        }
    };

    // Latency: one message at a time; each reaches the writer's three
    // family members (the writer's own stream hears of it too: counted).
    let mut latencies = Vec::new();
    for n in 0..posts {
        let who = (n * 7919) % readers.len();
        let family = readers[who].family;
        let thread = readers[who].thread.clone();
        let others: Vec<usize> = (0..readers.len())
            .filter(|&i| readers[i].family == family)
            .collect();
        let sent = Instant::now();
        post(who, format!("Bericht {n}")).await;
        let mut waiting: std::collections::HashSet<usize> = others.into_iter().collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !waiting.is_empty() {
            let Ok(Some((reader, t, at))) =
                tokio::time::timeout_at(deadline.into(), news_rx.recv()).await
            else {
                panic!("message {n}: {} readers never heard of it", waiting.len());
            };
            if t == thread && waiting.remove(&reader) {
                latencies.push(at - sent);
            }
        }
    }
    latencies.sort();

    // Throughput: P posters as fast as the server answers.
    let done = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for p in 0..posters {
        let done = done.clone();
        let who = (p * 131 + 17) % readers.len();
        tasks.push(async move {
            let mut n = 0;
            while Instant::now() < until {
                post(who, format!("Snel {p}-{n}")).await;
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let t0 = Instant::now();
    futures_util::future::join_all(tasks).await;
    let throughput = done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64();
    let rss_end = rss_kib(pid);

    let _ = server.kill();
    let _ = server.wait();
    let per_reader = (rss_open.saturating_sub(rss_before)) as f64 / readers.len() as f64;
    println!(
        "store: {}",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "readers: {} streams open in {}",
        readers.len(),
        ms(open_time)
    );
    println!(
        "server memory: {} KiB before, {} KiB with every stream open: {:.1} KiB per reader; {} KiB after the posting",
        rss_before, rss_open, per_reader, rss_end
    );
    println!(
        "latency, post to stream ({} deliveries of {} messages): p50 {}, p99 {}, max {}",
        latencies.len(),
        posts,
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "throughput: {:.0} messages/s posted by {} members for {} s, every stream open",
        throughput, posters, seconds
    );
}
