//! The console's rules over real HTTP, without a browser: who gets in, what
//! every answer carries, which forms are refused, and when a session ends.
//! (The journeys themselves run in Chromium: `console_browser.rs`.)

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use relais_access::{Company, MarketplaceRight};
use relais_app::{App, Caller};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

const ADMIN: &str = "admin@acme.example";
const VIEWER: &str = "vic@acme.example";
const PASSWORD: &str = "a long enough password, 2026";

struct World {
    base: String,
    app: Arc<App>,
    company: Company,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(&dir.path().join("relais.db")).unwrap());
    let company = app
        .create_company("Acme", ADMIN, "Ana Admin")
        .unwrap()
        .company;
    app.set_password(&company, ADMIN, PASSWORD).unwrap();
    app.add_user(&company, VIEWER, "Vic Viewer", MarketplaceRight::View)
        .unwrap();
    app.set_password(&company, VIEWER, PASSWORD).unwrap();
    let base = common::serve(Arc::clone(&app), relais_server::ServerConfig::default()).await;
    World {
        base,
        app,
        company,
        _dir: dir,
    }
}

/// One browser's worth of state: its cookies, no automatic redirects.
struct Visitor {
    client: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The CSRF token of the page's forms.
    fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = start + self.body[start..].find('"').unwrap();
        self.body[start..end].to_owned()
    }

    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

impl Visitor {
    fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn keep(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(response).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(response).await
    }

    /// Signs in through the form; the page after the POST.
    async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/console/sign-in").await;
        let csrf = form.csrf();
        self.post(
            "/console/sign-in",
            &[
                ("email", email),
                ("password", password),
                ("_csrf", &csrf),
                ("next", "/console/marketplace"),
            ],
        )
        .await
    }

    async fn signed_in(base: &str, email: &str) -> Self {
        let mut visitor = Self::new(base);
        let page = visitor.sign_in(email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        visitor
    }
}

#[tokio::test]
async fn every_answer_carries_a_strict_policy_and_pages_are_not_cached() {
    let w = world().await;
    let mut visitor = Visitor::new(&w.base);
    for path in ["/console/sign-in", "/console/marketplace", "/console/nope"] {
        let page = visitor.get(path).await;
        assert!(
            page.headers.contains_key(header::CONTENT_SECURITY_POLICY),
            "{path}"
        );
        let csp = page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(page.headers[header::CACHE_CONTROL], "no-store", "{path}");
    }
    let missing = visitor.get("/console/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(missing.body.contains("There is no page at this address"));
    // The vendored assets may be cached: they are named by version.
    let page = visitor.get("/console/assets/console.css").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_ne!(page.headers[header::CACHE_CONTROL], "no-store");
    // No inline script anywhere in a page (the policy would block it).
    let page = visitor.get("/console/sign-in").await;
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(!page.body.contains(" onclick="));
}

#[tokio::test]
async fn without_a_session_pages_lead_to_sign_in_and_back() {
    let w = world().await;
    let mut visitor = Visitor::new(&w.base);
    let page = visitor.get("/console/connections?status=connected").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/console/sign-in?next=%2Fconsole%2Fconnections%3Fstatus%3Dconnected"
    );
    assert_eq!(visitor.get("/").await.location(), "/console/");

    let form = visitor
        .get("/console/sign-in?next=/console/connections")
        .await;
    assert!(form.body.contains("value=\"/console/connections\""));
    let csrf = form.csrf();
    let page = visitor
        .post(
            "/console/sign-in",
            &[
                ("email", ADMIN),
                ("password", PASSWORD),
                ("_csrf", &csrf),
                ("next", "/console/connections"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/console/connections");
    let cookie = page.set_cookie("relais_session").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !visitor.cookies.contains_key("relais_csrf"),
        "the pre-session token is spent"
    );
    assert_eq!(
        visitor.get("/console/connections").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn sign_in_never_sends_anyone_to_another_site() {
    let w = world().await;
    for next in [
        "https://evil.example/",
        "//evil.example/console",
        "/console/\\evil.example",
        "/elsewhere",
        "javascript:alert(1)",
    ] {
        let mut visitor = Visitor::new(&w.base);
        let csrf = visitor.get("/console/sign-in").await.csrf();
        let page = visitor
            .post(
                "/console/sign-in",
                &[
                    ("email", ADMIN),
                    ("password", PASSWORD),
                    ("_csrf", &csrf),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(page.location(), "/console/", "{next}");
    }
}

#[tokio::test]
async fn a_wrong_password_or_a_missing_form_token_opens_no_session() {
    let w = world().await;
    let mut visitor = Visitor::new(&w.base);
    let page = visitor.sign_in(ADMIN, "not the password at all").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.set_cookie("relais_session").is_none());
    // An unknown e-mail reads exactly like a wrong password.
    let unknown = visitor
        .sign_in("nobody@acme.example", "not the password at all")
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let message = |body: &str| {
        body.split("role=\"alert\"")
            .nth(1)
            .map(|s| s.chars().take(200).collect::<String>())
    };
    assert_eq!(message(&page.body), message(&unknown.body));

    // A sign-in form posted from elsewhere has no pre-session token.
    let mut stranger = Visitor::new(&w.base);
    let page = stranger
        .post(
            "/console/sign-in",
            &[("email", ADMIN), ("password", PASSWORD), ("_csrf", "x")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.set_cookie("relais_session").is_none());
}

#[tokio::test]
async fn guessing_is_throttled_per_e_mail() {
    let w = world().await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let mut visitor = Visitor::new(&w.base);
        statuses.push(visitor.sign_in(VIEWER, "guess guess guess").await.status);
    }
    assert_eq!(&statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(&statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    // Even the right password waits: the throttle comes before the check.
    let mut visitor = Visitor::new(&w.base);
    assert_eq!(
        visitor.sign_in(VIEWER, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Someone else is not held up by it.
    let mut admin = Visitor::new(&w.base);
    assert_eq!(
        admin.sign_in(ADMIN, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_form_without_the_sessions_token_changes_nothing() {
    let w = world().await;
    let mut admin = Visitor::signed_in(&w.base, ADMIN).await;
    let mut other = Visitor::signed_in(&w.base, ADMIN).await;
    let form = admin.get("/console/requests/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let other_token = other.get("/console/requests/new").await.csrf();
    assert_ne!(form.csrf(), other_token, "each session has its own token");

    let request = [
        ("name", "Acme Payroll Bridge"),
        ("use_case", "Payroll exports from our HRIS"),
    ];
    for token in [None, Some("forged"), Some(other_token.as_str())] {
        let mut fields = request.to_vec();
        if let Some(token) = token {
            fields.push(("_csrf", token));
        }
        let page = admin.post("/console/requests", &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "token {token:?}");
    }
    let count = || {
        w.app
            .integration_requests(Caller::Operator, Some(&w.company))
            .unwrap()
            .len()
    };
    assert_eq!(count(), 0, "a refused form stores nothing");

    let mut fields = request.to_vec();
    let token = form.csrf();
    fields.push(("_csrf", &token));
    let page = admin.post("/console/requests", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(count(), 1);
}

#[tokio::test]
async fn sign_out_ends_the_session_for_good() {
    let w = world().await;
    let mut admin = Visitor::signed_in(&w.base, ADMIN).await;
    let session = admin.cookies["relais_session"].clone();
    let token = admin.get("/console/marketplace").await.csrf();
    let page = admin.post("/console/sign-out", &[("_csrf", &token)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!admin.cookies.contains_key("relais_session"));
    // The old cookie, replayed, is worth nothing.
    admin.cookies.insert("relais_session".into(), session);
    let page = admin.get("/console/marketplace").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/console/sign-in"));
}

#[tokio::test]
async fn losing_the_right_or_the_account_ends_open_sessions_at_once() {
    let w = world().await;
    let mut viewer = Visitor::signed_in(&w.base, VIEWER).await;
    assert_eq!(
        viewer.get("/console/marketplace").await.status,
        StatusCode::OK
    );
    w.app
        .set_right(&w.company, VIEWER, MarketplaceRight::None)
        .unwrap();
    let page = viewer.get("/console/marketplace").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/console/sign-in"));
    // Without the right, signing in again opens nothing, and says why.
    let page = viewer.sign_in(VIEWER, PASSWORD).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.set_cookie("relais_session").is_none());
    assert!(page.body.contains("no right on Marketplace integrations"));

    w.app
        .set_right(&w.company, VIEWER, MarketplaceRight::View)
        .unwrap();
    let mut viewer = Visitor::signed_in(&w.base, VIEWER).await;
    w.app
        .remove_user(Caller::Operator, &w.company, VIEWER)
        .unwrap();
    let page = viewer.get("/console/marketplace").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/console/sign-in"));
}

#[tokio::test]
async fn a_viewer_sees_but_cannot_change() {
    let w = world().await;
    let mut viewer = Visitor::signed_in(&w.base, VIEWER).await;
    let page = viewer.get("/console/requests/new").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let token = viewer.get("/console/marketplace").await.csrf();
    let page = viewer
        .post(
            "/console/requests",
            &[
                ("_csrf", &token),
                ("name", "Lattice"),
                ("use_case", "Performance reviews"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = viewer
        .post(
            &format!("/console/settings/users/{VIEWER}/right"),
            &[("_csrf", &token), ("right", "edit")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let users = w.app.users(&w.company).unwrap();
    let vic = users.iter().find(|u| u.email == VIEWER).unwrap();
    assert_eq!(vic.marketplace_right, MarketplaceRight::View);
    assert!(
        w.app
            .integration_requests(Caller::Operator, Some(&w.company))
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn names_are_shown_as_text_never_run() {
    let w = world().await;
    w.app
        .add_user(
            &w.company,
            "mallory@acme.example",
            "<script>alert(1)</script>Mallory",
            MarketplaceRight::View,
        )
        .unwrap();
    let mut admin = Visitor::signed_in(&w.base, ADMIN).await;
    let page = admin.get("/console/settings/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;Mallory"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert(1)"));

    // An e-mail may hold characters that mean something in a path.
    w.app
        .add_user(
            &w.company,
            "pat/ops#1?x@acme.example",
            "Pat",
            MarketplaceRight::View,
        )
        .unwrap();
    let page = admin.get("/console/settings/users").await;
    let link = "/console/settings/users/pat%2Fops%231%3Fx%40acme.example/remove";
    assert!(page.body.contains(link), "{}", page.body);
    let confirm = admin.get(link).await;
    assert_eq!(confirm.status, StatusCode::OK);
    let token = confirm.csrf();
    let done = admin.post(link, &[("_csrf", &token)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        !w.app
            .users(&w.company)
            .unwrap()
            .iter()
            .any(|u| u.email.starts_with("pat/"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invitation_link_works_once_even_when_used_thirty_times_at_once() {
    let w = world().await;
    let (_, issued) = w
        .app
        .invite(
            Caller::Operator,
            &w.company,
            "new@acme.example",
            Some(("New Person", MarketplaceRight::View)),
        )
        .unwrap();
    let path = format!("/console/invite/{}", issued.secret);
    let password = "a brand new password for me";

    // Thirty tabs, each with the form loaded, submit at once.
    let mut tabs = Vec::new();
    for _ in 0..30 {
        let mut tab = Visitor::new(&w.base);
        let form = tab.get(&path).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("new@acme.example"));
        let token = form.csrf();
        tabs.push((tab, token));
    }
    let submits = tabs.into_iter().map(|(mut tab, token)| {
        let path = path.clone();
        tokio::spawn(async move {
            let page = tab
                .post(
                    &path,
                    &[
                        ("_csrf", token.as_str()),
                        ("password", password),
                        ("password_again", password),
                    ],
                )
                .await;
            (page.status, page.set_cookie("relais_session").is_some())
        })
    });
    let mut outcomes = Vec::new();
    for submit in submits {
        outcomes.push(submit.await.unwrap());
    }
    let accepted = outcomes
        .iter()
        .filter(|(status, session)| *status == StatusCode::SEE_OTHER && *session)
        .count();
    assert_eq!(accepted, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|(s, _)| *s == StatusCode::SEE_OTHER || *s == StatusCode::NOT_FOUND),
        "{outcomes:?}"
    );
    // The link is spent; the password works.
    let mut later = Visitor::new(&w.base);
    assert_eq!(later.get(&path).await.status, StatusCode::NOT_FOUND);
    let mut person = Visitor::new(&w.base);
    assert_eq!(
        person.sign_in("new@acme.example", password).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_invitation_wants_a_long_password_typed_twice() {
    let w = world().await;
    let (_, issued) = w
        .app
        .invite(Caller::Operator, &w.company, VIEWER, None)
        .unwrap();
    let path = format!("/console/invite/{}", issued.secret);
    let mut tab = Visitor::new(&w.base);
    let token = tab.get(&path).await.csrf();
    let page = tab
        .post(
            &path,
            &[
                ("_csrf", &token),
                ("password", "short"),
                ("password_again", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("12"), "names the minimum length");
    let token = page.csrf();
    let page = tab
        .post(
            &path,
            &[
                ("_csrf", &token),
                ("password", "a long enough one, first"),
                ("password_again", "a long enough one, second"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // Nothing was spent by the mistakes: the link still works.
    assert_eq!(tab.get(&path).await.status, StatusCode::OK);
    assert_eq!(
        Visitor::new(&w.base)
            .get("/console/invite/not-a-link")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
