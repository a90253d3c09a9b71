//! The public API's writes beyond creating attendances and day absences:
//! attendance projects, changing and deleting attendances, reading and
//! deleting one day absence, creating and deleting hour absences.
//!
//! Every rule that says "not twice" (one project of a name, no overlapping
//! attendances or absences, no project deleted under its attendances) is
//! enforced by the store in the writing transaction; what is checked here
//! is the shape of the input.

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use relais_access::{ApiAccess, PublicApi};
use relais_people::{AbsencePeriod, Attendance, AttendanceStatus, Project, TimeOff, TimeOffUnit};
use relais_store::{ProjectChange, StoreError};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::public_api::{AbsenceContext, ApiCaller, Given, SHORT_EMPLOYEE, V1Query, clock};
use crate::{App, AppError, ErrorKind, FieldProblem};

/// The message of every refused hour absence, as the modelled HRIS words
/// it; the fields and their problems travel beside it.
pub const VALIDATION_FAILED: &str = "The given data failed to pass validation.";

/// The longest hour absence, in days: a bound on what a client can ask the
/// server to lay out day by day.
pub const MAX_ABSENCE_DAYS: i64 = 366;

/// A field that may be sent as `null` to clear it: `None` when not sent,
/// `Some(Value::Null)` when sent as `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// `POST /v1/company/attendances/projects`. Strictly typed, unlike the
/// other bodies: the modelled HRIS refuses an `active` that is not a
/// boolean.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Customer portal", "active": true})))]
pub struct NewProject {
    /// The name: 1 to 255 characters, unique in the company (letter case aside).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, min_length = 1, max_length = 255))]
    pub name: Option<Value>,
    /// Whether time can be booked on it; default `false`, as in the modelled HRIS.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub active: Option<Value>,
}

/// `PATCH /v1/company/attendances/projects/{id}`: what is sent changes.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"active": false})))]
pub struct ProjectUpdate {
    /// The new name: 1 to 255 characters, unique in the company.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 255))]
    pub name: Option<Value>,
    /// Whether time can be booked on it from now on.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub active: Option<Value>,
}

/// `PATCH /v1/company/attendances/{id}`: what is sent changes; the employee
/// never does. Strictly typed (a JSON body only, as the modelled HRIS
/// documents it): a flag is a boolean, a number a number.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"end_time": "18:00", "break": 45, "comment": "Release day"})))]
pub struct AttendanceUpdate {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date: Option<Value>,
    /// `HH:MM`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^[0-9]{1,2}:[0-9]{2}(:00)?$"))]
    pub start_time: Option<Value>,
    /// `HH:MM`, after `start_time`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^[0-9]{1,2}:[0-9]{2}(:00)?$"))]
    pub end_time: Option<Value>,
    /// Minutes of break; shorter than the attendance.
    #[serde(default, rename = "break")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0, maximum = 1439))]
    pub break_minutes: Option<Value>,
    /// Comment; empty clears it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    pub comment: Option<Value>,
    /// An active project's id; `null` takes the attendance off its project.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub project_id: Option<Value>,
    /// `true` confirms the attendance, `false` makes it pending; not sent,
    /// its status stays.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub skip_approval: Option<Value>,
}

/// `POST /v1/company/absence-periods`, as form fields or JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"employee_id": 42, "time_off_type_id": 6, "start_date": "2026-12-03", "end_date": "2026-12-03", "start_time": "09:00", "end_time": "11:30", "comment": "Dentist"})))]
pub struct NewAbsencePeriod {
    /// The employee's id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = true))]
    pub employee_id: Given<i64>,
    /// An hour-counted absence type's id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = true))]
    pub time_off_type_id: Given<i64>,
    /// First day, `YYYY-MM-DD`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, format = Date))]
    pub start_date: Given<String>,
    /// Last day, `YYYY-MM-DD`; at most 366 days after `start_date`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, format = Date))]
    pub end_date: Given<String>,
    /// `HH:MM` on the first day; required when the absence is one day,
    /// else the day's start.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^[0-9]{1,2}:[0-9]{2}(:00)?$"))]
    pub start_time: Given<String>,
    /// `HH:MM` on the last day; required when the absence is one day,
    /// else the day's end.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^[0-9]{1,2}:[0-9]{2}(:00)?$"))]
    pub end_time: Given<String>,
    /// Only `false`: half days of hour absences are not modelled.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub half_day_start: Given<bool>,
    /// Only `false`: half days of hour absences are not modelled.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub half_day_end: Given<bool>,
    /// Comment.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    pub comment: Given<String>,
    /// `false` stores it as requested; default `true` (approved).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub skip_approval: Given<bool>,
}

fn field(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// An invalid-input error naming one field.
fn invalid_field(name: &str, message: String) -> AppError {
    AppError::invalid(format!("{name}: {message}")).with_fields(vec![field(name, message)])
}

fn project_not_found(id: &str) -> AppError {
    AppError::new(ErrorKind::NotFound, format!("Project {id} not found"))
}

fn attendance_not_found() -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "The attendance period was not found.".into(),
    )
}

fn absence_not_found() -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "The absence period was not found.".into(),
    )
}

/// A project name as sent, checked.
fn project_name(given: Option<&Value>) -> Result<Option<String>, AppError> {
    match given {
        None => Ok(None),
        Some(Value::String(name)) => Project::checked_name(name)
            .map(Some)
            .map_err(|m| invalid_field("name", m)),
        Some(_) => Err(invalid_field(
            "name",
            "Project name must be a string".into(),
        )),
    }
}

fn project_active(given: Option<&Value>) -> Result<Option<bool>, AppError> {
    match given {
        None => Ok(None),
        Some(Value::Bool(active)) => Ok(Some(*active)),
        Some(_) => Err(invalid_field(
            "active",
            "Active field needs to be of type boolean".into(),
        )),
    }
}

/// A store refusal of a project name as the client's error on `name`.
fn name_taken(error: StoreError, name: &str) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::new(
            ErrorKind::Conflict,
            format!("name: the company has a project named {name} already"),
        )
        .with_fields(vec![field(
            "name",
            format!("The company has a project named {name} already"),
        )]),
        other => other.into(),
    }
}

/// Reads a comment as sent: text within the length limit.
fn comment(given: &Given<String>) -> Result<Option<String>, String> {
    match given {
        Given::Absent => Ok(None),
        Given::Malformed(_) => Err("must be text".into()),
        Given::Value(text) => {
            relais_access::limits::check_length("comment", text, relais_access::limits::TEXT)
                .map_err(|e| e.to_string())?;
            Ok(Some(text.clone()))
        }
    }
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()
}

impl App {
    /// `GET /v1/company/attendances/projects`: every project of the company.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Attendances read.
    pub fn v1_projects(&self, caller: &ApiCaller) -> Result<Vec<Project>, AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Read)?;
        Ok(self.reference(caller)?.projects.clone())
    }

    /// `POST /v1/company/attendances/projects`: `name` (required) and `active` (default `false`).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Attendances write, [`ErrorKind::Invalid`]
    /// naming the field, [`ErrorKind::Conflict`] when the name is taken.
    pub fn v1_create_project(
        &self,
        caller: &ApiCaller,
        body: &NewProject,
    ) -> Result<Project, AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Write)?;
        let name = project_name(body.name.as_ref())?
            .ok_or_else(|| invalid_field("name", "Project name cannot be empty".into()))?;
        let active = project_active(body.active.as_ref())?.unwrap_or(false);
        self.store
            .insert_project(caller.credential.company_id, &name, active, Utc::now())
            .map_err(|e| name_taken(e, &name))
    }

    /// `PATCH /v1/company/attendances/projects/{id}`: `name` and/or `active`.
    ///
    /// # Errors
    /// As [`Self::v1_create_project`], and [`ErrorKind::NotFound`] for an id
    /// not in the caller's company.
    pub fn v1_update_project(
        &self,
        caller: &ApiCaller,
        id: &str,
        body: &ProjectUpdate,
    ) -> Result<Project, AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Write)?;
        let number: i64 = id.parse().map_err(|_| project_not_found(id))?;
        let change = ProjectChange {
            name: project_name(body.name.as_ref())?,
            active: project_active(body.active.as_ref())?,
        };
        let name = change.name.clone().unwrap_or_default();
        self.store
            .update_project(caller.credential.company_id, number, &change, Utc::now())
            .map_err(|e| name_taken(e, &name))?
            .ok_or_else(|| project_not_found(id))
    }

    /// `DELETE /v1/company/attendances/projects/{id}`: only a project no
    /// attendance is booked on.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an id not in the caller's company,
    /// [`ErrorKind::Conflict`] when attendances are booked on it.
    pub fn v1_delete_project(&self, caller: &ApiCaller, id: &str) -> Result<(), AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Write)?;
        let number: i64 = id.parse().map_err(|_| project_not_found(id))?;
        match self
            .store
            .delete_project(caller.credential.company_id, number)
        {
            Ok(true) => Ok(()),
            Ok(false) => Err(project_not_found(id)),
            Err(StoreError::Refused(reason)) => {
                Err(AppError::new(ErrorKind::Conflict, reason.clone())
                    .with_fields(vec![field("id", reason)]))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// `PATCH /v1/company/attendances/{id}`: the fields sent change, checked
    /// as `POST` checks them, the no-overlap rule and the project's
    /// activity in the updating transaction.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Attendances write,
    /// [`ErrorKind::NotFound`] for an id not in the caller's company,
    /// [`ErrorKind::Invalid`] naming the problem.
    pub fn v1_update_attendance(
        &self,
        caller: &ApiCaller,
        id: &str,
        body: &AttendanceUpdate,
    ) -> Result<Attendance, AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Write)?;
        let number: i64 = id.parse().map_err(|_| attendance_not_found())?;
        let text = |name: &str, given: Option<&Value>| match given {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(AppError::invalid(format!("{name}: {other} is not text"))),
        };
        let date = text("date", body.date.as_ref())?
            .map(|d| {
                day(&d).ok_or_else(|| {
                    AppError::invalid(format!("date must be a date (YYYY-MM-DD), got '{d}'"))
                })
            })
            .transpose()?;
        let time = |name: &str, given: Option<&Value>| {
            text(name, given)?
                .map(|t| {
                    clock(&t).ok_or_else(|| {
                        AppError::invalid(format!("{name} must be a time (HH:MM), got '{t}'"))
                    })
                })
                .transpose()
        };
        let start = time("start_time", body.start_time.as_ref())?;
        let end = time("end_time", body.end_time.as_ref())?;
        let pause = match &body.break_minutes {
            None => None,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(minutes @ 0..1440) => u32::try_from(minutes).ok(),
                _ => {
                    return Err(AppError::invalid(format!(
                        "break must be 0 to 1439 minutes, got {n}"
                    )));
                }
            },
            Some(other) => {
                return Err(AppError::invalid(format!(
                    "break: {other} is not a number of minutes"
                )));
            }
        };
        let comment = text("comment", body.comment.as_ref())?;
        if let Some(comment) = &comment {
            relais_access::limits::check_length("comment", comment, relais_access::limits::TEXT)?;
        }
        let project = match &body.project_id {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Some(n.as_i64()),
            Some(other) => {
                return Err(AppError::invalid(format!(
                    "project_id: {other} is not a project id"
                )));
            }
        };
        let status = match &body.skip_approval {
            None => None,
            Some(Value::Bool(true)) => Some(AttendanceStatus::Confirmed),
            Some(Value::Bool(false)) => Some(AttendanceStatus::Pending),
            Some(other) => {
                return Err(AppError::invalid(format!(
                    "skip_approval: {other} is not true or false"
                )));
            }
        };
        // A rule the merged attendance breaks, told apart from the store's
        // own refusals.
        let mut broken: Option<AppError> = None;
        let now = Utc::now();
        let mut change = |old: Attendance| {
            let new = Attendance {
                date: date.unwrap_or(old.date),
                start_time: start.unwrap_or(old.start_time),
                end_time: end.unwrap_or(old.end_time),
                break_minutes: pause.unwrap_or(old.break_minutes),
                project_id: project.unwrap_or(old.project_id),
                status: status.unwrap_or(old.status),
                comment: match &comment {
                    Some(text) if text.is_empty() => None,
                    Some(text) => Some(text.clone()),
                    None => old.comment.clone(),
                },
                updated_at: now,
                ..old
            };
            let problem = if new.end_time <= new.start_time {
                Some(format!(
                    "end_time {} is not after start_time {}",
                    new.end_time.format("%H:%M"),
                    new.start_time.format("%H:%M")
                ))
            } else if i64::from(new.break_minutes) >= (new.end_time - new.start_time).num_minutes()
            {
                Some(format!(
                    "a break of {} minutes does not fit between {} and {}",
                    new.break_minutes,
                    new.start_time.format("%H:%M"),
                    new.end_time.format("%H:%M")
                ))
            } else {
                None
            };
            match problem {
                Some(problem) => {
                    broken = Some(AppError::invalid(problem.clone()));
                    Err(StoreError::Refused(problem))
                }
                None => Ok(new),
            }
        };
        let result =
            self.store
                .update_attendance(caller.credential.company_id, number, &mut change);
        if let Some(error) = broken {
            return Err(error);
        }
        match result {
            Ok(Some(attendance)) => Ok(attendance),
            Ok(None) => Err(attendance_not_found()),
            Err(StoreError::Overlaps(_)) => Err(AppError::invalid(
                "the employee has another attendance overlapping this one that day".into(),
            )),
            Err(StoreError::Refused(problem)) => Err(AppError::invalid(problem)),
            Err(e) => Err(e.into()),
        }
    }

    /// `DELETE /v1/company/attendances/{id}?skip_approval=`: deletes at once
    /// (approval flows are not modelled; the flag is checked, not used).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Attendances write,
    /// [`ErrorKind::NotFound`] for an id not in the caller's company,
    /// [`ErrorKind::Invalid`] for a `skip_approval` that is not a flag.
    pub fn v1_delete_attendance(
        &self,
        caller: &ApiCaller,
        id: &str,
        query: &V1Query,
    ) -> Result<(), AppError> {
        caller.require(PublicApi::Attendances, ApiAccess::Write)?;
        query.flag("skip_approval")?;
        let number: i64 = id.parse().map_err(|_| attendance_not_found())?;
        if self
            .store
            .delete_attendance(caller.credential.company_id, number)?
        {
            Ok(())
        } else {
            Err(attendance_not_found())
        }
    }

    /// `GET /v1/company/time-offs/{id}`: one day absence with what it embeds.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences read, [`ErrorKind::NotFound`]
    /// for an id not in the caller's company.
    pub fn v1_time_off(
        &self,
        caller: &ApiCaller,
        id: &str,
    ) -> Result<(TimeOff, AbsenceContext), AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Read)?;
        let number: i64 = id.parse().map_err(|_| absence_not_found())?;
        let time_off = self
            .store
            .time_off(caller.credential.company_id, number)?
            .ok_or_else(absence_not_found)?;
        let context = AbsenceContext {
            reference: self.reference(caller)?,
            employees: self.employee_map(caller, std::iter::once(time_off.employee_id))?,
            employee_attributes: caller.selection(&[], &SHORT_EMPLOYEE),
        };
        Ok((time_off, context))
    }

    /// `DELETE /v1/company/time-offs/{id}`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences write, [`ErrorKind::NotFound`]
    /// for an id not in the caller's company.
    pub fn v1_delete_time_off(&self, caller: &ApiCaller, id: &str) -> Result<(), AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Write)?;
        let number: i64 = id.parse().map_err(|_| absence_not_found())?;
        if self
            .store
            .delete_time_off(caller.credential.company_id, number)?
        {
            Ok(())
        } else {
            Err(absence_not_found())
        }
    }

    /// `POST /v1/company/absence-periods`: an hour absence. One day needs
    /// `start_time` and `end_time`; more days run from `start_time` (else
    /// the first day's start) to `end_time` (else the last day's end).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences write; [`ErrorKind::NotFound`]
    /// for an employee or absence type not in the company;
    /// [`ErrorKind::Invalid`] with the message [`VALIDATION_FAILED`] and
    /// every field's problem, also for an overlap with another hour absence.
    pub fn v1_create_absence_period(
        &self,
        caller: &ApiCaller,
        fields: &NewAbsencePeriod,
    ) -> Result<(AbsencePeriod, AbsenceContext), AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Write)?;
        let company = caller.credential.company_id;
        let mut problems = Vec::new();
        let mut required = |name: &str, given: &Given<i64>| match given {
            Given::Value(v) => Some(*v),
            Given::Absent => {
                problems.push(field(name, format!("The {name} field is required.")));
                None
            }
            Given::Malformed(text) => {
                problems.push(field(name, format!("'{text}' is not an id")));
                None
            }
        };
        let employee_id = required("employee_id", &fields.employee_id);
        let type_id = required("time_off_type_id", &fields.time_off_type_id);
        let mut date = |name: &str, given: &Given<String>| {
            let parsed = given.value().as_deref().and_then(day);
            if parsed.is_none() {
                problems.push(field(
                    name,
                    format!("The {name} must be a date (YYYY-MM-DD)."),
                ));
            }
            parsed
        };
        let start_date = date("start_date", &fields.start_date);
        let end_date = date("end_date", &fields.end_date);
        let mut time = |name: &str, given: &Given<String>| match given {
            Given::Absent => None,
            given => {
                let parsed = given.value().as_deref().and_then(clock);
                if parsed.is_none() {
                    problems.push(field(name, format!("The {name} must be a time (HH:MM).")));
                }
                parsed
            }
        };
        let start_time = time("start_time", &fields.start_time);
        let end_time = time("end_time", &fields.end_time);
        for (name, given) in [
            ("half_day_start", &fields.half_day_start),
            ("half_day_end", &fields.half_day_end),
        ] {
            match given.or(false, name) {
                Ok(false) => {}
                Ok(true) => problems.push(field(
                    name,
                    "Half days of hour absences are not modelled; send start_time and end_time instead.",
                )),
                Err(e) => problems.push(field(name, e.to_string())),
            }
        }
        let comment = match comment(&fields.comment) {
            Ok(text) => text.filter(|t| !t.is_empty()),
            Err(message) => {
                problems.push(field("comment", message));
                None
            }
        };
        let approved = match fields.skip_approval.or(true, "skip_approval") {
            Ok(flag) => flag,
            Err(e) => {
                problems.push(field("skip_approval", e.to_string()));
                true
            }
        };
        let mut span = None;
        if let (Some(first), Some(last)) = (start_date, end_date) {
            if last < first {
                problems.push(field(
                    "end_date",
                    format!("The end_date {last} is before the start_date {first}."),
                ));
            } else if (last - first).num_days() >= MAX_ABSENCE_DAYS {
                problems.push(field(
                    "end_date",
                    format!("An absence period spans at most {MAX_ABSENCE_DAYS} days."),
                ));
            } else if first == last && (start_time.is_none() || end_time.is_none()) {
                for (name, t) in [("start_time", start_time), ("end_time", end_time)] {
                    if t.is_none() && !problems.iter().any(|p| p.field == name) {
                        problems.push(field(
                            name,
                            format!("The {name} field is required when start_date and end_date are the same day."),
                        ));
                    }
                }
            } else {
                let start = first.and_time(start_time.unwrap_or(NaiveTime::MIN));
                let end = match end_time {
                    Some(t) => last.and_time(t),
                    // The end of the last day.
                    None => last.and_time(NaiveTime::MIN) + Duration::days(1),
                };
                if end <= start {
                    problems.push(field(
                        "end_time",
                        format!(
                            "The absence must end after it starts ({} is not after {}).",
                            end.format("%Y-%m-%d %H:%M"),
                            start.format("%Y-%m-%d %H:%M")
                        ),
                    ));
                } else {
                    span = Some((start, end));
                }
            }
        }
        let refused = |problems: Vec<FieldProblem>| {
            AppError::invalid(VALIDATION_FAILED.into()).with_fields(problems)
        };
        let (Some(employee_id), Some(type_id), Some((start, end)), true) =
            (employee_id, type_id, span, problems.is_empty())
        else {
            return Err(refused(problems));
        };
        let employees = self.employee_map(caller, std::iter::once(employee_id))?;
        if !employees.contains_key(&employee_id) {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("employee_id: {employee_id} is not an employee of this company"),
            ));
        }
        let reference = self.reference(caller)?;
        let Some(kind) = reference.time_off_types.iter().find(|t| t.id == type_id) else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("time_off_type_id: {type_id} is not a time-off type of this company"),
            ));
        };
        if kind.unit != TimeOffUnit::Hour {
            return Err(refused(vec![field(
                "time_off_type_id",
                format!(
                    "{} is counted in days; record it with POST /v1/company/time-offs",
                    kind.name
                ),
            )]));
        }
        let now = Utc::now();
        let period = AbsencePeriod {
            id: uuid::Uuid::now_v7(),
            employee_id,
            time_off_type_id: type_id,
            start,
            end,
            status: if approved {
                relais_people::TimeOffStatus::Approved
            } else {
                relais_people::TimeOffStatus::Requested
            },
            comment,
            created_at: now,
            updated_at: now,
        };
        match self.store.insert_absence_period(company, &period) {
            Err(StoreError::Overlaps(_)) => {
                return Err(refused(vec![field(
                    "start_date",
                    format!(
                        "The employee has an absence period overlapping {} to {} already.",
                        start.format("%Y-%m-%d %H:%M"),
                        end.format("%Y-%m-%d %H:%M")
                    ),
                )]));
            }
            other => other?,
        }
        Ok((
            period,
            AbsenceContext {
                reference,
                employees,
                employee_attributes: caller.selection(&[], &SHORT_EMPLOYEE),
            },
        ))
    }

    /// `DELETE /v1/company/absence-periods/{id}` (a UUID).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Absences write, [`ErrorKind::NotFound`]
    /// for an id not in the caller's company.
    pub fn v1_delete_absence_period(&self, caller: &ApiCaller, id: &str) -> Result<(), AppError> {
        caller.require(PublicApi::Absences, ApiAccess::Write)?;
        let uuid = uuid::Uuid::parse_str(id).map_err(|_| absence_not_found())?;
        if self
            .store
            .delete_absence_period(caller.credential.company_id, uuid)?
        {
            Ok(())
        } else {
            Err(absence_not_found())
        }
    }
}
