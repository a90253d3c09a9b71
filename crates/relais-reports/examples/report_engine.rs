//! `report_engine`: Relais's custom-report engine over a host's own rows,
//! without a Relais database, server or HTTP stack.
//!
//! The host keeps its employees and its time tracking in its own database
//! (here: two in-memory lists). It maps its rows to the engine's
//! [`EmployeeData`], compiles the report "overtime of last month" (the
//! definition Relais ships as an example, in its JSON form) and writes the
//! rows as CSV.
//!
//! ```text
//! cargo run -p relais-reports --example report_engine
//! ```
//!
//! The crate's test `tests/report_engine_example.rs` runs [`overtime_csv`]
//! and checks the figures.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use relais_people::{Employee, EmployeeStatus, EmploymentType, Gender, OrgUnit, is_working_day};
use relais_reports::{CellValue, EmployeeData, Plan, ReportDefinition, ReportRow, column_catalog};

/// An employee as the host's HR database has it.
#[derive(Debug, Clone)]
pub struct HostEmployee {
    /// The host's id.
    pub id: i64,
    /// Given name.
    pub first_name: &'static str,
    /// Family name.
    pub last_name: &'static str,
    /// Department.
    pub department: &'static str,
    /// Contractual hours a week.
    pub weekly_hours: f64,
    /// First day.
    pub hired: NaiveDate,
}

/// One worked shift in the host's time tracking.
#[derive(Debug, Clone, Copy)]
pub struct Shift {
    /// Whose (the host's employee id).
    pub employee: i64,
    /// The day.
    pub day: NaiveDate,
    /// Minutes worked, breaks taken off.
    pub minutes: i64,
}

/// The report, as Relais ships it (`fixtures/reports.json`), shortened.
const OVERTIME_LAST_MONTH: &str = r#"{
    "name": "Overtime — last month",
    "type": "timeframe",
    "period": {"type": "relative", "period": "last_month"},
    "columns": ["first_name", "last_name", "department", "weekly_working_hours",
                "attendance_worked_hours", "attendance_contractual_target_hours",
                "attendance_overtime_hours"]
}"#;

/// The host's rows: three people who worked every working day of the
/// month before `today`: Ana 8.5 hours on a 40-hour week, Ben 6 on a
/// 30-hour week, Carla 7 on a 40-hour week.
#[must_use]
pub fn host_rows(today: NaiveDate) -> (Vec<HostEmployee>, Vec<Shift>) {
    let hired = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(today);
    let people = vec![
        HostEmployee {
            id: 1,
            first_name: "Ana",
            last_name: "Alves",
            department: "Sales",
            weekly_hours: 40.0,
            hired,
        },
        HostEmployee {
            id: 2,
            first_name: "Ben",
            last_name: "Berg",
            department: "Sales",
            weekly_hours: 30.0,
            hired,
        },
        HostEmployee {
            id: 3,
            first_name: "Carla",
            last_name: "Costa",
            department: "Support",
            weekly_hours: 40.0,
            hired,
        },
    ];
    let (first, last) = last_month(today);
    let mut shifts = Vec::new();
    let mut day = first;
    while day <= last {
        if is_working_day(day) {
            for (employee, minutes) in [(1, 510), (2, 360), (3, 420)] {
                shifts.push(Shift {
                    employee,
                    day,
                    minutes,
                });
            }
        }
        day += Duration::days(1);
    }
    (people, shifts)
}

/// The first and last day of the month before `today`.
#[must_use]
pub fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_this = today.with_day(1).unwrap_or(today);
    let last = first_this - Duration::days(1);
    (last.with_day(1).unwrap_or(last), last)
}

/// A host row as the engine's employee record.
fn employee(row: &HostEmployee) -> Employee {
    let now = Utc::now();
    Employee {
        id: row.id,
        first_name: row.first_name.to_owned(),
        last_name: row.last_name.to_owned(),
        preferred_name: None,
        email: format!("{}@acme.example", row.first_name.to_lowercase()),
        gender: Gender::Diverse,
        status: EmployeeStatus::Active,
        position: String::new(),
        department: Some(OrgUnit {
            id: 1,
            name: row.department.to_owned(),
        }),
        office: None,
        team: None,
        supervisor_id: None,
        hire_date: row.hired,
        termination_date: None,
        weekly_working_hours: row.weekly_hours,
        employment_type: EmploymentType::Internal,
        cost_centers: Vec::new(),
        custom: BTreeMap::new(),
        external_id: None,
        profile_picture: false,
        created_at: now,
        last_modified_at: now,
    }
}

/// A cell as CSV text.
fn text(value: &CellValue) -> String {
    match value {
        CellValue::Text(text) => text.clone().unwrap_or_default(),
        CellValue::Entity { name, id } => name
            .clone()
            .or_else(|| id.map(|i| i.to_string()))
            .unwrap_or_default(),
        CellValue::CostCenters(list) => list
            .iter()
            .map(|(_, name, weight)| format!("{name} ({weight}%)"))
            .collect::<Vec<_>>()
            .join("; "),
        CellValue::Duration(hours) => format!("{hours:.2}"),
        CellValue::AbsenceOverview { days, .. } => format!("{days}"),
    }
}

/// Computes "overtime of last month" as of `today` over the host's rows
/// and writes it as CSV (a header of column ids, then one line per
/// employee) to `out`; returns the number of rows.
///
/// # Errors
/// When the definition does not compile or `out` cannot be written.
pub fn overtime_csv(
    employees: &[HostEmployee],
    shifts: &[Shift],
    today: NaiveDate,
    out: impl std::io::Write,
) -> Result<usize, Box<dyn std::error::Error>> {
    let definition: ReportDefinition = serde_json::from_str(OVERTIME_LAST_MONTH)?;
    // No custom attributes and no absence types in this host's data.
    let catalog = column_catalog(&[], &[]);
    let plan = Plan::compile(&definition, &catalog, today)?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(plan.columns().iter().map(|c| c.attribute_id.as_str()))?;
    let mut rows = 0;
    for row in employees {
        let record = employee(row);
        // The sum a database would compute: minutes worked in the period.
        let worked_minutes = shifts
            .iter()
            .filter(|s| s.employee == row.id && (plan.start..=plan.end).contains(&s.day))
            .map(|s| s.minutes)
            .sum();
        let data = EmployeeData {
            employee: &record,
            history: &[],
            worked_minutes,
            absences: &[],
        };
        if let Some(ReportRow::Attributes { cells, .. }) = plan.evaluate(&data) {
            csv.write_record(cells.iter().map(|c| text(&c.value)))?;
            rows += 1;
        }
    }
    csv.flush()?;
    Ok(rows)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let today = Utc::now().date_naive();
    let (employees, shifts) = host_rows(today);
    let rows = overtime_csv(&employees, &shifts, today, std::io::stdout().lock())?;
    eprintln!("{rows} rows");
    Ok(())
}
