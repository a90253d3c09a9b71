//! The wire of Relais's HTTP APIs: every request and answer, as a type.
//!
//! - [`v1`]: the public API, in the shapes of the modelled HRIS, so that its
//!   existing clients work against Relais by changing only the base URL.
//!
//! The use cases in `relais-app` return domain values; this crate maps them
//! to what goes over the wire, serialising straight from borrowed domain
//! values (no intermediate `serde_json::Value` tree), and describes each type
//! for the OpenAPI documents with `utoipa`.
//!
//! Depends on `relais-app` (what the use cases return), `relais-people`,
//! `relais-recruiting` and `relais-reports`. No I/O.
//!
//! # Example
//!
//! An employee as `GET /v1/company/employees/{id}` answers, showing the
//! attributes a credential may read:
//!
//! ```rust
//! use chrono::NaiveDate;
//! use relais_app::public_api::AttributeSelection;
//! use relais_people::StandardAttribute;
//! use relais_people::demo::{self, DemoSpec};
//! use relais_wire::v1::{Employee, Success};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let until = NaiveDate::from_ymd_opt(2026, 3, 31).ok_or("no such day")?;
//! let spec = DemoSpec { employees: 1, months: 0, seed: 1, until };
//! let employee = demo::employees(spec).next().ok_or("no employee")?.employee;
//! let selection = AttributeSelection {
//!     standard: vec![StandardAttribute::FirstName, StandardAttribute::LastName],
//!     custom: vec![],
//! };
//! let answer = serde_json::to_value(Success::new(Employee::new(&employee, &selection)))?;
//! assert_eq!(answer["data"]["type"], "Employee");
//! assert_eq!(answer["data"]["attributes"]["first_name"]["value"], employee.first_name.as_str());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod recruiting;
pub mod v1;
