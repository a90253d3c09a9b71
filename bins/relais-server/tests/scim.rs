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

/// A Relais on `db` (secrets sealed, loopback allowed for scim2-server,
/// four requests in flight) with Acme, a demo company of 40 employees,
/// leavers among them.
fn demo_company(db: &std::path::Path) -> (Arc<App>, relais_access::Company) {
    let app = Arc::new(
        App::open(db)
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
    (app, company)
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
    let (app, company) = demo_company(&db);
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

// ----- Robustness across SCIM implementations (issue 14, item 7) ------------

/// A company of demo employees with a SCIM connection to a target.
struct Connected {
    app: Arc<App>,
    company: relais_access::Company,
    store: Arc<dyn relais_store::Store>,
    id: String,
    /// Every employee, in id order.
    employees: Vec<relais_people::Employee>,
    _dir: tempfile::TempDir,
}

impl Connected {
    /// `employees` demo employees (seed `seed`), connected to `base` with
    /// `matching` as the wizard's matching answers.
    fn new(base: &str, employees: u32, seed: u64, matching: Value) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = relais_store::testing::database_in(dir.path());
        let app = Arc::new(
            App::open(&db)
                .unwrap()
                .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
                .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
        );
        let company = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap()
            .company;
        let spec = DemoSpec {
            employees,
            months: 1,
            seed,
            until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        };
        app.generate_demo(&company, spec, false, &mut |_| {})
            .unwrap();
        let id = common::answer_scim_wizard(&app, &company, base, matching);
        app.complete_wizard(Caller::Operator, &company, &id)
            .unwrap();
        let store = relais_store::open(db.as_os_str()).unwrap();
        let mut employees = store
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
        employees.sort_by_key(|e| e.id);
        Self {
            app,
            company,
            store,
            id,
            employees,
            _dir: dir,
        }
    }

    fn in_scope(&self) -> Vec<relais_people::Employee> {
        self.employees
            .iter()
            .filter(|e| e.status != EmployeeStatus::Inactive)
            .cloned()
            .collect()
    }

    async fn sync(&self, full: bool) -> SyncRun {
        sync(&self.app, &self.company, &self.id, full).await
    }

    fn entries(&self, run: &SyncRun) -> Vec<relais_sync::SyncEntry> {
        entries(&self.app, &self.company, run)
    }

    fn save(&mut self, employee: &relais_people::Employee) {
        self.store
            .replace_employee(self.company.id, employee)
            .unwrap();
        let slot = self
            .employees
            .iter_mut()
            .find(|e| e.id == employee.id)
            .unwrap();
        *slot = employee.clone();
    }
}

/// The target user of employee `id`.
fn user_of(users: &[Value], id: i64) -> &Value {
    users
        .iter()
        .find(|u| external_id(u) == Some(id))
        .unwrap_or_else(|| panic!("no target user for employee {id}"))
}

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Each user's id and version, to tell whether a cycle wrote anything.
fn versions(users: &[Value]) -> Vec<(Value, Value)> {
    let mut v: Vec<_> = users
        .iter()
        .map(|u| (u["id"].clone(), u["meta"]["version"].clone()))
        .collect();
    v.sort_by_key(|(id, _)| id.to_string());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn a_changed_email_converges_to_exactly_the_new_primary_address() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, TOKEN, None);
    let mut c = Connected::new(
        &target.base,
        12,
        3,
        json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "30"}),
    );
    assert_eq!(c.sync(false).await.status, RunStatus::Completed);

    let mut ana = c.in_scope()[3].clone();
    let old = ana.email.clone();
    ana.email = format!("renamed.{old}");
    c.save(&ana);
    let run = c.sync(false).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.counts.get(UseCase::Update, EntryStatus::Success), 1);
    let update = c
        .entries(&run)
        .into_iter()
        .find(|e| e.status == EntryStatus::Success)
        .unwrap();
    let emails = update
        .changes
        .iter()
        .find(|ch| ch.attribute == "emails")
        .unwrap();
    assert_eq!(
        (emails.old.as_str(), emails.new.as_str()),
        (Some(old.as_str()), Some(ana.email.as_str()))
    );
    // scim2-server answers a PATCH with 204: the connector read the user back.
    assert!(
        update
            .message
            .contains("confirmed by reading the user back"),
        "{}",
        update.message
    );
    let response = update.response.unwrap();
    assert_eq!(response.status, 200);
    assert!(response.body.contains(&ana.email), "{}", response.body);

    let users = target.users().await;
    let user = user_of(&users, ana.id);
    let held = user["emails"].as_array().unwrap();
    assert_eq!(held.len(), 1, "exactly one address: {held:?}");
    assert_eq!(held[0]["value"], ana.email.as_str());
    assert_eq!(held[0]["primary"], true);
    assert_eq!(user["userName"], ana.email.as_str());

    // The next cycles, full and incremental, find it in step and write nothing.
    let before = versions(&users);
    for full in [true, false] {
        let run = c.sync(full).await;
        assert_eq!(run.status, RunStatus::Completed, "{run:?}");
        assert_eq!(run.counts.with_status(EntryStatus::Success), 0, "{run:?}");
        assert_eq!(versions(&target.users().await), before, "no writes");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn link_and_deprovision_entries_record_the_targets_answer() {
    let Some(program) = scim_server_program() else {
        return;
    };
    for mode in ["deactivate", "delete"] {
        let target = ScimServer::start(&program, TOKEN, None);
        let mut c = Connected::new(
            &target.base,
            12,
            4,
            json!({"match_attribute": "userName", "deprovision_mode": mode, "sync_interval_minutes": "30"}),
        );
        let existing = c.in_scope()[2].clone();
        let created: Value = reqwest::Client::new()
            .post(format!("{}/Users", target.base))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/scim+json")
            .body(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": existing.email, "title": "old title"}).to_string())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let run = c.sync(false).await;
        assert_eq!(run.status, RunStatus::Completed, "{run:?}");
        let link = c
            .entries(&run)
            .into_iter()
            .find(|e| e.use_case == UseCase::Link)
            .unwrap();
        assert_eq!(link.status, EntryStatus::Success);
        let response = link.response.expect("a link records the target's answer");
        assert_eq!(response.status, 200);
        assert!(
            response.body.contains(created["id"].as_str().unwrap())
                && response.body.contains(&existing.position),
            "the user as the target holds it after the update: {}",
            response.body
        );
        assert!(!response.body.contains(TOKEN));

        let mut leaver = existing.clone();
        leaver.status = EmployeeStatus::Inactive;
        c.save(&leaver);
        let run = c.sync(false).await;
        let gone = c
            .entries(&run)
            .into_iter()
            .find(|e| e.use_case == UseCase::Deprovision)
            .unwrap();
        assert_eq!(gone.status, EntryStatus::Success, "{gone:?}");
        let response = gone
            .response
            .expect("a deprovision records the target's answer");
        if mode == "deactivate" {
            assert_eq!(response.status, 200, "the read-back after the 204");
            assert!(
                response.body.contains("\"active\":false"),
                "{}",
                response.body
            );
        } else {
            assert_eq!(response.status, 204, "the DELETE's answer");
            assert!(
                target
                    .users()
                    .await
                    .iter()
                    .all(|u| u["id"] != created["id"])
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn a_supervisor_who_leaves_is_no_ones_manager_and_the_new_one_is() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, TOKEN, None);
    let mut c = Connected::new(
        &target.base,
        30,
        7,
        json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "30"}),
    );
    let in_scope = c.in_scope();
    // A supervisor with a supervisor of their own (a head of department,
    // under employee 1), and the people reporting to them.
    let (boss, reports) = in_scope
        .iter()
        .filter(|b| b.supervisor_id.is_some())
        .map(|b| {
            let reports: Vec<_> = in_scope
                .iter()
                .filter(|e| e.supervisor_id == Some(b.id))
                .cloned()
                .collect();
            (b.clone(), reports)
        })
        .find(|(_, reports)| !reports.is_empty())
        .expect("the demo company has a head of department with reports");
    let next = boss.supervisor_id.unwrap();
    assert_eq!(c.sync(false).await.status, RunStatus::Completed);
    let users = target.users().await;
    let boss_user = user_of(&users, boss.id)["id"].clone();
    for r in &reports {
        assert_eq!(
            user_of(&users, r.id)[ENTERPRISE]["manager"]["value"],
            boss_user
        );
    }

    // The supervisor leaves; the employee data has not yet named a new one.
    let mut leaver = boss.clone();
    leaver.status = EmployeeStatus::Inactive;
    leaver.termination_date = Some(NaiveDate::from_ymd_opt(2026, 10, 30).unwrap());
    c.save(&leaver);
    let run = c.sync(false).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(
        run.counts.get(UseCase::Deprovision, EntryStatus::Success),
        1
    );
    let updates: Vec<_> = c
        .entries(&run)
        .into_iter()
        .filter(|e| e.use_case == UseCase::Update && e.status == EntryStatus::Success)
        .collect();
    assert_eq!(updates.len(), reports.len(), "{updates:?}");
    for u in &updates {
        assert_eq!(u.changes.len(), 1);
        assert_eq!(u.changes[0].attribute, format!("{ENTERPRISE}:manager"));
        assert_eq!(u.changes[0].old, boss_user);
        assert_eq!(u.changes[0].new, Value::Null);
    }
    let users = target.users().await;
    assert_eq!(user_of(&users, boss.id)["active"], false);
    for r in &reports {
        assert!(
            user_of(&users, r.id)[ENTERPRISE].get("manager").is_none(),
            "removed: {}",
            user_of(&users, r.id)
        );
    }
    // No one points at a deactivated account, and a full cycle agrees.
    let no_dangling = |users: &[Value]| {
        for u in users.iter().filter(|u| u["active"] != false) {
            if let Some(m) = u[ENTERPRISE]["manager"]["value"].as_str() {
                let manager = users.iter().find(|x| x["id"] == m).unwrap();
                assert_eq!(manager["active"], true, "{u} points at {manager}");
            }
        }
    };
    no_dangling(&users);
    let full = c.sync(true).await;
    assert_eq!(full.counts.with_status(EntryStatus::Success), 0, "{full:?}");

    // The employee data names the new supervisor: the reports point at them.
    for r in &reports {
        let mut moved = r.clone();
        moved.supervisor_id = Some(next);
        c.save(&moved);
    }
    let run = c.sync(false).await;
    assert_eq!(
        run.counts.get(UseCase::Update, EntryStatus::Success) as usize,
        reports.len()
    );
    let users = target.users().await;
    let next_user = user_of(&users, next)["id"].clone();
    for r in &reports {
        assert_eq!(
            user_of(&users, r.id)[ENTERPRISE]["manager"]["value"],
            next_user
        );
    }
    no_dangling(&users);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn a_target_whose_user_name_filter_minds_case_is_matched_by_listing() {
    let Some(program) = scim_server_program() else {
        return;
    };
    // scim2-server, serving a User schema whose userName is case-exact.
    let schemas = tempfile::NamedTempFile::new().unwrap();
    {
        let plain = ScimServer::start(&program, TOKEN, None);
        plain
            .write_case_exact_user_name_schemas(schemas.path())
            .await;
    }
    let target = ScimServer::start_with(
        &program,
        TOKEN,
        &["--schema".as_ref(), schemas.path().as_os_str()],
    );
    let c = Connected::new(
        &target.base,
        12,
        5,
        json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "30"}),
    );
    let in_scope = c.in_scope();
    let existing = &in_scope[4];
    let shouted = existing.email.to_uppercase();
    let http = reqwest::Client::new();
    http.post(format!("{}/Users", target.base))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .body(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": shouted})
                .to_string(),
        )
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    // The target's filter does not find the user in the employee's case.
    let filter = format!("userName eq \"{}\"", existing.email);
    let found: Value = http
        .get(format!("{}/Users", target.base))
        .query(&[("filter", filter.as_str())])
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["totalResults"], 0, "the server minds case: {found}");

    let run = c.sync(false).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.counts.get(UseCase::Link, EntryStatus::Success), 1);
    let link = c
        .entries(&run)
        .into_iter()
        .find(|e| e.use_case == UseCase::Link)
        .unwrap();
    assert_eq!(link.employee_id, existing.id);
    assert!(
        link.message.contains("without regard to case"),
        "{}",
        link.message
    );
    let users = target.users().await;
    assert_eq!(users.len(), in_scope.len(), "no duplicate account");
    assert_eq!(user_of(&users, existing.id)["userName"], shouted.as_str());

    let again = c.sync(true).await;
    assert_eq!(again.status, RunStatus::Completed, "{again:?}");
    assert_eq!(
        again.counts.with_status(EntryStatus::Success),
        0,
        "{again:?}"
    );
    assert_eq!(target.users().await.len(), in_scope.len());
}

/// The target's groups, by `externalId` (those without one under their id).
async fn groups(target: &ScimServer) -> std::collections::BTreeMap<String, Value> {
    target
        .groups()
        .await
        .into_iter()
        .map(|g| {
            let key = g["externalId"]
                .as_str()
                .or(g["id"].as_str())
                .unwrap()
                .to_owned();
            (key, g)
        })
        .collect()
}

fn member_ids(group: &Value) -> std::collections::BTreeSet<String> {
    group["members"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| m["value"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn departments_and_teams_become_groups_with_their_members() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, TOKEN, None);
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let (app, company) = demo_company(&db);
    let store = relais_store::open(db.as_os_str()).unwrap();
    let employees = || {
        store
            .employees(
                company.id,
                &EmployeeFilter::default(),
                Window {
                    offset: 0,
                    limit: 1000,
                },
            )
            .unwrap()
            .rows
    };
    let everyone = employees();
    let in_scope: Vec<_> = everyone
        .iter()
        .filter(|e| e.status != EmployeeStatus::Inactive)
        .cloned()
        .collect();
    let first_department = in_scope[0].department.clone().unwrap();

    // Before the first cycle the target holds a group of that department's
    // name (no externalId) with a member someone added by hand.
    let client = reqwest::Client::new();
    let by_hand: Value = client
        .post(format!("{}/Users", target.base))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .body(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "contractor@elsewhere.example"}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_hand = by_hand["id"].as_str().unwrap().to_owned();
    let existing: Value = client
        .post(format!("{}/Groups", target.base))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .body(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": first_department.name, "members": [{"value": by_hand}]}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let existing = existing["id"].as_str().unwrap().to_owned();

    let id = common::answer_scim_wizard(
        &app,
        &company,
        &target.base,
        json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "deletion_threshold": "10", "sync_interval_minutes": "30", "group_provisioning": "departments_and_teams"}),
    );
    app.complete_wizard(Caller::Operator, &company, &id)
        .unwrap();

    // The groups the employee data asks for: unit key → in-scope emails.
    let expected = |people: &[relais_people::Employee]| {
        let mut units: std::collections::BTreeMap<String, (String, Vec<String>)> =
            Default::default();
        for e in people
            .iter()
            .filter(|e| e.status != EmployeeStatus::Inactive)
        {
            if let Some(d) = &e.department {
                let unit = units
                    .entry(format!("department:{}", d.id))
                    .or_insert_with(|| (d.name.clone(), vec![]));
                unit.1.push(e.email.clone());
            }
            if let Some(t) = &e.team {
                let unit = units
                    .entry(format!("team:{}", t.id))
                    .or_insert_with(|| (t.name.clone(), vec![]));
                unit.1.push(e.email.clone());
            }
        }
        units
    };
    let user_ids = |users: &[Value]| -> std::collections::HashMap<String, String> {
        users
            .iter()
            .map(|u| {
                (
                    u["userName"].as_str().unwrap().to_owned(),
                    u["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let check = |groups: &std::collections::BTreeMap<String, Value>,
                 users: &[Value],
                 people: &[relais_people::Employee]| {
        let ids = user_ids(users);
        for (key, (name, emails)) in expected(people) {
            let group = groups
                .get(&key)
                .unwrap_or_else(|| panic!("no group {key} in {groups:?}"));
            assert_eq!(group["displayName"], name.as_str(), "{key}");
            let mut wanted: std::collections::BTreeSet<String> =
                emails.iter().map(|e| ids[e].clone()).collect();
            if group["id"] == existing.as_str() {
                wanted.insert(by_hand.clone());
            }
            assert_eq!(member_ids(group), wanted, "members of {key}");
        }
    };

    let version_of = |groups: &std::collections::BTreeMap<String, Value>| {
        groups
            .iter()
            .map(|(k, g)| (k.clone(), g["meta"]["version"].clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let group_entries = |run: &SyncRun| -> Vec<relais_sync::SyncEntry> {
        entries(&app, &company, run)
            .into_iter()
            .filter(|e| e.group.is_some())
            .collect()
    };
    let units = expected(&everyone);
    let department_key = format!("department:{}", first_department.id);

    // 1. The first cycle creates a group per department and team with its
    //    members; the group of the same name Relais did not create is not
    //    taken over (it could grant anything): a failed entry says how to
    //    hand it over.
    let first = sync(&app, &company, &id, false).await;
    assert_eq!(first.status, RunStatus::PartiallyCompleted, "{first:?}");
    let made = group_entries(&first);
    assert_eq!(made.len(), units.len());
    assert!(made.iter().all(|e| e.employee_id == 0));
    let refused: Vec<_> = made
        .iter()
        .filter(|e| e.status != EntryStatus::Success)
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].group.as_ref().unwrap().key(), department_key);
    assert!(
        refused[0]
            .message
            .contains(&format!("set its externalId to {department_key}")),
        "{}",
        refused[0].message
    );
    assert_eq!(
        first.counts.get(UseCase::Provision, EntryStatus::Success) as usize,
        in_scope.len() + units.len() - 1
    );
    let target_groups = groups(&target).await;
    assert_eq!(target_groups.len(), units.len(), "no duplicate of it");
    let untouched = &target_groups[&existing];
    assert_eq!(member_ids(untouched), [by_hand.clone()].into());

    // 2. Its admin hands it over (externalId): the next cycle links it, adds
    //    the department's members and keeps the one added by hand; no other
    //    group is written.
    let before = version_of(&groups(&target).await);
    let patched = client
        .patch(format!("{}/Groups/{existing}", target.base))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .body(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "externalId", "value": department_key}]}).to_string())
        .send()
        .await
        .unwrap();
    assert!(patched.status().is_success());
    let second = sync(&app, &company, &id, false).await;
    assert_eq!(second.status, RunStatus::Completed, "{second:?}");
    let linked: Vec<_> = group_entries(&second)
        .into_iter()
        .filter(|e| e.use_case == UseCase::Link)
        .collect();
    assert_eq!(linked.len(), 1, "{linked:?}");
    assert_eq!(linked[0].status, EntryStatus::Success, "{linked:?}");
    let after = groups(&target).await;
    check(&after, &target.users().await, &everyone);
    let written: Vec<_> = version_of(&after)
        .into_iter()
        .filter(|(k, v)| before.get(k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(written, std::slice::from_ref(&department_key));

    // 3. Nothing changed: every group entry skipped, no group written.
    let before = version_of(&groups(&target).await);
    let third = sync(&app, &company, &id, false).await;
    let skipped = group_entries(&third);
    assert_eq!(skipped.len(), units.len());
    assert!(
        skipped.iter().all(|e| e.status == EntryStatus::Skipped),
        "{skipped:?}"
    );
    assert_eq!(version_of(&groups(&target).await), before, "no writes");

    // 4. A department is renamed, someone moves to another team, someone leaves.
    let mut people = employees();
    let renamed = people
        .iter()
        .find(|e| e.status != EmployeeStatus::Inactive && e.department.is_some())
        .unwrap()
        .department
        .clone()
        .unwrap();
    for e in people.iter_mut() {
        if let Some(d) = e.department.as_mut()
            && d.id == renamed.id
        {
            d.name = format!("{} (renamed)", d.name);
            store.replace_employee(company.id, e).unwrap();
        }
    }
    let teams: Vec<_> = people.iter().filter_map(|e| e.team.clone()).collect();
    let mover = people
        .iter_mut()
        .find(|e| {
            e.status == EmployeeStatus::Active && e.team.as_ref().is_some_and(|t| *t != teams[0])
        })
        .unwrap();
    mover.team = Some(teams[0].clone());
    store.replace_employee(company.id, mover).unwrap();
    let mover_email = mover.email.clone();
    let leaver = people
        .iter_mut()
        .find(|e| e.status == EmployeeStatus::Active && e.email != mover_email)
        .unwrap();
    leaver.status = EmployeeStatus::Inactive;
    let leaver_id = leaver.id;
    store.replace_employee(company.id, leaver).unwrap();
    let fourth = sync(&app, &company, &id, false).await;
    assert_eq!(fourth.status, RunStatus::Completed, "{fourth:?}");
    let updated: Vec<_> = group_entries(&fourth)
        .into_iter()
        .filter(|e| e.use_case == UseCase::Update && e.status == EntryStatus::Success)
        .collect();
    let renamed_entry = updated
        .iter()
        .find(|e| e.group.as_ref().unwrap().key() == format!("department:{}", renamed.id))
        .unwrap();
    assert!(
        renamed_entry.changes.iter().any(|c| c.attribute == "displayName"
            && c.new == format!("{} (renamed)", renamed.name)),
        "{renamed_entry:?}"
    );
    assert!(
        updated.iter().any(|e| e
            .changes
            .iter()
            .any(|c| c.attribute == "members.removed" && c.old == json!([leaver_id]))),
        "the leaver's removal names them: {updated:?}"
    );
    let people = employees();
    check(&groups(&target).await, &target.users().await, &people);

    // 5. A group deleted in the target is created again by a full cycle.
    let team_key = format!("team:{}", teams[0].id);
    let gone = groups(&target).await[&team_key]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = client
        .delete(format!("{}/Groups/{gone}", target.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    let fifth = sync(&app, &company, &id, true).await;
    assert_eq!(fifth.status, RunStatus::Completed, "{fifth:?}");
    let recreated = group_entries(&fifth)
        .into_iter()
        .find(|e| e.group.as_ref().unwrap().key() == team_key)
        .unwrap();
    assert_eq!(recreated.use_case, UseCase::Provision, "{recreated:?}");
    check(&groups(&target).await, &target.users().await, &people);

    // 6. A bad import blanks everyone's team: more member removals than the
    //    deletion safety threshold (10) are held back, the groups kept.
    let before: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        groups(&target)
            .await
            .into_iter()
            .map(|(k, g)| (k, member_ids(&g)))
            .collect();
    for mut e in employees() {
        if e.team.is_some() {
            e.team = None;
            store.replace_employee(company.id, &e).unwrap();
        }
    }
    let sixth = sync(&app, &company, &id, false).await;
    let held: Vec<_> = group_entries(&sixth)
        .into_iter()
        .filter(|e| e.group.as_ref().unwrap().kind == relais_sync::GroupKind::Team)
        .collect();
    assert!(!held.is_empty());
    assert!(
        held.iter()
            .all(|e| e.message.contains("held back") && e.message.contains("safety threshold")),
        "{held:?}"
    );
    let after: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        groups(&target)
            .await
            .into_iter()
            .map(|(k, g)| (k, member_ids(&g)))
            .collect();
    assert_eq!(after, before, "no member removed");
}
