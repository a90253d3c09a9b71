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
//!
//! Depends on no other Relais crate.
//!
//! # Example
//!
//! A demo company's employees, the same for the same seed, and an attribute's
//! value on a day from the employee's history:
//!
//! ```rust
//! use chrono::NaiveDate;
//! use relais_people::demo::{self, DemoSpec};
//! use relais_people::value_at;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let until = NaiveDate::from_ymd_opt(2026, 3, 31).ok_or("no such day")?;
//! let spec = DemoSpec { employees: 3, months: 1, seed: 42, until };
//! let staff: Vec<_> = demo::employees(spec).collect();
//! assert_eq!(staff.len(), 3);
//! assert_eq!(staff, demo::employees(spec).collect::<Vec<_>>());
//!
//! let first = &staff[0];
//! let department = value_at(&first.history, "department", until);
//! assert!(department.is_some());
//! # Ok(())
//! # }
//! ```

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
