//! The Relais HTTP server, as a library so that tests can run it in-process
//! on a real socket.
//!
//! Thin by design: every handler reads the request, calls `relais-app`, and
//! writes the answer. Rules live in the app, not here.

mod auth;
mod catalog;
mod connections;
mod credentials;
mod problem;
mod reports;
mod sync;
mod v1;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use relais_app::App;
use serde::Serialize;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use problem::Problem;

/// Who may read the Marketplace catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CatalogAccess {
    /// Anyone, without a token: the catalog is the platform's public shop window.
    #[default]
    Public,
    /// Users with at least the *view* right on "Marketplace integrations & API".
    Authenticated,
}

/// Settings of one server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Who may read the catalog.
    pub catalog_access: CatalogAccess,
    /// Longest time a request may take before it is answered 408.
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// `POST /v1/auth` calls allowed per credential and minute.
    pub auth_per_minute: NonZeroU32,
    /// Public-API calls allowed per credential and minute.
    pub api_per_minute: NonZeroU32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            catalog_access: CatalogAccess::Public,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            auth_per_minute: NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
            api_per_minute: NonZeroU32::new(300).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub app: Arc<App>,
    pub config: Arc<ServerConfig>,
    pub throttle: Arc<v1::Throttle>,
}

/// The whole HTTP surface of Relais.
pub fn router(app: Arc<App>, config: ServerConfig) -> Router {
    let shared = Shared {
        app,
        throttle: Arc::new(v1::Throttle::new(
            config.auth_per_minute,
            config.api_per_minute,
        )),
        config: Arc::new(config.clone()),
    };
    Router::new()
        .route("/healthz", get(health))
        .route("/api/me", get(auth::me))
        .merge(catalog::routes())
        .merge(credentials::routes())
        .merge(connections::routes())
        .merge(reports::routes())
        .merge(sync::routes())
        .merge(v1::routes(shared.clone()))
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(shared)
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        // Outside the limits, so that their answers are reshaped too.
        .layer(axum::middleware::map_response(problem::from_plain_status))
        .layer(TraceLayer::new_for_http())
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    catalog_integrations: usize,
}

/// Liveness and a glance at the catalog: answered from memory, no database round trip.
async fn health(State(shared): State<Shared>) -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok",
        catalog_integrations: shared.app.catalog().len(),
    })
}

/// Starts the sync scheduler: due SCIM cycles every `tick`, stale runs
/// closed, entries older than `retention_days` purged daily.
pub fn spawn_scheduler(app: Arc<App>, tick: Duration, retention_days: u32) {
    sync::spawn_scheduler(app, tick, retention_days);
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// requests in flight finish.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serialises a value that borrows from a catalog snapshot into a JSON
/// answer while the snapshot is still alive.
pub(crate) fn json<T: Serialize>(value: &T) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse as _;
    let body = serde_json::to_vec(value).map_err(|e| Problem::internal(&e.to_string()))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// Runs a blocking use case (one that touches the database) off the async
/// threads.
pub(crate) async fn blocking<T, F>(app: &Arc<App>, work: F) -> Result<T, Problem>
where
    F: FnOnce(&App) -> Result<T, relais_app::AppError> + Send + 'static,
    T: Send + 'static,
{
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| Problem::internal(&format!("worker failed: {e}")))?
        .map_err(Problem::from)
}

/// A JSON body whose rejections (bad JSON, wrong types, unknown fields) are
/// problem documents naming what is wrong.
pub(crate) struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        axum::Json::<T>::from_request(request, state)
            .await
            .map(|axum::Json(value)| Self(value))
            .map_err(|e| Problem::bad_request(e.body_text()))
    }
}
