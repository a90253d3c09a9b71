//! Custom reports: admin use cases, computing (with a cache that knows when
//! it is stale), and the Custom Reports API's shapes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use relais_access::{ApiAccess, Company, CompanyId, PublicApi};
use relais_people::{EmployeeId, TimeOff, TimeOffStatus};
use relais_reports::{
    Column, EmployeeData, Locale, Plan, ReportDefinition, ReportRow, column_catalog,
};
use relais_store::{PeriodFilter, Window};
use uuid::Uuid;

use crate::public_api::ApiCaller;
use crate::{App, AppError, Caller, ErrorKind};

/// A report's computed rows, and what they were computed from.
#[derive(Debug)]
pub struct ComputedReport {
    /// The definition computed.
    pub definition: ReportDefinition,
    /// Its first and last day as resolved.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// One row per employee in the report.
    pub rows: Vec<ReportRow>,
    /// When the rows were computed.
    pub refreshed_at: DateTime<Utc>,
    key: CacheKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CacheKey {
    updated_at: DateTime<Utc>,
    people_revision: u64,
    today: NaiveDate,
}

/// Computed reports by company and report, reused while neither the
/// definition nor the people data changed (nor the day, for relative
/// periods); and the computations under way, which concurrent readers of
/// the same report share instead of each computing it.
#[derive(Debug, Default)]
pub(crate) struct ReportCache {
    done: Mutex<HashMap<(CompanyId, Uuid), Arc<ComputedReport>>>,
    flights: Mutex<HashMap<(CompanyId, Uuid), Arc<Flight>>>,
    computed: std::sync::atomic::AtomicU64,
    abandoned: std::sync::atomic::AtomicU64,
}

/// How many reports were computed and how many computations were
/// abandoned because every reader had gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportStats {
    /// Computations finished.
    pub computed: u64,
    /// Computations stopped half-way: nobody waited for them any more.
    pub abandoned: u64,
}

/// One computation of a report, shared by every reader who asks for it
/// while it runs.
#[derive(Debug)]
struct Flight {
    key: CacheKey,
    state: Mutex<FlightState>,
    ready: std::sync::Condvar,
}

#[derive(Debug)]
struct FlightState {
    result: Option<Result<Arc<ComputedReport>, AppError>>,
    /// Readers still waiting for it (the computing one included).
    readers: usize,
    /// Every reader went away: the computation stops.
    abandoned: bool,
}

impl Flight {
    fn new(key: CacheKey) -> Self {
        Self {
            key,
            state: Mutex::new(FlightState {
                result: None,
                readers: 1,
                abandoned: false,
            }),
            ready: std::sync::Condvar::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FlightState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A reader joins; false when the flight was abandoned meanwhile.
    fn join(&self) -> bool {
        let mut state = self.state();
        if state.abandoned {
            return false;
        }
        state.readers += 1;
        true
    }

    /// A reader leaves; the last one to leave abandons the computation.
    fn leave(&self) {
        let mut state = self.state();
        state.readers = state.readers.saturating_sub(1);
        if state.readers == 0 && state.result.is_none() {
            state.abandoned = true;
        }
    }

    fn is_abandoned(&self) -> bool {
        self.state().abandoned
    }

    fn finish(&self, result: Result<Arc<ComputedReport>, AppError>) {
        self.state().result = Some(result);
        self.ready.notify_all();
    }

    /// Waits for the result; leaves (and says so) when `cancel` fires first.
    fn wait(&self, cancel: &crate::Cancel) -> Result<Arc<ComputedReport>, AppError> {
        let mut state = self.state();
        loop {
            if let Some(result) = &state.result {
                return result.clone();
            }
            if state.abandoned {
                return Err(abandoned());
            }
            if cancel.is_cancelled() {
                drop(state);
                self.leave();
                return Err(abandoned());
            }
            state = self
                .ready
                .wait_timeout(state, std::time::Duration::from_millis(50))
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}

fn abandoned() -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "the report's computation was stopped: nobody waits for it any more".into(),
    )
}

/// Ids of example reports shipped with the demo company.
///
/// The file lives in this crate (`reports.json`) so that the crate packages;
/// `fixtures/reports.json` links to it.
pub const EXAMPLE_REPORTS: &str = include_str!("../reports.json");

impl App {
    fn columns_of(&self, company: CompanyId) -> Result<Vec<Column>, AppError> {
        let reference = self.store.people_reference(company)?;
        Ok(column_catalog(
            &reference.custom_attributes,
            &reference.time_off_types,
        ))
    }

    fn load_report(&self, company: CompanyId, id: &str) -> Result<ReportDefinition, AppError> {
        let missing = || AppError::not_found(format!("report {id}"));
        let id = id.parse::<Uuid>().map_err(|_| missing())?;
        self.store.report(company, id)?.ok_or_else(missing)
    }

    /// The company's column catalogue.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn report_columns(
        &self,
        by: Caller<'_>,
        company: &Company,
    ) -> Result<Vec<Column>, AppError> {
        by.may_browse(company)?;
        self.columns_of(company.id)
    }

    /// The company's reports.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn reports(
        &self,
        by: Caller<'_>,
        company: &Company,
    ) -> Result<Vec<ReportDefinition>, AppError> {
        by.may_browse(company)?;
        Ok(self.store.reports(company.id)?)
    }

    /// One report.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn report(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<ReportDefinition, AppError> {
        by.may_browse(company)?;
        self.load_report(company.id, id)
    }

    /// Creates a report (a new id is given unless the definition has one that is free).
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] listing every problem of the definition.
    pub fn create_report(
        &self,
        by: Caller<'_>,
        company: &Company,
        mut definition: ReportDefinition,
    ) -> Result<ReportDefinition, AppError> {
        by.may_configure(company)?;
        check_report_texts(&definition)?;
        definition.created_at = Utc::now();
        definition.updated_at = definition.created_at;
        definition
            .validate(&self.columns_of(company.id)?)
            .map_err(|e| AppError::invalid(e.to_string()))?;
        // The database refuses a taken id: of parallel creations with one
        // chosen id, exactly one succeeds.
        self.store
            .insert_report(company.id, &definition)
            .map_err(|e| match e {
                relais_store::StoreError::Conflict(_) => AppError::new(
                    ErrorKind::Conflict,
                    format!(
                        "report {} exists; change it with PUT /api/reports/{0} (relais reports update), or leave out the id",
                        definition.id
                    ),
                ),
                other => other.into(),
            })?;
        Ok(definition)
    }

    /// Replaces a report's definition (its id and creation time stay).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Invalid`].
    pub fn update_report(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
        mut definition: ReportDefinition,
    ) -> Result<ReportDefinition, AppError> {
        by.may_configure(company)?;
        check_report_texts(&definition)?;
        let old = self.load_report(company.id, id)?;
        definition.id = old.id;
        definition.created_at = old.created_at;
        definition.updated_at = Utc::now();
        definition
            .validate(&self.columns_of(company.id)?)
            .map_err(|e| AppError::invalid(e.to_string()))?;
        if !self.store.update_report(company.id, &definition)? {
            return Err(AppError::not_found(format!("report {id}")));
        }
        Ok(definition)
    }

    /// Deletes a report.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn delete_report(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<(), AppError> {
        by.may_configure(company)?;
        let report = self.load_report(company.id, id)?;
        self.store.delete_report(company.id, report.id)?;
        Ok(())
    }

    /// Installs the example reports (history, overtime of last month,
    /// headcount, absences) unless the company has reports.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn install_example_reports(&self, company: &Company) -> Result<usize, AppError> {
        if !self.store.reports(company.id)?.is_empty() {
            return Ok(0);
        }
        let examples: Vec<ReportDefinition> =
            serde_json::from_str(EXAMPLE_REPORTS).map_err(|e| {
                AppError::new(ErrorKind::Internal, format!("fixtures/reports.json: {e}"))
            })?;
        let count = examples.len();
        for example in examples {
            self.create_report(Caller::Operator, company, example)?;
        }
        Ok(count)
    }

    /// The report's rows, computed now or taken from the cache when nothing
    /// they depend on changed. Readers asking while it is computed wait for
    /// that one computation; when every one of them has cancelled (their
    /// request timed out or went away), it stops.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Invalid`] for a definition the
    /// company's columns no longer support, [`ErrorKind::Conflict`] when
    /// cancelled.
    pub fn compute_report(
        &self,
        company: CompanyId,
        id: &str,
        cancel: &crate::Cancel,
    ) -> Result<Arc<ComputedReport>, AppError> {
        use std::sync::atomic::Ordering;
        let definition = self.load_report(company, id)?;
        let key = CacheKey {
            updated_at: definition.updated_at,
            people_revision: self.store.people_revision(company)?,
            today: Utc::now().date_naive(),
        };
        let cache_key = (company, definition.id);
        let cache = &self.reports_cache;
        if let Some(hit) = lock(&cache.done).get(&cache_key)
            && hit.key == key
        {
            return Ok(Arc::clone(hit));
        }
        let (flight, computing) = {
            let mut flights = lock(&cache.flights);
            match flights.get(&cache_key) {
                Some(flight) if flight.key == key && flight.join() => (Arc::clone(flight), false),
                _ => {
                    let flight = Arc::new(Flight::new(key.clone()));
                    flights.insert(cache_key, Arc::clone(&flight));
                    (flight, true)
                }
            }
        };
        if !computing {
            return flight.wait(cancel);
        }
        let mut left = false;
        let stop = || {
            if cancel.is_cancelled() && !left {
                left = true;
                flight.leave();
            }
            flight.is_abandoned()
        };
        let result = self
            .evaluate_report(company, definition, key, stop)
            .map(Arc::new);
        match &result {
            Ok(computed) => {
                lock(&cache.done).insert(cache_key, Arc::clone(computed));
                cache.computed.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) if flight.is_abandoned() => {
                cache.abandoned.fetch_add(1, Ordering::Relaxed);
                tracing::info!(report = %cache_key.1, "report computation abandoned: nobody waits for it");
            }
            Err(_) => {}
        }
        {
            let mut flights = lock(&cache.flights);
            if flights
                .get(&cache_key)
                .is_some_and(|f| Arc::ptr_eq(f, &flight))
            {
                flights.remove(&cache_key);
            }
        }
        flight.finish(result.clone());
        result
    }

    /// Reports computed and computations abandoned since start.
    #[must_use]
    pub fn report_stats(&self) -> ReportStats {
        use std::sync::atomic::Ordering;
        ReportStats {
            computed: self.reports_cache.computed.load(Ordering::Relaxed),
            abandoned: self.reports_cache.abandoned.load(Ordering::Relaxed),
        }
    }

    /// Computes a report; `stop` is asked now and then whether anyone still
    /// waits (an abandoned computation ends with an error).
    fn evaluate_report(
        &self,
        company: CompanyId,
        definition: ReportDefinition,
        key: CacheKey,
        mut stop: impl FnMut() -> bool + Send,
    ) -> Result<ComputedReport, AppError> {
        let started = std::time::Instant::now();
        let plan = Plan::compile(&definition, &self.columns_of(company)?, key.today)
            .map_err(|e| AppError::invalid(e.to_string()))?;
        // The aggregates (an index scan of the period's attendances, and its
        // absences) are read on their own threads and connections; the
        // employees and their history then stream through the plan one at
        // a time, so that the company is never held in memory whole.
        let store = &self.store;
        let aggregates = plan.needs_aggregates();
        let (start, end) = (plan.start, plan.end);
        let (worked, absences) = std::thread::scope(|scope| {
            let worked = scope.spawn(move || {
                if aggregates {
                    store.worked_minutes(company, start, end)
                } else {
                    Ok(HashMap::new())
                }
            });
            let absences = scope.spawn(move || -> Result<_, relais_store::StoreError> {
                let mut absences: HashMap<EmployeeId, Vec<TimeOff>> = HashMap::new();
                if !aggregates {
                    return Ok(absences);
                }
                let filter = PeriodFilter {
                    start_date: Some(start),
                    end_date: Some(end),
                    ..PeriodFilter::default()
                };
                let everything = Window {
                    offset: 0,
                    limit: u64::MAX >> 1,
                };
                for t in store.time_offs(company, &filter, everything)?.rows {
                    if t.status == TimeOffStatus::Approved {
                        absences.entry(t.employee_id).or_default().push(t);
                    }
                }
                Ok(absences)
            });
            (joined(worked.join()), joined(absences.join()))
        });
        let (worked, absences) = (worked?, absences?);
        if stop() {
            return Err(abandoned());
        }
        let mut rows = Vec::new();
        let mut abandoned_at = None;
        let mut n = 0_usize;
        self.store
            .each_employee_with_history(company, &mut |employee, history| {
                if n.is_multiple_of(64) && stop() {
                    abandoned_at = Some(n);
                    return Ok(false);
                }
                n += 1;
                let data = EmployeeData {
                    employee: &employee,
                    history: &history,
                    worked_minutes: worked.get(&employee.id).copied().unwrap_or(0),
                    absences: absences.get(&employee.id).map_or(&[][..], Vec::as_slice),
                };
                rows.extend(plan.evaluate(&data));
                Ok(true)
            })?;
        // Nobody waits any more: the rows are not kept.
        if abandoned_at.is_some() || stop() {
            return Err(abandoned());
        }
        rows.shrink_to_fit();
        tracing::info!(report = %definition.id, rows = rows.len(), elapsed_ms = started.elapsed().as_millis() as u64, "report computed");
        Ok(ComputedReport {
            start: plan.start,
            end: plan.end,
            rows,
            refreshed_at: Utc::now(),
            definition,
            key,
        })
    }
}

/// The result of a read on another thread; a panic there is an error here.
fn joined<T>(
    result: std::thread::Result<Result<T, relais_store::StoreError>>,
) -> Result<T, relais_store::StoreError> {
    result.unwrap_or_else(|_| {
        Err(relais_store::StoreError::Backend(
            "a report read panicked".into(),
        ))
    })
}

/// `GET /v1/company/custom-reports/reports`: the reports with their
/// computed rows where the cache holds them.
#[derive(Debug)]
pub struct ReportListing {
    /// Each report, with its computation if one is cached.
    pub reports: Vec<(ReportDefinition, Option<Arc<ComputedReport>>)>,
    /// Today, for relative periods.
    pub today: NaiveDate,
}

/// `GET /v1/company/custom-reports/reports/{id}`: a window of a computed report.
#[derive(Debug)]
pub struct ReportPage {
    /// The report.
    pub computed: Arc<ComputedReport>,
    /// The rows of the page.
    pub rows: std::ops::Range<usize>,
    /// Where the page lies.
    pub info: crate::public_api::PageInfo,
}

/// `GET /v1/company/custom-reports/columns`: the columns, in the asked locale.
#[derive(Debug)]
pub struct ColumnList {
    /// The columns.
    pub columns: Vec<Column>,
    /// The locale of their labels.
    pub locale: Locale,
}

impl ComputedReport {
    /// The day the report was computed for (relative periods end there).
    #[must_use]
    pub fn today(&self) -> NaiveDate {
        self.key.today
    }
}

fn locale(query: &crate::public_api::V1Query) -> Result<Locale, AppError> {
    query
        .get("locale")
        .map_or(Ok(Locale::En), |l| l.parse().map_err(AppError::invalid))
}

impl App {
    /// `GET /v1/company/custom-reports/reports`: every report (Custom
    /// Reports read gives access to all of them), `report_ids` and `status` filters.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Custom Reports read.
    pub fn v1_list_reports(
        &self,
        caller: &ApiCaller,
        query: &crate::public_api::V1Query,
    ) -> Result<ReportListing, AppError> {
        caller.require(PublicApi::CustomReports, ApiAccess::Read)?;
        let wanted = query.all_values("report_ids");
        if let Some(status) = query.get("status")
            && !["up_to_date", "updating", "update_failed"].contains(&status)
        {
            return Err(AppError::invalid(format!(
                "status '{status}' is not one of up_to_date, updating, update_failed"
            )));
        }
        // Reports are computed on demand, so every report is up to date.
        let status_ok = query.get("status").is_none_or(|s| s == "up_to_date");
        let reports = self.store.reports(caller.credential.company_id)?;
        let cache = lock(&self.reports_cache.done);
        let reports = reports
            .into_iter()
            .filter(|r| {
                status_ok && (wanted.is_empty() || wanted.contains(&r.id.to_string().as_str()))
            })
            .map(|r| {
                let computed = cache.get(&(caller.credential.company_id, r.id)).cloned();
                (r, computed)
            })
            .collect();
        Ok(ReportListing {
            reports,
            today: Utc::now().date_naive(),
        })
    }

    /// `GET /v1/company/custom-reports/columns`: `columns`, `locale`, `report_id`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown report, [`ErrorKind::Invalid`] for a bad locale.
    pub fn v1_report_columns(
        &self,
        caller: &ApiCaller,
        query: &crate::public_api::V1Query,
    ) -> Result<ColumnList, AppError> {
        caller.require(PublicApi::CustomReports, ApiAccess::Read)?;
        let locale = locale(query)?;
        let company = caller.credential.company_id;
        let mut columns = self.columns_of(company)?;
        if let Some(id) = query.get("report_id") {
            let report = self.load_report(company, id)?;
            columns.retain(|c| report.columns.contains(&c.attribute_id));
        }
        let wanted = query.all_values("columns");
        columns.retain(|c| wanted.is_empty() || wanted.contains(&c.attribute_id.as_str()));
        Ok(ColumnList { columns, locale })
    }

    /// `GET /v1/company/custom-reports/reports/{id}`: one page of the
    /// report's items. Every attribute of the report is returned, whatever
    /// the credential's readable-attribute whitelist (it is for the
    /// Personnel Data API only). `page` from 1 (`offset` is read as the page
    /// too, as some clients send both), `limit` 1–1000 (100).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Invalid`] for bad `page`, `limit` or `locale`.
    pub fn v1_report_data(
        &self,
        caller: &ApiCaller,
        id: &str,
        query: &crate::public_api::V1Query,
        cancel: &crate::Cancel,
    ) -> Result<ReportPage, AppError> {
        caller.require(PublicApi::CustomReports, ApiAccess::Read)?;
        locale(query)?;
        let limit = query.limit(100, 1000)?;
        // `offset` is read as the page only without `page`, but a bad one
        // is refused either way.
        let offset = query.number("offset", 1, u64::MAX >> 1)?;
        let page = if query.get("page").is_some() {
            match query.number("page", 1, u64::MAX >> 1)? {
                0 => return Err(AppError::invalid("page counts from 1".into())),
                page => page,
            }
        } else {
            offset.max(1)
        };
        let window = crate::public_api::page_window(page, limit)?;
        let computed = self.compute_report(caller.credential.company_id, id, cancel)?;
        let total = computed.rows.len();
        let start = usize::try_from(window.offset)
            .unwrap_or(usize::MAX)
            .min(total);
        let end = start
            .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
            .min(total);
        Ok(ReportPage {
            info: crate::public_api::PageInfo {
                total: total as u64,
                current_page: page,
                offset: page,
                limit,
            },
            rows: start..end,
            computed,
        })
    }
}

/// The limits on a definition's free text (its name and columns are checked
/// by the definition's own rules).
fn check_report_texts(definition: &ReportDefinition) -> Result<(), AppError> {
    use relais_access::limits;
    limits::check_length("description", &definition.description, limits::TEXT)?;
    limits::check_length(
        "author_first_name",
        &definition.author_first_name,
        limits::NAME,
    )?;
    limits::check_length(
        "author_last_name",
        &definition.author_last_name,
        limits::NAME,
    )?;
    if definition.filters.len() > limits::LIST || definition.columns.len() > 10 * limits::LIST {
        return Err(AppError::invalid(format!(
            "filters: at most {} (got {}); columns: at most {} (got {})",
            limits::LIST,
            definition.filters.len(),
            10 * limits::LIST,
            definition.columns.len()
        )));
    }
    for (i, filter) in definition.filters.iter().enumerate() {
        limits::check_length(format!("filters[{i}].value"), &filter.value, limits::TEXT)?;
    }
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
