//! The web console: the Marketplace, connections, the Tracking tab, API
//! credentials, reports and people, as server-rendered pages under
//! `/console`, served by `relais-server` on its own port.
//!
//! One module per screen, templates as files (`templates/console/`,
//! auto-escaped by askama), assets compiled into the binary. Every page
//! works without JavaScript; the vendored htmx and a small script of ours
//! only enhance (filter as you type, a copy button). Handlers call `App`
//! only, with the same rules as the APIs. Every state-changing form carries
//! a CSRF token derived from the session; every answer carries a strict
//! Content-Security-Policy (no inline script) and `no-store`.

mod assets;
mod auth;
mod connections;
mod credentials;
pub(crate) mod i18n;
mod marketplace;
mod people;
mod recruiting;
mod reports;
mod requests;
mod tracking;
mod webhooks;

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use relais_access::{MarketplaceRight, Session};
use relais_app::{Actor, AppError, ErrorKind};

use crate::{Shared, blocking_cancellable};
use i18n::{Locale, Tr, negotiate};

/// Where the console lives.
pub(crate) const BASE: &str = "/console";

/// This build has the console (the `console` feature).
pub(crate) const BUILT: bool = true;

/// The session cookie: HttpOnly, SameSite=Lax, Secure when configured.
const SESSION_COOKIE: &str = "relais_session";
/// The pre-session CSRF cookie of the sign-in and invitation forms.
const PRESESSION_COOKIE: &str = "relais_csrf";
const LANGUAGE_COOKIE: &str = "relais_lang";
const THEME_COOKIE: &str = "relais_theme";

/// Settings of the console.
#[derive(Debug, Clone, Default)]
pub struct ConsoleConfig {
    /// Mark cookies `Secure` (when Relais is served over HTTPS, e.g. behind
    /// a TLS proxy).
    pub secure_cookies: bool,
}

/// What the console keeps between requests besides the database: the
/// sign-in throttle, and the bound on password hashing at once.
#[derive(Debug)]
pub(crate) struct ConsoleState {
    sign_ins_by_source: DefaultKeyedRateLimiter<IpAddr>,
    sign_ins_by_email: DefaultKeyedRateLimiter<String>,
    /// Each password check takes 19 MiB and tens of milliseconds of a
    /// core (argon2id): at most this many run at once, the rest wait.
    pub(crate) password_checks: tokio::sync::Semaphore,
    secure_cookies: bool,
}

impl ConsoleState {
    pub(crate) fn new(config: &ConsoleConfig) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            // Ten tries a minute per address, five per e-mail: enough for
            // typos, far too few to guess a password of twelve characters.
            sign_ins_by_source: RateLimiter::keyed(per_minute(10)),
            sign_ins_by_email: RateLimiter::keyed(per_minute(5)),
            password_checks: tokio::sync::Semaphore::new(4),
            secure_cookies: config.secure_cookies,
        }
    }

    /// Whether a sign-in from `source` for `email` is within the budgets
    /// (and spends them). IPv6 addresses count by their /64: one
    /// subscriber's network, not its 2^64 addresses, gets one budget.
    pub(crate) fn may_try_sign_in(&self, source: IpAddr, email: &str) -> bool {
        // Forget idle keys now and then, so that the tables do not grow
        // with every address and e-mail ever tried.
        for len in [self.sign_ins_by_source.len(), self.sign_ins_by_email.len()] {
            if len > 10_000 {
                self.sign_ins_by_source.retain_recent();
                self.sign_ins_by_email.retain_recent();
            }
        }
        let source = match source {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(std::net::Ipv6Addr::from(
                    u128::from(v6) & !((1_u128 << 64) - 1),
                )),
            },
            v4 @ IpAddr::V4(_) => v4,
        };
        self.sign_ins_by_source.check_key(&source).is_ok()
            && self
                .sign_ins_by_email
                .check_key(&email.to_lowercase())
                .is_ok()
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(|| async { Redirect::to(&format!("{BASE}/")) }))
        .route(&format!("{BASE}/"), get(home))
        .route(&format!("{BASE}/preferences"), post(preferences))
        .merge(assets::routes())
        .merge(auth::routes())
        .merge(marketplace::routes())
        .merge(connections::routes())
        .merge(tracking::routes())
        .merge(credentials::routes())
        .merge(webhooks::routes())
        .merge(reports::routes())
        .merge(recruiting::routes())
        .merge(people::routes())
        .merge(requests::routes())
        // Any other address under the console: a page saying so, not the
        // API's problem JSON.
        .route(&format!("{BASE}/{{*rest}}"), axum::routing::any(no_page))
        .layer(axum::middleware::map_response(security_headers))
}

async fn no_page(prefs: Prefs, headers: HeaderMap) -> Response {
    error_page(
        prefs,
        request_id(&headers),
        StatusCode::NOT_FOUND,
        &prefs.tr.t("error-no-page"),
    )
}

async fn home(person: Person) -> Redirect {
    let _ = person;
    Redirect::to(&format!("{BASE}/marketplace"))
}

/// Headers of every console answer: a strict CSP (scripts from this origin
/// only, no inline script, no framing), no sniffing, no referrer to other
/// sites, and no caching of pages (they hold company data).
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("Cookie, HX-Request"));
    response
}

// ----- Preferences: language and theme ----------------------------------

/// The colour theme a person chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Theme {
    /// Follow the system (`prefers-color-scheme`).
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    fn from_cookie(value: Option<&str>) -> Self {
        match value {
            Some("light") => Self::Light,
            Some("dark") => Self::Dark,
            _ => Self::System,
        }
    }

    pub(crate) fn value(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// A request's language and theme.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prefs {
    pub tr: Tr,
    pub theme: Theme,
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .map(|c| (c.name().to_owned(), c.value().to_owned()))
        .collect()
}

fn prefs_of(headers: &HeaderMap) -> Prefs {
    let jar = cookies(headers);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Prefs {
        tr: Tr::new(negotiate(
            jar.get(LANGUAGE_COOKIE).map(String::as_str),
            accept,
        )),
        theme: Theme::from_cookie(jar.get(THEME_COOKIE).map(String::as_str)),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Prefs {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(prefs_of(&parts.headers))
    }
}

/// `POST /console/preferences`: sets the language or the theme (a cookie
/// for a year) and goes back. Not a state change of the company: no CSRF
/// token needed, and it works signed out too.
async fn preferences(
    axum::extract::State(s): axum::extract::State<Shared>,
    form: PlainForm,
) -> Response {
    let mut response =
        Redirect::to(&local_path(form.get("back").unwrap_or_default())).into_response();
    let secure = s.console.secure_cookies;
    if let Some(locale) = form.get("lang").and_then(Locale::from_tag) {
        set_cookie(
            &mut response,
            LANGUAGE_COOKIE,
            locale.tag(),
            Some(365),
            secure,
        );
    }
    if let Some(theme) = form.get("theme") {
        let theme = Theme::from_cookie(Some(theme));
        set_cookie(
            &mut response,
            THEME_COOKIE,
            theme.value(),
            Some(365),
            secure,
        );
    }
    response
}

/// A path of this console to go back to, never another site.
pub(crate) fn local_path(path: &str) -> String {
    // Visible ASCII only: anything else cannot be a Location header.
    if path.starts_with(BASE)
        && !path.starts_with("//")
        && !path.contains("://")
        && !path.contains('\\')
        && path.bytes().all(|b| b.is_ascii_graphic())
        && path.len() <= 2000
    {
        path.to_owned()
    } else {
        format!("{BASE}/")
    }
}

fn set_cookie(response: &mut Response, name: &str, value: &str, days: Option<i64>, secure: bool) {
    let mut cookie = cookie::Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure);
    if let Some(days) = days {
        cookie = cookie.max_age(cookie::time::Duration::days(days));
    }
    if let Ok(value) = HeaderValue::from_str(&cookie.build().to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn clear_cookie(response: &mut Response, name: &str, secure: bool) {
    set_cookie(response, name, "", Some(0), secure);
}

// ----- The signed-in person ----------------------------------------------

/// The person behind a request's console session. Without a live session
/// the request is sent to the sign-in page (which brings them back).
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub actor: Actor,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    pub prefs: Prefs,
    /// The path and query of the request (to come back to).
    pub path: String,
    /// The session cookie's value (never rendered; for signing out).
    session: String,
}

impl Person {
    pub(crate) fn can_view(&self) -> bool {
        self.actor.user.marketplace_right >= MarketplaceRight::View
    }

    pub(crate) fn can_edit(&self) -> bool {
        self.actor.user.marketplace_right >= MarketplaceRight::Edit
    }

    pub(crate) fn tr(&self) -> Tr {
        self.prefs.tr
    }
}

fn path_and_query(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned())
}

impl FromRequestParts<Shared> for Person {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Response> {
        let path = path_and_query(parts);
        let to_sign_in = || {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            Redirect::to(&format!("{BASE}/sign-in?next={next}")).into_response()
        };
        let Some(secret) = cookies(&parts.headers).remove(SESSION_COOKIE) else {
            return Err(to_sign_in());
        };
        let lookup = secret.clone();
        match crate::blocking(&shared.app, move |app| app.session_actor(&lookup)).await {
            Ok(actor) => Ok(Self {
                actor,
                csrf: Session::csrf_token(&secret),
                prefs: prefs_of(&parts.headers),
                path,
                session: secret,
            }),
            Err(problem) if problem.status == 401 => Err(to_sign_in()),
            Err(problem) => Err(error_page(
                prefs_of(&parts.headers),
                request_id(&parts.headers),
                StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &problem.message,
            )),
        }
    }
}

// ----- Forms ---------------------------------------------------------------

/// A form body (`application/x-www-form-urlencoded`), as name/value pairs
/// in order (checkboxes repeat names).
#[derive(Debug, Clone, Default)]
pub(crate) struct PlainForm(Vec<(String, String)>);

impl PlainForm {
    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for PlainForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let prefs = prefs_of(request.headers());
        let id = request_id(request.headers());
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| error_page(prefs, id, e.status(), &e.body_text()))?;
        Ok(Self(
            url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

/// A state-changing form of a signed-in person: the session's CSRF token
/// must come with it, else the request is refused (403) and nothing changes.
#[derive(Debug, Clone)]
pub(crate) struct Form {
    pub person: Person,
    pub fields: PlainForm,
}

impl FromRequest<Shared> for Form {
    type Rejection = Response;

    async fn from_request(request: Request, shared: &Shared) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let person = Person::from_request_parts(&mut parts, shared).await?;
        let id = request_id(&parts.headers);
        let fields = PlainForm::from_request(Request::from_parts(parts, body), shared).await?;
        // The person's token was derived from this request's session
        // cookie: a form from a page of another session (or another site)
        // does not carry it.
        let token = fields.get("_csrf").unwrap_or_default();
        if !constant_time_eq(token, &person.csrf) {
            return Err(error_page(
                person.prefs,
                id,
                StatusCode::FORBIDDEN,
                &person.tr().t("error-csrf"),
            ));
        }
        Ok(Self { person, fields })
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

// ----- Pages -----------------------------------------------------------------

/// Which part of the console a page belongs to (the navigation's current item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Marketplace,
    Connections,
    Credentials,
    Webhooks,
    Reports,
    Recruiting,
    People,
    Requests,
    None,
}

/// What every page's frame needs.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub tr: Tr,
    pub theme: Theme,
    pub title: String,
    pub nav: Nav,
    pub person: Option<PersonView>,
    pub csrf: String,
    /// The current path, to come back to after a preference change.
    pub back: String,
    pub base: &'static str,
    pub notice: Option<Notice>,
}

/// The signed-in person, as the frame shows them.
#[derive(Debug, Clone)]
pub(crate) struct PersonView {
    pub name: String,
    pub company: String,
    pub right: String,
}

/// A message at the top of a page, after an action.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub text: String,
    /// `ok`, `warn`, `bad` or `` (information).
    pub kind: &'static str,
}

impl Layout {
    /// The frame of a signed-in person's page.
    pub(crate) fn of(person: &Person, nav: Nav, title: String) -> Self {
        let tr = person.tr();
        let right = match person.actor.user.marketplace_right {
            MarketplaceRight::Edit => tr.t("right-edit"),
            MarketplaceRight::View => tr.t("right-view"),
            MarketplaceRight::None => tr.t("right-none"),
        };
        Self {
            tr,
            theme: person.prefs.theme,
            title,
            nav,
            person: Some(PersonView {
                name: person.actor.user.name.clone(),
                company: person.actor.company.name.clone(),
                right,
            }),
            csrf: person.csrf.clone(),
            back: person.path.clone(),
            base: BASE,
            notice: notice_of(tr, &person.path),
        }
    }

    /// The frame of a page for someone not signed in.
    pub(crate) fn anonymous(prefs: Prefs, title: String, back: &str) -> Self {
        Self {
            tr: prefs.tr,
            theme: prefs.theme,
            title,
            nav: Nav::None,
            person: None,
            csrf: String::new(),
            back: back.to_owned(),
            base: BASE,
            notice: None,
        }
    }

    /// The message `id` in the page's language.
    pub(crate) fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// `<html data-theme>`: only for a chosen theme; none follows the system.
    pub(crate) fn theme_attr(&self) -> Option<&'static str> {
        match self.theme {
            Theme::System => None,
            other => Some(other.value()),
        }
    }

    pub(crate) fn color_scheme(&self) -> &'static str {
        match self.theme {
            Theme::System => "light dark",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Whether the page belongs to the navigation item `key`.
    pub(crate) fn current(&self, key: &str) -> bool {
        let current = match self.nav {
            Nav::Marketplace => "marketplace",
            Nav::Connections => "connections",
            Nav::Credentials => "credentials",
            Nav::Webhooks => "webhooks",
            Nav::Reports => "reports",
            Nav::Recruiting => "recruiting",
            Nav::People => "people",
            Nav::Requests => "requests",
            Nav::None => "",
        };
        current == key
    }

    pub(crate) fn locales(&self) -> [Locale; 3] {
        Locale::ALL
    }

    pub(crate) fn assets_version(&self) -> &'static str {
        assets::fingerprint()
    }
}

/// The notices a page may show after a redirect (`?notice=…`); anything
/// else in that parameter is ignored.
const NOTICES: [&str; 25] = [
    "password-set",
    "demo-requested",
    "integration-requested",
    "connected",
    "pending",
    "deactivated",
    "reactivated",
    "disconnected",
    "sync-started",
    "credential-created",
    "credential-updated",
    "credential-rotated",
    "credential-revoked",
    "user-invited",
    "right-changed",
    "user-removed",
    "step-saved",
    "signed-out",
    "token-revoked",
    "report-ready",
    "webhook-updated",
    "webhook-deleted",
    "webhook-redelivered",
    "schedule-paused",
    "schedule-resumed",
];

fn notice_of(tr: Tr, path: &str) -> Option<Notice> {
    let query = path.split_once('?')?.1;
    let key = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "notice")
        .map(|(_, v)| v.into_owned())?;
    NOTICES.contains(&key.as_str()).then(|| Notice {
        text: tr.t(&format!("notice-{key}")),
        kind: "ok",
    })
}

/// Renders a page with a status.
pub(crate) fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a console page did not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

/// A page's answer: the page, or an error page.
pub(crate) type PageResult = Result<Response, Response>;

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: String,
    message: String,
    request_id: String,
}

pub(crate) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .chars()
        .take(64)
        .collect()
}

/// An error page, carrying the request id a person can quote.
pub(crate) fn error_page(
    prefs: Prefs,
    request_id: String,
    status: StatusCode,
    message: &str,
) -> Response {
    let tr = prefs.tr;
    let heading = match status {
        StatusCode::NOT_FOUND => tr.t("error-not-found"),
        StatusCode::FORBIDDEN => tr.t("error-forbidden"),
        StatusCode::CONFLICT => tr.t("error-conflict"),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => tr.t("error-bad-request"),
        StatusCode::PAYLOAD_TOO_LARGE => tr.t("error-too-large"),
        StatusCode::SERVICE_UNAVAILABLE => tr.t("error-not-configured"),
        s if s.is_server_error() => tr.t("error-internal"),
        _ => tr.t("error-generic"),
    };
    let message = if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
        tr.t("error-internal-text")
    } else {
        message.to_owned()
    };
    render(
        status,
        &ErrorPage {
            layout: Layout::anonymous(prefs, heading.clone(), "/console/"),
            status: status.as_u16(),
            heading,
            message,
            request_id,
        },
    )
}

/// The error page of a person's request that a use case refused.
pub(crate) fn app_error(person: &Person, error: &AppError) -> Response {
    let status = match error.kind() {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => {
            tracing::error!(error = %error, "internal error in the console");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    error_page(person.prefs, "-".into(), status, &error.to_string())
}

#[derive(Template)]
#[template(path = "console/no_right.html")]
struct NoRightPage {
    layout: Layout,
    needed: String,
}

/// The page for a person without the right a page needs, naming it.
pub(crate) fn no_right(person: &Person, needed: MarketplaceRight) -> Response {
    let tr = person.tr();
    let needed = match needed {
        MarketplaceRight::Edit => tr.t("right-edit"),
        _ => tr.t("right-view"),
    };
    render(
        StatusCode::FORBIDDEN,
        &NoRightPage {
            layout: Layout::of(person, Nav::None, tr.t("no-right-title")),
            needed,
        },
    )
}

/// Runs a use case for a person off the async threads; its refusal
/// becomes the person's error page.
pub(crate) async fn run<T, F>(shared: &Shared, person: &Person, work: F) -> Result<T, Response>
where
    F: FnOnce(&relais_app::App, relais_app::Caller<'_>) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let actor = person.actor.clone();
    blocking_cancellable(&shared.app, move |app, _| {
        work(app, relais_app::Caller::User(&actor))
    })
    .await
    .map_err(|e| app_error(person, &e))
}

/// A redirect after a successful form (303, so the browser GETs the page).
pub(crate) fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// Percent-encodes a value for a query string.
pub(crate) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_network_gets_one_sign_in_budget_not_one_per_address() {
        let state = ConsoleState::new(&ConsoleConfig::default());
        let address = |text: &str| text.parse::<IpAddr>().unwrap();
        for n in 0..10 {
            let from = address(&format!("2001:db8:0:7::{n:x}"));
            assert!(state.may_try_sign_in(from, &format!("u{n}@acme.example")));
        }
        assert!(!state.may_try_sign_in(address("2001:db8:0:7::ffff"), "x@acme.example"));
        assert!(state.may_try_sign_in(address("2001:db8:0:8::1"), "y@acme.example"));
        // IPv4 seen as IPv6 (dual stack) counts as the IPv4 address.
        for n in 0..10 {
            assert!(state.may_try_sign_in(address("::ffff:192.0.2.7"), &format!("v{n}@a.example")));
        }
        assert!(!state.may_try_sign_in(address("192.0.2.7"), "z@acme.example"));
    }

    #[test]
    fn only_console_paths_of_visible_ascii_are_gone_back_to() {
        assert_eq!(
            local_path("/console/connections?status=connected"),
            "/console/connections?status=connected"
        );
        for path in [
            "https://evil.example",
            "//evil.example",
            "/console/\r\nX: y",
            "/console/é",
            "/api/me",
        ] {
            assert_eq!(local_path(path), "/console/", "{path:?}");
        }
    }
}
