//! What recruiting is made of: job positions, the channels applicants come
//! through, the phases an application goes through, candidates and their
//! applications, and the files attached to them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::RecruitingError;

/// A job position's number, unique in its company. It is the `<id>` of the
/// job feed and the `job_position_id` applications name.
pub type JobId = i64;
/// A candidate's number, unique in its company.
pub type CandidateId = i64;
/// An application's number, unique in its company.
pub type ApplicationId = i64;

/// Longest name, office, department or other one-line text of a job.
pub const MAX_LINE: usize = 255;
/// Longest description section (HTML), in bytes.
pub const MAX_DESCRIPTION: usize = 100_000;
/// Most description sections per language.
pub const MAX_SECTIONS: usize = 20;

/// The languages a career site can be in (the feed's `language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German: the default when none is asked for.
    De,
    /// English.
    En,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Dutch.
    Nl,
    /// Italian.
    It,
    /// Portuguese.
    Pt,
}

impl Language {
    /// Every language, the default first.
    pub const ALL: [Self; 7] = [
        Self::De,
        Self::En,
        Self::Fr,
        Self::Es,
        Self::Nl,
        Self::It,
        Self::Pt,
    ];

    /// The two-letter code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
            Self::Fr => "fr",
            Self::Es => "es",
            Self::Nl => "nl",
            Self::It => "it",
            Self::Pt => "pt",
        }
    }

    /// Reads a two-letter code, in any case.
    ///
    /// # Errors
    /// [`RecruitingError::Invalid`] naming the accepted codes.
    pub fn parse(code: &str) -> Result<Self, RecruitingError> {
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
            .ok_or_else(|| {
                RecruitingError::invalid(
                    "language",
                    format!("'{code}' is not one of de, en, fr, es, nl, it, pt"),
                )
            })
    }
}

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant),+
        }

        // Written out rather than derived: the derive does not see renames
        // made by a macro, and the names are prefixed so that they do not
        // clash with the people crate's `Gender` and `EmploymentType`.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(concat!("Recruiting", stringify!($name)))
            }
        }

        impl $name {
            /// Every value, in the order the reference lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire),+ }
            }

            /// Reads a wire name.
            ///
            /// # Errors
            /// [`RecruitingError::Invalid`] naming the accepted values.
            pub fn parse(field: &'static str, text: &str) -> Result<Self, RecruitingError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text.trim()).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    RecruitingError::invalid(field, format!("'{text}' is not one of {}", names.join(", ")))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// The kind of contract a job offers.
    EmploymentType {
        /// A permanent position.
        Permanent = "permanent",
        /// An internship.
        Intern = "intern",
        /// A traineeship or apprenticeship.
        Trainee = "trainee",
        /// Freelance work.
        Freelance = "freelance",
    }
);

wire_enum!(
    /// The experience a job asks for.
    Seniority {
        /// Entry level.
        EntryLevel = "entry-level",
        /// Experienced.
        Experienced = "experienced",
        /// Executive.
        Executive = "executive",
        /// A student job.
        Student = "student",
    }
);

wire_enum!(
    /// Full or part time.
    Schedule {
        /// Full time.
        FullTime = "full-time",
        /// Part time.
        PartTime = "part-time",
    }
);

wire_enum!(
    /// Years of experience asked for.
    YearsOfExperience {
        /// Less than a year.
        LessThanOne = "lt-1",
        /// One to two years.
        OneToTwo = "1-2",
        /// Two to five years.
        TwoToFive = "2-5",
        /// Five to seven years.
        FiveToSeven = "5-7",
        /// Seven to ten years.
        SevenToTen = "7-10",
        /// Ten to fifteen years.
        TenToFifteen = "10-15",
        /// More than fifteen years.
        MoreThanFifteen = "gt-15",
    }
);

wire_enum!(
    /// The phases every company has, whatever its categories.
    SystemPhase {
        /// Not looked at yet: where applications start.
        Unassigned = "unassigned",
        /// Turned down.
        Rejected = "rejected",
        /// Withdrawn by the candidate.
        Withdrawn = "withdrawn",
        /// An offer was made.
        Offer = "offer",
        /// The offer was accepted.
        Accepted = "accepted",
    }
);

wire_enum!(
    /// What a file attached to an application is.
    FileCategory {
        /// A curriculum vitae.
        Cv = "cv",
        /// A cover letter.
        CoverLetter = "cover-letter",
        /// A reference from an employer.
        EmploymentReference = "employment-reference",
        /// A certificate.
        Certificate = "certificate",
        /// A work sample.
        WorkSample = "work-sample",
        /// Anything else.
        Other = "other",
    }
);

wire_enum!(
    /// A candidate's gender, as applicants give it.
    Gender {
        /// Male.
        Male = "male",
        /// Female.
        Female = "female",
        /// Diverse.
        Diverse = "diverse",
        /// Not given.
        Undefined = "undefined",
    }
);

/// Where an application stands: one of the system phases, or a phase a
/// company configured for a recruiting category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum Phase {
    /// A phase every company has.
    System(SystemPhase),
    /// A phase of the job's category, by its id.
    Custom(i64),
}

/// A phase a company configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomPhase {
    /// Unique in the company.
    pub id: i64,
    /// What recruiters call it, e.g. "Phone screen".
    pub name: String,
}

/// A recruiting category: a group of jobs that share their phases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecruitingCategory {
    /// Unique in the company.
    pub id: i64,
    /// E.g. "Tech".
    pub name: String,
    /// Its phases in order; applications start in the first.
    pub phases: Vec<CustomPhase>,
}

impl RecruitingCategory {
    /// Where a new application of this category starts.
    #[must_use]
    pub fn initial_phase(&self) -> Phase {
        self.phases
            .first()
            .map_or(Phase::System(SystemPhase::Unassigned), |p| {
                Phase::Custom(p.id)
            })
    }
}

/// A channel applicants come through: the career page, a job board, a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecruitingChannel {
    /// Unique in the company.
    pub id: i64,
    /// E.g. "LinkedIn".
    pub name: String,
}

/// A job advertised on a job board: the board forwards its own id for it
/// (`external_posting_id`) with each application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExternalPosting {
    /// The board's id of the posting.
    pub external_id: String,
    /// The channel (board) it is on.
    pub channel_id: i64,
}

/// One section of a job's description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobDescription {
    /// The heading, e.g. "Your tasks".
    pub name: String,
    /// The text, as HTML.
    pub value: String,
}

/// What a company writes to open (or change) a job position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobDraft {
    /// The title, e.g. "Backend Engineer (m/f/d)".
    pub name: String,
    /// The legal entity, if the company has several.
    #[serde(default)]
    pub subcompany: Option<String>,
    /// The main location, as the company writes it.
    pub office: String,
    /// Further locations.
    #[serde(default)]
    pub additional_offices: Vec<String>,
    /// The department.
    #[serde(default)]
    pub department: Option<String>,
    /// The recruiting category (by id): it decides the phases.
    #[serde(default)]
    pub category_id: Option<i64>,
    /// The kind of contract.
    pub employment_type: EmploymentType,
    /// The experience asked for.
    pub seniority: Seniority,
    /// Full or part time.
    pub schedule: Schedule,
    /// Years of experience asked for.
    #[serde(default)]
    pub years_of_experience: Option<YearsOfExperience>,
    /// Search keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The occupation, as a slug (e.g. `software_and_web_development`).
    #[serde(default)]
    pub occupation: Option<String>,
    /// The occupation's category, as a slug (e.g. `it_software`).
    #[serde(default)]
    pub occupation_category: Option<String>,
    /// The description, per language.
    #[serde(default)]
    pub descriptions: BTreeMap<Language, Vec<JobDescription>>,
    /// The job boards it is posted on.
    #[serde(default)]
    pub postings: Vec<ExternalPosting>,
    /// Whether it is on the career page and feed, and takes applications.
    #[serde(default)]
    pub published: bool,
}

/// A job position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobPosition {
    /// Its number (the feed's `<id>`).
    pub id: JobId,
    /// What it is.
    #[serde(flatten)]
    pub draft: JobDraft,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn line(field: &'static str, text: &str, required: bool) -> Result<String, RecruitingError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(RecruitingError::invalid(field, "must not be empty"));
    }
    if text.chars().count() > MAX_LINE {
        return Err(RecruitingError::invalid(
            field,
            format!("is longer than {MAX_LINE} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(RecruitingError::invalid(
            field,
            "must be one line without control characters",
        ));
    }
    Ok(text.to_owned())
}

fn optional_line(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<String>, RecruitingError> {
    Ok(text
        .map(|t| line(field, t, false))
        .transpose()?
        .filter(|t| !t.is_empty()))
}

fn slug(field: &'static str, text: Option<&str>) -> Result<Option<String>, RecruitingError> {
    let text = optional_line(field, text)?;
    if let Some(text) = &text
        && !text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(RecruitingError::invalid(
            field,
            format!("'{text}' must be lower-case letters, digits and underscores"),
        ));
    }
    Ok(text)
}

impl JobDraft {
    /// Checks and tidies a draft: one-line texts trimmed and at most 255
    /// characters, descriptions bounded, keywords without commas.
    ///
    /// # Errors
    /// [`RecruitingError::Invalid`] naming the first bad field.
    pub fn checked(self) -> Result<Self, RecruitingError> {
        let additional_offices = self
            .additional_offices
            .iter()
            .map(|o| line("additional_offices", o, true))
            .collect::<Result<Vec<_>, _>>()?;
        if additional_offices.len() > 50 {
            return Err(RecruitingError::invalid(
                "additional_offices",
                "at most 50 offices",
            ));
        }
        let keywords = self
            .keywords
            .iter()
            .map(|k| {
                let k = line("keywords", k, true)?;
                if k.contains(',') {
                    return Err(RecruitingError::invalid(
                        "keywords",
                        format!("'{k}' must not contain a comma: give each keyword on its own"),
                    ));
                }
                Ok(k)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keywords.len() > 50 {
            return Err(RecruitingError::invalid("keywords", "at most 50 keywords"));
        }
        for sections in self.descriptions.values() {
            if sections.len() > MAX_SECTIONS {
                return Err(RecruitingError::invalid(
                    "descriptions",
                    format!("at most {MAX_SECTIONS} sections per language"),
                ));
            }
            for section in sections {
                line("descriptions.name", &section.name, true)?;
                if section.value.len() > MAX_DESCRIPTION {
                    return Err(RecruitingError::invalid(
                        "descriptions.value",
                        format!("a section is at most {MAX_DESCRIPTION} bytes"),
                    ));
                }
            }
        }
        let descriptions = self
            .descriptions
            .into_iter()
            .map(|(language, sections)| {
                let sections = sections
                    .into_iter()
                    .map(|s| JobDescription {
                        name: s.name.trim().to_owned(),
                        value: s.value,
                    })
                    .collect();
                (language, sections)
            })
            .collect();
        if self.postings.len() > 50 {
            return Err(RecruitingError::invalid("postings", "at most 50 postings"));
        }
        let postings = self
            .postings
            .iter()
            .map(|p| {
                Ok(ExternalPosting {
                    external_id: line("postings.external_id", &p.external_id, true)?,
                    channel_id: p.channel_id,
                })
            })
            .collect::<Result<Vec<_>, RecruitingError>>()?;
        Ok(Self {
            name: line("name", &self.name, true)?,
            subcompany: optional_line("subcompany", self.subcompany.as_deref())?,
            office: line("office", &self.office, true)?,
            additional_offices,
            department: optional_line("department", self.department.as_deref())?,
            category_id: self.category_id,
            employment_type: self.employment_type,
            seniority: self.seniority,
            schedule: self.schedule,
            years_of_experience: self.years_of_experience,
            keywords,
            occupation: slug("occupation", self.occupation.as_deref())?,
            occupation_category: slug("occupation_category", self.occupation_category.as_deref())?,
            descriptions,
            postings,
            published: self.published,
        })
    }

    /// The description in `language`, or in German (the default), or in
    /// the first language the job has; empty when it has none.
    #[must_use]
    pub fn description_in(&self, language: Language) -> &[JobDescription] {
        self.descriptions
            .get(&language)
            .or_else(|| self.descriptions.get(&Language::De))
            .or_else(|| self.descriptions.values().next())
            .map_or(&[], Vec::as_slice)
    }
}

/// The kinds of values a company's own application attribute takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttributeKind {
    /// Free text.
    Text,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One of the listed option keys (e.g. `custom_option_7`).
    Options {
        /// The accepted keys.
        options: Vec<String>,
    },
}

/// An attribute a company asks applicants for beyond the standard ones,
/// sent as `custom_attribute_<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationAttribute {
    /// The number in its API name `custom_attribute_<id>`.
    pub id: i64,
    /// What the career page shows, e.g. "Notice period".
    pub label: String,
    /// What it takes.
    #[serde(flatten)]
    pub kind: AttributeKind,
    /// Whether every application must give it.
    #[serde(default)]
    pub required: bool,
}

impl ApplicationAttribute {
    /// Its API name, `custom_attribute_<id>`.
    #[must_use]
    pub fn api_name(&self) -> String {
        format!("custom_attribute_{}", self.id)
    }
}

/// A company's recruiting set-up.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecruitingSetup {
    /// Its categories and their phases.
    pub categories: Vec<RecruitingCategory>,
    /// The channels applicants come through.
    pub channels: Vec<RecruitingChannel>,
    /// Its own application attributes.
    pub attributes: Vec<ApplicationAttribute>,
    /// The tags applications can carry.
    pub tags: Vec<String>,
}

impl RecruitingSetup {
    /// A category by id.
    #[must_use]
    pub fn category(&self, id: i64) -> Option<&RecruitingCategory> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// A channel by id.
    #[must_use]
    pub fn channel(&self, id: i64) -> Option<&RecruitingChannel> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// The name and kind of a phase, for readers: a custom phase unknown
    /// to the set-up (deleted since) reads as its number.
    #[must_use]
    pub fn phase_name(&self, phase: Phase) -> String {
        match phase {
            Phase::System(system) => {
                let name = system.as_str();
                let mut chars = name.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            }
            Phase::Custom(id) => self
                .categories
                .iter()
                .flat_map(|c| &c.phases)
                .find(|p| p.id == id)
                .map_or_else(|| format!("Phase {id}"), |p| p.name.clone()),
        }
    }
}

/// A person who applied, once per company whatever the number of jobs
/// they applied to: found again by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidate {
    /// Its number.
    pub id: CandidateId,
    /// Lower-cased.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The standard attributes given (gender, phone, location, birthday,
    /// available from, salary expectations): the latest application's win.
    #[serde(flatten)]
    pub details: CandidateDetails,
    /// When they first applied.
    pub created_at: DateTime<Utc>,
    /// When they last applied or changed.
    pub updated_at: DateTime<Utc>,
}

/// The standard attributes of a candidate beyond the name and e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateDetails {
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Phone number, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Where they live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<NaiveDate>,
    /// When they could start, free text ("As soon as possible").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_from: Option<String>,
    /// Salary expectations, free text (not parsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salary_expectations: Option<String>,
}

impl CandidateDetails {
    /// These details with every value `newer` gives put over them.
    #[must_use]
    pub fn updated_with(&self, newer: &Self) -> Self {
        Self {
            gender: newer.gender.or(self.gender),
            phone: newer.phone.clone().or_else(|| self.phone.clone()),
            location: newer.location.clone().or_else(|| self.location.clone()),
            birthday: newer.birthday.or(self.birthday),
            available_from: newer
                .available_from
                .clone()
                .or_else(|| self.available_from.clone()),
            salary_expectations: newer
                .salary_expectations
                .clone()
                .or_else(|| self.salary_expectations.clone()),
        }
    }
}

/// How an application reached Relais.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationSource {
    /// `POST /v1/recruiting/applications`.
    Api,
    /// The deprecated `POST /recruiting/applicant` form.
    Form,
    /// The demo generator.
    Demo,
}

/// A file attached to an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationFile {
    /// The upload it is.
    pub upload: uuid::Uuid,
    /// Its name as the applicant's computer had it.
    pub original_filename: String,
    /// What it is.
    pub category: FileCategory,
}

/// One application of a candidate to a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Application {
    /// Its number.
    pub id: ApplicationId,
    /// Who applied.
    pub candidate_id: CandidateId,
    /// To which job.
    pub job_id: JobId,
    /// Through which channel, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// The job board's posting id, if it came through one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_posting_id: Option<String>,
    /// The applicant's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The day they applied.
    pub application_date: NaiveDate,
    /// Where it stands.
    pub phase: Phase,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The company's own attributes, by API name.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Attached files.
    #[serde(default)]
    pub files: Vec<ApplicationFile>,
    /// How it arrived.
    pub source: ApplicationSource,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A phase an application entered, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageTransition {
    /// The phase entered.
    pub phase: Phase,
    /// When.
    pub entered_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> JobDraft {
        JobDraft {
            name: "  Backend Engineer  ".into(),
            subcompany: Some(String::new()),
            office: "Munich".into(),
            additional_offices: vec![],
            department: None,
            category_id: None,
            employment_type: EmploymentType::Permanent,
            seniority: Seniority::Experienced,
            schedule: Schedule::FullTime,
            years_of_experience: None,
            keywords: vec!["rust".into()],
            occupation: Some("software_and_web_development".into()),
            occupation_category: None,
            descriptions: BTreeMap::new(),
            postings: vec![],
            published: true,
        }
    }

    #[test]
    fn a_draft_is_trimmed_and_empty_optionals_dropped() {
        let checked = draft().checked().expect("valid");
        assert_eq!(checked.name, "Backend Engineer");
        assert_eq!(checked.subcompany, None);
    }

    #[test]
    fn bad_drafts_name_their_field() {
        let mut d = draft();
        d.name = " ".into();
        assert!(d.checked().unwrap_err().to_string().contains("name"));
        let mut d = draft();
        d.keywords = vec!["a,b".into()];
        assert!(d.checked().unwrap_err().to_string().contains("comma"));
        let mut d = draft();
        d.occupation = Some("Software Dev".into());
        assert!(d.checked().unwrap_err().to_string().contains("occupation"));
        let mut d = draft();
        d.office = "x".repeat(256);
        assert!(d.checked().unwrap_err().to_string().contains("255"));
    }

    #[test]
    fn descriptions_fall_back_to_german_then_any() {
        let mut d = draft();
        assert!(d.description_in(Language::Fr).is_empty());
        d.descriptions.insert(
            Language::En,
            vec![JobDescription {
                name: "Tasks".into(),
                value: "<p>x</p>".into(),
            }],
        );
        assert_eq!(d.description_in(Language::Fr)[0].name, "Tasks");
        d.descriptions.insert(
            Language::De,
            vec![JobDescription {
                name: "Aufgaben".into(),
                value: "<p>x</p>".into(),
            }],
        );
        assert_eq!(d.description_in(Language::Fr)[0].name, "Aufgaben");
        assert_eq!(d.description_in(Language::En)[0].name, "Tasks");
    }

    #[test]
    fn phases_serialise_as_the_wire_has_them() {
        assert_eq!(
            serde_json::to_string(&Phase::System(SystemPhase::Offer)).unwrap(),
            r#"{"type":"system","id":"offer"}"#
        );
        assert_eq!(
            serde_json::to_string(&Phase::Custom(7)).unwrap(),
            r#"{"type":"custom","id":7}"#
        );
    }
}
