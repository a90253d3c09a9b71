//! The SCIM connector against a real third-party SCIM server: scim2-server
//! from PyPI (in-memory storage), started on 127.0.0.1 by the test. Where
//! it is not installed the test says so and passes, unless
//! `RELAIS_REQUIRE_CLIENTS=1` (as `.ci/run` sets it).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use common::{ScimServer, scim_server_program};

use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use chrono::NaiveDate;
use relais_app::{App, Caller};
use relais_people::{EmployeeStatus, demo::DemoSpec};
use relais_store::{EmployeeFilter, Window};
use relais_sync::{EntryStatus, RunStatus, SyncRun, Trigger, UseCase};
use serde_json::{Value, json};

const KEY: &str = "5f1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";
use common::SCIM_TOKEN as TOKEN;

async fn sync(
    app: &Arc<App>,
    company: &relais_access::Company,
    connection: &str,
    full: bool,
) -> SyncRun {
    relais_app::sync::run_scim_sync(
        Arc::clone(app),
        None,
        company.clone(),
        connection.to_owned(),
        Trigger::Manual,
        full,
    )
    .await
    .unwrap()
}

fn entries(
    app: &App,
    company: &relais_access::Company,
    run: &SyncRun,
) -> Vec<relais_sync::SyncEntry> {
    app.sync_entries(
        Caller::Operator,
        company,
        &run.id.to_string(),
        &relais_store::EntryFilter::default(),
        Window {
            offset: 0,
            limit: 10_000,
        },
    )
    .unwrap()
    .rows
    .into_iter()
    .map(|e| e.entry)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn the_connector_keeps_a_real_scim_server_in_step() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, TOKEN, None);
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let app = Arc::new(
        App::open(&db)
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
            // scim2-server listens on loopback, which Relais refuses by default.
            .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
    );
    app.set_sync_concurrency(4);
    let company = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap()
        .company;
    let spec = DemoSpec {
        employees: 40,
        months: 6,
        seed: 11,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };
    app.generate_demo(&company, spec, false, &mut |_| {})
        .unwrap();
    let store = relais_store::open(db.as_os_str()).unwrap();
    let employees = store
        .employees(
            company.id,
            &EmployeeFilter::default(),
            Window {
                offset: 0,
                limit: 1000,
            },
        )
        .unwrap()
        .rows;
    let in_scope: Vec<_> = employees
        .iter()
        .filter(|e| e.status != EmployeeStatus::Inactive)
        .collect();
    assert!(
        in_scope.len() < employees.len(),
        "the demo company has leavers"
    );

    // A user that exists in the target before the first cycle: linked, not created.
    let existing = in_scope[4];
    reqwest::Client::new()
        .post(format!("{}/Users", target.base))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .body(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": existing.email, "title": "old title"}).to_string())
        .send()
        .await
        .unwrap();

    // Connect the SCIM integration through its wizard.
    let by = Caller::Operator;
    let id = common::answer_scim_wizard(
        &app,
        &company,
        &target.base,
        json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "deletion_threshold": "10", "sync_interval_minutes": "30"}),
    );
    assert_eq!(
        app.complete_wizard(by, &company, &id)
            .unwrap()
            .connection
            .status,
        "connected"
    );

    // 1. The first (full) cycle provisions everyone in scope and links the existing user.
    let first = sync(&app, &company, &id, false).await;
    assert_eq!(first.status, RunStatus::Completed, "{first:?}");
    assert_eq!(
        first.counts.get(UseCase::Provision, EntryStatus::Success) as usize,
        in_scope.len() - 1
    );
    assert_eq!(first.counts.get(UseCase::Link, EntryStatus::Success), 1);
    let users = target.users().await;
    assert_eq!(users.len(), in_scope.len());
    let linked = users
        .iter()
        .find(|u| u["userName"] == existing.email.as_str())
        .unwrap();
    assert_eq!(
        linked["title"],
        existing.position.as_str(),
        "the linked user was brought up to date"
    );
    let someone = users
        .iter()
        .find(|u| u["userName"] == in_scope[12].email.as_str())
        .unwrap();
    let enterprise = &someone["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
    assert_eq!(enterprise["employeeNumber"], in_scope[12].id.to_string());
    let manager = users
        .iter()
        .find(|u| external_id(u) == in_scope[12].supervisor_id)
        .unwrap();
    assert_eq!(
        enterprise["manager"]["value"], manager["id"],
        "the manager points at the supervisor's target user"
    );

    // 2. Nothing changed: every entry skipped, nothing written.
    let versions = |users: &[Value]| {
        users
            .iter()
            .map(|u| (u["id"].clone(), u["meta"]["version"].clone()))
            .collect::<Vec<_>>()
    };
    let before = versions(&target.users().await);
    let second = sync(&app, &company, &id, false).await;
    assert_eq!(second.cycle, relais_sync::Cycle::Incremental);
    assert_eq!(
        second.counts.with_status(EntryStatus::Skipped) as usize,
        in_scope.len()
    );
    assert_eq!(second.counts.total() as usize, in_scope.len());
    assert_eq!(versions(&target.users().await), before, "no writes");

    // 3. One attribute changes: one update, only that attribute.
    let mut changed = in_scope[7].clone();
    changed.position = "Head of Everything".into();
    store.replace_employee(company.id, &changed).unwrap();
    let third = sync(&app, &company, &id, false).await;
    assert_eq!(third.counts.get(UseCase::Update, EntryStatus::Success), 1);
    let update = entries(&app, &company, &third)
        .into_iter()
        .find(|e| e.status == EntryStatus::Success)
        .unwrap();
    assert_eq!(update.employee_id, changed.id);
    assert_eq!(update.changes.len(), 1);
    assert_eq!(update.changes[0].attribute, "title");
    assert_eq!(update.changes[0].new, "Head of Everything");
    let users = target.users().await;
    assert_eq!(
        users
            .iter()
            .find(|u| external_id(u) == Some(changed.id))
            .unwrap()["title"],
        "Head of Everything"
    );

    // 4. A leaver is deprovisioned (deactivated, not deleted).
    let mut leaver = in_scope[9].clone();
    leaver.status = EmployeeStatus::Inactive;
    leaver.termination_date = Some(NaiveDate::from_ymd_opt(2026, 10, 30).unwrap());
    store.replace_employee(company.id, &leaver).unwrap();
    let fourth = sync(&app, &company, &id, false).await;
    assert_eq!(
        fourth
            .counts
            .get(UseCase::Deprovision, EntryStatus::Success),
        1,
        "{fourth:?}"
    );
    let users = target.users().await;
    assert_eq!(users.len(), in_scope.len(), "deactivated, still there");
    assert_eq!(
        users
            .iter()
            .find(|u| external_id(u) == Some(leaver.id))
            .unwrap()["active"],
        false
    );

    // A forced full cycle reads the target back and finds it in step.
    let full = sync(&app, &company, &id, true).await;
    assert_eq!(full.cycle, relais_sync::Cycle::Full);
    assert_eq!(full.status, RunStatus::Completed);
    assert_eq!(full.counts.with_status(EntryStatus::Success), 0, "{full:?}");

    // The employee's history across runs.
    let history = app
        .employee_sync_entries(
            by,
            &company,
            &id,
            changed.id,
            Window {
                offset: 0,
                limit: 100,
            },
        )
        .unwrap();
    assert!(history.total >= 4);
    assert_eq!(
        history.rows[0].entry.use_case,
        UseCase::Update,
        "newest first"
    );

    // 5. The target is down: the run fails with the error.
    let port = target.port;
    drop(target);
    let down = sync(&app, &company, &id, false).await;
    assert_eq!(down.status, RunStatus::Failed);
    assert!(
        down.error.as_ref().unwrap().message.contains("unreachable"),
        "{down:?}"
    );

    // 6. The target (back on its address) refuses the token: failed runs,
    //    then the connection turns Inactive.
    let _other = ScimServer::start(&program, "another-token-entirely-9876543210", Some(port));
    for attempt in 1..=3 {
        let run = sync(&app, &company, &id, false).await;
        assert_eq!(run.status, RunStatus::Failed);
        let error = run.error.unwrap();
        assert!(
            error.message.contains("refused the credentials"),
            "{}",
            error.message
        );
        assert_eq!(error.response.as_ref().unwrap().status, 401);
        assert!(
            !error.response.unwrap().body.contains(TOKEN),
            "the token is redacted"
        );
        let status = app.connection(by, &company, &id).unwrap().status;
        assert_eq!(
            status,
            if attempt < 3 { "connected" } else { "inactive" },
            "attempt {attempt}"
        );
    }
    let view = app.connection(by, &company, &id).unwrap();
    assert_eq!(
        serde_json::to_value(&view.state).unwrap()["reason"]["kind"],
        "auth_failures_exceeded"
    );
    let refused = relais_app::sync::run_scim_sync(
        Arc::clone(&app),
        None,
        company.clone(),
        id.clone(),
        Trigger::Manual,
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(
        refused.kind(),
        relais_app::ErrorKind::Conflict,
        "inactive connections do not sync"
    );
}

/// The employee id a target user carries as its externalId.
fn external_id(user: &Value) -> Option<i64> {
    user["externalId"].as_str().and_then(|s| s.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn the_scheduler_runs_due_connections_by_itself() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, TOKEN, None);
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(
        App::open(relais_store::testing::database_in(dir.path()))
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
            // scim2-server listens on loopback, which Relais refuses by default.
            .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
    );
    let company = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap()
        .company;
    let spec = DemoSpec {
        employees: 12,
        months: 1,
        seed: 2,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };
    app.generate_demo(&company, spec, false, &mut |_| {})
        .unwrap();
    let by = Caller::Operator;
    let id = common::answer_scim_wizard(
        &app,
        &company,
        &target.base,
        json!({"match_attribute": "externalId", "deprovision_mode": "delete", "sync_interval_minutes": "15"}),
    );
    app.complete_wizard(by, &company, &id).unwrap();
    assert_eq!(
        app.due_scim_connections().unwrap().len(),
        1,
        "never synced: due"
    );

    relais_server::spawn_scheduler(Arc::clone(&app), std::time::Duration::from_millis(200), 30);
    let mut finished = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let runs = app
            .sync_runs(
                by,
                &company,
                &id,
                None,
                None,
                None,
                Window {
                    offset: 0,
                    limit: 10,
                },
            )
            .unwrap();
        if let Some(run) = runs.rows.first().filter(|r| r.status != RunStatus::Running) {
            finished = Some((run.clone(), runs.total));
            break;
        }
    }
    let (run, _) = finished.expect("the scheduler ran the connection");
    assert_eq!(run.trigger, Trigger::Scheduled);
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert!(run.counts.get(UseCase::Provision, EntryStatus::Success) > 0);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let runs = app
        .sync_runs(
            by,
            &company,
            &id,
            None,
            None,
            None,
            Window {
                offset: 0,
                limit: 10,
            },
        )
        .unwrap();
    assert_eq!(runs.total, 1, "not due again before its 15 minutes");
    assert!(app.due_scim_connections().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn deprovisions_above_the_threshold_are_staged_not_executed() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, TOKEN, None);
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let app = Arc::new(
        App::open(&db)
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
            // scim2-server listens on loopback, which Relais refuses by default.
            .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
    );
    let company = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap()
        .company;
    let spec = DemoSpec {
        employees: 15,
        months: 1,
        seed: 5,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };
    app.generate_demo(&company, spec, false, &mut |_| {})
        .unwrap();
    let by = Caller::Operator;
    let id = common::answer_scim_wizard(
        &app,
        &company,
        &target.base,
        json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "deletion_threshold": "1", "sync_interval_minutes": "30"}),
    );
    app.complete_wizard(by, &company, &id).unwrap();
    assert_eq!(
        sync(&app, &company, &id, false).await.status,
        RunStatus::Completed
    );

    // Two leavers at once, with a threshold of one.
    let store = relais_store::open(db.as_os_str()).unwrap();
    let employees = store
        .employees(
            company.id,
            &EmployeeFilter::default(),
            Window {
                offset: 0,
                limit: 100,
            },
        )
        .unwrap()
        .rows;
    let leaving: Vec<_> = employees
        .iter()
        .filter(|e| e.status == EmployeeStatus::Active && e.id > 10)
        .take(2)
        .cloned()
        .collect();
    for mut e in leaving.clone() {
        e.status = EmployeeStatus::Inactive;
        store.replace_employee(company.id, &e).unwrap();
    }
    let run = sync(&app, &company, &id, false).await;
    assert_eq!(run.status, RunStatus::PartiallyCompleted, "{run:?}");
    assert_eq!(run.staged, 2);
    assert!(run.error.is_none());
    assert!(
        run.notice
            .as_deref()
            .unwrap()
            .contains("2 deprovisions were staged")
    );
    assert_eq!(
        run.counts.get(UseCase::Deprovision, EntryStatus::Skipped),
        2
    );
    for e in &leaving {
        let user = target
            .users()
            .await
            .into_iter()
            .find(|u| external_id(u) == Some(e.id))
            .unwrap();
        assert_eq!(user["active"], true, "nothing deprovisioned");
    }
}

/// The server binary on `db`, allowed to call loopback; returns it with its
/// base URL and the demo admin's token (with `--demo`).
fn start_server(db: &std::path::Path, demo: bool) -> (Child, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_relais-server"));
    command
        .args([
            "--bind",
            "127.0.0.1:0",
            "--scim-concurrency",
            "1",
            "--sync-tick",
            "3600",
            "--db",
        ])
        .arg(db)
        .env("RELAIS_SECRET_KEY", KEY)
        .env("RELAIS_EGRESS_ALLOW", "127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if demo {
        command.arg("--demo");
    }
    let mut child = command.spawn().unwrap();
    let startup = common::read_startup(child.stdout.take().unwrap());
    (child, startup.base, startup.token.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn a_run_killed_mid_way_has_recorded_the_accounts_it_created_and_nothing_is_provisioned_twice()
 {
    if relais_store::testing::is_postgres_run() {
        // A restart closes the run at once only where the process is alone
        // on its database; on PostgreSQL tests/replicas.rs covers a lost process.
        return;
    }
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, TOKEN, None);
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let (mut server, base, admin) = start_server(&db, true);
    let http = reqwest::Client::new();
    let call = |method: &str, path: String, body: Option<Value>| {
        let mut request = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .bearer_auth(&admin);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (_, started) = call(
        "POST",
        "/api/connections".into(),
        Some(json!({"integration": "scim-provisioning"})),
    )
    .await;
    let id = started["id"].as_str().unwrap().to_owned();
    for (step, answers) in [
        (
            "target",
            json!({"base_url": target.base, "bearer_token": TOKEN}),
        ),
        (
            "matching",
            json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440"}),
        ),
        ("confirm", json!({"accept_data_processing": true})),
    ] {
        let (status, body) = call(
            "POST",
            format!("/api/connections/{id}/wizard/{step}"),
            Some(answers),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    call(
        "POST",
        format!("/api/connections/{id}/wizard/complete"),
        None,
    )
    .await;
    let (status, run) = call("POST", format!("/api/connections/{id}/sync"), None).await;
    assert_eq!(status, 202, "{run}");
    let run_id = run["id"].as_str().unwrap().to_owned();

    // Kill the server once the run has recorded its first accounts.
    let store = relais_store::open(db.as_os_str()).unwrap();
    let company = store.company("demo-company").unwrap().unwrap();
    let mut recorded = 0;
    for _ in 0..400 {
        recorded = store
            .entries(
                run_id.parse().unwrap(),
                &relais_store::EntryFilter::default(),
                Window {
                    offset: 0,
                    limit: 1,
                },
            )
            .unwrap()
            .total;
        if recorded > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(recorded > 0, "the run recorded entries before it ended");
    let created = target.users().await.len();
    let run = store
        .run(company.id, run_id.parse().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(run.status, RunStatus::Running, "killed mid-way");
    let provisioned = run.counts.get(UseCase::Provision, EntryStatus::Success) as usize;
    assert!(provisioned > 0);
    // Every account created is recorded, but for the few in flight when the process died.
    assert!(
        provisioned + 25 >= created,
        "{created} accounts created, {provisioned} recorded"
    );
    assert!(created < 140, "the kill came mid-way ({created} accounts)");

    // Restarted: the interrupted run is closed as Failed, the next cycle
    // completes, and the target holds every account once.
    let (mut server, base, _) = start_server(&db, false);
    for _ in 0..100 {
        if store
            .run(company.id, run_id.parse().unwrap())
            .unwrap()
            .unwrap()
            .status
            != RunStatus::Running
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let closed = store
        .run(company.id, run_id.parse().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(closed.status, RunStatus::Failed, "{closed:?}");
    assert!(closed.interrupted, "{closed:?}");
    // An interrupted run is nobody's failure: the next cycle is due at once,
    // and the restarted scheduler may have started it before this request.
    let response = http
        .post(format!("{base}/api/connections/{id}/sync"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let next_id: uuid::Uuid = match response.status().as_u16() {
        202 => {
            let next: Value = response.json().await.unwrap();
            next["id"].as_str().unwrap().parse().unwrap()
        }
        409 => {
            store
                .runs(
                    company.id,
                    id.parse().unwrap(),
                    None,
                    None,
                    None,
                    Window {
                        offset: 0,
                        limit: 1,
                    },
                )
                .unwrap()
                .rows[0]
                .id
        }
        other => panic!("sync now answered {other}"),
    };
    assert_ne!(next_id.to_string(), run_id);
    let mut finished = None;
    for _ in 0..600 {
        let run = store.run(company.id, next_id).unwrap().unwrap();
        if run.status != RunStatus::Running {
            finished = Some(run);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let finished = finished.expect("the next cycle finished");
    assert_eq!(finished.status, RunStatus::Completed, "{finished:?}");
    server.kill().unwrap();
    server.wait().unwrap();
    let users = target.users().await;
    let mut names: Vec<_> = users
        .iter()
        .map(|u| u["userName"].as_str().unwrap().to_lowercase())
        .collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "no account was provisioned twice");
    assert!(before > created, "the next cycle provisioned the rest");
}
