//! What the CLI tests share: a scratch directory with a database, the real
//! `relais` binary run on it, and a server on the same database.

#![allow(dead_code, clippy::unwrap_used)] // Each test file uses its part; a panic is the failure report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use serde_json::Value;

/// A key for secrets at rest, for tests.
pub const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// A scratch directory, its database, and the CLI run on it.
pub struct Cli {
    pub dir: tempfile::TempDir,
}

impl Cli {
    /// A directory without a database.
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A database with the company "Acme GmbH" (slug acme-gmbh) and its admin.
    pub fn new() -> Self {
        let cli = Self::empty();
        cli.init();
        cli
    }

    pub fn db(&self) -> PathBuf {
        relais_store::testing::database_in(self.dir.path())
    }

    /// `relais --db DB ARGS…`, run in the scratch directory, without the
    /// caller's RELAIS_* settings.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("relais").unwrap();
        for var in [
            "RELAIS_DB",
            "RELAIS_COMPANY",
            "RELAIS_SECRET_KEY",
            "RELAIS_NEW_SECRET_KEY",
        ] {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.dir.path())
            .arg("--db")
            .arg(self.db())
            .args(args);
        cmd
    }

    /// Runs `args` with `--json`, expecting success; the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        self.json_with(args, &[])
    }

    /// Like [`Cli::json`], with environment variables.
    pub fn json_with(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let mut cmd = self.cmd(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&output)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&output)))
    }

    /// Runs `args`, expecting success; the standard output.
    pub fn text(&self, args: &[&str]) -> String {
        let output = self
            .cmd(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(output).unwrap()
    }

    pub fn init(&self) -> Value {
        self.json(&[
            "init",
            "--company",
            "Acme GmbH",
            "--admin-email",
            "ana@acme.example",
        ])
    }

    /// A file in the scratch directory.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// A server on `db`, in-process on a free port of 127.0.0.1; its base URL
/// and the runtime that runs it (kept alive by the caller).
pub fn serve(db: &Path) -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = Arc::new(relais_app::App::open(db).unwrap());
    let base = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(relais_server::serve(
            listener,
            relais_server::router(app, relais_server::ServerConfig::default()),
            std::future::pending(),
        ));
        base
    });
    (runtime, base)
}

/// `GET base+path` with a bearer token; the status and JSON body.
pub fn get(runtime: &tokio::runtime::Runtime, url: &str, token: &str) -> (u16, Value) {
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    })
}
