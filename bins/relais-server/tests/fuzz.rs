//! Random query strings against every GET endpoint over a real socket:
//! the answer may be 2xx or 4xx, never 5xx, and always JSON.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use proptest::prelude::*;
use relais_access::ApiPermission;
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;

const PATHS: [&str; 13] = [
    "/api/catalog",
    "/api/catalog/categories",
    "/api/catalog/okta",
    "/v1/company/employees",
    "/v1/company/employees/3",
    "/v1/company/employees/attributes",
    "/v1/company/time-offs",
    "/v1/company/time-off-types",
    "/v1/company/absence-periods",
    "/v1/company/attendances",
    "/v1/company/custom-reports/reports",
    "/v1/company/custom-reports/columns",
    "/v1/company/custom-reports/reports/0196a000-0000-7000-8000-000000000001",
];

const KEYS: [&str; 22] = [
    "q",
    "kind",
    "category",
    "badge",
    "capability",
    "pricing",
    "page",
    "per_page",
    "limit",
    "offset",
    "email",
    "attributes[]",
    "updated_since",
    "start_date",
    "end_date",
    "employees[]",
    "includePending",
    "updated_from",
    "updated_to",
    "locale",
    "report_ids",
    "columns",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,4}",
        "-[0-9]{1,3}",
        "[a-zé_,]{0,12}",
        Just("2026-10-01".to_owned()),
        Just("2026-13-45".to_owned()),
        Just("9999999999999999999999".to_owned()),
        ".{0,16}",
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                proptest::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                "[a-z]{1,6}"
            ],
            value(),
        ),
        0..6,
    )
}

#[test]
fn no_query_makes_the_server_fail() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (base, token) = runtime.block_on(async {
        let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
        let company = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap()
            .company;
        let spec = DemoSpec {
            employees: 20,
            months: 2,
            seed: 1,
            until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        };
        app.generate_demo(&company, spec, false, &mut |_| {})
            .unwrap();
        let scopes = [
            "employees:read",
            "absences:read",
            "attendances:read",
            "custom_reports:read",
        ]
        .iter()
        .map(|s| s.parse::<ApiPermission>().unwrap())
        .collect();
        let credential = app
            .create_credential(
                Caller::Operator,
                &company,
                CredentialInput {
                    name: "fuzz".into(),
                    scopes,
                    ..CredentialInput::default()
                },
            )
            .unwrap();
        let config = relais_server::ServerConfig {
            api_per_minute: std::num::NonZeroU32::MAX,
            ..relais_server::ServerConfig::default()
        };
        let base = common::serve(app, config).await;
        let token = common::api_token(
            &reqwest::Client::new(),
            &base,
            &credential.credential.client_id,
            &credential.client_secret,
        )
        .await;
        (base, token)
    });
    let client = reqwest::Client::new();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(proptest::sample::select(PATHS.to_vec()), pairs()),
            |(path, pairs)| {
                let query: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish();
                let url = format!("{base}{path}?{query}");
                let (status, body) = runtime.block_on(async {
                    let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
                    (response.status().as_u16(), response.text().await.unwrap())
                });
                prop_assert!(status < 500, "{url} → {status}: {body}");
                prop_assert!(
                    serde_json::from_str::<serde_json::Value>(&body).is_ok(),
                    "{url} → not JSON: {body}"
                );
                Ok(())
            },
        )
        .unwrap();
}
