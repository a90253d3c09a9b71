//! The `relais` CLI end to end, as a script or a person runs it.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod support;

use predicates::prelude::*;
use serde_json::Value;
use support::{Cli, KEY};

#[test]
fn init_prints_the_admin_token_once_and_refuses_a_second_company_of_that_name() {
    let cli = Cli::empty();
    let created = cli.init();
    assert!(created["token"].as_str().unwrap().starts_with("rlp_"));
    assert_eq!(created["company"]["slug"], "acme-gmbh");
    assert_eq!(created["admin"]["marketplace_right"], "edit");

    cli.cmd(&[
        "init",
        "--company",
        "ACME gmbh",
        "--admin-email",
        "x@acme.example",
    ])
    .assert()
    .code(5)
    .stderr(predicate::str::contains("already exists"));
    let companies = cli.json(&["companies"]);
    assert_eq!(companies.as_array().unwrap().len(), 1);
}

#[test]
fn catalog_search_finds_slack_despite_a_typo() {
    let cli = Cli::new();
    cli.cmd(&["catalog", "search", "slak"])
        .assert()
        .success()
        .stdout(predicate::str::contains("slack"));
    let page = cli.json(&["catalog", "search", "slak"]);
    assert_eq!(page["items"][0]["slug"], "slack");
}

#[test]
fn catalog_filters_apply() {
    let cli = Cli::new();
    let page = cli.json(&[
        "catalog",
        "search",
        "--category",
        "identity_access",
        "--capability",
        "sync_tracking",
        "--per-page",
        "100",
    ]);
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert_eq!(item["categories"][0], "identity_access");
        assert_eq!(item["capabilities"]["sync_tracking"], true);
    }
}

#[test]
fn catalog_show_prints_the_integration_page() {
    let cli = Cli::new();
    cli.cmd(&["catalog", "show", "okta"])
        .assert()
        .success()
        .stdout(predicate::str::contains("premier partner"))
        .stdout(predicate::str::contains("Support: https://"))
        .stdout(predicate::str::contains("api_token [secret, required]"));
    let okta = cli.json(&["catalog", "show", "okta"]);
    assert_eq!(okta["support"]["channel"], "partner");
}

#[test]
fn bad_input_exits_with_the_documented_codes() {
    let cli = Cli::new();
    cli.cmd(&["catalog", "show", "nope"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no integration 'nope'"));
    cli.cmd(&["catalog", "search", "--badge", "gold"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("select, elite, premier"));
    cli.cmd(&["catalog", "search", "--per-page", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--per-page"));
    Cli::empty()
        .cmd(&["users", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("relais init"));
    cli.cmd(&["catalog", "load", "/no/such/file.json"])
        .assert()
        .code(4);
}

#[test]
fn a_corrupt_catalog_file_is_refused_naming_the_field_and_the_old_catalog_stays() {
    let cli = Cli::new();
    let before = cli.json(&["catalog", "info"]);
    let file = cli.dir.path().join("broken.json");
    let mut catalog: Value = serde_json::from_str(
        &String::from_utf8(
            cli.cmd(&["catalog", "export"])
                .assert()
                .success()
                .get_output()
                .stdout
                .clone(),
        )
        .unwrap(),
    )
    .unwrap();
    catalog["integrations"][3]["pricing"] =
        serde_json::json!({"model": "paid", "amount_minor": "lots"});
    std::fs::write(&file, catalog.to_string()).unwrap();
    cli.cmd(&["catalog", "load", file.to_str().unwrap()])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "broken.json: integrations[3].pricing",
        ));
    assert_eq!(cli.json(&["catalog", "info"]), before);
}

#[test]
fn an_operator_catalog_replaces_the_shipped_one_until_reset() {
    let cli = Cli::new();
    let mut catalog: Value = serde_json::from_slice(
        &cli.cmd(&["catalog", "export"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    let first_two: Vec<Value> = catalog["integrations"].as_array().unwrap()[..2].to_vec();
    catalog["integrations"] = Value::Array(first_two);
    let file = cli.dir.path().join("mine.json");
    std::fs::write(&file, catalog.to_string()).unwrap();
    cli.cmd(&["catalog", "load", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Loaded 2 integrations"));
    assert_eq!(cli.json(&["catalog", "search"])["total"], 2);
    cli.cmd(&["catalog", "load", "--shipped"])
        .assert()
        .success();
    assert!(cli.json(&["catalog", "search"])["total"].as_u64().unwrap() >= 60);
}

#[test]
fn users_are_added_listed_promoted_and_given_tokens() {
    let cli = Cli::new();
    cli.cmd(&[
        "users",
        "add",
        "vic@acme.example",
        "--name",
        "Vic",
        "--right",
        "view",
    ])
    .assert()
    .success();
    cli.cmd(&["users", "add", "VIC@acme.example", "--name", "Twin"])
        .assert()
        .code(5);
    cli.cmd(&["users", "add", "not-an-email", "--name", "X"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("email"));
    cli.cmd(&[
        "users",
        "add",
        "x@acme.example",
        "--name",
        "X",
        "--right",
        "admin",
    ])
    .assert()
    .code(2);

    let users = cli.json(&["users", "list"]);
    let rights: Vec<_> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap().to_owned(),
                u["marketplace_right"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rights,
        [
            ("ana@acme.example".into(), "edit".into()),
            ("vic@acme.example".into(), "view".into())
        ]
    );

    cli.cmd(&["users", "set-right", "vic@acme.example", "edit"])
        .assert()
        .success()
        .stdout(predicate::str::contains("now has the right edit"));
    let token = cli.json(&["users", "token", "vic@acme.example", "--days", "30"]);
    assert!(token["token"].as_str().unwrap().starts_with("rlp_"));
    cli.cmd(&["users", "token", "nobody@acme.example"])
        .assert()
        .code(3);
    cli.cmd(&["users", "token", "vic@acme.example", "--days", "0"])
        .assert()
        .code(2);
}

#[test]
fn several_companies_need_a_choice() {
    let cli = Cli::new();
    cli.cmd(&[
        "init",
        "--company",
        "Globex",
        "--admin-email",
        "hank@globex.example",
    ])
    .assert()
    .success();
    cli.cmd(&["users", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "there are 2 companies (acme-gmbh, globex)",
        ))
        .stderr(predicate::str::contains("--company"));
    let users = cli.json(&["users", "list", "--company", "globex"]);
    assert_eq!(users[0]["email"], "hank@globex.example");
}

#[test]
fn the_database_is_not_a_database() {
    let cli = Cli::empty();
    std::fs::write(cli.dir.path().join("relais.db"), vec![b'z'; 4096]).unwrap();
    cli.cmd(&["companies"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot open the database"));
}

#[test]
fn credentials_are_created_updated_rotated_and_revoked() {
    let cli = Cli::new();
    let created = cli.json(&[
        "credentials",
        "create",
        "--name",
        "BI",
        "--integration",
        "power-bi",
        "--scope",
        "custom_reports:read",
    ]);
    let id = created["client_id"].as_str().unwrap().to_owned();
    assert!(
        created["client_secret"]
            .as_str()
            .unwrap()
            .starts_with("rls_")
    );

    let updated = cli.json(&[
        "credentials",
        "update",
        &id,
        "--add-scope",
        "employees:read",
        "--attributes",
        "first_name,last_name",
    ]);
    assert_eq!(
        updated["scopes"],
        serde_json::json!(["custom_reports:read", "employees:read"]),
        "scopes are echoed as given"
    );
    assert_eq!(
        updated["readable_attributes"],
        serde_json::json!(["first_name", "last_name"])
    );
    let updated = cli.json(&[
        "credentials",
        "update",
        &id,
        "--remove-scope",
        "custom_reports:read",
    ]);
    assert_eq!(updated["scopes"], serde_json::json!(["employees:read"]));

    let rotated = cli.json(&["credentials", "rotate", &id]);
    assert_ne!(rotated["client_secret"], created["client_secret"]);
    let listed = cli.json(&["credentials", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        !listed
            .to_string()
            .contains(rotated["client_secret"].as_str().unwrap())
    );
    cli.cmd(&["credentials", "revoke", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("no longer work"));
    cli.cmd(&["credentials", "rotate", &id]).assert().code(5);

    cli.cmd(&[
        "credentials",
        "create",
        "--name",
        "x",
        "--scope",
        "custom_reports:write",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("offers no write access"));
    cli.cmd(&[
        "credentials",
        "create",
        "--name",
        "x",
        "--integration",
        "nope",
    ])
    .assert()
    .code(4);
    cli.cmd(&[
        "credentials",
        "create",
        "--name",
        "x",
        "--attributes",
        "salary",
    ])
    .assert()
    .code(4)
    .stderr(predicate::str::contains("unknown attribute"));
    cli.cmd(&["credentials", "show", "rlc_0000000000000000"])
        .assert()
        .code(3);
}

#[test]
fn demo_generation_is_deterministic_and_refuses_to_overwrite_by_accident() {
    let cli = Cli::new();
    let args = [
        "demo",
        "generate",
        "--employees",
        "25",
        "--months",
        "2",
        "--seed",
        "3",
        "--until",
        "2026-06-30",
    ];
    let first = cli.json(&args);
    assert_eq!(first["employees"], 25);
    assert!(first["attendances"].as_u64().unwrap() > 25 * 20);
    cli.cmd(&args)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("--replace"));
    let mut again: Vec<&str> = args.to_vec();
    again.push("--replace");
    let second = cli.json(&again);
    for key in [
        "employees",
        "attendances",
        "time_offs",
        "absence_periods",
        "history_entries",
    ] {
        assert_eq!(first[key], second[key], "{key}");
    }
    cli.cmd(&["demo", "generate", "--employees", "0"])
        .assert()
        .code(2);
}

#[test]
fn a_connection_is_made_from_an_answers_file_and_its_history_listed() {
    let cli = Cli::new();
    let answers = cli.dir.path().join("slack.json");
    std::fs::write(
        &answers,
        r##"{"workspace": {"workspace": "acme", "bot_token": "xoxb-0123456789-abcdef"},
            "notifications": {"announce_channel": "#general", "post_absences": true},
            "confirm": {"accept_data_processing": true}}"##,
    )
    .unwrap();
    let key = KEY;
    let output = cli
        .cmd(&[
            "connections",
            "connect",
            "slack",
            "--answers",
            answers.to_str().unwrap(),
            "--json",
        ])
        .env("RELAIS_SECRET_KEY", key)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let done: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(done["connection"]["status"], "connected");
    assert!(
        done.get("partner_credential").is_none(),
        "platform integrations keep their credential"
    );
    assert!(!String::from_utf8_lossy(&output).contains("xoxb-0123456789"));
    let id = done["connection"]["id"].as_str().unwrap().to_owned();

    cli.cmd(&["connections", "deactivate", &id, "--reason", "migrating"])
        .assert()
        .success()
        .stdout(predicate::str::contains("inactive"));
    cli.cmd(&["connections", "deactivate", &id, "--reason", "again"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "an inactive connection cannot be deactivated",
        ));
    cli.cmd(&["connections", "reactivate", &id])
        .assert()
        .success();
    let events = cli.json(&["connections", "events", &id]);
    assert_eq!(events.as_array().unwrap().len(), 7);
    assert_eq!(events[0]["actor"], "operator");
    cli.cmd(&[
        "connections",
        "connect",
        "slack",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .env("RELAIS_SECRET_KEY", key)
    .assert()
    .code(5);
    cli.cmd(&[
        "connections",
        "connect",
        "okta",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .env("RELAIS_SECRET_KEY", key)
    .assert()
    .code(4)
    .stderr(predicate::str::contains("tenant_url: is required"));
    let pending = cli.json(&["connections", "list", "--status", "pending"]);
    assert_eq!(
        pending[0]["integration"], "okta",
        "the failed wizard leaves a pending connection to continue"
    );
    cli.cmd(&["connections", "list", "--status", "sleeping"])
        .assert()
        .code(4);

    cli.cmd(&["requests", "demo", "okta", "--message", "please"])
        .assert()
        .success();
    assert_eq!(
        cli.json(&["requests", "demos", "--integration", "okta"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    cli.cmd(&[
        "requests",
        "integration",
        "HiBob",
        "--use-case",
        "migration",
    ])
    .assert()
    .success();
    let merged = cli.json(&["requests", "integration", "hibob", "--use-case", "reports"]);
    assert_eq!(merged["count"], 2);
    assert_eq!(
        merged["use_cases"],
        serde_json::json!(["migration", "reports"])
    );
}

#[test]
fn sync_commands_check_their_input() {
    let cli = Cli::new();
    cli.cmd(&["sync", "runs", "not-a-connection"])
        .assert()
        .code(3);
    cli.cmd(&["sync", "show", "0196a000-0000-7000-8000-00000000dead"])
        .assert()
        .code(3);
    cli.cmd(&[
        "sync",
        "entries",
        "0196a000-0000-7000-8000-00000000dead",
        "--status",
        "lost",
    ])
    .assert()
    .code(4);
    let key = KEY;
    let answers = cli.dir.path().join("okta.json");
    std::fs::write(&answers, r#"{"tenant": {"tenant_url": "https://acme.okta.com", "api_token": "okta-token-0123456789"},
        "provisioning": {"create_accounts_days_before_start": "0"}, "confirm": {"accept_data_processing": true}}"#).unwrap();
    let done = cli
        .cmd(&[
            "connections",
            "connect",
            "okta",
            "--answers",
            answers.to_str().unwrap(),
            "--json",
        ])
        .env("RELAIS_SECRET_KEY", key)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let id = serde_json::from_slice::<Value>(&done).unwrap()["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli.cmd(&["sync", "now", &id])
        .env("RELAIS_SECRET_KEY", key)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("runs the sync on its side"));
    let runs = cli.json(&["sync", "runs", &id]);
    assert_eq!(runs["total"], 0);
}
