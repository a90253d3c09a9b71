//! Provisioning one employee on demand, over HTTP, against a real SCIM
//! server (scim2-server from PyPI, started on 127.0.0.1 by the test). Where
//! it is not installed the test says so and passes, unless
//! `RELAIS_REQUIRE_CLIENTS=1`.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use common::{SCIM_TOKEN, ScimServer, scim_server_program};

use std::sync::Arc;

use chrono::NaiveDate;
use relais_app::{App, Caller};
use relais_people::{Employee, EmployeeStatus, demo::DemoSpec};
use relais_store::{EmployeeFilter, Window};
use serde_json::{Value, json};

const KEY: &str = "7f1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";

/// A company of demo employees with a Connected SCIM connection to
/// `target`, served over HTTP.
struct World {
    base: String,
    admin: String,
    app: Arc<App>,
    company: relais_access::Company,
    store: Arc<dyn relais_store::Store>,
    connection: String,
    employees: Vec<Employee>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new(target: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = relais_store::testing::database_in(dir.path());
        let app = Arc::new(
            App::open(&db)
                .unwrap()
                .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
                // scim2-server listens on loopback, which Relais refuses by default.
                .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
        );
        let created = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        let company = created.company;
        let spec = DemoSpec {
            employees: 12,
            months: 1,
            seed: 5,
            until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        };
        app.generate_demo(&company, spec, false, &mut |_| {})
            .unwrap();
        let connection = common::answer_scim_wizard(
            &app,
            &company,
            target,
            json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440"}),
        );
        app.complete_wizard(Caller::Operator, &company, &connection)
            .unwrap();
        let store = relais_store::open(db.as_os_str()).unwrap();
        let mut employees = store
            .employees(
                company.id,
                &EmployeeFilter::default(),
                Window {
                    offset: 0,
                    limit: 1000,
                },
            )
            .unwrap()
            .rows;
        employees.sort_by_key(|e| e.id);
        let base = common::serve(Arc::clone(&app), relais_server::ServerConfig::default()).await;
        Self {
            base,
            admin: created.token,
            app,
            company,
            store,
            connection,
            employees,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    fn in_scope(&self) -> Vec<Employee> {
        self.employees
            .iter()
            .filter(|e| e.status != EmployeeStatus::Inactive)
            .cloned()
            .collect()
    }

    async fn call(&self, method: &str, path: &str) -> (u16, Value) {
        let response = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn provision(&self, employee: i64) -> (u16, Value) {
        self.call(
            "POST",
            &format!(
                "/api/connections/{}/employees/{employee}/provision",
                self.connection
            ),
        )
        .await
    }
}

/// The target users whose `externalId` is `employee`'s id.
fn accounts_of(users: &[Value], employee: i64) -> Vec<&Value> {
    users
        .iter()
        .filter(|u| u["externalId"].as_str() == Some(employee.to_string().as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn one_employee_is_created_then_matched_then_updated_as_runs_of_their_own() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, SCIM_TOKEN, None);
    let w = World::new(&target.base).await;
    // Someone with a supervisor, so that `manager` has to be resolved.
    let mut ana = w
        .in_scope()
        .into_iter()
        .find(|e| e.supervisor_id.is_some())
        .unwrap();

    // Created: exactly that account, and no other.
    let (status, done) = w.provision(ana.id).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["run"]["trigger"], "on_demand");
    assert_eq!(done["run"]["status"], "completed", "{done}");
    let steps = done["entries"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{done}");
    assert_eq!(steps[0]["employee_id"], ana.id);
    assert_eq!(steps[0]["use_case"], "provision");
    assert_eq!(steps[0]["status"], "success");
    assert!(
        steps[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("created target user"),
        "{done}"
    );
    let users = target.users().await;
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(accounts_of(&users, ana.id).len(), 1);
    assert_eq!(users[0]["userName"], ana.email.as_str());
    // The supervisor is not linked yet: no manager, and not created either.
    assert!(
        users[0]
            .get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
            .and_then(|x| x.get("manager"))
            .is_none(),
        "{users:?}"
    );

    // Again: matched, nothing to change.
    let (status, again) = w.provision(ana.id).await;
    assert_eq!(status, 200, "{again}");
    let step = &again["entries"][0];
    assert_eq!(step["use_case"], "update", "{again}");
    assert_eq!(step["status"], "skipped");
    assert_eq!(step["message"], "nothing to change");
    assert_eq!(target.users().await.len(), 1);

    // A changed attribute is updated, and only it.
    ana.position = "Head of Provisioning".into();
    w.store.replace_employee(w.company.id, &ana).unwrap();
    let (status, changed) = w.provision(ana.id).await;
    assert_eq!(status, 200, "{changed}");
    let step = &changed["entries"][0];
    assert_eq!(step["use_case"], "update", "{changed}");
    assert_eq!(step["status"], "success", "{changed}");
    let changes = step["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changed}");
    assert_eq!(changes[0]["attribute"], "title");
    assert_eq!(changes[0]["new"], "Head of Provisioning");
    let users = target.users().await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["title"], "Head of Provisioning");

    // Each call is a run of the connection's, with its entry.
    let (status, runs) = w
        .call(
            "GET",
            &format!("/api/connections/{}/sync-runs", w.connection),
        )
        .await;
    assert_eq!(status, 200, "{runs}");
    assert_eq!(runs["total"], 3, "{runs}");
    for run in runs["items"].as_array().unwrap() {
        assert_eq!(run["trigger"], "on_demand");
        assert_eq!(run["status"], "completed");
    }
    let run_id = changed["run"]["id"].as_str().unwrap();
    let (status, entries) = w
        .call("GET", &format!("/api/sync-runs/{run_id}/entries"))
        .await;
    assert_eq!(status, 200, "{entries}");
    assert_eq!(entries["total"], 1);
    assert_eq!(entries["items"][0]["message"], step["message"]);
    let (_, history) = w
        .call(
            "GET",
            &format!(
                "/api/connections/{}/employees/{}/sync-entries",
                w.connection, ana.id
            ),
        )
        .await;
    assert_eq!(history["total"], 3, "{history}");

    // The supervisor provisioned on demand, the report then points at them.
    let boss = ana.supervisor_id.unwrap();
    let (status, done) = w.provision(boss).await;
    assert_eq!(status, 200, "{done}");
    let (_, done) = w.provision(ana.id).await;
    assert_eq!(done["entries"][0]["status"], "success", "{done}");
    let users = target.users().await;
    assert_eq!(users.len(), 2);
    let boss_account = accounts_of(&users, boss)[0]["id"].clone();
    assert_eq!(
        accounts_of(&users, ana.id)[0]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
            ["manager"]["value"],
        boss_account
    );

    // Refusals: an unknown employee, a connection that is not Connected.
    let (status, problem) = w.provision(999_999).await;
    assert_eq!(status, 404, "{problem}");
    let deactivated = w
        .http
        .post(format!(
            "{}/api/connections/{}/deactivate",
            w.base, w.connection
        ))
        .bearer_auth(&w.admin)
        .json(&json!({"reason": "moving to another directory"}))
        .send()
        .await
        .unwrap();
    assert_eq!(deactivated.status(), 200);
    let (status, problem) = w.provision(ana.id).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem
            .to_string()
            .contains("only connected connections sync"),
        "{problem}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn twenty_parallel_calls_run_one_at_a_time_and_never_create_an_account_twice() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, SCIM_TOKEN, None);
    let w = Arc::new(World::new(&target.base).await);
    let people: Vec<i64> = w.in_scope().iter().take(3).map(|e| e.id).collect();

    // 20 parallel calls; each one refused (409) tries again until it runs,
    // so that the runs follow one another under contention.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (w, stop) = (Arc::clone(&w), Arc::clone(&stop));
        tokio::spawn(async move {
            let (mut most, mut looks) = (0, 0);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (_, running) = w
                    .call(
                        "GET",
                        &format!("/api/connections/{}/sync-runs?status=running", w.connection),
                    )
                    .await;
                most = most.max(running["total"].as_u64().unwrap());
                looks += 1;
            }
            (most, looks)
        })
    };
    let started = std::time::Instant::now();
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let w = Arc::clone(&w);
            let employee = people[i % people.len()];
            tokio::spawn(async move {
                let mut refused = 0;
                loop {
                    let (status, body) = w.provision(employee).await;
                    match status {
                        200 => return (refused, body),
                        409 => {
                            assert!(
                                body.to_string()
                                    .contains("a run of this connection is under way"),
                                "{body}"
                            );
                            refused += 1;
                            assert!(refused < 2000, "never ran");
                            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        }
                        other => panic!("{other}: {body}"),
                    }
                }
            })
        })
        .collect();
    let mut done = Vec::new();
    for call in calls {
        done.push(call.await.unwrap());
    }
    let elapsed = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (most_running, looks) = watcher.await.unwrap();
    assert!(most_running <= 1, "{most_running} runs at once");
    let refused: u32 = done.iter().map(|(r, _)| r).sum();
    assert!(refused > 0, "parallel calls were refused while one ran");
    eprintln!(
        "20 parallel calls ran one at a time in {elapsed:?}; {refused} refusals (409) on the way; \
         at most {most_running} run Running in {looks} looks"
    );

    // One run per call that ran, none for a refusal.
    let (_, runs) = w
        .call(
            "GET",
            &format!("/api/connections/{}/sync-runs?per_page=100", w.connection),
        )
        .await;
    assert_eq!(runs["total"], 20, "{runs}");
    for run in runs["items"].as_array().unwrap() {
        assert_eq!(run["status"], "completed", "{run}");
        let entries: u64 = run["counts"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|by_status| by_status.as_object().unwrap().values())
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(entries, 1, "one employee per run: {run}");
    }
    let users = target.users().await;
    assert_eq!(users.len(), people.len(), "{users:?}");
    for &employee in &people {
        assert_eq!(accounts_of(&users, employee).len(), 1, "{users:?}");
    }

    // Then everyone once more, one after the other: never an account twice.
    for &employee in &people {
        let (status, body) = w.provision(employee).await;
        assert_eq!(status, 200, "{body}");
    }
    let users = target.users().await;
    assert_eq!(users.len(), people.len(), "{users:?}");
    for &employee in &people {
        assert_eq!(accounts_of(&users, employee).len(), 1, "{users:?}");
    }
}

/// The console's form: signed in as the admin, provision one employee from
/// the connection's page; the answer is the run's page with the steps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn the_console_provisions_one_employee_and_shows_the_steps() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, SCIM_TOKEN, None);
    let w = World::new(&target.base).await;
    w.app
        .set_password(
            &w.company,
            "ana@acme.example",
            "correct horse battery staple",
        )
        .unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf_of = |body: &str| {
        let marker = "name=\"_csrf\" value=\"";
        let start = body.find(marker).unwrap() + marker.len();
        body[start..start + body[start..].find('"').unwrap()].to_owned()
    };
    let cookies_of = |response: &reqwest::Response| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let page = browser
        .get(format!("{}/console/sign-in", w.base))
        .send()
        .await
        .unwrap();
    let mut cookies = cookies_of(&page);
    let csrf = csrf_of(&page.text().await.unwrap());
    let signed_in = browser
        .post(format!("{}/console/sign-in", w.base))
        .header("cookie", &cookies)
        .form(&[
            ("email", "ana@acme.example"),
            ("password", "correct horse battery staple"),
            ("_csrf", &csrf),
            ("next", "/console/marketplace"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    cookies = format!("{cookies}; {}", cookies_of(&signed_in));
    let get = |path: String| {
        let request = browser
            .get(format!("{}{path}", w.base))
            .header("cookie", &cookies);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };

    let connection_page = get(format!("/console/connections/{}", w.connection)).await;
    assert!(
        connection_page.contains("<label for=\"provision-employee\">"),
        "a labelled field"
    );
    let ana = w.in_scope()[0].clone();
    let done = browser
        .post(format!(
            "{}/console/connections/{}/provision",
            w.base, w.connection
        ))
        .header("cookie", &cookies)
        .form(&[
            ("employee", ana.id.to_string()),
            ("_csrf", csrf_of(&connection_page)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("/console/connections/{}/tracking/", w.connection)),
        "{location}"
    );
    let run_page = get(location).await;
    assert!(run_page.contains("On demand (one employee)"), "{run_page}");
    assert!(run_page.contains("created target user"), "{run_page}");
    assert_eq!(target.users().await.len(), 1);

    // The employee's page offers it again.
    let employee_page = get(format!(
        "/console/connections/{}/employees/{}",
        w.connection, ana.id
    ))
    .await;
    assert!(
        employee_page.contains(&format!("name=\"employee\" value=\"{}\"", ana.id)),
        "{employee_page}"
    );
    // A number that is not an employee id is refused, with the reason.
    let refused = browser
        .post(format!(
            "{}/console/connections/{}/provision",
            w.base, w.connection
        ))
        .header("cookie", &cookies)
        .form(&[("employee", "abc"), ("_csrf", &csrf_of(&employee_page))])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(relais_scim2_server),
    ignore = "needs scim2-server: pip install scim2-server==0.8.3, set RELAIS_PYTHON"
)]
async fn an_on_demand_run_neither_delays_the_schedule_nor_stands_for_a_cycle() {
    let Some(program) = scim_server_program() else {
        return;
    };
    let target = ScimServer::start(&program, SCIM_TOKEN, None);
    let w = World::new(&target.base).await;
    let ana = w.in_scope()[0].clone();
    let (status, done) = w.provision(ana.id).await;
    assert_eq!(status, 200, "{done}");
    let due = |w: &World| {
        w.app
            .due_scim_connections()
            .unwrap()
            .into_iter()
            .any(|(_, c)| c == w.connection)
    };
    assert!(due(&w), "the first cycle is still due at once");

    // The next cycle is the first full one, and finds the account made on
    // demand linked: nobody twice.
    let run = relais_app::sync::run_scim_sync(
        Arc::clone(&w.app),
        None,
        w.company.clone(),
        w.connection.clone(),
        relais_sync::Trigger::Scheduled,
        false,
    )
    .await
    .unwrap();
    assert_eq!(run.cycle, relais_sync::Cycle::Full, "{run:?}");
    let users = target.users().await;
    assert_eq!(users.len(), w.in_scope().len());
    assert_eq!(accounts_of(&users, ana.id).len(), 1);
    assert!(!due(&w), "a cycle ran: the next is an interval away");

    // On demand after that does not push the next cycle back either.
    let before = w
        .app
        .connection(Caller::Operator, &w.company, &w.connection)
        .unwrap()
        .next_sync_at;
    assert!(before.is_some());
    let (status, done) = w.provision(ana.id).await;
    assert_eq!(status, 200, "{done}");
    let after = w
        .app
        .connection(Caller::Operator, &w.company, &w.connection)
        .unwrap()
        .next_sync_at;
    assert_eq!(before, after);
}
