//! Web Push peers for the tests.
//!
//! [`PushReceiver`] is a real push service: the npm package
//! `web-push-testing` 1.2.2 (installed into `.tools/` by `scripts/tools.sh`),
//! run as a child process. It hands out subscriptions, checks each push's
//! `TTL`, `Content-Encoding`, VAPID key and ES256 signature, decrypts
//! aes128gcm (and aesgcm) bodies, and keeps the plaintexts for
//! [`PushReceiver::notifications`]. It does not check the JWT's `aud` or
//! `sub`, `Urgency`, `Topic` or the 4,096-byte body limit: assert those on a
//! [`StubEndpoint`].
//!
//! What it answers to a push (`POST /notify/<clientHash>`): 201 with an empty
//! body when it decrypted the message; 410 once the subscription was expired;
//! 400 `{"error":{"message":…}}` for everything else, an unknown subscription
//! included (never 404). A body sent without `Content-Type:
//! application/octet-stream` is not read as bytes and fails with 400.
//!
//! [`StubEndpoint`] is a scripted endpoint that records what it is sent.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One subscription, as `web-push-testing` hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverSubscription {
    /// `http://127.0.0.1:PORT/notify/<client_hash>` (the receiver says
    /// `localhost`; the port is the one [`PushReceiver::stop`] closes).
    pub endpoint: String,
    /// The subscription's P-256 public key, base64url (65 bytes, uncompressed).
    pub p256dh: String,
    /// The subscription's auth secret, base64url (16 bytes).
    pub auth: String,
    /// The receiver's name for the subscription (64 hex digits).
    pub client_hash: String,
}

impl ReceiverSubscription {
    /// The subscription as a browser's `PushSubscription.toJSON()` gives it:
    /// `{"endpoint": …, "expirationTime": null, "keys": {"p256dh": …, "auth": …}}`.
    pub fn json(&self) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": self.p256dh, "auth": self.auth },
        })
    }
}

/// A running `web-push-testing` server behind a loopback TCP relay.
///
/// The node process listens on its own port (on all interfaces: it has no
/// option to bind one address); subscriptions' endpoints point at the relay
/// on `127.0.0.1`, which [`stop`](Self::stop) closes and
/// [`restart`](Self::restart) opens again on the same port, so that the
/// service can be down for a while without forgetting its subscriptions.
/// Killed, with its process group, on drop.
pub struct PushReceiver {
    child: Child,
    /// The node server's own port (subscribe, read, expire).
    node_port: u16,
    /// The relay's port: the one in the endpoints.
    port: u16,
    relay: Option<JoinHandle<()>>,
    http: reqwest::Client,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The script that runs `web-push-testing` in the foreground. Its CLI
/// (`web-push-testing --port P start`) starts this same script detached,
/// exits, and keeps a pid file in `./.node-persist`: no child to kill.
fn receiver_script() -> PathBuf {
    let tools = crate::repo_root().join(".tools/node_modules");
    let bin = tools.join(".bin/web-push-testing");
    let script = tools.join("web-push-testing/src/bin/server.js");
    assert!(
        bin.exists() && script.exists(),
        "{} is missing: run `source scripts/tools.sh && ensure_push_receiver` \
         (scripts/test does)",
        bin.display()
    );
    script
}

impl PushReceiver {
    /// Starts the receiver on a free port and waits until it answers
    /// (about 0.4 s).
    pub async fn start() -> PushReceiver {
        let script = receiver_script();
        let dir = tempfile::tempdir().expect("temp dir for the push receiver");
        let log = dir.path().join("web-push-testing.log");
        let node_port = crate::process::free_port();
        let out = std::fs::File::create(&log).expect("push receiver log file");
        let err = out.try_clone().expect("push receiver log file");
        let child = Command::new("node")
            .arg(&script)
            .arg(node_port.to_string())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .expect("node runs (Node.js 20 or later: scripts/tools.sh)");
        let relay_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the push receiver's relay");
        let port = relay_listener.local_addr().expect("relay address").port();
        let mut receiver = PushReceiver {
            child,
            node_port,
            port,
            relay: None,
            http: reqwest::Client::new(),
            log,
            _dir: dir,
        };
        receiver.wait_ready().await;
        receiver.relay = Some(crate::relay::spawn(relay_listener, node_port));
        receiver
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("poll the push receiver") {
                panic!("web-push-testing exited with {status}: {}", self.log());
            }
            let status = self.http.post(self.node_url("/status")).send().await;
            if status.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("web-push-testing did not answer in 30 s: {}", self.log());
    }

    fn node_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.node_port)
    }

    /// What the receiver printed so far (it logs each rejected VAPID token).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The port in the endpoints.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new subscription for a VAPID public key (base64url, 65 bytes
    /// uncompressed): pushes to it must be signed with the matching key.
    /// Panics on a key the receiver refuses.
    pub async fn subscribe(&self, application_server_key_b64url: &str) -> ReceiverSubscription {
        // userVisibleOnly must be the string "true": a JSON true is refused.
        let body = json!({
            "applicationServerKey": application_server_key_b64url,
            "userVisibleOnly": "true",
        });
        let value = self.call("/subscribe", Some(body)).await;
        let data = &value["data"];
        let field = |v: &Value| {
            v.as_str()
                .unwrap_or_else(|| panic!("web-push-testing /subscribe answered {value}"))
                .to_string()
        };
        let client_hash = field(&data["clientHash"]);
        ReceiverSubscription {
            endpoint: format!("http://127.0.0.1:{}/notify/{client_hash}", self.port),
            p256dh: field(&data["keys"]["p256dh"]),
            auth: field(&data["keys"]["auth"]),
            client_hash,
        }
    }

    /// The decrypted payloads received for a subscription so far, oldest
    /// first, as UTF-8 text (invalid bytes become U+FFFD). Still readable
    /// after [`expire`](Self::expire) and while stopped.
    pub async fn notifications(&self, client_hash: &str) -> Vec<String> {
        let value = self
            .call(
                "/get-notifications",
                Some(json!({ "clientHash": client_hash })),
            )
            .await;
        value["data"]["messages"]
            .as_array()
            .unwrap_or_else(|| panic!("web-push-testing /get-notifications answered {value}"))
            .iter()
            .map(|m| {
                m.as_str()
                    .unwrap_or_else(|| panic!("a message that is not text: {m}"))
                    .to_string()
            })
            .collect()
    }

    /// Waits up to `timeout` until a subscription has received at least `n`
    /// messages; all of them.
    pub async fn wait_for(&self, client_hash: &str, n: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.notifications(client_hash).await;
            if messages.len() >= n || Instant::now() >= deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Expires a subscription, as a browser that unsubscribed: from now on
    /// pushes to it get 410 Gone.
    pub async fn expire(&self, client_hash: &str) {
        self.call(&format!("/expire-subscription/{client_hash}"), None)
            .await;
    }

    /// Takes the service down: new connections to the endpoints' port are
    /// refused and open ones are cut. Subscriptions and received messages
    /// are kept.
    pub async fn stop(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
            let _ = relay.await;
        }
    }

    /// Brings the service back on the same port, with the subscriptions it
    /// had.
    pub async fn restart(&mut self) {
        self.stop().await;
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(addr).await {
                Ok(listener) => break listener,
                Err(e) if Instant::now() >= deadline => {
                    panic!("cannot listen on {addr} again: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.relay = Some(crate::relay::spawn(listener, self.node_port));
    }

    /// POSTs to the node server (JSON body or none); the JSON answer, or
    /// `null` for a plain `OK`. Panics on any status but 200.
    async fn call(&self, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.post(self.node_url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("web-push-testing {path}: {e}"));
        let status = response.status();
        let text = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("web-push-testing {path}: {e}"));
        assert_eq!(
            status,
            reqwest::StatusCode::OK,
            "web-push-testing {path} answered {status}: {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

impl Drop for PushReceiver {
    fn drop(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
        // The whole process group: node and anything it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request a [`StubEndpoint`] received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query, e.g. `/push/stub`.
    pub path: String,
    /// Lower-case header names; repeated headers joined with `", "`.
    pub headers: BTreeMap<String, String>,
    pub body_len: usize,
    pub body: Vec<u8>,
    /// When it arrived, for checking the spacing of retries.
    pub at: Instant,
}

impl Recorded {
    /// A header's value, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

struct StubState {
    script: Vec<(StatusCode, Option<String>)>,
    requests: Vec<Recorded>,
}

/// A push endpoint that answers from a script and records every request.
///
/// `StubEndpoint::start(vec![(503, Some("2")), (201, None)])` answers the
/// first request 503 with `Retry-After: 2` and every later one 201: the last
/// entry repeats; an empty script answers 201. Any method and path is
/// answered. Stops when dropped (connections still open may live on until
/// the test's runtime ends).
pub struct StubEndpoint {
    addr: SocketAddr,
    state: Arc<Mutex<StubState>>,
    server: JoinHandle<()>,
}

impl StubEndpoint {
    /// Starts the endpoint on a free loopback port.
    pub async fn start(script: Vec<(u16, Option<&str>)>) -> StubEndpoint {
        let state = Arc::new(Mutex::new(StubState {
            script: script
                .into_iter()
                .map(|(status, retry_after)| {
                    let status = StatusCode::from_u16(status)
                        .unwrap_or_else(|_| panic!("stub endpoint script: bad status {status}"));
                    (status, retry_after.map(str::to_string))
                })
                .collect(),
            requests: Vec::new(),
        }));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the stub push endpoint");
        let addr = listener.local_addr().expect("stub endpoint address");
        let shared = state.clone();
        let router = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = shared.clone();
                async move { answer(&state, method, uri, headers, body) }
            },
        );
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("stub push endpoint serves");
        });
        StubEndpoint {
            addr,
            state,
            server,
        }
    }

    /// The subscription endpoint to give the sender.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}/push/stub", self.addr)
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state
            .lock()
            .expect("stub endpoint state")
            .requests
            .clone()
    }

    /// Waits up to `timeout` until at least `n` requests arrived; all of them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Recorded> {
        let deadline = Instant::now() + timeout;
        loop {
            let requests = self.requests();
            if requests.len() >= n || Instant::now() >= deadline {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for StubEndpoint {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn answer(
    state: &Mutex<StubState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = state.lock().expect("stub endpoint state");
    let mut recorded = BTreeMap::<String, String>::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        recorded
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let index = state.requests.len();
    state.requests.push(Recorded {
        method: method.to_string(),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_string(), |p| p.to_string()),
        headers: recorded,
        body_len: body.len(),
        body: body.to_vec(),
        at: Instant::now(),
    });
    let (status, retry_after) = state
        .script
        .get(index)
        .or(state.script.last())
        .cloned()
        .unwrap_or((StatusCode::CREATED, None));
    match retry_after {
        Some(seconds) => (status, [("retry-after", seconds)]).into_response(),
        None => status.into_response(),
    }
}
