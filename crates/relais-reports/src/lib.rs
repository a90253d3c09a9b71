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
