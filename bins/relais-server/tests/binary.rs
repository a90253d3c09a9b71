//! The `relais-server` binary as a user runs it: `--demo` on a fresh
//! database, a catalog search over HTTP, and a graceful stop on SIGTERM.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::process::{Command, Stdio};

#[test]
fn demo_server_serves_the_catalog_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--demo", "--bind", "127.0.0.1:0", "--db"])
        .arg(relais_store::testing::database_in(dir.path()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let startup = common::read_startup(child.stdout.take().unwrap());
    assert!(startup.token.unwrap().starts_with("rlp_"));
    assert!(
        startup.password.is_some(),
        "--demo prints how to sign in to the console"
    );
    let base = startup.base;
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{base}/api/catalog?q=slak"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(body["items"][0]["slug"], "slack", "{body}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn query_values_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--demo", "--bind", "127.0.0.1:0", "--db"])
        .arg(relais_store::testing::database_in(dir.path()))
        .env("RELAIS_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let startup = common::read_startup(child.stdout.take().unwrap());
    let (admin, base) = (startup.token.unwrap(), startup.base);
    const EMAIL: &str = "private.person.4711@demo.example";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = runtime.block_on(async {
        let client = reqwest::Client::new();
        let credential: serde_json::Value = client
            .post(format!("{base}/api/credentials"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"name": "BI", "scopes": ["employees:read"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let (id, secret) = (
            credential["client_id"].as_str().unwrap().to_owned(),
            credential["client_secret"].as_str().unwrap().to_owned(),
        );
        // Query-string credentials are accepted (the modelled HRIS's own
        // examples send them so), and must not reach the logs.
        let answer: serde_json::Value = client
            .post(format!(
                "{base}/v1/auth?client_id={id}&client_secret={secret}"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = answer["data"]["token"].as_str().unwrap().to_owned();
        let listed = client
            .get(format!("{base}/v1/company/employees?limit=1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), 200, "the token works");
        // Refused requests log their target too.
        client
            .post(format!(
                "{base}/v1/auth?client_id={id}&client_secret={secret}x"
            ))
            .send()
            .await
            .unwrap();
        client
            .get(format!("{base}/api/catalog?q={EMAIL}"))
            .send()
            .await
            .unwrap();
        (id, secret, token)
    });
    let (client_id, secret, token) = secret;
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("client_secret=…"), "the request was logged");
    assert!(!log.contains(&secret), "a log line held the client secret");
    assert!(
        // (The admin API logs a new credential's public id on purpose.)
        !log.contains(&format!("?client_id={client_id}"))
            && !log.contains(&format!("client_id={client_id}&")),
        "a log line held the client id of a query string"
    );
    let token_secret = token.rsplit('_').next().unwrap();
    assert!(
        !log.contains(token_secret),
        "a log line held the bearer token"
    );
    assert!(!log.contains(EMAIL), "a log line held a query value");
    assert!(!log.contains(&admin), "a log line held the admin token");
}

fn run_server(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_relais-server"));
    command
        .args(args)
        .arg("--db")
        .arg(relais_store::testing::database_in(dir))
        .env_remove("RELAIS_SECRET_KEY")
        .env_remove("RELAIS_BIND")
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

#[test]
fn demo_on_a_taken_port_creates_nothing_and_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = run_server(dir.path(), &["--demo", "--bind", &address], &[]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stdout.contains("rlp_"),
        "no token for a company nobody can reach: {stdout}"
    );
    assert!(
        stderr.contains("--bind") && stderr.contains("RELAIS_BIND"),
        "{stderr}"
    );
    let app = relais_app::App::open(relais_store::testing::database_in(dir.path())).unwrap();
    assert!(
        app.companies().unwrap().is_empty(),
        "the demo company was created"
    );
}

#[test]
fn a_server_with_another_secret_key_than_the_database_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let first = "8f1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";
    let app = relais_app::App::open(relais_store::testing::database_in(dir.path()))
        .unwrap()
        .with_secret_key(Some(relais_access::SecretKey::from_hex(first).unwrap()));
    let company = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap()
        .company;
    let id = app
        .start_connection(relais_app::Caller::Operator, &company, "slack")
        .unwrap()
        .id;
    app.submit_wizard_step(
        relais_app::Caller::Operator,
        &company,
        &id,
        "workspace",
        serde_json::json!({"workspace": "acme", "bot_token": "xoxb-0123456789-abcdef"})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    drop(app);
    let output = run_server(
        dir.path(),
        &["--bind", "127.0.0.1:0"],
        &[("RELAIS_SECRET_KEY", &first.replace('8', "9"))],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not the key the secrets"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("listening"),
        "it must not serve"
    );
    // No key at all: refused too (a replica without it would flip the
    // connections to `attention` behind a load balancer) ...
    let output = run_server(dir.path(), &["--bind", "127.0.0.1:0"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("RELAIS_SECRET_KEY is not set") && stderr.contains("--without-secret-key"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("listening"));
    // ... unless the operator says the key is lost.
    let mut server = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--bind", "127.0.0.1:0", "--db"])
        .arg(relais_store::testing::database_in(dir.path()))
        .env_remove("RELAIS_SECRET_KEY")
        .env("RELAIS_WITHOUT_SECRET_KEY", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(server.stdout.take().unwrap());
    let listening = std::io::BufRead::lines(stdout)
        .take(5)
        .map_while(Result::ok)
        .any(|line| line.contains("listening"));
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(listening, "it serves when told the key is lost");
}

#[test]
fn every_number_of_the_server_command_line_is_range_checked() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value) in [
        ("--sync-tick", "0"),
        ("--sync-tick", "18446744073709551615"),
        ("--sync-retention-days", "100000000"),
        ("--request-timeout", "0"),
        ("--scim-concurrency", "0"),
        ("--api-rate-limit", "0"),
        ("--max-connections", "0"),
        ("--header-timeout", "0"),
    ] {
        let output = run_server(dir.path(), &[flag, value, "--bind", "127.0.0.1:0"], &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
}

#[test]
fn logs_carry_no_colour_codes_when_standard_error_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    // Fails fast on the taken port, after logging its warnings.
    let output = run_server(dir.path(), &["--bind", &address], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WARN"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "escape codes in: {stderr:?}");
}
