//! `provisioning_worker`: only the sync engine (`relais-sync`) and the SCIM
//! connector (`relais-scim`), keeping a SCIM service provider's users in
//! step with a host's own employees — no Relais database, server or app.
//!
//! The host's HR database is the employee source (here an in-memory list,
//! [`staff`]); the worker keeps the links between employees and target
//! accounts between cycles (here in memory; a host stores them beside its
//! employees), runs a cycle, and records it as a [`SyncRun`] with its
//! entries, which it prints.
//!
//! ```text
//! scim2-server --port 8090 --bearer-token secret &
//! cargo run -p relais-scim --example provisioning_worker -- http://127.0.0.1:8090/v2 secret
//! ```
//!
//! `bins/relais-server/tests/examples.rs` runs it against the real
//! `scim2-server`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use relais_egress::EgressPolicy;
use relais_people::{Employee, EmployeeStatus, EmploymentType, Gender, OrgUnit};
use relais_scim::{
    CycleBatch, CycleInput, DeprovisionMode, GroupProvisioning, Link, MatchAttribute, ScimClient,
    ScimSettings, run_cycle,
};
use relais_sync::{Cycle, SyncEntry, SyncRun, Trigger};

/// A provisioning worker for one SCIM target.
#[derive(Debug)]
pub struct Worker {
    client: ScimClient,
    settings: ScimSettings,
    /// Which target account is whose, from earlier cycles.
    links: HashMap<i64, Link>,
    /// The id the worker's runs are recorded under.
    connection: uuid::Uuid,
}

impl Worker {
    /// A worker for the SCIM service provider at `base` (e.g.
    /// `https://idp.example.com/scim/v2`) with `token`. `allow` lists the
    /// private networks it may call (`127.0.0.0/8` for one on this machine),
    /// as `relais-server --egress-allow` does.
    ///
    /// # Errors
    /// When the address is refused or the HTTP client cannot be built.
    pub fn new(base: &str, token: &str, allow: &str) -> Result<Self, Box<dyn std::error::Error>> {
        let policy = EgressPolicy::parse(allow)?;
        Ok(Self {
            client: ScimClient::new(base, token, Duration::from_secs(30), &policy)?,
            settings: ScimSettings {
                match_attribute: MatchAttribute::UserName,
                deprovision: DeprovisionMode::Deactivate,
                deletion_threshold: 10,
                concurrency: 4,
                // Users only; `GroupProvisioning::from_answer(Some("departments"))`
                // would keep a group per department too (then keep
                // `out.upserted_group_links` between cycles as `links` are).
                groups: GroupProvisioning::default(),
            },
            links: HashMap::new(),
            connection: uuid::Uuid::now_v7(),
        })
    }

    /// Runs one cycle over `employees` (every employee of the source,
    /// leavers included): provisions, links, updates and deactivates, and
    /// returns the run with its entries.
    pub async fn run(
        &mut self,
        employees: Vec<Employee>,
        cycle: Cycle,
    ) -> (SyncRun, Vec<SyncEntry>) {
        let mut run = SyncRun::start(self.connection, Trigger::Manual, cycle, Utc::now());
        let input = CycleInput {
            employees,
            links: self.links.clone(),
            group_links: HashMap::new(),
            cycle,
        };
        // Progress as it goes (a host would store each batch at once, so
        // that a worker killed mid-cycle leaves a record of what it did).
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<CycleBatch>(4);
        let progress = tokio::spawn(async move {
            let mut batches = 0_usize;
            while receiver.recv().await.is_some() {
                batches += 1;
            }
            batches
        });
        let out = run_cycle(&self.client, &self.settings, input, Some(&sender)).await;
        drop(sender);
        let _ = progress.await;
        for link in out.upserted_links {
            self.links.insert(link.employee_id, link);
        }
        for employee in out.removed_links {
            self.links.remove(&employee);
        }
        for entry in &out.entries {
            run.record(entry);
        }
        run.staged = out.staged;
        run.finish(out.error, Utc::now());
        (run, out.entries)
    }
}

/// One employee of the host's source.
#[must_use]
pub fn employee(id: i64, first: &str, last: &str, position: &str) -> Employee {
    let now = Utc::now();
    Employee {
        id,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        preferred_name: None,
        email: format!(
            "{}.{}@acme.example",
            first.to_lowercase(),
            last.to_lowercase()
        ),
        gender: Gender::Diverse,
        status: EmployeeStatus::Active,
        position: position.to_owned(),
        department: Some(OrgUnit {
            id: 1,
            name: "Engineering".to_owned(),
        }),
        office: None,
        team: None,
        supervisor_id: None,
        hire_date: NaiveDate::from_ymd_opt(2024, 1, 15).unwrap_or_default(),
        termination_date: None,
        weekly_working_hours: 40.0,
        employment_type: EmploymentType::Internal,
        cost_centers: Vec::new(),
        custom: BTreeMap::new(),
        external_id: None,
        profile_picture: false,
        created_at: now,
        last_modified_at: now,
    }
}

/// The host's employees: an in-memory list standing for its HR database.
#[must_use]
pub fn staff() -> Vec<Employee> {
    vec![
        employee(1, "Ana", "Alves", "Engineering Manager"),
        employee(2, "Ben", "Berg", "Developer"),
        employee(3, "Carla", "Costa", "Developer"),
    ]
}

/// The run and its entries, for a person.
#[must_use]
pub fn report(run: &SyncRun, entries: &[SyncEntry]) -> String {
    let mut text = format!(
        "run {} ({:?}, {:?}): {:?}, {} entries{}\n",
        run.id,
        run.trigger,
        run.cycle,
        run.status,
        run.counts.total(),
        run.error
            .as_ref()
            .map(|e| format!(": {}", e.message))
            .unwrap_or_default(),
    );
    for entry in entries {
        text.push_str(&format!(
            "  employee {}: {} {} — {}\n",
            entry.employee_id,
            entry.use_case.as_str(),
            entry.status.as_str(),
            entry.message
        ));
    }
    text
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8090/v2".to_owned());
    let token = args.next().unwrap_or_else(|| "secret".to_owned());
    let mut worker = Worker::new(&base, &token, "127.0.0.0/8")?;
    let (run, entries) = worker.run(staff(), Cycle::Full).await;
    print!("{}", report(&run, &entries));
    // Ben leaves: the next cycle deactivates his account.
    let mut changed = staff();
    changed[1].status = EmployeeStatus::Inactive;
    let (run, entries) = worker.run(changed, Cycle::Incremental).await;
    print!("{}", report(&run, &entries));
    Ok(())
}
