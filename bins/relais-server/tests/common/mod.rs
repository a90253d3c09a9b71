//! What the HTTP tests share: a server on a real socket, and a public-API
//! token for a credential.

#![allow(dead_code, clippy::unwrap_used)] // Each test file uses its part; a panic is the failure report.

use std::sync::Arc;

use relais_app::App;
use relais_server::ServerConfig;

/// Serves `app` on a free port of 127.0.0.1 until the test ends; returns its base URL.
pub async fn serve(app: Arc<App>, config: ServerConfig) -> String {
    serve_router(relais_server::router(app, config)).await
}

/// Serves `router` (Relais's, or a host's with Relais's mounted in it) on
/// a free port of 127.0.0.1 until the test ends; returns its base URL.
pub async fn serve_router(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(relais_server::serve(
        listener,
        router,
        std::future::pending(),
    ));
    base
}

/// Exchanges a client id and secret for a public-API token at `POST /v1/auth`.
pub async fn api_token(
    client: &reqwest::Client,
    base: &str,
    client_id: &str,
    client_secret: &str,
) -> String {
    let body: serde_json::Value = client
        .post(format!("{base}/v1/auth"))
        .json(&serde_json::json!({"client_id": client_id, "client_secret": client_secret}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["token"].as_str().unwrap().to_owned()
}

/// A hostile or odd HTTP peer on 127.0.0.1: answers every request with
/// fixed bytes (then, if `endless`, an endless body) and records what it
/// saw, to prove what Relais sends and how much it reads.
pub struct Target {
    /// Its port.
    pub port: u16,
    /// Connections accepted.
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    /// Bytes written to Relais.
    pub bytes_sent: Arc<std::sync::atomic::AtomicU64>,
    /// The start of each request received.
    pub requests: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Target {
    /// Starts answering.
    pub async fn start(answer: &'static [u8], endless: bool) -> Self {
        Self::start_slow(answer, endless, std::time::Duration::ZERO).await
    }

    /// Starts answering, each answer after `delay`.
    pub async fn start_slow(
        answer: &'static [u8],
        endless: bool,
        delay: std::time::Duration,
    ) -> Self {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = Self {
            port: listener.local_addr().unwrap().port(),
            connections: Arc::default(),
            bytes_sent: Arc::default(),
            requests: Arc::default(),
        };
        let (connections, sent, requests) = (
            Arc::clone(&target.connections),
            Arc::clone(&target.bytes_sent),
            Arc::clone(&target.requests),
        );
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                connections.fetch_add(1, Ordering::SeqCst);
                let (sent, requests) = (Arc::clone(&sent), Arc::clone(&requests));
                tokio::spawn(async move {
                    loop {
                        let mut buffer = vec![0u8; 16 * 1024];
                        let Ok(n) = socket.read(&mut buffer).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        requests
                            .lock()
                            .unwrap()
                            .push(String::from_utf8_lossy(&buffer[..n]).into_owned());
                        tokio::time::sleep(delay).await;
                        if socket.write_all(answer).await.is_err() {
                            return;
                        }
                        sent.fetch_add(answer.len() as u64, Ordering::SeqCst);
                        if endless {
                            let chunk = vec![b' '; 64 * 1024];
                            while socket.write_all(&chunk).await.is_ok() {
                                sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                            }
                            return;
                        }
                    }
                });
            }
        });
        target
    }
}

/// What `relais-server` prints when it starts: the demo admin's token and
/// console password (with `--demo`, on a fresh database) and its address.
pub struct Startup {
    /// The demo admin's personal access token.
    pub token: Option<String>,
    /// The demo admin's console password.
    pub password: Option<String>,
    /// `http://ADDR`.
    pub base: String,
}

/// Reads the server's standard output up to its "listening" line.
pub fn read_startup(stdout: std::process::ChildStdout) -> Startup {
    use std::io::BufRead as _;
    let mut startup = Startup {
        token: None,
        password: None,
        base: String::new(),
    };
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.contains("token (shown once):") {
            startup.token = line.rsplit(' ').next().map(str::to_owned);
        } else if line.starts_with("console sign-in") {
            startup.password = line.rsplit(' ').next().map(str::to_owned);
        } else if line.starts_with("relais-server listening on ") {
            startup.base = line.rsplit(' ').next().unwrap_or_default().to_owned();
            return startup;
        }
    }
    panic!("the server stopped before it listened");
}

// ----- A real SCIM server (scim2-server from PyPI) ---------------------------

/// The bearer token the tests' SCIM servers accept.
pub const SCIM_TOKEN: &str = "scim-token-for-tests-0123456789";

use serde_json::Value;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The `scim2-server` program (beside `RELAIS_PYTHON`, or on the path);
/// `None`, saying so, when it is not installed, unless
/// `RELAIS_REQUIRE_CLIENTS` is set, which makes that a failure.
pub fn scim_server_program() -> Option<PathBuf> {
    let python = std::env::var("RELAIS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let beside = PathBuf::from(&python)
        .parent()
        .map(|d| d.join("scim2-server"));
    let candidates = beside
        .into_iter()
        .chain(std::iter::once(PathBuf::from("scim2-server")));
    for candidate in candidates {
        if Command::new(&candidate)
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var("RELAIS_REQUIRE_CLIENTS").is_err(),
        "RELAIS_REQUIRE_CLIENTS is set but scim2-server is not installed"
    );
    eprintln!("scim2-server is not installed; skipping (pip install scim2-server==0.8.3)");
    None
}

pub struct ScimServer {
    pub child: Child,
    pub base: String,
    pub port: u16,
}

impl ScimServer {
    pub fn start(program: &PathBuf, token: &str, port: Option<u16>) -> Self {
        Self::start_on(program, token, port, &[])
    }

    pub async fn users(&self) -> Vec<Value> {
        self.list("Users").await
    }

    /// The server's groups.
    pub async fn groups(&self) -> Vec<Value> {
        self.list("Groups").await
    }

    /// The first 1,000 resources of `kind` (`Users`, `Groups`).
    async fn list(&self, kind: &str) -> Vec<Value> {
        let body: Value = reqwest::Client::new()
            .get(format!("{}/{kind}?count=1000", self.base))
            .bearer_auth(SCIM_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["Resources"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a SCIM connection of `company` and answers its wizard: the target
/// at `base` with [`SCIM_TOKEN`], `matching` as the matching step's answers,
/// and the confirmation; returns the connection's id, not yet completed.
pub fn answer_scim_wizard(
    app: &App,
    company: &relais_access::Company,
    base: &str,
    matching: Value,
) -> String {
    let by = relais_app::Caller::Operator;
    let id = app
        .start_connection(by, company, "scim-provisioning")
        .unwrap()
        .id;
    for (step, answers) in [
        (
            "target",
            serde_json::json!({"base_url": base, "bearer_token": SCIM_TOKEN}),
        ),
        ("matching", matching),
        (
            "confirm",
            serde_json::json!({"accept_data_processing": true}),
        ),
    ] {
        app.submit_wizard_step(by, company, &id, step, answers.as_object().unwrap())
            .unwrap();
    }
    id
}

impl ScimServer {
    /// Starts `program` as [`ScimServer::start`] does, on a free port, with
    /// `extra` arguments (e.g. `["--schema", FILE]`).
    pub fn start_with(program: &PathBuf, token: &str, extra: &[&std::ffi::OsStr]) -> Self {
        Self::start_on(program, token, None, extra)
    }

    fn start_on(
        program: &PathBuf,
        token: &str,
        port: Option<u16>,
        extra: &[&std::ffi::OsStr],
    ) -> Self {
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let mut child = Command::new(program)
            .args([
                "--hostname",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--bearer-token",
                token,
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("Serving SCIM"), "{line}");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}/v2"),
            port,
        }
    }

    /// Writes the schemas this server serves to `path`, with the User
    /// schema's `userName` made case-exact (RFC 7643 §4.1.1 says it is not):
    /// a server started with `--schema path` then filters, and checks
    /// uniqueness of, user names with regard to case, as some targets do.
    pub async fn write_case_exact_user_name_schemas(&self, path: &std::path::Path) {
        let served: Value = reqwest::Client::new()
            .get(format!("{}/Schemas", self.base))
            .bearer_auth(SCIM_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut schemas = served["Resources"].as_array().cloned().unwrap();
        let mut changed = false;
        for schema in &mut schemas {
            schema.as_object_mut().unwrap().remove("meta");
            if schema["id"] == "urn:ietf:params:scim:schemas:core:2.0:User" {
                for attribute in schema["attributes"].as_array_mut().unwrap() {
                    if attribute["name"] == "userName" {
                        attribute["caseExact"] = Value::Bool(true);
                        changed = true;
                    }
                }
            }
        }
        assert!(changed, "the server serves the User schema's userName");
        std::fs::write(path, Value::Array(schemas).to_string()).unwrap();
    }
}
