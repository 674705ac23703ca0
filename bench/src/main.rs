//! `cargo run --release -p onsplan-bench -- [--families N] [--seconds S]
//! [--concurrency C]`: generates N families with realistic plans in a
//! fresh store (SQLite in a temp dir, or DATABASE_URL), serves the real
//! router on a local port, and drives it with C concurrent connections:
//!
//! - the family's plan page (`GET /plan`, a member's session);
//! - the coach's family page (`GET /families/{id}`, the coach's session);
//! - the coach's plan items through the access layer (consent filter in
//!   the SQL, read logged) against the same read with the unfiltered
//!   query (same proof, same log write): the cost of the filter.
//!
//! Then it prints throughput and p50/p99 latency of each, and the sizes:
//! "Our plan" HTML + CSS brotli, and all JS + WASM brotli.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use rand::Rng;

use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::accounts;
use onsplan_app::domain::clock::Clock;
use onsplan_app::domain::db::Db;
use onsplan_app::domain::ids::new_id;
use onsplan_app::domain::limits::{Rate, RateConfig, RateLimits};
use onsplan_app::domain::plan;
use onsplan_app::domain::secret::SecretKey;
use onsplan_app::domain::AppState;
use onsplan_app::request::{cookie, SESSION_COOKIE};
use onsplan_server::{app, Assets};

struct Args {
    families: usize,
    seconds: u64,
    concurrency: usize,
}

fn args() -> Args {
    let mut a = Args {
        families: 10_000,
        seconds: 8,
        concurrency: 50,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    for pair in v.chunks(2) {
        let n = pair.get(1).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        match pair[0].as_str() {
            "--families" => a.families = n as usize,
            "--seconds" => a.seconds = n,
            "--concurrency" => a.concurrency = n as usize,
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

enum V {
    T(String),
    I(i64),
    N,
}

/// Inserts rows in multi-row statements inside one transaction.
async fn bulk(db: &Db, table: &str, cols: &[&str], rows: Vec<Vec<V>>) {
    let per = (30_000 / cols.len()).min(100);
    let mut tx = db.pool().begin().await.unwrap();
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..cols.len() {
                if c > 0 {
                    sql.push(',');
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    V::T(s) => q.bind(s.clone()),
                    V::I(i) => q.bind(*i),
                    V::N => q.bind(None::<String>),
                };
            }
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn t(s: impl Into<String>) -> V {
    V::T(s.into())
}

struct Data {
    /// (member id, family id)
    members: Vec<(String, String)>,
    /// (coach id, family id)
    coaches: Vec<(String, String)>,
}

const GOALS: [(&str, &str, [&str; 2]); 3] = [
    (
        "housing",
        "Een grotere, gezonde woning vinden",
        [
            "Inschrijven bij de sociale huisvesting",
            "De huisbaas schrijven over de vochtschade",
        ],
    ),
    (
        "money",
        "Geen nieuwe schulden meer",
        [
            "Een budget maken met alle vaste kosten",
            "Afspraak bij het OCMW voor budgetbegeleiding",
        ],
    ),
    (
        "school",
        "De kinderen gaan graag naar school",
        [
            "Gesprek met de juf over huiswerk",
            "Inschrijven voor de huiswerkklas",
        ],
    ),
];

async fn generate(db: &Db, n: usize, now: i64) -> Data {
    let hash = accounts::hash_password("benchmark password, not used to sign in").unwrap();
    let orgs = n.div_ceil(500).max(1);
    let coaches = n.div_ceil(8).max(1);
    let org_ids: Vec<String> = (0..orgs).map(|_| new_id()).collect();
    bulk(
        db,
        "organisations",
        &["id", "name", "created_at"],
        org_ids
            .iter()
            .enumerate()
            .map(|(i, id)| vec![t(id), t(format!("Organisatie {i}")), V::I(now)])
            .collect(),
    )
    .await;
    let mut staff_rows = Vec::new();
    let coach_ids: Vec<String> = (0..coaches).map(|_| new_id()).collect();
    let vol_ids: Vec<String> = (0..coaches).map(|_| new_id()).collect();
    for i in 0..coaches {
        let org = &org_ids[i % orgs];
        for (id, role) in [(&coach_ids[i], "coach"), (&vol_ids[i], "volunteer")] {
            staff_rows.push(vec![
                t(id),
                t(org),
                t(role),
                t(format!("{role}{i}@bench.example")),
                t(format!("{role} {i}")),
                t(&hash),
                t("nl-BE"),
                V::I(now),
            ]);
        }
    }
    bulk(
        db,
        "staff",
        &[
            "id",
            "org_id",
            "role",
            "email",
            "display_name",
            "password_hash",
            "language",
            "created_at",
        ],
        staff_rows,
    )
    .await;

    let (mut fam, mut plans, mut mem, mut bm, mut items, mut shares, mut mandates, mut answers) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    let mut data = Data {
        members: vec![],
        coaches: vec![],
    };
    for f in 0..n {
        let fid = new_id();
        let c = f % coaches;
        let org = &org_ids[c % orgs];
        fam.push(vec![
            t(&fid),
            t(org),
            t(format!("Gezin {f}")),
            t(&coach_ids[c]),
            t(&vol_ids[c]),
            V::I(now),
        ]);
        plans.push(vec![
            t(&fid),
            t("intensive"),
            t("2027-01-15"),
            t("We wonen in een gezonde woning."),
            t("active"),
            t(""),
            V::I(now),
        ]);
        let mid = new_id();
        // Joined by the coach's invite: the family's first member, confirmed.
        mem.push(vec![
            t(&mid),
            t(&fid),
            t("Amal"),
            t("ar"),
            V::I(now),
            V::I(now),
        ]);
        bm.push(vec![
            t(new_id()),
            t(&fid),
            t(&coach_ids[c]),
            t(&mid),
            V::I(now),
        ]);
        let mut k = 0;
        let mut first_action = None;
        let mut shared_goal = None;
        for (domain, goal, actions) in GOALS {
            let gid = new_id();
            k += 1;
            items.push(vec![
                t(&gid),
                t(&fid),
                t("goal"),
                V::N,
                t(domain),
                t(goal),
                V::N,
                V::N,
                V::N,
                V::I(0),
                t("member"),
                t(&mid),
                V::I(now + k),
                V::I(now + k),
            ]);
            for a in actions {
                let aid = new_id();
                k += 1;
                items.push(vec![
                    t(&aid),
                    t(&fid),
                    t("action"),
                    t(&gid),
                    t(domain),
                    t(a),
                    t("together"),
                    t("2026-12-20"),
                    t("todo"),
                    V::I(0),
                    t("staff"),
                    t(&coach_ids[c]),
                    V::I(now + k),
                    V::I(now + k),
                ]);
                first_action.get_or_insert(aid);
            }
            if domain == "school" {
                shared_goal = Some(gid);
            }
        }
        k += 1;
        items.push(vec![
            t(new_id()),
            t(&fid),
            t("note"),
            V::N,
            t("health"),
            t("Ik slaap slecht sinds de verhuis."),
            V::N,
            V::N,
            V::N,
            V::I(1),
            t("member"),
            t(&mid),
            V::I(now + k),
            V::I(now + k),
        ]);
        shares.push(vec![
            t(new_id()),
            t(&fid),
            t(shared_goal.unwrap()),
            V::N,
            t("volunteer"),
            V::N,
            V::N,
            t("Hulp bij het huiswerk"),
            t("2027-06-30"),
            t(&mid),
            V::I(now),
        ]);
        let qid = new_id();
        mandates.push(vec![
            t(&qid),
            t(&fid),
            t(first_action.unwrap()),
            t(&coach_ids[c]),
            t("Ik bel WoninGent."),
            t("WoninGent"),
            t("Naam en gezinsgrootte"),
            t("2027-02-01"),
            V::I(now),
        ]);
        answers.push(vec![
            t(new_id()),
            t(&qid),
            t("together"),
            t(&mid),
            V::I(now),
            V::I(1),
        ]);
        data.members.push((mid, fid.clone()));
        data.coaches.push((coach_ids[c].clone(), fid));
    }
    bulk(
        db,
        "families",
        &[
            "id",
            "org_id",
            "display_name",
            "coach_id",
            "volunteer_id",
            "created_at",
        ],
        fam,
    )
    .await;
    bulk(
        db,
        "plans",
        &[
            "family_id",
            "intensity",
            "next_evaluation",
            "end_criteria",
            "status",
            "hold_reason",
            "updated_at",
        ],
        plans,
    )
    .await;
    bulk(
        db,
        "members",
        &[
            "id",
            "family_id",
            "display_name",
            "language",
            "created_at",
            "confirmed_at",
        ],
        mem,
    )
    .await;
    bulk(
        db,
        "base_mandates",
        &["id", "family_id", "coach_id", "granted_by", "granted_at"],
        bm,
    )
    .await;
    bulk(
        db,
        "plan_items",
        &[
            "id",
            "family_id",
            "kind",
            "goal_id",
            "domain",
            "body",
            "who",
            "due",
            "status",
            "only_us",
            "author_kind",
            "author_id",
            "created_at",
            "updated_at",
        ],
        items,
    )
    .await;
    bulk(
        db,
        "shares",
        &[
            "id",
            "family_id",
            "item_id",
            "domain",
            "recipient_kind",
            "recipient_staff_id",
            "recipient_org_id",
            "purpose",
            "until",
            "granted_by",
            "granted_at",
        ],
        shares,
    )
    .await;
    bulk(
        db,
        "mandates",
        &[
            "id",
            "family_id",
            "action_id",
            "coach_id",
            "what",
            "counterparty",
            "facts",
            "until",
            "asked_at",
        ],
        mandates,
    )
    .await;
    bulk(
        db,
        "mandate_answers",
        &[
            "id",
            "mandate_id",
            "answer",
            "member_id",
            "answered_at",
            "seq",
        ],
        answers,
    )
    .await;
    data
}

/// The bench-only routes: the coach's items with and without the filter.
async fn items_route(
    State((state, filtered)): State<(AppState, bool)>,
    Path(family): Path<String>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    let Ok(Some((caller, _))) =
        accounts::resolve_session(&state.db, &token, state.clock.now()).await
    else {
        return (axum::http::StatusCode::UNAUTHORIZED, String::new());
    };
    let Ok(access) = FamilyAccess::open(&state.db, &caller, &family, state.clock.now()).await
    else {
        return (axum::http::StatusCode::NOT_FOUND, String::new());
    };
    let items = if filtered {
        plan::items(&state.db, &access).await
    } else {
        plan::items_unfiltered(&state.db, &access).await
    };
    match items {
        Ok(i) => (
            axum::http::StatusCode::OK,
            serde_json::to_string(&i).unwrap(),
        ),
        Err(_) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, String::new()),
    }
}

struct Outcome {
    rps: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

/// Drives `targets` (path, session token) with `c` connections for `secs`.
async fn drive(base: &str, targets: Arc<Vec<(String, String)>>, c: usize, secs: u64) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(c)
        .build()
        .unwrap();
    // Warm-up.
    for (path, token) in targets.iter().take(50) {
        let _ = client
            .get(format!("{base}{path}"))
            .header("cookie", format!("{SESSION_COOKIE}={token}"))
            .send()
            .await;
    }
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..c {
        let (client, targets, base) = (client.clone(), targets.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < end {
                let (path, token) = &targets[rand::rng().random_range(0..targets.len())];
                let t0 = Instant::now();
                let r = client
                    .get(format!("{base}{path}"))
                    .header("cookie", format!("{SESSION_COOKIE}={token}"))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    // A page that fails is not a figure: stop, rather than print 0 req/s.
    assert!(
        errors == 0,
        "{errors} requests failed (first target: {:?})",
        targets.first().map(|t| &t.0)
    );
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    Outcome {
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        errors,
    }
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes).unwrap();
    }
    out.len()
}

#[tokio::main]
async fn main() {
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let db = Db::connect(&url).await.expect("store opens");
    let clock = Clock::fixed(1_795_000_000);
    let t0 = Instant::now();
    let data = generate(&db, a.families, clock.now()).await;
    // Planner statistics for the bulk-loaded tables on PostgreSQL, as its
    // autovacuum would have them by the time people use it. Without them,
    // its cached plans for the prepared queries scan whole tables at
    // 100,000 families. Not on SQLite, which nothing analyses in use: its
    // build (libsqlite3-sys, STAT4 on) would then re-plan every statement
    // each time a family id is bound, which costs the consent query about
    // 0.3 ms a read (docs/PERFORMANCE.md).
    if db.backend() == onsplan_app::domain::db::Backend::Postgres {
        sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
    }
    let items: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_items")
        .fetch_one(db.pool())
        .await
        .unwrap();
    println!(
        "generated {} families ({} plan items) in {:.1} s on {:?}",
        a.families,
        items,
        t0.elapsed().as_secs_f64(),
        db.backend()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let unlimited = Rate {
        tries: u32::MAX,
        seconds: 1,
    };
    let state = AppState {
        db: db.clone(),
        clock: clock.clone(),
        secret: Arc::new(SecretKey::generate()),
        public_url: format!("http://{addr}"),
        // The benchmark signs in and loads pages as fast as it can: no
        // limits on guessing here.
        limits: Arc::new(RateLimits::new(RateConfig {
            sign_in_account: unlimited,
            sign_in_address: unlimited,
            invite_address: unlimited,
        })),
        trusted_proxy: None,
        push: Arc::new(
            onsplan_app::domain::push::Push::load_shared(
                &db,
                0,
                "mailto:tests@onsplan.invalid",
                "http://127.0.0.1",
            )
            .await
            .expect("push keys"),
        ),
        live: Default::default(),
    };
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let assets = Assets {
        public_dir: root.join("public"),
        pkg_dir: root.join("target/site/pkg"),
    };
    let bench = Router::new()
        .route(
            "/bench/filtered/{family}",
            get(items_route).with_state((state.clone(), true)),
        )
        .route(
            "/bench/unfiltered/{family}",
            get(items_route).with_state((state.clone(), false)),
        );
    let router = app(state.clone(), &assets).merge(bench);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let base = format!("http://{addr}");

    // Sessions for a sample of members and their coaches.
    let sample = 2000.min(data.members.len());
    let mut members = Vec::new();
    let mut coaches = Vec::new();
    for i in 0..sample {
        let k = rand::rng().random_range(0..data.members.len());
        let (mid, fid) = &data.members[k];
        let m = accounts::start_session(&db, &Caller::member(&db, mid).await.unwrap(), clock.now())
            .await
            .unwrap();
        members.push(("/plan".to_string(), m));
        let (cid, cfid) = &data.coaches[k];
        let c = accounts::start_session(&db, &Caller::staff(&db, cid).await.unwrap(), clock.now())
            .await
            .unwrap();
        coaches.push((cfid.clone(), c));
        let _ = (i, fid);
    }
    let plan_targets = Arc::new(members.clone());
    let page_targets = Arc::new(
        coaches
            .iter()
            .map(|(f, c)| (format!("/families/{f}"), c.clone()))
            .collect::<Vec<_>>(),
    );
    let filtered = Arc::new(
        coaches
            .iter()
            .map(|(f, c)| (format!("/bench/filtered/{f}"), c.clone()))
            .collect::<Vec<_>>(),
    );
    let unfiltered = Arc::new(
        coaches
            .iter()
            .map(|(f, c)| (format!("/bench/unfiltered/{f}"), c.clone()))
            .collect::<Vec<_>>(),
    );

    println!("\n{} connections, {} s each\n", a.concurrency, a.seconds);
    println!("| what | req/s | p50 ms | p99 ms | errors |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, targets) in [
        ("family: Our plan page (GET /plan)", plan_targets),
        ("coach: family page (GET /families/{id})", page_targets),
    ] {
        let o = drive(&base, targets, a.concurrency, a.seconds).await;
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} |",
            o.rps, o.p50, o.p99, o.errors
        );
    }
    // The filter's cost: the two reads take turns, three rounds each, so
    // that drift on a shared machine hits both alike.
    let (mut with, mut without) = (0.0, 0.0);
    for round in 1..=3 {
        for (name, targets, sum) in [
            (
                "coach: plan items, consent filter in SQL",
                filtered.clone(),
                &mut with,
            ),
            (
                "coach: plan items, same read unfiltered",
                unfiltered.clone(),
                &mut without,
            ),
        ] {
            let o = drive(&base, targets, a.concurrency, a.seconds).await;
            println!(
                "| {name} (round {round}) | {:.0} | {:.2} | {:.2} | {} |",
                o.rps, o.p50, o.p99, o.errors
            );
            *sum += o.rps;
        }
    }
    println!(
        "\nfiltered / unfiltered throughput over 3 rounds: {:.1} %",
        100.0 * with / without
    );

    // Sizes.
    let (_, token) = &members[0];
    let html = reqwest::Client::new()
        .get(format!("{base}/plan"))
        .header("cookie", format!("{SESSION_COOKIE}={token}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let css = std::fs::read(root.join("public/style.css")).unwrap();
    let mut bundle = 0;
    let mut bundle_files = Vec::new();
    for entry in std::fs::read_dir(root.join("target/site/pkg"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "br") {
            let len = std::fs::metadata(&p).unwrap().len() as usize;
            bundle += len;
            bundle_files.push(format!(
                "{} {} B",
                p.file_name().unwrap().to_string_lossy(),
                len
            ));
        }
    }
    // The stylesheet is written into every page: the HTML holds it.
    println!("\n\"Our plan\" page, stylesheet inside: HTML {} B raw, {} B brotli ({:.1} KiB); of which the stylesheet {} B raw, {} B brotli",
        html.len(), brotli_len(&html), brotli_len(&html) as f64 / 1024.0, css.len(), brotli_len(&css));
    println!(
        "JS + WASM brotli: {:.1} KiB ({})",
        bundle as f64 / 1024.0,
        bundle_files.join(", ")
    );
}
