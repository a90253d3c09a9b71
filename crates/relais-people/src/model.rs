use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An employee's id: an integer, unique within a company, as in the modelled HRIS.
pub type EmployeeId = i64;

/// A department, office, team or cost centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgUnit {
    /// Id, unique within its kind and company.
    pub id: i64,
    /// Display name.
    pub name: String,
}

/// Employment status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmployeeStatus {
    /// Works here.
    Active,
    /// Left, or not yet started and not onboarding.
    Inactive,
    /// Signed, not started yet.
    Onboarding,
    /// On long leave (parental, sabbatical).
    Leave,
}

impl EmployeeStatus {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Onboarding => "onboarding",
            Self::Leave => "leave",
        }
    }
}

/// Gender as the HRIS records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Diverse.
    Diverse,
}

impl Gender {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
            Self::Diverse => "diverse",
        }
    }
}

/// Employment type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    /// Employed by the company.
    Internal,
    /// A contractor or agency worker.
    External,
}

impl EmploymentType {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::External => "external",
        }
    }
}

/// A share of an employee's cost in a cost centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostCenterShare {
    /// The cost centre.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Percentage of the employee's cost, 1–100.
    pub percentage: u8,
}

/// An employee as of today: the current value of every attribute.
/// Past values are kept as [`crate::AttributeChange`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Employee {
    /// Id within the company.
    // `EmployeeId` is an alias, which the schema derive cannot see through.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: EmployeeId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Preferred name, when it differs.
    pub preferred_name: Option<String>,
    /// Work e-mail, unique within the company.
    pub email: String,
    /// Gender.
    pub gender: Gender,
    /// Employment status.
    pub status: EmployeeStatus,
    /// Job title.
    pub position: String,
    /// Department.
    pub department: Option<OrgUnit>,
    /// Office.
    pub office: Option<OrgUnit>,
    /// Team.
    pub team: Option<OrgUnit>,
    /// The supervisor's employee id.
    // `EmployeeId` is an alias, which the schema derive cannot see through.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub supervisor_id: Option<EmployeeId>,
    /// First day of employment.
    pub hire_date: NaiveDate,
    /// Last day of employment, for leavers.
    pub termination_date: Option<NaiveDate>,
    /// Contractual weekly hours.
    pub weekly_working_hours: f64,
    /// Internal or external.
    pub employment_type: EmploymentType,
    /// Cost centres and shares.
    pub cost_centers: Vec<CostCenterShare>,
    /// Custom attributes by key (`dynamic_<id>`), as text.
    pub custom: BTreeMap<String, String>,
    /// The employee's id in the system it was imported from (an HR
    /// spreadsheet, another HRIS): imports match on it before the e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Whether a profile picture is stored for them (the picture itself
    /// is kept apart, and served by the public API).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub profile_picture: bool,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When any attribute last changed.
    pub last_modified_at: DateTime<Utc>,
}

/// Approval status of an attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    /// Approved or not needing approval.
    Confirmed,
    /// Waiting for approval.
    Pending,
    /// Rejected.
    Rejected,
}

impl AttendanceStatus {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Pending => "pending",
            Self::Rejected => "rejected",
        }
    }
}

/// One worked period of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// Id, assigned by the store (0 before it is stored).
    pub id: i64,
    /// Who.
    pub employee_id: EmployeeId,
    /// Which day.
    pub date: NaiveDate,
    /// Start, local time.
    pub start_time: NaiveTime,
    /// End, local time.
    pub end_time: NaiveTime,
    /// Break in minutes.
    pub break_minutes: u32,
    /// Project, if any.
    pub project_id: Option<i64>,
    /// Approval status.
    pub status: AttendanceStatus,
    /// Free comment.
    pub comment: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Attendance {
    /// Minutes worked: end − start − break (never negative).
    #[must_use]
    pub fn worked_minutes(&self) -> i64 {
        let span = (self.end_time - self.start_time).num_minutes();
        (span - i64::from(self.break_minutes)).max(0)
    }
}

/// The category of a time-off type, as in the modelled HRIS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeOffCategory {
    /// Paid vacation.
    PaidVacation,
    /// Sick leave.
    SickLeave,
    /// Parental leave.
    MaternityParentalLeave,
    /// Unpaid vacation.
    UnpaidVacation,
    /// Work outside the office.
    OffsiteWork,
    /// Anything else.
    Other,
}

/// Whether a time-off type is taken in days or hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeOffUnit {
    /// Whole or half days: time-offs.
    Day,
    /// Hours: absence periods.
    Hour,
}

/// A type of absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOffType {
    /// Id within the company.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Category.
    pub category: TimeOffCategory,
    /// Days or hours.
    pub unit: TimeOffUnit,
    /// Whether requests need approval.
    pub approval_required: bool,
    /// Days a year someone employed the whole year may take (paid vacation);
    /// none for types not counted against an allowance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_entitlement: Option<u32>,
}

/// Approval status of an absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeOffStatus {
    /// Approved.
    Approved,
    /// Requested, not decided.
    Requested,
    /// Rejected.
    Rejected,
}

impl TimeOffStatus {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Requested => "requested",
            Self::Rejected => "rejected",
        }
    }
}

/// An absence counted in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeOff {
    /// Id, assigned by the store (0 before it is stored).
    pub id: i64,
    /// Who.
    pub employee_id: EmployeeId,
    /// Which type.
    pub time_off_type_id: i64,
    /// Approval status.
    pub status: TimeOffStatus,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day (inclusive).
    pub end_date: NaiveDate,
    /// The first day is a half day.
    pub half_day_start: bool,
    /// The last day is a half day.
    pub half_day_end: bool,
    /// Working days taken.
    pub days_count: f64,
    /// Free comment.
    pub comment: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// An absence counted in hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsencePeriod {
    /// Id (a UUID, as in the modelled HRIS).
    pub id: Uuid,
    /// Who.
    pub employee_id: EmployeeId,
    /// Which type.
    pub time_off_type_id: i64,
    /// Start.
    pub start: NaiveDateTime,
    /// End.
    pub end: NaiveDateTime,
    /// Approval status.
    pub status: TimeOffStatus,
    /// Free comment.
    pub comment: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl AbsencePeriod {
    /// Minutes absent.
    #[must_use]
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes().max(0)
    }
}

/// A category of employee documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentCategory {
    /// Id within the company.
    pub id: i64,
    /// Display name.
    pub name: String,
}

/// An attendance project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Id within the company.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Whether time can still be booked on it.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// The longest project name, in characters.
pub const PROJECT_NAME_MAX: usize = 255;

impl Project {
    /// A project's name as stored: trimmed, 1 to [`PROJECT_NAME_MAX`]
    /// characters.
    ///
    /// # Errors
    /// What is wrong with it, for people.
    pub fn checked_name(name: &str) -> Result<String, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("Project name cannot be empty".to_owned());
        }
        let length = name.chars().count();
        if length > PROJECT_NAME_MAX {
            return Err(format!(
                "Project name must be at most {PROJECT_NAME_MAX} characters, got {length}"
            ));
        }
        if name.chars().any(char::is_control) {
            return Err("Project name must not hold control characters".to_owned());
        }
        Ok(name.to_owned())
    }
}

/// One employee with everything recorded about them: what a store writes
/// in one go.
#[derive(Debug, Clone, PartialEq)]
pub struct EmployeeRecords {
    /// The employee as of today.
    pub employee: Employee,
    /// Every effective-dated value of the tracked attributes.
    pub history: Vec<crate::AttributeChange>,
    /// Worked days.
    pub attendances: Vec<Attendance>,
    /// Absences in days.
    pub time_offs: Vec<TimeOff>,
    /// Absences in hours.
    pub absence_periods: Vec<AbsencePeriod>,
    /// The profile picture, when there is one (the employee's
    /// `profile_picture` says so too).
    pub picture: Option<crate::picture::Picture>,
}

/// The company's public holidays: days nobody is expected to work. A fixed
/// calendar (New Year, Labour Day, German Unity Day, Christmas) until
/// holiday calendars per office are modelled.
#[must_use]
pub fn is_public_holiday(date: NaiveDate) -> bool {
    matches!(
        (date.month(), date.day()),
        (1, 1) | (5, 1) | (10, 3) | (12, 25) | (12, 26)
    )
}

/// Whether `date` is a working day: Monday to Friday and not a public holiday.
#[must_use]
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}
