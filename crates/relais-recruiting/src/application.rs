//! Reading and checking a submitted application, as the modelled HRIS's
//! `POST /v1/recruiting/applications` does: every problem is reported at
//! once, by field, with the reason codes its clients know.
//!
//! Lenient where real clients need it: integer ids may come as numeric
//! strings (Pipedream, TYPO3's ns_personio), and optional attributes sent
//! as empty strings count as not given.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use crate::model::{
    Application, ApplicationFile, ApplicationSource, CandidateDetails, FileCategory, Gender,
    JobPosition, Phase, RecruitingSetup, SystemPhase,
};

/// Longest first or last name, e-mail, posting id or one-line attribute.
pub const MAX_FIELD: usize = 255;
/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 20_000;
/// Most tags on one application.
pub const MAX_TAGS: usize = 50;
/// Most files on one application.
pub const MAX_FILES: usize = 20;
/// Most attributes on one application.
pub const MAX_ATTRIBUTES: usize = 100;

/// Why a field was refused: the modelled HRIS's reason codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// An attribute id nobody configured.
    UnknownAttribute,
    /// A required field or attribute is missing.
    Required,
    /// A date that is not `YYYY-MM-DD`.
    InvalidDateFormat,
    /// An e-mail address that is not one.
    InvalidEmailFormat,
    /// A value of the wrong type, or too long.
    InvalidType,
    /// An option key the attribute does not have.
    UnknownOption,
    /// A date after today.
    DateInTheFuture,
    /// A system phase that does not exist.
    InvalidSystemPhase,
    /// A file uuid that is no upload of the company (or one used already).
    FileNotExists,
    /// A file category that does not exist.
    UnknownFileCategory,
    /// A file of a type not accepted.
    InvalidFileType,
    /// A file over the size limit.
    FileTooBig,
    /// The e-mail applied to this job already.
    ApplicantAlreadyExists,
    /// An external posting id the job does not have.
    PostingNotFound,
    /// A channel id the company does not have.
    ChannelNotFound,
    /// The job is not published (or does not exist).
    JobNotPublished,
    /// The company does not use recruiting.
    RecruitingDisabled,
    /// The company switched the public recruiting API off.
    PublicApiDisabled,
}

impl Reason {
    /// The code clients match on.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::UnknownAttribute => "errors.attribute-validation.unknown",
            Self::Required => "errors.attribute-validation.required-attribute",
            Self::InvalidDateFormat => "errors.attribute-validation.invalid-date-format",
            Self::InvalidEmailFormat => "errors.attribute-validation.invalid-email-format",
            Self::InvalidType => "errors.attribute-validation.invalid-type",
            Self::UnknownOption => "errors.attribute-validation.unknown-attribute-option",
            Self::DateInTheFuture => "errors.date-validation.date-in-the-future",
            Self::InvalidSystemPhase => "errors.phase-validation.invalid-system-phase",
            Self::FileNotExists => "errors.file-validation.file-not-exists",
            Self::UnknownFileCategory => "errors.file-validation.unknown-file-category",
            Self::InvalidFileType => "errors.invalid-file-type",
            Self::FileTooBig => "errors.file-too-big",
            Self::ApplicantAlreadyExists => "errors.applicant-already-exists",
            Self::PostingNotFound => "errors.posting-validation.posting-not-found",
            Self::ChannelNotFound => "errors.posting-validation.channel-not-found",
            Self::JobNotPublished => "errors.job-position.not-published",
            Self::RecruitingDisabled => "feature.recruiting.disabled",
            Self::PublicApiDisabled => "feature.public-api.disabled",
        }
    }

    /// Whether the company's set-up refuses, not the request (403).
    #[must_use]
    pub const fn is_feature(self) -> bool {
        matches!(self, Self::RecruitingDisabled | Self::PublicApiDisabled)
    }
}

/// One refused field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as sent: `email`, `files[0].uuid`, an attribute id.
    pub field: String,
    /// Why.
    pub reason: Reason,
    /// A limit or the accepted values, for the client's message.
    pub context: BTreeMap<String, Value>,
}

impl FieldError {
    /// A refusal of `field` for `reason`.
    #[must_use]
    pub fn new(field: impl Into<String>, reason: Reason) -> Self {
        Self {
            field: field.into(),
            reason,
            context: BTreeMap::new(),
        }
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.context.insert(key.to_owned(), value.into());
        self
    }
}

/// A file an application names: an earlier upload, by uuid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedFile {
    /// The upload's uuid.
    pub upload: uuid::Uuid,
    /// The file's name on the applicant's computer.
    pub original_filename: String,
    /// What it is.
    pub category: FileCategory,
}

/// A submitted application that is well-formed, before it is checked
/// against the job and the company's set-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The job applied to.
    pub job_id: i64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Lower-cased e-mail.
    pub email: String,
    /// The channel, if given.
    pub channel_id: Option<i64>,
    /// The job board's posting id, if given.
    pub external_posting_id: Option<String>,
    /// The applicant's message.
    pub message: Option<String>,
    /// The day of application (today when not given).
    pub application_date: Option<NaiveDate>,
    /// The phase asked for.
    pub phase: Option<PhaseRequest>,
    /// Tags.
    pub tags: Vec<String>,
    /// Files, by upload.
    pub files: Vec<SubmittedFile>,
    /// The standard attributes.
    pub details: CandidateDetails,
    /// The company's attributes, by API name (`custom_attribute_<n>`).
    pub custom: BTreeMap<String, String>,
}

/// The phase a submission asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseRequest {
    /// A system phase.
    System(SystemPhase),
    /// A custom phase by id: an unknown one means `unassigned`.
    Custom(i64),
}

/// Collects the problems of one submission.
#[derive(Debug, Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, error: FieldError) {
        self.0.push(error);
    }
}

/// An integer, or a string holding one (clients send both).
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text<'a>(
    object: &'a serde_json::Map<String, Value>,
    field: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            problems.add(FieldError::new(field, Reason::InvalidType).with("expected", "string"));
            None
        }
    }
}

fn bounded(field: &str, text: &str, max: usize, problems: &mut Problems) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > max {
        problems.add(FieldError::new(field, Reason::InvalidType).with("max_length", max));
        return None;
    }
    Some(text.to_owned())
}

fn date(field: &str, text: &str, today: NaiveDate, problems: &mut Problems) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(day) if day > today => {
            problems.add(FieldError::new(field, Reason::DateInTheFuture));
            None
        }
        Ok(day) => Some(day),
        Err(_) => {
            problems.add(FieldError::new(field, Reason::InvalidDateFormat).with("format", "Y-m-d"));
            None
        }
    }
}

/// Reads a submitted application (the JSON body of
/// `POST /v1/recruiting/applications`).
///
/// # Errors
/// Every problem found, by field.
pub fn parse_submission(body: &Value, today: NaiveDate) -> Result<Submission, Vec<FieldError>> {
    let mut problems = Problems::default();
    let Some(object) = body.as_object() else {
        return Err(vec![
            FieldError::new("body", Reason::InvalidType).with("expected", "object"),
        ]);
    };
    let required_text = |field: &str, problems: &mut Problems| {
        let value = text(object, field, problems);
        if value.is_none() && !problems.0.iter().any(|p| p.field == field) {
            problems.add(FieldError::new(field, Reason::Required));
        }
        value.and_then(|v| bounded(field, v, MAX_FIELD, problems))
    };
    let first_name = required_text("first_name", &mut problems);
    let last_name = required_text("last_name", &mut problems);
    let email = required_text("email", &mut problems).and_then(|e| {
        relais_access::normalize_email(&e)
            .map_err(|_| problems.add(FieldError::new("email", Reason::InvalidEmailFormat)))
            .ok()
    });
    let job_id = match object.get("job_position_id") {
        None | Some(Value::Null) => {
            problems.add(FieldError::new("job_position_id", Reason::Required));
            None
        }
        Some(value) => integer(value).or_else(|| {
            problems.add(
                FieldError::new("job_position_id", Reason::InvalidType).with("expected", "integer"),
            );
            None
        }),
    };
    let channel_id = match object.get("recruiting_channel_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(value) => integer(value).or_else(|| {
            problems.add(
                FieldError::new("recruiting_channel_id", Reason::InvalidType)
                    .with("expected", "integer"),
            );
            None
        }),
    };
    let external_posting_id = match object.get("external_posting_id") {
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => text(object, "external_posting_id", &mut problems)
            .and_then(|t| bounded("external_posting_id", t, MAX_FIELD, &mut problems)),
    };
    let message = text(object, "message", &mut problems)
        .and_then(|t| bounded("message", t, MAX_MESSAGE, &mut problems));
    let application_date = text(object, "application_date", &mut problems)
        .and_then(|t| date("application_date", t, today, &mut problems));
    let phase = parse_phase(object.get("phase"), &mut problems);
    let tags = parse_tags(object.get("tags"), &mut problems);
    let files = parse_files(object.get("files"), &mut problems);
    let (details, custom) = parse_attributes(object.get("attributes"), today, &mut problems);
    match (job_id, first_name, last_name, email) {
        (Some(job_id), Some(first_name), Some(last_name), Some(email)) if problems.0.is_empty() => {
            Ok(Submission {
                job_id,
                first_name,
                last_name,
                email,
                channel_id,
                external_posting_id,
                message,
                application_date,
                phase,
                tags,
                files,
                details,
                custom,
            })
        }
        _ => Err(problems.0),
    }
}

fn parse_phase(value: Option<&Value>, problems: &mut Problems) -> Option<PhaseRequest> {
    let object = match value {
        None | Some(Value::Null) => return None,
        Some(Value::Object(o)) => o,
        Some(_) => {
            problems.add(FieldError::new("phase", Reason::InvalidType).with("expected", "object"));
            return None;
        }
    };
    let id = object.get("id").unwrap_or(&Value::Null);
    match object.get("type").and_then(Value::as_str) {
        Some("system") => match id.as_str().map(|s| SystemPhase::parse("phase", s)) {
            Some(Ok(system)) => Some(PhaseRequest::System(system)),
            _ => {
                problems.add(
                    FieldError::new("phase", Reason::InvalidSystemPhase).with(
                        "accepted",
                        SystemPhase::ALL
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>(),
                    ),
                );
                None
            }
        },
        Some("custom") => integer(id).map(PhaseRequest::Custom).or_else(|| {
            problems.add(FieldError::new("phase", Reason::InvalidType).with("expected", "integer"));
            None
        }),
        _ => {
            problems.add(
                FieldError::new("phase", Reason::InvalidType)
                    .with("accepted_types", vec!["system", "custom"]),
            );
            None
        }
    }
}

fn parse_tags(value: Option<&Value>, problems: &mut Problems) -> Vec<String> {
    let items = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.add(FieldError::new("tags", Reason::InvalidType).with("expected", "array"));
            return Vec::new();
        }
    };
    if items.len() > MAX_TAGS {
        problems.add(FieldError::new("tags", Reason::InvalidType).with("max_items", MAX_TAGS));
        return Vec::new();
    }
    let mut tags = Vec::new();
    for item in items {
        match item.as_str().map(str::trim) {
            Some("") => {}
            Some(tag) if tag.chars().count() <= 100 => {
                if !tags.iter().any(|t: &String| t.eq_ignore_ascii_case(tag)) {
                    tags.push(tag.to_owned());
                }
            }
            _ => problems.add(
                FieldError::new("tags", Reason::InvalidType)
                    .with("expected", "strings of at most 100 characters"),
            ),
        }
    }
    tags
}

fn parse_files(value: Option<&Value>, problems: &mut Problems) -> Vec<SubmittedFile> {
    let items = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.add(FieldError::new("files", Reason::InvalidType).with("expected", "array"));
            return Vec::new();
        }
    };
    if items.len() > MAX_FILES {
        problems.add(FieldError::new("files", Reason::InvalidType).with("max_items", MAX_FILES));
        return Vec::new();
    }
    let mut files = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| format!("files[{index}].{name}");
        let get = |name: &str| item.get(name).and_then(Value::as_str).map(str::trim);
        let upload = match get("uuid").map(uuid::Uuid::parse_str) {
            Some(Ok(upload)) => Some(upload),
            Some(Err(_)) => {
                problems.add(FieldError::new(field("uuid"), Reason::FileNotExists));
                None
            }
            None => {
                problems.add(FieldError::new(field("uuid"), Reason::Required));
                None
            }
        };
        let original_filename = match get("original_filename") {
            Some(name) if !name.is_empty() => {
                bounded(&field("original_filename"), name, MAX_FIELD, problems)
            }
            _ => {
                problems.add(FieldError::new(
                    field("original_filename"),
                    Reason::Required,
                ));
                None
            }
        };
        let category = match get("category") {
            Some(name) => FileCategory::parse("category", name).ok().or_else(|| {
                problems.add(
                    FieldError::new(field("category"), Reason::UnknownFileCategory).with(
                        "accepted",
                        FileCategory::ALL
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>(),
                    ),
                );
                None
            }),
            None => {
                problems.add(FieldError::new(field("category"), Reason::Required));
                None
            }
        };
        if let (Some(upload), Some(original_filename), Some(category)) =
            (upload, original_filename, category)
        {
            if files.iter().any(|f: &SubmittedFile| f.upload == upload) {
                problems.add(FieldError::new(field("uuid"), Reason::FileNotExists));
            } else {
                files.push(SubmittedFile {
                    upload,
                    original_filename,
                    category,
                });
            }
        }
    }
    files
}

/// The standard attribute ids applications may carry.
pub const STANDARD_ATTRIBUTES: [&str; 6] = [
    "birthday",
    "gender",
    "location",
    "phone",
    "available_from",
    "salary_expectations",
];

fn parse_attributes(
    value: Option<&Value>,
    today: NaiveDate,
    problems: &mut Problems,
) -> (CandidateDetails, BTreeMap<String, String>) {
    let mut details = CandidateDetails::default();
    let mut custom = BTreeMap::new();
    let items = match value {
        None | Some(Value::Null) => return (details, custom),
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems
                .add(FieldError::new("attributes", Reason::InvalidType).with("expected", "array"));
            return (details, custom);
        }
    };
    if items.len() > MAX_ATTRIBUTES {
        problems.add(
            FieldError::new("attributes", Reason::InvalidType).with("max_items", MAX_ATTRIBUTES),
        );
        return (details, custom);
    }
    for item in items {
        let Some(id) = item.get("id").and_then(Value::as_str).map(str::trim) else {
            problems.add(FieldError::new("attributes", Reason::Required).with("missing", "id"));
            continue;
        };
        let value = match item.get("value") {
            Some(Value::String(v)) => v.trim(),
            None | Some(Value::Null) => {
                problems.add(FieldError::new(id, Reason::Required));
                continue;
            }
            Some(_) => {
                problems.add(FieldError::new(id, Reason::InvalidType).with("expected", "string"));
                continue;
            }
        };
        if value.is_empty() {
            // Career-site plugins send every optional field, empty ones too.
            continue;
        }
        let line = |max: usize, problems: &mut Problems| bounded(id, value, max, problems);
        match id {
            "birthday" => details.birthday = date(id, value, today, problems),
            "gender" => match Gender::parse("gender", value) {
                Ok(gender) => details.gender = Some(gender),
                Err(_) => problems.add(FieldError::new(id, Reason::UnknownOption).with(
                    "accepted",
                    Gender::ALL.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
                )),
            },
            "location" => details.location = line(MAX_FIELD, problems),
            "phone" => details.phone = line(MAX_FIELD, problems),
            "available_from" => details.available_from = line(100, problems),
            "salary_expectations" => details.salary_expectations = line(MAX_FIELD, problems),
            other if other.starts_with("custom_attribute_") => {
                if let Some(v) = line(2_000, problems) {
                    custom.insert(other.to_owned(), v);
                }
            }
            other => problems.add(FieldError::new(other, Reason::UnknownAttribute)),
        }
    }
    (details, custom)
}

/// An application ready to be stored: checked against the job and the
/// company's set-up. The store checks what only it can know (the uploads,
/// one application per candidate and job) in the transaction that writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedApplication {
    /// The submission.
    pub submission: Submission,
    /// The phase it starts in.
    pub phase: Phase,
    /// The channel, given or learnt from the posting.
    pub channel_id: Option<i64>,
    /// The day of application.
    pub application_date: NaiveDate,
}

impl CheckedApplication {
    /// The application to store, once the store gave it and its candidate
    /// their numbers.
    #[must_use]
    pub fn application(
        &self,
        id: i64,
        candidate_id: i64,
        source: ApplicationSource,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Application {
        let s = &self.submission;
        Application {
            id,
            candidate_id,
            job_id: s.job_id,
            channel_id: self.channel_id,
            external_posting_id: s.external_posting_id.clone(),
            message: s.message.clone(),
            application_date: self.application_date,
            phase: self.phase,
            tags: s.tags.clone(),
            attributes: s.custom.clone(),
            files: s
                .files
                .iter()
                .map(|f| ApplicationFile {
                    upload: f.upload,
                    original_filename: f.original_filename.clone(),
                    category: f.category,
                })
                .collect(),
            source,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Checks a submission against its job (absent when the company has no
/// job of that number) and the company's set-up.
///
/// A job that does not exist is refused like an unpublished one: applicants
/// learn nothing about drafts.
///
/// # Errors
/// Every problem found, by field.
pub fn check_submission(
    submission: Submission,
    job: Option<&JobPosition>,
    setup: &RecruitingSetup,
    today: NaiveDate,
) -> Result<CheckedApplication, Vec<FieldError>> {
    let mut problems = Problems::default();
    let job = job.filter(|j| j.draft.published);
    if job.is_none() {
        problems.add(FieldError::new("job_position_id", Reason::JobNotPublished));
    }
    let mut channel_id = submission.channel_id;
    if let Some(id) = channel_id
        && setup.channel(id).is_none()
    {
        problems.add(FieldError::new(
            "recruiting_channel_id",
            Reason::ChannelNotFound,
        ));
    }
    if let (Some(posting), Some(job)) = (&submission.external_posting_id, job) {
        match job
            .draft
            .postings
            .iter()
            .find(|p| &p.external_id == posting)
        {
            Some(found) => channel_id = channel_id.or(Some(found.channel_id)),
            None => problems.add(FieldError::new(
                "external_posting_id",
                Reason::PostingNotFound,
            )),
        }
    }
    for (name, value) in &submission.custom {
        match setup.attributes.iter().find(|a| &a.api_name() == name) {
            None => problems.add(FieldError::new(name.clone(), Reason::UnknownAttribute)),
            Some(attribute) => match &attribute.kind {
                crate::model::AttributeKind::Text => {}
                crate::model::AttributeKind::Date => {
                    if NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err() {
                        problems.add(FieldError::new(name.clone(), Reason::InvalidDateFormat));
                    }
                }
                crate::model::AttributeKind::Options { options } => {
                    if !options.contains(value) {
                        problems.add(
                            FieldError::new(name.clone(), Reason::UnknownOption)
                                .with("accepted", options.clone()),
                        );
                    }
                }
            },
        }
    }
    for attribute in setup.attributes.iter().filter(|a| a.required) {
        if !submission.custom.contains_key(&attribute.api_name()) {
            problems.add(FieldError::new(attribute.api_name(), Reason::Required));
        }
    }
    let category = job
        .and_then(|j| j.draft.category_id)
        .and_then(|c| setup.category(c));
    let phase = match submission.phase {
        Some(PhaseRequest::System(system)) => Phase::System(system),
        // A phase the job's category does not have lands in `unassigned`,
        // as the modelled HRIS does: no error.
        Some(PhaseRequest::Custom(id)) => {
            if category.is_some_and(|c| c.phases.iter().any(|p| p.id == id)) {
                Phase::Custom(id)
            } else {
                Phase::System(SystemPhase::Unassigned)
            }
        }
        None => category.map_or(Phase::System(SystemPhase::Unassigned), |c| {
            c.initial_phase()
        }),
    };
    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    Ok(CheckedApplication {
        application_date: submission.application_date.unwrap_or(today),
        phase,
        channel_id,
        submission,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn reasons(errors: &[FieldError]) -> Vec<(String, &'static str)> {
        errors
            .iter()
            .map(|e| (e.field.clone(), e.reason.code()))
            .collect()
    }

    #[test]
    fn pipedreams_strings_for_integers_are_read() {
        let body = json!({
            "job_position_id": "4711", "first_name": "Ada", "last_name": "Lovelace",
            "email": " Ada@Example.org ", "recruiting_channel_id": "12",
            "phase": {"type": "custom", "id": "9"},
        });
        let s = parse_submission(&body, today()).expect("valid");
        assert_eq!(s.job_id, 4711);
        assert_eq!(s.channel_id, Some(12));
        assert_eq!(s.email, "ada@example.org");
        assert_eq!(s.phase, Some(PhaseRequest::Custom(9)));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let body = json!({
            "first_name": " ", "email": "not-an-email", "application_date": "2099-01-01",
            "phase": {"type": "system", "id": "hired"},
            "files": [{"uuid": "x", "original_filename": "cv.pdf", "category": "diploma"}],
            "attributes": [{"id": "birthday", "value": "31.12.1990"}, {"id": "shoe_size", "value": "44"},
                           {"id": "gender", "value": "robot"}],
        });
        let errors = parse_submission(&body, today()).unwrap_err();
        let found = reasons(&errors);
        for expected in [
            (
                "first_name",
                "errors.attribute-validation.required-attribute",
            ),
            (
                "last_name",
                "errors.attribute-validation.required-attribute",
            ),
            ("email", "errors.attribute-validation.invalid-email-format"),
            (
                "job_position_id",
                "errors.attribute-validation.required-attribute",
            ),
            (
                "application_date",
                "errors.date-validation.date-in-the-future",
            ),
            ("phase", "errors.phase-validation.invalid-system-phase"),
            ("files[0].uuid", "errors.file-validation.file-not-exists"),
            (
                "files[0].category",
                "errors.file-validation.unknown-file-category",
            ),
            (
                "birthday",
                "errors.attribute-validation.invalid-date-format",
            ),
            ("shoe_size", "errors.attribute-validation.unknown"),
            (
                "gender",
                "errors.attribute-validation.unknown-attribute-option",
            ),
        ] {
            assert!(
                found.contains(&(expected.0.to_owned(), expected.1)),
                "{expected:?} missing from {found:?}"
            );
        }
    }

    #[test]
    fn empty_optional_attributes_count_as_absent() {
        let body = json!({
            "job_position_id": 1, "first_name": "A", "last_name": "B", "email": "a@b.co",
            "attributes": [{"id": "phone", "value": ""}, {"id": "available_from", "value": "As soon as possible"}],
        });
        let s = parse_submission(&body, today()).expect("valid");
        assert_eq!(s.details.phone, None);
        assert_eq!(
            s.details.available_from.as_deref(),
            Some("As soon as possible")
        );
    }

    proptest::proptest! {
        #[test]
        fn no_json_value_panics_the_reader(text in ".{0,200}") {
            let value = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
            let _ = parse_submission(&value, today());
            let _ = parse_submission(&json!({"job_position_id": value.clone(), "first_name": value.clone(),
                "last_name": "x", "email": value.clone(), "phase": value.clone(), "tags": value.clone(),
                "files": [value.clone()], "attributes": [{"id": "birthday", "value": value}]}), today());
        }
    }
}
