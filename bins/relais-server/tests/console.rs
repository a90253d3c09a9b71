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
const KEY: &str = "9c1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";

struct World {
    base: String,
    app: Arc<App>,
    company: Company,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    world_with(relais_server::ServerConfig::default()).await
}

async fn world_with(config: relais_server::ServerConfig) -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(
        App::open(relais_store::testing::database_in(dir.path()))
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
            .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
    );
    let company = app
        .create_company("Acme", ADMIN, "Ana Admin")
        .unwrap()
        .company;
    app.set_password(&company, ADMIN, PASSWORD).unwrap();
    app.add_user(&company, VIEWER, "Vic Viewer", MarketplaceRight::View)
        .unwrap();
    app.set_password(&company, VIEWER, PASSWORD).unwrap();
    let base = common::serve(Arc::clone(&app), config).await;
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
    /// Sent with every request (e.g. `X-Forwarded-For`).
    forwarded_for: Option<String>,
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
            forwarded_for: None,
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
            .header(
                "x-forwarded-for",
                self.forwarded_for.clone().unwrap_or_default(),
            )
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
            .header(
                "x-forwarded-for",
                self.forwarded_for.clone().unwrap_or_default(),
            )
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
    for (i, next) in [
        "https://evil.example/",
        "//evil.example/console",
        "/console/\\evil.example",
        "/elsewhere",
        "javascript:alert(1)",
        "/console/\r\nSet-Cookie: relais_session=fixed",
    ]
    .into_iter()
    .enumerate()
    {
        // Two people, so that no e-mail reaches its sign-in budget.
        let who = if i % 2 == 0 { ADMIN } else { VIEWER };
        let mut visitor = Visitor::new(&w.base);
        let csrf = visitor.get("/console/sign-in").await.csrf();
        let page = visitor
            .post(
                "/console/sign-in",
                &[
                    ("email", who),
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

    // An e-mail no address can have is refused without touching anything.
    let huge = format!("{}@acme.example", "a".repeat(300_000));
    let page = visitor.sign_in(&huge, PASSWORD).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);

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

/// Ten wrong sign-ins for ten different e-mails from `first`, then one
/// from `second`: the statuses of the last two.
async fn per_address_budget(w: &World, first: &str, second: &str) -> (StatusCode, StatusCode) {
    let mut statuses = Vec::new();
    for (i, from) in std::iter::repeat_n(first, 11).chain([second]).enumerate() {
        let mut visitor = Visitor::new(&w.base);
        visitor.forwarded_for = Some(from.to_owned());
        let email = format!("nobody{i}@acme.example");
        statuses.push(visitor.sign_in(&email, "guess guess guess").await.status);
    }
    assert_eq!(&statuses[..10], [StatusCode::UNAUTHORIZED; 10]);
    (statuses[10], statuses[11])
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget() {
    let w = world_with(relais_server::ServerConfig {
        trust_proxy: true,
        ..relais_server::ServerConfig::default()
    })
    .await;
    // The proxy appends the address it saw; what the client wrote before
    // it does not count.
    let (eleventh, other) =
        per_address_budget(&w, "198.51.100.1, 203.0.113.7", "203.0.113.8").await;
    assert_eq!(eleventh, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(other, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forged_forwarded_for_escapes_nothing() {
    let w = world().await;
    let (eleventh, other) = per_address_budget(&w, "203.0.113.7", "203.0.113.8").await;
    assert_eq!(eleventh, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(other, StatusCode::TOO_MANY_REQUESTS);
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
async fn an_invitation_for_someone_without_the_right_sets_the_password_but_opens_nothing() {
    let w = world().await;
    let (_, issued) = w
        .app
        .invite(
            Caller::Operator,
            &w.company,
            "nora@acme.example",
            Some(("Nora None", MarketplaceRight::None)),
        )
        .unwrap();
    let path = format!("/console/invite/{}", issued.secret);
    let mut tab = Visitor::new(&w.base);
    let token = tab.get(&path).await.csrf();
    let password = "nora's password, long enough";
    let page = tab
        .post(
            &path,
            &[
                ("_csrf", &token),
                ("password", password),
                ("password_again", password),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.set_cookie("relais_session").is_none());
    assert!(page.body.contains("no right on Marketplace integrations"));
    // Given the right later, the password works.
    w.app
        .set_right(&w.company, "nora@acme.example", MarketplaceRight::View)
        .unwrap();
    assert_eq!(
        Visitor::new(&w.base)
            .sign_in("nora@acme.example", password)
            .await
            .status,
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

/// A SCIM connection (its target never called: no scheduler runs here)
/// with one finished run of `entries` entries written through the store;
/// entry 7's message starts like a spreadsheet formula, entry 9 is about a
/// group (the department "R&D <Labs>").
fn tracked_run(w: &World, entries: usize) -> (String, uuid::Uuid) {
    use relais_sync::{EntryStatus, SyncEntry, SyncRun, Trigger, UseCase};
    let by = Caller::Operator;
    let id = w
        .app
        .start_connection(by, &w.company, "scim-provisioning")
        .unwrap()
        .id;
    for (step, answers) in [
        (
            "target",
            serde_json::json!({"base_url": "http://127.0.0.1:9/v2", "bearer_token": "scim-token-for-console-tests-0123"}),
        ),
        (
            "matching",
            serde_json::json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440"}),
        ),
        (
            "confirm",
            serde_json::json!({"accept_data_processing": true}),
        ),
    ] {
        w.app
            .submit_wizard_step(by, &w.company, &id, step, answers.as_object().unwrap())
            .unwrap();
    }
    w.app.complete_wizard(by, &w.company, &id).unwrap();
    let store =
        relais_store::open(relais_store::testing::database_in(w._dir.path()).as_os_str()).unwrap();
    let run = SyncRun::start(
        id.parse().unwrap(),
        Trigger::Manual,
        relais_sync::Cycle::Full,
        chrono::Utc::now(),
    );
    store.start_run(w.company.id, &run, None).unwrap();
    let batch: Vec<SyncEntry> = (0..entries)
        .map(|k| SyncEntry {
            at: chrono::Utc::now(),
            employee_id: if k == 9 { 0 } else { (k % 50) as i64 + 1 },
            group: (k == 9).then(|| relais_sync::SyncGroup {
                kind: relais_sync::GroupKind::Department,
                id: 3,
                name: "R&D <Labs>".into(),
            }),
            use_case: UseCase::ALL[k % 4],
            status: if k % 5 == 0 {
                EntryStatus::Failed
            } else {
                EntryStatus::Success
            },
            message: if k == 7 {
                "=1+2 came back from the target".into()
            } else {
                format!("entry {k}")
            },
            response: None,
            changes: vec![],
        })
        .collect();
    store
        .advance_run(
            w.company.id,
            run.id,
            relais_store::RunProgress {
                entries: &batch,
                ..Default::default()
            },
            &mut |r| r.finish(None, chrono::Utc::now()),
        )
        .unwrap();
    (id, run.id)
}

#[tokio::test]
async fn a_runs_csv_holds_every_entry_and_formulas_stay_text() {
    let w = world().await;
    let (connection, run) = tracked_run(&w, 2_600);
    let mut admin = Visitor::signed_in(&w.base, ADMIN).await;
    let path = format!("/console/connections/{connection}/tracking/{run}/entries.csv");
    let csv_rows = |body: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(body.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let page = admin.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    // More than two chunks of a thousand: all there, in order, once.
    let rows = csv_rows(&page.body);
    assert_eq!(rows.len(), 2_600);
    assert_eq!(&rows[0][5], "entry 0");
    assert_eq!(&rows[2_599][5], "entry 2599");
    assert_eq!(&rows[7][5], "'=1+2 came back from the target");
    // The entry about a group names it instead of an employee.
    assert_eq!(&rows[9][1], "");
    assert_eq!(&rows[9][8], "department:3");
    assert_eq!(&rows[9][9], "R&D <Labs>");
    assert_eq!(&rows[8][8], "");

    // So do the run's page and the entry's page (escaped, not linked).
    let run_page = admin
        .get(&format!("/console/connections/{connection}/tracking/{run}"))
        .await;
    assert_eq!(run_page.status, StatusCode::OK);
    assert!(
        run_page.body.contains("Department R&#38;D &#60;Labs&#62;"),
        "{}",
        run_page.body
    );
    assert!(!run_page.body.contains("/employees/0\""));
    let group_entry = w
        .app
        .sync_entries(
            Caller::Operator,
            &w.company,
            &run.to_string(),
            &relais_store::EntryFilter::default(),
            relais_store::Window {
                offset: 9,
                limit: 1,
            },
        )
        .unwrap()
        .rows
        .remove(0);
    assert!(group_entry.entry.group.is_some());
    let entry_page = admin
        .get(&format!(
            "/console/connections/{connection}/tracking/{run}/entries/{}",
            group_entry.id
        ))
        .await;
    assert_eq!(entry_page.status, StatusCode::OK);
    assert!(
        entry_page
            .body
            .contains("Entry for the group R&#38;D &#60;Labs&#62;")
    );

    let failed = admin.get(&format!("{path}?status=failed")).await;
    let rows = csv_rows(&failed.body);
    assert_eq!(rows.len(), 520);
    assert!(rows.iter().all(|r| &r[4] == "failed"));

    // Another company's admin gets nothing of it.
    let other = w
        .app
        .create_company("Globex", "hank@globex.example", "Hank")
        .unwrap()
        .company;
    w.app
        .set_password(&other, "hank@globex.example", PASSWORD)
        .unwrap();
    let mut hank = Visitor::signed_in(&w.base, "hank@globex.example").await;
    assert_eq!(hank.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn recruiting_shows_jobs_applications_phases_and_files_of_the_company_only() {
    let w = world().await;
    let spec = relais_people::demo::DemoSpec {
        employees: 5,
        months: 1,
        seed: 3,
        until: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    };
    w.app
        .generate_demo(&w.company, spec, false, &mut |_| {})
        .unwrap();
    let mut viewer = Visitor::signed_in(&w.base, VIEWER).await;
    let jobs = viewer.get("/console/recruiting").await;
    assert_eq!(jobs.status, StatusCode::OK);
    assert!(jobs.body.contains("Backend Engineer (m/w/d)"));
    assert!(jobs.body.contains("/jobs/acme/xml"));
    assert!(jobs.body.contains("aria-current=\"page\""));
    let list = viewer.get("/console/recruiting/applications").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.body
            .matches("/console/recruiting/applications/")
            .count(),
        50
    );
    let next = list
        .body
        .split("href=\"")
        .find(|s| s.starts_with("/console/recruiting/applications?cursor="))
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .expect("a next page");
    let second = viewer.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("First page"));
    let one = viewer.get("/console/recruiting/applications/1").await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("Unassigned"), "the first phase");
    assert!(one.body.contains("@applicant.example"));
    for missing in [
        "/console/recruiting/applications/99999",
        "/console/recruiting/applications/x",
    ] {
        assert_eq!(
            viewer.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    // In German, too.
    let german = viewer
        .client
        .get(format!("{}/console/recruiting", w.base))
        .header(header::COOKIE, viewer.cookie_header())
        .header(header::ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(german.contains("Stellen") || german.contains("Recruiting"));
}

#[tokio::test]
async fn an_admin_adds_a_webhook_endpoint_sees_its_secret_once_and_its_deliveries() {
    let w = world().await;
    let mut admin = Visitor::signed_in(&w.base, ADMIN).await;
    let page = admin.get("/console/settings/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No endpoint yet"), "{}", page.body);
    let token = admin.get("/console/settings/webhooks/new").await.csrf();
    // A private address is refused, with the form kept.
    let refused = admin
        .post(
            "/console/settings/webhooks",
            &[
                ("_csrf", &token),
                ("url", "http://10.0.0.7/hook"),
                ("event", "sync_run.finished"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
    assert!(refused.body.contains("http://10.0.0.7/hook"));
    let created = admin
        .post(
            "/console/settings/webhooks",
            &[
                ("_csrf", &token),
                ("url", "https://hooks.example.com/relais?token=abc"),
                ("description", "On-call <script>"),
                ("event", "sync_run.finished"),
                ("event", "credential.created"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let secret = created
        .body
        .split("value=\"")
        .find_map(|rest| rest.split('"').next().filter(|v| v.starts_with("whsec_")))
        .unwrap()
        .to_owned();
    let list = admin.get("/console/settings/webhooks").await;
    assert!(
        list.body
            .contains("https://hooks.example.com/relais?token=abc")
    );
    assert!(
        list.body.contains("On-call &#60;script&#62;")
            || list.body.contains("On-call &lt;script&gt;"),
        "escaped: {}",
        list.body
    );
    assert!(!list.body.contains("On-call <script>"));
    assert!(!list.body.contains(&secret), "the secret is shown once");
    let id = w
        .app
        .webhooks(Caller::Operator, &w.company)
        .unwrap()
        .remove(0)
        .id
        .to_string();
    // A change is an event: its delivery shows in the endpoint's log.
    w.app
        .create_credential(
            Caller::Operator,
            &w.company,
            relais_app::CredentialInput {
                name: "Payroll".into(),
                ..relais_app::CredentialInput::default()
            },
        )
        .unwrap();
    let endpoint = admin.get(&format!("/console/settings/webhooks/{id}")).await;
    assert_eq!(endpoint.status, StatusCode::OK);
    assert!(
        endpoint.body.contains("credential.created"),
        "{}",
        endpoint.body
    );
    assert!(endpoint.body.contains("Pending"));
    assert!(!endpoint.body.contains(&secret));
    let token = endpoint.csrf();
    let disabled = admin
        .post(
            &format!("/console/settings/webhooks/{id}/enabled"),
            &[("_csrf", &token), ("enabled", "false")],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert!(
        !w.app
            .webhook(Caller::Operator, &w.company, &id)
            .unwrap()
            .enabled
    );
    let rotated = admin
        .post(
            &format!("/console/settings/webhooks/{id}/rotate"),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert!(rotated.body.contains("whsec_") && !rotated.body.contains(&secret));
    // A viewer may not see or change endpoints.
    let mut viewer = Visitor::signed_in(&w.base, VIEWER).await;
    assert_eq!(
        viewer.get("/console/settings/webhooks").await.status,
        StatusCode::FORBIDDEN
    );
    let removed = admin
        .post(
            &format!("/console/settings/webhooks/{id}/delete"),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(
        w.app
            .webhooks(Caller::Operator, &w.company)
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_admin_pauses_and_resumes_a_scim_connections_schedule() {
    let w = world().await;
    let id = common::answer_scim_wizard(
        &w.app,
        &w.company,
        "http://127.0.0.1:9/v2",
        serde_json::json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "60"}),
    );
    w.app
        .complete_wizard(Caller::Operator, &w.company, &id)
        .unwrap();
    let mut admin = Visitor::signed_in(&w.base, ADMIN).await;
    let page = admin.get(&format!("/console/connections/{id}")).await;
    assert!(page.body.contains("Pause the schedule"), "{}", page.body);
    let token = page.csrf();
    let paused = admin
        .post(
            &format!("/console/connections/{id}/schedule"),
            &[("_csrf", &token), ("paused", "true")],
        )
        .await;
    assert_eq!(paused.status, StatusCode::SEE_OTHER);
    let page = admin.get(paused.location()).await;
    assert!(
        page.body.contains("The schedule is paused"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Resume the schedule"));
    assert!(
        page.body.contains("Schedule paused"),
        "the audit trail says so"
    );
    let resumed = admin
        .post(
            &format!("/console/connections/{id}/schedule"),
            &[("_csrf", &token), ("paused", "false")],
        )
        .await;
    assert_eq!(resumed.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/console/connections/{id}")).await;
    assert!(page.body.contains("Pause the schedule"));
    // A viewer cannot.
    let mut viewer = Visitor::signed_in(&w.base, VIEWER).await;
    let token = viewer
        .get(&format!("/console/connections/{id}"))
        .await
        .csrf();
    let refused = viewer
        .post(
            &format!("/console/connections/{id}/schedule"),
            &[("_csrf", &token), ("paused", "true")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
