//! The public API v1 (Personnel Data): authentication, scopes, the
//! readable-attribute whitelist, and the wire shapes of the modelled HRIS, so
//! that its existing clients work against Relais unchanged.
//!
//! The transport (status codes, the error envelope, the `Authorization`
//! response header, throttling) is the server's; what a credential may see,
//! and in which shape, is decided here.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use relais_access::{ApiAccess, ApiCredential, ApiToken, ClientId, PublicApi, TOKEN_LIFETIME};
use relais_people::{
    AbsencePeriod, Attendance, CustomAttribute, DocumentCategory, Employee, EmployeeId,
    StandardAttribute, TimeOff, TimeOffType, TimeOffUnit,
};
use relais_store::{EmployeeFilter, PeopleReference, PeriodFilter, Window};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{App, AppError, ErrorKind};

pub use crate::public_api_writes::{
    AttendanceUpdate, MAX_ABSENCE_DAYS, NewAbsencePeriod, NewProject, ProjectUpdate,
    VALIDATION_FAILED,
};

/// The answer of `POST /v1/auth`.
#[derive(Debug, Clone, Serialize)]
pub struct AuthToken {
    /// The bearer token.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The credential's scopes, space-separated.
    pub scope: String,
}

/// A public-API request's caller: an authenticated credential.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    /// The credential.
    pub credential: ApiCredential,
    /// The state of the connection the credential was made for, if any: only
    /// a Connected connection may exchange data.
    pub connection: Option<relais_connections::ConnectionState>,
}

impl ApiCaller {
    /// Succeeds when the credential has `access` to `api`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] naming the missing scope.
    pub fn require(&self, api: PublicApi, access: ApiAccess) -> Result<(), AppError> {
        if let Some(state) = &self.connection
            && !state.may_exchange_data()
        {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                format!(
                    "the connection of this credential is {}; it may exchange data once connected",
                    state.status()
                ),
            ));
        }
        if self.credential.allows(api, access) {
            return Ok(());
        }
        let scope = relais_access::scope_name(relais_access::ApiPermission { api, access });
        Err(AppError::new(
            ErrorKind::Forbidden,
            format!(
                "this credential lacks the scope {scope}; grant it under Settings > Integrations > API credentials"
            ),
        ))
    }

    fn may_read(&self, attribute: &str) -> bool {
        attribute == "id" || self.credential.readable_attributes.contains(attribute)
    }
}

/// A parsed `key=value` query: repeated keys keep every value; `key[]` is
/// the same key as `key`.
#[derive(Debug, Clone, Default)]
pub struct V1Query(HashMap<String, Vec<String>>);

impl V1Query {
    /// Collects pairs.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            let key = k.as_ref().trim_end_matches("[]").to_owned();
            map.entry(key).or_default().push(v.as_ref().to_owned());
        }
        Self(map)
    }

    /// The last value of `key`, if given and not empty.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.one(key)
    }

    /// Every value of `key`, commas splitting values too.
    #[must_use]
    pub fn all_values(&self, key: &str) -> Vec<&str> {
        self.all(key)
    }

    pub(crate) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .and_then(|v| v.last())
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .get(key)
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Every value given for `key` (a client may repeat a parameter; the
    /// last one counts), refusing the request when any of them is not
    /// valid, an empty one included: a bad value is never silently dropped
    /// or read as "not given".
    fn check_each(&self, key: &str, valid: impl Fn(&str) -> bool) -> Result<(), AppError> {
        for value in self.0.get(key).into_iter().flatten() {
            if !valid(value) {
                return Err(AppError::invalid(format!(
                    "{key}: '{value}' is not a valid value"
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn number(&self, key: &str, default: u64, max: u64) -> Result<u64, AppError> {
        self.check_each(key, |v| v.parse::<i64>().is_ok())?;
        let Some(text) = self.one(key) else {
            return Ok(default);
        };
        let n: i64 = text.parse().map_err(|_| {
            AppError::invalid(format!("{key} must be a whole number, got '{text}'"))
        })?;
        match u64::try_from(n) {
            Ok(n) if n <= max => Ok(n),
            Ok(_) => Err(AppError::invalid(format!(
                "{key} must be at most {max}, got {n}"
            ))),
            Err(_) => Err(AppError::invalid(format!(
                "{key} must not be negative, got {n}"
            ))),
        }
    }

    pub(crate) fn limit(&self, default: u64, max: u64) -> Result<u64, AppError> {
        let limit = self.number("limit", default, max)?;
        if limit == 0 {
            return Err(AppError::invalid("limit must be at least 1".into()));
        }
        Ok(limit)
    }

    fn date(&self, key: &str) -> Result<Option<NaiveDate>, AppError> {
        self.check_each(key, |v| {
            NaiveDate::parse_from_str(v.get(..10).unwrap_or(v), "%Y-%m-%d").is_ok()
        })?;
        self.one(key)
            .map(|text| {
                NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").map_err(
                    |_| {
                        AppError::invalid(format!(
                            "{key} must be a date (YYYY-MM-DD), got '{text}'"
                        ))
                    },
                )
            })
            .transpose()
    }

    pub(crate) fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, AppError> {
        self.check_each(key, |v| parse_instant(v).is_some())?;
        self.one(key)
            .map(|text| {
                parse_instant(text).ok_or_else(|| {
                    AppError::invalid(format!(
                        "{key} must be a date or an ISO 8601 date-time, got '{text}'"
                    ))
                })
            })
            .transpose()
    }

    fn ids(&self, key: &str) -> Result<Vec<EmployeeId>, AppError> {
        self.all(key)
            .into_iter()
            .map(|v| {
                v.parse().map_err(|_| {
                    AppError::invalid(format!("{key}[] must hold employee ids, got '{v}'"))
                })
            })
            .collect()
    }

    pub(crate) fn flag(&self, key: &str) -> Result<bool, AppError> {
        self.check_each(key, |v| matches!(v, "true" | "1" | "false" | "0"))?;
        self.one(key)
            .map_or(Given::Absent, |v| Given::flag_text(v.to_owned()))
            .or(false, key)
    }
}

fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z"))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        })
}

/// The window of a client's page number, refusing one beyond any list.
pub(crate) fn page_window(page: u64, limit: u64) -> Result<Window, AppError> {
    Window::page(page, limit).ok_or_else(|| {
        AppError::invalid(format!(
            "page {page} of {limit} items lies beyond any list; pages count from 1"
        ))
    })
}

/// Where a page lies in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Items in the whole list.
    pub total: u64,
    /// The page's number.
    pub current_page: u64,
    /// The `offset` asked for (items, or a page number where the endpoint
    /// counts pages).
    pub offset: u64,
    /// The page size.
    pub limit: u64,
}

impl PageInfo {
    fn items(total: u64, offset: u64, limit: u64) -> Self {
        Self {
            total,
            current_page: offset / limit.max(1),
            offset,
            limit,
        }
    }
}

/// The employee attributes an answer shows, in the order the API lists
/// them: those the credential may read and, for a projection, asked for.
/// `id` is always there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributeSelection {
    /// Standard attributes.
    pub standard: Vec<StandardAttribute>,
    /// Custom attributes, with their keys (`dynamic_<id>`).
    pub custom: Vec<(String, CustomAttribute)>,
}

/// A page of employees, with the attributes to show.
#[derive(Debug, Clone)]
pub struct EmployeePage {
    /// The employees.
    pub employees: Vec<Employee>,
    /// The attributes to show of each.
    pub attributes: AttributeSelection,
    /// Where the page lies.
    pub page: PageInfo,
}

/// One employee, with the attributes to show.
#[derive(Debug, Clone)]
pub struct OneEmployee {
    /// The employee.
    pub employee: Employee,
    /// The attributes to show.
    pub attributes: AttributeSelection,
}

/// What absences embed: their types and their employees.
#[derive(Debug, Clone)]
pub struct AbsenceContext {
    /// The company's reference data (absence types).
    pub reference: Arc<PeopleReference>,
    /// The absences' employees.
    pub employees: HashMap<EmployeeId, Employee>,
    /// The attributes shown of each embedded employee (names and e-mail, as
    /// the whitelist allows).
    pub employee_attributes: AttributeSelection,
}

/// A page of absences with what they embed.
#[derive(Debug, Clone)]
pub struct Absences<T> {
    /// The absences.
    pub rows: Vec<T>,
    /// What they embed.
    pub context: AbsenceContext,
    /// Where the page lies.
    pub page: PageInfo,
}

/// A page of absence types.
#[derive(Debug, Clone)]
pub struct TimeOffTypes {
    /// The types.
    pub types: Vec<TimeOffType>,
    /// Where the page lies.
    pub page: PageInfo,
}

/// A page of attendances with their projects.
#[derive(Debug, Clone)]
pub struct Attendances {
    /// The attendances.
    pub rows: Vec<Attendance>,
    /// The company's projects by id.
    pub projects: BTreeMap<i64, relais_people::Project>,
    /// Where the page lies.
    pub page: PageInfo,
}

/// The attributes an employee embedded in an absence shows.
pub(crate) const SHORT_EMPLOYEE: [&str; 3] = ["first_name", "last_name", "email"];

impl ApiCaller {
    /// The attributes of `custom` and the standard ones this caller may read
    /// and, when `projection` is not empty, asked for.
    #[must_use]
    pub fn selection(&self, custom: &[CustomAttribute], projection: &[&str]) -> AttributeSelection {
        let wanted = |key: &str| key == "id" || projection.is_empty() || projection.contains(&key);
        AttributeSelection {
            standard: StandardAttribute::ALL
                .into_iter()
                .filter(|a| self.may_read(a.key()) && wanted(a.key()))
                .collect(),
            custom: custom
                .iter()
                .map(|c| (c.key(), c))
                .filter(|(key, _)| self.may_read(key) && wanted(key))
                .map(|(key, c)| (key, c.clone()))
                .collect(),
        }
    }
}

impl App {
    /// `POST /v1/auth`: exchanges a client id and secret for a bearer token.
    ///
    /// # Errors
    /// [`ErrorKind::Unauthenticated`] with one message for every wrong
    /// pair, so as not to tell which half was wrong.
    pub fn issue_api_token(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<AuthToken, AppError> {
        let refused =
            || AppError::unauthenticated("the client_id or client_secret is not valid".into());
        let id = ClientId::parse(client_id).map_err(|_| refused())?;
        let credential = self.store.credential(&id)?.ok_or_else(refused)?;
        if !credential.accepts_secret(client_secret.trim()) {
            return Err(refused());
        }
        let issued = ApiToken::issue(&credential, Utc::now())?;
        self.store.insert_api_token(&issued.record)?;
        Ok(AuthToken {
            token: issued.plaintext,
            expires_in: TOKEN_LIFETIME.num_seconds(),
            scope: credential.scope_string(),
        })
    }

    /// Finds the credential behind a public-API bearer token.
    ///
    /// # Errors
    /// [`ErrorKind::Unauthenticated`] for a malformed, unknown or expired
    /// token, or one whose credential was revoked or rotated since.
    pub fn authenticate_api(&self, token: &str) -> Result<ApiCaller, AppError> {
        if token.starts_with("rlp_") {
            return Err(AppError::unauthenticated(
                "this is a personal access token (rlp_…) for the admin API under /api; /v1 needs a token from POST /v1/auth with an API credential's client_id and client_secret".into(),
            ));
        }
        let refused = || AppError::unauthenticated("Provided authorization is not valid".into());
        let presented = ApiToken::parse(token).map_err(|_| refused())?;
        let record = self.store.api_token(&presented.id)?.ok_or_else(refused)?;
        let credential = self
            .store
            .credential(&record.client_id)?
            .ok_or_else(refused)?;
        if !record.accepts(&presented, &credential, Utc::now()) {
            return Err(refused());
        }
        let connection = self
            .store
            .connection_by_credential(&credential.client_id)?
            .map(|c| c.state);
        Ok(ApiCaller {
            credential,
            connection,
        })
    }

    pub(crate) fn reference(&self, caller: &ApiCaller) -> Result<Arc<PeopleReference>, AppError> {
        self.people_reference(caller.credential.company_id)
    }

    /// `GET /v1/company/employees`: `limit` (1–100, 50 without pagination),
    /// `offset` (items), `email`, `attributes[]`, `updated_since`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Employees read, [`ErrorKind::Invalid`] for bad parameters.
    pub fn v1_employees(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<EmployeePage, AppError> {
        caller.require(PublicApi::Employees, ApiAccess::Read)?;
        let limit = query.limit(50, 100)?;
        let offset = query.number("offset", 0, u64::MAX)?;
        let filter = EmployeeFilter {
            email: query.one("email").map(|e| e.trim().to_lowercase()),
            updated_since: query.time("updated_since")?,
        };
        // A filter reveals what it filters on: a credential filters only
        // on attributes it may read (else `email=` would confirm addresses).
        for (parameter, attribute, set) in [
            ("email", "email", filter.email.is_some()),
            (
                "updated_since",
                "last_modified_at",
                filter.updated_since.is_some(),
            ),
        ] {
            if set && !caller.may_read(attribute) {
                return Err(AppError::new(
                    ErrorKind::Forbidden,
                    format!(
                        "{parameter}: this credential may not read the attribute {attribute}, so it may not filter on it"
                    ),
                ));
            }
        }
        let company = caller.credential.company_id;
        // Read first: a change after it makes the cached entries look older
        // than they are, never newer.
        let revision = self.store.people_revision(company)?;
        let page = if filter.email.is_none() && filter.updated_since.is_none() {
            // The whole list: page through the company's ids, kept in
            // memory, instead of counting and skipping rows each time.
            let ids = self.employee_ids_at(company, revision)?;
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(ids.len());
            let end = start
                .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
                .min(ids.len());
            let rows = match ids.get(start..end) {
                Some([first, .., last]) => self.store.employees_in_range(company, *first, *last)?,
                Some([only]) => self.store.employees_in_range(company, *only, *only)?,
                _ => Vec::new(),
            };
            relais_store::Paged {
                rows,
                total: ids.len() as u64,
            }
        } else {
            self.store
                .employees(company, &filter, Window { offset, limit })?
        };
        let reference = self.people_reference_at(company, revision)?;
        Ok(EmployeePage {
            employees: page.rows,
            attributes: caller.selection(&reference.custom_attributes, &query.all("attributes")),
            page: PageInfo::items(page.total, offset, limit),
        })
    }

    /// `GET /v1/company/employees/{id}`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an id not in the caller's company.
    pub fn v1_employee(&self, caller: &ApiCaller, id: &str) -> Result<OneEmployee, AppError> {
        caller.require(PublicApi::Employees, ApiAccess::Read)?;
        let missing = || AppError::not_found(format!("employee {id}"));
        let id: EmployeeId = id.parse().map_err(|_| missing())?;
        let employee = self
            .store
            .employees_by_id(caller.credential.company_id, &[id])?
            .into_iter()
            .next()
            .ok_or_else(missing)?;
        let reference = self.reference(caller)?;
        Ok(OneEmployee {
            employee,
            attributes: caller.selection(&reference.custom_attributes, &[]),
        })
    }

    /// `GET /v1/company/employees/{id}/absences/balance`: what the employee
    /// has left this year of each allowance (see `relais_people::absence_balances`).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences read; [`ErrorKind::NotFound`]
    /// for an employee the company does not have.
    pub fn v1_absence_balance(
        &self,
        caller: &ApiCaller,
        id: &str,
    ) -> Result<Vec<relais_people::AbsenceBalance>, AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Read)?;
        let missing = || AppError::not_found(format!("employee {id}"));
        let id: EmployeeId = id.parse().map_err(|_| missing())?;
        let company = caller.credential.company_id;
        let employee = self
            .store
            .employees_by_id(company, &[id])?
            .into_iter()
            .next()
            .ok_or_else(missing)?;
        let year = chrono::Datelike::year(&Utc::now());
        let filter = PeriodFilter {
            start_date: NaiveDate::from_ymd_opt(year, 1, 1),
            end_date: NaiveDate::from_ymd_opt(year, 12, 31),
            employees: vec![id],
            ..PeriodFilter::default()
        };
        let time_offs = self.store.time_offs(
            company,
            &filter,
            Window {
                offset: 0,
                limit: 10_000,
            },
        )?;
        let reference = self.reference(caller)?;
        Ok(relais_people::absence_balances(
            &reference.time_off_types,
            &employee,
            &time_offs.rows,
            year,
        ))
    }

    /// `GET /v1/company/employees/attributes`: the attributes this credential may read.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Employees read.
    pub fn v1_employee_attributes(
        &self,
        caller: &ApiCaller,
    ) -> Result<AttributeSelection, AppError> {
        caller.require(PublicApi::Employees, ApiAccess::Read)?;
        let reference = self.reference(caller)?;
        Ok(caller.selection(&reference.custom_attributes, &[]))
    }

    pub(crate) fn employee_map(
        &self,
        caller: &ApiCaller,
        ids: impl Iterator<Item = EmployeeId>,
    ) -> Result<HashMap<EmployeeId, Employee>, AppError> {
        let mut ids: Vec<_> = ids.collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(self
            .store
            .employees_by_id(caller.credential.company_id, &ids)?
            .into_iter()
            .map(|e| (e.id, e))
            .collect())
    }

    fn absence_context(
        &self,
        caller: &ApiCaller,
        ids: impl Iterator<Item = EmployeeId>,
    ) -> Result<AbsenceContext, AppError> {
        Ok(AbsenceContext {
            reference: self.reference(caller)?,
            employees: self.employee_map(caller, ids)?,
            employee_attributes: caller.selection(&[], &SHORT_EMPLOYEE),
        })
    }

    fn period_filter(query: &V1Query, updated: (&str, &str)) -> Result<PeriodFilter, AppError> {
        let filter = PeriodFilter {
            start_date: query.date("start_date")?,
            end_date: query.date("end_date")?,
            employees: query.ids("employees")?,
            updated_from: query.time(updated.0)?,
            updated_to: query.time(updated.1)?,
            include_pending: query.flag("includePending")?,
        };
        if let (Some(start), Some(end)) = (filter.start_date, filter.end_date)
            && start > end
        {
            return Err(AppError::invalid(format!(
                "start_date {start} is after end_date {end}"
            )));
        }
        Ok(filter)
    }

    /// `GET /v1/company/time-offs`: day absences overlapping `start_date`–`end_date`;
    /// `offset` is a 1-based *page number* (0 is read as 1), `limit` 1–200.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences read, [`ErrorKind::Invalid`] for bad parameters.
    pub fn v1_time_offs(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<Absences<TimeOff>, AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Read)?;
        let limit = query.limit(200, 200)?;
        let page = query.number("offset", 1, u64::MAX)?.max(1);
        let filter = Self::period_filter(query, ("updated_from", "updated_to"))?;
        let window = page_window(page, limit)?;
        let rows = self
            .store
            .time_offs(caller.credential.company_id, &filter, window)?;
        let context = self.absence_context(caller, rows.rows.iter().map(|t| t.employee_id))?;
        Ok(Absences {
            rows: rows.rows,
            context,
            page: PageInfo {
                total: rows.total,
                current_page: page,
                offset: page,
                limit,
            },
        })
    }

    /// `GET /v1/company/time-off-types`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences read.
    pub fn v1_time_off_types(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<TimeOffTypes, AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Read)?;
        let limit = query.limit(200, 200)?;
        let offset = query.number("offset", 0, u64::MAX)?;
        let reference = self.reference(caller)?;
        let types = &reference.time_off_types;
        Ok(TimeOffTypes {
            types: types
                .iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .cloned()
                .collect(),
            page: PageInfo::items(types.len() as u64, offset, limit),
        })
    }

    /// `GET /v1/company/absence-periods`: hour absences; `offset` counts items.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences read, [`ErrorKind::Invalid`] for bad parameters.
    pub fn v1_absence_periods(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<Absences<AbsencePeriod>, AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Read)?;
        let limit = query.limit(200, 200)?;
        let offset = query.number("offset", 0, u64::MAX)?;
        let filter = Self::period_filter(query, ("updated_from", "updated_to"))?;
        let rows = self.store.absence_periods(
            caller.credential.company_id,
            &filter,
            Window { offset, limit },
        )?;
        let context = self.absence_context(caller, rows.rows.iter().map(|p| p.employee_id))?;
        Ok(Absences {
            rows: rows.rows,
            context,
            page: PageInfo::items(rows.total, offset, limit),
        })
    }

    /// `GET /v1/company/attendances`: `start_date` and `end_date` required
    /// (inclusive); `offset` counts items; `limit` 1–200; `includePending`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Attendances read, [`ErrorKind::Invalid`] for bad or missing parameters.
    pub fn v1_attendances(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<Attendances, AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Read)?;
        let limit = query.limit(200, 200)?;
        let offset = query.number("offset", 0, u64::MAX)?;
        let filter = Self::period_filter(query, ("updated_from", "updated_to"))?;
        if filter.start_date.is_none() || filter.end_date.is_none() {
            return Err(AppError::invalid(
                "start_date and end_date are required (YYYY-MM-DD)".into(),
            ));
        }
        let rows = self.store.attendances(
            caller.credential.company_id,
            &filter,
            Window { offset, limit },
        )?;
        let projects = self
            .reference(caller)?
            .projects
            .iter()
            .map(|p| (p.id, p.clone()))
            .collect();
        Ok(Attendances {
            rows: rows.rows,
            projects,
            page: PageInfo::items(rows.total, offset, limit),
        })
    }

    /// `GET /v1/company/document-categories`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Documents read.
    pub fn v1_document_categories(
        &self,
        caller: &ApiCaller,
    ) -> Result<Vec<DocumentCategory>, AppError> {
        caller.require(PublicApi::Documents, ApiAccess::Read)?;
        Ok(self.reference(caller)?.document_categories.clone())
    }
}

/// Reads `HH:MM` (also `H:MM`, and `H:MM:00` as clients that hold times
/// as durations write them).
pub(crate) fn clock(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M").ok().or_else(|| {
        NaiveTime::parse_from_str(text, "%H:%M:%S")
            .ok()
            .filter(|t| chrono::Timelike::second(t) == 0)
    })
}

/// A field as a client sent it: absent (or `null`), a value of the kind
/// expected, or something else, kept to name it in the answer. Numbers are
/// also taken from strings of digits and flags from `"true"`, `"1"`, …:
/// clients of the modelled HRIS send both, and form fields are all text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Given<T> {
    /// Not sent, or `null`.
    #[default]
    Absent,
    /// A value of the expected kind.
    Value(T),
    /// Something else.
    Malformed(String),
}

impl<T: Clone> Given<T> {
    /// The value, when one of the expected kind was sent.
    #[must_use]
    pub fn value(&self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v.clone()),
            Self::Absent | Self::Malformed(_) => None,
        }
    }
}

impl Given<bool> {
    /// A flag written as text: `true`/`1` or `false`/`0`.
    fn flag_text(text: String) -> Self {
        match text.as_str() {
            "true" | "1" => Self::Value(true),
            "false" | "0" => Self::Value(false),
            _ => Self::Malformed(text),
        }
    }

    /// The flag, `default` when absent.
    pub(crate) fn or(&self, default: bool, name: &str) -> Result<bool, AppError> {
        match self {
            Self::Absent => Ok(default),
            Self::Value(b) => Ok(*b),
            Self::Malformed(text) => Err(AppError::invalid(format!(
                "{name}: '{text}' is not true or false"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Given<i64> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Self::Absent,
            Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Self::Malformed(n.to_string()), Self::Value),
            Value::String(s) => s.trim().parse().map_or(Self::Malformed(s), Self::Value),
            other => Self::Malformed(other.to_string()),
        })
    }
}

impl<'de> Deserialize<'de> for Given<bool> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Self::Absent,
            Value::Bool(b) => Self::Value(b),
            Value::Number(n) if n.as_u64() == Some(0) || n.as_u64() == Some(1) => {
                Self::Value(n.as_u64() == Some(1))
            }
            Value::String(s) => Self::flag_text(s),
            other => Self::Malformed(other.to_string()),
        })
    }
}

impl<'de> Deserialize<'de> for Given<String> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Self::Absent,
            Value::String(s) => Self::Value(s),
            other => Self::Malformed(other.to_string()),
        })
    }
}

/// `POST /v1/company/attendances`: 1 to 200 attendances, all or nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewAttendances, example = json!({"attendances": [{"employee": 42, "date": "2026-11-02", "start_time": "09:00", "end_time": "17:30", "break": 30, "comment": "On site"}], "skip_approval": true})))]
pub struct NewAttendances {
    /// The attendances.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<NewAttendance>, required = true, min_items = 1, max_items = 200))]
    pub attendances: Option<Vec<NewAttendance>>,
    /// `false` stores them as pending approval; default `true`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub skip_approval: Given<bool>,
}

/// One attendance to record.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAttendance {
    /// The employee's id (a number, or a string of digits).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = true))]
    pub employee: Given<i64>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, format = Date))]
    pub date: Given<String>,
    /// `HH:MM`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]{1,2}:[0-9]{2}(:00)?$", required = true))]
    pub start_time: Given<String>,
    /// `HH:MM`, after `start_time`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]{1,2}:[0-9]{2}(:00)?$", required = true))]
    pub end_time: Given<String>,
    /// Minutes of break; shorter than the attendance.
    #[serde(default, rename = "break")]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = true, minimum = 0))]
    pub break_minutes: Given<i64>,
    /// Comment.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 10000))]
    pub comment: Given<String>,
    /// An active project's id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub project_id: Given<i64>,
}

/// `POST /v1/company/time-offs`, as form fields or JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"employee_id": 42, "time_off_type_id": 1, "start_date": "2026-12-21", "end_date": "2026-12-23", "half_day_start": false, "half_day_end": true, "comment": "Holidays"})))]
pub struct NewTimeOff {
    /// The employee's id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = true))]
    pub employee_id: Given<i64>,
    /// A day-counted absence type's id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = true))]
    pub time_off_type_id: Given<i64>,
    /// First day, `YYYY-MM-DD`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, format = Date))]
    pub start_date: Given<String>,
    /// Last day, `YYYY-MM-DD`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, format = Date))]
    pub end_date: Given<String>,
    /// Whether the first day is a half day.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub half_day_start: Given<bool>,
    /// Whether the last day is a half day.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub half_day_end: Given<bool>,
    /// Comment.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 10000))]
    pub comment: Given<String>,
    /// `false` stores it as requested; default `true` (approved).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub skip_approval: Given<bool>,
}

impl App {
    /// `POST /v1/company/attendances`: `{"attendances": [{employee, date,
    /// start_time, end_time, break, comment, project_id}], "skip_approval"}`.
    /// All or nothing: one bad item refuses the whole request, every
    /// problem named.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Attendances write, [`ErrorKind::Invalid`] listing every bad item.
    pub fn v1_create_attendances(
        &self,
        caller: &ApiCaller,
        body: &NewAttendances,
    ) -> Result<Vec<i64>, AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Write)?;
        let items = body.attendances.as_deref().ok_or_else(|| {
            AppError::invalid("attendances: a list of attendances is required".into())
        })?;
        if items.is_empty() || items.len() > 200 {
            return Err(AppError::invalid(format!(
                "attendances: send 1 to 200, got {}",
                items.len()
            )));
        }
        let confirmed = body.skip_approval.or(true, "skip_approval")?;
        let company = caller.credential.company_id;
        let ids: Vec<EmployeeId> = items.iter().filter_map(|i| i.employee.value()).collect();
        let employees = self.employee_map(caller, ids.into_iter())?;
        let projects: Vec<i64> = self
            .store
            .people_reference(company)?
            .projects
            .iter()
            .filter(|p| p.active)
            .map(|p| p.id)
            .collect();
        let mut problems = Vec::new();
        let mut new: Vec<Attendance> = Vec::new();
        let now = Utc::now();
        for (at, item) in items.iter().enumerate() {
            let mut fail = |m: String| problems.push(format!("attendances[{at}]: {m}"));
            let Some(employee) = item.employee.value().filter(|e| employees.contains_key(e)) else {
                fail("employee: not an employee of this company".into());
                continue;
            };
            let date = item
                .date
                .value()
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
            let start = item.start_time.value().as_deref().and_then(clock);
            let end = item.end_time.value().as_deref().and_then(clock);
            let pause = item.break_minutes.value().filter(|b| *b >= 0);
            let (Some(date), Some(start), Some(end), Some(pause)) = (date, start, end, pause)
            else {
                fail("date (YYYY-MM-DD), start_time and end_time (HH:MM) and break (minutes, 0 or more) are required".into());
                continue;
            };
            if end <= start {
                fail(format!(
                    "end_time {} is not after start_time {}",
                    end.format("%H:%M"),
                    start.format("%H:%M")
                ));
                continue;
            }
            if pause >= (end - start).num_minutes() {
                fail(format!(
                    "a break of {pause} minutes does not fit between {} and {}",
                    start.format("%H:%M"),
                    end.format("%H:%M")
                ));
                continue;
            }
            if let Given::Malformed(_) = item.comment {
                fail("comment: must be text".into());
                continue;
            }
            if let Some(comment) = item.comment.value()
                && let Err(e) = relais_access::limits::check_length(
                    "comment",
                    &comment,
                    relais_access::limits::TEXT,
                )
            {
                fail(e.to_string());
                continue;
            }
            let project_id = match &item.project_id {
                Given::Malformed(text) => {
                    fail(format!("project_id: '{text}' is not a project id"));
                    continue;
                }
                given => given.value(),
            };
            if let Some(p) = project_id
                && !projects.contains(&p)
            {
                fail(format!("project_id: {p} is not an active project"));
                continue;
            }
            new.push(Attendance {
                id: 0,
                employee_id: employee,
                date,
                start_time: start,
                end_time: end,
                break_minutes: u32::try_from(pause).unwrap_or(0),
                project_id,
                status: if confirmed {
                    relais_people::AttendanceStatus::Confirmed
                } else {
                    relais_people::AttendanceStatus::Pending
                },
                comment: item.comment.value().filter(|c| !c.is_empty()),
                updated_at: now,
            });
        }
        if !problems.is_empty() {
            return Err(AppError::invalid(problems.join("; ")));
        }
        // Overlaps, with stored attendances and within the request, are
        // refused by the store inside the inserting transaction.
        let ids = match self.store.insert_attendances(company, &new) {
            Err(relais_store::StoreError::Overlaps(refused)) => {
                let problems: Vec<String> = refused
                    .iter()
                    .filter_map(|&i| new.get(i))
                    .map(|a| {
                        format!(
                            "attendances: employee {} already has an attendance overlapping {} {}–{}",
                            a.employee_id,
                            a.date,
                            a.start_time.format("%H:%M"),
                            a.end_time.format("%H:%M")
                        )
                    })
                    .collect();
                return Err(AppError::invalid(problems.join("; ")));
            }
            // A project deactivated or deleted since it was checked above.
            Err(relais_store::StoreError::Refused(problem)) => {
                return Err(AppError::invalid(format!("attendances: {problem}")));
            }
            other => other?,
        };
        Ok(ids)
    }

    /// `POST /v1/company/time-offs`: `employee_id`, `time_off_type_id`,
    /// `start_date`, `end_date`, `half_day_start`, `half_day_end`, `comment`,
    /// `skip_approval` (JSON or form fields).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences write, [`ErrorKind::Invalid`] naming the problem.
    pub fn v1_create_time_off(
        &self,
        caller: &ApiCaller,
        fields: &NewTimeOff,
    ) -> Result<(TimeOff, AbsenceContext), AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Write)?;
        let company = caller.credential.company_id;
        let employee_id = fields
            .employee_id
            .value()
            .ok_or_else(|| AppError::invalid("employee_id is required".into()))?;
        let employees = self.employee_map(caller, std::iter::once(employee_id))?;
        if !employees.contains_key(&employee_id) {
            return Err(AppError::invalid(format!(
                "employee_id: {employee_id} is not an employee of this company"
            )));
        }
        let type_id = fields
            .time_off_type_id
            .value()
            .ok_or_else(|| AppError::invalid("time_off_type_id is required".into()))?;
        let reference = self.reference(caller)?;
        let Some(kind) = reference.time_off_types.iter().find(|t| t.id == type_id) else {
            return Err(AppError::invalid(format!(
                "time_off_type_id: {type_id} is not a time-off type of this company"
            )));
        };
        if kind.unit != TimeOffUnit::Day {
            return Err(AppError::invalid(format!(
                "time_off_type_id: {} is counted in hours; use absence periods",
                kind.name
            )));
        }
        let date = |key: &str, given: &Given<String>| {
            given
                .value()
                .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d").ok())
                .ok_or_else(|| AppError::invalid(format!("{key} is required (YYYY-MM-DD)")))
        };
        let (start, end) = (
            date("start_date", &fields.start_date)?,
            date("end_date", &fields.end_date)?,
        );
        if let Given::Malformed(_) = fields.comment {
            return Err(AppError::invalid("comment: must be text".into()));
        }
        if let Some(comment) = fields.comment.value() {
            relais_access::limits::check_length("comment", &comment, relais_access::limits::TEXT)?;
        }
        if end < start {
            return Err(AppError::invalid(format!(
                "end_date {end} is before start_date {start}"
            )));
        }
        let half_start = fields.half_day_start.or(false, "half_day_start")?;
        let half_end = fields.half_day_end.or(false, "half_day_end")?;
        let approved = fields.skip_approval.or(true, "skip_approval")?;
        let days: Vec<NaiveDate> = start
            .iter_days()
            .take_while(|d| *d <= end)
            .filter(|d| relais_people::is_working_day(*d))
            .collect();
        if days.is_empty() {
            return Err(AppError::invalid(format!(
                "{start} to {end} holds no working day"
            )));
        }
        let mut count = days.len() as f64;
        if half_start && days.first() == Some(&start) {
            count -= 0.5;
        }
        if half_end && days.last() == Some(&end) && (start != end || !half_start) {
            count -= 0.5;
        }
        let now = Utc::now();
        let mut time_off = TimeOff {
            id: 0,
            employee_id,
            time_off_type_id: type_id,
            status: if approved {
                relais_people::TimeOffStatus::Approved
            } else {
                relais_people::TimeOffStatus::Requested
            },
            start_date: start,
            end_date: end,
            half_day_start: half_start,
            half_day_end: half_end,
            days_count: count,
            comment: fields.comment.value().filter(|c| !c.is_empty()),
            created_at: now,
            updated_at: now,
        };
        time_off.id = match self.store.insert_time_off(company, &time_off) {
            Err(relais_store::StoreError::Overlaps(_)) => {
                return Err(AppError::invalid(format!(
                    "the employee has an absence overlapping {start} to {end} already"
                )));
            }
            other => other?,
        };
        Ok((
            time_off,
            AbsenceContext {
                reference,
                employees,
                employee_attributes: caller.selection(&[], &SHORT_EMPLOYEE),
            },
        ))
    }
}
