//! The HR data the public APIs expose.
//!
//! Employees with their standard and custom attributes, whose history is kept
//! as effective-dated changes ("department was Sales until 2026-03-31,
//! Marketing since"); attendances; absences by day (time-offs) and by hour
//! (absence periods); document categories, and employee documents (their
//! metadata, limits, and which files are accepted). Also the catalogue of employee
//! attributes a credential's whitelist chooses from, and a deterministic
//! generator of realistic demo companies.
//!
//! Pure: no storage, no HTTP. `relais-store` keeps these types,
//! `relais-app` decides who may read them.

#![warn(missing_docs)]

mod attributes;
mod balance;
pub mod demo;
pub mod documents;
pub mod edit;
mod history;
pub mod import;
mod model;
pub mod picture;

pub use attributes::{
    AttributeKind, CustomAttribute, StandardAttribute, attribute_keys, format_hours,
    profile_picture_path,
};
pub use balance::{AbsenceBalance, absence_balances};
pub use history::{AttributeChange, value_at};
pub use model::{
    AbsencePeriod, Attendance, AttendanceStatus, CostCenterShare, DocumentCategory, Employee,
    EmployeeId, EmployeeRecords, EmployeeStatus, EmploymentType, Gender, OrgUnit, PROJECT_NAME_MAX,
    Project, TimeOff, TimeOffCategory, TimeOffStatus, TimeOffType, TimeOffUnit, is_public_holiday,
    is_working_day,
};
