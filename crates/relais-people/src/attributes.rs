//! The employee attributes the Personnel Data API can return, each with the
//! key, label and type the modelled HRIS uses, and their JSON values.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Employee, OrgUnit};

/// The type tag of an attribute on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    /// Text or an object.
    Standard,
    /// A date, as `YYYY-MM-DDT00:00:00+00:00`.
    Date,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// One value of a list of options.
    List,
}

/// The standard employee attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardAttribute {
    /// Employee id (always returned).
    Id,
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// Preferred name.
    PreferredName,
    /// Work e-mail.
    Email,
    /// Gender.
    Gender,
    /// Employment status.
    Status,
    /// Job title.
    Position,
    /// Supervisor.
    Supervisor,
    /// Internal or external.
    EmploymentType,
    /// Contractual weekly hours.
    WeeklyWorkingHours,
    /// Hire date.
    HireDate,
    /// Termination date.
    TerminationDate,
    /// Record creation time.
    CreatedAt,
    /// Last modification time.
    LastModifiedAt,
    /// Office.
    Office,
    /// Department.
    Department,
    /// Team.
    Team,
    /// Cost centres.
    CostCenters,
    /// Where the profile picture is served, when there is one.
    ProfilePicture,
}

impl StandardAttribute {
    /// Every standard attribute, in the order the API lists them.
    pub const ALL: [Self; 20] = [
        Self::Id,
        Self::FirstName,
        Self::LastName,
        Self::PreferredName,
        Self::Email,
        Self::Gender,
        Self::Status,
        Self::Position,
        Self::Supervisor,
        Self::EmploymentType,
        Self::WeeklyWorkingHours,
        Self::HireDate,
        Self::TerminationDate,
        Self::CreatedAt,
        Self::LastModifiedAt,
        Self::Office,
        Self::Department,
        Self::Team,
        Self::CostCenters,
        Self::ProfilePicture,
    ];

    /// The wire key, e.g. `first_name`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::PreferredName => "preferred_name",
            Self::Email => "email",
            Self::Gender => "gender",
            Self::Status => "status",
            Self::Position => "position",
            Self::Supervisor => "supervisor",
            Self::EmploymentType => "employment_type",
            Self::WeeklyWorkingHours => "weekly_working_hours",
            Self::HireDate => "hire_date",
            Self::TerminationDate => "termination_date",
            Self::CreatedAt => "created_at",
            Self::LastModifiedAt => "last_modified_at",
            Self::Office => "office",
            Self::Department => "department",
            Self::Team => "team",
            Self::CostCenters => "cost_centers",
            Self::ProfilePicture => "profile_picture",
        }
    }

    /// The attribute with this wire key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The English label.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Id => "ID",
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::PreferredName => "Preferred name",
            Self::Email => "Email",
            Self::Gender => "Gender",
            Self::Status => "Status",
            Self::Position => "Position",
            Self::Supervisor => "Supervisor",
            Self::EmploymentType => "Employment type",
            Self::WeeklyWorkingHours => "Weekly hours",
            Self::HireDate => "Hire date",
            Self::TerminationDate => "Termination date",
            Self::CreatedAt => "Created at",
            Self::LastModifiedAt => "Last modified",
            Self::Office => "Office",
            Self::Department => "Department",
            Self::Team => "Team",
            Self::CostCenters => "Cost center",
            Self::ProfilePicture => "Profile Picture",
        }
    }

    /// The wire type tag.
    #[must_use]
    pub const fn kind(self) -> AttributeKind {
        match self {
            Self::Id => AttributeKind::Integer,
            Self::HireDate | Self::TerminationDate | Self::CreatedAt | Self::LastModifiedAt => {
                AttributeKind::Date
            }
            _ => AttributeKind::Standard,
        }
    }

    /// The attribute's value for `employee`, in the wire shape.
    #[must_use]
    pub fn value(self, employee: &Employee) -> Value {
        match self {
            Self::Id => json!(employee.id),
            Self::FirstName => json!(employee.first_name),
            Self::LastName => json!(employee.last_name),
            Self::PreferredName => json!(
                employee
                    .preferred_name
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", employee.first_name, employee.last_name))
            ),
            Self::Email => json!(employee.email),
            Self::Gender => json!(employee.gender.as_str()),
            Self::Status => json!(employee.status.as_str()),
            Self::Position => json!(employee.position),
            Self::Supervisor => employee.supervisor_id.map_or(Value::Null, supervisor_value),
            Self::EmploymentType => json!(employee.employment_type.as_str()),
            Self::WeeklyWorkingHours => json!(format_hours(employee.weekly_working_hours)),
            Self::HireDate => date_value(Some(employee.hire_date)),
            Self::TerminationDate => date_value(employee.termination_date),
            Self::CreatedAt => json!(employee.created_at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()),
            Self::LastModifiedAt => {
                json!(employee.last_modified_at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string())
            }
            Self::Office => org_value("Office", employee.office.as_ref()),
            Self::Department => org_value("Department", employee.department.as_ref()),
            Self::Team => org_value("Team", employee.team.as_ref()),
            Self::ProfilePicture => profile_picture_path(employee).map_or(Value::Null, Value::String),
            Self::CostCenters => Value::Array(
                employee
                    .cost_centers
                    .iter()
                    .map(|c| {
                        json!({"type": "CostCenter", "attributes": {"id": c.id, "name": c.name, "percentage": c.percentage}})
                    })
                    .collect(),
            ),
        }
    }
}

/// Where the public API serves the employee's profile picture (a path
/// under the server's address), when they have one.
#[must_use]
pub fn profile_picture_path(employee: &Employee) -> Option<String> {
    employee
        .profile_picture
        .then(|| format!("/v1/company/employees/{}/profile-picture", employee.id))
}

/// A supervisor reference in the wire shape.
#[must_use]
pub fn supervisor_value(id: i64) -> Value {
    json!({"type": "Employee", "attributes": {"id": {"label": "ID", "value": id, "type": "integer", "universal_id": "id"}}})
}

/// An org unit (department, office, team) in the wire shape.
#[must_use]
pub fn org_value(type_name: &str, unit: Option<&OrgUnit>) -> Value {
    unit.map_or(
        Value::Null,
        |u| json!({"type": type_name, "attributes": {"id": u.id, "name": u.name}}),
    )
}

/// A date in the wire shape (`null` for none).
#[must_use]
pub fn date_value(date: Option<chrono::NaiveDate>) -> Value {
    date.map_or(Value::Null, |d| json!(format!("{d}T00:00:00+00:00")))
}

/// Hours as the HRIS writes them: "40", "32.5".
#[must_use]
pub fn format_hours(hours: f64) -> String {
    let text = format!("{hours:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A company-defined attribute, keyed `dynamic_<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomAttribute {
    /// The id in `dynamic_<id>`.
    pub id: i64,
    /// Label.
    pub label: String,
    /// Wire type.
    pub kind: AttributeKind,
    /// Allowed values, for list attributes.
    pub options: Vec<String>,
}

impl CustomAttribute {
    /// The wire key, `dynamic_<id>`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("dynamic_{}", self.id)
    }
}

/// Every attribute key a company's employees can have: the standard ones and
/// the company's custom ones.
#[must_use]
pub fn attribute_keys(custom: &[CustomAttribute]) -> Vec<String> {
    StandardAttribute::ALL
        .iter()
        .map(|a| a.key().to_owned())
        .chain(custom.iter().map(CustomAttribute::key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_written_like_the_hris_does() {
        assert_eq!(format_hours(40.0), "40");
        assert_eq!(format_hours(32.5), "32.5");
    }

    #[test]
    fn every_label_is_words_for_people_not_a_key() {
        for a in StandardAttribute::ALL {
            let label = a.label();
            assert!(
                label.starts_with(|c: char| c.is_uppercase()) && !label.contains('_'),
                "{label}"
            );
        }
    }

    #[test]
    fn keys_round_trip() {
        for a in StandardAttribute::ALL {
            assert_eq!(StandardAttribute::from_key(a.key()), Some(a));
        }
    }
}
