//! The composition API: [`Relais::builder`] puts the HTTP surface and the
//! background work together once, from typed options; the `relais-server`
//! binary uses it and nothing else, so that a service embedding Relais
//! runs exactly what the binary runs.
//!
//! Each router [`Relais`] hands out carries the whole middleware stack
//! (request id, tracing, problem documents, body limits, time-outs), so a
//! router nested under a prefix of the host's behaves as it does in the
//! binary.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{OriginalUri, Request};
use axum::http::request::Parts;
use futures_util::future::BoxFuture;
use relais_access::MarketplaceRight;
use relais_app::App;
use tokio::task::JoinHandle;

use crate::{CatalogAccess, Problem, ServerConfig};

/// The person the host service has signed in, as the host tells Relais
/// (see [`SignIn`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostUser {
    /// The Relais company they act for: its id or its handle (`acme`).
    pub company: String,
    /// Their work e-mail: the user Relais records them as (created on
    /// first sight, inside `company`).
    pub email: String,
    /// Their display name, for a user Relais creates.
    pub name: String,
    /// Their right on "Marketplace integrations & API": what the host's
    /// own role model grants them. It wins over what Relais has stored.
    pub right: MarketplaceRight,
}

impl HostUser {
    /// The person `email` (named `name`) of the company `company` (its id
    /// or its handle), holding `right`.
    pub fn new(
        company: impl Into<String>,
        email: impl Into<String>,
        name: impl Into<String>,
        right: MarketplaceRight,
    ) -> Self {
        Self {
            company: company.into(),
            email: email.into(),
            name: name.into(),
            right,
        }
    }
}

/// The host's sign-in, in place of Relais's personal access tokens: says
/// who made an admin-API request.
///
/// With a `SignIn` set ([`RelaisBuilder::sign_in`]), the admin API asks it
/// on every request and ignores `Authorization: Bearer` tokens; a request
/// for which it answers `None` is refused with 401 where a user is needed.
/// The public API (`/v1`, API credentials) and the console (its own
/// sessions) are not affected.
///
/// It sees the whole request head ([`Parts`]: method, URI, headers,
/// extensions such as the peer address of `ConnectInfo`), so that it can
/// check a session cookie, or trust a header only from the host's gateway.
/// **A header is proof of nothing by itself**: trust one only when the
/// gateway overwrites whatever the client sent and the service cannot be
/// reached any other way; take the company from the session, never from
/// the request. Whatever it trusts, Relais refuses requests that change
/// something and that a browser sent on another site's behalf
/// (`Sec-Fetch-Site` other than `same-origin`/`none`, or a foreign
/// `Origin`): 403, so a cookie-based sign-in is not open to cross-site
/// request forgery.
///
/// ```
/// use relais_server::{HostUser, Problem, SignIn};
/// use relais_access::MarketplaceRight;
///
/// /// Trusts a header the host's gateway sets after its own sign-in.
/// #[derive(Debug)]
/// struct GatewayHeader;
///
/// impl SignIn for GatewayHeader {
///     fn signed_in<'a>(
///         &'a self,
///         request: &'a axum::http::request::Parts,
///     ) -> futures_util::future::BoxFuture<'a, Result<Option<HostUser>, Problem>> {
///         Box::pin(async move {
///             let email = request.headers.get("x-host-user").and_then(|v| v.to_str().ok());
///             Ok(email.map(|email| HostUser::new("acme", email, email, MarketplaceRight::Edit)))
///         })
///     }
/// }
/// ```
pub trait SignIn: Send + Sync + 'static {
    /// The signed-in person of a request (its head: headers with cookies,
    /// method, URI, extensions), or `None` when nobody is signed in.
    ///
    /// # Errors
    /// A [`Problem`] the request is answered with instead (e.g. 401 for an
    /// expired session of the host's, 503 when its session store fails).
    fn signed_in<'a>(
        &'a self,
        request: &'a Parts,
    ) -> BoxFuture<'a, Result<Option<HostUser>, Problem>>;
}

/// A [`SignIn`], shareable by every handler.
#[derive(Clone)]
pub(crate) struct HostSignIn(pub Arc<dyn SignIn>);

impl fmt::Debug for HostSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HostSignIn(..)")
    }
}

/// Settings of the sync scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedulerOptions {
    /// Time between two looks for due sync cycles (the binary's `--sync-tick`).
    pub tick: Duration,
    /// Days sync entries are kept (`--sync-retention-days`).
    pub retention_days: u32,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        Self {
            tick: Duration::from_secs(20),
            retention_days: 30,
        }
    }
}

/// Builds a [`Relais`]: its options are the `relais-server` binary's
/// settings, with the binary's defaults.
///
/// ```no_run
/// # async fn example(app: std::sync::Arc<relais_app::App>) {
/// let relais = relais_server::Relais::builder(app)
///     .catalog_access(relais_server::CatalogAccess::Authenticated)
///     .console(false)
///     .build();
/// let host = axum::Router::new()
///     .nest("/integrations", relais.admin_api())
///     .nest("/api/public", relais.public_api());
/// let _background = relais.start_background().expect("webhook client");
/// # let _ = host;
/// # }
/// ```
#[must_use = "a builder does nothing until `build`"]
pub struct RelaisBuilder {
    app: Arc<App>,
    config: ServerConfig,
    console: bool,
    sign_in: Option<HostSignIn>,
    scheduler: Option<SchedulerOptions>,
    deliveries: bool,
    alerts: Option<relais_app::alerts::Mailer>,
}

impl fmt::Debug for RelaisBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelaisBuilder")
            .field("config", &self.config)
            .field("console", &self.console)
            .field("sign_in", &self.sign_in)
            .field("scheduler", &self.scheduler)
            .field("deliveries", &self.deliveries)
            .field("alerts", &self.alerts.is_some())
            .finish_non_exhaustive()
    }
}

impl RelaisBuilder {
    /// All of [`ServerConfig`] at once (e.g. from a host's own settings).
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Who may read the catalog (default: anyone).
    pub fn catalog_access(mut self, access: CatalogAccess) -> Self {
        self.config.catalog_access = access;
        self
    }

    /// Longest time a request may take before it is answered 408 (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// Longest time a document upload may take, body included (default 5 min).
    pub fn upload_timeout(mut self, timeout: Duration) -> Self {
        self.config.upload_timeout = timeout;
        self
    }

    /// Largest request body accepted, in bytes (default 1 MiB; uploads
    /// have limits of their own).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.config.max_body_bytes = bytes;
        self
    }

    /// `POST /v1/auth` calls allowed per client and minute (default 60).
    pub fn auth_per_minute(mut self, calls: NonZeroU32) -> Self {
        self.config.auth_per_minute = calls;
        self
    }

    /// Public-API calls allowed per credential and minute (default 300).
    pub fn api_per_minute(mut self, calls: NonZeroU32) -> Self {
        self.config.api_per_minute = calls;
        self
    }

    /// Document uploads allowed per credential and minute (default 60).
    pub fn documents_per_minute(mut self, calls: NonZeroU32) -> Self {
        self.config.documents_per_minute = calls;
        self
    }

    /// Recruiting API calls allowed per company and minute (default 20).
    pub fn recruiting_per_minute(mut self, calls: NonZeroU32) -> Self {
        self.config.recruiting_per_minute = calls;
        self
    }

    /// Take a client's address from the last `X-Forwarded-For` entry (set
    /// behind a reverse proxy; default off).
    pub fn trust_proxy(mut self, on: bool) -> Self {
        self.config.trust_proxy = on;
        self
    }

    /// Mark the console's cookies `Secure` (default off).
    pub fn secure_cookies(mut self, on: bool) -> Self {
        self.config.console.secure_cookies = on;
        self
    }

    /// Serve the web console under `/console` in [`Relais::router`] and
    /// [`Relais::console`] (default on; always off in a build without the
    /// `console` feature).
    pub fn console(mut self, on: bool) -> Self {
        self.console = on && crate::console::BUILT;
        self
    }

    /// The host's sign-in instead of Relais's personal access tokens on
    /// the admin API (see [`SignIn`]).
    pub fn sign_in(mut self, sign_in: impl SignIn) -> Self {
        self.sign_in = Some(HostSignIn(Arc::new(sign_in)));
        self
    }

    /// Run the sync scheduler with these options (the default, with
    /// [`SchedulerOptions::default`]), or not at all with `None`.
    pub fn scheduler(mut self, options: Option<SchedulerOptions>) -> Self {
        self.scheduler = options;
        self
    }

    /// Deliver webhooks in the background (default on).
    pub fn webhook_deliveries(mut self, on: bool) -> Self {
        self.deliveries = on;
        self
    }

    /// Mail alert digests through this mailer (default: no alert is mailed).
    pub fn alerts(mut self, mailer: relais_app::alerts::Mailer) -> Self {
        self.alerts = Some(mailer);
        self
    }

    /// Puts it together. Nothing runs until the routers are served and
    /// [`Relais::start_background`] is called.
    #[must_use]
    pub fn build(self) -> Relais {
        let router = crate::full_router(
            Arc::clone(&self.app),
            self.config.clone(),
            self.console,
            self.sign_in.clone(),
        );
        Relais {
            app: self.app,
            config: self.config,
            router,
            console: self.console,
            scheduler: self.scheduler,
            deliveries: self.deliveries,
            alerts: self.alerts,
        }
    }
}

/// Relais's HTTP surface and background work, built by [`Relais::builder`].
///
/// The routers share one state (throttles, console sessions): take them
/// from one `Relais` and clone them freely.
pub struct Relais {
    app: Arc<App>,
    config: ServerConfig,
    router: Router,
    console: bool,
    scheduler: Option<SchedulerOptions>,
    deliveries: bool,
    alerts: Option<relais_app::alerts::Mailer>,
}

impl fmt::Debug for Relais {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relais")
            .field("config", &self.config)
            .field("scheduler", &self.scheduler)
            .field("deliveries", &self.deliveries)
            .field("alerts", &self.alerts.is_some())
            .finish_non_exhaustive()
    }
}

/// Where a router handed out by [`Relais`] is mounted: what the host's
/// `nest` took off the path, and the path Relais's own routes start with.
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    /// The host's prefix (`/integrations`), empty at the root.
    pub prefix: String,
    /// Relais's own prefix the router stands for (`/api`, `/v1`).
    pub base: &'static str,
}

impl Relais {
    /// A builder for `app`, with the `relais-server` binary's defaults:
    /// public catalog, console on (with the `console` feature), scheduler every 20 s keeping entries
    /// 30 days, webhook deliveries on, no e-mail alerts.
    pub fn builder(app: Arc<App>) -> RelaisBuilder {
        RelaisBuilder {
            app,
            config: ServerConfig::default(),
            console: crate::console::BUILT,
            sign_in: None,
            scheduler: Some(SchedulerOptions::default()),
            deliveries: true,
            alerts: None,
        }
    }

    /// The use cases behind the routers.
    #[must_use]
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// The settings the routers were built with.
    #[must_use]
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Everything at Relais's own paths, as the binary serves it: the
    /// admin API under `/api`, the public API under `/v1`, the recruiting
    /// APIs, the console under `/console` (when on), `/healthz` and
    /// `/readyz`. Serve it at the root of a host.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The admin API (Relais's `/api/...`) for the host to nest under a
    /// prefix of its own: `nest("/integrations", relais.admin_api())`
    /// serves `/api/connections` as `/integrations/connections`. Its
    /// OpenAPI document (`<prefix>/openapi.json`) names the prefix as its
    /// server.
    pub fn admin_api(&self) -> Router {
        mounted(self.router.clone(), "/api")
    }

    /// The public API (Relais's `/v1/...`, the modelled HRIS's shapes) for
    /// the host to nest under a prefix of its own: `nest("/api/public",
    /// relais.public_api())` serves `/v1/company/employees` as
    /// `/api/public/company/employees`, so API clients take
    /// `https://host/api/public` as their base URL.
    pub fn public_api(&self) -> Router {
        mounted(self.router.clone(), "/v1")
    }

    /// Relais's liveness and readiness probes, `/healthz` and `/readyz`
    /// (the readiness one asks the database), to merge at the root of the
    /// host or to nest under a prefix of its own (`nest("/relais",
    /// relais.health())` serves `/relais/readyz`): without the APIs that
    /// [`Relais::router`] would also bring.
    pub fn health(&self) -> Router {
        // As a plain service: axum refuses a `Router` in `route_service`.
        let service = tower::ServiceExt::map_request(self.router.clone(), |r: Request| r);
        Router::new()
            .route_service("/healthz", service.clone())
            .route_service("/readyz", service)
    }

    /// The web console, when it is on: its pages link to `/console/...`,
    /// so merge it at the root of the host (`merge(console)`), not under a
    /// prefix. It signs people in with Relais's own sessions.
    #[must_use]
    pub fn console(&self) -> Option<Router> {
        let base = crate::console::BASE;
        self.console.then(|| {
            // As a plain service: axum refuses a `Router` in `route_service`.
            let service = tower::ServiceExt::map_request(self.router.clone(), |r: Request| r);
            Router::new()
                .route_service(base, service.clone())
                .route_service(&format!("{base}/{{*rest}}"), service)
        })
    }

    /// Starts the background work the builder asked for, on the current
    /// tokio runtime: the sync scheduler, webhook deliveries, e-mail
    /// alerts. Call it once per process (several replicas on one
    /// PostgreSQL database may each run it).
    ///
    /// # Errors
    /// When the webhook client cannot be built.
    pub fn start_background(&self) -> Result<Background, relais_egress::EgressError> {
        let mut tasks = Vec::new();
        if let Some(options) = self.scheduler {
            tasks.push(crate::sync::spawn_scheduler(
                Arc::clone(&self.app),
                options.tick,
                options.retention_days,
            ));
        }
        if self.deliveries {
            tasks.push(crate::webhooks::deliveries_loop(Arc::clone(&self.app))?);
        }
        if let Some(mailer) = &self.alerts {
            tasks.push(crate::alerts_loop(Arc::clone(&self.app), mailer.clone()));
        }
        Ok(Background { tasks })
    }
}

/// The background loops [`Relais::start_background`] started: they run
/// until [`Background::stop`] or the end of the runtime.
#[derive(Debug)]
#[must_use = "dropping it leaves the loops running; keep it to stop them"]
pub struct Background {
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// How many loops run.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether no loop runs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Stops every loop (a sync cycle in flight finishes on its own task).
    pub fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

/// `path` (one of Relais's own) as the client sent it: under the host's
/// prefix when the router is mounted (`/api/nope` → `/integrations/nope`).
pub(crate) fn client_path(path: &str, mount: Option<&Mount>) -> String {
    match mount.and_then(|m| path.strip_prefix(m.base).map(|rest| (m, rest))) {
        Some((mount, rest)) => format!("{}{rest}", mount.prefix),
        None => path.to_owned(),
    }
}

/// `full` as a router for the host to nest: every request's path gets
/// `base` in front of what the host's prefix left (`/connections` →
/// `/api/connections`), so only Relais's routes under `base` are
/// reachable, and the prefix is noted for the OpenAPI document.
fn mounted(full: Router, base: &'static str) -> Router {
    let service = tower::ServiceExt::map_request(full, move |mut request: Request| {
        let path = request.uri().path().to_owned();
        let prefix = request
            .extensions()
            .get::<OriginalUri>()
            .and_then(|original| {
                original
                    .0
                    .path()
                    .strip_suffix(path.as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        let inner = if path == "/" || path.is_empty() {
            base.to_owned()
        } else {
            format!("{base}{path}")
        };
        let target = match request.uri().query() {
            Some(query) => format!("{inner}?{query}"),
            None => inner,
        };
        if let Ok(uri) = target.parse() {
            *request.uri_mut() = uri;
        }
        request.extensions_mut().insert(Mount { prefix, base });
        request
    });
    Router::new().fallback_service(service)
}
