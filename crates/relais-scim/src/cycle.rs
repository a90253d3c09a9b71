//! One provisioning cycle.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, StreamExt as _};
use relais_people::{Employee, EmployeeId, EmployeeStatus};
use relais_sync::{
    ApiResponse, Change, Cycle, EntryStatus, GroupLink, RunError, SyncEntry, UseCase,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::{ScimClient, ScimError};
use crate::groups::{
    GroupContext, GroupProvisioning, GroupStep, plan_groups, planned_removals, sync_group,
};
use crate::user::{ENTERPRISE, comparable, desired_user, same};

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
    /// Departments and teams provisioned as groups.
    pub groups: GroupProvisioning,
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
    /// Group links from earlier cycles, by [`relais_sync::SyncGroup::key`].
    pub group_links: HashMap<String, GroupLink>,
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
    /// Group links to store (new or changed).
    pub upserted_group_links: Vec<GroupLink>,
    /// Group links to forget, by key.
    pub removed_group_links: Vec<String>,
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
    /// Group links to store (new or changed).
    pub upserted_group_links: Vec<GroupLink>,
    /// Group links to forget (vanished target groups).
    pub removed_group_links: Vec<String>,
    /// Deprovisions held back by the threshold.
    pub staged: u64,
    /// Why the whole run failed, if it did.
    pub error: Option<RunError>,
    /// Whether the target refused the credentials.
    pub auth_failed: bool,
}

pub(crate) fn in_scope(e: &Employee) -> bool {
    matches!(
        e.status,
        EmployeeStatus::Active | EmployeeStatus::Onboarding | EmployeeStatus::Leave
    )
}

pub(crate) fn response(client: &ScimClient, error: &ScimError) -> Option<ApiResponse> {
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
        group: None,
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
        .filter(|(path, value)| !same(path, current.get(path).unwrap_or(&Value::Null), value))
        .map(|(path, new)| Change {
            old: current.get(&path).cloned().unwrap_or(Value::Null),
            attribute: path,
            new,
        })
        .collect()
}

pub(crate) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A PATCH setting exactly the changed attributes, one operation each, every
/// one naming its `path` (RFC 7644 §3.5.2): `replace` with the new value, or
/// `remove` where the attribute should have none (a supervisor who left).
/// Multi-valued `emails` is replaced whole under `"path": "emails"`, so that
/// no server can take a path-less value for an `add` and keep the old
/// address beside the new one.
fn patch_for(desired: &Value, changes: &[Change]) -> Value {
    let operations: Vec<Value> = changes
        .iter()
        .map(|change| {
            let path = change.attribute.as_str();
            let value = match path {
                "emails" => desired["emails"].clone(),
                "name.givenName" => desired["name"]["givenName"].clone(),
                "name.familyName" => desired["name"]["familyName"].clone(),
                path => match path
                    .strip_prefix(ENTERPRISE)
                    .and_then(|p| p.strip_prefix(':'))
                {
                    Some(key) => desired[ENTERPRISE][key].clone(),
                    None => desired[path].clone(),
                },
            };
            if value.is_null() {
                json!({"op": "remove", "path": path})
            } else {
                json!({"op": "replace", "path": path, "value": value})
            }
        })
        .collect();
    json!({"schemas": [PATCH_OP], "Operations": operations})
}

/// The users of a SCIM list answer.
pub(crate) fn resources(list: &Value) -> Vec<Value> {
    list["Resources"].as_array().cloned().unwrap_or_default()
}

fn filter_path(name: &str, value: &str) -> String {
    let filter = format!(
        "{name} eq \"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    );
    format!(
        "/Users?filter={}",
        url::form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    )
}

fn match_path(attribute: MatchAttribute, employee: &Employee) -> String {
    match attribute {
        MatchAttribute::UserName => filter_path("userName", &employee.email),
        MatchAttribute::ExternalId => filter_path("externalId", &employee.id.to_string()),
    }
}

/// `value` with every letter's case swapped (`Ana@X.example` →
/// `aNA@x.EXAMPLE`): equal to it for a filter that follows RFC 7643, which
/// defines `userName` as not case-exact.
fn swap_case(value: &str) -> String {
    value
        .chars()
        .flat_map(|c| {
            let swapped: Vec<char> = if c.is_lowercase() {
                c.to_uppercase().collect()
            } else if c.is_uppercase() {
                c.to_lowercase().collect()
            } else {
                vec![c]
            };
            swapped
        })
        .collect()
}

/// Users per page when the connector lists the target.
const LIST_PAGE: usize = 200;
/// Most pages listed (at [`LIST_PAGE`] each: 200,000 users).
const MAX_LIST_PAGES: usize = 1000;

/// What a cycle learns about its target once and every step shares: whether
/// its `userName` filter ignores case as RFC 7643 §4.1.1 says it must, and,
/// where it does not or a create clashes, the target's user names without
/// regard to case (listed once per cycle, when first needed).
struct Target<'a> {
    client: &'a ScimClient,
    /// A user the probe saw, as (id, userName): the filter is tried on it.
    sample: Option<(String, String)>,
    case_sensitive: tokio::sync::OnceCell<bool>,
    by_user_name: tokio::sync::OnceCell<Result<HashMap<String, Vec<String>>, ScimError>>,
}

impl<'a> Target<'a> {
    fn new(client: &'a ScimClient, probe: &Value) -> Self {
        let sample = resources(probe).into_iter().find_map(|u| {
            Some((
                u["id"].as_str()?.to_owned(),
                u["userName"].as_str()?.to_owned(),
            ))
        });
        Self {
            client,
            sample,
            case_sensitive: tokio::sync::OnceCell::new(),
            by_user_name: tokio::sync::OnceCell::new(),
        }
    }

    /// Whether the target's `userName eq` filter misses a user written in
    /// another case: asked once, of the user the probe saw. Unknown (an empty
    /// target, a user name without letters, an error) counts as no.
    async fn filter_is_case_sensitive(&self) -> bool {
        *self
            .case_sensitive
            .get_or_init(|| async {
                let Some((id, name)) = &self.sample else {
                    return false;
                };
                let swapped = swap_case(name);
                if swapped == *name {
                    return false;
                }
                match self
                    .client
                    .send(Method::GET, &filter_path("userName", &swapped), None)
                    .await
                {
                    Ok((_, list)) => {
                        let sensitive = !resources(&list).iter().any(|u| u["id"] == id.as_str());
                        if sensitive {
                            tracing::info!(
                                "the SCIM target's userName filter is case-sensitive; unmatched employees are looked up by listing"
                            );
                        }
                        sensitive
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "could not tell whether the userName filter ignores case");
                        false
                    }
                }
            })
            .await
    }

    /// The ids of the target's users whose `userName` is `name` without
    /// regard to case, from one listing of the target per cycle.
    async fn users_named(&self, name: &str) -> Result<Vec<String>, ScimError> {
        let index = self
            .by_user_name
            .get_or_init(|| self.list_user_names())
            .await;
        match index {
            Ok(index) => Ok(index.get(&name.to_lowercase()).cloned().unwrap_or_default()),
            Err(e) => Err(e.clone()),
        }
    }

    /// Lists the target's users, a page at a time, as lowercased
    /// `userName` → ids. Asks for `userName` only (RFC 7644 §3.4.2.5), and
    /// for whole users from a target that refuses that with 400. Stops at
    /// `totalResults`, at an empty page, or at a page with no user not seen
    /// before (a target that ignores `startIndex`).
    async fn list_user_names(&self) -> Result<HashMap<String, Vec<String>>, ScimError> {
        let mut index: HashMap<String, Vec<String>> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        let mut start = 1;
        let mut projection = "attributes=userName&";
        for _ in 0..MAX_LIST_PAGES {
            let path = format!("/Users?{projection}startIndex={start}&count={LIST_PAGE}");
            let page = match self.client.send(Method::GET, &path, None).await {
                Ok((_, page)) => page,
                Err(ScimError::Status { status: 400, .. }) if !projection.is_empty() => {
                    projection = "";
                    continue;
                }
                Err(e) => return Err(e),
            };
            let users = resources(&page);
            let mut new = 0;
            for user in &users {
                if let (Some(id), Some(name)) = (user["id"].as_str(), user["userName"].as_str())
                    && seen.insert(id.to_owned())
                {
                    new += 1;
                    index
                        .entry(name.to_lowercase())
                        .or_default()
                        .push(id.to_owned());
                }
            }
            start += users.len();
            let total = page["totalResults"].as_u64().unwrap_or(0);
            if new == 0 || start as u64 > total {
                break;
            }
        }
        Ok(index)
    }
}

/// What one employee's step produced.
struct Step {
    entry: Option<SyncEntry>,
    link: Option<Link>,
    unlink: bool,
}

impl Step {
    fn entry(entry: SyncEntry) -> Self {
        Self {
            entry: Some(entry),
            link: None,
            unlink: false,
        }
    }

    /// A step that re-ran after dropping a vanished link keeps the unlink.
    fn unlinked_first(mut self) -> Self {
        self.unlink = self.link.is_none();
        self
    }
}

/// How a PATCH went, judged by what the target holds afterwards.
enum Patched {
    /// The target holds every value sent; `response` is the answer that
    /// shows it (the PATCH's, or the read-back's when the PATCH answered
    /// without the user).
    Applied {
        response: ApiResponse,
        read_back: bool,
    },
    /// The target accepted the PATCH but does not hold these values
    /// (`old`: what it holds, `new`: what was sent).
    NotApplied {
        response: ApiResponse,
        missing: Vec<Change>,
    },
    /// The PATCH was refused.
    Refused(ScimError),
    /// The PATCH was accepted but the user could not be read back.
    Unverified(ScimError),
}

/// The changes `user` does not hold as sent.
fn unapplied(user: &Value, changes: &[Change]) -> Vec<Change> {
    let held: BTreeMap<_, _> = comparable(user).into_iter().collect();
    changes
        .iter()
        .filter_map(|change| {
            let old = held.get(&change.attribute).cloned().unwrap_or(Value::Null);
            (!same(&change.attribute, &old, &change.new)).then(|| Change {
                attribute: change.attribute.clone(),
                old,
                new: change.new.clone(),
            })
        })
        .collect()
}

/// Sends `patch` to the target user and checks that it took: on the
/// answer when it carries the user holding every value sent (RFC 7644
/// §3.5.2: 200 with the resource), else on a read-back (`GET`), since a 204
/// says nothing of what the target did with the values.
async fn patch_checked(
    client: &ScimClient,
    target_id: &str,
    patch: &Value,
    changes: &[Change],
) -> Patched {
    let path = format!("/Users/{target_id}");
    let (status, answer) = match client.send(Method::PATCH, &path, Some(patch)).await {
        Ok(answer) => answer,
        Err(e) => return Patched::Refused(e),
    };
    // A 200 with the user is the answer to check; when it does not hold
    // every value (a partial or stale representation), the user read back
    // decides, as after a 204.
    if answer.get("id").is_some_and(Value::is_string) && unapplied(&answer, changes).is_empty() {
        return Patched::Applied {
            response: ApiResponse::new(status, &answer.to_string(), &[client.token()]),
            read_back: false,
        };
    }
    let (status, user) = match client.send(Method::GET, &path, None).await {
        Ok(read) => read,
        Err(e) => return Patched::Unverified(e),
    };
    let response = ApiResponse::new(status, &user.to_string(), &[client.token()]);
    let missing = unapplied(&user, changes);
    if missing.is_empty() {
        Patched::Applied {
            response,
            read_back: true,
        }
    } else {
        Patched::NotApplied { response, missing }
    }
}

/// Says which values the target did not take, e.g. `emails is
/// "old@x.example", not "new@x.example"`.
fn describe(missing: &[Change]) -> String {
    missing
        .iter()
        .map(|c| format!("{} is {}, not {}", c.attribute, c.old, c.new))
        .collect::<Vec<_>>()
        .join("; ")
}

fn checked_by(read_back: bool) -> &'static str {
    if read_back {
        " (confirmed by reading the user back)"
    } else {
        ""
    }
}

/// Links `employee` to the existing target user `found` (read as the
/// target holds it, with `found_response` the answer it came in) and
/// brings its attributes up to date.
async fn link_to(
    client: &ScimClient,
    employee: &Employee,
    desired: Value,
    found: &Value,
    found_response: ApiResponse,
    how: &str,
) -> Step {
    let target_id = found["id"].as_str().unwrap_or_default().to_owned();
    let changes = diff(found, &desired);
    let linked = |response: ApiResponse, note: &str| Step {
        entry: Some(SyncEntry {
            changes: changes.clone(),
            response: Some(response),
            ..entry(
                employee.id,
                UseCase::Link,
                EntryStatus::Success,
                format!(
                    "linked to the existing target user {target_id} ({how}), {} attribute(s) updated{note}",
                    changes.len()
                ),
            )
        }),
        link: Some(Link {
            employee_id: employee.id,
            target_id: target_id.clone(),
            snapshot: desired.clone(),
            active: true,
        }),
        unlink: false,
    };
    if changes.is_empty() {
        return linked(found_response, "");
    }
    match patch_checked(client, &target_id, &patch_for(&desired, &changes), &changes).await {
        Patched::Applied {
            response,
            read_back,
        } => linked(response, checked_by(read_back)),
        Patched::NotApplied { response, missing } => Step::entry(SyncEntry {
            response: Some(response),
            changes: missing.clone(),
            ..entry(
                employee.id,
                UseCase::Link,
                EntryStatus::Failed,
                format!(
                    "linking failed: the target accepted the update of user {target_id} ({how}) but did not apply it: {}",
                    describe(&missing)
                ),
            )
        }),
        Patched::Refused(e) => failed(client, employee.id, UseCase::Link, &e, "linking failed"),
        Patched::Unverified(e) => failed(
            client,
            employee.id,
            UseCase::Link,
            &e,
            "linking failed: the update was sent, but reading the user back failed",
        ),
    }
}

fn failed(
    client: &ScimClient,
    employee_id: EmployeeId,
    use_case: UseCase,
    error: &ScimError,
    what: &str,
) -> Step {
    Step::entry(SyncEntry {
        response: response(client, error),
        ..entry(
            employee_id,
            use_case,
            EntryStatus::Failed,
            format!("{what}: {error}"),
        )
    })
}

/// Matches `employee` on `userName` without regard to case, by listing the
/// target: `None` when no user has that name.
async fn match_by_listing(
    target: &Target<'_>,
    employee: &Employee,
    desired: &Value,
    why: &str,
) -> Option<Step> {
    let client = target.client;
    let ids = match target.users_named(&employee.email).await {
        Ok(ids) => ids,
        Err(e) => {
            return Some(failed(
                client,
                employee.id,
                UseCase::Link,
                &e,
                "matching failed: listing the target's users failed",
            ));
        }
    };
    match ids.as_slice() {
        [] => None,
        [id] => Some(
            match client
                .send(Method::GET, &format!("/Users/{id}"), None)
                .await
            {
                Ok((status, user)) => {
                    let found = ApiResponse::new(status, &user.to_string(), &[client.token()]);
                    let how =
                        format!("matched on userName without regard to case, by listing: {why}");
                    link_to(client, employee, desired.clone(), &user, found, &how).await
                }
                Err(e) => failed(client, employee.id, UseCase::Link, &e, "matching failed"),
            },
        ),
        several => Some(Step::entry(entry(
            employee.id,
            UseCase::Link,
            EntryStatus::Failed,
            format!(
                "duplicate target entries: {} users match on userName without regard to case",
                several.len()
            ),
        ))),
    }
}

async fn sync_in_scope(
    target: &Target<'_>,
    settings: &ScimSettings,
    cycle: Cycle,
    employee: &Employee,
    link: Option<&Link>,
    manager: Option<String>,
) -> Step {
    let client = target.client;
    let desired = desired_user(employee, manager.as_deref());
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
                        target, settings, cycle, employee, None, manager,
                    ))
                    .await
                    .unlinked_first();
                }
                Err(e) => {
                    return failed(
                        client,
                        employee.id,
                        UseCase::Update,
                        &e,
                        "reading the target user failed",
                    );
                }
            }
        } else {
            link.snapshot.clone()
        };
        let changes = diff(&current, &desired);
        if changes.is_empty() {
            return Step::entry(entry(
                employee.id,
                UseCase::Update,
                EntryStatus::Skipped,
                "nothing to change",
            ));
        }
        let patch = patch_for(&desired, &changes);
        return match patch_checked(client, &link.target_id, &patch, &changes).await {
            Patched::Applied {
                response,
                read_back,
            } => Step {
                entry: Some(SyncEntry {
                    changes: changes.clone(),
                    response: Some(response),
                    ..entry(
                        employee.id,
                        UseCase::Update,
                        EntryStatus::Success,
                        format!(
                            "{} attribute(s) updated{}",
                            changes.len(),
                            checked_by(read_back)
                        ),
                    )
                }),
                link: Some(Link {
                    snapshot: desired,
                    active: true,
                    ..link.clone()
                }),
                unlink: false,
            },
            Patched::NotApplied { response, missing } => Step::entry(SyncEntry {
                response: Some(response),
                changes: missing.clone(),
                ..entry(
                    employee.id,
                    UseCase::Update,
                    EntryStatus::Failed,
                    format!(
                        "the target accepted the update but did not apply it: {}; sent again next cycle",
                        describe(&missing)
                    ),
                )
            }),
            Patched::Refused(ScimError::Status { status: 404, .. }) => Step {
                entry: Some(entry(
                    employee.id,
                    UseCase::Update,
                    EntryStatus::Failed,
                    "the target user is gone; it is matched or provisioned again next cycle",
                )),
                link: None,
                unlink: true,
            },
            Patched::Refused(e) => {
                failed(client, employee.id, UseCase::Update, &e, "update failed")
            }
            Patched::Unverified(e) => failed(
                client,
                employee.id,
                UseCase::Update,
                &e,
                "the update was sent, but reading the user back failed",
            ),
        };
    }
    // Unlinked: match on the configured attribute, then on the other.
    let order = match settings.match_attribute {
        MatchAttribute::UserName => [MatchAttribute::UserName, MatchAttribute::ExternalId],
        MatchAttribute::ExternalId => [MatchAttribute::ExternalId, MatchAttribute::UserName],
    };
    for attribute in order {
        match client
            .send(Method::GET, &match_path(attribute, employee), None)
            .await
        {
            Ok((status, list)) => {
                let found = resources(&list);
                match found.as_slice() {
                    [] => {}
                    [user] => {
                        let answer = ApiResponse::new(status, &list.to_string(), &[client.token()]);
                        let how = format!("matched on {attribute:?}");
                        return link_to(client, employee, desired, user, answer, &how).await;
                    }
                    several => {
                        return Step::entry(entry(
                            employee.id,
                            UseCase::Link,
                            EntryStatus::Failed,
                            format!(
                                "duplicate target entries: {} users match on {attribute:?}",
                                several.len()
                            ),
                        ));
                    }
                }
            }
            Err(e) => return failed(client, employee.id, UseCase::Link, &e, "matching failed"),
        }
    }
    // A target whose filter misses other cases of a user name (against
    // RFC 7643) is asked by listing before a duplicate is created.
    if target.filter_is_case_sensitive().await
        && let Some(step) = match_by_listing(
            target,
            employee,
            &desired,
            "the target's userName filter is case-sensitive",
        )
        .await
    {
        return step;
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
        // The target says the user exists although its filter found none:
        // look for it by listing rather than failing again every cycle.
        Err(e @ ScimError::Status { status: 409, .. }) => match_by_listing(
            target,
            employee,
            &desired,
            "creating the user was refused as a duplicate",
        )
        .await
        .unwrap_or_else(|| {
            failed(
                client,
                employee.id,
                UseCase::Provision,
                &e,
                "provisioning failed (no user of this userName found by listing either)",
            )
        }),
        Err(e) => failed(
            client,
            employee.id,
            UseCase::Provision,
            &e,
            "provisioning failed",
        ),
    }
}

async fn deprovision(client: &ScimClient, mode: DeprovisionMode, link: &Link) -> Step {
    let change = Change {
        attribute: "active".into(),
        old: json!(true),
        new: json!(false),
    };
    let failure = |response, message: String| {
        Step::entry(SyncEntry {
            response,
            ..entry(
                link.employee_id,
                UseCase::Deprovision,
                EntryStatus::Failed,
                message,
            )
        })
    };
    if mode == DeprovisionMode::Delete {
        let path = format!("/Users/{}", link.target_id);
        return match client.send(Method::DELETE, &path, None).await {
            Ok((status, body)) => {
                let body = if body.is_null() {
                    String::new()
                } else {
                    body.to_string()
                };
                Step {
                    entry: Some(SyncEntry {
                        changes: vec![change],
                        response: Some(ApiResponse::new(status, &body, &[client.token()])),
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
            Err(e @ ScimError::Status { status: 404, .. }) => Step {
                entry: Some(SyncEntry {
                    changes: vec![change],
                    response: response(client, &e),
                    ..entry(
                        link.employee_id,
                        UseCase::Deprovision,
                        EntryStatus::Success,
                        format!("target user {} was already deleted", link.target_id),
                    )
                }),
                link: None,
                unlink: true,
            },
            Err(e) => failure(response(client, &e), format!("deprovisioning failed: {e}")),
        };
    }
    let changes = [change];
    let patch = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    match patch_checked(client, &link.target_id, &patch, &changes).await {
        Patched::Applied {
            response,
            read_back,
        } => {
            let mut snapshot = link.snapshot.clone();
            snapshot["active"] = json!(false);
            Step {
                entry: Some(SyncEntry {
                    changes: changes.to_vec(),
                    response: Some(response),
                    ..entry(
                        link.employee_id,
                        UseCase::Deprovision,
                        EntryStatus::Success,
                        format!(
                            "deactivated target user {}{}",
                            link.target_id,
                            checked_by(read_back)
                        ),
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
        Patched::NotApplied { response, missing } => failure(
            Some(response),
            format!(
                "deprovisioning failed: the target accepted the deactivation but did not apply it: {}",
                describe(&missing)
            ),
        ),
        Patched::Refused(e) => failure(response(client, &e), format!("deprovisioning failed: {e}")),
        Patched::Unverified(e) => failure(
            response(client, &e),
            format!(
                "deprovisioning failed: the deactivation was sent, but reading the user back failed: {e}"
            ),
        ),
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

/// The target user `employee`'s `manager` should point at: their
/// supervisor's, while the supervisor belongs in the target (active,
/// onboarding or on leave) and is linked to a user that is not deactivated.
/// A supervisor who left gives no manager, so that the attribute is removed
/// from their reports (in the same cycle that deprovisions them) until the
/// employee data names a new supervisor: a report never points at a
/// deactivated or deleted account.
fn manager_of(
    employee: &Employee,
    by_id: &HashMap<EmployeeId, &Employee>,
    links: &HashMap<EmployeeId, Link>,
) -> Option<String> {
    let supervisor = by_id.get(&employee.supervisor_id?)?;
    if !in_scope(supervisor) {
        return None;
    }
    links
        .get(&supervisor.id)
        .filter(|l| l.active)
        .map(|l| l.target_id.clone())
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
    let probe = client.send(Method::GET, "/Users?count=1", None).await;
    let target = match &probe {
        Ok((_, page)) => Target::new(client, page),
        Err(_) => Target::new(client, &Value::Null),
    };
    if let Err(e) = probe {
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
                let manager = manager_of(e, &by_id, &input.links);
                let cycle = input.cycle;
                let target = &target;
                async move {
                    sync_in_scope(target, settings, cycle, e, link.as_ref(), manager).await
                }
                .boxed()
            })
            .collect();
        let links = &mut input.links;
        if !run_steps(futures, concurrency, &mut out, progress, |out, step| {
            apply(out, links, step);
        })
        .await
        {
            return stopped(out);
        }
    }
    // Every account Relais manages, before leavers' deleted accounts are
    // forgotten: the only members groups ever lose, named by employee.
    let employee_of = employee_of(&input.links);
    // Leavers: deprovision linked, still-active target users, unless too many at once.
    let leavers: Vec<Link> = input
        .employees
        .iter()
        .filter(|e| !in_scope(e))
        .filter_map(|e| input.links.get(&e.id).filter(|l| l.active).cloned())
        .collect();
    let deprovisions_staged = leavers.len() > settings.deletion_threshold;
    if deprovisions_staged {
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
        if !mark.report(&out, progress).await {
            return stopped(out);
        }
    } else {
        let futures: Vec<BoxFuture<'_, Step>> = leavers
            .iter()
            .map(|l| deprovision(client, settings.deprovision, l).boxed())
            .collect();
        let links = &mut input.links;
        if !run_steps(futures, concurrency, &mut out, progress, |out, step| {
            apply(out, links, step);
        })
        .await
        {
            return stopped(out);
        }
    }
    // Groups last, once every account is created, linked or deactivated:
    // a group's members are its unit's employees with an active account
    // (a staged leaver's account is still active, so still a member).
    let plans = plan_groups(
        settings.groups,
        &input.employees,
        &input.links,
        &input.group_links,
    );
    if plans.is_empty() {
        return out;
    }
    // Member removals count against the deletion safety threshold too (a
    // department blanked for everyone by a bad import empties its group),
    // and wait while deprovisions are staged.
    let removals = planned_removals(&plans);
    let removals_held = if deprovisions_staged {
        Some("deprovisions are staged in this cycle".to_owned())
    } else if removals > settings.deletion_threshold {
        Some(format!(
            "{removals} member removals exceed the safety threshold of {}; raise the threshold or check the employee data, then sync again",
            settings.deletion_threshold
        ))
    } else {
        None
    };
    let context = GroupContext {
        client,
        cycle: input.cycle,
        employee_of: &employee_of,
        removals_held: removals_held.as_deref(),
    };
    let futures: Vec<BoxFuture<'_, GroupStep>> = plans
        .iter()
        .map(|plan| sync_group(&context, plan).boxed())
        .collect();
    if !run_steps(futures, concurrency, &mut out, progress, add_group_step).await {
        return stopped(out);
    }
    out
}

/// Runs `steps`, `concurrency` at a time, adding each to `out` with `add`
/// and reporting every batch of at most [`BATCH`] to `progress` as it is
/// done; false when the receiver hung up (the cycle must stop).
async fn run_steps<S>(
    steps: Vec<BoxFuture<'_, S>>,
    concurrency: usize,
    out: &mut CycleOutput,
    progress: Option<&tokio::sync::mpsc::Sender<CycleBatch>>,
    mut add: impl FnMut(&mut CycleOutput, S),
) -> bool {
    let mut done = stream::iter(steps)
        .buffer_unordered(concurrency)
        .ready_chunks(BATCH);
    while let Some(steps) = done.next().await {
        let mark = Mark::of(out);
        for step in steps {
            add(out, step);
        }
        if !mark.report(out, progress).await {
            return false;
        }
    }
    true
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
    upserted_groups: usize,
    removed_groups: usize,
}

impl Mark {
    fn of(out: &CycleOutput) -> Self {
        Self {
            entries: out.entries.len(),
            upserted: out.upserted_links.len(),
            removed: out.removed_links.len(),
            upserted_groups: out.upserted_group_links.len(),
            removed_groups: out.removed_group_links.len(),
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
            upserted_group_links: out.upserted_group_links[self.upserted_groups..].to_vec(),
            removed_group_links: out.removed_group_links[self.removed_groups..].to_vec(),
        };
        progress.send(batch).await.is_ok()
    }
}

/// The employee of each target account Relais links: the accounts Relais
/// manages (see [`GroupContext::employee_of`]).
fn employee_of(links: &HashMap<EmployeeId, Link>) -> HashMap<String, EmployeeId> {
    links
        .values()
        .map(|l| (l.target_id.clone(), l.employee_id))
        .collect()
}

/// Adds a group's step to the output: its entry, and its link to store or
/// forget.
fn add_group_step(out: &mut CycleOutput, step: GroupStep) {
    if step.unlink
        && let Some(group) = &step.entry.group
    {
        out.removed_group_links.push(group.key());
    }
    out.entries.push(step.entry);
    if let Some(link) = step.link {
        out.upserted_group_links.push(link);
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

/// Runs the cycle for one employee only (provisioning on demand): they are
/// matched, linked, created, updated or deprovisioned as [`run_cycle`] would
/// do for them, their `manager` taken from the existing links (a
/// supervisor not linked yet gives none, as in the first wave of a cycle);
/// they join or leave the linked groups of their units ([`plans_for_one`](crate::plans_for_one):
/// only their own membership is sent; a unit without a group yet gets it
/// in the next cycle); nothing is done to any other employee or target
/// user. One entry always
/// says what happened, also when nothing was to be done (a leaver with no
/// active target user, an employee the company does not have).
///
/// The deletion safety threshold applies as in a cycle: a threshold of 0
/// stages the deprovision of a leaver.
pub async fn run_cycle_for(
    client: &ScimClient,
    settings: &ScimSettings,
    input: CycleInput,
    employee_id: EmployeeId,
) -> CycleOutput {
    let mut out = CycleOutput::default();
    let probe = client.send(Method::GET, "/Users?count=1", None).await;
    let page = match probe {
        Ok((_, page)) => page,
        Err(e) => {
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
    };
    let target = Target::new(client, &page);
    let by_id: HashMap<EmployeeId, &Employee> = input.employees.iter().map(|e| (e.id, e)).collect();
    let mut links = input.links;
    let Some(&employee) = by_id.get(&employee_id) else {
        out.entries.push(entry(
            employee_id,
            UseCase::Update,
            EntryStatus::Skipped,
            "not an employee of the company: nothing to do",
        ));
        return out;
    };
    let step = if in_scope(employee) {
        let link = links
            .get(&employee.id)
            .filter(|l| l.active || settings.deprovision == DeprovisionMode::Deactivate)
            .cloned();
        let manager = manager_of(employee, &by_id, &links);
        sync_in_scope(
            &target,
            settings,
            input.cycle,
            employee,
            link.as_ref(),
            manager,
        )
        .await
    } else {
        match links.get(&employee.id).filter(|l| l.active).cloned() {
            None => Step::entry(entry(
                employee.id,
                UseCase::Deprovision,
                EntryStatus::Skipped,
                "inactive (a leaver): does not belong in the target, and no active target user is linked: nothing to deprovision",
            )),
            Some(_) if settings.deletion_threshold == 0 => {
                out.staged = 1;
                Step::entry(entry(
                    employee.id,
                    UseCase::Deprovision,
                    EntryStatus::Skipped,
                    "staged: 1 deprovision exceeds the safety threshold of 0; raise the threshold or check the employee data, then sync again",
                ))
            }
            Some(link) => deprovision(client, settings.deprovision, &link).await,
        }
    };
    apply(&mut out, &mut links, step);
    // Their groups: joined or left now, as far as they are linked (a
    // unit without a group yet gets it in the next cycle); nobody else's
    // membership is sent.
    let plans = crate::groups::plans_for_one(
        settings.groups,
        &input.employees,
        &links,
        &input.group_links,
        employee_id,
    );
    if !plans.is_empty() {
        let employee_of = employee_of(&links);
        let context = GroupContext {
            client,
            cycle: Cycle::Incremental,
            employee_of: &employee_of,
            removals_held: (out.staged > 0).then_some("the deprovision is staged"),
        };
        for plan in &plans {
            add_group_step(&mut out, sync_group(&context, plan).await);
        }
    }
    out
}

#[cfg(test)]
mod tests;
