//! Departments and teams as SCIM Groups (RFC 7643 §4.2) with their members.
//!
//! After the users of a cycle (and its deprovisions), every department or
//! team the connection provisions is brought in step: a group per org unit
//! that has an employee in scope (or was linked earlier), `externalId` =
//! `department:3` / `team:201`, `displayName` = the unit's name, members =
//! the unit's employees who have an *active* account in the target.
//!
//! - An unlinked unit is matched on `externalId`, then on `displayName`: one
//!   match is **linked** (and brought up to date), several are a failed
//!   entry, none is **provisioned** (`POST /Groups`).
//! - A linked group is **updated** by `PATCH`: `replace displayName` when the
//!   unit was renamed, `add members` for those missing, `remove
//!   members[value eq "…"]` for those who left it. Only members Relais
//!   manages (target users linked to an employee, now or before) are ever
//!   removed: a member someone added in the target by hand stays.
//! - The update is confirmed by reading the group back.
//! - Groups are never deleted: a unit without employees in the target keeps
//!   an empty group, which the target's admins may delete.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use relais_people::{Employee, EmployeeId};
use relais_sync::{
    ApiResponse, Change, Cycle, EntryStatus, GroupKind, GroupLink, SyncEntry, SyncGroup, UseCase,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{ScimClient, ScimError};
use crate::cycle::{Link, PATCH_OP, in_scope, resources, response};

/// The core Group schema.
pub(crate) const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// Member values sent in one `PATCH` at most (added values and removal
/// operations together): some targets refuse larger requests.
const MEMBERS_PER_PATCH: usize = 100;

/// Employee ids an entry's `changes` list at most per direction.
const LISTED_MEMBERS: usize = 200;

/// Which org units a connection provisions as groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupProvisioning {
    /// Departments as groups.
    pub departments: bool,
    /// Teams as groups.
    pub teams: bool,
}

impl GroupProvisioning {
    /// The setup wizard's answer (`none`, `departments`, `teams`,
    /// `departments_and_teams`); anything else, or no answer, is none.
    #[must_use]
    pub fn from_answer(answer: Option<&str>) -> Self {
        match answer {
            Some("departments") => Self {
                departments: true,
                teams: false,
            },
            Some("teams") => Self {
                departments: false,
                teams: true,
            },
            Some("departments_and_teams") => Self {
                departments: true,
                teams: true,
            },
            _ => Self::default(),
        }
    }

    fn kinds(self) -> impl Iterator<Item = GroupKind> {
        [
            (self.departments, GroupKind::Department),
            (self.teams, GroupKind::Team),
        ]
        .into_iter()
        .filter_map(|(on, kind)| on.then_some(kind))
    }
}

/// One group a cycle brings in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlan {
    /// The org unit, with the name the group should have.
    pub group: SyncGroup,
    /// The target ids of the unit's employees with an active account.
    pub members: BTreeSet<String>,
    /// The group it was provisioned as, if any.
    pub link: Option<GroupLink>,
}

fn unit_of(employee: &Employee, kind: GroupKind) -> Option<&relais_people::OrgUnit> {
    match kind {
        GroupKind::Department => employee.department.as_ref(),
        GroupKind::Team => employee.team.as_ref(),
    }
}

/// The groups to bring in step: one per unit of an enabled kind that an
/// employee in scope belongs to, and one per linked group of an enabled
/// kind (whose unit may have no one left: its group is emptied of the
/// members Relais manages). Members are the target ids of the unit's
/// employees whose link is active; the name is the one the unit's
/// employee with the lowest id has (in scope first). In key order.
#[must_use]
pub fn plan_groups(
    provisioning: GroupProvisioning,
    employees: &[Employee],
    links: &HashMap<EmployeeId, Link>,
    group_links: &HashMap<String, GroupLink>,
) -> Vec<GroupPlan> {
    let mut plans: BTreeMap<String, GroupPlan> = BTreeMap::new();
    for kind in provisioning.kinds() {
        let mut sorted: Vec<&Employee> = employees
            .iter()
            .filter(|e| unit_of(e, kind).is_some())
            .collect();
        // In scope first, then by id: the name comes from the first seen.
        sorted.sort_by_key(|e| (!in_scope(e), e.id));
        for employee in sorted {
            let Some(unit) = unit_of(employee, kind) else {
                continue;
            };
            let group = SyncGroup {
                kind,
                id: unit.id,
                name: unit.name.clone(),
            };
            let key = group.key();
            if !plans.contains_key(&key) && !in_scope(employee) && !group_links.contains_key(&key) {
                // Only leavers are in this unit, and it has no group.
                continue;
            }
            let plan = plans.entry(key.clone()).or_insert_with(|| GroupPlan {
                group,
                members: BTreeSet::new(),
                link: group_links.get(&key).cloned(),
            });
            if let Some(link) = links.get(&employee.id).filter(|l| l.active) {
                plan.members.insert(link.target_id.clone());
            }
        }
        // Linked groups whose unit no employee has any more.
        for (key, link) in group_links {
            let Some((k, id)) = key.split_once(':') else {
                continue;
            };
            let Ok(id) = id.parse::<i64>() else {
                continue;
            };
            if k != kind.as_str() || plans.contains_key(key) {
                continue;
            }
            plans.insert(
                key.clone(),
                GroupPlan {
                    group: SyncGroup {
                        kind,
                        id,
                        name: link.snapshot["displayName"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    },
                    members: BTreeSet::new(),
                    link: Some(link.clone()),
                },
            );
        }
    }
    plans.into_values().collect()
}

/// The members linked groups would lose, counted from what was last sent
/// to them (what a full cycle reads may differ a little).
#[must_use]
pub fn planned_removals(plans: &[GroupPlan]) -> usize {
    plans
        .iter()
        .filter_map(|p| p.link.as_ref().map(|l| (p, Held::of(&l.snapshot))))
        .map(|(p, held)| held.members.difference(&p.members).count())
        .sum()
}

/// The plans that bring one employee's membership in step and nothing
/// else (provisioning on demand): for each linked group they should join
/// or leave, what was last sent to it with them added or removed, under
/// its last name. Groups not linked yet are left to the next cycle.
#[must_use]
pub fn plans_for_one(
    provisioning: GroupProvisioning,
    employees: &[Employee],
    links: &HashMap<EmployeeId, Link>,
    group_links: &HashMap<String, GroupLink>,
    employee: EmployeeId,
) -> Vec<GroupPlan> {
    let Some(account) = links.get(&employee).map(|l| l.target_id.clone()) else {
        return Vec::new();
    };
    plan_groups(provisioning, employees, links, group_links)
        .into_iter()
        .filter_map(|plan| {
            let link = plan.link?;
            let held = Held::of(&link.snapshot);
            let member = plan.members.contains(&account);
            if member == held.members.contains(&account) {
                return None;
            }
            let mut members = held.members;
            if member {
                members.insert(account.clone());
            } else {
                members.remove(&account);
            }
            let name = if held.display_name.is_empty() {
                plan.group.name.clone()
            } else {
                held.display_name
            };
            Some(GroupPlan {
                group: SyncGroup { name, ..plan.group },
                members,
                link: Some(link),
            })
        })
        .collect()
}

/// What one group's step produced.
pub(crate) struct GroupStep {
    pub entry: SyncEntry,
    pub link: Option<GroupLink>,
    pub unlink: bool,
}

fn group_entry(
    group: &SyncGroup,
    use_case: UseCase,
    status: EntryStatus,
    message: impl Into<String>,
) -> SyncEntry {
    SyncEntry {
        at: chrono::Utc::now(),
        employee_id: 0,
        group: Some(group.clone()),
        use_case,
        status,
        message: message.into(),
        response: None,
        changes: vec![],
    }
}

fn failed(
    client: &ScimClient,
    group: &SyncGroup,
    use_case: UseCase,
    error: &ScimError,
    what: &str,
) -> GroupStep {
    GroupStep {
        entry: SyncEntry {
            response: response(client, error),
            ..group_entry(
                group,
                use_case,
                EntryStatus::Failed,
                format!("{what}: {error}"),
            )
        },
        link: None,
        unlink: false,
    }
}

/// What the target holds (or was last sent) of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    display_name: String,
    members: BTreeSet<String>,
}

impl Held {
    fn of(group: &Value) -> Self {
        Self {
            display_name: group["displayName"].as_str().unwrap_or_default().to_owned(),
            members: group["members"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .filter_map(|m| m["value"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn snapshot(&self) -> Value {
        // The shape of a SCIM group, so that [`Held::of`] reads it back.
        let members: Vec<Value> = self.members.iter().map(|m| json!({"value": m})).collect();
        json!({"displayName": self.display_name, "members": members})
    }
}

/// What it takes to bring a held group to the plan.
struct Delta {
    rename: Option<String>,
    add: Vec<String>,
    remove: Vec<String>,
}

impl Delta {
    /// `managed`: whether Relais may remove this member (see
    /// [`GroupContext::employee_of`]).
    fn between(held: &Held, plan: &GroupPlan, managed: &(dyn Fn(&str) -> bool + Sync)) -> Self {
        Self {
            rename: (held.display_name != plan.group.name).then(|| plan.group.name.clone()),
            add: plan.members.difference(&held.members).cloned().collect(),
            remove: held
                .members
                .iter()
                .filter(|m| managed(m) && !plan.members.contains(*m))
                .cloned()
                .collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.rename.is_none() && self.add.is_empty() && self.remove.is_empty()
    }

    /// What still differs in `held` after the delta was sent.
    fn unapplied(&self, held: &Held) -> Vec<String> {
        let mut missing = Vec::new();
        if let Some(name) = &self.rename
            && held.display_name != *name
        {
            missing.push(format!(
                "displayName is {:?}, not {name:?}",
                held.display_name
            ));
        }
        let not_added = self
            .add
            .iter()
            .filter(|m| !held.members.contains(*m))
            .count();
        if not_added > 0 {
            missing.push(format!("{not_added} member(s) not added"));
        }
        let not_removed = self
            .remove
            .iter()
            .filter(|m| held.members.contains(*m))
            .count();
        if not_removed > 0 {
            missing.push(format!("{not_removed} member(s) not removed"));
        }
        missing
    }

    /// The PATCH requests: the rename alone (a target that refuses it, say
    /// for a name another group has, still takes the members), then at most
    /// [`MEMBERS_PER_PATCH`] members (added or removed) in each.
    fn patches(&self) -> Vec<Value> {
        let items: Vec<(bool, &String)> = self
            .add
            .iter()
            .map(|m| (true, m))
            .chain(self.remove.iter().map(|m| (false, m)))
            .collect();
        let chunks: Vec<&[(bool, &String)]> = if items.is_empty() {
            vec![&[]]
        } else {
            items.chunks(MEMBERS_PER_PATCH).collect()
        };
        let mut requests = Vec::new();
        if let Some(name) = &self.rename {
            requests.push(json!({"schemas": [PATCH_OP], "Operations": [
                {"op": "replace", "path": "displayName", "value": name}
            ]}));
        }
        for chunk in chunks {
            let mut operations = Vec::new();
            let added: Vec<Value> = chunk
                .iter()
                .filter(|(add, _)| *add)
                .map(|(_, m)| json!({"value": m}))
                .collect();
            if !added.is_empty() {
                operations.push(json!({"op": "add", "path": "members", "value": added}));
            }
            for (_, member) in chunk.iter().filter(|(add, _)| !*add) {
                let path = format!(
                    "members[value eq \"{}\"]",
                    member.replace('\\', "\\\\").replace('"', "\\\"")
                );
                operations.push(json!({"op": "remove", "path": path}));
            }
            if !operations.is_empty() {
                requests.push(json!({"schemas": [PATCH_OP], "Operations": operations}));
            }
        }
        requests
    }

    /// The entry's changes: the rename, and the members added and removed
    /// as employee ids (target ids where no employee is linked to them).
    fn changes(&self, old_name: &str, employee_of: &HashMap<String, EmployeeId>) -> Vec<Change> {
        let listed = |members: &[String]| -> Value {
            members
                .iter()
                .take(LISTED_MEMBERS)
                .map(|m| match employee_of.get(m) {
                    Some(id) => json!(id),
                    None => json!(m),
                })
                .collect()
        };
        let mut changes = Vec::new();
        if let Some(name) = &self.rename {
            changes.push(Change {
                attribute: "displayName".into(),
                old: if old_name.is_empty() {
                    Value::Null
                } else {
                    json!(old_name)
                },
                new: json!(name),
            });
        }
        if !self.add.is_empty() {
            changes.push(Change {
                attribute: "members.added".into(),
                old: Value::Null,
                new: listed(&self.add),
            });
        }
        if !self.remove.is_empty() {
            changes.push(Change {
                attribute: "members.removed".into(),
                old: listed(&self.remove),
                new: Value::Null,
            });
        }
        changes
    }

    fn summary(&self, old_name: &str) -> String {
        let mut parts = Vec::new();
        if let Some(name) = &self.rename {
            if old_name.is_empty() {
                parts.push(format!("named {name:?}"));
            } else {
                parts.push(format!("renamed from {old_name:?} to {name:?}"));
            }
        }
        if !self.add.is_empty() {
            parts.push(format!("{} member(s) added", self.add.len()));
        }
        if !self.remove.is_empty() {
            parts.push(format!("{} member(s) removed", self.remove.len()));
        }
        parts.join(", ")
    }
}

/// What the shared parts of a cycle tell every group step.
pub(crate) struct GroupContext<'a> {
    pub client: &'a ScimClient,
    pub cycle: Cycle,
    /// Target ids of every user Relais links (active or not, and those it
    /// deleted this cycle), each with its employee (for the entries): with
    /// the members a group's snapshot lists, the only members it ever
    /// removes.
    pub employee_of: &'a HashMap<String, EmployeeId>,
    /// Why members may not be removed this cycle (deprovisions staged, or
    /// more removals than the deletion safety threshold): they are held
    /// back and the entry says so.
    pub removals_held: Option<&'a str>,
}

/// Brings one group in step with its plan.
pub(crate) async fn sync_group(context: &GroupContext<'_>, plan: &GroupPlan) -> GroupStep {
    let client = context.client;
    let group = &plan.group;
    if let Some(link) = &plan.link {
        let held = if context.cycle == Cycle::Full {
            match client
                .send(Method::GET, &format!("/Groups/{}", link.target_id), None)
                .await
            {
                Ok((_, found)) => Held::of(&found),
                Err(ScimError::Status { status: 404, .. }) => return gone(context, plan).await,
                Err(e) => {
                    return failed(
                        client,
                        group,
                        UseCase::Update,
                        &e,
                        "reading the target group failed",
                    );
                }
            }
        } else {
            Held::of(&link.snapshot)
        };
        return bring_up_to_date(
            context,
            plan,
            &link.target_id,
            &held,
            Some(link),
            UseCase::Update,
            "",
        )
        .await;
    }
    // Unlinked: a group Relais created carries the unit's key as its
    // externalId.
    match find_groups(client, "externalId", &group.key()).await {
        Ok(Some(found)) => match found.as_slice() {
            [] => {}
            [one] => {
                let Some(target_id) = one["id"].as_str() else {
                    return GroupStep {
                        entry: group_entry(
                            group,
                            UseCase::Link,
                            EntryStatus::Failed,
                            "matching failed: the target's group has no id",
                        ),
                        link: None,
                        unlink: false,
                    };
                };
                // Read whole: the filter's answer may leave the members out.
                let held = match client
                    .send(Method::GET, &format!("/Groups/{target_id}"), None)
                    .await
                {
                    Ok((_, whole)) => Held::of(&whole),
                    Err(e) => return failed(client, group, UseCase::Link, &e, "matching failed"),
                };
                let how = format!(
                    " (linked to the existing target group {target_id}, matched on externalId)"
                );
                return bring_up_to_date(
                    context,
                    plan,
                    target_id,
                    &held,
                    None,
                    UseCase::Link,
                    &how,
                )
                .await;
            }
            several => {
                return GroupStep {
                    entry: group_entry(
                        group,
                        UseCase::Link,
                        EntryStatus::Failed,
                        format!(
                            "duplicate target entries: {} groups have the externalId {}",
                            several.len(),
                            group.key()
                        ),
                    ),
                    link: None,
                    unlink: false,
                };
            }
        },
        Ok(None) => {}
        Err(e) => return failed(client, group, UseCase::Link, &e, "matching failed"),
    }
    // A group of that name that Relais did not create is never taken over:
    // it may grant anything (an "Admins" group and a team called Admins).
    match find_groups(client, "displayName", &group.name).await {
        Ok(Some(found)) if !found.is_empty() => {
            let ids: Vec<&str> = found.iter().filter_map(|g| g["id"].as_str()).collect();
            return GroupStep {
                entry: group_entry(
                    group,
                    UseCase::Provision,
                    EntryStatus::Failed,
                    format!(
                        "the target already has a group named {:?} (id {}) that Relais did not create: set its externalId to {} for Relais to manage it, or rename it",
                        group.name,
                        ids.join(", "),
                        group.key()
                    ),
                ),
                link: None,
                unlink: false,
            };
        }
        Ok(_) => {}
        Err(e) => return failed(client, group, UseCase::Provision, &e, "matching failed"),
    }
    create(context, plan).await
}

/// The groups whose `attribute` equals `value`; `None` when the target
/// cannot filter on it (400 `invalidFilter`). A target that refuses
/// `excludedAttributes` (any other 400) is asked again without it.
async fn find_groups(
    client: &ScimClient,
    attribute: &str,
    value: &str,
) -> Result<Option<Vec<Value>>, ScimError> {
    let filter = format!(
        "{attribute} eq \"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let filter = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>();
    let mut projection = "&excludedAttributes=members";
    loop {
        let path = format!("/Groups?filter={filter}{projection}");
        match client.send(Method::GET, &path, None).await {
            Ok((_, list)) => return Ok(Some(resources(&list))),
            Err(ScimError::Status { status: 400, .. }) if !projection.is_empty() => {
                projection = "";
            }
            Err(ScimError::Status { status: 400, body }) if body.contains("invalidFilter") => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
    }
}

/// A linked group the target no longer has: created again when it has
/// members to hold; forgotten when it has none (its admins deleted an
/// empty group, as the docs invite them to).
async fn gone(context: &GroupContext<'_>, plan: &GroupPlan) -> GroupStep {
    if plan.members.is_empty() {
        return GroupStep {
            entry: group_entry(
                &plan.group,
                UseCase::Update,
                EntryStatus::Skipped,
                "the group was deleted in the target and has no members to hold: it is not created again",
            ),
            link: None,
            unlink: true,
        };
    }
    let mut step = Box::pin(sync_group(
        context,
        &GroupPlan {
            link: None,
            ..plan.clone()
        },
    ))
    .await;
    step.unlink = step.link.is_none();
    step
}

/// Creates the group with at most [`MEMBERS_PER_PATCH`] members, and adds
/// the others by `PATCH`.
async fn create(context: &GroupContext<'_>, plan: &GroupPlan) -> GroupStep {
    let client = context.client;
    let group = &plan.group;
    let first: BTreeSet<String> = plan
        .members
        .iter()
        .take(MEMBERS_PER_PATCH)
        .cloned()
        .collect();
    let desired = json!({
        "schemas": [GROUP],
        "displayName": group.name,
        "externalId": group.key(),
        "members": first.iter().map(|m| json!({"value": m})).collect::<Vec<_>>(),
    });
    let (status, created) = match client.send(Method::POST, "/Groups", Some(&desired)).await {
        Ok(answer) => answer,
        Err(e) => return failed(client, group, UseCase::Provision, &e, "provisioning failed"),
    };
    let Some(target_id) = created["id"].as_str().map(str::to_owned) else {
        return GroupStep {
            entry: SyncEntry {
                response: Some(ApiResponse::new(
                    status,
                    &created.to_string(),
                    &[client.token()],
                )),
                ..group_entry(
                    group,
                    UseCase::Provision,
                    EntryStatus::Failed,
                    "provisioning failed: the target's answer names no group id",
                )
            },
            link: None,
            unlink: false,
        };
    };
    // A 201 without the members (some targets answer so) is taken for
    // what was sent.
    let held = if created.get("members").is_some() {
        Held::of(&created)
    } else {
        Held {
            display_name: created["displayName"]
                .as_str()
                .unwrap_or(&group.name)
                .to_owned(),
            members: first.clone(),
        }
    };
    if held.display_name == group.name && held.members == plan.members {
        let delta = Delta {
            rename: Some(group.name.clone()),
            add: plan.members.iter().cloned().collect(),
            remove: vec![],
        };
        return GroupStep {
            entry: SyncEntry {
                response: Some(ApiResponse::new(
                    status,
                    &json!({"id": target_id}).to_string(),
                    &[],
                )),
                changes: delta.changes("", context.employee_of),
                ..group_entry(
                    group,
                    UseCase::Provision,
                    EntryStatus::Success,
                    format!(
                        "created target group {target_id} with {} member(s)",
                        plan.members.len()
                    ),
                )
            },
            link: Some(GroupLink {
                key: group.key(),
                target_id,
                snapshot: held.snapshot(),
            }),
            unlink: false,
        };
    }
    let how = format!(" (created target group {target_id})");
    let mut step = bring_up_to_date(
        context,
        plan,
        &target_id,
        &held,
        None,
        UseCase::Provision,
        &how,
    )
    .await;
    if step.link.is_none() && !step.unlink {
        // Created but not complete: keep the link, so that the next cycle
        // updates this group rather than create another.
        step.link = Some(GroupLink {
            key: group.key(),
            target_id,
            snapshot: held.snapshot(),
        });
    }
    step
}

/// Sends `delta`'s requests; on a 400 (a strict target refusing to remove
/// a member it no longer has: RFC 7644 §3.12 `noTarget`) reads the group
/// and sends what still differs, once.
async fn send_delta(
    context: &GroupContext<'_>,
    plan: &GroupPlan,
    path: &str,
    delta: Delta,
    managed: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Delta, ScimError> {
    let client = context.client;
    let mut delta = delta;
    let mut retried = false;
    let mut requests = delta.patches().into_iter();
    while let Some(patch) = requests.next() {
        match client.send(Method::PATCH, path, Some(&patch)).await {
            Ok(_) => {}
            Err(ScimError::Status { status: 400, .. }) if !retried => {
                retried = true;
                let (_, read) = client.send(Method::GET, path, None).await?;
                delta = Delta::between(&Held::of(&read), plan, managed);
                if context.removals_held.is_some() {
                    delta.remove.clear();
                }
                requests = delta.patches().into_iter();
            }
            Err(e) => return Err(e),
        }
    }
    Ok(delta)
}

async fn bring_up_to_date(
    context: &GroupContext<'_>,
    plan: &GroupPlan,
    target_id: &str,
    held: &Held,
    link: Option<&GroupLink>,
    use_case: UseCase,
    how: &str,
) -> GroupStep {
    let client = context.client;
    let group = &plan.group;
    // Members Relais manages, and those it sent to this group before.
    let sent_before = link
        .map(|l| Held::of(&l.snapshot).members)
        .unwrap_or_default();
    let managed = |m: &str| context.employee_of.contains_key(m) || sent_before.contains(m);
    let mut delta = Delta::between(held, plan, &managed);
    let mut held_back = 0;
    if context.removals_held.is_some() {
        held_back = delta.remove.len();
        delta.remove.clear();
    }
    let staged_note = match (held_back, context.removals_held) {
        (0, _) | (_, None) => String::new(),
        (n, Some(why)) => format!("; {n} member removal(s) held back: {why}"),
    };
    // Until the held-back removals are made, the snapshot still lists
    // those members, so that an incremental cycle removes them later.
    let mut kept = plan.members.clone();
    if held_back > 0 {
        let still: Vec<String> = held
            .members
            .iter()
            .filter(|m| managed(m) && !plan.members.contains(*m))
            .cloned()
            .collect();
        kept.extend(still);
    }
    let kept = Held {
        display_name: group.name.clone(),
        members: kept,
    };
    let new_link = GroupLink {
        key: group.key(),
        target_id: target_id.to_owned(),
        snapshot: kept.snapshot(),
    };
    if delta.is_empty() {
        let (status, message) = match (use_case, held_back) {
            (UseCase::Update, 0) => (EntryStatus::Skipped, "nothing to change".to_owned()),
            (UseCase::Update, _) => (
                EntryStatus::Skipped,
                format!("nothing else to change{staged_note}"),
            ),
            _ => (
                EntryStatus::Success,
                format!("nothing to change{how}{staged_note}")
                    .trim()
                    .to_owned(),
            ),
        };
        return GroupStep {
            entry: group_entry(group, use_case, status, message),
            link: Some(new_link),
            unlink: false,
        };
    }
    let path = format!("/Groups/{target_id}");
    let delta = match send_delta(context, plan, &path, delta, &managed).await {
        Ok(sent) => sent,
        Err(ScimError::Status { status: 404, .. }) if use_case == UseCase::Update => {
            return GroupStep {
                entry: group_entry(
                    group,
                    use_case,
                    EntryStatus::Failed,
                    "the target group is gone; it is matched or created again next cycle",
                ),
                link: None,
                unlink: true,
            };
        }
        Err(e) => {
            let mut step = failed(client, group, use_case, &e, "updating the group failed");
            step.entry.message.push_str(how);
            return step;
        }
    };
    let (status, read) = match client.send(Method::GET, &path, None).await {
        Ok(read) => read,
        Err(e) => {
            return failed(
                client,
                group,
                use_case,
                &e,
                "the group's update was sent, but reading it back failed",
            );
        }
    };
    let response = ApiResponse::new(status, &read.to_string(), &[client.token()]);
    if delta.is_empty() {
        // The target had already done it (a member it dropped itself, such
        // as a deleted user): nothing was left to send.
        return GroupStep {
            entry: SyncEntry {
                response: Some(response),
                ..group_entry(
                    group,
                    use_case,
                    if use_case == UseCase::Update {
                        EntryStatus::Skipped
                    } else {
                        EntryStatus::Success
                    },
                    format!("nothing to change{how}: the target already holds it{staged_note}"),
                )
            },
            link: Some(new_link),
            unlink: false,
        };
    }
    let changes = delta.changes(&held.display_name, context.employee_of);
    // A target that never lists members (some do not return them) cannot
    // show the additions: its 2xx answers are taken for them.
    let lists_members = read.get("members").is_some() || delta.add.is_empty();
    let mut missing = delta.unapplied(&Held::of(&read));
    if !lists_members {
        missing.retain(|m| !m.ends_with("not added"));
    }
    if !missing.is_empty() {
        return GroupStep {
            entry: SyncEntry {
                response: Some(response),
                changes,
                ..group_entry(
                    group,
                    use_case,
                    EntryStatus::Failed,
                    format!(
                        "the target accepted the group's update{how} but did not apply it: {}; sent again next cycle",
                        missing.join("; ")
                    ),
                )
            },
            link: None,
            unlink: false,
        };
    }
    let confirmed = if lists_members {
        " (confirmed by reading the group back)"
    } else {
        " (the target does not list members: taken from its answers)"
    };
    GroupStep {
        entry: SyncEntry {
            response: Some(response),
            changes,
            ..group_entry(
                group,
                use_case,
                EntryStatus::Success,
                format!(
                    "{}{how}{confirmed}{staged_note}",
                    delta.summary(&held.display_name)
                ),
            )
        },
        link: Some(new_link),
        unlink: false,
    }
}

#[cfg(test)]
mod tests;
