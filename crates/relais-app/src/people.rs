//! Filling a company with demo people data.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use relais_access::Company;
use relais_people::Employee;
use relais_people::demo::{self, DemoSpec};
use relais_people::import::{ImportContext, ImportFormat, RowAction, RowOutcome, plan_import};
use relais_store::{
    DemoBegin, EmployeeFilter, EmployeeReplacement, Paged, PeopleReference, Window,
};
use serde::Serialize;

use crate::{App, AppError, Caller, ErrorKind};

/// Employees written per transaction: large enough to amortise the commit,
/// small enough to keep a writer's lock short (≈ 250 × 500 rows).
const BATCH: usize = 250;

/// What a demo generation wrote (in this run).
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
    /// Job applications (with their candidates and jobs).
    pub applications: u64,
    /// When an interrupted generation was resumed: the employees it had
    /// written (the counts above are of this run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed_from: Option<u64>,
    /// Wall time.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// The largest demo company generated: the figures in docs/performance.md
/// go to 10,000, and ten times that still fits a laptop's disk.
pub const DEMO_MAX_EMPLOYEES: u32 = 100_000;

/// The longest demo history: ten years.
pub const DEMO_MAX_MONTHS: u32 = 120;

/// The range of `until`: every date the generator derives from it (hire
/// dates years before, onboarding months after) stays a valid date.
fn until_range() -> std::ops::RangeInclusive<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
        ..=NaiveDate::from_ymd_opt(2999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Checks a demo spec before anything is written or deleted.
///
/// # Errors
/// [`ErrorKind::Invalid`] naming the option out of range.
pub fn check_demo_spec(spec: &DemoSpec) -> Result<(), AppError> {
    if !(1..=DEMO_MAX_EMPLOYEES).contains(&spec.employees) {
        return Err(AppError::invalid(format!(
            "employees: {} is not in 1..={DEMO_MAX_EMPLOYEES}",
            spec.employees
        )));
    }
    if !(1..=DEMO_MAX_MONTHS).contains(&spec.months) {
        return Err(AppError::invalid(format!(
            "months: {} is not in 1..={DEMO_MAX_MONTHS}",
            spec.months
        )));
    }
    let range = until_range();
    if !range.contains(&spec.until) {
        return Err(AppError::invalid(format!(
            "until: {} is not between {} and {}",
            spec.until,
            range.start(),
            range.end()
        )));
    }
    Ok(())
}

impl App {
    /// Fills `company` with a deterministic demo workforce.
    ///
    /// All or nothing, by resuming: the options are checked before anything
    /// is deleted; then, in one transaction, the company's people data is
    /// replaced by the reference data and the options are recorded; the
    /// employees follow in batches of whole employees; the record is removed
    /// at the end. An interrupted generation (Ctrl-C, kill, power loss) is
    /// resumed by running it again with the same options. A company that
    /// has employees is refused unless `replace` is set. `progress` is told
    /// how many employees are written so far.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when the company has employees, or an
    /// interrupted generation with other options, and `replace` is off;
    /// [`ErrorKind::Invalid`] for options out of range.
    pub fn generate_demo(
        &self,
        company: &Company,
        spec: DemoSpec,
        replace: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<DemoSummary, AppError> {
        check_demo_spec(&spec)?;
        let options = serde_json::to_string(&spec)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        let reference = demo::company();
        let reference = PeopleReference {
            time_off_types: reference.time_off_types,
            document_categories: reference.document_categories,
            custom_attributes: reference.custom_attributes,
            projects: reference.projects,
        };
        let started = Instant::now();
        let written = match self.store.begin_demo(
            company.id,
            &options,
            replace,
            &reference,
            Utc::now(),
        )? {
            DemoBegin::Started => 0,
            DemoBegin::Resumed { written } => written,
            DemoBegin::HasEmployees(existing) => {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    format!(
                        "{} has {existing} employees already; pass --replace to delete its people data and generate anew",
                        company.slug
                    ),
                ));
            }
            DemoBegin::OtherGeneration(pending) => {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    format!(
                        "{} has an interrupted demo generation with other options ({pending}); run it again with those options to finish it, or pass --replace to start anew",
                        company.slug
                    ),
                ));
            }
        };
        let mut summary = DemoSummary {
            employees: 0,
            attendances: 0,
            time_offs: 0,
            absence_periods: 0,
            history_entries: 0,
            applications: 0,
            resumed_from: (written > 0).then_some(written),
            elapsed: Duration::ZERO,
        };
        progress(written);
        let skip = usize::try_from(written).unwrap_or(usize::MAX);
        let mut batch = Vec::with_capacity(BATCH);
        let mut employees = demo::employees(spec).skip(skip).peekable();
        let mut done = written;
        while let Some(records) = employees.next() {
            summary.employees += 1;
            summary.attendances += records.attendances.len() as u64;
            summary.time_offs += records.time_offs.len() as u64;
            summary.absence_periods += records.absence_periods.len() as u64;
            summary.history_entries += records.history.len() as u64;
            batch.push(records);
            if batch.len() == BATCH || employees.peek().is_none() {
                self.store.insert_employees(company.id, &batch)?;
                done += batch.len() as u64;
                batch.clear();
                progress(done);
            }
        }
        self.install_example_reports(company)?;
        // Recruiting: a few hundred applications to a handful of jobs, as of
        // the demo's last day.
        let recruiting = relais_recruiting::demo::demo(
            spec.seed,
            spec.until.and_time(chrono::NaiveTime::MIN).and_utc() + chrono::Duration::hours(17),
            usize::try_from(spec.employees / 2)
                .unwrap_or(0)
                .clamp(200, 2_000),
        );
        self.store.replace_recruiting(company.id, &recruiting)?;
        summary.applications = recruiting.applications.len() as u64;
        self.store.finish_demo(company.id)?;
        summary.elapsed = started.elapsed();
        tracing::info!(company = %company.slug, employees = summary.employees, attendances = summary.attendances, resumed_from = written, "demo data generated");
        Ok(summary)
    }

    /// The options of the company's interrupted demo generation, if any.
    ///
    /// # Errors
    /// [`AppError`] when the database fails or the record is unreadable.
    pub fn pending_demo(&self, company: &Company) -> Result<Option<DemoSpec>, AppError> {
        self.store
            .pending_demo(company.id)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|e| {
                    AppError::new(
                        ErrorKind::Internal,
                        format!("unreadable demo generation record '{text}': {e}"),
                    )
                })
            })
            .transpose()
    }
}

/// What an employee import did, or would do (`dry_run`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    /// Nothing was written: this is what the import would do.
    pub dry_run: bool,
    /// New employees.
    pub created: usize,
    /// Changed employees.
    pub updated: usize,
    /// Rows that changed nothing.
    pub unchanged: usize,
    /// Per row, in file order: the action, the employee, the changes.
    pub rows: Vec<RowOutcome>,
}

impl App {
    /// Imports employees from a file (CSV or JSON lines, see
    /// docs/employees.md): creates and updates by external id or e-mail,
    /// with effective-dated history, all or nothing. With `dry_run`, only
    /// says what it would do.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] listing every bad row and column (nothing is
    /// imported then); [`ErrorKind::Conflict`] when the employees changed
    /// while the import ran; [`ErrorKind::Forbidden`] below *edit*.
    pub fn import_employees(
        &self,
        by: Caller<'_>,
        company: &Company,
        format: ImportFormat,
        text: &str,
        dry_run: bool,
    ) -> Result<ImportOutcome, AppError> {
        by.may_configure(company)?;
        let existing = self
            .store
            .employees(
                company.id,
                &EmployeeFilter::default(),
                Window {
                    offset: 0,
                    limit: u64::MAX >> 1,
                },
            )?
            .rows;
        let reference = self.store.people_reference(company.id)?;
        let now = Utc::now();
        let plan = plan_import(
            format,
            text,
            &ImportContext {
                existing: &existing,
                custom_attributes: &reference.custom_attributes,
                today: now.date_naive(),
                now,
            },
        )
        .map_err(|e| AppError::invalid(e.to_string()))?;
        let count = |action| plan.rows.iter().filter(|r| r.action == action).count();
        let outcome = ImportOutcome {
            dry_run,
            created: count(RowAction::Create),
            updated: count(RowAction::Update),
            unchanged: count(RowAction::Unchanged),
            rows: plan.rows.clone(),
        };
        if dry_run {
            return Ok(outcome);
        }
        let updates: Vec<EmployeeReplacement<'_>> = plan
            .updates
            .iter()
            .map(|u| EmployeeReplacement {
                employee: &u.employee,
                expected_last_modified: u.expected_last_modified,
                history: &u.history,
            })
            .collect();
        self.store
            .import_employees(company.id, &plan.creates, &updates)?;
        self.store.append_audit(&[relais_connections::AuditEvent {
            company_id: company.id,
            at: now,
            actor: by.name(),
            subject_type: "employees".into(),
            subject_id: "import".into(),
            action: "employees.import".into(),
            before: None,
            after: None,
            reason: None,
            details: serde_json::json!({"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged}),
        }])?;
        tracing::info!(company = %company.slug, created = outcome.created, updated = outcome.updated, "employees imported");
        Ok(outcome)
    }

    /// A page of the company's employees, by id.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn employees(
        &self,
        by: Caller<'_>,
        company: &Company,
        window: Window,
    ) -> Result<Paged<Employee>, AppError> {
        by.may_browse(company)?;
        Ok(self
            .store
            .employees(company.id, &EmployeeFilter::default(), window)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_stays_in_range_at_the_edges_of_the_allowed_options() {
        let range = until_range();
        for until in [*range.start(), *range.end()] {
            let spec = DemoSpec {
                employees: 40,
                months: DEMO_MAX_MONTHS,
                seed: 1,
                until,
            };
            check_demo_spec(&spec).unwrap();
            assert_eq!(demo::employees(spec).count(), 40);
        }
    }

    #[test]
    fn options_out_of_range_are_refused_naming_the_option() {
        let ok = DemoSpec {
            employees: 1,
            months: 1,
            seed: 0,
            until: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        };
        for (spec, option) in [
            (DemoSpec { employees: 0, ..ok }, "employees"),
            (
                DemoSpec {
                    employees: DEMO_MAX_EMPLOYEES + 1,
                    ..ok
                },
                "employees",
            ),
            (DemoSpec { months: 0, ..ok }, "months"),
            (DemoSpec { months: 121, ..ok }, "months"),
            (
                DemoSpec {
                    until: NaiveDate::MAX,
                    ..ok
                },
                "until",
            ),
            (
                DemoSpec {
                    until: NaiveDate::from_ymd_opt(1969, 12, 31).unwrap(),
                    ..ok
                },
                "until",
            ),
        ] {
            let err = check_demo_spec(&spec).unwrap_err();
            assert!(err.to_string().starts_with(option), "{err}");
        }
    }
}
