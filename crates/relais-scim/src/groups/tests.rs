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
    let managed: HashSet<String> = held.members.clone().into_iter().collect();
    let wanted: Vec<String> = (0..150).map(|k| format!("a{k:03}")).collect();
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let delta = Delta::between(&held, &plan("New \"name\"", &wanted), &managed);
    let patches = delta.patches();
    assert_eq!(patches.len(), 2);
    let ops = |k: usize| patches[k]["Operations"].as_array().unwrap().clone();
    assert_eq!(
        ops(0)[0],
        json!({"op": "replace", "path": "displayName", "value": "New \"name\""})
    );
    assert_eq!(ops(0)[1]["op"], "add");
    assert_eq!(ops(0)[1]["value"].as_array().unwrap().len(), 100);
    assert_eq!(ops(1)[0]["value"].as_array().unwrap().len(), 50);
    let removals: Vec<_> = ops(1).into_iter().filter(|o| o["op"] == "remove").collect();
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
