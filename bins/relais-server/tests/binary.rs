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
