//! Several `relais-server` processes on one PostgreSQL database: they serve
//! the same companies, and the sync scheduler runs each cycle once across
//! them. One replica is killed (SIGKILL) in the middle of a SCIM cycle
//! against a real SCIM server (scim2-server from PyPI): its run is closed as
//! Failed once its lease runs out, the survivor runs the next cycle, and
//! the target holds every account once.
//!
//! Needs a PostgreSQL server (`RELAIS_TEST_POSTGRES`, or the local default;
//! skipped with one line without one unless `RELAIS_REQUIRE_POSTGRES` is
//! set) and scim2-server (as tests/scim.rs).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use common::{SCIM_TOKEN, ScimServer, scim_server_program};
use relais_app::{App, Caller};
use relais_people::{EmployeeStatus, demo::DemoSpec};
use relais_store::testing::{TestDatabase, postgres_server};
use relais_store::{EmployeeFilter, Window};
use relais_sync::{RunStatus, SyncRun};
use serde_json::{Value, json};

const KEY: &str = "5f1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";

/// Seconds a replica's run lives without a heartbeat.
const LEASE: &str = "5";

/// A replica process, killed when the test ends (also when it fails).
struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A replica on `db`: scheduler looking every second, a short run lease,
/// one SCIM request at a time (so that a cycle lasts long enough to be
/// interrupted), allowed to call the SCIM server on loopback.
fn replica(db: &str) -> (Replica, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--scim-concurrency",
            "1",
            "--sync-tick",
            "1",
            "--run-lease",
            LEASE,
            "--db",
            db,
        ])
        .env("RELAIS_SECRET_KEY", KEY)
        .env("RELAIS_EGRESS_ALLOW", "127.0.0.1")
        .env_remove("RELAIS_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let startup = common::read_startup(child.stdout.take().unwrap());
    (Replica(child), startup.base)
}

fn runs(
    store: &dyn relais_store::Store,
    company: &relais_access::Company,
    connection: uuid::Uuid,
) -> Vec<SyncRun> {
    store
        .runs(
            company.id,
            connection,
            None,
            None,
            None,
            Window {
                offset: 0,
                limit: 100,
            },
        )
        .unwrap()
        .rows
}

/// Polls `check` every 100 ms for up to `seconds`.
async fn eventually<T>(seconds: u64, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    for _ in 0..seconds * 10 {
        if let Some(found) = check() {
            return Some(found);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn two_replicas_share_the_companies_and_a_killed_one_loses_its_cycle_to_the_survivor() {
    let Some(server) = postgres_server("two_replicas_share_the_companies") else {
        return;
    };
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, SCIM_TOKEN, None);
    let db = TestDatabase::postgres_on(&server).unwrap();

    // The company, its people and a connected SCIM connection, written
    // in-process before any replica starts.
    let app = Arc::new(
        App::open(db.location())
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
            // scim2-server listens on loopback, which Relais refuses by default.
            .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
    );
    let created = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let company = created.company.clone();
    let spec = DemoSpec {
        employees: 200,
        months: 1,
        seed: 5,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };
    app.generate_demo(&company, spec, false, &mut |_| {})
        .unwrap();
    let store = relais_store::open(db.location()).unwrap();
    let in_scope = store
        .employees(
            company.id,
            &EmployeeFilter::default(),
            Window {
                offset: 0,
                limit: 10_000,
            },
        )
        .unwrap()
        .rows
        .iter()
        .filter(|e| e.status != EmployeeStatus::Inactive)
        .count();
    let by = Caller::Operator;
    let connection = common::answer_scim_wizard(
        &app,
        &company,
        &target.base,
        json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "60"}),
    );
    let connection_id: uuid::Uuid = connection.parse().unwrap();
    let token = created.token.clone();

    // Replica A starts and, its scheduler finding the cycle due as soon as
    // the wizard completes, runs it.
    let (mut a, base_a) = replica(db.as_str());
    app.complete_wizard(by, &company, &connection).unwrap();
    drop(app);
    let first = eventually(30, || {
        runs(store.as_ref(), &company, connection_id)
            .into_iter()
            .find(|r| r.status == RunStatus::Running && r.counts.total() > 0)
    })
    .await
    .expect("replica A started the first cycle and recorded its first accounts");

    // Replica B starts beside it: it serves the same company (a token made
    // through A works on B), and leaves A's run alone although it starts.
    let (b, base_b) = replica(db.as_str());
    let http = reqwest::Client::new();
    let made: Value = http
        .post(format!("{base_a}/api/tokens"))
        .bearer_auth(&token)
        .json(&json!({"name": "made on A"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let through_a = made["token"].as_str().expect("a token").to_owned();
    let me = http
        .get(format!("{base_b}/api/me"))
        .bearer_auth(&through_a)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "B knows the token A issued");
    let ready = http.get(format!("{base_b}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // Kill A mid-cycle.
    let before_kill = store.run(company.id, first.id).unwrap().unwrap();
    assert_eq!(
        before_kill.status,
        RunStatus::Running,
        "B did not close A's live run"
    );
    a.0.kill().unwrap();
    a.0.wait().unwrap();
    let created_by_a = target.users().await.len();
    assert!(
        created_by_a < in_scope,
        "the kill came mid-cycle ({created_by_a} of {in_scope} accounts)"
    );

    // B closes A's run once its lease has run out, then runs the next cycle.
    let closed = eventually(30, || {
        store
            .run(company.id, first.id)
            .unwrap()
            .filter(|r| r.status != RunStatus::Running)
    })
    .await
    .expect("the killed replica's run was closed");
    assert_eq!(closed.status, RunStatus::Failed, "{closed:?}");
    assert!(closed.interrupted, "{closed:?}");
    let next = eventually(60, || {
        runs(store.as_ref(), &company, connection_id)
            .into_iter()
            .find(|r| r.id != first.id && r.status != RunStatus::Running)
    })
    .await
    .expect("the survivor ran the next cycle");
    assert_eq!(next.status, RunStatus::Completed, "{next:?}");

    // One run per cycle: the interrupted one and the survivor's, and no
    // other within a few more ticks of both schedulers' neighbours.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = runs(store.as_ref(), &company, connection_id);
    assert_eq!(all.len(), 2, "{all:#?}");

    // The target holds every account in scope, each once.
    let users = target.users().await;
    let mut names: Vec<String> = users
        .iter()
        .map(|u| u["userName"].as_str().unwrap().to_lowercase())
        .collect();
    names.sort();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "no account was provisioned twice");
    assert_eq!(count, in_scope, "every employee in scope has an account");

    drop(b);
}
