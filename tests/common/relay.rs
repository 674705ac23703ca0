//! A loopback TCP relay in front of a server, to take it off the network
//! and bring it back: the way a phone loses and finds its connection.

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Relays `127.0.0.1:port` to a target port while it is up.
pub struct Relay {
    port: u16,
    target: u16,
    task: Option<JoinHandle<()>>,
}

impl Relay {
    /// A relay on a free port, not yet relaying (call `up` once the target
    /// listens; the port is held meanwhile).
    pub async fn bind(target: u16) -> (Relay, TcpListener) {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a relay");
        let port = listener.local_addr().expect("relay address").port();
        (
            Relay {
                port,
                target,
                task: None,
            },
            listener,
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts relaying on `listener` (from `bind`) to `target`.
    pub fn start(&mut self, listener: TcpListener, target: u16) {
        self.target = target;
        self.task = Some(spawn(listener, target));
    }

    /// Off the network: new connections are refused, open ones cut.
    pub async fn down(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Relays to another server from now on (a new deployment behind the
    /// same address).
    pub async fn retarget(&mut self, target: u16) {
        self.down().await;
        self.target = target;
        self.up().await;
    }

    /// Back on the network, on the same port.
    pub async fn up(&mut self) {
        if self.task.is_some() {
            return;
        }
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the relay's port again");
        self.task = Some(spawn(listener, self.target));
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Relays each connection to `listener` to `target`. Aborting the task
/// closes the listener and cuts every connection it relays.
pub fn spawn(listener: TcpListener, target: u16) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((mut inbound, _)) = accepted else { continue };
                    connections.spawn(async move {
                        let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await else {
                            return;
                        };
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    })
}
