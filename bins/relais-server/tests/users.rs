//! Users and personal access tokens over the admin API (issue 13, item 13):
//! tokens expire, can be listed and revoked; users can be removed and take
//! their tokens with them; a company always keeps a user with the edit
//! right, also under concurrent changes.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use relais_access::MarketplaceRight;
use relais_app::App;
use relais_server::ServerConfig;
use serde_json::{Value, json};

struct World {
    base: String,
    app: Arc<App>,
    company: relais_access::Company,
    admin: String,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
    let new = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    World {
        base,
        app,
        company: new.company,
        admin: new.token,
        _dir: dir,
    }
}

async fn call(
    base: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{base}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

impl World {
    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        call(&self.base, token, method, path, body).await
    }

    /// Adds a user with `right` and returns a token of theirs.
    fn user(&self, email: &str, right: MarketplaceRight) -> String {
        self.app
            .add_user(&self.company, email, "Someone", right)
            .unwrap();
        self.app
            .issue_token(&self.company, email, "laptop", None)
            .unwrap()
    }
}

#[tokio::test]
async fn tokens_expire_by_default_and_can_be_listed_and_revoked() {
    let w = world().await;
    let (status, issued) = w
        .call(&w.admin, "POST", "/api/tokens", Some(json!({"name": "ci"})))
        .await;
    assert_eq!(status, 201, "{issued}");
    let token = issued["token"].as_str().unwrap().to_owned();
    let expires: DateTime<Utc> = issued["expires_at"].as_str().unwrap().parse().unwrap();
    let in_90_days = Utc::now() + Duration::days(90);
    assert!((expires - in_90_days).num_minutes().abs() < 5, "{expires}");
    for days in [0, 366, 100_000_000] {
        let (status, body) = w
            .call(
                &w.admin,
                "POST",
                "/api/tokens",
                Some(json!({"name": "x", "days": days})),
            )
            .await;
        assert_eq!(status, 400, "{days}: {body}");
    }
    // Listed, without any secret.
    let (_, list) = w.call(&token, "GET", "/api/tokens", None).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "the company's first token and this one");
    assert!(
        !Value::Array(list.clone())
            .to_string()
            .contains(&token[20..])
    );
    // Revoked: it stops working at once, and cannot be revoked twice.
    let id = issued["id"].as_str().unwrap();
    let (status, revoked) = w
        .call(&w.admin, "DELETE", &format!("/api/tokens/{id}"), None)
        .await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(revoked["active"], false);
    assert_eq!(w.call(&token, "GET", "/api/me", None).await.0, 401);
    assert_eq!(
        w.call(&w.admin, "DELETE", &format!("/api/tokens/{id}"), None)
            .await
            .0,
        409
    );
    // A token of another company is not found.
    let other = w
        .app
        .create_company("Globex", "hank@globex.example", "Hank")
        .unwrap();
    let other_id = other.token.split('_').nth(1).unwrap();
    assert_eq!(
        w.call(&w.admin, "DELETE", &format!("/api/tokens/{other_id}"), None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn admins_manage_others_tokens_and_viewers_only_their_own() {
    let w = world().await;
    let viewer = w.user("vic@acme.example", MarketplaceRight::View);
    let (_, vic_tokens) = w
        .call(&w.admin, "GET", "/api/users/vic@acme.example/tokens", None)
        .await;
    let vic_token_id = vic_tokens[0]["id"].as_str().unwrap().to_owned();
    let (_, ana_tokens) = w.call(&w.admin, "GET", "/api/tokens", None).await;
    let ana_token_id = ana_tokens[0]["id"].as_str().unwrap().to_owned();
    // The viewer may not list or revoke the admin's tokens.
    assert_eq!(
        w.call(&viewer, "GET", "/api/users/ana@acme.example/tokens", None)
            .await
            .0,
        403
    );
    assert_eq!(
        w.call(
            &viewer,
            "DELETE",
            &format!("/api/tokens/{ana_token_id}"),
            None
        )
        .await
        .0,
        403
    );
    // Nor change rights or remove users; reading the list is fine.
    assert_eq!(w.call(&viewer, "GET", "/api/users", None).await.0, 200);
    assert_eq!(
        w.call(
            &viewer,
            "PATCH",
            "/api/users/vic@acme.example",
            Some(json!({"right": "edit"}))
        )
        .await
        .0,
        403
    );
    // The admin revokes the viewer's token.
    let (status, _) = w
        .call(
            &w.admin,
            "DELETE",
            &format!("/api/tokens/{vic_token_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(w.call(&viewer, "GET", "/api/me", None).await.0, 401);
}

#[tokio::test]
async fn a_removed_user_can_do_nothing_and_the_last_admin_stays() {
    let w = world().await;
    let editor = w.user("eve@acme.example", MarketplaceRight::Edit);
    assert_eq!(w.call(&editor, "GET", "/api/me", None).await.0, 200);
    let (status, removed) = w
        .call(&w.admin, "DELETE", "/api/users/eve@acme.example", None)
        .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(w.call(&editor, "GET", "/api/me", None).await.0, 401);
    let (_, users) = w.call(&w.admin, "GET", "/api/users", None).await;
    assert_eq!(users.as_array().unwrap().len(), 1);
    // Ana is the last user with the edit right.
    let (status, body) = w
        .call(&w.admin, "DELETE", "/api/users/ana@acme.example", None)
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("last user with the edit right")
    );
    let (status, _) = w
        .call(
            &w.admin,
            "PATCH",
            "/api/users/ana@acme.example",
            Some(json!({"right": "view"})),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(w.call(&w.admin, "GET", "/api/me", None).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_stepping_down_at_once_leave_one_admin() {
    let w = world().await;
    // Twenty-four admins (Ana and 23 more) each give up the edit right at once.
    let mut tokens = vec![(String::from("ana@acme.example"), w.admin.clone())];
    for i in 0..23 {
        let email = format!("admin{i}@acme.example");
        tokens.push((email.clone(), w.user(&email, MarketplaceRight::Edit)));
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(tokens.len()));
    let tasks: Vec<_> = tokens
        .iter()
        .map(|(email, token)| {
            let (base, email, token, barrier) = (
                w.base.clone(),
                email.clone(),
                token.clone(),
                Arc::clone(&barrier),
            );
            tokio::spawn(async move {
                barrier.wait().await;
                call(
                    &base,
                    &token,
                    "PATCH",
                    &format!("/api/users/{email}"),
                    Some(json!({"right": "view"})),
                )
                .await
                .0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        tokens.len() - 1
    );
    let editors = w
        .app
        .users(&w.company)
        .unwrap()
        .into_iter()
        .filter(|u| u.marketplace_right == MarketplaceRight::Edit)
        .count();
    assert_eq!(editors, 1);
}
