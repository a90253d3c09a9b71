//! The Relais HTTP server, as a library: for services that embed Relais's
//! admin API, public API and console beside their own routes, and for the
//! `relais-server` binary, which is built from the same [`Relais::builder`].
//!
//! Thin by design: every handler reads the request, calls `relais-app`, and
//! writes the answer. Rules live in the app, not here. See
//! `docs/embedding.md` for a guide.

mod auth;
mod catalog;
mod connections;
#[cfg(feature = "console")]
pub mod console;
#[cfg(not(feature = "console"))]
#[path = "console_off.rs"]
pub mod console;
mod content;
mod credentials;
mod documents;
mod embed;
mod employees;
pub mod openapi;
mod openapi_admin;
mod problem;
mod recruiting;
mod reports;
mod sync;
mod users;
mod v1;
mod webhooks;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use relais_app::App;
use serde::Serialize;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use console::ConsoleConfig;
pub use embed::{Background, HostUser, Relais, RelaisBuilder, SchedulerOptions, SignIn};
pub use problem::Problem;

/// Who may read the Marketplace catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
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
    /// Recruiting API calls (applications and uploads) allowed per company
    /// and minute: 20, as the modelled HRIS documents.
    pub recruiting_per_minute: NonZeroU32,
    /// `POST /v1/company/documents` calls allowed per credential and
    /// minute, on top of `api_per_minute` (the modelled HRIS allows 60).
    pub documents_per_minute: NonZeroU32,
    /// Longest time a document upload may take, body included, before it
    /// is answered 408: instead of `request_timeout`, which would cut a
    /// 30 MiB upload from a client slower than 1 MiB/s. The default, five
    /// minutes, lets the largest upload through at about 110 KB/s.
    pub upload_timeout: Duration,
    /// The web console's settings.
    pub console: console::ConsoleConfig,
    /// Requests come through a reverse proxy on this machine or network:
    /// the client's address is the last one in `X-Forwarded-For` (the one
    /// the proxy added), not the proxy's. Off, the header is ignored (a
    /// client could write anything into it).
    pub trust_proxy: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            catalog_access: CatalogAccess::Public,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            auth_per_minute: NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
            api_per_minute: NonZeroU32::new(300).unwrap_or(NonZeroU32::MIN),
            recruiting_per_minute: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
            documents_per_minute: NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
            upload_timeout: Duration::from_secs(300),
            console: console::ConsoleConfig::default(),
            trust_proxy: false,
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub app: Arc<App>,
    pub config: Arc<ServerConfig>,
    pub throttle: Arc<v1::Throttle>,
    pub recruiting_throttle: Arc<recruiting::RecruitingThrottle>,
    #[cfg_attr(not(feature = "console"), allow(dead_code))]
    pub console: Arc<console::ConsoleState>,
    /// The host's sign-in, when Relais is embedded with one.
    pub sign_in: Option<embed::HostSignIn>,
}

/// The address a request comes from, for the throttles: the peer's, or
/// with `trust_proxy` the last address of `X-Forwarded-For` (appended by
/// the proxy; addresses before it are what the client claimed).
pub(crate) fn client_address(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trust_proxy: bool,
) -> Option<std::net::IpAddr> {
    let forwarded = || {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok())
    };
    trust_proxy
        .then(forwarded)
        .flatten()
        .or_else(|| peer.map(|p| p.ip()))
}

/// [`client_address`] as the key of a per-address budget (`unknown` when
/// there is none, e.g. in tests without a peer address).
pub(crate) fn source_key(
    shared: &Shared,
    headers: &axum::http::HeaderMap,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
) -> String {
    let peer = peer.map(|axum::Extension(axum::extract::ConnectInfo(address))| address);
    client_address(headers, peer, shared.config.trust_proxy)
        .map_or_else(|| "unknown".to_owned(), |a| a.to_string())
}

/// The whole HTTP surface of Relais at its own paths, console included:
/// [`Relais::router`] with the builder's defaults and `config`.
pub fn router(app: Arc<App>, config: ServerConfig) -> Router {
    Relais::builder(app).config(config).build().router()
}

/// The whole HTTP surface: what [`RelaisBuilder::build`] serves.
pub(crate) fn full_router(
    app: Arc<App>,
    config: ServerConfig,
    with_console: bool,
    sign_in: Option<embed::HostSignIn>,
) -> Router {
    let shared = Shared {
        sign_in,
        app,
        throttle: Arc::new(v1::Throttle::new(
            config.auth_per_minute,
            config.api_per_minute,
            config.documents_per_minute,
        )),
        recruiting_throttle: Arc::new(recruiting::RecruitingThrottle::new(
            config.recruiting_per_minute,
        )),
        console: Arc::new(console::ConsoleState::new(&config.console)),
        config: Arc::new(config.clone()),
    };
    // The routes that take files have their own, larger body limit.
    // At most a few at once: each holds its files in memory (up to 64 MB).
    let uploads = recruiting::upload_routes()
        .with_state(shared.clone())
        .layer(RequestBodyLimitLayer::new(recruiting::MAX_UPLOAD_REQUEST))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            recruiting::UPLOADS_AT_ONCE,
        ));
    let limited = Router::new()
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .route("/api/me", get(auth::me))
        .route("/api/me/alerts", get(auth::alerts).put(auth::set_alerts))
        .merge(catalog::routes())
        .merge(credentials::routes())
        .merge(webhooks::routes())
        .merge(documents::routes())
        .merge(employees::routes())
        .merge(connections::routes())
        .merge(reports::routes())
        .merge(sync::routes())
        .merge(users::routes())
        .merge(v1::routes(shared.clone()))
        .merge(recruiting::routes())
        .merge(openapi::routes())
        .route_layer(axum::middleware::from_fn(content::require_declared_body));
    // The console's forms are its own: after the API's body rule.
    let limited = if with_console {
        limited.merge(console::routes())
    } else {
        limited
    };
    let limited = limited
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(shared.clone())
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        // Profile pictures have a limit of their own (after the one above,
        // which would cut them short).
        .merge(employees::picture_routes(shared.clone()))
        .merge(uploads)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ));
    // Document uploads have limits of their own instead (30 MiB files, an
    // upload time-out): routed before the limits above, on their one path.
    documents::upload_routes(shared.clone())
        .method_not_allowed_fallback(problem::method_not_allowed)
        .fallback_service(limited)
        .with_state(shared)
        // Outside the limits, so that their answers are reshaped too.
        .layer(axum::middleware::map_response(problem::from_plain_status))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        // Every answer carries the request's id (x-request-id), which error
        // pages show so that a person can quote it.
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
}

/// The span of a request: method and path, with query values redacted
/// (`/v1/auth?client_secret=…`, `?email=…` must not reach the logs).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        uri = %redacted_uri(request.uri()),
        version = ?request.version(),
    )
}

/// `Content-Disposition` of a download (RFC 6266): `attachment` with the
/// name in RFC 8187 form (every byte but letters, digits and `!#$&+-.^_`|~`
/// percent-encoded, so a space is `%20`, never `+`), and a plain ASCII
/// fallback for old clients with quotes, backslashes and anything not
/// printable replaced by `_`.
pub(crate) fn attachment(file_name: &str) -> String {
    let plain: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            // RFC 8187 attr-char.
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}

/// A request target for logs: the path, and the query's parameter names
/// without their values.
pub(crate) fn redacted_uri(uri: &axum::http::Uri) -> String {
    // An invitation's path is its secret: a link that sets a password.
    let path = match uri.path().strip_prefix("/console/invite/") {
        Some(_) => "/console/invite/…",
        None => uri.path(),
    };
    match uri.query() {
        None => path.to_owned(),
        Some(query) => {
            let names: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
                .map(|(name, _)| format!("{}=…", name.chars().take(64).collect::<String>()))
                .collect();
            format!("{path}?{}", names.join("&"))
        }
    }
}

/// Liveness, and a glance at the catalog.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// Always `ok`: an answer at all is the news.
    #[schema(pattern = "^ok$")]
    status: &'static str,
    /// Integrations in the catalog.
    catalog_integrations: usize,
}

/// Liveness and a glance at the catalog: answered from memory, no database round trip.
#[utoipa::path(
    get, path = "/healthz", tag = "Server", operation_id = "health",
    description = "Liveness, answered from memory without touching the database: for load balancers and monitoring. Needs no token.",
    responses((status = 200, description = "The server is up", body = Health)),
    security(()),
)]
pub(crate) async fn health(State(shared): State<Shared>) -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok",
        catalog_integrations: shared.app.catalog().len(),
    })
}

/// Readiness: answered from memory, no database round trip.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Ready {
    /// Always `ready` (otherwise the answer is a 503 problem).
    #[schema(pattern = "^ready$")]
    status: &'static str,
}

/// How long readiness waits for the database before it says "not ready".
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Readiness: the database answers (within two seconds) at the schema
/// version this build knows. A load balancer sends traffic only to ready
/// replicas.
#[utoipa::path(
    get, path = "/readyz", tag = "Server", operation_id = "ready",
    description = "Readiness for load balancers: 200 when the database answers within two seconds and holds the schema this server knows, else 503 with a problem saying why. Needs no token.",
    responses(
        (status = 200, description = "The server can serve", body = Ready),
        (status = 503, description = "The database does not answer, or its schema is not this server's", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub(crate) async fn ready(State(shared): State<Shared>) -> Result<axum::Json<Ready>, Problem> {
    let app = Arc::clone(&shared.app);
    let check = relais_app::spawn_blocking(move || app.ready());
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(Ok(()))) => Ok(axum::Json(Ready { status: "ready" })),
        Ok(Ok(Err(e))) => {
            // The details (host and user names) go to the log, not to
            // whoever asks without a token.
            tracing::warn!(error = %e, "not ready");
            Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                if e.to_string().contains("schema") {
                    "the database's schema is not the one this server knows".into()
                } else {
                    "the database does not answer".into()
                },
            ))
        }
        Ok(Err(_)) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the readiness check failed".into(),
        )),
        Err(_) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!(
                "the database did not answer within {} seconds",
                READY_TIMEOUT.as_secs()
            ),
        )),
    }
}

pub use webhooks::spawn_deliveries;

/// Starts the e-mail alert loop: every 5 seconds, mails the digests that
/// are due. Several replicas may run it on one database.
pub fn spawn_alerts(app: Arc<App>, mailer: relais_app::alerts::Mailer) {
    drop(alerts_loop(app, mailer));
}

/// The e-mail alert loop of [`spawn_alerts`], as a task.
pub(crate) fn alerts_loop(
    app: Arc<App>,
    mailer: relais_app::alerts::Mailer,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(5));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(e) = app.send_due_alerts(&mailer).await {
                tracing::error!(error = %e, "alerts could not be claimed");
            }
        }
    })
}

/// Starts the sync scheduler: due SCIM cycles every `tick`, stale runs
/// closed, entries older than `retention_days` purged daily.
pub fn spawn_scheduler(app: Arc<App>, tick: Duration, retention_days: u32) {
    drop(sync::spawn_scheduler(app, tick, retention_days));
}

/// Limits on the connections a server holds, against clients that open
/// connections and never finish them (slowloris).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait in the listen queue until one
    /// closes. Keep it below the process's open-file limit.
    pub max_connections: usize,
    /// Time a client has to send a request's headers, counted from when the
    /// server starts reading them (also on an idle kept-alive connection):
    /// then the connection is closed.
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

impl ConnectionLimits {
    /// Connections the open-file limit leaves room for, keeping `reserve`
    /// descriptors for the database, logs and outgoing requests, at most
    /// `wanted`. Raises the soft open-file limit to the hard one first.
    #[must_use]
    pub fn fitting_open_files(wanted: usize, reserve: u64) -> usize {
        let soft = rlimit::increase_nofile_limit(u64::MAX)
            .ok()
            .or_else(|| rlimit::Resource::NOFILE.get().ok().map(|(soft, _)| soft))
            .unwrap_or(1024);
        let room = usize::try_from(soft.saturating_sub(reserve)).unwrap_or(usize::MAX);
        wanted.min(room).max(1)
    }
}

/// Serves `router` on `listener` with the default [`ConnectionLimits`]
/// until `shutdown` completes, then lets requests in flight finish.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ConnectionLimits::default()).await
}

/// Serves `router` on `listener` within `limits` until `shutdown`
/// completes, then stops accepting and lets requests in flight finish.
/// Each request carries the peer's address
/// (`axum::extract::ConnectInfo<SocketAddr>`).
///
/// # Errors
/// When the listener fails.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // A slot first: beyond the limit, clients wait in the listen queue.
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a reset before accept: keep serving.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request
            },
        );
        let connection = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PageOf<T> {
    /// The rows of this page.
    items: Vec<T>,
    /// How many rows match in all.
    total: u64,
    /// This page's number, from 1.
    page: u64,
    /// Page size.
    per_page: u64,
}

/// The page `window` of `paged`.
pub(crate) fn page_of<T>(paged: relais_store::Paged<T>, window: relais_store::Window) -> PageOf<T> {
    PageOf {
        items: paged.rows,
        total: paged.total,
        page: window.page_number(),
        per_page: window.limit,
    }
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
    relais_app::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| Problem::internal(&format!("worker failed: {e}")))?
        .map_err(Problem::from)
}

/// Runs a blocking use case that may take long, telling it through a
/// [`relais_app::Cancel`] when the request is dropped before it is done
/// (the request time-out answered 408, or the client went away), so that
/// abandoned work stops instead of running on.
pub(crate) async fn blocking_cancellable<T, F>(
    app: &Arc<App>,
    work: F,
) -> Result<T, relais_app::AppError>
where
    F: FnOnce(&App, &relais_app::Cancel) -> Result<T, relais_app::AppError> + Send + 'static,
    T: Send + 'static,
{
    /// Raises the flag when dropped before the work is done.
    struct OnDrop(relais_app::Cancel, bool);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            if !self.1 {
                self.0.cancel();
            }
        }
    }
    let cancel = relais_app::Cancel::new();
    let mut guard = OnDrop(cancel.clone(), false);
    let app = Arc::clone(app);
    let result = relais_app::spawn_blocking(move || work(&app, &cancel))
        .await
        .map_err(|e| relais_app::AppError::new(relais_app::ErrorKind::Internal, e.to_string()))
        .and_then(|r| r);
    guard.1 = true;
    result
}

/// A JSON object body whose rejections (bad JSON, wrong types, unknown
/// fields) are problem documents naming what is wrong.
pub(crate) struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        let declared_json = content::essence(request.headers())
            .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
        let bytes =
            <axum::body::Bytes as axum::extract::FromRequest<S>>::from_request(request, state)
                .await
                .map_err(|e| {
                    // A body over the limit (also one sent in chunks, without a
                    // length the limit layer could refuse up front) is 413.
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        Problem::new(
                            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                            "body_too_large",
                            "the request body is too large".to_owned(),
                        )
                    } else {
                        Problem::bad_request(e.body_text())
                    }
                })?;
        if !declared_json {
            return Err(Problem::bad_request(
                "Expected request with `Content-Type: application/json`".to_owned(),
            ));
        }
        json_object(&bytes).map(Self).map_err(Problem::bad_request)
    }
}

/// A JSON object body as `T`, or what is wrong with it, for a person (the
/// field at fault named by its path). Every body of both APIs is an
/// object: derived struct deserialisers also take an array of the fields
/// in order (`["slack"]`), a shape nobody documents or means to send.
pub(crate) fn json_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err("the body must be a JSON object".to_owned());
    }
    axum::Json::<T>::from_bytes(bytes)
        .map(|axum::Json(value)| value)
        .map_err(|e| e.body_text())
}

#[cfg(test)]
mod tests {
    #[test]
    fn logged_addresses_carry_no_secret() {
        let uri = |text: &str| text.parse::<axum::http::Uri>().unwrap();
        assert_eq!(
            super::redacted_uri(&uri("/v1/auth?client_id=rlc_1&client_secret=rls_2")),
            "/v1/auth?client_id=…&client_secret=…"
        );
        assert_eq!(
            super::redacted_uri(&uri("/console/invite/0123456789abcdef")),
            "/console/invite/…"
        );
        assert_eq!(
            super::redacted_uri(&uri("/console/marketplace")),
            "/console/marketplace"
        );
    }
}
