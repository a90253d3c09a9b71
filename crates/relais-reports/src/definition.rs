use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Column, Period};

/// The three kinds of custom report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Values as of one day (the period's last day).
    PointInTime,
    /// Every effective-dated change in the period.
    HistoricalData,
    /// Aggregates over the period.
    Timeframe,
}

/// Whether a report's data is fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Computed from current data.
    UpToDate,
    /// Being computed.
    Updating,
    /// The last computation failed.
    UpdateFailed,
}

/// How a filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// One of a comma-separated list.
    In,
    /// Less than (text order; dates as YYYY-MM-DD).
    Lt,
    /// Greater than.
    Gt,
    /// Contains (case-insensitive).
    Contains,
}

/// A filter on an attribute column: which employees the report holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// An attribute column id (`department`, `status`, `hire_date`, …).
    pub column: String,
    /// How to compare.
    pub comparison: Comparison,
    /// The value compared with: the attribute's text (entities: name or id).
    pub value: String,
}

/// A custom report's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Headcount by department",
    "type": "point_in_time",
    "period": {"type": "relative", "period": "today"},
    "columns": ["first_name", "last_name", "department"],
    "filters": [{"column": "status", "comparison": "eq", "value": "active"}]
})))]
#[serde(deny_unknown_fields)]
pub struct ReportDefinition {
    /// Id.
    #[serde(default = "Uuid::now_v7")]
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Author's first name.
    #[serde(default)]
    pub author_first_name: String,
    /// Author's last name.
    #[serde(default)]
    pub author_last_name: String,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: ReportKind,
    /// Period.
    pub period: Period,
    /// Column ids, in order.
    pub columns: Vec<String>,
    /// Filters, all of which must hold.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Created.
    #[serde(default = "Utc::now")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(default = "Utc::now")]
    pub updated_at: DateTime<Utc>,
}

/// The longest period a report may span, in days: ten years. Computing a
/// report costs time per day of its period, so the period is bounded; the
/// longest relative period is 24 months.
pub const MAX_PERIOD_DAYS: i64 = 3_660;

/// Why a report definition or request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The definition breaks rules; every problem is listed.
    #[error("invalid report: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

impl ReportDefinition {
    /// Checks the definition against the company's column catalogue.
    ///
    /// # Errors
    /// [`ReportError::Invalid`] listing every problem.
    pub fn validate(&self, catalog: &[Column]) -> Result<(), ReportError> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            problems.push("name: 1 to 200 characters".to_owned());
        }
        if self.columns.is_empty() {
            problems.push("columns: at least one".to_owned());
        }
        let mut seen = HashSet::new();
        for id in &self.columns {
            if !seen.insert(id) {
                problems.push(format!("columns: '{id}' is listed twice"));
            }
            match catalog.iter().find(|c| &c.attribute_id == id) {
                None => problems.push(format!(
                    "columns: '{id}' is not a known column (see the column catalogue)"
                )),
                Some(c) if c.kind.is_aggregate() && self.kind != ReportKind::Timeframe => {
                    problems.push(format!(
                        "columns: '{id}' is an aggregate over a period; it needs a timeframe report"
                    ));
                }
                Some(_) => {}
            }
        }
        for f in &self.filters {
            match catalog.iter().find(|c| c.attribute_id == f.column) {
                Some(c) if !c.kind.is_aggregate() => {}
                _ => problems.push(format!(
                    "filters: '{}' is not an attribute column",
                    f.column
                )),
            }
        }
        if let Period::Fixed { start, end } = self.period {
            let (first, last) = (
                NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN),
                NaiveDate::from_ymd_opt(2199, 12, 31).unwrap_or(NaiveDate::MAX),
            );
            if start > end {
                problems.push(format!("period: start {start} is after end {end}"));
            } else if start < first || end > last {
                problems.push(format!(
                    "period: {start} to {end} is outside the years 1900 to 2199"
                ));
            } else if (end - start).num_days() >= MAX_PERIOD_DAYS {
                problems.push(format!(
                    "period: {start} to {end} is longer than {MAX_PERIOD_DAYS} days (ten years), the longest period a report may span"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ReportError::Invalid(problems))
        }
    }
}
