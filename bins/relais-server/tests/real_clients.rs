//! Third-party API clients, unmodified, against a real Relais server.
//!
//! personio-py (from PyPI) is a client written for the modelled HRIS; it
//! must work against Relais by changing only its base URL. The test runs it
//! with the Python named by `RELAIS_PYTHON` (default `python3`). Where that
//! Python lacks the client the test says so and passes, unless
//! `RELAIS_REQUIRE_CLIENTS=1` (as `.ci/run` sets it, after installing the
//! client), where it fails.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::process::Command;
use std::sync::Arc;

use chrono::NaiveDate;
use relais_access::ApiPermission;
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;
use relais_server::ServerConfig;
use relais_store::{EmployeeFilter, PeriodFilter, Window};
use serde_json::Value;

fn python() -> Option<String> {
    let python = std::env::var("RELAIS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let available = Command::new(&python)
        .args(["-c", "import personio_py"])
        .status()
        .is_ok_and(|s| s.success());
    if available {
        return Some(python);
    }
    assert!(
        std::env::var("RELAIS_REQUIRE_CLIENTS").is_err(),
        "RELAIS_REQUIRE_CLIENTS is set but {python} cannot import personio_py"
    );
    eprintln!(
        "personio-py is not installed for {python}; skipping (pip install personio-py==0.3.0)"
    );
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_personio_py),
    ignore = "needs personio-py: pip install personio-py==0.3.0, set RELAIS_PYTHON"
)]
async fn personio_py_reads_employees_absences_and_attendances_unchanged() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
    let company = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap()
        .company;
    let spec = DemoSpec {
        employees: 30,
        months: 2,
        seed: 9,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };
    app.generate_demo(&company, spec, false, &mut |_| {})
        .unwrap();
    let credential = app
        .create_credential(
            Caller::Operator,
            &company,
            CredentialInput {
                name: "personio-py".into(),
                scopes: [
                    "employees:read",
                    "employees:write",
                    "absences:read",
                    "absences:write",
                    "attendances:read",
                    "attendances:write",
                ]
                .iter()
                .map(|s| s.parse::<ApiPermission>().unwrap())
                .collect(),
                ..CredentialInput::default()
            },
        )
        .unwrap();

    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;

    // What the store holds before the client runs (it writes too).
    let all = Window {
        offset: 0,
        limit: 1_000_000,
    };
    let store =
        relais_store::open(relais_store::testing::database_in(dir.path()).as_os_str()).unwrap();
    let employees = store
        .employees(company.id, &EmployeeFilter::default(), all)
        .unwrap();
    let time_offs = store
        .time_offs(company.id, &PeriodFilter::default(), all)
        .unwrap();
    let attendances = store
        .attendances(company.id, &PeriodFilter::default(), all)
        .unwrap();
    let worked: i64 = attendances
        .rows
        .iter()
        .map(relais_people::Attendance::worked_minutes)
        .sum();
    let days: f64 = time_offs.rows.iter().map(|t| t.days_count).sum();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/personio_py_check.py"
    );
    let output = tokio::process::Command::new(&python)
        .args([
            script,
            &base,
            &credential.credential.client_id,
            &credential.client_secret,
        ])
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "personio-py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(read["employees"], 30);
    let first = &employees.rows[0];
    assert_eq!(read["first_employee"]["email"], first.email.as_str());
    assert_eq!(
        read["first_employee"]["department"],
        first.department.as_ref().unwrap().name.as_str()
    );
    assert_eq!(
        read["first_employee"]["hire_date"],
        first.hire_date.to_string()
    );
    assert_eq!(read["absences"], time_offs.total);
    assert!((read["absence_days"].as_f64().unwrap() - days).abs() < 1e-9);
    assert_eq!(
        read["attendances"], attendances.total,
        "confirmed attendances"
    );
    assert_eq!(read["attendance_minutes"], worked);
    assert_eq!(read["absence_types"].as_array().unwrap().len(), 6);

    // What personio-py created is in the store.
    let created = read["created_attendance_id"]
        .as_i64()
        .expect("an attendance id");
    let after = store
        .attendances(company.id, &PeriodFilter::default(), all)
        .unwrap();
    assert!(
        after
            .rows
            .iter()
            .any(|a| a.id == created && a.comment.as_deref() == Some("personio-py"))
    );
    let absence = read["created_absence_id"].as_i64().expect("an absence id");
    let absences = store
        .time_offs(company.id, &PeriodFilter::default(), all)
        .unwrap();
    let stored = absences.rows.iter().find(|t| t.id == absence).unwrap();
    assert_eq!((stored.days_count, stored.employee_id), (2.0, first.id));

    // Employee calls, in a block of their own.
    let calls = &read["employee_calls"];
    let created = &calls["created"];
    assert_eq!(created["id"], 31, "the next id after the 30 demo employees");
    assert_eq!(created["email"], "py.client@personio-py.example");
    assert_eq!(created["first_name"], "Py");
    assert_eq!(created["department"], "Engineering");
    assert_eq!(created["position"], "Analyst");
    assert_eq!(created["weekly_working_hours"], "32");
    assert_eq!(created["hire_date"], "2026-01-05");
    assert_eq!(created["status"], "active");
    let stored = store.employees_by_id(company.id, &[31]).unwrap();
    assert_eq!(stored[0].email, "py.client@personio-py.example");
    assert_eq!(calls["duplicate_email_status"], 409);
    assert_eq!(calls["update_employee"], "not implemented by personio-py");
    assert_eq!(calls["search_first"], 31);
    let with_picture = calls["picture_employee"].as_i64().unwrap();
    assert_eq!(
        calls["picture_attribute"],
        format!("/v1/company/employees/{with_picture}/profile-picture")
    );
    assert_eq!(calls["picture"], serde_json::json!([120, 120]));
    assert_eq!(calls["picture_at_64"], serde_json::json!([64, 64]));
    assert_eq!(calls["picture_method"], serde_json::json!([32, 32]));
    assert_eq!(
        calls["no_picture"],
        Value::Null,
        "a 404 reads as no picture"
    );

    absence_attendance_calls_worked(
        &read["absence_attendance"],
        store.as_ref(),
        &company,
        first.id,
    );
}

/// What `absence_attendance_calls` in the script did (projects, an
/// attendance changed and deleted, an absence read and deleted) went
/// through and left the store as it should.
fn absence_attendance_calls_worked(
    written: &Value,
    store: &dyn relais_store::Store,
    company: &relais_access::Company,
    first: relais_people::EmployeeId,
) {
    assert_eq!(written["projects_before"], 5, "{written}");
    let project = written["project_id"].as_i64().expect("a project id");
    assert_eq!(
        written["project_after_update"]["name"],
        "personio-py project, renamed"
    );
    assert_eq!(written["project_after_update"]["active"], false);
    assert!(written["project_after_update"]["created_at"].is_string());
    assert_eq!(written["project_delete_status"], 204);
    assert_eq!(written["projects_after_delete"], 5);
    let reference = store.people_reference(company.id).unwrap();
    assert!(reference.projects.iter().all(|p| p.id != project));

    assert_eq!(
        written["attendance_update_message"],
        "The attendance period was updated."
    );
    assert_eq!(written["attendance_after_update"]["end_time"], "13:15:00");
    assert_eq!(written["attendance_after_update"]["break"], 15);
    assert_eq!(
        written["attendance_after_update"]["comment"],
        "changed by personio-py"
    );
    assert_eq!(
        written["attendance_delete_message"],
        "The attendance period was deleted."
    );
    assert_eq!(written["attendance_left"], false);
    let attendance = written["attendance_after_update"]["id"].as_i64().unwrap();
    let all = Window {
        offset: 0,
        limit: 1_000_000,
    };
    let with_pending = PeriodFilter {
        include_pending: true,
        ..PeriodFilter::default()
    };
    assert!(
        store
            .attendances(company.id, &with_pending, all)
            .unwrap()
            .rows
            .iter()
            .all(|a| a.id != attendance)
    );

    let absence = &written["absence"];
    assert_eq!(absence["days_count"], 2.0);
    assert_eq!(absence["comment"], "to be deleted");
    assert_eq!(absence["employee"], first);
    assert_eq!(absence["type"], "Paid vacation");
    assert_eq!(written["absence_deleted"], true);
    let deleted = absence["id"].as_i64().unwrap();
    assert!(store.time_off(company.id, deleted).unwrap().is_none());
}
