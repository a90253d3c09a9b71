use std::collections::{BTreeSet, HashMap, HashSet};

use proptest::prelude::*;
use relais_people::Employee;
use relais_sync::{GroupKind, GroupLink};
use serde_json::json;

use super::*;

fn employee(id: i64, status: &str, department: Option<i64>, team: Option<i64>) -> Employee {
    serde_json::from_value(json!({
        "id": id, "first_name": format!("First{id}"), "last_name": format!("Last{id}"),
        "preferred_name": null, "email": format!("e{id}@x.example"), "gender": "diverse",
        "status": status, "position": "Engineer",
        "department": department.map(|d| json!({"id": d, "name": format!("Department {d}")})),
        "office": null,
        "team": team.map(|t| json!({"id": t, "name": format!("Team {t}")})),
        "supervisor_id": null, "hire_date": "2024-01-01",
        "termination_date": null, "weekly_working_hours": 40.0, "employment_type": "internal",
        "cost_centers": [], "custom": {}, "created_at": "2024-01-01T00:00:00Z",
        "last_modified_at": "2024-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn link(employee_id: i64, active: bool) -> (i64, Link) {
    (
        employee_id,
        Link {
            employee_id,
            target_id: format!("u{employee_id}"),
            snapshot: json!({}),
            active,
        },
    )
}

const BOTH: GroupProvisioning = GroupProvisioning {
    departments: true,
    teams: true,
};

#[test]
fn the_wizard_answer_names_the_kinds() {
    assert_eq!(
        GroupProvisioning::from_answer(None),
        GroupProvisioning::default()
    );
    assert_eq!(
        GroupProvisioning::from_answer(Some("none")),
        GroupProvisioning::default()
    );
    assert_eq!(
        GroupProvisioning::from_answer(Some("departments_and_teams")),
        BOTH
    );
    assert!(GroupProvisioning::from_answer(Some("teams")).teams);
    assert!(!GroupProvisioning::from_answer(Some("teams")).departments);
}

#[test]
fn members_are_the_units_employees_with_an_active_account() {
    let employees = vec![
        employee(1, "active", Some(1), Some(201)),
        employee(2, "leave", Some(1), None),
        employee(3, "inactive", Some(1), Some(201)),
        employee(4, "active", Some(2), None),
        employee(5, "inactive", Some(3), None),
    ];
    // 2 has no link yet (their create failed); 3 left and was deactivated.
    let links: HashMap<_, _> = [link(1, true), link(3, false), link(4, true), link(5, true)]
        .into_iter()
        .collect();
    let plans = plan_groups(BOTH, &employees, &links, &HashMap::new());
    let keys: Vec<String> = plans.iter().map(|p| p.group.key()).collect();
    // Department 3 has only a leaver (a staged one, still active): no group is created for it.
    assert_eq!(keys, ["department:1", "department:2", "team:201"]);
    assert_eq!(plans[0].members, BTreeSet::from(["u1".to_owned()]));
    assert_eq!(plans[0].group.name, "Department 1");
    assert_eq!(plans[1].members, BTreeSet::from(["u4".to_owned()]));
    assert_eq!(plans[2].members, BTreeSet::from(["u1".to_owned()]));
    assert!(
        plan_groups(
            GroupProvisioning::default(),
            &employees,
            &links,
            &HashMap::new()
        )
        .is_empty()
    );
}

#[test]
fn a_linked_group_whose_unit_is_gone_is_planned_empty_under_its_last_name() {
    let group_links: HashMap<String, GroupLink> = [(
        "department:9".to_owned(),
        GroupLink {
            key: "department:9".into(),
            target_id: "g9".into(),
            snapshot: json!({"displayName": "Old", "members": [{"value": "u1"}]}),
        },
    )]
    .into_iter()
    .collect();
    let employees = vec![employee(1, "active", Some(1), None)];
    let links: HashMap<_, _> = [link(1, true)].into_iter().collect();
    let plans = plan_groups(BOTH, &employees, &links, &group_links);
    let gone = plans.iter().find(|p| p.group.id == 9).unwrap();
    assert_eq!(gone.group.kind, GroupKind::Department);
    assert_eq!(gone.group.name, "Old");
    assert!(gone.members.is_empty());
    assert_eq!(gone.link.as_ref().unwrap().target_id, "g9");
    // Not a department's group when only teams are provisioned.
    let teams = GroupProvisioning {
        departments: false,
        teams: true,
    };
    assert!(plan_groups(teams, &employees, &links, &group_links).is_empty());
}

fn plan(name: &str, members: &[&str]) -> GroupPlan {
    GroupPlan {
        group: SyncGroup {
            kind: GroupKind::Team,
            id: 7,
            name: name.into(),
        },
        members: members.iter().map(|m| (*m).to_owned()).collect(),
        link: None,
    }
}

#[test]
fn a_snapshot_reads_back_as_what_was_sent() {
    let sent = Held {
        display_name: "Team".into(),
        members: ["u2", "u1"].map(String::from).into(),
    };
    assert_eq!(Held::of(&sent.snapshot()), sent);
}

#[test]
fn only_members_relais_manages_are_removed() {
    let held = Held {
        display_name: "Team".into(),
        members: ["u1", "u2", "by-hand"].map(String::from).into(),
    };
    let managed: HashSet<String> = ["u1", "u2", "u3"].map(String::from).into();
    let managed = |m: &str| managed.contains(m);
    let delta = Delta::between(&held, &plan("Team", &["u1", "u3"]), &managed);
    assert_eq!(delta.rename, None);
    assert_eq!(delta.add, ["u3"]);
    assert_eq!(delta.remove, ["u2"], "the member added by hand stays");
    assert!(Delta::between(&held, &plan("Team", &["u1", "u2"]), &managed).is_empty());
}

#[test]
fn a_rename_and_members_travel_in_patches_of_at_most_a_hundred_members() {
    let held = Held {
        display_name: "Old".into(),
        members: (0..30).map(|k| format!("r{k}")).collect(),
    };
    let managed = |m: &str| held.members.contains(m);
    let wanted: Vec<String> = (0..150).map(|k| format!("a{k:03}")).collect();
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let delta = Delta::between(&held, &plan("New \"name\"", &wanted), &managed);
    let patches = delta.patches();
    assert_eq!(patches.len(), 3);
    let ops = |k: usize| patches[k]["Operations"].as_array().unwrap().clone();
    assert_eq!(
        ops(0),
        [json!({"op": "replace", "path": "displayName", "value": "New \"name\""})],
        "the rename goes alone"
    );
    assert_eq!(ops(1)[0]["op"], "add");
    assert_eq!(ops(1)[0]["value"].as_array().unwrap().len(), 100);
    assert_eq!(ops(2)[0]["value"].as_array().unwrap().len(), 50);
    let removals: Vec<_> = ops(2).into_iter().filter(|o| o["op"] == "remove").collect();
    assert_eq!(removals.len(), 30);
    assert_eq!(removals[0]["path"], "members[value eq \"r0\"]");
    for patch in &patches {
        assert_eq!(patch["schemas"], json!([PATCH_OP]));
    }
    // A rename alone is one request.
    let rename = Delta {
        rename: Some("X".into()),
        add: vec![],
        remove: vec![],
    };
    assert_eq!(rename.patches().len(), 1);
}

#[test]
fn what_the_target_did_not_apply_is_named() {
    let delta = Delta {
        rename: Some("New".into()),
        add: vec!["u1".into(), "u2".into()],
        remove: vec!["u3".into()],
    };
    let held = Held {
        display_name: "Old".into(),
        members: ["u1", "u3"].map(String::from).into(),
    };
    assert_eq!(
        delta.unapplied(&held),
        [
            "displayName is \"Old\", not \"New\"",
            "1 member(s) not added",
            "1 member(s) not removed"
        ]
    );
    let done = Held {
        display_name: "New".into(),
        members: ["u1", "u2", "by-hand"].map(String::from).into(),
    };
    assert!(delta.unapplied(&done).is_empty());
}

proptest! {
    /// Whatever the employees and links: every planned group's members are
    /// exactly the active accounts of its unit's employees, no unit without
    /// an employee in scope gets a new group, and every linked group of a
    /// provisioned kind is planned.
    #[test]
    fn plans_hold_exactly_the_units_active_accounts(
        people in prop::collection::vec(
            (0usize..3, prop::option::of(1i64..4), prop::option::of(201i64..204), 0usize..3),
            0..30,
        ),
        linked_units in prop::collection::btree_set(1i64..6, 0..3),
    ) {
        let statuses = ["active", "leave", "inactive"];
        let mut employees = Vec::new();
        let mut links = HashMap::new();
        for (k, (status, department, team, account)) in people.iter().enumerate() {
            let id = k as i64 + 1;
            employees.push(employee(id, statuses[*status], *department, *team));
            // 0: no account, 1: active, 2: deactivated.
            if *account > 0 {
                links.insert(id, link(id, *account == 1).1);
            }
        }
        let group_links: HashMap<String, GroupLink> = linked_units
            .iter()
            .map(|d| {
                let key = format!("department:{d}");
                (key.clone(), GroupLink {
                    key,
                    target_id: format!("g{d}"),
                    snapshot: json!({"displayName": format!("Department {d}"), "members": []}),
                })
            })
            .collect();
        let plans = plan_groups(BOTH, &employees, &links, &group_links);
        let mut seen = HashSet::new();
        for plan in &plans {
            prop_assert!(seen.insert(plan.group.key()), "one plan per unit");
            let of_unit: Vec<&Employee> = employees
                .iter()
                .filter(|e| unit_of(e, plan.group.kind).map(|u| u.id) == Some(plan.group.id))
                .collect();
            let expected: BTreeSet<String> = of_unit
                .iter()
                .filter_map(|e| links.get(&e.id).filter(|l| l.active))
                .map(|l| l.target_id.clone())
                .collect();
            prop_assert_eq!(&plan.members, &expected);
            prop_assert!(
                plan.link.is_some() || of_unit.iter().any(|e| in_scope(e)),
                "a new group only for a unit with someone in scope"
            );
        }
        for key in group_links.keys() {
            prop_assert!(seen.contains(key), "every linked group is planned");
        }
        for e in employees.iter().filter(|e| in_scope(e)) {
            if let Some(d) = &e.department {
                let key = format!("department:{}", d.id);
                prop_assert!(seen.contains(&key));
            }
            if let Some(t) = &e.team {
                let key = format!("team:{}", t.id);
                prop_assert!(seen.contains(&key));
            }
        }
    }
}

mod against_a_strict_target {
    //! Whole cycles against the in-memory target (`fake_target`), strict
    //! where scim2-server is lenient: a `remove` of a member the group does
    //! not have is 400 `noTarget`, and quirks real targets have.

    use std::time::Duration;

    use relais_sync::{Cycle, EntryStatus, SyncEntry};

    use super::*;
    use crate::client::ScimClient;
    use crate::cycle::{CycleInput, CycleOutput, DeprovisionMode, MatchAttribute, ScimSettings};
    use crate::fake_target::{FakeTarget, Quirks};

    fn settings(deprovision: DeprovisionMode) -> ScimSettings {
        ScimSettings {
            match_attribute: MatchAttribute::UserName,
            deprovision,
            deletion_threshold: 10,
            concurrency: 2,
            groups: GroupProvisioning {
                departments: true,
                teams: false,
            },
        }
    }

    fn client(target: &FakeTarget) -> ScimClient {
        let policy = relais_egress::EgressPolicy::parse("127.0.0.1").unwrap();
        ScimClient::new(
            &target.base,
            "fake-token-0123456789",
            Duration::from_secs(5),
            &policy,
        )
        .unwrap()
    }

    /// What cycles carry from one to the next.
    #[derive(Default)]
    struct Links {
        users: HashMap<i64, Link>,
        groups: HashMap<String, GroupLink>,
    }

    impl Links {
        async fn cycle(
            &mut self,
            target: &FakeTarget,
            settings: &ScimSettings,
            employees: &[Employee],
            cycle: Cycle,
        ) -> CycleOutput {
            let input = CycleInput {
                employees: employees.to_vec(),
                links: self.users.clone(),
                group_links: self.groups.clone(),
                cycle,
            };
            let out = crate::run_cycle(&client(target), settings, input, None).await;
            for id in &out.removed_links {
                self.users.remove(id);
            }
            for link in &out.upserted_links {
                self.users.insert(link.employee_id, link.clone());
            }
            for key in &out.removed_group_links {
                self.groups.remove(key);
            }
            for link in &out.upserted_group_links {
                self.groups.insert(link.key.clone(), link.clone());
            }
            out
        }
    }

    fn group_entries(out: &CycleOutput) -> Vec<&SyncEntry> {
        out.entries.iter().filter(|e| e.group.is_some()).collect()
    }

    fn members(target: &FakeTarget) -> BTreeSet<String> {
        target.groups()[0]["members"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|m| m["value"].as_str().unwrap().to_owned())
            .collect()
    }

    fn user_id(target: &FakeTarget, employee: i64) -> String {
        target
            .users()
            .iter()
            .find(|u| {
                u["externalId"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(employee)
            })
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[tokio::test]
    async fn a_member_the_target_dropped_itself_does_not_block_the_group() {
        let target = FakeTarget::start(Quirks::default()).await;
        let settings = settings(DeprovisionMode::Delete);
        let mut people: Vec<Employee> = (1..=3)
            .map(|id| employee(id, "active", Some(1), None))
            .collect();
        let mut links = Links::default();
        let first = links.cycle(&target, &settings, &people, Cycle::Full).await;
        assert!(first.error.is_none());
        assert_eq!(members(&target).len(), 3);
        let leaver = user_id(&target, 2);

        // Employee 2 leaves: their user is deleted, and the target drops
        // them from the group itself. What Relais last sent still lists
        // them: the removal it sends is refused (noTarget), the group read
        // again, and nothing is left to do.
        people[1] = employee(2, "inactive", Some(1), None);
        let second = links
            .cycle(&target, &settings, &people, Cycle::Incremental)
            .await;
        let entries = group_entries(&second);
        assert_eq!(entries.len(), 1);
        assert_ne!(entries[0].status, EntryStatus::Failed, "{entries:?}");
        assert!(!members(&target).contains(&leaver));
        assert_eq!(members(&target).len(), 2);

        // And the next cycle has nothing to send.
        let before = target.requests().len();
        let third = links
            .cycle(&target, &settings, &people, Cycle::Incremental)
            .await;
        assert_eq!(group_entries(&third)[0].status, EntryStatus::Skipped);
        assert!(
            target.requests()[before..]
                .iter()
                .all(|r| !r.starts_with("PATCH /Groups")),
            "{:?}",
            &target.requests()[before..]
        );
    }

    #[tokio::test]
    async fn a_large_group_is_created_in_parts_on_a_target_that_hides_members() {
        let target = FakeTarget::start(Quirks {
            hides_members: true,
            create_members_limit: Some(100),
            ..Quirks::default()
        })
        .await;
        let settings = settings(DeprovisionMode::Deactivate);
        let people: Vec<Employee> = (1..=150)
            .map(|id| employee(id, "active", Some(1), None))
            .collect();
        let mut links = Links::default();
        let first = links.cycle(&target, &settings, &people, Cycle::Full).await;
        let entries = group_entries(&first);
        assert_eq!(entries[0].status, EntryStatus::Success, "{entries:?}");
        assert!(
            entries[0].message.contains("does not list members"),
            "{}",
            entries[0].message
        );
        assert_eq!(members(&target).len(), 150);
        let posted = &target
            .requests()
            .into_iter()
            .filter(|r| r.starts_with("POST /Groups"))
            .count();
        assert_eq!(*posted, 1, "one group");

        // Incremental: what was sent is what it holds; nothing to send.
        let second = links
            .cycle(&target, &settings, &people, Cycle::Incremental)
            .await;
        assert_eq!(group_entries(&second)[0].status, EntryStatus::Skipped);
        // Full: the target shows no members; none is removed.
        let before = target.patches().len();
        let third = links.cycle(&target, &settings, &people, Cycle::Full).await;
        assert_ne!(group_entries(&third)[0].status, EntryStatus::Failed);
        assert!(
            target.patches()[before..]
                .iter()
                .flat_map(|p| p["Operations"].as_array().cloned().unwrap_or_default())
                .all(|op| op["op"] != "remove")
        );
        assert_eq!(members(&target).len(), 150);
    }

    #[tokio::test]
    async fn on_demand_a_new_hire_joins_and_a_leaver_leaves_only_their_groups() {
        let target = FakeTarget::start(Quirks::default()).await;
        let mut settings = settings(DeprovisionMode::Deactivate);
        settings.groups.teams = true;
        let mut people = vec![
            employee(1, "active", Some(1), Some(201)),
            employee(2, "active", Some(1), Some(202)),
        ];
        let mut links = Links::default();
        links.cycle(&target, &settings, &people, Cycle::Full).await;
        assert_eq!(target.groups().len(), 3);
        let on_demand = |links: &Links, people: &[Employee], employee: i64| {
            let input = CycleInput {
                employees: people.to_vec(),
                links: links.users.clone(),
                group_links: links.groups.clone(),
                cycle: Cycle::Incremental,
            };
            let client = client(&target);
            let settings = settings.clone();
            async move { crate::run_cycle_for(&client, &settings, input, employee).await }
        };
        let members_of = |target: &FakeTarget, key: &str| -> BTreeSet<String> {
            target
                .groups()
                .iter()
                .find(|g| g["externalId"] == key)
                .unwrap()["members"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        };

        // A new hire in department 1 and team 201: created and added to
        // both groups, nothing sent to team 202's.
        people.push(employee(3, "active", Some(1), Some(201)));
        let before = target.patches().len();
        let out = on_demand(&links, &people, 3).await;
        for link in &out.upserted_links {
            links.users.insert(link.employee_id, link.clone());
        }
        for link in &out.upserted_group_links {
            links.groups.insert(link.key.clone(), link.clone());
        }
        let joined = group_entries(&out);
        assert_eq!(joined.len(), 2, "{joined:?}");
        assert!(joined.iter().all(|e| e.status == EntryStatus::Success));
        let hire = user_id(&target, 3);
        assert!(members_of(&target, "department:1").contains(&hire));
        assert!(members_of(&target, "team:201").contains(&hire));
        assert_eq!(members_of(&target, "department:1").len(), 3);
        assert_eq!(
            target.patches().len() - before,
            2,
            "one PATCH per group joined"
        );

        // Employee 2 leaves: deactivated, and out of their two groups only.
        people[1] = employee(2, "inactive", Some(1), Some(202));
        let leaver = user_id(&target, 2);
        let out = on_demand(&links, &people, 2).await;
        assert_eq!(group_entries(&out).len(), 2);
        assert!(!members_of(&target, "department:1").contains(&leaver));
        assert!(members_of(&target, "team:202").is_empty());
        assert_eq!(members_of(&target, "team:201").len(), 2);
    }

    #[tokio::test]
    async fn a_group_deleted_in_the_target_is_made_again_with_its_members() {
        let target = FakeTarget::start(Quirks::default()).await;
        let settings = settings(DeprovisionMode::Deactivate);
        let mut people: Vec<Employee> = (1..=3)
            .map(|id| employee(id, "active", Some(1), None))
            .collect();
        let mut links = Links::default();
        links.cycle(&target, &settings, &people, Cycle::Full).await;
        let deleted = target.groups()[0]["id"].as_str().unwrap().to_owned();
        target.remove_group(&deleted);

        // An incremental cycle with a change to send finds it gone…
        people[2] = employee(3, "inactive", Some(1), None);
        let second = links
            .cycle(&target, &settings, &people, Cycle::Incremental)
            .await;
        let entries = group_entries(&second);
        assert_eq!(entries[0].status, EntryStatus::Failed, "{entries:?}");
        assert!(
            entries[0].message.contains("gone"),
            "{}",
            entries[0].message
        );
        assert!(links.groups.is_empty(), "the link is forgotten");
        // … and the next one creates it again, with the two left.
        let third = links
            .cycle(&target, &settings, &people, Cycle::Incremental)
            .await;
        assert_eq!(
            group_entries(&third)[0].use_case,
            relais_sync::UseCase::Provision
        );
        assert_eq!(target.groups().len(), 1);
        assert_eq!(members(&target).len(), 2);
    }
}
