//! A real headless Chromium, driven through chromedriver (WebDriver), sized
//! like a cheap phone (360 CSS px wide). The driver and browser are killed
//! when the guard drops, also when a test panics.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::process::free_port;
use serde_json::json;

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The driver starts Chromium in a process group of its own, so
        // killing the driver alone left the browser running after every
        // test that did not close it (or panicked): it goes by its profile,
        // which is this browser's only.
        let _ = Command::new("pkill")
            .args([
                "-KILL",
                "-f",
                &format!("user-data-dir={}", self.profile.path().display()),
            ])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find(binary: &str, fallback: &str) -> PathBuf {
    std::env::var_os(binary.to_uppercase())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(fallback))
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; `javascript: false`
    /// turns scripts off for the whole profile.
    pub async fn start(javascript: bool, accept_language: &str) -> Browser {
        let port = free_port();
        let driver = Command::new(find("chromedriver", "/usr/bin/chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (apt-get install chromium-driver)");
        let profile = tempfile::tempdir().expect("profile dir");
        let prefs = json!({ "intl.accept_languages": accept_language });
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--lang={accept_language}"),
            // A microphone that plays a tone, allowed without asking (voice
            // messages), and sound that may start without a tap.
            "--use-fake-device-for-media-stream".into(),
            "--use-fake-ui-for-media-stream".into(),
            "--autoplay-policy=no-user-gesture-required".into(),
        ];
        if !javascript {
            // Pages get no scripts at all; the driver's own commands still
            // run (a content-setting block makes chromedriver hang on
            // navigations instead).
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": find("chromium", "/usr/bin/chromium"),
                "args": args,
                "prefs": prefs,
                "mobileEmulation": {
                    "deviceMetrics": { "width": 360, "height": 780, "pixelRatio": 1.0 }
                }
            }
        });
        let capabilities = capabilities.as_object().expect("object").clone();
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::native()
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("chromedriver: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            driver,
            profile,
        }
    }

    /// Waits until `css` matches an element, polling with a deadline.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Clicks `css` once it can be clicked: an element can be in the page
    /// before it is shown or laid out (a script reveals it after
    /// hydrating), and WebDriver refuses a click on it until then.
    pub async fn click_when_ready(&self, css: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let element = self.wait_for(css).await;
            match element.click().await {
                Ok(()) => return,
                Err(e) if std::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("click {css}: {e}"),
            }
        }
    }

    /// Saves a full-page PNG of what the browser shows now.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).expect("write screenshot");
    }

    /// Gives this browser a virtual authenticator (WebDriver's WebAuthn
    /// extension): like a phone with a fingerprint reader, it makes and
    /// keeps discoverable passkeys and verifies its user. Each browser has
    /// its own, as each phone does. Returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let answer = self
            .client
            .issue_cmd(WebAuthn::Add)
            .await
            .expect("chromedriver adds a virtual authenticator");
        answer
            .as_str()
            .or_else(|| answer["value"].as_str())
            .expect("an authenticator id")
            .to_string()
    }

    /// How many passkeys the virtual authenticator holds.
    pub async fn passkeys(&self, authenticator: &str) -> usize {
        let answer = self
            .client
            .issue_cmd(WebAuthn::Credentials(authenticator.to_string()))
            .await
            .expect("the authenticator's credentials");
        answer
            .as_array()
            .or_else(|| answer["value"].as_array())
            .map_or(0, Vec::len)
    }

    /// A DevTools protocol command on the page (chromedriver's
    /// `goog/cdp/execute`): network emulation, permissions, push messages
    /// to the service worker, the installability verdict.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        self.client
            .issue_cmd(Cdp(cmd.to_string(), params))
            .await
            .unwrap_or_else(|e| panic!("DevTools {cmd}: {e}"))
    }

    /// Like `cdp`, for a command that may be refused.
    pub async fn try_cdp(
        &self,
        cmd: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        self.client
            .issue_cmd(Cdp(cmd.to_string(), params))
            .await
            .map_err(|e| e.to_string())
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// WebDriver's WebAuthn extension: add a virtual authenticator, or list
/// its credentials.
#[derive(Debug)]
enum WebAuthn {
    Add,
    Credentials(String),
}

impl fantoccini::wd::WebDriverCompatibleCommand for WebAuthn {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&match self {
            WebAuthn::Add => format!("session/{session}/webauthn/authenticator"),
            WebAuthn::Credentials(id) => {
                format!("session/{session}/webauthn/authenticator/{id}/credentials")
            }
        })
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        match self {
            WebAuthn::Add => {
                let body = json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserConsenting": true,
                    "isUserVerified": true,
                });
                (http::Method::POST, Some(body.to_string()))
            }
            WebAuthn::Credentials(_) => (http::Method::GET, None),
        }
    }
}

/// One DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp(String, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.0, "params": self.1 });
        (http::Method::POST, Some(body.to_string()))
    }
}
