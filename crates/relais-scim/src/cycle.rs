//! One provisioning cycle.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, StreamExt as _};
use relais_people::{Employee, EmployeeId, EmployeeStatus};
use relais_sync::{ApiResponse, Change, Cycle, EntryStatus, RunError, SyncEntry, UseCase};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::{ScimClient, ScimError};
use crate::user::{comparable, desired_user};

/// The attribute unlinked employees are matched on first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchAttribute {
    /// `userName` = the work e-mail.
    #[serde(rename = "userName")]
    UserName,
    /// `externalId` = the employee id.
    #[serde(rename = "externalId")]
    ExternalId,
}

/// What deprovisioning does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeprovisionMode {
    /// `PATCH active=false` (the default: reversible).
    Deactivate,
    /// `DELETE /Users/{id}`.
    Delete,
}

/// A connection's connector settings (from its setup wizard).
#[derive(Debug, Clone)]
pub struct ScimSettings {
    /// Match on this first, then on the other.
    pub match_attribute: MatchAttribute,
    /// Deactivate or delete leavers.
    pub deprovision: DeprovisionMode,
    /// Most deprovisions one cycle may do; above it they are staged.
    pub deletion_threshold: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
}

/// An employee's target user, as last synced.
pub type Link = relais_sync::TargetLink;

/// What a cycle starts from.
#[derive(Debug, Clone)]
pub struct CycleInput {
    /// Every employee of the company.
    pub employees: Vec<Employee>,
    /// Links from earlier cycles, by employee.
    pub links: HashMap<EmployeeId, Link>,
    /// Full or incremental.
    pub cycle: Cycle,
}

/// What a cycle did since its last report. Reported as it goes, so that the
/// caller records each account touched before the cycle ends: a cycle
/// killed mid-way leaves a record of the accounts it created.
#[derive(Debug, Clone, Default)]
pub struct CycleBatch {
    /// New entries.
    pub entries: Vec<SyncEntry>,
    /// Links to store (new or changed).
    pub upserted_links: Vec<Link>,
    /// Links to forget.
    pub removed_links: Vec<EmployeeId>,
}

/// Steps reported in one batch at most.
const BATCH: usize = 25;

/// What a cycle did.
#[derive(Debug, Clone, Default)]
pub struct CycleOutput {
    /// One entry per employee touched.
    pub entries: Vec<SyncEntry>,
    /// Links to store (new or changed).
    pub upserted_links: Vec<Link>,
    /// Links to forget (deleted users, vanished targets).
    pub removed_links: Vec<EmployeeId>,
    /// Deprovisions held back by the threshold.
    pub staged: u64,
    /// Why the whole run failed, if it did.
    pub error: Option<RunError>,
    /// Whether the target refused the credentials.
    pub auth_failed: bool,
}

fn in_scope(e: &Employee) -> bool {
    matches!(
        e.status,
        EmployeeStatus::Active | EmployeeStatus::Onboarding | EmployeeStatus::Leave
    )
}

fn response(client: &ScimClient, error: &ScimError) -> Option<ApiResponse> {
    match error {
        ScimError::Status { status, body } => {
            Some(ApiResponse::new(*status, body, &[client.token()]))
        }
        ScimError::Unreachable(_) | ScimError::Refused(_) | ScimError::Malformed(_) => None,
    }
}

fn entry(
    employee_id: EmployeeId,
    use_case: UseCase,
    status: EntryStatus,
    message: impl Into<String>,
) -> SyncEntry {
    SyncEntry {
        at: Utc::now(),
        employee_id,
        use_case,
        status,
        message: message.into(),
        response: None,
        changes: vec![],
    }
}

/// The changed attributes between what the target has and what it should have.
fn diff(current: &Value, desired: &Value) -> Vec<Change> {
    let current: BTreeMap<_, _> = comparable(current).into_iter().collect();
    comparable(desired)
        .into_iter()
        .filter(|(path, value)| current.get(path).unwrap_or(&Value::Null) != value)
        .map(|(path, new)| Change {
            old: current.get(&path).cloned().unwrap_or(Value::Null),
            attribute: path,
            new,
        })
        .collect()
}

/// A PATCH replacing exactly the changed attributes (path-less replace of a
/// partial resource, which every SCIM 2.0 provider understands).
fn patch_for(desired: &Value, changes: &[Change]) -> Value {
    let mut value = serde_json::Map::new();
    let enterprise = crate::user::ENTERPRISE;
    let mut extension = serde_json::Map::new();
    for change in changes {
        match change.attribute.as_str() {
            "name.givenName" | "name.familyName" => {
                value.insert("name".into(), desired["name"].clone());
            }
            "emails" => {
                value.insert("emails".into(), desired["emails"].clone());
            }
            path if path.starts_with(enterprise) => {
                let key = &path[enterprise.len() + 1..];
                extension.insert(key.to_owned(), desired[enterprise][key].clone());
            }
            path => {
                value.insert(path.to_owned(), desired[path].clone());
            }
        }
    }
    if !extension.is_empty() {
        value.insert(enterprise.to_owned(), Value::Object(extension));
    }
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": value}]})
}

fn filter_path(attribute: MatchAttribute, employee: &Employee) -> String {
    let (name, value) = match attribute {
        MatchAttribute::UserName => ("userName", employee.email.clone()),
        MatchAttribute::ExternalId => ("externalId", employee.id.to_string()),
    };
    let filter = format!(
        "{name} eq \"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    );
    format!(
        "/Users?filter={}",
        url::form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    )
}

/// What one employee's step produced.
struct Step {
    entry: Option<SyncEntry>,
    link: Option<Link>,
    unlink: bool,
}

async fn sync_in_scope(
    client: &ScimClient,
    settings: &ScimSettings,
    cycle: Cycle,
    employee: &Employee,
    link: Option<&Link>,
    manager: Option<String>,
) -> Step {
    let desired = desired_user(employee, manager.as_deref());
    let fail = |use_case, error: &ScimError, what: &str| Step {
        entry: Some(SyncEntry {
            response: response(client, error),
            ..entry(
                employee.id,
                use_case,
                EntryStatus::Failed,
                format!("{what}: {error}"),
            )
        }),
        link: None,
        unlink: false,
    };
    if let Some(link) = link {
        let current = if cycle == Cycle::Full {
            match client
                .send(Method::GET, &format!("/Users/{}", link.target_id), None)
                .await
            {
                Ok((_, user)) => user,
                Err(ScimError::Status { status: 404, .. }) => {
                    // The target user is gone: forget the link; the next step matches or provisions again.
                    return Box::pin(sync_in_scope(
                        client, settings, cycle, employee, None, manager,
                    ))
                    .await
                    .unlinked_first();
                }
                Err(e) => return fail(UseCase::Update, &e, "reading the target user failed"),
            }
        } else {
            link.snapshot.clone()
        };
        let changes = diff(&current, &desired);
        if changes.is_empty() {
            return Step {
                entry: Some(entry(
                    employee.id,
                    UseCase::Update,
                    EntryStatus::Skipped,
                    "nothing to change",
                )),
                link: None,
                unlink: false,
            };
        }
        return match client
            .send(
                Method::PATCH,
                &format!("/Users/{}", link.target_id),
                Some(&patch_for(&desired, &changes)),
            )
            .await
        {
            Ok((status, body)) => Step {
                entry: Some(SyncEntry {
                    changes: changes.clone(),
                    response: Some(ApiResponse::new(
                        status,
                        &body.to_string(),
                        &[client.token()],
                    )),
                    ..entry(
                        employee.id,
                        UseCase::Update,
                        EntryStatus::Success,
                        format!("{} attribute(s) updated", changes.len()),
                    )
                }),
                link: Some(Link {
                    snapshot: desired,
                    active: true,
                    ..link.clone()
                }),
                unlink: false,
            },
            Err(ScimError::Status { status: 404, .. }) => Step {
                entry: Some(entry(
                    employee.id,
                    UseCase::Update,
                    EntryStatus::Failed,
                    "the target user is gone; it is matched or provisioned again next cycle",
                )),
                link: None,
                unlink: true,
            },
            Err(e) => fail(UseCase::Update, &e, "update failed"),
        };
    }
    // Unlinked: match on the configured attribute, then on the other.
    let order = match settings.match_attribute {
        MatchAttribute::UserName => [MatchAttribute::UserName, MatchAttribute::ExternalId],
        MatchAttribute::ExternalId => [MatchAttribute::ExternalId, MatchAttribute::UserName],
    };
    for attribute in order {
        match client
            .send(Method::GET, &filter_path(attribute, employee), None)
            .await
        {
            Ok((_, list)) => {
                let found = list["Resources"].as_array().cloned().unwrap_or_default();
                match found.len() {
                    0 => continue,
                    1 => {
                        let target = &found[0];
                        let target_id = target["id"].as_str().unwrap_or_default().to_owned();
                        let changes = diff(target, &desired);
                        let patched = if changes.is_empty() {
                            Ok(())
                        } else {
                            client
                                .send(
                                    Method::PATCH,
                                    &format!("/Users/{target_id}"),
                                    Some(&patch_for(&desired, &changes)),
                                )
                                .await
                                .map(|_| ())
                        };
                        return match patched {
                            Ok(()) => Step {
                                entry: Some(SyncEntry {
                                    changes: changes.clone(),
                                    ..entry(
                                        employee.id,
                                        UseCase::Link,
                                        EntryStatus::Success,
                                        format!(
                                            "linked to the existing target user {target_id} (matched on {attribute:?}), {} attribute(s) updated",
                                            changes.len()
                                        ),
                                    )
                                }),
                                link: Some(Link {
                                    employee_id: employee.id,
                                    target_id,
                                    snapshot: desired,
                                    active: true,
                                }),
                                unlink: false,
                            },
                            Err(e) => fail(UseCase::Link, &e, "linking failed"),
                        };
                    }
                    n => {
                        return Step {
                            entry: Some(entry(
                                employee.id,
                                UseCase::Link,
                                EntryStatus::Failed,
                                format!(
                                    "duplicate target entries: {n} users match on {attribute:?}"
                                ),
                            )),
                            link: None,
                            unlink: false,
                        };
                    }
                }
            }
            Err(e) => return fail(UseCase::Link, &e, "matching failed"),
        }
    }
    match client.send(Method::POST, "/Users", Some(&desired)).await {
        Ok((status, created)) => {
            let target_id = created["id"].as_str().unwrap_or_default().to_owned();
            Step {
                entry: Some(SyncEntry {
                    response: Some(ApiResponse::new(
                        status,
                        &json!({"id": target_id}).to_string(),
                        &[],
                    )),
                    changes: comparable(&desired)
                        .into_iter()
                        .map(|(attribute, new)| Change {
                            attribute,
                            old: Value::Null,
                            new,
                        })
                        .collect(),
                    ..entry(
                        employee.id,
                        UseCase::Provision,
                        EntryStatus::Success,
                        format!("created target user {target_id}"),
                    )
                }),
                link: Some(Link {
                    employee_id: employee.id,
                    target_id,
                    snapshot: desired,
                    active: true,
                }),
                unlink: false,
            }
        }
        Err(e) => fail(UseCase::Provision, &e, "provisioning failed"),
    }
}

impl Step {
    /// A step that re-ran after dropping a vanished link keeps the unlink.
    fn unlinked_first(mut self) -> Self {
        self.unlink = self.link.is_none();
        self
    }
}

async fn deprovision(client: &ScimClient, mode: DeprovisionMode, link: &Link) -> Step {
    let result = match mode {
        DeprovisionMode::Deactivate => {
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]});
            client
                .send(
                    Method::PATCH,
                    &format!("/Users/{}", link.target_id),
                    Some(&body),
                )
                .await
        }
        DeprovisionMode::Delete => {
            client
                .send(Method::DELETE, &format!("/Users/{}", link.target_id), None)
                .await
        }
    };
    let change = Change {
        attribute: "active".into(),
        old: json!(true),
        new: json!(false),
    };
    match result {
        Ok(_) | Err(ScimError::Status { status: 404, .. }) if mode == DeprovisionMode::Delete => {
            Step {
                entry: Some(SyncEntry {
                    changes: vec![change],
                    ..entry(
                        link.employee_id,
                        UseCase::Deprovision,
                        EntryStatus::Success,
                        format!("deleted target user {}", link.target_id),
                    )
                }),
                link: None,
                unlink: true,
            }
        }
        Ok(_) => {
            let mut snapshot = link.snapshot.clone();
            snapshot["active"] = json!(false);
            Step {
                entry: Some(SyncEntry {
                    changes: vec![change],
                    ..entry(
                        link.employee_id,
                        UseCase::Deprovision,
                        EntryStatus::Success,
                        format!("deactivated target user {}", link.target_id),
                    )
                }),
                link: Some(Link {
                    snapshot,
                    active: false,
                    ..link.clone()
                }),
                unlink: false,
            }
        }
        Err(e) => Step {
            entry: Some(SyncEntry {
                response: response(client, &e),
                ..entry(
                    link.employee_id,
                    UseCase::Deprovision,
                    EntryStatus::Failed,
                    format!("deprovisioning failed: {e}"),
                )
            }),
            link: None,
            unlink: false,
        },
    }
}

/// How deep in the org tree an employee sits (0: reports to nobody here).
fn depth(employee: &Employee, by_id: &HashMap<EmployeeId, &Employee>) -> usize {
    let mut depth = 0;
    let mut current = employee.supervisor_id;
    while let Some(id) = current {
        if depth > 64 || id == employee.id {
            break;
        }
        match by_id.get(&id) {
            Some(s) => {
                depth += 1;
                current = s.supervisor_id;
            }
            None => break,
        }
    }
    depth
}

/// Runs one cycle. Each batch of steps is also sent to `progress` as soon
/// as it is done (the cycle waits while the receiver is busy); a receiver
/// that hung up stops the cycle after that batch.
pub async fn run_cycle(
    client: &ScimClient,
    settings: &ScimSettings,
    mut input: CycleInput,
    progress: Option<&tokio::sync::mpsc::Sender<CycleBatch>>,
) -> CycleOutput {
    let mut out = CycleOutput::default();
    if let Err(e) = client.send(Method::GET, "/Users?count=1", None).await {
        out.auth_failed = e.is_auth();
        let message = if e.is_auth() {
            format!("the target refused the credentials: {e}")
        } else {
            e.to_string()
        };
        out.error = Some(RunError {
            message,
            response: response(client, &e),
        });
        return out;
    }
    let by_id: HashMap<EmployeeId, &Employee> = input.employees.iter().map(|e| (e.id, e)).collect();
    let mut waves: BTreeMap<usize, Vec<&Employee>> = BTreeMap::new();
    for e in input.employees.iter().filter(|e| in_scope(e)) {
        waves.entry(depth(e, &by_id)).or_default().push(e);
    }
    let concurrency = settings.concurrency.max(1);
    for wave in waves.values() {
        // Boxed, so that every future has one type and one lifetime.
        let futures: Vec<BoxFuture<'_, Step>> = wave
            .iter()
            .map(|&e| {
                let link = input
                    .links
                    .get(&e.id)
                    .filter(|l| l.active || settings.deprovision == DeprovisionMode::Deactivate)
                    .cloned();
                let manager = e
                    .supervisor_id
                    .and_then(|s| input.links.get(&s))
                    .map(|l| l.target_id.clone());
                let cycle = input.cycle;
                async move {
                        sync_in_scope(client, settings, cycle, e, link.as_ref(), manager).await
                    }
                    .boxed()
            })
            .collect();
        let mut done = stream::iter(futures)
            .buffer_unordered(concurrency)
            .ready_chunks(BATCH);
        while let Some(steps) = done.next().await {
            let mark = Mark::of(&out);
            for step in steps {
                apply(&mut out, &mut input.links, step);
            }
            if !mark.report(&out, progress).await {
                return stopped(out);
            }
        }
    }
    // Leavers: deprovision linked, still-active target users, unless too many at once.
    let leavers: Vec<Link> = input
        .employees
        .iter()
        .filter(|e| !in_scope(e))
        .filter_map(|e| input.links.get(&e.id).filter(|l| l.active).cloned())
        .collect();
    if leavers.len() > settings.deletion_threshold {
        out.staged = leavers.len() as u64;
        let message = format!(
            "staged: {} deprovisions exceed the safety threshold of {}; raise the threshold or check the employee data, then sync again",
            leavers.len(),
            settings.deletion_threshold
        );
        let mark = Mark::of(&out);
        for l in &leavers {
            out.entries.push(entry(
                l.employee_id,
                UseCase::Deprovision,
                EntryStatus::Skipped,
                message.clone(),
            ));
        }
        let _ = mark.report(&out, progress).await;
        return out;
    }
    let futures: Vec<BoxFuture<'_, Step>> = leavers
        .iter()
        .map(|l| deprovision(client, settings.deprovision, l).boxed())
        .collect();
    let mut done = stream::iter(futures)
        .buffer_unordered(concurrency)
        .ready_chunks(BATCH);
    while let Some(steps) = done.next().await {
        let mark = Mark::of(&out);
        for step in steps {
            apply(&mut out, &mut input.links, step);
        }
        if !mark.report(&out, progress).await {
            return stopped(out);
        }
    }
    out
}

/// The output of a cycle stopped because its run was closed meanwhile (by
/// another process, after the run's lease ran out): nothing more is sent to
/// the target, since the process that closed it runs the next cycle.
fn stopped(mut out: CycleOutput) -> CycleOutput {
    out.error = Some(RunError {
        message: "stopped: the run was closed while it ran (its lease ran out and another process took over)".into(),
        response: None,
    });
    out
}

/// Where the output stood before a batch, to report what the batch added.
struct Mark {
    entries: usize,
    upserted: usize,
    removed: usize,
}

impl Mark {
    fn of(out: &CycleOutput) -> Self {
        Self {
            entries: out.entries.len(),
            upserted: out.upserted_links.len(),
            removed: out.removed_links.len(),
        }
    }

    /// Sends the batch; false when the receiver hung up (the run was taken
    /// from this process: the cycle must stop).
    async fn report(
        self,
        out: &CycleOutput,
        progress: Option<&tokio::sync::mpsc::Sender<CycleBatch>>,
    ) -> bool {
        let Some(progress) = progress else {
            return true;
        };
        let batch = CycleBatch {
            entries: out.entries[self.entries..].to_vec(),
            upserted_links: out.upserted_links[self.upserted..].to_vec(),
            removed_links: out.removed_links[self.removed..].to_vec(),
        };
        progress.send(batch).await.is_ok()
    }
}

fn apply(out: &mut CycleOutput, links: &mut HashMap<EmployeeId, Link>, step: Step) {
    if let Some(entry) = step.entry {
        if step.unlink {
            links.remove(&entry.employee_id);
            out.removed_links.push(entry.employee_id);
        }
        out.entries.push(entry);
    }
    if let Some(link) = step.link {
        links.insert(link.employee_id, link.clone());
        out.upserted_links.push(link);
    }
}
