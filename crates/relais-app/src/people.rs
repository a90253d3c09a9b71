//! Filling a company with demo people data.

use std::time::{Duration, Instant};

use relais_access::Company;
use relais_people::demo::{self, DemoSpec};
use relais_store::{EmployeeFilter, PeopleReference, Window};
use serde::Serialize;

use crate::{App, AppError, ErrorKind};

/// Employees written per transaction: large enough to amortise the commit,
/// small enough to keep a writer's lock short (≈ 250 × 500 rows).
const BATCH: usize = 250;

/// What a demo generation wrote.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    /// Employees.
    pub employees: u64,
    /// Attendances.
    pub attendances: u64,
    /// Time-offs (day absences).
    pub time_offs: u64,
    /// Absence periods (hour absences).
    pub absence_periods: u64,
    /// Effective-dated attribute values.
    pub history_entries: u64,
    /// Wall time.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl App {
    /// Fills `company` with a deterministic demo workforce. Refuses a
    /// company that has employees unless `replace` is set, in which case
    /// its people data is deleted first. `progress` is told how many
    /// employees are written so far.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when the company has employees and `replace` is off;
    /// [`ErrorKind::Invalid`] for zero employees or months.
    pub fn generate_demo(
        &self,
        company: &Company,
        spec: DemoSpec,
        replace: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<DemoSummary, AppError> {
        if spec.employees == 0 || spec.months == 0 {
            return Err(AppError::invalid(
                "employees and months must be at least 1".into(),
            ));
        }
        if spec.months > 120 {
            return Err(AppError::invalid("months must be at most 120".into()));
        }
        let existing = self
            .store
            .employees(
                company.id,
                &EmployeeFilter::default(),
                Window {
                    offset: 0,
                    limit: 1,
                },
            )?
            .total;
        if existing > 0 && !replace {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!(
                    "{} has {existing} employees already; pass --replace to delete its people data and generate anew",
                    company.slug
                ),
            ));
        }
        let started = Instant::now();
        self.store.clear_people(company.id)?;
        let reference = demo::company();
        self.store.replace_people_reference(
            company.id,
            &PeopleReference {
                time_off_types: reference.time_off_types,
                document_categories: reference.document_categories,
                custom_attributes: reference.custom_attributes,
                projects: reference.projects,
            },
        )?;
        let mut summary = DemoSummary {
            employees: 0,
            attendances: 0,
            time_offs: 0,
            absence_periods: 0,
            history_entries: 0,
            elapsed: Duration::ZERO,
        };
        let mut batch = Vec::with_capacity(BATCH);
        let mut employees = demo::employees(spec).peekable();
        while let Some(records) = employees.next() {
            summary.employees += 1;
            summary.attendances += records.attendances.len() as u64;
            summary.time_offs += records.time_offs.len() as u64;
            summary.absence_periods += records.absence_periods.len() as u64;
            summary.history_entries += records.history.len() as u64;
            batch.push(records);
            if batch.len() == BATCH || employees.peek().is_none() {
                self.store.insert_employees(company.id, &batch)?;
                batch.clear();
                progress(summary.employees);
            }
        }
        summary.elapsed = started.elapsed();
        self.install_example_reports(company)?;
        tracing::info!(company = %company.slug, employees = summary.employees, attendances = summary.attendances, "demo data generated");
        Ok(summary)
    }
}
