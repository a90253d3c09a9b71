//! The Recruiting API's wire: the recruiting API's error and upload
//! answers, the deprecated form's envelope, the OAuth2 token endpoint, and
//! the v2 reads (`_data` / `_meta.links.next.href`).

use std::collections::BTreeMap;

use relais_app::recruiting::{ApplicationRecord, CandidateRecord};
use relais_recruiting::application::FieldError;
use relais_recruiting::{JobPosition, Phase, RecruitingCategory, RecruitingSetup, StageTransition};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One reason a field was refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reason {
    /// E.g. `errors.attribute-validation.invalid-email-format`.
    pub reason: &'static str,
    /// A limit or the accepted values, when there are any.
    #[schema(value_type = Object)]
    pub context: BTreeMap<String, Value>,
}

/// One item of a recruiting error answer: a refused field, or a generic error.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ErrorItem {
    /// A refused field with its reasons.
    Field {
        /// The field, as sent (`email`, `files[0].uuid`, an attribute id).
        field: String,
        /// Why.
        errors: Vec<Reason>,
    },
    /// Anything else.
    Generic {
        /// A uuid for this occurrence (the server log has it too).
        id: String,
        /// The HTTP status, as a string.
        status: String,
        /// Short title.
        title: String,
        /// What happened.
        detail: String,
    },
}

/// The recruiting API's error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// One item per refused field, or one generic item.
    pub errors: Vec<ErrorItem>,
}

impl ErrorResponse {
    /// Field errors grouped by field, in the order first seen.
    #[must_use]
    pub fn fields(errors: &[FieldError]) -> Self {
        let mut items: Vec<ErrorItem> = Vec::new();
        for error in errors {
            let reason = Reason {
                reason: error.reason.code(),
                context: error.context.clone(),
            };
            match items
                .iter_mut()
                .find(|i| matches!(i, ErrorItem::Field { field, .. } if *field == error.field))
            {
                Some(ErrorItem::Field { errors, .. }) => errors.push(reason),
                _ => items.push(ErrorItem::Field {
                    field: error.field.clone(),
                    errors: vec![reason],
                }),
            }
        }
        Self { errors: items }
    }

    /// One generic error.
    #[must_use]
    pub fn generic(status: u16, title: &str, detail: impl Into<String>) -> Self {
        Self {
            errors: vec![ErrorItem::Generic {
                id: uuid::Uuid::new_v4().to_string(),
                status: status.to_string(),
                title: title.to_owned(),
                detail: detail.into(),
            }],
        }
    }
}

/// A submitted application's body, as `POST /v1/recruiting/applications` takes it.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct SubmitApplication {
    /// The job's number (an integer, or a string holding one).
    #[schema(value_type = i64)]
    job_position_id: Value,
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// E-mail.
    email: String,
    /// A channel's number.
    #[schema(value_type = Option<i64>)]
    recruiting_channel_id: Option<Value>,
    /// A job board's posting id.
    external_posting_id: Option<String>,
    /// The applicant's message.
    message: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    application_date: Option<String>,
    /// `{"type": "system"|"custom", "id": …}`.
    #[schema(value_type = Option<Object>)]
    phase: Option<Value>,
    /// Tags; unknown ones are created.
    tags: Option<Vec<String>>,
    /// `[{uuid, original_filename, category}]`, each an earlier upload.
    #[schema(value_type = Option<Vec<Object>>)]
    files: Option<Vec<Value>>,
    /// `[{id, value}]`: `birthday`, `gender`, `location`, `phone`,
    /// `available_from`, `salary_expectations`, `custom_attribute_<n>`.
    #[schema(value_type = Option<Vec<Object>>)]
    attributes: Option<Vec<Value>>,
}

/// An uploaded file, to be named in an application's `files`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedFile {
    /// Its uuid.
    pub uuid: uuid::Uuid,
    /// Bytes.
    pub size: u64,
    /// Media type.
    pub mimetype: String,
    /// The name sent.
    pub original_filename: String,
    /// Lower-case extension.
    pub extension: String,
}

/// The deprecated form's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormAnswer {
    /// Whether it worked.
    pub success: bool,
    /// On success: `{"message": …}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<FormMessage>,
    /// On failure: `{"message": …}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FormMessage>,
}

/// A message of the deprecated form.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormMessage {
    /// In words.
    pub message: String,
}

impl FormAnswer {
    /// Success.
    #[must_use]
    pub fn applied() -> Self {
        Self {
            success: true,
            data: Some(FormMessage {
                message: "Applicant successfully applied to the job position.".into(),
            }),
            error: None,
        }
    }

    /// Failure, with a message.
    #[must_use]
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            success: false,
            data: None,
            error: Some(FormMessage {
                message: message.into(),
            }),
        }
    }
}

/// `POST /v2/auth/token`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthToken {
    /// The bearer token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds it is valid.
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// `POST /v2/auth/token`'s refusal (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type`, `invalid_scope`.
    pub error: &'static str,
    /// In words.
    pub error_description: String,
}

/// A v2 error item.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2ErrorItem {
    /// Short title.
    pub title: String,
    /// What happened.
    pub detail: String,
    /// A link naming the kind of error.
    #[serde(rename = "type")]
    pub kind: String,
    /// Nothing more, kept for the shape.
    #[serde(rename = "_meta")]
    #[schema(value_type = Object)]
    pub meta: BTreeMap<String, Value>,
}

/// A v2 error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Error {
    /// The request's id.
    pub personio_trace_id: String,
    /// When.
    pub timestamp: String,
    /// What went wrong.
    pub errors: Vec<V2ErrorItem>,
}

/// A link.
#[derive(Debug, Serialize, ToSchema)]
pub struct Href {
    /// Absolute URL.
    pub href: String,
}

/// The links of a v2 page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    /// The next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Href>,
}

/// The `_meta` of a v2 page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// Links.
    pub links: Links,
}

/// A v2 page.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2List<T: ToSchema> {
    /// The items.
    #[serde(rename = "_data")]
    pub data: Vec<T>,
    /// Where the next page is.
    #[serde(rename = "_meta")]
    pub meta: ListMeta,
}

impl<T: ToSchema> V2List<T> {
    /// A page, with the URL of the next one if there is one.
    #[must_use]
    pub fn new(data: Vec<T>, next: Option<String>) -> Self {
        Self {
            data,
            meta: ListMeta {
                links: Links {
                    next: next.map(|href| Href { href }),
                },
            },
        }
    }
}

/// A point in time as v2 writes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Time {
    /// RFC 3339.
    #[serde(rename = "date-time")]
    pub date_time: String,
    /// The zone the time is meant in.
    pub timezone: &'static str,
}

impl From<chrono::DateTime<chrono::Utc>> for V2Time {
    fn from(at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            date_time: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            timezone: "UTC",
        }
    }
}

/// An id with a name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Named {
    /// The id, as a string; absent where Relais keeps only the name.
    pub id: Option<String>,
    /// The name.
    pub name: String,
}

/// A phase (stage).
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Stage {
    /// `unassigned`, … for system phases; the number for custom ones.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `system` or `custom`.
    #[serde(rename = "type")]
    pub kind_of: &'static str,
    /// The system phase, or `custom`.
    pub kind: String,
}

impl V2Stage {
    /// A phase with its name from the set-up.
    #[must_use]
    pub fn new(phase: Phase, setup: &RecruitingSetup) -> Self {
        let (id, kind_of, kind) = match phase {
            Phase::System(system) => (
                system.as_str().to_owned(),
                "system",
                system.as_str().to_owned(),
            ),
            Phase::Custom(id) => (id.to_string(), "custom", "custom".to_owned()),
        };
        Self {
            id,
            name: setup.phase_name(phase),
            kind_of,
            kind,
        }
    }
}

/// The candidate inside an application.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2ApplicationCandidate {
    /// Its id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Gender.
    pub gender: Option<&'static str>,
}

/// The job inside an application.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2ApplicationJob {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its department.
    pub department: Option<Named>,
    /// Its recruiting category.
    pub category: Option<Named>,
}

/// A v2 application.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Application {
    /// Its id.
    pub id: String,
    /// The day of application.
    pub application_date: String,
    /// Who applied.
    pub candidate: Option<V2ApplicationCandidate>,
    /// To what.
    pub job: Option<V2ApplicationJob>,
    /// Where it stands.
    pub current_stage: V2Stage,
    /// Through which channel.
    pub channel: Option<Named>,
    /// Not modelled: always empty.
    pub hiring_team: Vec<Value>,
    /// Always false: Relais does not anonymise.
    pub is_anonymized: bool,
    /// When it arrived.
    pub created_at: V2Time,
    /// When it last changed.
    pub updated_at: V2Time,
}

fn category(setup: &RecruitingSetup, id: Option<i64>) -> Option<Named> {
    id.and_then(|c| setup.category(c)).map(|c| Named {
        id: Some(c.id.to_string()),
        name: c.name.clone(),
    })
}

impl V2Application {
    /// The wire of an application record.
    #[must_use]
    pub fn new(record: &ApplicationRecord, setup: &RecruitingSetup) -> Self {
        let a = &record.application;
        Self {
            id: a.id.to_string(),
            application_date: a.application_date.to_string(),
            candidate: record.candidate.as_ref().map(|c| V2ApplicationCandidate {
                id: c.id.to_string(),
                email: c.email.clone(),
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                gender: c.details.gender.map(|g| g.as_str()),
            }),
            job: record.job.as_ref().map(|j| V2ApplicationJob {
                id: j.id.to_string(),
                name: j.draft.name.clone(),
                department: j
                    .draft
                    .department
                    .clone()
                    .map(|name| Named { id: None, name }),
                category: category(setup, j.draft.category_id),
            }),
            current_stage: V2Stage::new(a.phase, setup),
            channel: a.channel_id.and_then(|c| setup.channel(c)).map(|c| Named {
                id: Some(c.id.to_string()),
                name: c.name.clone(),
            }),
            hiring_team: Vec::new(),
            is_anonymized: false,
            created_at: a.created_at.into(),
            updated_at: a.updated_at.into(),
        }
    }
}

/// An application of a candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2CandidateApplication {
    /// Its id.
    pub id: String,
    /// The day of application.
    pub application_date: String,
}

/// A v2 candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Candidate {
    /// Its id.
    pub id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// Gender.
    pub gender: Option<&'static str>,
    /// Phone.
    pub phone: Option<String>,
    /// Where they live.
    pub location: Option<String>,
    /// Date of birth.
    pub birthday: Option<String>,
    /// Not modelled: always null.
    pub linkedin_profile: Option<String>,
    /// When they could start.
    pub available_from: Option<String>,
    /// Their applications.
    pub applications: Vec<V2CandidateApplication>,
    /// When they first applied.
    pub created_at: V2Time,
    /// When they last changed.
    pub updated_at: V2Time,
}

impl From<&CandidateRecord> for V2Candidate {
    fn from(record: &CandidateRecord) -> Self {
        let c = &record.candidate;
        Self {
            id: c.id.to_string(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            gender: c.details.gender.map(|g| g.as_str()),
            phone: c.details.phone.clone(),
            location: c.details.location.clone(),
            birthday: c.details.birthday.map(|d| d.to_string()),
            linkedin_profile: None,
            available_from: c.details.available_from.clone(),
            applications: record
                .applications
                .iter()
                .map(|(id, date)| V2CandidateApplication {
                    id: id.to_string(),
                    application_date: date.to_string(),
                })
                .collect(),
            created_at: c.created_at.into(),
            updated_at: c.updated_at.into(),
        }
    }
}

/// The company of a job.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Company {
    /// The company's number.
    pub id: String,
}

/// A v2 job.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Job {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its department.
    pub department: Option<Named>,
    /// Its recruiting category.
    pub category: Option<Named>,
    /// Not modelled: always empty.
    pub hiring_team: Vec<Value>,
    /// Its company.
    pub company: V2Company,
    /// Whether it is published (a Relais addition).
    pub published: bool,
    /// When it was opened.
    pub created_at: V2Time,
    /// When it last changed.
    pub updated_at: V2Time,
}

impl V2Job {
    /// The wire of a job of company `company`.
    #[must_use]
    pub fn new(job: &JobPosition, setup: &RecruitingSetup, company: i64) -> Self {
        Self {
            id: job.id.to_string(),
            name: job.draft.name.clone(),
            department: job
                .draft
                .department
                .clone()
                .map(|name| Named { id: None, name }),
            category: category(setup, job.draft.category_id),
            hiring_team: Vec::new(),
            company: V2Company {
                id: company.to_string(),
            },
            published: job.draft.published,
            created_at: job.created_at.into(),
            updated_at: job.updated_at.into(),
        }
    }
}

/// A v2 category.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2Category {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its phases, in order.
    pub stages: Vec<V2Stage>,
}

impl V2Category {
    /// The wire of a category.
    #[must_use]
    pub fn new(category: &RecruitingCategory, setup: &RecruitingSetup) -> Self {
        Self {
            id: category.id.to_string(),
            name: category.name.clone(),
            stages: category
                .phases
                .iter()
                .map(|p| V2Stage::new(Phase::Custom(p.id), setup))
                .collect(),
        }
    }
}

/// A phase an application entered.
#[derive(Debug, Serialize, ToSchema)]
pub struct V2StageTransition {
    /// When.
    pub entered_at: V2Time,
    /// Which phase.
    pub stage: V2Stage,
}

impl V2StageTransition {
    /// The wire of a transition.
    #[must_use]
    pub fn new(transition: &StageTransition, setup: &RecruitingSetup) -> Self {
        Self {
            entered_at: transition.entered_at.into(),
            stage: V2Stage::new(transition.phase, setup),
        }
    }
}
