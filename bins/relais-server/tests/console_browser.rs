//! The web console in a real browser: Debian's Chromium driven through
//! chromedriver (WebDriver, fantoccini), against the real server on a real
//! socket, with a real SCIM server (scim2-server) behind a connection.
//!
//! Journeys: sign in → search `slak` → open Slack → connect it through the
//! wizard → Connected; a SCIM connection's Tracking tab → a failed entry's
//! detail; a credential whose secret shows once and never again; a view
//! user who can change nothing (also by a forged POST); the same journeys
//! with JavaScript off; axe-core on every page in both themes. Every
//! screen is saved as a PNG in `target/console-screenshots/`.
//!
//! Without Chromium and chromedriver the tests say so and pass, unless
//! `RELAIS_REQUIRE_BROWSER=1` (as `.ci/run` sets it). axe-core comes from
//! the npm registry (`.ci/run` installs it; `RELAIS_AXE_JS` names the file).

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // Tests: a panic is the failure report.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use relais_access::MarketplaceRight;
use relais_app::{App, Caller};
use serde_json::{Value, json};

const KEY: &str = "9c1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";
const ADMIN: &str = "admin@acme.example";
const VIEWER: &str = "vic@acme.example";
const PASSWORD: &str = "a long enough password, 2026";
const SCIM_TOKEN: &str = "scim-token-for-console-tests-0123";

/// One browser at a time: the machine has two cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn require_browser() -> bool {
    std::env::var("RELAIS_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

fn on_path(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn axe_source() -> Option<String> {
    let path = std::env::var("RELAIS_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/axe/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            assert!(
                !require_browser(),
                "RELAIS_REQUIRE_BROWSER=1 but axe-core is not at {} (npm install axe-core)",
                path.display()
            );
            eprintln!(
                "SKIP axe checks: axe-core is not installed at {}",
                path.display()
            );
            None
        }
    }
}

struct Browser {
    driver: Child,
    client: Client,
    base: String,
    axe: Option<String>,
    /// Serious or critical accessibility violations found, by page.
    violations: Vec<String>,
}

impl Browser {
    /// A headless Chromium session, JavaScript on or off; `None` (with a
    /// SKIP line) when the browser is not installed here.
    async fn start(base: &str, javascript: bool) -> Option<Self> {
        let (chromium, driver) = (on_path("chromium"), on_path("chromedriver"));
        if !(chromium && driver) {
            assert!(
                !require_browser(),
                "RELAIS_REQUIRE_BROWSER=1 but the browser is missing: apt-get update && apt-get install -y chromium chromium-driver (chromium: {chromium}, chromedriver: {driver})"
            );
            eprintln!("SKIP console browser tests: chromium and chromedriver are not installed");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let profile = tempfile::tempdir().unwrap().keep();
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1280,1000".to_owned(),
            "--lang=en-US".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".to_owned());
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": "/usr/bin/chromium", "args": args}),
        );
        let mut client = None;
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Some(Self {
            driver,
            client: client.expect("a WebDriver session"),
            base: base.to_owned(),
            axe: if javascript { axe_source() } else { None },
            violations: Vec::new(),
        })
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        format!(
            "{}{}",
            url.path(),
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        )
    }

    async fn body(&self) -> String {
        // A page may be replaced while we read it (a redirect, a swap).
        for _ in 0..20 {
            if let Ok(body) = self.client.find(Locator::Css("body")).await
                && let Ok(text) = body.text().await
            {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.client.source().await.unwrap_or_default()
    }

    async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// Types into the input its label names.
    async fn fill(&self, label: &str, text: &str) {
        let label = self
            .client
            .find(Locator::XPath(&format!(
                "//label[normalize-space(.)={}]",
                xpath_text(label)
            )))
            .await
            .unwrap_or_else(|e| panic!("no label '{label}': {e}"));
        let id = label
            .attr("for")
            .await
            .unwrap()
            .expect("the label names its input");
        let input = self.client.find(Locator::Id(&id)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Ticks the checkbox whose label reads `label`.
    async fn tick(&self, label: &str) {
        self.client
            .find(Locator::XPath(&format!(
                "//label[normalize-space(.)={}]/input[@type='checkbox']",
                xpath_text(label)
            )))
            .await
            .unwrap_or_else(|e| panic!("no checkbox '{label}': {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks the button or link that reads `text`.
    async fn click(&self, text: &str) {
        let element = self
            .client
            .find(Locator::XPath(&format!(
                "//button[normalize-space(.)={t}] | //a[normalize-space(.)={t}]",
                t = xpath_text(text)
            )))
            .await
            .unwrap_or_else(|e| panic!("nothing reads '{text}' on {}: {e}", self.base));
        element.click().await.unwrap();
    }

    /// Clicks the button (not a link) that reads `text`.
    async fn press(&self, text: &str) {
        self.client
            .find(Locator::XPath(&format!(
                "//button[normalize-space(.)={}]",
                xpath_text(text)
            )))
            .await
            .unwrap_or_else(|e| panic!("no button '{text}': {e}"))
            .click()
            .await
            .unwrap();
    }

    async fn has(&self, text: &str) -> bool {
        self.body().await.contains(text)
    }

    /// Waits until the page holds `text` (htmx swaps, redirects).
    async fn wait_for(&self, text: &str) {
        for _ in 0..100 {
            if self.has(text).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "'{text}' never appeared on {}:\n{}",
            self.path().await,
            self.body().await
        );
    }

    /// Saves a screenshot of the whole page as `name-theme.png`, and checks
    /// the page with axe-core.
    async fn shot(&mut self, name: &str, theme: &str) {
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(1000);
        let width = self
            .client
            .execute("return window.outerWidth", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(1280);
        self.client
            .set_window_size(
                u32::try_from(width).unwrap(),
                u32::try_from((height + 160).clamp(700, 6000)).unwrap(),
            )
            .await
            .unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}-{theme}.png")), png).unwrap();
        self.client
            .set_window_size(u32::try_from(width).unwrap(), 1000)
            .await
            .unwrap();
        self.check_accessibility(&format!("{name} ({theme})")).await;
    }

    /// Runs axe-core (WCAG 2.0–2.2 A and AA) and records serious and critical violations.
    async fn check_accessibility(&mut self, page: &str) {
        let Some(axe) = &self.axe else { return };
        self.client
            .execute(&format!("{axe}\nreturn true;"), vec![])
            .await
            .unwrap();
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
                   .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        for violation in found.as_array().cloned().unwrap_or_default() {
            self.violations.push(format!(
                "{page}: {}",
                violation.as_str().unwrap_or_default()
            ));
        }
    }

    /// Screenshots (and axe) of the current page in both themes.
    async fn both_themes(&mut self, name: &str) {
        let path = self.path().await;
        self.set_theme("light").await;
        self.goto(&path).await;
        self.shot(name, "light").await;
        self.set_theme("dark").await;
        self.goto(&path).await;
        self.shot(name, "dark").await;
        self.set_theme("system").await;
        self.goto(&path).await;
    }

    /// Chooses a preference the way the switcher does (its form), so the
    /// server sets its cookie.
    async fn prefer(&self, name: &str, value: &str) {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch('/console/preferences', {method: 'POST', redirect: 'manual',
                   headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                   body: arguments[0] + '=' + arguments[1] + '&back=/console/'}).then(() => done(true));",
                vec![json!(name), json!(value)],
            )
            .await
            .unwrap();
    }

    async fn set_theme(&self, theme: &str) {
        self.prefer("theme", theme).await;
    }

    async fn sign_in(&self, email: &str) {
        if !self.path().await.starts_with("/console/sign-in") {
            self.goto("/console/sign-in").await;
        }
        self.fill("Work e-mail", email).await;
        self.fill("Password", PASSWORD).await;
        self.click("Sign in").await;
        self.wait_for("Sign out").await;
    }

    async fn close(mut self) -> Vec<String> {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        std::mem::take(&mut self.violations)
    }
}

fn xpath_text(text: &str) -> String {
    if text.contains('\'') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}

/// A SCIM service provider for the connection's Tracking tab.
struct Scim {
    child: Child,
    base: String,
}

impl Drop for Scim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_scim() -> Option<Scim> {
    use std::io::BufRead as _;
    let python = std::env::var("RELAIS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let program = PathBuf::from(&python)
        .parent()
        .map(|d| d.join("scim2-server"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("scim2-server"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(&program)
        .args([
            "--hostname",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--bearer-token",
            SCIM_TOKEN,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take()?)
        .read_line(&mut line)
        .ok()?;
    Some(Scim {
        child,
        base: format!("http://127.0.0.1:{port}/v2"),
    })
}

struct World {
    base: String,
    app: Arc<App>,
    company: relais_access::Company,
    scim_connection: Option<String>,
    _scim: Option<Scim>,
    _dir: tempfile::TempDir,
}

/// A company with people, an admin and a viewer who can sign in, the
/// example reports, a `<script>`-named employee and catalog entry, and —
/// when scim2-server is installed — a SCIM connection whose first run has a
/// failed entry.
async fn world() -> World {
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
    let spec = relais_people::demo::DemoSpec {
        employees: 30,
        months: 2,
        seed: 8,
        until: chrono::Utc::now().date_naive(),
    };
    app.generate_demo(&company, spec, false, &mut |_| {})
        .unwrap();
    app.set_password(&company, ADMIN, PASSWORD).unwrap();
    app.add_user(&company, VIEWER, "Vic Viewer", MarketplaceRight::View)
        .unwrap();
    app.set_password(&company, VIEWER, PASSWORD).unwrap();

    // Names that would run if they were not escaped.
    let mut catalog: Value = serde_json::from_str(&app.catalog().to_json().unwrap()).unwrap();
    let mut evil = catalog["integrations"][0].clone();
    evil["slug"] = json!("evil-tool");
    evil["name"] = json!("<script>window.pwned=1</script>Evil Tool");
    evil["short_description"] = json!("<img src=x onerror=\"window.pwned=2\"> careful");
    catalog["integrations"].as_array_mut().unwrap().push(evil);
    app.load_catalog("test.json", &catalog.to_string()).unwrap();
    {
        let store =
            relais_store::open(relais_store::testing::database_in(dir.path()).as_os_str()).unwrap();
        let mut employee = store.employees_by_id(company.id, &[1]).unwrap().remove(0);
        employee.first_name = "<script>window.pwned=3</script>Mallory".into();
        store.replace_employee(company.id, &employee).unwrap();
    }

    let scim = start_scim();
    let mut scim_connection = None;
    if let Some(target) = &scim {
        // Two target users carrying one employee's id: that employee's
        // link fails with "duplicate target entries".
        let client = reqwest::Client::new();
        for user in ["dup-one@elsewhere.example", "dup-two@elsewhere.example"] {
            client
                .post(format!("{}/Users", target.base))
                .bearer_auth(SCIM_TOKEN)
                .header("Content-Type", "application/scim+json")
                .body(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user, "externalId": "2"}).to_string())
                .send()
                .await
                .unwrap();
        }
        let by = Caller::Operator;
        let id = app
            .start_connection(by, &company, "scim-provisioning")
            .unwrap()
            .id;
        for (step, answers) in [
            (
                "target",
                json!({"base_url": target.base, "bearer_token": SCIM_TOKEN}),
            ),
            (
                "matching",
                json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440", "group_provisioning": "departments"}),
            ),
            ("confirm", json!({"accept_data_processing": true})),
        ] {
            app.submit_wizard_step(by, &company, &id, step, answers.as_object().unwrap())
                .unwrap();
        }
        app.complete_wizard(by, &company, &id).unwrap();
        relais_app::sync::run_scim_sync(
            Arc::clone(&app),
            None,
            company.clone(),
            id.clone(),
            relais_sync::Trigger::Manual,
            false,
        )
        .await
        .unwrap();
        scim_connection = Some(id);
    } else {
        assert!(
            std::env::var("RELAIS_REQUIRE_CLIENTS").is_err(),
            "RELAIS_REQUIRE_CLIENTS is set but scim2-server is not installed"
        );
        eprintln!("scim2-server is not installed; the Tracking journey is left out");
    }
    let base = common::serve(Arc::clone(&app), relais_server::ServerConfig::default()).await;
    World {
        base,
        app,
        company,
        scim_connection,
        _scim: scim,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_does_everything_in_the_browser_and_every_page_is_accessible() {
    let _one = ONE_BROWSER.lock().await;
    let w = world().await;
    let Some(mut b) = Browser::start(&w.base, true).await else {
        return;
    };

    // Signed out, every page leads to the sign-in page.
    b.goto("/console/connections").await;
    assert!(
        b.path().await.starts_with("/console/sign-in"),
        "{}",
        b.path().await
    );
    b.both_themes("sign-in").await;
    b.sign_in(ADMIN).await;
    assert_eq!(
        b.path().await,
        "/console/connections",
        "back where they were going"
    );

    // Marketplace: search as you type, forgiving a typo.
    b.goto("/console/marketplace").await;
    b.both_themes("marketplace").await;
    b.fill("Search integrations", "slak").await;
    b.wait_for("One integration").await;
    assert!(
        b.path().await.contains("q=slak"),
        "the search is kept in the URL"
    );
    b.both_themes("marketplace-search").await;
    b.click("Slack").await;
    b.wait_for("Built by the platform").await;
    b.both_themes("integration").await;

    // Connect Slack through its wizard.
    b.click("Connect").await;
    b.wait_for("What it will access").await;
    b.both_themes("connect-start").await;
    b.click("Start").await;
    b.wait_for("Choose your Slack workspace").await;
    // A wrong answer is named beside its field, and nothing is lost.
    b.fill("Workspace or tenant name", "acme").await;
    b.fill("Bot token", "short").await;
    b.click("Save and continue").await;
    b.wait_for("There is a problem").await;
    assert!(b.has("must be at least 16 characters").await);
    b.shot("connect-step-error", "light").await;
    b.fill("Bot token", "xoxb-1234567890-abcdefghijkl").await;
    b.click("Save and continue").await;
    b.wait_for("Notifications").await;
    b.both_themes("connect-step").await;
    b.tick("Post who is away each morning").await;
    b.click("Save and continue").await;
    b.wait_for("I allow Slack").await;
    b.tick("I allow Slack to process the employee data listed under permissions")
        .await;
    b.click("Save and continue").await;
    b.wait_for("Review and connect Slack").await;
    assert!(b.has("Set (hidden)").await, "a secret shows as set");
    assert!(
        !b.source().await.contains("xoxb-1234567890"),
        "a secret is never sent back"
    );
    b.both_themes("connect-review").await;
    b.click("Connect Slack").await;
    b.wait_for("The integration is connected").await;
    b.shot("connect-done", "light").await;
    b.click("See the connection").await;
    b.wait_for("Setup completed").await;
    b.both_themes("connection").await;

    // Connected integrations.
    b.goto("/console/connections").await;
    b.wait_for("Slack").await;
    assert!(b.has("Connected").await);
    b.both_themes("connections").await;

    // The Tracking tab of the SCIM connection, down to a failed entry.
    let mut run_path = None;
    if let Some(id) = &w.scim_connection {
        b.goto(&format!("/console/connections/{id}/tracking")).await;
        b.wait_for("Partially completed").await;
        b.both_themes("tracking").await;
        b.click_first_run().await;
        b.wait_for("Employees touched").await;
        b.both_themes("run").await;
        // The departments' groups come after the employees, on page 2.
        let path = b.path().await;
        b.goto(&format!("{path}?page=2")).await;
        b.wait_for("Department ").await;
        b.both_themes("run-groups").await;
        b.goto(&format!("{path}?status=failed")).await;
        run_path = Some(path);
        b.wait_for("duplicate target entries").await;
        b.click_first_entry().await;
        b.wait_for("Changed attributes").await;
        assert!(b.has("duplicate target entries").await);
        b.both_themes("entry").await;
        b.click("2").await;
        b.wait_for("across runs").await;
        b.both_themes("employee-history").await;
    }

    // API credentials: the side panel, the secret once.
    b.goto("/console/settings/api-credentials").await;
    b.both_themes("credentials-empty").await;
    b.click("Generate new credential").await;
    b.wait_for("Access per API").await;
    b.fill("Name", "Warehouse reports").await;
    b.tick("Custom Reports: Read").await;
    b.shot("credential-new", "light").await;
    b.press("Generate new credential").await;
    b.wait_for("Copy the secret now").await;
    let secret: String = b
        .client
        .find(Locator::Id("client-secret"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(secret.starts_with("rls_"), "{secret}");
    b.shot("credential-secret", "light").await;
    b.click("Done").await;
    b.wait_for("Warehouse reports").await;
    assert!(
        !b.source().await.contains(&secret),
        "the secret is never shown again"
    );
    b.both_themes("credentials").await;
    b.click("Warehouse reports").await;
    b.wait_for("Rotate secret").await;
    assert!(!b.source().await.contains(&secret));
    b.both_themes("credential-edit").await;

    // Webhooks: an endpoint, its secret once, its page.
    b.goto("/console/settings/webhooks").await;
    b.both_themes("webhooks-empty").await;
    b.click("Add endpoint").await;
    b.wait_for("Endpoint URL").await;
    b.fill("Endpoint URL", "https://hooks.example.com/relais")
        .await;
    b.both_themes("webhook-new").await;
    b.fill("Endpoint URL", "https://hooks.example.com/relais")
        .await;
    b.press("Add endpoint").await;
    b.wait_for("Signing secret").await;
    b.shot("webhook-secret", "light").await;
    b.click("Done").await;
    b.wait_for("Nothing sent yet").await;
    b.both_themes("webhook").await;

    // Reports, requests, users.
    b.goto("/console/reports").await;
    b.both_themes("reports").await;
    b.click("Headcount today").await;
    b.wait_for("Download CSV").await;
    b.both_themes("report").await;
    b.goto("/console/recruiting").await;
    b.both_themes("recruiting").await;
    b.click("Applications").await;
    b.wait_for("Next page").await;
    b.both_themes("applications").await;
    b.goto("/console/recruiting/applications/1").await;
    b.wait_for("Phases").await;
    b.both_themes("application").await;
    b.goto("/console/requests").await;
    b.both_themes("requests").await;
    b.goto("/console/requests/new?name=HiBob").await;
    b.both_themes("request-new").await;
    b.goto("/console/settings/users").await;
    b.both_themes("users").await;

    // Names with markup stay text.
    b.goto("/console/marketplace?q=evil").await;
    b.wait_for("Evil Tool").await;
    assert!(
        b.has("<script>window.pwned=1</script>Evil Tool").await,
        "shown as text"
    );
    if let Some(id) = &w.scim_connection {
        b.goto(&format!("/console/connections/{id}/employees/1"))
            .await;
    }
    let pwned = b
        .client
        .execute("return window.pwned || null", vec![])
        .await
        .unwrap();
    assert_eq!(pwned, Value::Null, "no injected script ran");

    // German and French.
    for (lang, heading, group) in [
        ("de", "Verbundene Integrationen", "Abteilung "),
        ("fr", "Intégrations connectées", "Service "),
    ] {
        b.prefer("lang", lang).await;
        b.goto("/console/connections").await;
        b.wait_for(heading).await;
        b.shot(&format!("connections-{lang}"), "light").await;
        b.goto("/console/marketplace/slack").await;
        b.shot(&format!("integration-{lang}"), "light").await;
        if let Some(path) = &run_path {
            b.goto(&format!("{path}?page=2")).await;
            b.wait_for(group).await;
            b.shot(&format!("run-groups-{lang}"), "light").await;
        }
    }

    // A narrow screen (375 px) still works.
    b.client.set_window_size(375, 800).await.unwrap();
    b.prefer("lang", "en").await;
    b.goto("/console/marketplace").await;
    b.shot("marketplace-375", "light").await;
    let overflow = b
        .client
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth + 1",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        Value::Bool(false),
        "no sideways scrolling at 375 px"
    );

    let violations = b.close().await;
    assert!(
        violations.is_empty(),
        "accessibility violations:\n{}",
        violations.join("\n")
    );
    let _ = (&w.app, &w.company);
}

impl Browser {
    async fn click_first_run(&self) {
        self.client
            .find(Locator::Css("table tbody tr th a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn click_first_entry(&self) {
        self.client
            .find(Locator::Css("table tbody tr td a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_sees_everything_and_can_change_nothing() {
    let _one = ONE_BROWSER.lock().await;
    let w = world().await;
    let Some(mut b) = Browser::start(&w.base, true).await else {
        return;
    };
    let connection = w
        .app
        .connections(Caller::Operator, &w.company, None)
        .unwrap()
        .into_iter()
        .next()
        .map(|c| c.id);
    b.sign_in(VIEWER).await;
    b.goto("/console/marketplace/slack").await;
    assert!(!b.has("Connect").await || b.has("view right").await);
    assert!(
        b.has("You have the view right").await,
        "the reason actions are absent"
    );
    b.goto("/console/settings/api-credentials").await;
    b.wait_for("You do not have access").await;
    assert!(
        b.has("Edit (Marketplace integrations & API)").await,
        "names the missing right"
    );
    b.both_themes("no-right").await;
    if let Some(id) = connection {
        b.goto(&format!("/console/connections/{id}")).await;
        assert!(!b.has("Deactivate").await);
        assert!(b.has("You have the view right").await);
        b.shot("connection-viewer", "light").await;
        // A forged form, with the viewer's own session and CSRF token, is
        // refused exactly as the API refuses it; nothing changes.
        let status = b
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const csrf = document.querySelector('input[name=_csrf]').value;
                 fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                   body: '_csrf=' + encodeURIComponent(csrf) + '&reason=forged'}).then(r => done(r.status));",
                vec![json!(format!("/console/connections/{id}/deactivate"))],
            )
            .await
            .unwrap();
        assert_eq!(status, json!(403));
        let after = w.app.connection(Caller::Operator, &w.company, &id).unwrap();
        assert_eq!(after.status, "connected");
    }
    let violations = b.close().await;
    assert!(
        violations.is_empty(),
        "accessibility violations:\n{}",
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_journey_works_without_javascript() {
    let _one = ONE_BROWSER.lock().await;
    let w = world().await;
    let Some(mut b) = Browser::start(&w.base, false).await else {
        return;
    };
    b.sign_in(ADMIN).await;
    b.goto("/console/marketplace").await;
    b.fill("Search integrations", "slak").await;
    b.click("Search").await;
    b.wait_for("One integration").await;
    b.click("Slack").await;
    b.wait_for("Built by the platform").await;
    b.click("Connect").await;
    b.click("Start").await;
    b.wait_for("Choose your Slack workspace").await;
    b.fill("Workspace or tenant name", "acme").await;
    b.fill("Bot token", "xoxb-1234567890-abcdefghijkl").await;
    b.click("Save and continue").await;
    b.wait_for("Notifications").await;
    b.click("Save and continue").await;
    b.wait_for("I allow Slack").await;
    b.tick("I allow Slack to process the employee data listed under permissions")
        .await;
    b.click("Save and continue").await;
    b.wait_for("Review and connect Slack").await;
    b.click("Connect Slack").await;
    b.wait_for("The integration is connected").await;

    // The credential form is a page of its own without JavaScript.
    b.goto("/console/settings/api-credentials").await;
    b.click("Generate new credential").await;
    b.wait_for("Access per API").await;
    assert_eq!(b.path().await, "/console/settings/api-credentials/new");
    b.fill("Name", "No-JS credential").await;
    b.tick("Employees: Read").await;
    b.press("Generate new credential").await;
    b.wait_for("Copy the secret now").await;
    b.shot("credential-secret-nojs", "light").await;

    // Preferences are forms too.
    b.goto("/console/connections").await;
    let language = b.client.find(Locator::Id("pref-lang")).await.unwrap();
    language.select_by_value("de").await.unwrap();
    b.client
        .find(Locator::XPath(
            "//select[@id='pref-lang']/following-sibling::button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for("Verbundene Integrationen").await;

    // Signing out ends the session.
    b.click("Abmelden").await;
    b.wait_for("Anmelden").await;
    b.goto("/console/connections").await;
    assert!(b.path().await.starts_with("/console/sign-in"));
    let _ = b.close().await;
}
