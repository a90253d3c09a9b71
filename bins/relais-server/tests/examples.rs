//! The embedding examples under `examples/`, run: their code is included
//! here as modules and driven over real HTTP.

#![allow(clippy::unwrap_used)] // A panic is the failure report.

mod common;

#[allow(dead_code)] // The example's `main` is for `cargo run --example`.
#[path = "../examples/host_service.rs"]
mod host_service;

#[allow(dead_code)] // The example's `main` is for `cargo run --example`.
#[path = "../../../crates/relais-scim/examples/provisioning_worker.rs"]
mod provisioning_worker;

use serde_json::Value;

#[tokio::test]
async fn host_service_mounts_both_apis_behind_its_own_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let app = host_service::open(&dir.path().join("relais.db")).unwrap();
    // A personal access token of Relais's own, for Ana: the host's sign-in
    // replaces tokens, so it must open nothing.
    let company = app.company(Some(host_service::COMPANY)).unwrap();
    let token = app
        .issue_token(&company, "ana@acme.example", "left over", None)
        .unwrap();
    let (host, relais) = host_service::build(app);
    assert!(relais.console().is_none());
    let base = common::serve_router(host).await;
    let client = reqwest::Client::new();
    let as_user = |method: reqwest::Method, path: &str, email: &str| {
        client
            .request(method, format!("{base}{path}"))
            .header("x-host-user", email)
    };

    // A route of the host's own, with its own sign-in.
    let me: Value = as_user(reqwest::Method::GET, "/me", "ana@acme.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Ana Admin");

    // The admin API under /integrations, signed in by the host.
    let answer = as_user(
        reqwest::Method::GET,
        "/integrations/connections",
        "ana@acme.example",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().contains_key("x-request-id"));
    let answer = as_user(reqwest::Method::GET, "/integrations/me", "ben@acme.example")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let me: Value = answer.json().await.unwrap();
    assert_eq!(me["user"]["email"], "ben@acme.example");
    assert_eq!(me["can_browse_marketplace"], true);
    assert_eq!(me["can_configure_integrations"], false);

    // Refused: nobody signed in (Relais's own tokens are not looked at),
    // a right too low, and Relais's paths outside what was mounted.
    let answer = client
        .get(format!("{base}/integrations/connections"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(answer.headers()["content-type"], "application/problem+json");
    let problem: Value = answer.json().await.unwrap();
    assert_eq!(problem["message"], "this endpoint needs a signed-in user");
    let answer = client
        .get(format!("{base}/integrations/connections"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401, "Relais's own token is not looked at");

    // A change a browser sends on another site's behalf (the host's
    // sign-in rides on its cookie) is refused, whoever is signed in; the
    // same from the host's own pages, or from a program, goes through.
    for (header, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ] {
        let answer = as_user(
            reqwest::Method::POST,
            "/integrations/recruiting/key",
            "ana@acme.example",
        )
        .header(header, value)
        .send()
        .await
        .unwrap();
        assert_eq!(answer.status(), 403, "{header}: {value}");
        let problem: Value = answer.json().await.unwrap();
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("another site"),
            "{problem}"
        );
    }
    let read = as_user(
        reqwest::Method::GET,
        "/integrations/connections",
        "ana@acme.example",
    )
    .header("sec-fetch-site", "cross-site")
    .send()
    .await
    .unwrap();
    assert_eq!(read.status(), 200, "reads change nothing");
    // Nor does Relais issue tokens of its own behind the host's sign-in.
    let answer = as_user(
        reqwest::Method::POST,
        "/integrations/tokens",
        "ana@acme.example",
    )
    .json(&serde_json::json!({"name": "script"}))
    .send()
    .await
    .unwrap();
    assert_eq!(answer.status(), 409);
    let answer = as_user(
        reqwest::Method::GET,
        "/integrations/connections",
        "nobody@acme.example",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(answer.status(), 401);
    let answer = as_user(
        reqwest::Method::GET,
        "/integrations/credentials",
        "carla@acme.example",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(answer.status(), 403);
    let problem: Value = as_user(
        reqwest::Method::GET,
        "/integrations/nope",
        "ana@acme.example",
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(problem["message"], "no such endpoint: /integrations/nope");
    for path in [
        "/integrations/../v1/auth",
        "/api/me",
        "/console/",
        "/healthz",
    ] {
        let answer = as_user(reqwest::Method::GET, path, "ana@acme.example")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "{path}");
    }

    // A credential made by the host's Ana, used on the public API under
    // /api/public as an API client would (its base URL changed).
    let answer = as_user(
        reqwest::Method::POST,
        "/integrations/credentials",
        "ana@acme.example",
    )
    .header("sec-fetch-site", "same-origin")
    .header("origin", base.as_str())
    .json(&serde_json::json!({"name": "Payroll", "scopes": ["employees:read"]}))
    .send()
    .await
    .unwrap();
    assert_eq!(answer.status(), 201);
    let credential: Value = answer.json().await.unwrap();
    let auth: Value = client
        .post(format!("{base}/api/public/auth"))
        .json(&serde_json::json!({
            "client_id": credential["client_id"],
            "client_secret": credential["client_secret"],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["token"].as_str().unwrap();
    let answer = client
        .get(format!("{base}/api/public/company/employees"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let employees: Value = answer.json().await.unwrap();
    assert_eq!(employees["success"], true);
    // Without a token, the public API's own error shape.
    let answer = client
        .get(format!("{base}/api/public/company/employees"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);

    // Each API's OpenAPI document names the host's prefix as its server.
    for (path, server, operation) in [
        (
            "/integrations/openapi.json",
            "/integrations",
            "/connections",
        ),
        (
            "/api/public/openapi.json",
            "/api/public",
            "/company/employees",
        ),
    ] {
        let document: Value = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(document["servers"][0]["url"], server, "{path}");
        assert!(document["paths"].get(operation).is_some(), "{path}");
    }
}

#[tokio::test]
async fn a_person_the_host_signs_in_is_recorded_once_however_many_requests_come_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // SQLite, or PostgreSQL when the tests run on it.
    let app = host_service::open(&relais_store::testing::database_in(dir.path())).unwrap();
    let company = app.company(Some(host_service::COMPANY)).unwrap();
    let (host, _relais) = host_service::build(std::sync::Arc::clone(&app));
    let base = common::serve_router(host).await;
    // Ben has never been seen: 30 requests of his at once each find him
    // missing and record him; the store lets one insert win, the others
    // read the winner's record.
    let client = reqwest::Client::new();
    let requests = (0..30).map(|_| {
        let request = client
            .get(format!("{base}/integrations/me"))
            .header("x-host-user", "ben@acme.example");
        async move {
            let answer = request.send().await.unwrap();
            let status = answer.status();
            let me: Value = answer.json().await.unwrap();
            (status, me["user"]["email"].clone())
        }
    });
    for (status, email) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 200);
        assert_eq!(email, "ben@acme.example");
    }
    let bens = app
        .users(&company)
        .unwrap()
        .into_iter()
        .filter(|u| u.email == "ben@acme.example")
        .count();
    assert_eq!(bens, 1);
}

#[tokio::test]
async fn provisioning_worker_keeps_scim2_server_in_step_with_host_employees() {
    let Some(program) = common::scim_server_program() else {
        return;
    };
    let target = common::ScimServer::start(&program, common::SCIM_TOKEN, None);
    let mut worker =
        provisioning_worker::Worker::new(&target.base, common::SCIM_TOKEN, "127.0.0.0/8").unwrap();

    let (run, entries) = worker
        .run(provisioning_worker::staff(), relais_sync::Cycle::Full)
        .await;
    let report = provisioning_worker::report(&run, &entries);
    assert_eq!(run.status, relais_sync::RunStatus::Completed, "{report}");
    assert_eq!(entries.len(), 3, "{report}");
    assert!(
        entries
            .iter()
            .all(|e| e.use_case == relais_sync::UseCase::Provision)
    );
    let users = target.users().await;
    let mut names: Vec<&str> = users
        .iter()
        .map(|u| u["userName"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "ana.alves@acme.example",
            "ben.berg@acme.example",
            "carla.costa@acme.example"
        ]
    );

    // Ben leaves and Carla is promoted: one deactivation, one update.
    let mut staff = provisioning_worker::staff();
    staff[1].status = relais_people::EmployeeStatus::Inactive;
    staff[2].position = "Staff Engineer".to_owned();
    let (run, entries) = worker.run(staff, relais_sync::Cycle::Incremental).await;
    let report = provisioning_worker::report(&run, &entries);
    assert_eq!(run.status, relais_sync::RunStatus::Completed, "{report}");
    let done = |id: i64| {
        entries
            .iter()
            .find(|e| e.employee_id == id)
            .map(|e| e.use_case)
    };
    assert_eq!(done(2), Some(relais_sync::UseCase::Deprovision), "{report}");
    assert_eq!(done(3), Some(relais_sync::UseCase::Update), "{report}");
    let users = target.users().await;
    let ben = users
        .iter()
        .find(|u| u["userName"] == "ben.berg@acme.example")
        .unwrap();
    assert_eq!(ben["active"], false);
    let carla = users
        .iter()
        .find(|u| u["userName"] == "carla.costa@acme.example")
        .unwrap();
    assert_eq!(carla["title"], "Staff Engineer");
}

#[tokio::test]
async fn builder_options_decide_what_is_served_and_what_runs() {
    let dir = tempfile::tempdir().unwrap();
    let app = host_service::open(&dir.path().join("relais.db")).unwrap();
    let client = reqwest::Client::new();

    // The binary's defaults: console, scheduler and webhook deliveries.
    let relais = relais_server::Relais::builder(std::sync::Arc::clone(&app)).build();
    let base = common::serve_router(relais.router()).await;
    for (path, status) in [
        ("/console/sign-in", 200),
        ("/healthz", 200),
        ("/api/me", 401),
    ] {
        let answer = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(answer.status(), status, "{path}");
    }
    let background = relais.start_background().unwrap();
    assert_eq!(background.len(), 2);
    background.stop();

    // The console alone, merged at a host's root, reaches nothing else.
    let console = relais.console().unwrap();
    let base = common::serve_router(axum::Router::new().merge(console)).await;
    let answer = client
        .get(format!("{base}/console/sign-in"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let answer = client.get(format!("{base}/api/me")).send().await.unwrap();
    assert_eq!(answer.status(), 404);

    // The probes alone, under a prefix of the host's: nothing else.
    let base = common::serve_router(axum::Router::new().nest("/relais", relais.health())).await;
    for (path, status) in [
        ("/relais/healthz", 200),
        ("/relais/readyz", 200),
        ("/relais/api/me", 404),
        ("/healthz", 404),
    ] {
        let answer = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(answer.status(), status, "{path}");
    }

    // Without console and loops, with Relais's own tokens on the admin API.
    let relais = relais_server::Relais::builder(app)
        .console(false)
        .scheduler(None)
        .webhook_deliveries(false)
        .build();
    assert!(relais.console().is_none());
    assert!(relais.start_background().unwrap().is_empty());
    let base = common::serve_router(relais.router()).await;
    let answer = client
        .get(format!("{base}/console/sign-in"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let answer = client.get(format!("{base}/api/me")).send().await.unwrap();
    let problem: Value = answer.json().await.unwrap();
    assert_eq!(problem["status"], 401);
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("personal access token"),
        "{problem}"
    );
}
