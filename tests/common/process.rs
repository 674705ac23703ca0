//! The real `onsplan` binary as its operator runs it: `onsplan serve` as a
//! child process on a free port, and `onsplan admin …` commands, each with
//! its own data directory and database URL.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The `onsplan` binary of this workspace, built once per test process
/// (`cargo test` builds the libraries the tests link, not the binary).
pub fn onsplan_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = crate::repo_root();
            let status = Command::new(env!("CARGO"))
                .args(["build", "--quiet", "-p", "onsplan", "--bin", "onsplan"])
                .current_dir(&root)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "cargo build -p onsplan failed");
            let target = std::env::var("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|_| root.join("target"));
            let bin = target.join("debug").join("onsplan");
            assert!(bin.exists(), "{} was not built", bin.display());
            bin
        })
        .clone()
}

/// What a finished command printed.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Where an instance keeps its things and which store it uses.
#[derive(Debug, Clone)]
pub struct Setup {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub public_url: String,
}

impl Setup {
    fn command(&self) -> Command {
        let mut c = Command::new(onsplan_binary());
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ONSPLAN_DATA_DIR", &self.data_dir)
            .env("DATABASE_URL", &self.database_url)
            .env("ONSPLAN_PUBLIC_URL", &self.public_url)
            .env("ONSPLAN_PUBLIC_DIR", crate::repo_root().join("public"))
            .env(
                "ONSPLAN_PKG_DIR",
                crate::repo_root().join("target/site/pkg"),
            )
            .env("ONSPLAN_LANG", "en")
            // The test push service runs on this machine.
            .env("ONSPLAN_PUSH_ENDPOINTS", "http://127.0.0.1")
            .env("RUST_LOG", "warn")
            .current_dir(crate::repo_root());
        c
    }

    /// `onsplan admin ARGS…`, run to its end.
    pub fn admin(&self, args: &[&str]) -> Output {
        let out = self
            .command()
            .arg("admin")
            .args(args)
            .output()
            .expect("onsplan runs");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `onsplan serve` running as a child process.
pub struct Instance {
    child: Option<Child>,
    pub port: u16,
    stderr: PathBuf,
}

impl Instance {
    /// Starts `onsplan serve` on `port` and waits until /healthz answers;
    /// `Err` with what it printed when it exits instead.
    pub async fn start(setup: &Setup, port: u16) -> Result<Instance, String> {
        let stderr = setup.data_dir.with_extension(format!("{port}.log"));
        let log = std::fs::File::create(&stderr).expect("log file");
        let child = setup
            .command()
            .arg("serve")
            .env("ONSPLAN_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("onsplan starts");
        let mut instance = Instance {
            child: Some(child),
            port,
            stderr,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = instance.child.as_mut().unwrap().try_wait().unwrap() {
                instance.child = None;
                return Err(format!("exited with {status}: {}", instance.log()));
            }
            if let Ok(r) = client.get(instance.url("/healthz")).send().await {
                if r.status().is_success() {
                    return Ok(instance);
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("never became healthy: {}", instance.log()))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What the instance wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends a signal (`KILL`, `TERM`) and waits for the process to end;
    /// its exit status.
    pub fn signal(&mut self, name: &str) -> std::process::ExitStatus {
        self.send(name);
        self.wait()
    }

    /// Sends a signal without waiting.
    pub fn send(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// Waits for the process to end; its exit status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child
            .take()
            .expect("running")
            .wait()
            .expect("the process ends")
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A new empty directory under `parent` for one instance's data.
pub fn data_dir(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(name);
    std::fs::create_dir_all(&dir).expect("data dir");
    dir
}
