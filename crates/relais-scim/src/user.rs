//! The SCIM user an employee should be, and how two users are compared.

use relais_people::Employee;
use serde_json::{Value, json};

pub(crate) const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The user the target should hold for `employee`: core attributes and the
/// enterprise extension (employee number, department, manager). Without a
/// `manager_target_id` the user has no `manager`.
#[must_use]
pub fn desired_user(employee: &Employee, manager_target_id: Option<&str>) -> Value {
    let mut enterprise = json!({"employeeNumber": employee.id.to_string()});
    if let Some(d) = &employee.department {
        enterprise["department"] = json!(d.name);
    }
    if let Some(m) = manager_target_id {
        enterprise["manager"] = json!({"value": m});
    }
    json!({
        "schemas": [CORE, ENTERPRISE],
        "userName": employee.email,
        "externalId": employee.id.to_string(),
        "name": {"givenName": employee.first_name, "familyName": employee.last_name},
        "displayName": format!("{} {}", employee.first_name, employee.last_name),
        "emails": [{"value": employee.email, "type": "work", "primary": true}],
        "title": employee.position,
        "active": true,
        ENTERPRISE: enterprise,
    })
}

/// A user's primary e-mail address, wherever it sits in `emails`: the one
/// entry marked `"primary": true`, or the only entry when there is one and
/// none is marked. `Null` when there is none, or when the target marks
/// several as primary (RFC 7643 §2.4 allows one): an ambiguous answer never
/// counts as the address Relais wants, so an update sets it straight.
pub(crate) fn primary_email(user: &Value) -> Value {
    let Some(emails) = user.get("emails").and_then(Value::as_array) else {
        return Value::Null;
    };
    let marked: Vec<&Value> = emails
        .iter()
        .filter(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
        .collect();
    let chosen = match (marked.as_slice(), emails.as_slice()) {
        ([one], _) => *one,
        ([], [one]) => one,
        _ => return Value::Null,
    };
    chosen.get("value").cloned().unwrap_or(Value::Null)
}

/// The attributes a cycle compares and sends, as (path, value) pairs.
/// `emails` stands for the primary address ([`primary_email`]).
pub(crate) fn comparable(user: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for key in ["userName", "externalId", "displayName", "title", "active"] {
        out.push((
            key.to_owned(),
            user.get(key).cloned().unwrap_or(Value::Null),
        ));
    }
    out.push(("name.givenName".into(), user["name"]["givenName"].clone()));
    out.push(("name.familyName".into(), user["name"]["familyName"].clone()));
    out.push(("emails".into(), primary_email(user)));
    for key in ["employeeNumber", "department"] {
        out.push((format!("{ENTERPRISE}:{key}"), user[ENTERPRISE][key].clone()));
    }
    out.push((
        format!("{ENTERPRISE}:manager"),
        user[ENTERPRISE]["manager"]["value"].clone(),
    ));
    out
}

/// Whether the target's `held` value of the comparable attribute `path`
/// is the `wanted` one. `userName` and e-mail addresses are compared
/// without regard to case, as RFC 7643 defines them (`caseExact: false`):
/// a target that stores `Ana@Example.com` as `ana@example.com` holds the
/// same value, and is not updated again every cycle.
pub(crate) fn same(path: &str, held: &Value, wanted: &Value) -> bool {
    match (path, held, wanted) {
        ("userName" | "emails", Value::String(a), Value::String(b)) => {
            a == b || a.to_lowercase() == b.to_lowercase()
        }
        _ => held == wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_primary_email_is_the_marked_one_wherever_it_sits() {
        let user = json!({"emails": [
            {"value": "old@x.example", "type": "home"},
            {"value": "new@x.example", "type": "work", "primary": true},
        ]});
        assert_eq!(primary_email(&user), "new@x.example");
    }

    #[test]
    fn a_single_unmarked_email_is_the_primary_one() {
        assert_eq!(
            primary_email(&json!({"emails": [{"value": "a@x.example"}]})),
            "a@x.example"
        );
    }

    #[test]
    fn several_addresses_without_one_primary_have_no_primary() {
        for emails in [
            json!([{"value": "a@x.example"}, {"value": "b@x.example"}]),
            json!([{"value": "a@x.example", "primary": true}, {"value": "b@x.example", "primary": true}]),
            json!([]),
        ] {
            assert_eq!(primary_email(&json!({"emails": emails})), Value::Null);
        }
        assert_eq!(primary_email(&json!({})), Value::Null);
    }

    #[test]
    fn user_names_and_addresses_compare_without_case_other_attributes_with_it() {
        assert!(same(
            "userName",
            &json!("Ana@X.example"),
            &json!("ana@x.example")
        ));
        assert!(same(
            "emails",
            &json!("ANA@x.example"),
            &json!("ana@x.example")
        ));
        assert!(!same(
            "emails",
            &json!("ana@y.example"),
            &json!("ana@x.example")
        ));
        assert!(!same("title", &json!("CEO"), &json!("ceo")));
        assert!(!same("userName", &Value::Null, &json!("ana@x.example")));
    }

    fn email() -> impl Strategy<Value = Value> {
        (
            "[a-z]{1,8}@[a-z]{1,5}\\.example",
            any::<bool>(),
            prop::option::of("work|home"),
        )
            .prop_map(|(value, primary, kind)| {
                let mut e = json!({"value": value});
                if primary {
                    e["primary"] = json!(true);
                }
                if let Some(kind) = kind {
                    e["type"] = json!(kind);
                }
                e
            })
    }

    proptest! {
        /// Comparing the primary e-mail does not depend on the order the
        /// target returns `emails` in.
        #[test]
        fn the_primary_email_does_not_depend_on_array_order(
            emails in prop::collection::vec(email(), 0..6),
            rotation in 0usize..6,
            reverse in any::<bool>(),
        ) {
            let mut shuffled = emails.clone();
            if !shuffled.is_empty() {
                let n = rotation % shuffled.len();
                shuffled.rotate_left(n);
            }
            if reverse {
                shuffled.reverse();
            }
            let a = json!({"emails": emails});
            let b = json!({"emails": shuffled});
            prop_assert_eq!(primary_email(&a), primary_email(&b));
            prop_assert_eq!(comparable(&a), comparable(&b));
        }

        /// The address Relais sends is the primary one it reads back, however
        /// many other addresses the target keeps beside it.
        #[test]
        fn the_address_relais_sends_is_found_among_others(
            others in prop::collection::vec("[a-z]{1,8}@other\\.example", 0..4),
            at in 0usize..5,
        ) {
            let mut emails: Vec<Value> = others.iter().map(|o| json!({"value": o, "type": "home"})).collect();
            let at = at.min(emails.len());
            emails.insert(at, json!({"value": "ana@x.example", "type": "work", "primary": true}));
            prop_assert_eq!(primary_email(&json!({"emails": emails})), json!("ana@x.example"));
        }
    }
}
