//! `host_service`: an HR platform's own axum service that embeds Relais.
//!
//! The host has its own routes (`/`, `/me`) and its own sign-in (here a
//! header its gateway sets, `X-Host-User: ana@acme.example`, looked up in
//! the host's own list of people and roles). It mounts Relais's admin API
//! under `/integrations` and the public API under `/api/public`, with the
//! host's sign-in in place of Relais's tokens, on a SQLite file of its
//! own.
//!
//! The header stands for a sign-in the example does not have room for:
//! it is proof of nothing unless a gateway in front of the service sets it
//! (overwriting what the client sent) and nothing reaches the service but
//! through that gateway. A real host checks its own session cookie here.
//!
//! ```text
//! cargo run -p relais-hr-server --example host_service
//! curl -H 'X-Host-User: ana@acme.example' http://127.0.0.1:3000/integrations/connections
//! ```
//!
//! `tests/examples.rs` runs [`build`] on a real socket and calls both APIs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::future::BoxFuture;
use relais_access::MarketplaceRight;
use relais_app::App;
use relais_server::{HostUser, Problem, Relais, SignIn};

/// The host's company, as Relais knows it (its handle).
pub const COMPANY: &str = "acme";

/// The host's own people and what its role model lets them do with
/// integrations: in a real service, its user database.
#[derive(Debug, Clone)]
pub struct People(Arc<HashMap<&'static str, (&'static str, MarketplaceRight)>>);

impl People {
    /// Ana administers integrations, Ben may look, Carla may not.
    pub fn acme() -> Self {
        Self(Arc::new(HashMap::from([
            ("ana@acme.example", ("Ana Admin", MarketplaceRight::Edit)),
            ("ben@acme.example", ("Ben Viewer", MarketplaceRight::View)),
            (
                "carla@acme.example",
                ("Carla Clerk", MarketplaceRight::None),
            ),
        ])))
    }

    /// The signed-in person of a request: the host's own sign-in.
    fn signed_in(
        &self,
        headers: &HeaderMap,
    ) -> Option<(&'static str, &'static str, MarketplaceRight)> {
        let email = headers.get("x-host-user")?.to_str().ok()?;
        self.0
            .get_key_value(email.trim().to_ascii_lowercase().as_str())
            .map(|(email, (name, right))| (*email, *name, *right))
    }
}

/// Relais asks the host who is signed in.
impl SignIn for People {
    fn signed_in<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<Option<HostUser>, Problem>> {
        let person = People::signed_in(self, &request.headers)
            .map(|(email, name, right)| HostUser::new(COMPANY, email, name, right));
        Box::pin(async move { Ok(person) })
    }
}

/// Opens (or creates) the host's Relais database at `db`, with the host's
/// company in it (its first administrator is the host's Ana).
///
/// # Errors
/// When the database cannot be opened or written.
pub fn open(db: &Path) -> anyhow::Result<Arc<App>> {
    let app = App::open(db)?;
    if app.company(Some(COMPANY)).is_err() {
        app.create_company("Acme", "ana@acme.example", "Ana Admin")?;
    }
    Ok(Arc::new(app))
}

/// The host's service: its own routes beside Relais's two APIs.
pub fn build(app: Arc<App>) -> (Router, Relais) {
    let people = People::acme();
    let relais = Relais::builder(app)
        .sign_in(people.clone())
        // The host has its own UI; Relais's console (and its own
        // sessions) stay out.
        .console(false)
        .build();
    let host = Router::new()
        .route("/", get(|| async { "Acme HR" }))
        .route("/me", get(me))
        .with_state(people)
        .nest("/integrations", relais.admin_api())
        .nest("/api/public", relais.public_api());
    (host, relais)
}

/// A route of the host's own, behind the host's own sign-in.
async fn me(
    State(people): State<People>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, StatusCode> {
    let (email, name, _) = people.signed_in(&headers).ok_or(StatusCode::UNAUTHORIZED)?;
    Ok(Json(serde_json::json!({ "email": email, "name": name })))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let app = open(&dir.path().join("relais.db"))?;
    let (host, relais) = build(app);
    // The scheduler, webhook deliveries: what the relais-server binary runs.
    let _background = relais.start_background()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("host service on http://{}", listener.local_addr()?);
    relais_server::serve(listener, host, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
