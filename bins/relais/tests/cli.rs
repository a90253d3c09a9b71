//! The `relais` CLI end to end, as a script or a person runs it.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod support;

use assert_cmd::Command;
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
fn tokens_are_listed_and_revoked_invites_make_a_link_and_removal_ends_access() {
    let cli = Cli::new();
    let token = cli.json(&["users", "token", "ana@acme.example", "--name", "laptop"]);
    let secret = token["token"].as_str().unwrap();
    let id = secret.trim_start_matches("rlp_").split('_').next().unwrap();

    let tokens = cli.json(&["users", "tokens", "ana@acme.example"]);
    let listed = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap();
    assert_eq!(listed["name"], "laptop");
    assert_eq!(listed["active"], true);
    assert!(
        !tokens.to_string().contains(secret),
        "a token list never shows a secret"
    );

    cli.cmd(&["users", "revoke-token", id])
        .assert()
        .success()
        .stdout(predicate::str::contains("is revoked"));
    cli.cmd(&["users", "tokens", "ana@acme.example"])
        .assert()
        .success()
        .stdout(predicate::str::contains("revoked"));
    cli.cmd(&["users", "revoke-token", "not-a-token"])
        .assert()
        .code(3);

    // Inviting someone unknown without --name says how to add them.
    cli.cmd(&["users", "invite", "vic@acme.example"])
        .assert()
        .code(3);
    let invitation = cli.json(&[
        "users",
        "invite",
        "vic@acme.example",
        "--name",
        "Vic Ray",
        "--url",
        "https://relais.acme.example/",
    ]);
    let link = invitation["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://relais.acme.example/console/invite/"),
        "{link}"
    );
    let users = cli.json(&["users", "list"]);
    assert!(users.to_string().contains("vic@acme.example"));

    cli.cmd(&["users", "remove", "vic@acme.example"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Removed vic@acme.example"));
    assert!(!cli.json(&["users", "list"]).to_string().contains("vic@"));
    // The last person who may edit stays.
    cli.cmd(&["users", "remove", "ana@acme.example"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("edit"));
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
    if relais_store::testing::is_postgres_run() {
        return; // about SQLite files
    }
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

// ----- Issue 17: a new user's first hour -------------------------------------

/// `relais` in an empty directory, with none of the caller's settings.
fn relais_in(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("relais").unwrap();
    for var in ["RELAIS_DB", "RELAIS_COMPANY", "RELAIS_SECRET_KEY"] {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir).args(args);
    cmd
}

#[test]
fn an_address_of_another_kind_is_refused_and_no_file_is_made_of_it() {
    let dir = tempfile::tempdir().unwrap();
    for (address, shown) in [
        ("mysql://root:s3cret@127.0.0.1/relais", "mysql://…"),
        ("postgres:relais", "postgres:…"),
    ] {
        relais_in(dir.path(), &["--db", address, "info"])
            .assert()
            .code(4)
            .stderr(predicate::str::contains(shown))
            .stderr(predicate::str::contains("postgres://user@host/database"))
            .stderr(predicate::str::contains("s3cret").not());
        // Either end of a copy.
        relais_in(
            dir.path(),
            &["db", "copy", "--from", address, "--to", "copy.db"],
        )
        .assert()
        .code(4)
        .stderr(predicate::str::contains(shown));
        relais_in(dir.path(), &["db", "copy", "--to", address])
            .assert()
            .code(4)
            .stderr(predicate::str::contains(shown));
    }
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(made.is_empty(), "{made:?}");
}

#[test]
fn a_copy_from_a_missing_file_names_that_file_only() {
    let dir = tempfile::tempdir().unwrap();
    relais_in(
        dir.path(),
        &["db", "copy", "--from", "nosuch.db", "--to", "copy.db"],
    )
    .assert()
    .code(3)
    .stderr(predicate::str::contains("no database at nosuch.db"))
    .stderr(predicate::str::contains("database:").not());
}

#[test]
fn only_init_creates_a_database_and_errors_name_the_one_in_use() {
    if relais_store::testing::is_postgres_run() {
        return; // about files: a PostgreSQL database exists before Relais
    }
    let cli = Cli::empty();
    let db = cli.db();
    cli.cmd(&["credentials", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "no database at {}",
            db.display()
        )))
        .stderr(predicate::str::contains("relais init"));
    cli.cmd(&["info"]).assert().code(3);
    assert!(!db.exists(), "a command other than init created {db:?}");

    cli.init();
    let info = cli.json(&["info"]);
    assert_eq!(info["database"], db.display().to_string());
    assert_eq!(info["schema_version"], info["schema_version_known"]);
    assert_eq!(info["companies"][0]["slug"], "acme-gmbh");
    assert_eq!(info["secret_key"]["state"], "not_set");
    let text = cli.text(&["info"]);
    assert!(
        text.contains(&format!("Database:   {}", db.display())),
        "{text}"
    );

    cli.cmd(&["credentials", "show", "rlc_0000000000000000"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "database: {}",
            db.display()
        )));
}

fn slack_answers(cli: &Cli) -> String {
    cli.file(
        "slack.json",
        r#"{"workspace": {"workspace": "acme", "bot_token": "xoxb-0123456789-abcdef"},
            "confirm": {"accept_data_processing": true}}"#,
    )
    .display()
    .to_string()
}

const OTHER_KEY: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

#[test]
fn the_database_keeps_to_the_first_secret_key_until_it_is_rekeyed() {
    let cli = Cli::new();
    let answers = slack_answers(&cli);
    let connected = cli.json_with(
        &["connections", "connect", "slack", "--answers", &answers],
        &[("RELAIS_SECRET_KEY", KEY)],
    );
    let id = connected["connection"]["id"].as_str().unwrap().to_owned();
    let info = cli.json_with(&["info"], &[("RELAIS_SECRET_KEY", KEY)]);
    assert_eq!(info["secret_key"]["state"], "matches");

    // Another key is refused at start, whatever the command.
    cli.cmd(&["companies"])
        .env("RELAIS_SECRET_KEY", OTHER_KEY)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not the key the secrets"))
        .stderr(predicate::str::contains("relais secrets rekey"));
    // Without a key the connection says it needs attention.
    cli.cmd(&["connections", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("needs attention"));
    let shown = cli.json(&["connections", "show", &id]);
    assert!(
        shown["attention"]
            .as_str()
            .unwrap()
            .contains("RELAIS_SECRET_KEY"),
        "{shown}"
    );

    // Re-sealed with a new key: the old one is refused, the new one works.
    cli.cmd(&["secrets", "rekey"])
        .env("RELAIS_SECRET_KEY", KEY)
        .env("RELAIS_NEW_SECRET_KEY", OTHER_KEY)
        .assert()
        .success()
        .stdout(predicate::str::contains("Re-sealed 1 secret "));
    cli.cmd(&["companies"])
        .env("RELAIS_SECRET_KEY", KEY)
        .assert()
        .code(1);
    let shown = cli.json_with(
        &["connections", "show", &id],
        &[("RELAIS_SECRET_KEY", OTHER_KEY)],
    );
    assert!(shown.get("attention").is_none(), "{shown}");
}

#[test]
fn a_backup_of_the_live_database_is_a_database_and_never_overwrites() {
    let cli = Cli::new();
    let copy = cli.dir.path().join("backup.db");
    let copy_arg = copy.display().to_string();
    cli.cmd(&["db", "backup", &copy_arg])
        .assert()
        .success()
        .stdout(predicate::str::contains("consistent copy"));
    let listed = assert_cmd::Command::cargo_bin("relais")
        .unwrap()
        .args(["--db", &copy_arg, "--json", "companies"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let companies: Value = serde_json::from_slice(&listed).unwrap();
    assert_eq!(companies[0]["slug"], "acme-gmbh");
    cli.cmd(&["db", "backup", &copy_arg]).assert().code(5);
}

#[test]
fn a_failed_wizard_step_says_how_to_continue_and_connect_continues_it() {
    let cli = Cli::new();
    let broken = cli.file(
        "okta.json",
        r#"{"tenant": {"api_token": "okta-token-0123456789"},
            "provisioning": {"create_accounts_days_before_start": "0"},
            "confirm": {"accept_data_processing": true}}"#,
    );
    let broken = broken.display().to_string();
    let refused = cli
        .cmd(&["connections", "connect", "okta", "--answers", &broken])
        .env("RELAIS_SECRET_KEY", KEY)
        .assert()
        .code(4)
        .get_output()
        .stderr
        .clone();
    let refused = String::from_utf8(refused).unwrap();
    let id = refused
        .split("Started connection ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert!(refused.contains("tenant_url: is required"), "{refused}");
    assert!(
        refused.contains(&format!("connection {id} stays pending at step 'tenant'")),
        "{refused}"
    );
    assert!(refused.contains("run the same"), "{refused}");

    // Without answers and without a terminal, the pending one is named.
    cli.cmd(&["connections", "connect", "okta"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!(
            "relais connections wizard {id}"
        )));

    // The obvious retry, with the file corrected, continues that connection.
    let fixed = cli.file(
        "okta.json",
        r#"{"tenant": {"tenant_url": "https://acme.okta.com", "api_token": "okta-token-0123456789"},
            "provisioning": {"create_accounts_days_before_start": "0"},
            "confirm": {"accept_data_processing": true}}"#,
    );
    let output = cli
        .cmd(&[
            "connections",
            "connect",
            "okta",
            "--answers",
            &fixed.display().to_string(),
            "--json",
        ])
        .env("RELAIS_SECRET_KEY", KEY)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "Continuing the pending connection {id}"
        )))
        .get_output()
        .stdout
        .clone();
    let done: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(done["connection"]["id"], id.as_str());
    assert_eq!(done["connection"]["status"], "connected");
}

/// Runs the binary with a standard output whose reader is gone before the
/// first byte is written: every write fails as it does under `| head`.
fn run_into_a_closed_pipe(cli: &Cli, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("relais"));
    cmd.current_dir(cli.dir.path())
        .env_remove("RELAIS_COMPANY")
        .env_remove("RELAIS_SECRET_KEY")
        .arg("--db")
        .arg(cli.db())
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped());
    cmd.output().unwrap()
}

#[test]
fn a_reader_that_stops_early_ends_every_command_quietly() {
    let cli = Cli::new();
    cli.json(&[
        "demo",
        "generate",
        "--employees",
        "40",
        "--months",
        "1",
        "--until",
        "2026-06-30",
    ]);
    // A partner-reported run with entries, for `sync entries`.
    let okta = cli.file(
        "okta.json",
        r#"{"tenant": {"tenant_url": "https://acme.okta.com", "api_token": "okta-token-0123456789"},
            "provisioning": {"create_accounts_days_before_start": "0"},
            "confirm": {"accept_data_processing": true}}"#,
    );
    let done = cli.json_with(
        &[
            "connections",
            "connect",
            "okta",
            "--answers",
            &okta.display().to_string(),
        ],
        &[("RELAIS_SECRET_KEY", KEY)],
    );
    let partner = &done["partner_credential"];
    let app = relais_app::App::open(cli.db()).unwrap();
    let token = app
        .issue_api_token(
            partner["client_id"].as_str().unwrap(),
            partner["client_secret"].as_str().unwrap(),
        )
        .unwrap()
        .token;
    let caller = app.authenticate_api(&token).unwrap();
    let run = app
        .partner_start_run(&caller, relais_sync::Cycle::Full)
        .unwrap();
    let entries = (1..=30)
        .map(|id| relais_sync::SyncEntry {
            at: chrono::Utc::now(),
            employee_id: id,
            group: None,
            use_case: relais_sync::UseCase::Update,
            status: relais_sync::EntryStatus::Success,
            message: "updated".into(),
            response: None,
            changes: vec![],
        })
        .collect();
    app.partner_append_entries(&caller, &run.id.to_string(), entries)
        .unwrap();
    drop(app);
    let run = run.id.to_string();

    for args in [
        vec![
            "reports",
            "export",
            "0196a000-0000-7000-8000-000000000001",
            "--format",
            "csv",
        ],
        vec![
            "reports",
            "export",
            "0196a000-0000-7000-8000-000000000001",
            "--format",
            "jsonl",
        ],
        vec!["catalog", "search"],
        vec!["--json", "catalog", "export"],
        vec!["catalog", "export"],
        vec!["--json", "sync", "entries", &run],
        vec!["sync", "entries", &run],
        vec!["employees", "list"],
        vec!["info"],
    ] {
        let output = run_into_a_closed_pipe(&cli, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn every_number_on_the_command_line_is_range_checked() {
    let cli = Cli::new();
    let some = "0196a000-0000-7000-8000-00000000dead";
    for (args, flag) in [
        (
            vec!["users", "token", "ana@acme.example", "--days", "100000000"],
            "--days",
        ),
        (
            vec!["users", "token", "ana@acme.example", "--days", "0"],
            "--days",
        ),
        (vec!["catalog", "search", "--page", "0"], "--page"),
        (vec!["catalog", "search", "--per-page", "101"], "--per-page"),
        (
            vec!["catalog", "search", "--page", "99999999999999999999"],
            "--page",
        ),
        (
            vec!["demo", "generate", "--employees", "100001"],
            "--employees",
        ),
        (
            vec!["demo", "generate", "--employees", "4294967296"],
            "--employees",
        ),
        (vec!["demo", "generate", "--months", "121"], "--months"),
        (
            vec!["demo", "generate", "--seed=18446744073709551616"],
            "--seed",
        ),
        (
            vec!["sync", "runs", some, "--page", "18446744073709551615"],
            "--page",
        ),
        (
            vec!["sync", "runs", some, "--per-page", "501"],
            "--per-page",
        ),
        (
            vec!["sync", "entries", some, "--employee", "0"],
            "--employee",
        ),
        (vec!["sync", "employee", some, "-5"], "EMPLOYEE"),
        (
            vec!["sync", "now", some, "--concurrency", "0"],
            "--concurrency",
        ),
        (
            vec!["sync", "now", some, "--concurrency", "100000"],
            "--concurrency",
        ),
        (vec!["employees", "list", "--per-page", "0"], "--per-page"),
    ] {
        let output = cli.cmd(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(flag),
            "{args:?} should name {flag}: {stderr}"
        );
    }
    // Values in range but beyond what the company has are still no panic.
    cli.cmd(&["sync", "runs", some, "--page", "1000000"])
        .assert()
        .code(3);
}

#[test]
fn demo_options_are_checked_before_anything_is_deleted() {
    let cli = Cli::new();
    cli.json(&[
        "demo",
        "generate",
        "--employees",
        "5",
        "--months",
        "1",
        "--until",
        "2026-06-30",
    ]);
    for until in ["+262142-12-31", "1969-12-31", "3000-01-01"] {
        cli.cmd(&["demo", "generate", "--until", until, "--replace"])
            .assert()
            .code(4)
            .stderr(predicate::str::contains("until"));
    }
    assert_eq!(
        cli.json(&["employees", "list"])["total"],
        5,
        "nothing was deleted"
    );
}

#[test]
fn an_interrupted_demo_generation_is_resumed_by_running_it_again() {
    let args = [
        "demo",
        "generate",
        "--employees",
        "1500",
        "--months",
        "6",
        "--seed",
        "5",
        "--until",
        "2026-06-30",
    ];
    let cli = Cli::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("relais"))
        .env_remove("RELAIS_COMPANY")
        .arg("--db")
        .arg(cli.db())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once the first batches are written: SIGKILL, no clean-up.
    let started = std::time::Instant::now();
    loop {
        let total = cli.json(&["employees", "list", "--per-page", "1"])["total"]
            .as_u64()
            .unwrap();
        if total >= 250 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no batch was written"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let written = cli.json(&["employees", "list", "--per-page", "1"])["total"]
        .as_u64()
        .unwrap();
    assert!(
        written < 1500,
        "killed too late to test anything ({written})"
    );

    // Other options would mix two companies: refused, naming the fix.
    cli.cmd(&["demo", "generate", "--employees", "10"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("interrupted demo generation"));
    // The same command finishes it.
    let resumed = cli.json(&args);
    assert!(
        resumed["resumed_from"].as_u64().unwrap() >= 250,
        "{resumed}"
    );
    assert_eq!(
        resumed["employees"].as_u64().unwrap() + resumed["resumed_from"].as_u64().unwrap(),
        1500
    );

    // Exactly what an uninterrupted generation writes.
    let fresh = Cli::new();
    fresh.json(&args);
    for page in ["1", "2", "3"] {
        let list = ["employees", "list", "--per-page", "500", "--page", page];
        assert_eq!(cli.json(&list), fresh.json(&list), "page {page}");
    }
    let export = ["reports", "export", "0196a000-0000-7000-8000-000000000002"];
    assert_eq!(cli.text(&export), fresh.text(&export));
}

#[test]
fn the_company_flag_is_global_and_ids_find_their_company() {
    let cli = Cli::new();
    cli.json(&[
        "init",
        "--company",
        "Globex",
        "--admin-email",
        "hank@globex.example",
    ]);
    let created = cli.json(&[
        "--company",
        "globex",
        "credentials",
        "create",
        "--name",
        "BI",
        "--scope",
        "employees:read",
    ]);
    let id = created["client_id"].as_str().unwrap();
    // A client id names its company: no --company needed.
    assert_eq!(cli.json(&["credentials", "show", id])["name"], "BI");
    cli.cmd(&["credentials", "revoke", id]).assert().success();
    // RELAIS_COMPANY works as --company does.
    let users = cli.json_with(&["users", "list"], &[("RELAIS_COMPANY", "globex")]);
    assert_eq!(users[0]["email"], "hank@globex.example");
    cli.cmd(&["--company", "initech", "users", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no company 'initech'"));
}

#[test]
fn tables_use_the_words_of_the_json_and_reports_show_their_days() {
    let cli = Cli::new();
    cli.json(&[
        "demo",
        "generate",
        "--employees",
        "5",
        "--months",
        "1",
        "--until",
        "2026-06-30",
    ]);
    let list = cli.text(&["reports", "list"]);
    assert!(
        list.contains("point_in_time") && list.contains("timeframe"),
        "{list}"
    );
    let definition = cli.file(
        "march.json",
        r#"{"name": "Overtime March", "type": "timeframe",
            "period": {"type": "fixed", "start": "2026-03-01", "end": "2026-03-31"},
            "columns": ["first_name", "attendance_overtime_hours"],
            "filters": [{"column": "department", "comparison": "eq", "value": "Sales"}]}"#,
    );
    let created = cli.json(&["reports", "create", &definition.display().to_string()]);
    let shown = cli.text(&["reports", "show", created["id"].as_str().unwrap()]);
    assert!(
        shown.contains("Period: fixed, 2026-03-01 to 2026-03-31"),
        "{shown}"
    );
    assert!(shown.contains("Filter: department eq Sales"), "{shown}");
    let columns = cli.text(&["reports", "columns"]);
    assert!(
        columns.contains("Created at") && columns.contains("DURATION"),
        "{columns}"
    );
    for text in [list, shown, columns] {
        for rust in [
            "PointInTime",
            "HistoricalData",
            "Timeframe,",
            " Eq ",
            "Duration ",
        ] {
            assert!(!text.contains(rust), "{rust} in\n{text}");
        }
    }
    cli.cmd(&["connections", "connect", "power-bi"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Why: the setup wizard is not finished",
        ))
        .stdout(predicate::str::contains("WizardInProgress").not());
}

#[test]
fn json_output_has_the_admin_apis_shape() {
    let cli = Cli::empty();
    let admin = cli.init()["token"].as_str().unwrap().to_owned();
    cli.json(&[
        "demo",
        "generate",
        "--employees",
        "5",
        "--months",
        "1",
        "--until",
        "2026-06-30",
    ]);
    cli.json(&[
        "credentials",
        "create",
        "--name",
        "BI",
        "--scope",
        "custom_reports:read",
    ]);
    let answers = cli.file(
        "power-bi.json",
        r#"{"destination": {"destination_url": "https://app.powerbi.com/groups/x", "refresh": "daily"},
            "confirm": {"accept_data_processing": true}}"#,
    );
    let connected = cli.json(&[
        "connections",
        "connect",
        "power-bi",
        "--answers",
        &answers.display().to_string(),
    ]);
    let connection = connected["connection"]["id"].as_str().unwrap().to_owned();
    let (runtime, base) = support::serve(&cli.db());
    for (cli_args, path) in [
        (
            vec!["catalog", "categories"],
            "/api/catalog/categories".to_owned(),
        ),
        (
            vec![
                "catalog",
                "search",
                "--kind",
                "partner",
                "--per-page",
                "100",
            ],
            "/api/catalog?kind=partner&per_page=100".to_owned(),
        ),
        (
            vec!["catalog", "show", "okta"],
            "/api/catalog/okta".to_owned(),
        ),
        (vec!["credentials", "list"], "/api/credentials".to_owned()),
        (vec!["connections", "list"], "/api/connections".to_owned()),
        (
            vec!["connections", "show", &connection],
            format!("/api/connections/{connection}"),
        ),
        (
            vec!["connections", "events", &connection],
            format!("/api/connections/{connection}/events"),
        ),
        (vec!["reports", "list"], "/api/reports".to_owned()),
        (
            vec!["sync", "runs", &connection],
            format!("/api/connections/{connection}/sync-runs"),
        ),
        (vec!["employees", "list"], "/api/employees".to_owned()),
    ] {
        let from_cli = cli.json(&cli_args);
        let (status, from_api) = support::get(&runtime, &format!("{base}{path}"), &admin);
        assert_eq!(status, 200, "{path}: {from_api}");
        assert_eq!(
            from_cli,
            from_api,
            "`relais --json {}` and GET {path}",
            cli_args.join(" ")
        );
    }
}

#[test]
fn credentials_without_a_scope_warn_and_exports_name_absence_types() {
    let cli = Cli::new();
    cli.cmd(&["credentials", "create", "--name", "Later"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: the credential has no scope",
        ));
    cli.json(&[
        "demo",
        "generate",
        "--employees",
        "5",
        "--months",
        "1",
        "--until",
        "2026-06-30",
    ]);
    // The absences example report: one column per absence type.
    let csv = cli.text(&["reports", "export", "0196a000-0000-7000-8000-000000000004"]);
    let header = csv.lines().next().unwrap();
    assert!(header.contains("absence_paid_vacation_days"), "{header}");
    assert!(!header.contains("absence_1"), "{header}");
}

#[test]
fn a_typo_in_an_integration_suggests_the_closest_and_counts_read_well() {
    let cli = Cli::new();
    cli.cmd(&["connections", "connect", "oktaa"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("did you mean 'okta'?"));
    cli.cmd(&["catalog", "show", "slak"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("did you mean 'slack'?"));
    cli.cmd(&["catalog", "search", "slak"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 match; page 1 of 1"));
}

#[test]
fn platform_integrations_say_who_runs_their_sync() {
    let cli = Cli::new();
    cli.cmd(&["catalog", "show", "slack"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Sync: Relais has no Slack connector yet",
        ));
    cli.cmd(&["catalog", "show", "scim-provisioning"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Sync: Relais's SCIM connector runs the sync",
        ));
    let answers = slack_answers(&cli);
    let done = cli.json_with(
        &["connections", "connect", "slack", "--answers", &answers],
        &[("RELAIS_SECRET_KEY", KEY)],
    );
    assert_eq!(done["connection"]["sync"]["run_by"], "not_built");
    assert_eq!(done["connection"]["sync"]["sync_now"], false);
    cli.cmd(&["sync", "now", done["connection"]["id"].as_str().unwrap()])
        .env("RELAIS_SECRET_KEY", KEY)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("no Slack connector"));
}

#[test]
fn employees_are_imported_all_or_nothing_after_a_dry_run() {
    let cli = Cli::new();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/employees.csv");
    let planned = cli.json(&["employees", "import", fixture, "--dry-run"]);
    assert_eq!(
        (planned["created"].as_u64(), planned["dry_run"].as_bool()),
        (Some(7), Some(true))
    );
    assert_eq!(
        cli.json(&["employees", "list"])["total"],
        0,
        "a dry run writes nothing"
    );
    cli.cmd(&["employees", "import", fixture])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "7 created, 0 updated, 0 unchanged",
        ));
    let listed = cli.json(&["employees", "list"]);
    assert_eq!(listed["total"], 7);
    assert_eq!(
        listed["items"][2]["supervisor_id"], 2,
        "supervisors by external id"
    );

    // One bad row: nothing of the file is written, the row and column are named.
    let mixed = cli.file(
        "mixed.csv",
        "external_id,email,first_name,last_name,gender,position,hire_date\n\
         HR-100,new.one@acme.example,New,One,female,Analyst,2026-01-05\n\
         HR-101,new.two@acme.example,New,Two,male,Analyst,2026-02-30\n",
    );
    cli.cmd(&["employees", "import", &mixed.display().to_string()])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "line 3, hire_date: '2026-02-30' is not a date",
        ));
    assert_eq!(cli.json(&["employees", "list"])["total"], 7);

    // An update by external id, effective on a day, says what changes.
    let moved = cli.file(
        "moved.jsonl",
        "{\"external_id\": \"HR-003\", \"department\": \"Management\", \"effective_date\": \"2026-01-01\"}\n",
    );
    cli.cmd(&["employees", "import", &moved.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "update employee 3 (lea.dubois@acme.example) from 2026-01-01: department Engineering → Management",
        ));
}

#[test]
fn recruiting_keys_jobs_and_applications_are_managed_from_the_cli() {
    let cli = Cli::new();
    cli.json(&["demo", "generate", "--employees", "10", "--months", "1"]);
    let key = cli.json(&["recruiting", "key"]);
    assert!(key["access_token"].as_str().unwrap().starts_with("rec_"));
    assert!(key["company_id"].as_i64().unwrap() > 0);
    let jobs = cli.json(&["recruiting", "jobs", "list"]);
    assert_eq!(jobs.as_array().unwrap().len(), 8);
    let draft = cli.file(
        "job.json",
        r#"{"name": "Rust Engineer (m/f/d)", "office": "Munich", "employment_type": "permanent",
            "seniority": "experienced", "schedule": "full-time",
            "descriptions": {"en": [{"name": "Your tasks", "value": "<p>APIs</p>"}]}}"#,
    );
    let created = cli.json(&["recruiting", "jobs", "create", draft.to_str().unwrap()]);
    assert_eq!(created["id"], 4719);
    assert_eq!(created["published"], false);
    let published = cli.json(&["recruiting", "jobs", "publish", "4719"]);
    assert_eq!(published["published"], true);
    cli.cmd(&["recruiting", "jobs", "show", "99"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no job 99"));
    let page = cli.json(&["recruiting", "applications", "--limit", "5"]);
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    let next = page["next_cursor"].as_str().unwrap();
    let more = cli.json(&[
        "recruiting",
        "applications",
        "--limit",
        "5",
        "--cursor",
        next,
    ]);
    assert_ne!(page["items"][0]["id"], more["items"][0]["id"]);
    let switched = cli.json(&["recruiting", "switch", "--feed", "off"]);
    assert_eq!(switched["xml_feed"], false);
}

#[test]
fn documents_are_uploaded_listed_downloaded_without_overwriting_backed_up_and_deleted() {
    let cli = Cli::new();
    cli.json(&["demo", "generate", "--employees", "3", "--months", "1"]);
    let pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    let file = cli.file("contract.pdf", pdf);
    let file_arg = file.display().to_string();
    let stored = cli.json(&[
        "documents",
        "upload",
        "--employee",
        "2",
        "--category",
        "1",
        "--title",
        "Employment contract",
        "--date",
        "2026-01-05",
        &file_arg,
    ]);
    assert_eq!(stored["file_name"], "contract.pdf");
    assert_eq!(stored["mime_type"], "application/pdf");
    let id = stored["id"].as_i64().unwrap().to_string();
    let listed = cli.json(&["documents", "list", "--employee", "2"]);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["title"], "Employment contract");

    // To standard output, byte for byte; to a file, never over one.
    let piped = cli
        .cmd(&["documents", "download", &id, "--output", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(piped, pdf.as_bytes());
    cli.cmd(&["documents", "download", &id, "--output", "copy.pdf"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(cli.dir.path().join("copy.pdf")).unwrap(),
        pdf.as_bytes()
    );
    cli.cmd(&["documents", "download", &id, "--output", "copy.pdf"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("--force"));
    std::fs::write(cli.dir.path().join("copy.pdf"), "old").unwrap();
    cli.cmd(&[
        "documents",
        "download",
        &id,
        "--output",
        "copy.pdf",
        "--force",
    ])
    .assert()
    .success();
    assert_eq!(
        std::fs::read(cli.dir.path().join("copy.pdf")).unwrap(),
        pdf.as_bytes()
    );
    // Without --output: the document's own name, which exists here.
    cli.cmd(&["documents", "download", &id]).assert().code(5);

    // The backup holds the document's bytes.
    let backup = cli.dir.path().join("backup.db").display().to_string();
    cli.cmd(&["db", "backup", &backup]).assert().success();
    let from_backup = assert_cmd::Command::cargo_bin("relais")
        .unwrap()
        .args([
            "--db",
            &backup,
            "documents",
            "download",
            &id,
            "--output",
            "-",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(from_backup, pdf.as_bytes());

    // Refusals name the field; an unknown employee is not found.
    let exe = cli.file("setup.exe", "MZ");
    cli.cmd(&[
        "documents",
        "upload",
        "--employee",
        "2",
        "--category",
        "1",
        "--title",
        "x",
        &exe.display().to_string(),
    ])
    .assert()
    .code(4)
    .stderr(predicate::str::contains(
        "file: The file must be a file of type: pdf",
    ));
    cli.cmd(&["documents", "list", "--employee", "999"])
        .assert()
        .code(3);

    cli.cmd(&["documents", "delete", &id]).assert().success();
    cli.cmd(&["documents", "delete", &id]).assert().code(3);
    cli.cmd(&["documents", "download", &id, "--output", "-"])
        .assert()
        .code(3);
}

#[test]
fn a_profile_picture_is_set_from_a_file_and_removed() {
    let cli = Cli::new();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/employees.csv");
    cli.cmd(&["employees", "import", fixture])
        .assert()
        .success();
    let picture = cli.file("ana.png", "");
    std::fs::write(&picture, relais_people::picture::identicon(1).unwrap().png).unwrap();
    let picture = picture.display().to_string();
    cli.cmd(&["employees", "picture", "set", "2", &picture])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Set the profile picture of employee 2 (120×120 pixels).",
        ));
    let listed = cli.json(&["employees", "list"]);
    assert_eq!(listed["items"][1]["profile_picture"], true);

    let not_a_picture = cli.file("notes.png", "just text").display().to_string();
    cli.cmd(&["employees", "picture", "set", "2", &not_a_picture])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("must be a PNG or JPEG"));
    cli.cmd(&["employees", "picture", "set", "99", &picture])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no employee 99"));
    cli.cmd(&["employees", "picture", "set", "0", &picture])
        .assert()
        .code(2);

    cli.cmd(&["employees", "picture", "remove", "2"])
        .assert()
        .success();
    assert_eq!(
        cli.json(&["employees", "list"])["items"][1].get("profile_picture"),
        None
    );
    cli.cmd(&["employees", "picture", "remove", "2"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no profile picture of employee 2"));
}

#[test]
fn sync_provision_refuses_unknown_employees_and_connections_relais_does_not_sync() {
    let cli = Cli::new();
    cli.cmd(&["demo", "generate", "--employees", "3", "--months", "1"])
        .assert()
        .success();
    cli.cmd(&["sync", "provision", "not-a-connection", "1"])
        .assert()
        .code(3);
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
        .env("RELAIS_SECRET_KEY", KEY)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let id = serde_json::from_slice::<Value>(&done).unwrap()["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli.cmd(&["sync", "provision", &id, "0"]).assert().code(2);
    cli.cmd(&["sync", "provision", &id, "999999"])
        .env("RELAIS_SECRET_KEY", KEY)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("employee 999999"));
    cli.cmd(&["sync", "provision", &id, "1"])
        .env("RELAIS_SECRET_KEY", KEY)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("runs the sync on its side"));
    let runs = cli.json(&["sync", "runs", &id]);
    assert_eq!(runs["total"], 0);
}
