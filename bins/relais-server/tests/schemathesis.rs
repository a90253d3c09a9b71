//! schemathesis (from PyPI, pinned in `.ci/python-requirements.txt`) against
//! a live server: every operation of the OpenAPI document, with all of its
//! checks — server errors, status codes, content types, response schemas,
//! response headers, negative data, authentication — through its coverage,
//! fuzzing and stateful phases. The document is the contract integrators
//! generate clients from; this holds the server to it.
//!
//! Like the other real-client tests it uses the Python environment of
//! `RELAIS_PYTHON`; without schemathesis there the test is ignored, naming
//! it, unless `RELAIS_REQUIRE_CLIENTS=1` (as `.ci/run` sets).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use chrono::NaiveDate;
use relais_access::ApiPermission;
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;
use relais_server::ServerConfig;

/// Checks left out, each with its reason. Nothing else is.
const EXCLUDED_CHECKS: &[(&str, &str)] = &[(
    "positive_data_acceptance",
    "it expects every request the schema allows to succeed, but the API's rules go past what a \
     schema can say: an employee id must be one of the company's employees, an attendance must \
     not overlap another, a run must belong to the credential's connection; those requests \
     rightly answer 400/404/409 with the documented error envelope",
)];

/// Checks left out of the admin API's run only, each with its reason.
const EXCLUDED_ADMIN_CHECKS: &[(&str, &str)] = &[(
    "use_after_free",
    "DELETE on a connection disconnects it and DELETE on a credential revokes it: both stay \
     readable afterwards, as disconnected or revoked, with their audit trail, by design (an \
     audit must outlive the connection); the one hard delete, of a report, is held to 404 by \
     tests/reports.rs",
)];

/// Admin operations that can take away the caller's own access (its token,
/// its user, its right). The stateful phase links them to the caller's own
/// records, after which every later call answers 401 and tests nothing;
/// so they run in a second pass of their own, without the stateful phase.
const SELF_DISARMING: &[&str] = &["revokeToken", "removeUser", "changeUserRight"];

/// Public operations on a sub-resource a new record rightly lacks: the
/// stateful phase infers a link from `POST /v1/company/employees` to the new
/// employee's profile picture and calls a 404 there "created resource not
/// found", but a new employee has no picture until an administrator sets
/// one. They run in a second pass of their own, without the stateful phase.
const ABSENT_UNTIL_SET: &[&str] = &["getEmployeePicture", "getEmployeePictureAtWidth"];

fn schemathesis() -> PathBuf {
    let python = std::env::var("RELAIS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    PathBuf::from(python)
        .parent()
        .map_or_else(|| PathBuf::from("schemathesis"), |d| d.join("schemathesis"))
}

/// A company with demo people and example reports, served on a real socket
/// with no request budget (schemathesis sends thousands of requests a minute).
async fn demo_server() -> (String, Arc<App>, relais_app::NewCompany, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    // As an operator runs it: with a key for secrets at rest (webhook
    // signing secrets, wizard secrets); without one they are refused (503).
    let key = relais_access::SecretKey::from_hex(
        "1f3e5d7c9b0a2f4e6d8c0b1a3f5e7d9c2b4a6f8e0d1c3b5a7f9e1d3c5b7a9f0e",
    )
    .unwrap();
    let app = Arc::new(
        App::open(relais_store::testing::database_in(dir.path()))
            .unwrap()
            .with_secret_key(Some(key)),
    );
    let created = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let spec = DemoSpec {
        employees: 40,
        months: 2,
        seed: 5,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };
    app.generate_demo(&created.company, spec, false, &mut |_| {})
        .unwrap();
    app.install_example_reports(&created.company).unwrap();
    let config = ServerConfig {
        api_per_minute: std::num::NonZeroU32::MAX,
        auth_per_minute: std::num::NonZeroU32::MAX,
        documents_per_minute: std::num::NonZeroU32::MAX,
        ..ServerConfig::default()
    };
    let base = common::serve(Arc::clone(&app), config).await;
    (base, app, created, dir)
}

/// Runs schemathesis on the document at `path` with `token` and `extra`
/// arguments; fails the test, with schemathesis's report, on any failure.
fn run(base: &str, path: &str, token: &str, extra: &[&str]) {
    let mut command = Command::new(schemathesis());
    command
        .arg("run")
        .arg(format!("{base}{path}"))
        .args(["--url", base])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all"])
        .args(["--max-examples", "25", "--seed", "20261130"])
        // The same cases on every machine: no examples replayed from a
        // database an earlier run left behind.
        .args(["--generation-database", "none"])
        .args(["--no-color"])
        .args(extra);
    for (check, _why) in EXCLUDED_CHECKS {
        command.args(["--exclude-checks", check]);
    }
    let output = command.output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    let summary = report
        .lines()
        .rev()
        .find(|l| l.contains(" in ") && l.contains('='))
        .unwrap_or_default();
    eprintln!("schemathesis on {path}: {summary}");
    assert!(
        output.status.success(),
        "schemathesis found failures in {path}:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_schemathesis),
    ignore = "needs schemathesis: pip install schemathesis==4.32.5, set RELAIS_PYTHON"
)]
async fn the_public_api_keeps_its_openapi_document() {
    if !schemathesis().exists() && std::env::var("RELAIS_REQUIRE_CLIENTS").is_err() {
        eprintln!("schemathesis is not installed beside RELAIS_PYTHON; skipping");
        return;
    }
    let (base, app, created, _dir) = demo_server().await;
    let credential = app
        .create_credential(
            Caller::Operator,
            &created.company,
            CredentialInput {
                name: "schemathesis".into(),
                scopes: [
                    "employees:read",
                    "employees:write",
                    "absences:read",
                    "absences:write",
                    "attendances:read",
                    "attendances:write",
                    "documents:read",
                    "documents:write",
                    "custom_reports:read",
                    "recruiting:read",
                ]
                .iter()
                .map(|s| s.parse::<ApiPermission>().unwrap())
                .collect(),
                ..CredentialInput::default()
            },
        )
        .unwrap();
    let token = common::api_token(
        &reqwest::Client::new(),
        &base,
        &credential.credential.client_id,
        &credential.client_secret,
    )
    .await;
    let base_for_run = base.clone();
    tokio::task::spawn_blocking(move || {
        let mut everything_else = Vec::new();
        for id in ABSENT_UNTIL_SET {
            everything_else.extend(["--exclude-operation-id", id]);
        }
        run(&base_for_run, "/v1/openapi.json", &token, &everything_else);
        let mut only_those = vec!["--phases", "examples,coverage,fuzzing"];
        for id in ABSENT_UNTIL_SET {
            only_those.extend(["--include-operation-id", id]);
        }
        run(&base_for_run, "/v1/openapi.json", &token, &only_those);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_schemathesis),
    ignore = "needs schemathesis: pip install schemathesis==4.32.5, set RELAIS_PYTHON"
)]
async fn the_admin_api_keeps_its_openapi_document() {
    if !schemathesis().exists() && std::env::var("RELAIS_REQUIRE_CLIENTS").is_err() {
        eprintln!("schemathesis is not installed beside RELAIS_PYTHON; skipping");
        return;
    }
    let (base, _app, created, _dir) = demo_server().await;
    let token = created.token;
    tokio::task::spawn_blocking(move || {
        let mut everything_else = Vec::new();
        for (check, _why) in EXCLUDED_ADMIN_CHECKS {
            everything_else.extend(["--exclude-checks", check]);
        }
        for id in SELF_DISARMING {
            everything_else.extend(["--exclude-operation-id", id]);
        }
        run(&base, "/api/openapi.json", &token, &everything_else);
        let mut only_those = vec!["--phases", "examples,coverage,fuzzing"];
        for (check, _why) in EXCLUDED_ADMIN_CHECKS {
            only_those.extend(["--exclude-checks", check]);
        }
        for id in SELF_DISARMING {
            only_those.extend(["--include-operation-id", id]);
        }
        run(&base, "/api/openapi.json", &token, &only_those);
    })
    .await
    .unwrap();
}
