//! The custom-report engine.
//!
//! A report definition (kind, period, columns, filters) is compiled once
//! into a [`Plan`] against the column catalogue, then evaluated over one
//! company's people data: *point in time* (values as of a day), *historical
//! data* (every effective-dated change in a period) or *timeframe*
//! (aggregates over a period: worked, contractual and overtime hours,
//! absence days per type).
//!
//! Pure: the caller fetches the data (aggregating attendances in the
//! database, so a company's attendance history is never loaded whole) and
//! renders the rows.
//!
//! Depends on `relais-people` (the data a report reads).
//!
//! # Example
//!
//! Last month's overtime, over a demo company's employees:
//!
//! ```rust
//! use chrono::NaiveDate;
//! use relais_people::demo::{self, DemoSpec};
//! use relais_reports::{EmployeeData, Plan, ReportDefinition, column_catalog, worked_minutes};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let definition: ReportDefinition = serde_json::from_value(serde_json::json!({
//!     "name": "Overtime last month",
//!     "type": "timeframe",
//!     "period": {"type": "relative", "period": "last_month"},
//!     "columns": ["first_name", "last_name", "attendance_overtime_hours"],
//! }))?;
//! let today = NaiveDate::from_ymd_opt(2026, 4, 15).ok_or("no such day")?;
//! let company = demo::company();
//! let columns = column_catalog(&company.custom_attributes, &company.time_off_types);
//! let plan = Plan::compile(&definition, &columns, today)?;
//! assert_eq!(plan.start, NaiveDate::from_ymd_opt(2026, 3, 1).ok_or("no such day")?);
//!
//! let spec = DemoSpec { employees: 5, months: 2, seed: 1, until: today };
//! let mut rows = Vec::new();
//! for records in demo::employees(spec) {
//!     // The caller sums the period's attendances (a database does it in SQL).
//!     let in_period: Vec<_> = records
//!         .attendances
//!         .iter()
//!         .filter(|a| (plan.start..=plan.end).contains(&a.date))
//!         .cloned()
//!         .collect();
//!     let data = EmployeeData {
//!         employee: &records.employee,
//!         history: &records.history,
//!         worked_minutes: worked_minutes(&in_period),
//!         absences: &records.time_offs,
//!     };
//!     rows.extend(plan.evaluate(&data));
//! }
//! assert!(!rows.is_empty());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod columns;
mod definition;
mod evaluate;
mod period;

pub use columns::{Column, ColumnKind, DataType, Locale, column_catalog};
pub use definition::{
    Comparison, Filter, MAX_PERIOD_DAYS, ReportDefinition, ReportError, ReportKind, ReportStatus,
};
pub use evaluate::{
    Cell, CellValue, EmployeeData, Plan, ReportRow, contractual_minutes_on, worked_minutes,
};
pub use period::{Period, RelativePeriod};
