//! Shared test helpers: a real server on a real port with a real store
//! (a fresh SQLite file, or a fresh database on the test PostgreSQL server),
//! and a real headless Chromium through chromedriver.

pub mod browser;
pub mod files;
pub mod process;
pub mod push;
pub mod relay;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use onsplan_app::domain::clock::Clock;
use onsplan_app::domain::db::Db;
use onsplan_app::domain::ids::new_id;
use onsplan_app::domain::limits::{Rate, RateConfig, RateLimits};
use onsplan_app::domain::secret::SecretKey;
use onsplan_app::domain::AppState;
use onsplan_server::{app, Assets};
use std::sync::Arc;

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// The stores this run tests: SQLite always; PostgreSQL when the test
/// command started one (ONSPLAN_TEST_POSTGRES_URL). Under CI
/// (ONSPLAN_REQUIRE_POSTGRES=1) a missing PostgreSQL is an error, not a skip.
pub fn stores() -> Vec<Store> {
    let mut stores = vec![Store::Sqlite];
    if std::env::var("ONSPLAN_TEST_POSTGRES_URL").is_ok() {
        stores.push(Store::Postgres);
    } else if std::env::var("ONSPLAN_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!("ONSPLAN_REQUIRE_POSTGRES=1 but ONSPLAN_TEST_POSTGRES_URL is not set");
    }
    stores
}

/// The repository root (tests run with the tests/ crate as working dir).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A fresh, migrated store. Keeps its temp dir alive as long as it lives.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fresh_db(store: Store) -> TestDb {
    fresh_db_in(store, std::env::temp_dir()).await
}

/// Like `fresh_db`, with SQLite on a memory file system (/dev/shm) where
/// there is one: the same engine and settings, without waiting for the disk
/// on each of the model test's hundreds of thousands of commits.
pub async fn fresh_db_fast(store: Store) -> TestDb {
    let shm = PathBuf::from("/dev/shm");
    fresh_db_in(
        store,
        if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        },
    )
    .await
}

async fn fresh_db_in(store: Store, parent: PathBuf) -> TestDb {
    match store {
        Store::Sqlite => {
            let dir = tempfile::tempdir_in(parent).expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let db = Db::connect(&url).await.expect("SQLite store opens");
            TestDb {
                db,
                url,
                _dir: Some(dir),
            }
        }
        Store::Postgres => {
            let admin = std::env::var("ONSPLAN_TEST_POSTGRES_URL").expect("PostgreSQL URL");
            let name = format!("t_{}", new_id());
            // A plain connection: the server's own database is never
            // migrated by the tests, only each test's new one.
            sqlx::any::install_default_drivers();
            let admin_db = sqlx::AnyPool::connect(&admin)
                .await
                .expect("PostgreSQL answers");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin_db)
                .await
                .expect("create test database");
            let url = replace_database(&admin, &name);
            let db = Db::connect(&url).await.expect("PostgreSQL store opens");
            TestDb {
                db,
                url,
                _dir: None,
            }
        }
    }
}

/// `postgres://u@h:p/db?x` with the database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A running server on 127.0.0.1 with its own store.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub store: Store,
    _db: TestDb,
}

const LOCALHOST: &str = "localhost";

/// Limits so high that no test meets them; a test of the limits sets its own.
pub fn no_limits() -> RateConfig {
    let many = Rate {
        tries: 1_000_000,
        seconds: 1,
    };
    RateConfig {
        sign_in_account: many,
        sign_in_address: many,
        invite_address: many,
    }
}

impl TestServer {
    pub async fn start(store: Store) -> TestServer {
        Self::start_with_limits(store, no_limits()).await
    }

    pub async fn start_with_limits(store: Store, limits: RateConfig) -> TestServer {
        Self::start_full(store, limits, None).await
    }

    /// A server that believes people reach it at `public_url` (e.g. https).
    pub async fn start_with_public_url(store: Store, public_url: &str) -> TestServer {
        Self::start_full(store, no_limits(), Some(public_url.to_string())).await
    }

    /// A server people reach at `http://localhost:PORT`: a host name, as
    /// passkeys need (browsers refuse them on an IP address).
    pub async fn start_on_localhost(store: Store) -> TestServer {
        Self::start_full(store, no_limits(), Some(LOCALHOST.to_string())).await
    }

    /// A server on the real clock, as `onsplan serve` runs: for tests that
    /// run the binary next to it on the same store (sessions made here
    /// must be current there).
    pub async fn start_on_real_time(store: Store) -> TestServer {
        Self::start_clocked(store, no_limits(), None, Clock::System).await
    }

    async fn start_full(
        store: Store,
        limits: RateConfig,
        public_url: Option<String>,
    ) -> TestServer {
        Self::start_clocked(store, limits, public_url, Clock::fixed(1_795_000_000)).await
    }

    async fn start_clocked(
        store: Store,
        limits: RateConfig,
        public_url: Option<String>,
        clock: Clock,
    ) -> TestServer {
        let test_db = fresh_db(store).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = AppState {
            db: test_db.db.clone(),
            clock, // fixed: 19 Nov 2026
            secret: Arc::new(SecretKey::generate()),
            public_url: match public_url {
                Some(url) if url == LOCALHOST => format!("http://localhost:{}", addr.port()),
                Some(url) => url,
                None => format!("http://{addr}"),
            },
            limits: Arc::new(RateLimits::new(limits)),
            trusted_proxy: None,
            push: crate::test_push(&test_db.db).await,
            live: Default::default(),
        };
        let assets = Assets {
            public_dir: repo_root().join("public"),
            pkg_dir: repo_root().join("target/site/pkg"),
        };
        let router = app(state.clone(), &assets);
        tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service).await.expect("server runs");
        });
        let server = TestServer {
            addr,
            state,
            store,
            _db: test_db,
        };
        server.wait_healthy().await;
        server
    }

    /// A new deployment of this server: the same store and keys, serving
    /// the files in `public_dir`, on a port of its own (put it behind the
    /// relay the browser uses). Returns its port.
    pub async fn redeploy(&self, public_dir: &std::path::Path) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let assets = Assets {
            public_dir: public_dir.to_path_buf(),
            pkg_dir: repo_root().join("target/site/pkg"),
        };
        let router = app(self.state.clone(), &assets);
        tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service).await.expect("server runs");
        });
        port
    }

    /// The store's URL, for a second process on the same store (the
    /// operator's `onsplan admin`).
    pub fn db_url(&self) -> &str {
        &self._db.url
    }

    /// The address of `path`, on the host the server believes it has.
    pub fn url(&self, path: &str) -> String {
        if self.state.public_url.starts_with("http://localhost:") {
            format!("{}{path}", self.state.public_url)
        } else {
            format!("http://{}{}", self.addr, path)
        }
    }

    async fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            // Straight to the server: its public address may be a relay
            // that a test starts later.
            if let Ok(r) = client
                .get(format!("http://{}/healthz", self.addr))
                .send()
                .await
            {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("server did not become healthy");
    }
}

/// The server's push identity for a test store: its VAPID key, posting
/// only to push services on this machine.
pub async fn test_push(db: &Db) -> Arc<onsplan_app::domain::push::Push> {
    Arc::new(
        onsplan_app::domain::push::Push::load_shared(
            db,
            0,
            "mailto:tests@onsplan.invalid",
            "http://127.0.0.1",
        )
        .await
        .expect("push keys"),
    )
}

/// A plain HTTP client with a cookie jar, like a browser without scripts.
pub fn client() -> reqwest::Client {
    client_with(Arc::new(reqwest::cookie::Jar::default()))
}

/// A client keeping its cookies in `jar`.
pub fn client_with(jar: Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}
