//! `relais db copy`: a deployment moved between databases, every row of
//! every table, and back; a target holding rows refused.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::BTreeMap;
use std::ffi::OsStr;

use assert_cmd::Command;
use relais_store::copy::Cell;
use relais_store::testing::{TestDatabase, postgres_server};
use serde_json::Value;

/// Every table's rows, each as text, sorted: two databases holding the same
/// data give the same map whatever order their rows come in.
fn contents(location: &OsStr) -> BTreeMap<String, Vec<String>> {
    let store = relais_store::open(location).unwrap();
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    store
        .export_tables(&mut |chunk| {
            let rows = tables.entry(chunk.table.to_owned()).or_default();
            for row in chunk.rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        Cell::Null => "NULL".to_owned(),
                        Cell::Integer(i) => i.to_string(),
                        Cell::Real(r) => r.to_string(),
                        Cell::Text(t) => format!("{t:?}"),
                        Cell::Bytes(b) => format!("{} bytes {:x?}", b.len(), &b[..b.len().min(16)]),
                    })
                    .collect();
                rows.push(cells.join("|"));
            }
            Ok(())
        })
        .unwrap();
    for rows in tables.values_mut() {
        rows.sort();
    }
    tables
}

/// Asserts two databases' contents are equal, naming the tables that differ
/// and a row of each that is in one but not the other.
fn assert_same(
    left: &BTreeMap<String, Vec<String>>,
    right: &BTreeMap<String, Vec<String>>,
    what: &str,
) {
    let tables: std::collections::BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    let mut differences = Vec::new();
    for table in tables {
        let (a, b) = (
            left.get(table).cloned().unwrap_or_default(),
            right.get(table).cloned().unwrap_or_default(),
        );
        if a != b {
            let only_left = a.iter().find(|r| !b.contains(r));
            let only_right = b.iter().find(|r| !a.contains(r));
            differences.push(format!(
                "{table}: {} vs {} rows; only left: {only_left:?}; only right: {only_right:?}",
                a.len(),
                b.len()
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{what}:\n{}",
        differences.join("\n")
    );
}

fn relais() -> Command {
    let mut cmd = Command::cargo_bin("relais").unwrap();
    for var in ["RELAIS_DB", "RELAIS_COMPANY", "RELAIS_SECRET_KEY"] {
        cmd.env_remove(var);
    }
    cmd
}

fn copy(from: &OsStr, to: &OsStr) -> Value {
    let output = relais()
        .args(["--json", "db", "copy", "--from"])
        .arg(from)
        .arg("--to")
        .arg(to)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A SQLite database with the demo company (people, reports, recruiting,
/// pictures, documents) and a public-API credential.
fn source(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("source.db");
    let app = relais_app::App::open(&path).unwrap();
    let demo = app.ensure_demo_company().unwrap().unwrap();
    app.create_credential(
        relais_app::Caller::Operator,
        &demo.company,
        relais_app::CredentialInput {
            name: "Payroll export".into(),
            integration: None,
            scopes: std::collections::BTreeSet::new(),
            readable_attributes: None,
        },
    )
    .unwrap();
    path
}

#[test]
fn a_sqlite_database_copies_into_a_new_file_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let from = source(dir.path());
    let to = dir.path().join("copy.db");
    let report = copy(from.as_os_str(), to.as_os_str());
    let expected = contents(from.as_os_str());
    assert!(report["rows"].as_u64().unwrap() > 10_000, "{report}");
    assert_eq!(
        report["tables"]["employees"].as_u64().unwrap() as usize,
        expected["employees"].len()
    );
    assert_same(&contents(to.as_os_str()), &expected, "SQLite → SQLite");

    // Into a database that holds rows: refused, and it is left as it was.
    let output = relais()
        .args(["db", "copy", "--from"])
        .arg(&from)
        .arg("--to")
        .arg(&to)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(contents(to.as_os_str()), expected);
}

#[test]
fn a_deployment_moves_to_postgresql_and_back_without_losing_a_row() {
    let Some(server) = postgres_server("a_deployment_moves_to_postgresql") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let from = source(dir.path());
    let postgres = TestDatabase::postgres_on(&server).unwrap();
    let report = copy(from.as_os_str(), postgres.location());
    let expected = contents(from.as_os_str());
    assert_eq!(
        contents(postgres.location()),
        expected,
        "SQLite → PostgreSQL"
    );
    assert!(
        !report.to_string().contains("password="),
        "addresses are shown without credentials"
    );

    // The copy is a working deployment: the CLI reads it, and new rows get
    // new ids (the sequences moved past the copied ones).
    let companies = relais()
        .args(["--json", "companies", "--db", postgres.as_str()])
        .output()
        .unwrap();
    assert!(companies.status.success());
    let companies: Value = serde_json::from_slice(&companies.stdout).unwrap();
    assert_eq!(companies[0]["slug"], "demo-company");
    let added = relais()
        .args([
            "--db",
            postgres.as_str(),
            "--company",
            "demo-company",
            "requests",
            "integration",
            "Acme Payroll",
            "--use-case",
            "monthly payroll export",
        ])
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");

    // And back into a SQLite file: everything the source held, plus the one request.
    let back = dir.path().join("back.db");
    copy(postgres.location(), back.as_os_str());
    let mut round_trip = contents(back.as_os_str());
    let requests = round_trip
        .remove("integration_request_entries")
        .unwrap_or_default();
    let mut expected = expected;
    let before = expected
        .remove("integration_request_entries")
        .unwrap_or_default();
    assert_eq!(requests.len(), before.len() + 1);
    round_trip.remove("integration_requests");
    expected.remove("integration_requests");
    // Its audit event, with the id after the copied ones.
    let audit = round_trip.get_mut("audit_events").unwrap();
    let before = audit.len();
    let copied_ids = expected.get("audit_events").map_or(0, Vec::len);
    audit.retain(|row| !row.contains("integration_request.create"));
    assert_eq!(audit.len() + 1, before, "one audit event for the request");
    // And its event (the outbox), with the seq after the copied ones.
    let events = round_trip.get_mut("events").unwrap();
    let before = events.len();
    events.retain(|row| {
        !row.contains("integration.requested")
            || expected.get("events").is_some_and(|e| e.contains(row))
    });
    assert_eq!(events.len() + 1, before, "one event for the request");
    assert!(copied_ids >= 1);
    assert_same(&round_trip, &expected, "PostgreSQL → SQLite");

    // A second copy into the same PostgreSQL database is refused.
    let output = relais()
        .args(["db", "copy", "--from"])
        .arg(&from)
        .arg("--to")
        .arg(postgres.location())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{output:?}");
}
