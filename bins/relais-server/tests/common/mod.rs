//! What the HTTP tests share: a server on a real socket, and a public-API
//! token for a credential.

#![allow(dead_code, clippy::unwrap_used)] // Each test file uses its part; a panic is the failure report.

use std::sync::Arc;

use relais_app::App;
use relais_server::ServerConfig;

/// Serves `app` on a free port of 127.0.0.1 until the test ends; returns its base URL.
pub async fn serve(app: Arc<App>, config: ServerConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(relais_server::serve(
        listener,
        relais_server::router(app, config),
        std::future::pending(),
    ));
    base
}

/// Exchanges a client id and secret for a public-API token at `POST /v1/auth`.
pub async fn api_token(
    client: &reqwest::Client,
    base: &str,
    client_id: &str,
    client_secret: &str,
) -> String {
    let body: serde_json::Value = client
        .post(format!("{base}/v1/auth"))
        .json(&serde_json::json!({"client_id": client_id, "client_secret": client_secret}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["token"].as_str().unwrap().to_owned()
}
