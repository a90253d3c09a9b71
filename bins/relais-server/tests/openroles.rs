//! openroles (from PyPI), the registry's one reader of the modelled HRIS's
//! XML job feed, unmodified, against a real Relais server: it builds the
//! feed's address from the company's name (`{company}.jobs.personio.de/xml`);
//! only its transport is pointed at Relais,
//! keeping the Host header it meant. Skipped (named) without openroles in
//! `RELAIS_PYTHON`'s environment, unless `RELAIS_REQUIRE_CLIENTS` is set.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::process::Command;
use std::sync::Arc;

use chrono::NaiveDate;
use relais_app::App;
use relais_people::demo::DemoSpec;
use relais_server::ServerConfig;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_openroles),
    ignore = "needs openroles: pip install openroles==0.4.0, set RELAIS_PYTHON"
)]
async fn openroles_reads_the_job_feed_by_host_name() {
    let python = std::env::var("RELAIS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
    let company = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap()
        .company;
    let spec = DemoSpec {
        employees: 10,
        months: 1,
        seed: 4,
        until: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    };
    app.generate_demo(&company, spec, false, &mut |_| {})
        .unwrap();
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/openroles_check.py"
    );
    let slug = company.slug.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([script, &base, &slug, "en"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "openroles failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();
    let requests: Vec<&str> = read["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        requests.contains(&"acme.jobs.personio.de/xml"),
        "{requests:?}"
    );
    assert_eq!(read["unknown_company_exists"], false);
    let jobs = read["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 7, "every published job, no draft");
    let backend = jobs
        .iter()
        .find(|j| j["id"] == "ps-4711")
        .expect("job 4711");
    assert_eq!(backend["title"], "Backend Engineer (m/w/d)");
    assert_eq!(backend["url"], "https://acme.jobs.personio.de/job/4711");
    assert_eq!(backend["location"], "Munich");
    assert_eq!(backend["department"], "Engineering");
    assert_eq!(backend["employment_type"], "permanent full-time");
    assert!(backend["posted"].as_str().unwrap().starts_with("2026-"));
    let description = backend["description"].as_str().unwrap();
    assert!(description.starts_with("Your tasks"), "{description}");
    assert!(
        !description.contains('<'),
        "HTML read out of the CDATA: {description}"
    );
}
