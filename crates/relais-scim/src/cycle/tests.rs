//! The cycle against the in-memory fake target ([`crate::fake_target`]),
//! and the PATCH it builds, for any change.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::HashMap;
use std::time::Duration;

use proptest::prelude::*;
use relais_people::{Employee, EmployeeStatus};
use relais_sync::{Cycle, EntryStatus, UseCase};
use serde_json::{Value, json};

use super::*;
use crate::fake_target::{FakeTarget, Quirks, apply_patch};
use crate::user::{CORE, ENTERPRISE};

fn employee(id: i64, email: &str, supervisor: Option<i64>) -> Employee {
    serde_json::from_value(json!({
        "id": id, "first_name": format!("First{id}"), "last_name": format!("Last{id}"),
        "preferred_name": null, "email": email, "gender": "diverse", "status": "active",
        "position": "Engineer", "department": {"id": 1, "name": "R&D"}, "office": null,
        "team": null, "supervisor_id": supervisor, "hire_date": "2024-01-01",
        "termination_date": null, "weekly_working_hours": 40.0, "employment_type": "internal",
        "cost_centers": [], "custom": {}, "created_at": "2024-01-01T00:00:00Z",
        "last_modified_at": "2024-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn settings() -> ScimSettings {
    ScimSettings {
        match_attribute: MatchAttribute::UserName,
        deprovision: DeprovisionMode::Deactivate,
        deletion_threshold: 10,
        concurrency: 2,
        groups: GroupProvisioning::default(),
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

/// Runs a cycle and carries its links over, as the store does.
async fn cycle(
    client: &ScimClient,
    employees: &[Employee],
    links: &mut HashMap<i64, Link>,
    cycle: Cycle,
) -> CycleOutput {
    let out = run_cycle(
        client,
        &settings(),
        CycleInput {
            employees: employees.to_vec(),
            links: links.clone(),
            group_links: HashMap::new(),
            cycle,
        },
        None,
    )
    .await;
    assert!(out.error.is_none(), "{:?}", out.error);
    for id in &out.removed_links {
        links.remove(id);
    }
    for link in &out.upserted_links {
        links.insert(link.employee_id, link.clone());
    }
    out
}

fn only(out: &CycleOutput, employee: i64) -> &SyncEntry {
    let entries: Vec<_> = out
        .entries
        .iter()
        .filter(|e| e.employee_id == employee)
        .collect();
    assert_eq!(entries.len(), 1, "{:?}", out.entries);
    entries[0]
}

#[tokio::test]
async fn a_changed_email_converges_where_a_pathless_replace_would_be_taken_for_an_add() {
    let target = FakeTarget::start(Quirks {
        pathless_replace_adds: true,
        ..Quirks::default()
    })
    .await;
    let client = client(&target);
    let mut links = HashMap::new();
    let mut ana = employee(1, "ana@acme.example", None);
    cycle(&client, &[ana.clone()], &mut links, Cycle::Full).await;

    ana.email = "ana.lopez@acme.example".into();
    for kind in [Cycle::Incremental, Cycle::Full] {
        let out = cycle(&client, &[ana.clone()], &mut links, kind).await;
        let update = only(&out, 1);
        if kind == Cycle::Incremental {
            assert_eq!(update.status, EntryStatus::Success, "{update:?}");
            assert!(update.changes.iter().any(|c| c.attribute == "emails"
                && c.old == "ana@acme.example"
                && c.new == "ana.lopez@acme.example"));
            assert!(
                update
                    .message
                    .contains("confirmed by reading the user back")
            );
        } else {
            assert_eq!(
                update.status,
                EntryStatus::Skipped,
                "the full cycle finds it in step: {update:?}"
            );
        }
    }
    let user = &target.users()[0];
    assert_eq!(
        user["emails"],
        json!([{"value": "ana.lopez@acme.example", "type": "work", "primary": true}]),
        "exactly the new address"
    );
    let patch = target.patches().pop().unwrap();
    assert!(
        patch["Operations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|op| op["path"] == "emails" && op["op"] == "replace"),
        "{patch}"
    );
}

#[tokio::test]
async fn a_create_answered_with_a_gateway_error_is_not_sent_again_and_is_linked_next_cycle() {
    let target = FakeTarget::start(Quirks {
        creates_then_answers_502: true,
        ..Quirks::default()
    })
    .await;
    let client = client(&target);
    let mut links = HashMap::new();
    let ana = employee(1, "ana@acme.example", None);
    let out = cycle(&client, std::slice::from_ref(&ana), &mut links, Cycle::Full).await;
    let failed = only(&out, 1);
    assert_eq!(failed.status, EntryStatus::Failed, "{failed:?}");
    assert_eq!(failed.response.as_ref().unwrap().status, 502);
    let posts = |t: &FakeTarget| {
        t.requests()
            .iter()
            .filter(|r| r.starts_with("POST /Users"))
            .count()
    };
    assert_eq!(posts(&target), 1, "a POST is not retried after a 502");
    assert_eq!(target.users().len(), 1);
    // The next cycle finds the account the target made, and links it.
    let out = cycle(&client, &[ana], &mut links, Cycle::Full).await;
    assert_eq!(
        only(&out, 1).status,
        EntryStatus::Success,
        "{:?}",
        out.entries
    );
    assert_eq!(posts(&target), 1, "matched, not created again");
    assert_eq!(target.users().len(), 1, "{:?}", target.users());
    assert!(links.contains_key(&1));
}

#[tokio::test]
async fn an_update_the_target_accepts_but_does_not_apply_is_a_failed_entry_and_sent_again() {
    let target = FakeTarget::start(Quirks {
        ignored: vec!["title"],
        patch_answers_user: true,
        ..Quirks::default()
    })
    .await;
    let client = client(&target);
    let mut links = HashMap::new();
    let mut ana = employee(1, "ana@acme.example", None);
    cycle(&client, &[ana.clone()], &mut links, Cycle::Full).await;
    ana.position = "Head of Engineering".into();
    for _ in 0..2 {
        let out = cycle(&client, &[ana.clone()], &mut links, Cycle::Incremental).await;
        let update = only(&out, 1);
        assert_eq!(update.status, EntryStatus::Failed, "{update:?}");
        assert!(
            update.message.contains("did not apply it")
                && update
                    .message
                    .contains("title is \"Engineer\", not \"Head of Engineering\""),
            "{}",
            update.message
        );
        assert_eq!(update.response.as_ref().unwrap().status, 200);
        assert!(
            update
                .response
                .as_ref()
                .unwrap()
                .body
                .contains("\"Engineer\"")
        );
        assert!(
            out.upserted_links.is_empty(),
            "the link keeps what the target holds"
        );
    }
    assert_eq!(target.patches().len(), 2, "sent again by the next cycle");
}

#[tokio::test]
async fn a_case_sensitive_user_name_filter_is_matched_by_listing_instead_of_creating_a_duplicate() {
    let target = FakeTarget::start(Quirks {
        case_sensitive_filter: true,
        ..Quirks::default()
    })
    .await;
    let existing = target.insert(json!({"schemas": [CORE], "userName": "Ana@Acme.example"}));
    let client = client(&target);
    let mut links = HashMap::new();
    let ana = employee(1, "ana@acme.example", None);
    let out = cycle(&client, std::slice::from_ref(&ana), &mut links, Cycle::Full).await;
    let link = only(&out, 1);
    assert_eq!(
        (link.use_case, link.status),
        (UseCase::Link, EntryStatus::Success),
        "{link:?}"
    );
    assert!(
        link.message.contains("without regard to case"),
        "{}",
        link.message
    );
    assert_eq!(links[&1].target_id, existing);
    assert_eq!(target.users().len(), 1, "no duplicate");
    assert!(
        !target.requests().iter().any(|r| r.starts_with("POST")),
        "{:?}",
        target.requests()
    );
    let out = cycle(&client, &[ana], &mut links, Cycle::Full).await;
    assert_eq!(only(&out, 1).status, EntryStatus::Skipped, "in step after");
}

#[tokio::test]
async fn a_create_refused_as_a_duplicate_links_the_user_found_by_listing() {
    // The probe's user has no letters in its name, so the connector cannot
    // tell the filter minds case; the target's 409 tells it.
    let target = FakeTarget::start(Quirks {
        case_sensitive_filter: true,
        ..Quirks::default()
    })
    .await;
    target.insert(json!({"schemas": [CORE], "userName": "1001"}));
    let existing = target.insert(json!({"schemas": [CORE], "userName": "ANA@acme.example"}));
    let client = client(&target);
    let mut links = HashMap::new();
    let out = cycle(
        &client,
        &[employee(1, "ana@acme.example", None)],
        &mut links,
        Cycle::Full,
    )
    .await;
    let link = only(&out, 1);
    assert_eq!(
        (link.use_case, link.status),
        (UseCase::Link, EntryStatus::Success),
        "{link:?}"
    );
    assert!(
        link.message.contains("refused as a duplicate"),
        "{}",
        link.message
    );
    assert_eq!(links[&1].target_id, existing);
    assert_eq!(target.users().len(), 2);
    assert_eq!(
        target
            .requests()
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count(),
        1,
        "tried once, refused, then found"
    );
}

#[tokio::test]
async fn a_supervisor_who_leaves_is_removed_as_manager_then_the_new_one_is_set() {
    let target = FakeTarget::start(Quirks::default()).await;
    let client = client(&target);
    let mut links = HashMap::new();
    let mut boss = employee(1, "boss@acme.example", None);
    let mut report = employee(2, "report@acme.example", Some(1));
    cycle(
        &client,
        &[boss.clone(), report.clone()],
        &mut links,
        Cycle::Full,
    )
    .await;
    let manager_of = |target: &FakeTarget, id: &str| {
        target.users().into_iter().find(|u| u["id"] == id).unwrap()[ENTERPRISE]
            .get("manager")
            .cloned()
    };
    let report_id = links[&2].target_id.clone();
    assert_eq!(
        manager_of(&target, &report_id),
        Some(json!({"value": links[&1].target_id}))
    );

    // The supervisor leaves: deactivated, and the report no longer points at them.
    boss.status = EmployeeStatus::Inactive;
    let out = cycle(
        &client,
        &[boss.clone(), report.clone()],
        &mut links,
        Cycle::Incremental,
    )
    .await;
    assert_eq!(only(&out, 1).use_case, UseCase::Deprovision);
    let update = only(&out, 2);
    assert_eq!(update.status, EntryStatus::Success, "{update:?}");
    assert_eq!(update.changes[0].attribute, format!("{ENTERPRISE}:manager"));
    assert_eq!(update.changes[0].new, Value::Null);
    assert_eq!(manager_of(&target, &report_id), None, "removed");
    assert!(
        target.patches().iter().any(|p| p["Operations"][0]
            == json!({"op": "remove", "path": format!("{ENTERPRISE}:manager")})),
        "{:?}",
        target.patches()
    );
    // A full cycle agrees.
    let out = cycle(
        &client,
        &[boss.clone(), report.clone()],
        &mut links,
        Cycle::Full,
    )
    .await;
    assert_eq!(only(&out, 2).status, EntryStatus::Skipped);

    // The employee data names a new supervisor: the report points at them.
    let new_boss = employee(3, "new.boss@acme.example", None);
    report.supervisor_id = Some(3);
    cycle(
        &client,
        &[boss, new_boss, report],
        &mut links,
        Cycle::Incremental,
    )
    .await;
    assert_eq!(
        manager_of(&target, &report_id),
        Some(json!({"value": links[&3].target_id}))
    );
}

#[tokio::test]
async fn link_and_deprovision_entries_carry_the_targets_answer() {
    let target = FakeTarget::start(Quirks::default()).await;
    target.insert(json!({"schemas": [CORE], "userName": "ana@acme.example", "title": "old"}));
    let client = client(&target);
    let mut links = HashMap::new();
    let mut ana = employee(1, "ana@acme.example", None);
    let out = cycle(&client, &[ana.clone()], &mut links, Cycle::Full).await;
    let link = only(&out, 1);
    assert_eq!(link.use_case, UseCase::Link);
    let response = link.response.as_ref().expect("a link records the answer");
    assert_eq!(response.status, 200);
    assert!(
        response.body.contains("\"title\":\"Engineer\""),
        "{}",
        response.body
    );
    ana.status = EmployeeStatus::Inactive;
    let out = cycle(&client, &[ana], &mut links, Cycle::Incremental).await;
    let gone = only(&out, 1);
    assert_eq!(
        (gone.use_case, gone.status),
        (UseCase::Deprovision, EntryStatus::Success)
    );
    let response = gone
        .response
        .as_ref()
        .expect("a deprovision records the answer");
    assert!(
        response.body.contains("\"active\":false"),
        "{}",
        response.body
    );
    assert!(!response.body.contains("fake-token"), "no token");
}

#[tokio::test]
async fn listing_survives_a_target_that_refuses_attributes_and_ignores_start_index() {
    let target = FakeTarget::start(Quirks {
        case_sensitive_filter: true,
        refuses_attributes: true,
        ignores_start_index: true,
        ..Quirks::default()
    })
    .await;
    for n in 0..250 {
        target.insert(json!({"schemas": [CORE], "userName": format!("Someone{n}@acme.example")}));
    }
    target.insert(json!({"schemas": [CORE], "userName": "Ana@Acme.example"}));
    let client = client(&target);
    let mut links = HashMap::new();
    let out = cycle(
        &client,
        &[
            employee(1, "someone7@acme.example", None),
            employee(2, "ana@acme.example", None),
        ],
        &mut links,
        Cycle::Full,
    )
    .await;
    let someone = only(&out, 1);
    assert_eq!(
        (someone.use_case, someone.status),
        (UseCase::Link, EntryStatus::Success),
        "{someone:?}"
    );
    // Ana sits beyond the first page, which the target repeats: not found,
    // so she is created, and the target's uniqueness (without case) refuses
    // it; then she is a failed entry, not a duplicate account.
    let ana = only(&out, 2);
    assert_eq!(
        (ana.use_case, ana.status),
        (UseCase::Provision, EntryStatus::Failed),
        "{ana:?}"
    );
    assert!(
        ana.message
            .contains("no user of this userName found by listing"),
        "{}",
        ana.message
    );
    assert_eq!(ana.response.as_ref().unwrap().status, 409);
    let anas = target
        .users()
        .iter()
        .filter(|u| u["userName"].as_str().unwrap().to_lowercase() == "ana@acme.example")
        .count();
    assert_eq!(anas, 1, "no duplicate account");
    assert!(!links.contains_key(&2));
    let lists = target
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /Users?") && r.contains("startIndex"))
        .count();
    assert_eq!(
        lists,
        3,
        "one refused, one page, the repeated page: {:?}",
        target.requests()
    );
}

#[tokio::test]
async fn a_stale_patch_answer_is_checked_by_reading_the_user_back() {
    let target = FakeTarget::start(Quirks {
        patch_answers_stale_user: true,
        ..Quirks::default()
    })
    .await;
    let client = client(&target);
    let mut links = HashMap::new();
    let mut ana = employee(1, "ana@acme.example", None);
    cycle(&client, std::slice::from_ref(&ana), &mut links, Cycle::Full).await;
    ana.position = "Head of Engineering".into();
    let out = cycle(&client, &[ana], &mut links, Cycle::Incremental).await;
    let update = only(&out, 1);
    assert_eq!(update.status, EntryStatus::Success, "{update:?}");
    assert!(
        update
            .message
            .contains("confirmed by reading the user back")
    );
    assert!(
        update
            .response
            .as_ref()
            .unwrap()
            .body
            .contains("Head of Engineering")
    );
}

fn desired_strategy() -> impl Strategy<Value = Value> {
    (
        "[a-z]{1,6}@[a-z]{1,4}\\.example",
        "[A-Za-z]{1,6}",
        "[A-Za-z ]{0,8}",
        prop::option::of("[A-Za-z]{1,5}"),
        prop::option::of("[a-f0-9]{4}"),
        1i64..1000,
        any::<bool>(),
    )
        .prop_map(
            |(email, first, title, department, manager, id, onboarding)| {
                let mut e = employee(id, &email, None);
                e.first_name = first;
                e.position = title;
                e.department = department.map(|name| relais_people::OrgUnit { id: 1, name });
                if onboarding {
                    e.status = EmployeeStatus::Onboarding;
                }
                desired_user(&e, manager.as_deref())
            },
        )
}

/// What a target may hold: a user Relais sent earlier, with stray e-mail
/// addresses beside it, in any order, and attributes dropped.
fn held_strategy() -> impl Strategy<Value = Value> {
    (
        desired_strategy(),
        prop::collection::vec("[a-z]{1,6}@old\\.example", 0..3),
        any::<bool>(),
        prop::sample::subsequence(
            vec!["title", "displayName", "active", "name", ENTERPRISE],
            0..3,
        ),
    )
        .prop_map(|(mut user, strays, primary_last, dropped)| {
            let mut emails = user["emails"].as_array().cloned().unwrap();
            for s in strays {
                emails.push(json!({"value": s, "type": "home"}));
            }
            if primary_last {
                emails.reverse();
            }
            user["emails"] = Value::Array(emails);
            for key in dropped {
                user.as_object_mut().unwrap().remove(key);
            }
            user
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every operation names its path; `emails` is replaced whole under
    /// `"path": "emails"`; an attribute with no value is removed; and the
    /// PATCH, applied by a target that follows RFC 7644 — or by one that
    /// takes a path-less replace for an add — leaves nothing to change.
    #[test]
    fn the_patch_for_any_change_names_every_path_and_converges(
        held in held_strategy(),
        desired in desired_strategy(),
        adds in any::<bool>(),
    ) {
        let changes = diff(&held, &desired);
        let patch = patch_for(&desired, &changes);
        let operations = patch["Operations"].as_array().unwrap();
        prop_assert_eq!(operations.len(), changes.len());
        for (op, change) in operations.iter().zip(&changes) {
            prop_assert_eq!(op["path"].as_str(), Some(change.attribute.as_str()), "{}", op);
            if change.attribute == "emails" {
                prop_assert_eq!(&op["op"], "replace");
                prop_assert_eq!(&op["value"], &desired["emails"]);
                prop_assert!(op["value"].is_array());
            }
            prop_assert_eq!(op["op"] == "remove", change.new.is_null(), "{}", op);
            prop_assert_eq!(op.get("value").is_none(), op["op"] == "remove");
        }
        let mut after = held.clone();
        let quirks = Quirks { pathless_replace_adds: adds, ..Quirks::default() };
        apply_patch(&mut after, &patch, &quirks).unwrap();
        prop_assert!(diff(&after, &desired).is_empty(), "{:?}", diff(&after, &desired));
        prop_assert!(unapplied(&after, &changes).is_empty());
        if !changes.is_empty() && changes.iter().any(|c| c.attribute == "emails") {
            prop_assert_eq!(&after["emails"], &desired["emails"], "exactly the address sent");
        }
    }

    /// Whatever the target holds, the changes it has not applied are
    /// exactly the ones that still differ.
    #[test]
    fn unapplied_changes_are_what_still_differs(held in held_strategy(), desired in desired_strategy()) {
        let changes = diff(&held, &desired);
        prop_assert_eq!(unapplied(&held, &changes).len(), changes.len());
        prop_assert!(unapplied(&desired, &changes).is_empty());
    }
}

#[test]
fn swapping_case_changes_every_letter_and_nothing_else() {
    assert_eq!(
        swap_case("Ana.Lopez@Acme.example"),
        "aNA.lOPEZ@aCME.EXAMPLE"
    );
    assert_eq!(swap_case("1001"), "1001");
}

/// Runs the cycle for one employee and carries its links over.
async fn for_one(
    client: &ScimClient,
    settings: &ScimSettings,
    employees: &[Employee],
    links: &mut HashMap<i64, Link>,
    employee: i64,
) -> CycleOutput {
    let out = run_cycle_for(
        client,
        settings,
        CycleInput {
            employees: employees.to_vec(),
            links: links.clone(),
            group_links: HashMap::new(),
            cycle: Cycle::Full,
        },
        employee,
    )
    .await;
    assert!(out.error.is_none(), "{:?}", out.error);
    for id in &out.removed_links {
        links.remove(id);
    }
    for link in &out.upserted_links {
        links.insert(link.employee_id, link.clone());
    }
    out
}

#[tokio::test]
async fn one_employee_is_created_then_matched_then_updated_and_nobody_else_is_touched() {
    let target = FakeTarget::start(Quirks::default()).await;
    let client = client(&target);
    let mut links = HashMap::new();
    let mut staff = vec![
        employee(1, "ana@acme.example", None),
        employee(2, "bo@acme.example", None),
        employee(3, "cy@acme.example", None),
    ];
    let out = for_one(&client, &settings(), &staff, &mut links, 2).await;
    let created = only(&out, 2);
    assert_eq!(created.use_case, UseCase::Provision);
    assert_eq!(created.status, EntryStatus::Success);
    assert_eq!(out.entries.len(), 1);
    assert_eq!(target.users().len(), 1, "exactly one account");
    assert_eq!(target.users()[0]["userName"], "bo@acme.example");
    assert_eq!(links.keys().copied().collect::<Vec<_>>(), vec![2]);

    // Again: nothing to change.
    let out = for_one(&client, &settings(), &staff, &mut links, 2).await;
    let again = only(&out, 2);
    assert_eq!(again.status, EntryStatus::Skipped, "{again:?}");
    assert_eq!(again.message, "nothing to change");
    assert_eq!(target.users().len(), 1);

    // A changed title is sent, and only it.
    staff[1].position = "Head of Engineering".into();
    let out = for_one(&client, &settings(), &staff, &mut links, 2).await;
    let update = only(&out, 2);
    assert_eq!(update.use_case, UseCase::Update);
    assert_eq!(update.status, EntryStatus::Success, "{update:?}");
    assert_eq!(update.changes.len(), 1);
    assert_eq!(update.changes[0].attribute, "title");
    assert_eq!(target.users()[0]["title"], "Head of Engineering");
    assert_eq!(target.users().len(), 1, "the others are still not there");
}

#[tokio::test]
async fn one_employee_links_to_an_existing_user_and_gets_the_linked_supervisor_as_manager() {
    let target = FakeTarget::start(Quirks::default()).await;
    let client = client(&target);
    let mut links = HashMap::new();
    let boss = employee(1, "boss@acme.example", None);
    let report = employee(2, "report@acme.example", Some(1));
    // The supervisor is not linked yet: no manager, and the supervisor is
    // not created for it.
    let out = for_one(
        &client,
        &settings(),
        &[boss.clone(), report.clone()],
        &mut links,
        2,
    )
    .await;
    assert_eq!(only(&out, 2).use_case, UseCase::Provision);
    assert_eq!(target.users().len(), 1);
    assert!(target.users()[0][ENTERPRISE].get("manager").is_none());

    // Someone created the supervisor's account by hand: linking them on
    // demand matches it; the report then gets them as manager.
    let boss_id =
        target.insert(json!({"schemas": [CORE], "userName": "boss@acme.example", "active": true}));
    let out = for_one(
        &client,
        &settings(),
        &[boss.clone(), report.clone()],
        &mut links,
        1,
    )
    .await;
    let linked = only(&out, 1);
    assert_eq!(linked.use_case, UseCase::Link, "{linked:?}");
    assert_eq!(links[&1].target_id, boss_id);
    let out = for_one(&client, &settings(), &[boss, report], &mut links, 2).await;
    let update = only(&out, 2);
    assert_eq!(update.status, EntryStatus::Success, "{update:?}");
    let report_user = target
        .users()
        .into_iter()
        .find(|u| u["userName"] == "report@acme.example")
        .unwrap();
    assert_eq!(
        report_user[ENTERPRISE]["manager"],
        json!({"value": boss_id})
    );
    assert_eq!(target.users().len(), 2);
}

#[tokio::test]
async fn one_leaver_is_deprovisioned_and_other_leavers_are_left_alone() {
    let target = FakeTarget::start(Quirks::default()).await;
    let client = client(&target);
    let mut links = HashMap::new();
    let mut staff = vec![
        employee(1, "ana@acme.example", None),
        employee(2, "bo@acme.example", None),
    ];
    cycle(&client, &staff, &mut links, Cycle::Full).await;
    staff[0].status = EmployeeStatus::Inactive;
    staff[1].status = EmployeeStatus::Inactive;
    let out = for_one(&client, &settings(), &staff, &mut links, 1).await;
    let gone = only(&out, 1);
    assert_eq!(gone.use_case, UseCase::Deprovision);
    assert_eq!(gone.status, EntryStatus::Success, "{gone:?}");
    assert_eq!(out.entries.len(), 1);
    let active = |name: &str| {
        target
            .users()
            .into_iter()
            .find(|u| u["userName"] == name)
            .unwrap()["active"]
            .clone()
    };
    assert_eq!(active("ana@acme.example"), json!(false));
    assert_eq!(active("bo@acme.example"), json!(true), "not on demand");
    assert!(links[&2].active);

    // Again: nothing left to do, and it says why.
    let out = for_one(&client, &settings(), &staff, &mut links, 1).await;
    let skipped = only(&out, 1);
    assert_eq!(skipped.status, EntryStatus::Skipped);
    assert!(
        skipped.message.contains("nothing to deprovision"),
        "{skipped:?}"
    );

    // A threshold of 0 stages it, as a cycle would.
    let strict = ScimSettings {
        deletion_threshold: 0,
        ..settings()
    };
    let out = for_one(&client, &strict, &staff, &mut links, 2).await;
    assert_eq!(out.staged, 1);
    assert_eq!(only(&out, 2).status, EntryStatus::Skipped);
    assert_eq!(active("bo@acme.example"), json!(true));
}

#[tokio::test]
async fn an_unknown_employee_is_a_skipped_entry_and_no_request_but_the_probe() {
    let target = FakeTarget::start(Quirks::default()).await;
    let client = client(&target);
    let mut links = HashMap::new();
    let out = for_one(
        &client,
        &settings(),
        &[employee(1, "ana@acme.example", None)],
        &mut links,
        99,
    )
    .await;
    assert_eq!(only(&out, 99).status, EntryStatus::Skipped);
    assert_eq!(target.requests(), vec!["GET /Users?count=1".to_owned()]);
    assert!(target.users().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the company looks like and whatever was linked before, a
    /// cycle for one employee reports on that employee alone, changes no
    /// other employee's link and no other target user.
    #[test]
    fn a_one_employee_cycle_never_touches_another_employee_or_account(
        statuses in prop::collection::vec(0u8..4, 1..7),
        linked_first in prop::collection::vec(any::<bool>(), 7),
        supervisors in prop::collection::vec(prop::option::of(1i64..8), 7),
        pick in 0usize..7,
        mode_delete in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let target = FakeTarget::start(Quirks::default()).await;
            let client = client(&target);
            let settings = ScimSettings {
                deprovision: if mode_delete { DeprovisionMode::Delete } else { DeprovisionMode::Deactivate },
                ..settings()
            };
            let ids: Vec<i64> = (1..=i64::try_from(statuses.len()).unwrap()).collect();
            let mut staff: Vec<Employee> = ids
                .iter()
                .map(|&id| {
                    let i = usize::try_from(id - 1).unwrap();
                    employee(id, &format!("e{id}@acme.example"), supervisors[i].filter(|s| *s != id))
                })
                .collect();
            // Some are provisioned by a full cycle first.
            let first: Vec<Employee> = staff
                .iter()
                .filter(|e| linked_first[usize::try_from(e.id - 1).unwrap()])
                .cloned()
                .collect();
            let mut links = HashMap::new();
            cycle(&client, &first, &mut links, Cycle::Full).await;
            for (e, s) in staff.iter_mut().zip(&statuses) {
                e.status = match s {
                    0 => EmployeeStatus::Active,
                    1 => EmployeeStatus::Inactive,
                    2 => EmployeeStatus::Onboarding,
                    _ => EmployeeStatus::Leave,
                };
                e.position = format!("Changed {}", e.id);
            }
            let chosen = ids[pick % ids.len()];
            let before_links = links.clone();
            let before_users: Vec<Value> = target.users();
            let requests_before = target.requests().len();
            let out = for_one(&client, &settings, &staff, &mut links, chosen).await;

            prop_assert_eq!(out.entries.len(), 1);
            prop_assert_eq!(out.entries[0].employee_id, chosen);
            prop_assert!(out.upserted_links.iter().all(|l| l.employee_id == chosen));
            prop_assert!(out.removed_links.iter().all(|id| *id == chosen));
            for (id, link) in &before_links {
                if *id != chosen {
                    prop_assert_eq!(links.get(id), Some(link));
                }
            }
            let chosen_target = before_links.get(&chosen).map(|l| l.target_id.clone());
            let after_users = target.users();
            for user in &before_users {
                if Some(user["id"].as_str().unwrap().to_owned()) == chosen_target {
                    continue;
                }
                prop_assert!(after_users.contains(user), "changed or deleted: {user}");
            }
            let new_users = after_users.len() + usize::from(mode_delete && chosen_target.is_some())
                - before_users.len();
            prop_assert!(new_users <= 1);
            for r in &target.requests()[requests_before..] {
                for (id, link) in &before_links {
                    prop_assert!(
                        *id == chosen || !r.ends_with(&format!("/Users/{}", link.target_id)),
                        "{} about another employee's account", r
                    );
                }
            }
            Ok(())
        })?;
    }
}
