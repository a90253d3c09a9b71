//! One employee created or changed at a time, as the public API's
//! `POST /v1/company/employees` and `PATCH /v1/company/employees/{id}` do:
//! the fields a client sends, checked as an import checks its cells, and
//! the history the change adds, kept as an import keeps it.
//!
//! Pure: the caller finds the company's org units and custom attributes,
//! checks that a supervisor exists, and stores the result.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::attributes::CustomAttribute;
use crate::import::{
    change_history, creation_history, custom_value, hours, normalized_email, one_of, parse_date,
    text_field,
};
use crate::{
    AttributeChange, Employee, EmployeeId, EmployeeRecords, EmployeeStatus, EmploymentType, Gender,
    OrgUnit,
};

/// The standard fields a client may send (custom attributes come on top,
/// keyed `dynamic_<id>`). `email` only when creating.
pub const FIELDS: [&str; 12] = [
    "email",
    "first_name",
    "last_name",
    "preferred_name",
    "gender",
    "position",
    "department",
    "office",
    "hire_date",
    "weekly_working_hours",
    "status",
    "supervisor_id",
];

/// The longest name, position or org unit name accepted.
pub const MAX_TEXT: usize = 200;

/// The fields a client sent, by key: `Some(text)` sets, `None` (an empty
/// value or `null`) clears an optional attribute. Keys not sent are left
/// as they are.
pub type Fields = BTreeMap<String, Option<String>>;

/// The org units of a company, by kind: a department, office or team
/// exists while an employee belongs to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgUnits {
    /// Departments.
    pub departments: Vec<OrgUnit>,
    /// Offices.
    pub offices: Vec<OrgUnit>,
    /// Teams.
    pub teams: Vec<OrgUnit>,
}

impl OrgUnits {
    fn find<'a>(units: &'a [OrgUnit], name: &str) -> Option<&'a OrgUnit> {
        let name = name.trim().to_lowercase();
        units.iter().find(|u| u.name.to_lowercase() == name)
    }
}

/// One field's problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's key.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why a create or change was refused: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct EditError(pub Vec<FieldError>);

/// What a create or change is checked against.
#[derive(Debug, Clone, Copy)]
pub struct EditContext<'a> {
    /// The company's custom attributes.
    pub custom_attributes: &'a [CustomAttribute],
    /// The company's org units: a department or office is named by one
    /// of these names (any case).
    pub units: &'a OrgUnits,
    /// Today: the effective date of changes, and the default hire date.
    pub today: NaiveDate,
    /// Now: creation and modification time.
    pub now: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }
}

/// A new employee from the fields a client sent: `email`, `first_name`,
/// `last_name` and `gender` are required; the id is 0 (the store gives the
/// next free one); the history starts at the hire date, as an import's.
/// Without a status, one hired after today is onboarding, others active.
///
/// # Errors
/// [`EditError`] naming every bad field.
pub fn new_employee(
    fields: &Fields,
    context: &EditContext<'_>,
) -> Result<EmployeeRecords, EditError> {
    let mut problems = Problems::default();
    let mut e = Employee {
        id: 0,
        first_name: String::new(),
        last_name: String::new(),
        preferred_name: None,
        email: String::new(),
        gender: Gender::Diverse,
        status: EmployeeStatus::Active,
        position: String::new(),
        department: None,
        office: None,
        team: None,
        supervisor_id: None,
        hire_date: context.today,
        termination_date: None,
        weekly_working_hours: 40.0,
        employment_type: EmploymentType::Internal,
        cost_centers: Vec::new(),
        custom: BTreeMap::new(),
        external_id: None,
        profile_picture: false,
        created_at: context.now,
        last_modified_at: context.now,
    };
    match fields.get("email") {
        Some(Some(text)) => match normalized_email(text) {
            Ok(email) => e.email = email,
            Err(message) => problems.add("email", message),
        },
        _ => problems.add("email", "is required"),
    }
    for required in ["first_name", "last_name"] {
        if !matches!(fields.get(required), Some(Some(_))) {
            problems.add(required, "is required");
        }
    }
    if !matches!(fields.get("gender"), Some(Some(_))) {
        problems.add("gender", "is required (male, female or diverse)");
    }
    apply(&mut e, fields, context, &mut problems, true);
    if !fields.contains_key("status") {
        e.status = if e.hire_date > context.today {
            EmployeeStatus::Onboarding
        } else {
            EmployeeStatus::Active
        };
    }
    if !problems.0.is_empty() {
        return Err(EditError(problems.0));
    }
    let history = creation_history(&e);
    Ok(EmployeeRecords {
        employee: e,
        history,
        attendances: Vec::new(),
        time_offs: Vec::new(),
        absence_periods: Vec::new(),
        picture: None,
    })
}

/// `old` changed by the fields a client sent, with the history the change
/// adds (effective today, as an import without an effective date records
/// it). The e-mail cannot be changed.
///
/// # Errors
/// [`EditError`] naming every bad field.
pub fn changed_employee(
    old: &Employee,
    fields: &Fields,
    context: &EditContext<'_>,
) -> Result<(Employee, Vec<AttributeChange>), EditError> {
    let mut problems = Problems::default();
    if fields.contains_key("email") {
        problems.add(
            "email",
            "cannot be updated; the e-mail of an employee is fixed once created",
        );
    }
    let mut e = old.clone();
    apply(&mut e, fields, context, &mut problems, false);
    if !problems.0.is_empty() {
        return Err(EditError(problems.0));
    }
    let history = change_history(old, &e, context.custom_attributes, context.today);
    if e != *old {
        e.last_modified_at = context.now;
    }
    Ok((e, history))
}

/// Applies every field but the e-mail to `e`, collecting problems.
#[allow(clippy::too_many_lines)] // One arm per field, in order.
fn apply(
    e: &mut Employee,
    fields: &Fields,
    context: &EditContext<'_>,
    problems: &mut Problems,
    is_new: bool,
) {
    for (key, value) in fields {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
        let mut bad = |message: String| problems.add(key, message);
        match (key.as_str(), value) {
            ("email", _) => {}
            ("first_name" | "last_name" | "position", None) => {
                if !is_new || key == "position" {
                    if key == "position" {
                        e.position = String::new();
                    } else {
                        bad("cannot be emptied".into());
                    }
                }
            }
            ("first_name", Some(text)) => match text_field(text, MAX_TEXT) {
                Ok(text) => e.first_name = text,
                Err(message) => bad(message),
            },
            ("last_name", Some(text)) => match text_field(text, MAX_TEXT) {
                Ok(text) => e.last_name = text,
                Err(message) => bad(message),
            },
            ("position", Some(text)) => match text_field(text, MAX_TEXT) {
                Ok(text) => e.position = text,
                Err(message) => bad(message),
            },
            ("preferred_name", value) => match value.map(|t| text_field(t, MAX_TEXT)).transpose() {
                Ok(value) => e.preferred_name = value,
                Err(message) => bad(message),
            },
            ("gender", None) => {
                if !is_new {
                    bad("cannot be emptied".into());
                }
            }
            ("gender", Some(text)) => match one_of(
                text,
                &[
                    ("male", Gender::Male),
                    ("female", Gender::Female),
                    ("diverse", Gender::Diverse),
                ],
            ) {
                Ok(g) => e.gender = g,
                Err(message) => bad(message),
            },
            ("status", None) => bad("cannot be emptied".into()),
            ("status", Some(text)) => match one_of(
                text,
                &[
                    ("active", EmployeeStatus::Active),
                    ("inactive", EmployeeStatus::Inactive),
                    ("onboarding", EmployeeStatus::Onboarding),
                    ("leave", EmployeeStatus::Leave),
                ],
            ) {
                Ok(s) => e.status = s,
                Err(message) => bad(message),
            },
            ("hire_date", None) => {
                if !is_new {
                    bad("cannot be emptied".into());
                }
            }
            ("hire_date", Some(text)) => match parse_date(text) {
                Ok(d) => e.hire_date = d,
                Err(message) => bad(message),
            },
            ("weekly_working_hours", None) => {
                if !is_new {
                    bad("cannot be emptied".into());
                }
            }
            ("weekly_working_hours", Some(text)) => match hours(text) {
                Ok(h) => e.weekly_working_hours = h,
                Err(message) => bad(message),
            },
            ("department" | "office", value) => {
                let units = if key == "department" {
                    &context.units.departments
                } else {
                    &context.units.offices
                };
                let unit = match value {
                    None => None,
                    Some(name) => match OrgUnits::find(units, name) {
                        Some(unit) => Some(unit.clone()),
                        None => {
                            let mut names: Vec<&str> =
                                units.iter().map(|u| u.name.as_str()).collect();
                            names.sort_unstable();
                            let shown: String = if names.is_empty() {
                                "none yet".into()
                            } else {
                                names.join(", ")
                            };
                            bad(format!(
                                "'{}' is not {} of this company (they are: {shown})",
                                name.chars().take(MAX_TEXT).collect::<String>(),
                                if key == "office" {
                                    "an office"
                                } else {
                                    "a department"
                                }
                            ));
                            continue;
                        }
                    },
                };
                if key == "department" {
                    e.department = unit;
                } else {
                    e.office = unit;
                }
            }
            ("supervisor_id", None) => e.supervisor_id = None,
            ("supervisor_id", Some(text)) => match text.parse::<EmployeeId>() {
                Ok(id) if id == e.id && !is_new => {
                    bad("an employee cannot supervise themselves".into());
                }
                Ok(id) if id > 0 => e.supervisor_id = Some(id),
                _ => bad(format!("'{text}' is not an employee id")),
            },
            ("subcompany", _) => {
                bad("Relais does not model subcompanies; leave the field out".into())
            }
            (custom, value) => {
                let Some(attribute) = context.custom_attributes.iter().find(|a| a.key() == custom)
                else {
                    bad(unknown_field(custom, context.custom_attributes, is_new));
                    continue;
                };
                match value {
                    None => {
                        e.custom.remove(custom);
                    }
                    Some(text) => match custom_value(attribute, text) {
                        Ok(value) => {
                            e.custom.insert(custom.to_owned(), value);
                        }
                        Err(message) => bad(message),
                    },
                }
            }
        }
    }
}

fn unknown_field(key: &str, custom: &[CustomAttribute], is_new: bool) -> String {
    let standard: Vec<&str> = FIELDS
        .iter()
        .copied()
        .filter(|f| is_new || *f != "email")
        .collect();
    let key: String = key.chars().take(64).collect();
    if key.starts_with("dynamic_") {
        let known: Vec<String> = custom.iter().map(CustomAttribute::key).collect();
        format!(
            "'{key}' is not a custom attribute of this company (they are: {})",
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        )
    } else {
        format!(
            "unknown field '{key}'; the fields are {}",
            standard.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributeKind;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn units() -> OrgUnits {
        OrgUnits {
            departments: vec![OrgUnit {
                id: 3,
                name: "Engineering".into(),
            }],
            offices: vec![OrgUnit {
                id: 1,
                name: "Berlin".into(),
            }],
            teams: Vec::new(),
        }
    }

    fn custom() -> Vec<CustomAttribute> {
        vec![CustomAttribute {
            id: 7,
            label: "T-shirt size".into(),
            kind: AttributeKind::List,
            options: vec!["S".into(), "M".into()],
        }]
    }

    fn fields(pairs: &[(&str, Option<&str>)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    fn with<T>(f: impl FnOnce(&EditContext<'_>) -> T) -> T {
        let (units, custom) = (units(), custom());
        f(&EditContext {
            custom_attributes: &custom,
            units: &units,
            today: day("2026-11-30"),
            now: "2026-11-30T10:00:00Z".parse().unwrap(),
        })
    }

    #[test]
    fn a_new_employee_gets_units_by_name_and_history_from_the_hire_date() {
        let records = with(|c| {
            new_employee(
                &fields(&[
                    ("email", Some("Ana@Acme.example")),
                    ("first_name", Some("Ana")),
                    ("last_name", Some("Lopez")),
                    ("gender", Some("female")),
                    ("department", Some("engineering")),
                    ("hire_date", Some("2027-01-04")),
                    ("weekly_working_hours", Some("32")),
                    ("dynamic_7", Some("m")),
                ]),
                c,
            )
        })
        .unwrap();
        let e = &records.employee;
        assert_eq!(e.email, "ana@acme.example");
        assert_eq!(e.department.as_ref().unwrap().id, 3);
        assert_eq!(e.status, EmployeeStatus::Onboarding, "hired after today");
        assert_eq!(e.custom["dynamic_7"], "M");
        assert!(
            records
                .history
                .iter()
                .all(|h| h.effective_from == day("2027-01-04"))
        );
        assert!(records.history.iter().any(|h| h.attribute == "dynamic_7"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = with(|c| {
            new_employee(
                &fields(&[
                    ("email", Some("not-an-email")),
                    ("gender", Some("robot")),
                    ("office", Some("Paris")),
                    ("hire_date", Some("2026-13-01")),
                    ("weekly_working_hours", Some("200")),
                    ("dynamic_8", Some("x")),
                    ("subcompany", Some("ACME")),
                    ("first_name", Some(&"x".repeat(201))),
                ]),
                c,
            )
        })
        .unwrap_err();
        let text = err.to_string();
        for expected in [
            "email: 'not-an-email' is not an e-mail address",
            "last_name: is required",
            "gender: 'robot' is not one of",
            "office: 'Paris' is not an office of this company (they are: Berlin)",
            "hire_date: '2026-13-01' is not a date",
            "weekly_working_hours: 200 is not between",
            "dynamic_8: 'dynamic_8' is not a custom attribute",
            "subcompany: Relais does not model subcompanies",
            "first_name: longer than 200 characters",
        ] {
            assert!(text.contains(expected), "{expected}\nin\n{text}");
        }
    }

    #[test]
    fn a_change_records_history_today_and_refuses_the_email() {
        let records = with(|c| {
            new_employee(
                &fields(&[
                    ("email", Some("ben@acme.example")),
                    ("first_name", Some("Ben")),
                    ("last_name", Some("Ng")),
                    ("gender", Some("male")),
                    ("hire_date", Some("2020-01-01")),
                ]),
                c,
            )
        })
        .unwrap();
        let mut old = records.employee;
        old.id = 9;
        old.last_modified_at = "2026-01-01T00:00:00Z".parse().unwrap();
        let (new, history) = with(|c| {
            changed_employee(
                &old,
                &fields(&[
                    ("position", Some("Lead")),
                    ("department", Some("Engineering")),
                ]),
                c,
            )
        })
        .unwrap();
        assert_eq!(new.position, "Lead");
        let changed: Vec<_> = history.iter().map(|h| h.attribute.as_str()).collect();
        assert_eq!(changed, ["department", "position"]);
        assert!(
            history
                .iter()
                .all(|h| h.effective_from == day("2026-11-30"))
        );
        assert_eq!(
            new.last_modified_at,
            "2026-11-30T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let err = with(|c| {
            changed_employee(
                &old,
                &fields(&[
                    ("email", Some("x@acme.example")),
                    ("supervisor_id", Some("9")),
                ]),
                c,
            )
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("email: cannot be updated"), "{err}");
        assert!(err.contains("cannot supervise themselves"), "{err}");
        let (same, history) = with(|c| changed_employee(&old, &Fields::new(), c)).unwrap();
        assert_eq!(same, old, "no change, no new modification time");
        assert!(history.is_empty());
    }
}
