//! The Onsplan host: builds the router (`app`), and runs it (`serve`).
//! `main.rs` only wires configuration to these.

pub mod admin;
pub mod cli;
pub mod config;
pub mod demo;
mod live;
mod media;
mod middleware;

use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::handler::HandlerWithoutStateExt;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::services::ServeDir;

use onsplan_app::app::{shell, App};
use onsplan_app::domain::clock::Clock;
use onsplan_app::domain::db::{Db, DbError};
use onsplan_app::domain::limits::RateLimits;
use onsplan_app::domain::push::{self, Push};
use onsplan_app::domain::secret::{SecretError, SecretKey};
use onsplan_app::domain::AppState;

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("could not create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("could not listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("{0}")]
    Secret(#[from] SecretError),
    #[error("could not load the demo: {0}")]
    Demo(String),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

/// Where the static files are.
#[derive(Debug, Clone)]
pub struct Assets {
    pub public_dir: std::path::PathBuf,
    pub pkg_dir: std::path::PathBuf,
}

fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("onsplan")
        .site_pkg_dir("pkg")
        .build()
}

/// The whole HTTP surface of Onsplan: pages, server functions, health check
/// and static files. Tests call this in-process.
pub fn app(state: AppState, assets: &Assets) -> Router {
    let https = state.public_url.starts_with("https://");
    let options = leptos_options();
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, move || page_context(&context_state), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .with_state(options.clone());

    // Anything that is neither a page nor a file renders the app's own
    // "not found" page, in the caller's language, with status 404.
    let not_found = {
        let context_state = state.clone();
        let options = options.clone();
        leptos_axum::render_app_to_stream_with_context(
            move || page_context(&context_state),
            move || shell(options.clone()),
        )
    };
    // Static files may be kept a while; everything else is `no-store`
    // (see `middleware::security_headers`).
    let cache_static = tower_http::set_header::SetResponseHeaderLayer::if_not_present(
        axum::http::header::CACHE_CONTROL,
        |response: &axum::response::Response| {
            response
                .status()
                .is_success()
                .then(|| axum::http::HeaderValue::from_static("public, max-age=3600"))
        },
    );
    let static_files = Router::new()
        .nest_service(
            "/pkg",
            ServeDir::new(&assets.pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .fallback_service(
            ServeDir::new(&assets.public_dir)
                .precompressed_br()
                .not_found_service(not_found.into_service()),
        )
        .layer(cache_static);

    let worker = Arc::new(ServiceWorker::load(assets));
    let small = Router::new()
        .route("/healthz", get(healthz))
        .route("/n/{id}", get(open_notice))
        .route("/api/events", get(live::events))
        .route("/media/{id}", get(media::get))
        .with_state(state.clone())
        .route(
            "/sw.js",
            get(move || {
                let worker = worker.clone();
                async move { worker.response() }
            }),
        )
        .merge(pages)
        .fallback_service(static_files)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(middleware::KeptForms::new(https)),
            middleware::keep_refused_forms,
        ))
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        // Every form here is small (texts are at most 2,000 characters);
        // anything much larger is refused with 413 before it is read.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024));
    // The photo and voice forms are the only large requests.
    let uploads = Router::new()
        .route("/api/post-photo", axum::routing::post(media::post_photo))
        .route("/api/post-voice", axum::routing::post(media::post_voice))
        .with_state(state.clone())
        .layer(axum::extract::DefaultBodyLimit::max(media::MAX_UPLOAD))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            media::MAX_UPLOAD,
        ));
    uploads
        .merge(small)
        .layer(axum::middleware::from_fn_with_state(
            state,
            middleware::request_context,
        ))
        .layer(axum::middleware::from_fn(middleware::same_origin_only))
        .layer(axum::middleware::from_fn_with_state(
            https,
            middleware::security_headers,
        ))
        // Pages and JSON go out compressed (brotli or gzip, as the browser
        // accepts); the WASM and JS are stored precompressed.
        .layer(tower_http::compression::CompressionLayer::new())
}

/// What every page render can reach: the shared state; and the page's
/// Content-Security-Policy, which allows only our own scripts, styles and
/// WebAssembly, and the inline start-up scripts Leptos writes with this
/// response's nonce (leptos_axum makes a new nonce for every page).
fn page_context(state: &AppState) {
    provide_context(state.clone());
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'nonce-{nonce}'; img-src 'self' data: blob:; media-src 'self' blob:; \
             object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The service worker, with this build's version written in: a hash of
/// itself and of what it serves, so that a deployment that changes any of
/// them is a new worker (and the page offers to reload).
struct ServiceWorker {
    body: String,
}

impl ServiceWorker {
    fn load(assets: &Assets) -> ServiceWorker {
        use std::hash::{Hash, Hasher};
        let source = std::fs::read_to_string(assets.public_dir.join("sw.js")).unwrap_or_default();
        let mut hasher = std::hash::DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        source.hash(&mut hasher);
        for file in [
            assets.public_dir.join("style.css"),
            assets.public_dir.join("app.js"),
            assets.pkg_dir.join("onsplan.js"),
            assets.pkg_dir.join("onsplan_bg.wasm"),
        ] {
            std::fs::read(file).unwrap_or_default().hash(&mut hasher);
        }
        let version = format!("{:016x}", hasher.finish());
        ServiceWorker {
            body: source.replace("__ONSPLAN_VERSION__", &version),
        }
    }

    fn response(&self) -> axum::response::Response {
        if self.body.is_empty() {
            return StatusCode::NOT_FOUND.into_response();
        }
        (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/javascript; charset=utf-8",
                ),
                // Always asked again: a new deployment reaches every phone.
                (axum::http::header::CACHE_CONTROL, "no-cache"),
                // The worker fetches this site's pages and files, and
                // nothing else.
                (
                    axum::http::header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                ),
            ],
            self.body.clone(),
        )
            .into_response()
    }
}

/// Where an opened notification leads (`/n/<its random id>`): decided now,
/// for the person signed in, by the access layer. Anyone else, or an id
/// that is no one's, lands on the start page; nobody learns anything.
async fn open_notice(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::Extension(context): axum::Extension<onsplan_app::request::RequestContext>,
) -> axum::response::Response {
    use onsplan_app::domain::access::Caller;
    if matches!(context.caller, Caller::Anonymous) {
        return axum::response::Redirect::to("/sign-in").into_response();
    }
    if !onsplan_app::domain::ids::looks_like_id(&id) {
        return axum::response::Redirect::to("/").into_response();
    }
    match push::target(&state.db, &context.caller, &id, state.clock.now()).await {
        Ok(Some(to)) => axum::response::Redirect::to(&to).into_response(),
        Ok(None) => axum::response::Redirect::to("/").into_response(),
        // The store failed (logged): the start page says so in the
        // reader's language.
        Err(_) => axum::response::Redirect::to("/").into_response(),
    }
}

/// 200 once the migrations ran and the store answers; 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let migrated = state
        .db
        .applied_migrations()
        .await
        .map(|n| n == Db::expected_migrations())
        .unwrap_or(false);
    if migrated && state.db.is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    }
}

/// Opens the store named by the configuration, creating the data directory.
pub async fn open_store(config: &Config) -> Result<Db, ServerError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| ServerError::DataDir(config.data_dir.display().to_string(), e))?;
    Ok(Db::connect(&config.database_url).await?)
}

pub async fn serve(config: Config, demo: bool) -> Result<(), ServerError> {
    let db = open_store(&config).await?;
    let secret = SecretKey::load_shared(
        &db,
        &config.data_dir.join("secret.key"),
        Clock::System.now(),
    )
    .await?;
    let push = Push::load_shared(
        &db,
        Clock::System.now(),
        &config.push_contact,
        &config.push_endpoints,
    )
    .await?;
    let state = AppState {
        db,
        clock: Clock::System,
        secret: Arc::new(secret),
        public_url: config.public_url.clone(),
        limits: Arc::new(RateLimits::new(config.limits)),
        trusted_proxy: config.trusted_proxy,
        push: Arc::new(push),
        live: Arc::new(onsplan_app::domain::live::Hub::default()),
    };
    if demo {
        let loaded = demo::load(&state)
            .await
            .map_err(|e| ServerError::Demo(e.to_string()))?;
        println!("{}", demo::describe(&loaded, &state.public_url));
    }
    let assets = Assets {
        public_dir: config.public_dir.clone(),
        pkg_dir: config.pkg_dir.clone(),
    };
    if !Path::new(&assets.pkg_dir).join("onsplan.js").exists() {
        tracing::warn!(
            "no onsplan.js in {}: pages render, but islands will not hydrate (run scripts/build-wasm)",
            assets.pkg_dir.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServerError::Listen(config.listen.to_string(), e))?;
    tracing::info!(
        "Onsplan listens on {}, reached at {}",
        config.listen,
        config.public_url
    );
    // Full buckets are forgotten now and then, so the limits' memory stays
    // bounded however many addresses knock.
    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.forget_idle();
        }
    });
    // The notification outbox is emptied by this instance (and any other on
    // the same store: each delivery is claimed before it is sent).
    // Messages posted through other instances on the same PostgreSQL
    // reach the readers connected here.
    live::listen(state.clone(), config.database_url.clone());
    push::start_sender(
        state.db.clone(),
        state.push.clone(),
        state.clock.clone(),
        push::SenderConfig::default(),
    );
    // Open event streams end when the server stops, so that the requests
    // in flight can finish.
    let hub = state.live.clone();
    axum::serve(
        listener,
        app(state, &assets).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        hub.stop();
    })
    .await
    .map_err(ServerError::Serve)
}

/// Ctrl-C or SIGTERM (what a service manager sends): stop taking new
/// connections and finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("stopping: finishing the requests in flight");
}
