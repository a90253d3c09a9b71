//! Webhooks against a real receiver: every delivery is verified by the
//! reference Standard Webhooks library (`standardwebhooks` from PyPI, in
//! tests/clients/webhook_receiver.py), over real HTTP from the real server
//! binary.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{SCIM_TOKEN, ScimServer, scim_server_program};
use serde_json::{Value, json};

const KEY: &str = "8c3e1f0a2b4d6f8091a3c5e7f9b1d3f5a7c9e1b3d5f7091a2b4c6d8e0f1a3c5e";

fn python() -> String {
    std::env::var("RELAIS_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Whether the reference library is installed; a failure without it when
/// `RELAIS_REQUIRE_CLIENTS` is set.
fn receiver_available() -> bool {
    let ok = Command::new(python())
        .args(["-c", "import standardwebhooks"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var("RELAIS_REQUIRE_CLIENTS").is_err(),
        "RELAIS_REQUIRE_CLIENTS is set but standardwebhooks is not installed"
    );
    if !ok {
        eprintln!(
            "standardwebhooks is not installed; skipping (pip install standardwebhooks==1.1.0)"
        );
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real SMTP server (aiosmtpd from PyPI) keeping every mail in a maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    fn start(dir: &Path) -> Self {
        let port = free_port();
        let maildir = dir.join("maildir");
        let mut child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self {
                    child,
                    port,
                    maildir,
                };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start");
    }

    /// Every mail received: (envelope recipient, subject, decoded body).
    fn mails(&self) -> Vec<(String, String, String)> {
        let Ok(files) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut mails: Vec<_> = files
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
            .map(|text| {
                let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                };
                let body = if header("Content-Transfer-Encoding") == "quoted-printable" {
                    quoted_printable(body)
                } else {
                    body.to_owned()
                };
                (header("X-RcptTo"), header("Subject"), body)
            })
            .collect();
        mails.sort();
        mails
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Undoes quoted-printable (RFC 2045): soft line breaks and `=XX` bytes.
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = joined
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'=', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The receiver script on `port`, verifying with the secrets in `secrets`.
struct Receiver {
    child: Child,
    port: u16,
}

impl Receiver {
    fn start(port: u16, secrets: &Path, fail_first: u32) -> Self {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/webhook_receiver.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(secrets)
            .args(["--fail-first", &fail_first.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("listening"), "{line}");
        Self { child, port }
    }

    async fn received(&self) -> Vec<Value> {
        reqwest::get(format!("http://127.0.0.1:{}/received", self.port))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits until a delivery answered 200 satisfies `done`.
    async fn wait_for(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..300 {
            let seen = self.received().await;
            if done(&seen) {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the receiver never saw {what}: {:#?}",
            self.received().await
        );
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn delivered<'a>(seen: &'a [Value], kind: &str) -> Vec<&'a Value> {
    seen.iter()
        .filter(|d| d["type"] == kind && d["status"] == 200)
        .collect()
}

/// The server binary on `db` with the demo company, allowed to call loopback.
fn start_server(db: &Path) -> (Child, String, String) {
    start_server_with(db, &[])
}

fn start_server_with(db: &Path, env: &[(&str, String)]) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--sync-tick",
            "3600",
            "--demo",
            "--db",
        ])
        .arg(db)
        .env("RELAIS_SECRET_KEY", KEY)
        .env("RELAIS_EGRESS_ALLOW", "127.0.0.1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let startup = common::read_startup(child.stdout.take().unwrap());
    (child, startup.base, startup.token.unwrap_or_default())
}

struct Api {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.call(method, path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {body}"
        );
        body
    }

    /// Connects the SCIM integration to the target at `base` through its
    /// wizard; returns the connection's id.
    async fn connect_scim(&self, base: &str) -> String {
        let connection = self
            .ok(
                "POST",
                "/api/connections",
                Some(json!({"integration": "scim-provisioning"})),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for (step, answers) in [
            (
                "target",
                json!({"base_url": base, "bearer_token": SCIM_TOKEN}),
            ),
            (
                "matching",
                json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440"}),
            ),
            ("confirm", json!({"accept_data_processing": true})),
        ] {
            self.ok(
                "POST",
                &format!("/api/connections/{connection}/wizard/{step}"),
                Some(answers),
            )
            .await;
        }
        self.ok(
            "POST",
            &format!("/api/connections/{connection}/wizard/complete"),
            None,
        )
        .await;
        connection
    }

    /// Sync now, and wait for the run to finish.
    async fn sync(&self, connection: &str) -> Value {
        let run = self
            .ok("POST", &format!("/api/connections/{connection}/sync"), None)
            .await;
        let id = run["id"].as_str().unwrap().to_owned();
        for _ in 0..600 {
            let run = self.ok("GET", &format!("/api/sync-runs/{id}"), None).await;
            if run["status"] != "running" {
                // What the run's end decides (the connection's health, an
                // auth-failure turn-off) is saved just after the run: let it land.
                tokio::time::sleep(Duration::from_millis(500)).await;
                return run;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("run {id} did not finish");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(relais_standardwebhooks, relais_scim2_server)),
    ignore = "needs standardwebhooks and scim2-server: pip install -r .ci/python-requirements.txt, set RELAIS_PYTHON"
)]
async fn an_admin_is_told_of_failures_and_recoveries_by_signed_webhooks_retried_with_the_same_id() {
    if !receiver_available() {
        return;
    }
    let Some(program) = scim_server_program() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let smtp = SmtpServer::start(dir.path());
    let (mut server, base, token) = start_server_with(
        &db,
        &[
            ("RELAIS_SMTP_URL", format!("smtp://127.0.0.1:{}", smtp.port)),
            ("RELAIS_PUBLIC_URL", "https://relais.example".to_owned()),
            (
                "RELAIS_ALERT_FROM",
                "Relais <alerts@relais.example>".to_owned(),
            ),
            // Every alert mailed at once (digesting is tested in relais-app).
            ("RELAIS_ALERT_DIGEST_MINUTES", "0".to_owned()),
        ],
    );
    let api = Api {
        base,
        token,
        http: reqwest::Client::new(),
    };
    // Admins get alerts unless they turn them off: a second admin does.
    let me = api.ok("GET", "/api/me", None).await;
    let admin = me["user"]["email"].as_str().unwrap().to_owned();
    api.ok(
        "POST",
        "/api/users",
        Some(json!({"email": "bo@demo.example", "name": "Bo", "right": "edit"})),
    )
    .await;
    api.ok(
        "POST",
        "/api/users",
        Some(json!({"email": "vi@demo.example", "name": "Vi", "right": "view"})),
    )
    .await;
    {
        let store = relais_store::open(db.as_os_str()).unwrap();
        let company = store
            .company(me["company"]["id"].as_str().unwrap())
            .unwrap()
            .unwrap();
        let bo = store
            .user_by_email(company.id, "bo@demo.example")
            .unwrap()
            .unwrap();
        store.set_alert_opt_out(company.id, bo.id, true).unwrap();
    }
    assert_eq!(
        api.ok("PUT", "/api/me/alerts", Some(json!({"email": false})))
            .await["email"],
        false
    );
    assert_eq!(api.ok("GET", "/api/me/alerts", None).await["email"], false);
    assert_eq!(
        api.ok("PUT", "/api/me/alerts", Some(json!({"email": true})))
            .await["email"],
        true
    );

    let types: Vec<String> = api
        .ok("GET", "/api/webhooks/event-types", None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(types.len() >= 10);
    let port = free_port();
    let created = api
        .ok(
            "POST",
            "/api/webhooks",
            Some(json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": types, "description": "On-call"})),
        )
        .await;
    let endpoint = created["id"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let listed = api.ok("GET", "/api/webhooks", None).await.to_string();
    assert!(!listed.contains(&secret[6..]), "the secret is shown once");
    let secrets = dir.path().join("secrets.txt");
    std::fs::write(&secrets, format!("{secret}\n")).unwrap();
    // The first delivery is answered 500: Relais retries it, same id.
    let receiver = Receiver::start(port, &secrets, 1);

    // Credentials and requests.
    let credential = api
        .ok(
            "POST",
            "/api/credentials",
            Some(json!({"name": "Payroll", "scopes": ["employees:read"]})),
        )
        .await;
    let client_id = credential["client_id"].as_str().unwrap().to_owned();
    api.ok(
        "POST",
        &format!("/api/credentials/{client_id}/rotate"),
        None,
    )
    .await;
    api.ok(
        "POST",
        &format!("/api/credentials/{client_id}/revoke"),
        None,
    )
    .await;
    api.ok(
        "POST",
        "/api/integration-requests",
        Some(json!({"name": "Payroll Hero", "use_case": "Payroll export"})),
    )
    .await;
    api.ok(
        "POST",
        "/api/demo-requests",
        Some(json!({"integration": "okta"})),
    )
    .await;

    // A SCIM connection whose target goes away and comes back.
    let target_port = free_port();
    let target = ScimServer::start(&program, SCIM_TOKEN, Some(target_port));
    let connection = api.connect_scim(&target.base).await;
    // The target starts refusing Relais's token (as when someone rotates it
    // at the identity provider), then accepts it again.
    drop(target);
    let refusing = || ScimServer::start(&program, "another-token-0123456789", Some(target_port));
    let target = refusing();
    let failed = api.sync(&connection).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    drop(target);
    let target = ScimServer::start(&program, SCIM_TOKEN, Some(target_port));
    assert_eq!(api.sync(&connection).await["status"], "completed");
    drop(target);
    // Refused three runs in a row: Relais turns the connection off.
    let target = refusing();
    for _ in 0..3 {
        assert_eq!(api.sync(&connection).await["status"], "failed");
    }
    drop(target);

    let seen = receiver
        .wait_for("every event", |seen| {
            [
                "credential.created",
                "credential.rotated",
                "credential.revoked",
                "integration.requested",
                "demo.requested",
                "connection.status_changed",
                "connection.recovered",
                "connection.disabled",
            ]
            .iter()
            .all(|kind| !delivered(seen, kind).is_empty())
                && delivered(seen, "sync_run.finished").len() == 5
                // The delivery answered 500 came again, delivered.
                && seen.iter().any(|d| d["id"] == seen[0]["id"] && d["status"] == 200)
        })
        .await;

    // Every delivery verified with the reference library; the first was
    // answered 500 and came again with the same id and body.
    assert!(
        seen.iter().all(|d| d["verified_by"] == json!([0])),
        "{seen:#?}"
    );
    assert_eq!(seen[0]["status"], 500);
    let again: Vec<_> = seen.iter().filter(|d| d["id"] == seen[0]["id"]).collect();
    assert!(again.len() >= 2 && again.iter().any(|d| d["status"] == 200));
    assert!(again.iter().all(|d| d["body"] == seen[0]["body"]));
    // Never one event under two ids: one id per distinct body.
    let mut ids_by_body: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for d in &seen {
        ids_by_body
            .entry(d["body"].as_str().unwrap())
            .or_default()
            .insert(d["id"].as_str().unwrap());
    }
    assert!(
        ids_by_body.values().all(|ids| ids.len() == 1),
        "{ids_by_body:#?}"
    );

    let data = |d: &Value| {
        serde_json::from_str::<Value>(d["body"].as_str().unwrap()).unwrap()["data"].clone()
    };
    let runs: Vec<Value> = delivered(&seen, "sync_run.finished")
        .into_iter()
        .map(data)
        .collect();
    let failure = runs.iter().find(|r| r["status"] == "failed").unwrap();
    assert_eq!(failure["connection_id"], connection.as_str());
    assert_eq!(failure["integration"], "scim-provisioning");
    assert!(!failure["error"].as_str().unwrap().is_empty(), "{failure}");
    let recovered = data(delivered(&seen, "connection.recovered")[0]);
    assert_eq!(recovered["connection_id"], connection.as_str());
    let disabled = data(delivered(&seen, "connection.disabled")[0]);
    assert_eq!(disabled["after"], "inactive");
    assert_eq!(disabled["actor"], "system");
    assert!(
        disabled["reason"]
            .as_str()
            .unwrap()
            .contains("authentication"),
        "{disabled}"
    );

    // The admins got e-mails naming the connection and the error, and the
    // recovery, linking to the connection's tracking page; Bo (opted out)
    // and Vi (view right) got none.
    let link = format!("https://relais.example/console/connections/{connection}/tracking");
    let error = failure["error"].as_str().unwrap().to_owned();
    let told = |mails: &[(String, String, String)], what: &str| {
        mails.iter().any(|(_, subject, body)| {
            subject.starts_with("[Relais] SCIM") && body.contains(what) && body.contains(&link)
        })
    };
    let mut mails = Vec::new();
    for _ in 0..300 {
        mails = smtp.mails();
        if told(&mails, &format!("A sync run failed: {error}"))
            && told(&mails, "The connection recovered")
            && told(&mails, "turned Inactive by Relais")
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        told(&mails, &format!("A sync run failed: {error}")),
        "{mails:#?}"
    );
    assert!(told(&mails, "The connection recovered"), "{mails:#?}");
    assert!(told(&mails, "turned Inactive by Relais"), "{mails:#?}");
    let recipients: BTreeSet<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(recipients, BTreeSet::from([admin.as_str()]), "{mails:#?}");

    // The delivery log tells the same story, and a redelivery keeps the id.
    let log = api
        .ok(
            "GET",
            &format!("/api/webhooks/{endpoint}/deliveries?per_page=200"),
            None,
        )
        .await;
    let first = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message_id"] == seen[0]["id"])
        .unwrap()
        .clone();
    let detail = api
        .ok(
            "GET",
            &format!("/api/webhook-deliveries/{}", first["id"].as_str().unwrap()),
            None,
        )
        .await;
    let codes: Vec<_> = detail["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(codes[..2], [json!(500), json!(200)], "{detail}");
    assert!(
        detail["attempt_log"][0]["response"]
            .as_str()
            .unwrap()
            .contains("test receiver")
    );
    assert_eq!(detail["state"], "delivered");
    let before = receiver.received().await.len();
    let (status, _) = api
        .call(
            "POST",
            &format!(
                "/api/webhook-deliveries/{}/redeliver",
                first["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let seen = receiver
        .wait_for("the redelivery", |seen| seen.len() > before)
        .await;
    assert_eq!(seen[before]["id"], first["message_id"]);

    // Rotation: for a day both secrets sign, so a receiver on either verifies.
    let rotated = api
        .ok(
            "POST",
            &format!("/api/webhooks/{endpoint}/rotate-secret"),
            None,
        )
        .await;
    let new_secret = rotated["secret"].as_str().unwrap();
    std::fs::write(&secrets, format!("{secret}\n{new_secret}\n")).unwrap();
    let before = receiver.received().await.len();
    api.ok(
        "POST",
        "/api/credentials",
        Some(json!({"name": "After rotation"})),
    )
    .await;
    let seen = receiver
        .wait_for("a delivery after rotation", |seen| seen.len() > before)
        .await;
    assert_eq!(seen[before]["signatures"], 2);
    assert_eq!(seen[before]["verified_by"], json!([0, 1]));

    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_standardwebhooks),
    ignore = "needs standardwebhooks: pip install standardwebhooks==1.1.0, set RELAIS_PYTHON"
)]
async fn a_kill_9_between_a_change_and_its_delivery_loses_no_event() {
    if !receiver_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let (mut server, base, token) = start_server(&db);
    let api = Api {
        base,
        token,
        http: reqwest::Client::new(),
    };
    let port = free_port();
    let created = api
        .ok(
            "POST",
            "/api/webhooks",
            Some(json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["credential.created"]})),
        )
        .await;
    // Nobody listens yet: the change is stored, its delivery is not made.
    let credential = api
        .ok(
            "POST",
            "/api/credentials",
            Some(json!({"name": "Stored, then killed"})),
        )
        .await;
    server.kill().unwrap();
    server.wait().unwrap();

    let secrets = dir.path().join("secrets.txt");
    std::fs::write(
        &secrets,
        format!("{}\n", created["secret"].as_str().unwrap()),
    )
    .unwrap();
    let receiver = Receiver::start(port, &secrets, 0);
    let (mut server, _, _) = start_server(&db);
    let seen = receiver
        .wait_for("the event stored before the kill", |seen| {
            !delivered(seen, "credential.created").is_empty()
        })
        .await;
    let body: Value = serde_json::from_str(seen[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"]["client_id"], credential["client_id"]);
    assert_eq!(seen.len(), 1, "delivered once: {seen:#?}");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_are_limited_per_company_even_when_created_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let (mut server, base, token) = start_server(&db);
    let api = std::sync::Arc::new(Api {
        base,
        token,
        http: reqwest::Client::new(),
    });
    let attempts: Vec<_> = (0..30)
        .map(|i| {
            let api = std::sync::Arc::clone(&api);
            tokio::spawn(async move {
                api.call(
                    "POST",
                    "/api/webhooks",
                    Some(json!({"url": format!("http://127.0.0.1:9/{i}"), "events": ["sync_run.finished"]})),
                )
                .await
            })
        })
        .collect();
    let mut codes = BTreeMap::new();
    for attempt in attempts {
        let (status, body) = attempt.await.unwrap();
        assert!(status == 201 || status == 409, "{status} {body}");
        *codes.entry(status).or_insert(0) += 1;
    }
    assert_eq!(codes, BTreeMap::from([(201, 20), (409, 10)]));
    let listed = api.ok("GET", "/api/webhooks", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 20);
    // Private targets are refused with a problem naming the field.
    for url in [
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest",
        "http://[fd00::1]/hook",
    ] {
        let (status, problem) = api
            .call(
                "POST",
                "/api/webhooks",
                Some(json!({"url": url, "events": ["sync_run.finished"]})),
            )
            .await;
        assert_eq!(status, 400, "{url}: {problem}");
        assert!(
            problem["message"].as_str().unwrap().starts_with("url: "),
            "{problem}"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn a_connection_failing_too_long_is_warned_then_turned_off_and_a_paused_one_waits() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let (mut server, base, token) = start_server_with(
        &db,
        &[("RELAIS_DISABLE_FAILING_AFTER_DAYS", "2".to_owned())],
    );
    let api = std::sync::Arc::new(Api {
        base,
        token,
        http: reqwest::Client::new(),
    });
    let target_port = free_port();
    let target = ScimServer::start(&program, SCIM_TOKEN, Some(target_port));
    let connection = api.connect_scim(&target.base).await;
    // The target goes away: every run fails (not an authentication refusal).
    drop(target);
    let store = relais_store::open(db.as_os_str()).unwrap();
    let id: uuid::Uuid = connection.parse().unwrap();
    let ago = |days: f64| chrono::Utc::now() - chrono::Duration::minutes((days * 1440.0) as i64);
    let backdate = |failing: f64, warned: Option<f64>| {
        let mut state = store.sync_state(id).unwrap();
        state.failing_since = Some(ago(failing));
        if let Some(warned) = warned {
            state.warned_at = Some(ago(warned));
        }
        store.save_sync_state(id, &state).unwrap();
    };
    let actions = |events: &Value| -> Vec<String> {
        events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    let path = format!("/api/connections/{connection}");
    assert_eq!(api.sync(&connection).await["status"], "failed");
    let view = api.ok("GET", &path, None).await;
    assert!(view["failing_since"].is_string(), "{view}");
    assert_eq!(view["status"], "connected");

    // A day before the limit: warned once, still connected.
    backdate(1.5, None);
    api.sync(&connection).await;
    api.sync(&connection).await;
    let events = api.ok("GET", &format!("{path}/events"), None).await;
    let warnings = actions(&events)
        .iter()
        .filter(|a| *a == "connection.disable_warning")
        .count();
    assert_eq!(warnings, 1, "{events}");
    assert_eq!(api.ok("GET", &path, None).await["status"], "connected");

    // Past the limit, but warned only now: not yet (never without a day's warning).
    backdate(2.1, None);
    api.sync(&connection).await;
    assert_eq!(api.ok("GET", &path, None).await["status"], "connected");
    // Past the limit and warned a day ago: turned off by Relais, saying why.
    backdate(2.1, Some(1.05));
    api.sync(&connection).await;
    let mut view = api.ok("GET", &path, None).await;
    for _ in 0..50 {
        if view["status"] == "inactive" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        view = api.ok("GET", &path, None).await;
    }
    assert_eq!(view["status"], "inactive", "{view}");
    assert_eq!(
        view["state"]["reason"]["kind"], "failing_too_long",
        "{view}"
    );
    assert!(
        view["status_reason"].as_str().unwrap().contains("2 days"),
        "{view}"
    );

    // Reactivated: a clean record, not turned off again at once.
    api.ok("POST", &format!("{path}/reactivate"), None).await;
    let view = api.ok("GET", &path, None).await;
    assert_eq!(view["status"], "connected");
    assert!(view["failing_since"].is_null(), "{view}");

    // Paused, 20 times at once: one audit event, no schedule; resumed: scheduled again.
    let pauses: Vec<_> = (0..20)
        .map(|_| {
            let (api, path) = (std::sync::Arc::clone(&api), path.clone());
            tokio::spawn(async move { api.call("POST", &format!("{path}/pause"), None).await })
        })
        .collect();
    for pause in pauses {
        let (status, view) = pause.await.unwrap();
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["paused"], true);
        assert!(view["next_sync_at"].is_null(), "{view}");
    }
    let events = api.ok("GET", &format!("{path}/events"), None).await;
    assert_eq!(
        actions(&events)
            .iter()
            .filter(|a| *a == "connection.pause")
            .count(),
        1
    );
    let view = api.ok("POST", &format!("{path}/resume"), None).await;
    assert_eq!(view["paused"], false);
    assert!(view["next_sync_at"].is_string(), "{view}");
    // Only connections Relais runs on a schedule are paused.
    let other = api
        .ok(
            "POST",
            "/api/connections",
            Some(json!({"integration": "okta"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, problem) = api
        .call("POST", &format!("/api/connections/{other}/pause"), None)
        .await;
    assert_eq!(status, 400, "{problem}");
    server.kill().unwrap();
    server.wait().unwrap();
}
