//! Compiling a report into a plan and evaluating it employee by employee.

use chrono::NaiveDate;
use relais_people::{
    Attendance, AttributeChange, Employee, EmployeeId, StandardAttribute, TimeOff, TimeOffStatus,
    is_working_day, value_at,
};
use serde_json::Value;

use crate::{Column, ColumnKind, Comparison, Filter, ReportDefinition, ReportError, ReportKind};

/// What the engine needs to know about one employee.
#[derive(Debug, Clone, Copy)]
pub struct EmployeeData<'a> {
    /// The employee's current record.
    pub employee: &'a Employee,
    /// The employee's effective-dated changes (any order).
    pub history: &'a [AttributeChange],
    /// Minutes worked in the report's period (summed by the database).
    pub worked_minutes: i64,
    /// The employee's day absences overlapping the period.
    pub absences: &'a [TimeOff],
}

/// One value of a report row.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Text, or nothing.
    Text(Option<String>),
    /// A referenced record.
    Entity {
        /// Its id.
        id: Option<i64>,
        /// Its name.
        name: Option<String>,
    },
    /// Cost centres: id, name, weight in percent.
    CostCenters(Vec<(i64, String, u64)>),
    /// Hours.
    Duration(f64),
    /// Absence days and hours in the period.
    AbsenceOverview {
        /// Days.
        days: f64,
        /// Hours.
        hours: f64,
    },
}

/// One column's value for one employee.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The column id.
    pub attribute_id: String,
    /// The value.
    pub value: CellValue,
}

/// One row of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportRow {
    /// Point-in-time and timeframe reports: one value per column.
    Attributes {
        /// Whose.
        employee_id: EmployeeId,
        /// Values, in column order.
        cells: Vec<Cell>,
    },
    /// Historical reports: every value a column had in the period, with the day it took effect.
    History {
        /// Whose.
        employee_id: EmployeeId,
        /// Values with their effective dates, by column then date.
        cells: Vec<(Cell, NaiveDate)>,
    },
}

impl ReportRow {
    /// Whose row.
    #[must_use]
    pub fn employee_id(&self) -> EmployeeId {
        match self {
            Self::Attributes { employee_id, .. } | Self::History { employee_id, .. } => {
                *employee_id
            }
        }
    }
}

/// A report compiled against a company's columns and resolved to dates.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Kind.
    pub kind: ReportKind,
    /// First day of the period.
    pub start: NaiveDate,
    /// Last day (point in time: the day).
    pub end: NaiveDate,
    columns: Vec<Column>,
    filters: Vec<(Column, Filter)>,
}

/// The value of an attribute on `day`: its effective-dated value, or the
/// current one for attributes without history.
fn wire_value(data: &EmployeeData<'_>, key: &str, day: NaiveDate) -> Value {
    if let Some(v) = value_at(data.history, key, day) {
        return v.clone();
    }
    match StandardAttribute::from_key(key) {
        Some(a) => a.value(data.employee),
        None => data
            .employee
            .custom
            .get(key)
            .map_or(Value::Null, |v| Value::String(v.clone())),
    }
}

fn to_cell_value(column: &Column, wire: &Value) -> CellValue {
    match column.data_type {
        crate::DataType::Entity => {
            let attributes = &wire["attributes"];
            let id = attributes["id"]
                .as_i64()
                .or_else(|| attributes["id"]["value"].as_i64());
            let name = attributes["name"].as_str().map(str::to_owned);
            CellValue::Entity {
                id,
                name: name.or_else(|| id.map(|i| i.to_string())),
            }
        }
        crate::DataType::CostCenter => CellValue::CostCenters(
            wire.as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    let a = &c["attributes"];
                    (
                        a["id"].as_i64().unwrap_or(0),
                        a["name"].as_str().unwrap_or("").to_owned(),
                        a["percentage"].as_u64().unwrap_or(100),
                    )
                })
                .collect(),
        ),
        _ => CellValue::Text(match wire {
            Value::Null => None,
            Value::String(s) => Some(
                s.get(..10)
                    .filter(|_| is_wire_date(s))
                    .unwrap_or(s)
                    .to_owned(),
            ),
            other => Some(other.to_string()),
        }),
    }
}

/// Dates come as `YYYY-MM-DDT00:00:00+00:00` on the wire; reports show the day.
fn is_wire_date(s: &str) -> bool {
    s.len() == 25
        && s.as_bytes().get(10) == Some(&b'T')
        && s.get(..10).is_some_and(|d| d.parse::<NaiveDate>().is_ok())
}

fn filter_text(value: &CellValue) -> Vec<String> {
    match value {
        CellValue::Text(t) => t.iter().cloned().collect(),
        CellValue::Entity { id, name } => id
            .map(|i| i.to_string())
            .into_iter()
            .chain(name.clone())
            .collect(),
        CellValue::CostCenters(list) => list
            .iter()
            .flat_map(|(id, name, _)| [id.to_string(), name.clone()])
            .collect(),
        CellValue::Duration(h) => vec![h.to_string()],
        CellValue::AbsenceOverview { days, .. } => vec![days.to_string()],
    }
}

fn matches(filter: &Filter, texts: &[String]) -> bool {
    let v = &filter.value;
    match filter.comparison {
        Comparison::Eq => texts.iter().any(|t| t.eq_ignore_ascii_case(v)),
        Comparison::Ne => !texts.iter().any(|t| t.eq_ignore_ascii_case(v)),
        Comparison::In => v
            .split(',')
            .map(str::trim)
            .any(|x| texts.iter().any(|t| t.eq_ignore_ascii_case(x))),
        Comparison::Lt => texts.first().is_some_and(|t| t.as_str() < v.as_str()),
        Comparison::Gt => texts.first().is_some_and(|t| t.as_str() > v.as_str()),
        Comparison::Contains => texts
            .iter()
            .any(|t| t.to_lowercase().contains(&v.to_lowercase())),
    }
}

/// Contractual minutes of one day: a working day within the employment
/// counts the weekly hours in force that day ÷ 5, less the part of the day
/// spent on an approved absence (absences are credited, not overtime).
#[must_use]
pub fn contractual_minutes_on(day: NaiveDate, data: &EmployeeData<'_>) -> f64 {
    let e = data.employee;
    if day < e.hire_date || e.termination_date.is_some_and(|t| day > t) || !is_working_day(day) {
        return 0.0;
    }
    let weekly = value_at(data.history, "weekly_working_hours", day)
        .and_then(|v| {
            v.as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .or_else(|| v.as_f64())
        })
        .unwrap_or(e.weekly_working_hours);
    let absent: f64 = data
        .absences
        .iter()
        .map(|a| absent_fraction(a, day))
        .sum::<f64>()
        .min(1.0);
    weekly * 60.0 / 5.0 * (1.0 - absent)
}

/// How much of `day` an approved absence takes: 1, ½ on a half day, else 0.
fn absent_fraction(a: &TimeOff, day: NaiveDate) -> f64 {
    if a.status != TimeOffStatus::Approved
        || day < a.start_date
        || day > a.end_date
        || !is_working_day(day)
    {
        return 0.0;
    }
    if (day == a.start_date && a.half_day_start) || (day == a.end_date && a.half_day_end) {
        0.5
    } else {
        1.0
    }
}

/// Minutes worked in a list of attendances (the database sums the same).
#[must_use]
pub fn worked_minutes(attendances: &[Attendance]) -> i64 {
    attendances.iter().map(Attendance::worked_minutes).sum()
}

fn days(start: NaiveDate, end: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    start.iter_days().take_while(move |d| *d <= end)
}

impl Plan {
    /// Compiles a definition against the company's columns, resolving its
    /// period on `today`.
    ///
    /// # Errors
    /// [`ReportError::Invalid`] for a definition that breaks rules.
    pub fn compile(
        definition: &ReportDefinition,
        catalog: &[Column],
        today: NaiveDate,
    ) -> Result<Self, ReportError> {
        definition.validate(catalog)?;
        let find = |id: &str| catalog.iter().find(|c| c.attribute_id == id).cloned();
        let (start, end) = definition.period.resolve(today);
        Ok(Self {
            kind: definition.kind,
            start: if definition.kind == ReportKind::PointInTime {
                end
            } else {
                start
            },
            end,
            columns: definition
                .columns
                .iter()
                .filter_map(|id| find(id))
                .collect(),
            filters: definition
                .filters
                .iter()
                .filter_map(|f| find(&f.column).map(|c| (c, f.clone())))
                .collect(),
        })
    }

    /// The columns, in order.
    #[must_use]
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Whether the report needs attendance sums and absences (timeframe aggregates).
    #[must_use]
    pub fn needs_aggregates(&self) -> bool {
        self.columns.iter().any(|c| c.kind.is_aggregate())
    }

    /// The day attribute values and filters are read on: the period's end,
    /// or a leaver's last day.
    fn reference_day(&self, e: &Employee) -> NaiveDate {
        e.termination_date.map_or(self.end, |t| t.min(self.end))
    }

    /// Evaluates one employee: `None` when the employee is outside the
    /// report (not employed in the period, or filtered out).
    #[must_use]
    pub fn evaluate(&self, data: &EmployeeData<'_>) -> Option<ReportRow> {
        let e = data.employee;
        let employed =
            e.hire_date <= self.end && e.termination_date.is_none_or(|t| t >= self.start);
        if !employed {
            return None;
        }
        let day = self.reference_day(e);
        for (column, filter) in &self.filters {
            let value = to_cell_value(column, &wire_value(data, &column.attribute_id, day));
            if !matches(filter, &filter_text(&value)) {
                return None;
            }
        }
        if self.kind == ReportKind::HistoricalData {
            return Some(self.history_row(data));
        }
        let cells = self
            .columns
            .iter()
            .map(|c| Cell {
                attribute_id: c.attribute_id.clone(),
                value: self.cell(c, data, day),
            })
            .collect();
        Some(ReportRow::Attributes {
            employee_id: e.id,
            cells,
        })
    }

    fn cell(&self, column: &Column, data: &EmployeeData<'_>, day: NaiveDate) -> CellValue {
        let hours = |minutes: f64| (minutes / 60.0 * 100.0).round() / 100.0;
        match &column.kind {
            ColumnKind::Standard(_) | ColumnKind::Custom(_) => {
                to_cell_value(column, &wire_value(data, &column.attribute_id, day))
            }
            ColumnKind::WorkedHours => CellValue::Duration(hours(data.worked_minutes as f64)),
            ColumnKind::ContractualHours => {
                CellValue::Duration(hours(self.contractual_minutes(data)))
            }
            ColumnKind::OvertimeHours => CellValue::Duration(hours(
                data.worked_minutes as f64 - self.contractual_minutes(data),
            )),
            ColumnKind::AbsenceDays(type_id) => {
                let (days, minutes) = self.absence(data, *type_id);
                CellValue::AbsenceOverview {
                    days,
                    hours: hours(minutes),
                }
            }
        }
    }

    /// Contractual minutes of the period: the sum of its days.
    #[must_use]
    pub fn contractual_minutes(&self, data: &EmployeeData<'_>) -> f64 {
        days(self.start, self.end)
            .map(|d| contractual_minutes_on(d, data))
            .sum()
    }

    /// Days and minutes of one absence type in the period: the sum of its days.
    #[must_use]
    pub fn absence(&self, data: &EmployeeData<'_>, type_id: i64) -> (f64, f64) {
        let weekly = data.employee.weekly_working_hours;
        days(self.start, self.end)
            .map(|d| {
                data.absences
                    .iter()
                    .filter(|a| a.time_off_type_id == type_id)
                    .map(|a| absent_fraction(a, d))
                    .sum::<f64>()
                    .min(1.0)
            })
            .fold((0.0, 0.0), |(days, minutes), f| {
                (days + f, minutes + f * weekly * 60.0 / 5.0)
            })
    }

    fn history_row(&self, data: &EmployeeData<'_>) -> ReportRow {
        let e = data.employee;
        let first = self.start.max(e.hire_date);
        let mut cells = Vec::new();
        for column in &self.columns {
            let key = &column.attribute_id;
            let mut changes: Vec<NaiveDate> = data
                .history
                .iter()
                .filter(|c| {
                    &c.attribute == key && c.effective_from > first && c.effective_from <= self.end
                })
                .map(|c| c.effective_from)
                .collect();
            changes.sort_unstable();
            changes.dedup();
            for day in std::iter::once(first).chain(changes) {
                cells.push((
                    Cell {
                        attribute_id: key.clone(),
                        value: to_cell_value(column, &wire_value(data, key, day)),
                    },
                    day,
                ));
            }
        }
        ReportRow::History {
            employee_id: e.id,
            cells,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Period, column_catalog};
    use chrono::Days;
    use proptest::prelude::*;
    use relais_people::demo;

    fn spec() -> demo::DemoSpec {
        demo::DemoSpec {
            employees: 40,
            months: 6,
            seed: 5,
            until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        }
    }

    fn definition(
        kind: ReportKind,
        columns: &[&str],
        start: NaiveDate,
        end: NaiveDate,
    ) -> ReportDefinition {
        serde_json::from_value(serde_json::json!({
            "name": "t", "type": kind, "period": {"type": "fixed", "start": start, "end": end},
            "columns": columns,
        }))
        .unwrap()
    }

    fn catalog() -> Vec<Column> {
        let company = demo::company();
        column_catalog(&company.custom_attributes, &company.time_off_types)
    }

    fn data(
        r: &relais_people::EmployeeRecords,
        start: NaiveDate,
        end: NaiveDate,
    ) -> (i64, Vec<TimeOff>) {
        let worked: Vec<_> = r
            .attendances
            .iter()
            .filter(|a| a.date >= start && a.date <= end)
            .cloned()
            .collect();
        (
            worked_minutes(&worked),
            r.time_offs
                .iter()
                .filter(|t| t.end_date >= start && t.start_date <= end)
                .cloned()
                .collect(),
        )
    }

    #[test]
    fn an_unknown_or_misplaced_column_is_refused() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let bad = definition(
            ReportKind::PointInTime,
            &["first_name", "attendance_overtime_hours", "salary"],
            d("2026-01-01"),
            d("2026-01-31"),
        );
        let err = Plan::compile(&bad, &catalog(), d("2026-11-01"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'salary' is not a known column"), "{err}");
        assert!(err.contains("needs a timeframe report"), "{err}");
    }

    #[test]
    fn overtime_is_worked_minus_contractual_and_filters_apply() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let (start, end) = (d("2026-09-01"), d("2026-09-30"));
        let mut def = definition(
            ReportKind::Timeframe,
            &[
                "department",
                "attendance_worked_hours",
                "attendance_contractual_target_hours",
                "attendance_overtime_hours",
            ],
            start,
            end,
        );
        def.filters.push(Filter {
            column: "department".into(),
            comparison: Comparison::Eq,
            value: "Engineering".into(),
        });
        let plan = Plan::compile(&def, &catalog(), d("2026-11-01")).unwrap();
        let records: Vec<_> = demo::employees(spec()).collect();
        let mut rows = 0;
        for r in &records {
            let (worked, absences) = data(r, start, end);
            let input = EmployeeData {
                employee: &r.employee,
                history: &r.history,
                worked_minutes: worked,
                absences: &absences,
            };
            let Some(ReportRow::Attributes { cells, .. }) = plan.evaluate(&input) else {
                continue;
            };
            rows += 1;
            assert!(
                matches!(&cells[0].value, CellValue::Entity { name: Some(n), .. } if n == "Engineering")
            );
            let [
                CellValue::Duration(w),
                CellValue::Duration(c),
                CellValue::Duration(o),
            ] = [&cells[1].value, &cells[2].value, &cells[3].value]
            else {
                panic!()
            };
            assert!((w - c - o).abs() < 0.02, "{w} - {c} != {o}");
        }
        assert!(rows > 0);
    }

    #[test]
    fn point_in_time_leaves_out_people_not_employed_that_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let day = d("2026-06-15");
        let def = definition(ReportKind::PointInTime, &["first_name", "status"], day, day);
        let plan = Plan::compile(&def, &catalog(), d("2026-11-01")).unwrap();
        for r in demo::employees(spec()) {
            let input = EmployeeData {
                employee: &r.employee,
                history: &r.history,
                worked_minutes: 0,
                absences: &[],
            };
            let employed =
                r.employee.hire_date <= day && r.employee.termination_date.is_none_or(|t| t >= day);
            assert_eq!(plan.evaluate(&input).is_some(), employed);
        }
    }

    fn arb_period() -> impl Strategy<Value = (NaiveDate, NaiveDate)> {
        (0_u64..170, 0_u64..40).prop_map(|(from, len)| {
            let start = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap() + Days::new(from);
            (start, start + Days::new(len))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// A timeframe aggregate equals the sum of its per-day parts.
        #[test]
        fn a_timeframe_aggregate_is_the_sum_of_its_days((start, end) in arb_period(), employee in 0_usize..40) {
            let records: Vec<_> = demo::employees(spec()).collect();
            let r = &records[employee];
            let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
            let columns = ["attendance_worked_hours", "attendance_contractual_target_hours", "absence_1", "absence_2"];
            let plan = Plan::compile(&definition(ReportKind::Timeframe, &columns, start, end), &catalog(), today).unwrap();
            let (worked, absences) = data(r, start, end);
            let whole = EmployeeData { employee: &r.employee, history: &r.history, worked_minutes: worked, absences: &absences };
            let (mut worked_days, mut contractual_days, mut vacation_days, mut sick_days) = (0, 0.0, 0.0, 0.0);
            for day in days(start, end) {
                let plan = Plan::compile(&definition(ReportKind::Timeframe, &columns, day, day), &catalog(), today).unwrap();
                let (w, a) = data(r, day, day);
                let one = EmployeeData { employee: &r.employee, history: &r.history, worked_minutes: w, absences: &a };
                worked_days += w;
                contractual_days += plan.contractual_minutes(&one);
                vacation_days += plan.absence(&one, 1).0;
                sick_days += plan.absence(&one, 2).0;
            }
            prop_assert_eq!(worked, worked_days);
            prop_assert!((plan.contractual_minutes(&whole) - contractual_days).abs() < 1e-6);
            prop_assert!((plan.absence(&whole, 1).0 - vacation_days).abs() < 1e-9);
            prop_assert!((plan.absence(&whole, 2).0 - sick_days).abs() < 1e-9);
        }

        /// A point-in-time value is the last effective-dated value on or before the day.
        #[test]
        fn a_point_in_time_value_is_the_last_change_on_or_before_the_day(offset in 0_u64..183, employee in 0_usize..40) {
            let records: Vec<_> = demo::employees(spec()).collect();
            let r = &records[employee];
            let day = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap() + Days::new(offset);
            let plan = Plan::compile(&definition(ReportKind::PointInTime, &["department", "position"], day, day), &catalog(), day).unwrap();
            let input = EmployeeData { employee: &r.employee, history: &r.history, worked_minutes: 0, absences: &[] };
            if let Some(ReportRow::Attributes { cells, .. }) = plan.evaluate(&input) {
                let expected_department = r.history.iter().filter(|c| c.attribute == "department" && c.effective_from <= day).max_by_key(|c| c.effective_from).unwrap();
                let CellValue::Entity { id, .. } = &cells[0].value else { panic!() };
                prop_assert_eq!(*id, expected_department.value["attributes"]["id"].as_i64());
                let expected_position = r.history.iter().filter(|c| c.attribute == "position" && c.effective_from <= day).max_by_key(|c| c.effective_from).unwrap();
                prop_assert_eq!(&cells[1].value, &CellValue::Text(expected_position.value.as_str().map(str::to_owned)));
            }
        }
    }

    #[test]
    fn absence_days_agree_with_the_days_count_of_the_absences() {
        // Over the whole window, a report counts exactly the days the
        // time-offs say they take.
        let (start, end) = (
            spec().window_start() - Days::new(400),
            spec().until + Days::new(400),
        );
        let plan = Plan::compile(
            &definition(
                ReportKind::Timeframe,
                &["absence_1", "absence_2"],
                start,
                end,
            ),
            &catalog(),
            end,
        )
        .unwrap();
        for r in demo::employees(spec()) {
            let approved: Vec<_> = r
                .time_offs
                .iter()
                .filter(|t| t.status == TimeOffStatus::Approved)
                .cloned()
                .collect();
            let input = EmployeeData {
                employee: &r.employee,
                history: &r.history,
                worked_minutes: 0,
                absences: &approved,
            };
            for type_id in [1, 2] {
                let expected: f64 = approved
                    .iter()
                    .filter(|t| t.time_off_type_id == type_id)
                    .map(|t| t.days_count)
                    .sum();
                assert!(
                    (plan.absence(&input, type_id).0 - expected).abs() < 1e-9,
                    "employee {} type {type_id}",
                    r.employee.id
                );
            }
        }
    }

    #[test]
    fn a_historical_row_starts_with_the_value_at_the_start_then_every_change() {
        let records: Vec<_> = demo::employees(spec()).collect();
        let mover = records
            .iter()
            .find(|r| {
                r.history
                    .iter()
                    .filter(|c| c.attribute == "department")
                    .count()
                    > 1
            })
            .expect("a mover");
        let (start, end) = (spec().window_start(), spec().until);
        let plan = Plan::compile(
            &definition(ReportKind::HistoricalData, &["department"], start, end),
            &catalog(),
            end,
        )
        .unwrap();
        let input = EmployeeData {
            employee: &mover.employee,
            history: &mover.history,
            worked_minutes: 0,
            absences: &[],
        };
        let Some(ReportRow::History { cells, .. }) = plan.evaluate(&input) else {
            panic!()
        };
        assert_eq!(cells.len(), 2, "{cells:?}");
        assert_eq!(cells[0].1, start.max(mover.employee.hire_date));
        assert!(cells[1].1 > cells[0].1);
        let _ = Period::Fixed { start, end };
    }
}
