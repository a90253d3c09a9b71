//! The `relais-server` binary as a user runs it: `--demo` on a fresh
//! database, a catalog search over HTTP, and a graceful stop on SIGTERM.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn demo_server_serves_the_catalog_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--demo", "--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("relais.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let demo = lines.next().unwrap().unwrap();
    assert!(demo.contains("token (shown once): rlp_"), "{demo}");
    let listening = lines.next().unwrap().unwrap();
    let base = listening.rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{listening}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{base}/api/catalog?q=slak"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(body["items"][0]["slug"], "slack", "{body}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn query_values_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--demo", "--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("relais.db"))
        .env("RELAIS_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let demo = lines.next().unwrap().unwrap();
    let admin = demo.rsplit(' ').next().unwrap().to_owned();
    let listening = lines.next().unwrap().unwrap();
    let base = listening.rsplit(' ').next().unwrap().to_owned();
    const EMAIL: &str = "private.person.4711@demo.example";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = runtime.block_on(async {
        let client = reqwest::Client::new();
        let credential: serde_json::Value = client
            .post(format!("{base}/api/credentials"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"name": "BI", "scopes": ["employees:read"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let (id, secret) = (
            credential["client_id"].as_str().unwrap().to_owned(),
            credential["client_secret"].as_str().unwrap().to_owned(),
        );
        client
            .post(format!(
                "{base}/v1/auth?client_id={id}&client_secret={secret}"
            ))
            .send()
            .await
            .unwrap();
        client
            .get(format!("{base}/api/catalog?q={EMAIL}"))
            .send()
            .await
            .unwrap();
        secret
    });
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("client_secret=…"), "the request was logged");
    assert!(!log.contains(&secret), "a log line held the client secret");
    assert!(!log.contains(EMAIL), "a log line held a query value");
    assert!(!log.contains(&admin), "a log line held the admin token");
}
