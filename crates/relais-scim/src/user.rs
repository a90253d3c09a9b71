//! The SCIM user an employee should be.

use relais_people::Employee;
use serde_json::{Value, json};

pub(crate) const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The user the target should hold for `employee`: core attributes and the
/// enterprise extension (employee number, department, manager).
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

/// The attributes a cycle compares and sends, as (path, value) pairs.
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
    out.push(("emails".into(), user["emails"][0]["value"].clone()));
    for key in ["employeeNumber", "department"] {
        out.push((format!("{ENTERPRISE}:{key}"), user[ENTERPRISE][key].clone()));
    }
    out.push((
        format!("{ENTERPRISE}:manager"),
        user[ENTERPRISE]["manager"]["value"].clone(),
    ));
    out
}
