//! Recruiting use cases: the recruiting API (applications and their files,
//! the deprecated form), the public job feed, the v2 reads behind OAuth2
//! client credentials, and the admin side (the key, the switches, jobs,
//! applications).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use relais_access::{
    ApiAccess, Company, MarketplaceRight, PublicApi, SecretHash, new_recruiting_key,
};
use relais_recruiting::application::{FieldError, Reason, check_submission, parse_submission};
use relais_recruiting::upload::{UploadError, UploadRule, check_file};
use relais_recruiting::{
    Application, ApplicationSource, Candidate, JobDraft, JobPosition, Language, RecruitingCategory,
    RecruitingError, RecruitingSetup, StageTransition,
};
use relais_store::{
    After, ApplicationOutcome, CandidateInput, NewUpload, RecruitingFilter, UploadInfo,
};
use serde_json::Value;
use sha2::Digest as _;

use crate::public_api::{ApiCaller, V1Query};
use crate::{App, AppError, Caller, ErrorKind};

impl From<RecruitingError> for AppError {
    fn from(error: RecruitingError) -> Self {
        Self::invalid(error.to_string())
    }
}

/// Why the recruiting API refused a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecruitingFailure {
    /// Fields refused, each with its reason code (a `feature.*` reason is
    /// the company's set-up refusing, not the request).
    Fields(Vec<FieldError>),
    /// Anything else: credentials, limits, the database.
    App(AppError),
}

impl From<AppError> for RecruitingFailure {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

impl From<relais_store::StoreError> for RecruitingFailure {
    fn from(error: relais_store::StoreError) -> Self {
        Self::App(error.into())
    }
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadFailure {
    /// Over 20 MB.
    TooBig,
    /// Not a type taken, or not what its name says.
    InvalidType(String),
    /// Anything else.
    App(AppError),
}

/// A new recruiting API key: shown once, only its hash is kept.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecruitingKey {
    /// The company's number: the `X-Company-ID` header (or `company_id` field).
    pub company_id: i64,
    /// The key: `Authorization: Bearer <key>` (or the `access_token` field).
    pub access_token: String,
}

/// A company's recruiting set-up as the admin API shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecruitingOverview {
    /// The company's number (`X-Company-ID`).
    pub company_id: i64,
    /// When the current recruiting API key was issued; none before the first.
    pub key_issued_at: Option<DateTime<Utc>>,
    /// Whether the company uses recruiting.
    pub enabled: bool,
    /// Whether the recruiting API takes applications.
    pub public_api: bool,
    /// Whether the XML job feed is served.
    pub xml_feed: bool,
    /// The feed's path on this server.
    pub feed_path: String,
    /// Categories, channels, attributes and tags.
    pub setup: RecruitingSetup,
}

/// The switches an administrator may turn.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecruitingSwitches {
    /// Whether the company uses recruiting.
    pub enabled: Option<bool>,
    /// Whether the recruiting API takes applications.
    pub public_api: Option<bool>,
    /// Whether the XML job feed is served.
    pub xml_feed: Option<bool>,
}

/// An application with what readers show beside it.
#[derive(Debug, Clone)]
pub struct ApplicationRecord {
    /// The application.
    pub application: Application,
    /// Who applied (absent only if the data is inconsistent).
    pub candidate: Option<Candidate>,
    /// The job (absent only if the data is inconsistent).
    pub job: Option<JobPosition>,
}

/// A candidate with their applications (number and date).
#[derive(Debug, Clone)]
pub struct CandidateRecord {
    /// The candidate.
    pub candidate: Candidate,
    /// Their applications: number and day.
    pub applications: Vec<(i64, chrono::NaiveDate)>,
}

/// A page of a v2 list, newest change first, with where the next resumes.
#[derive(Debug, Clone)]
pub struct CursorPage<T> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page; none on the last.
    pub next: Option<String>,
    /// The company's set-up, for names of phases, channels, categories.
    pub setup: Arc<RecruitingSetup>,
}

/// One application in full, for the admin API.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationDetail {
    /// The application.
    pub application: Application,
    /// Who applied.
    pub candidate: Option<Candidate>,
    /// The job's name.
    pub job_name: Option<String>,
    /// The phase's name.
    pub phase_name: String,
    /// The phases it went through.
    pub transitions: Vec<StageTransition>,
}

/// An OAuth2 access token for the v2 API.
#[derive(Debug, Clone)]
pub struct V2Token {
    /// The bearer token.
    pub access_token: String,
    /// Seconds it is valid.
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// Why the v2 token endpoint refused (RFC 6749 §5.2 error codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type`, `invalid_scope`.
    pub error: &'static str,
    /// In words.
    pub description: String,
}

/// The v2 scope of recruiting reads.
pub const RECRUITING_READ_SCOPE: &str = "personio:recruiting:read";

fn cursor(after: After) -> String {
    format!(
        "cur_{:x}_{:x}",
        after.updated_at.timestamp_micros(),
        after.id
    )
}

fn parse_cursor(text: &str) -> Result<After, AppError> {
    let bad = || AppError::invalid(format!("cursor '{text}' is not one this API handed out"));
    let rest = text.strip_prefix("cur_").ok_or_else(bad)?;
    let (micros, id) = rest.split_once('_').ok_or_else(bad)?;
    let micros = i64::from_str_radix(micros, 16).map_err(|_| bad())?;
    let id = i64::from_str_radix(id, 16).map_err(|_| bad())?;
    Ok(After {
        updated_at: DateTime::from_timestamp_micros(micros).ok_or_else(bad)?,
        id,
    })
}

fn v2_page(query: &V1Query) -> Result<(Option<After>, usize), AppError> {
    let limit = query.limit(100, 200)?;
    let after = query.one("cursor").map(parse_cursor).transpose()?;
    Ok((after, usize::try_from(limit).unwrap_or(200)))
}

fn v2_filter(query: &V1Query, email_key: &str) -> Result<RecruitingFilter, AppError> {
    let updated_after = query.time("updated_at.gt")?;
    let updated_before = query.time("updated_at.lt")?;
    if updated_after.is_some() && updated_before.is_some() {
        return Err(AppError::invalid(
            "updated_at.gt and updated_at.lt cannot be combined; give one".into(),
        ));
    }
    Ok(RecruitingFilter {
        updated_after,
        updated_before,
        email: query.one(email_key).map(|e| e.trim().to_lowercase()),
    })
}

fn id_of(text: &str, what: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::not_found(format!("{what} {text}")))
}

impl App {
    /// The company's number: its `X-Company-ID` in the recruiting API.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn company_number(&self, company: relais_access::CompanyId) -> Result<i64, AppError> {
        Ok(self.store.company_number(company)?)
    }

    // ----- The recruiting API (key + X-Company-ID) ------------------------

    /// The company whose recruiting key this is. `company_id` is the
    /// company's number as sent (`X-Company-ID` or the form's `company_id`).
    ///
    /// # Errors
    /// [`ErrorKind::Unauthenticated`] for a missing, unknown or wrong pair
    /// (one message for all); `feature.*` field errors when the company
    /// switched recruiting or its API off.
    pub fn recruiting_company(
        &self,
        company_id: Option<&str>,
        key: Option<&str>,
    ) -> Result<Company, RecruitingFailure> {
        let refused = || {
            RecruitingFailure::App(AppError::unauthenticated(
                "the company id or the recruiting API key is not valid".into(),
            ))
        };
        let number: i64 = company_id
            .and_then(|c| c.trim().parse().ok())
            .ok_or_else(refused)?;
        let key = key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(refused)?;
        let company = self.store.company_by_number(number)?.ok_or_else(refused)?;
        let settings = self.store.recruiting_settings(company.id)?;
        if !settings.key.as_ref().is_some_and(|hash| hash.matches(key)) {
            return Err(refused());
        }
        if !settings.enabled {
            return Err(RecruitingFailure::Fields(vec![FieldError::new(
                "company",
                Reason::RecruitingDisabled,
            )]));
        }
        if !settings.public_api {
            return Err(RecruitingFailure::Fields(vec![FieldError::new(
                "company",
                Reason::PublicApiDisabled,
            )]));
        }
        Ok(company)
    }

    /// `POST /v1/recruiting/applications` (and the deprecated form, whose
    /// fields are read into the same shape): checks and stores an application.
    ///
    /// # Errors
    /// [`RecruitingFailure::Fields`] with every problem found.
    pub fn submit_application(
        &self,
        company: &Company,
        body: &Value,
        source: ApplicationSource,
    ) -> Result<Application, RecruitingFailure> {
        let today = Utc::now().date_naive();
        let submission = parse_submission(body, today).map_err(RecruitingFailure::Fields)?;
        let job = self.store.job(company.id, submission.job_id)?;
        let settings = self.store.recruiting_settings(company.id)?;
        let checked = check_submission(submission, job.as_ref(), &settings.setup, today)
            .map_err(RecruitingFailure::Fields)?;
        let candidate = CandidateInput {
            email: checked.submission.email.clone(),
            first_name: checked.submission.first_name.clone(),
            last_name: checked.submission.last_name.clone(),
            details: checked.submission.details.clone(),
        };
        match self
            .store
            .insert_application(company.id, &candidate, &checked, source)?
        {
            ApplicationOutcome::Stored(application) => {
                tracing::info!(company = %company.slug, application = application.id, job = application.job_id, "application received");
                Ok(application)
            }
            ApplicationOutcome::AlreadyApplied => {
                Err(RecruitingFailure::Fields(vec![FieldError::new(
                    "email",
                    Reason::ApplicantAlreadyExists,
                )]))
            }
            ApplicationOutcome::MissingFiles(indexes) => Err(RecruitingFailure::Fields(
                indexes
                    .into_iter()
                    .map(|i| FieldError::new(format!("files[{i}].uuid"), Reason::FileNotExists))
                    .collect(),
            )),
        }
    }

    /// `POST /v1/recruiting/applications/documents` (and each file of the
    /// deprecated form): checks and keeps an uploaded file.
    ///
    /// # Errors
    /// [`UploadFailure`] when the file is too large or of a type not taken.
    pub fn upload_application_file(
        &self,
        company: &Company,
        filename: &str,
        content: Vec<u8>,
        rule: UploadRule,
    ) -> Result<UploadInfo, UploadFailure> {
        let facts = check_file(rule, filename, &content).map_err(|e| match e {
            UploadError::TooBig => UploadFailure::TooBig,
            UploadError::InvalidType(why) => UploadFailure::InvalidType(why),
        })?;
        let upload = NewUpload {
            id: uuid::Uuid::new_v4(),
            sha256: sha2::Sha256::digest(&content)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            facts,
            created_at: Utc::now(),
            content,
        };
        self.store
            .insert_upload(company.id, &upload)
            .map_err(|e| UploadFailure::App(e.into()))?;
        Ok(UploadInfo {
            id: upload.id,
            original_filename: upload.facts.original_filename,
            extension: upload.facts.extension,
            mimetype: upload.facts.mimetype.to_owned(),
            size: upload.content.len() as u64,
            application_id: None,
            created_at: upload.created_at,
        })
    }

    /// The public XML job feed of the company with this slug, in `language`
    /// (German when none or an unknown one is asked for).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown company or one whose feed is off.
    pub fn job_feed(&self, slug: &str, language: Option<&str>) -> Result<String, AppError> {
        let missing = || AppError::not_found(format!("job feed for '{slug}'"));
        let company = self.store.company(slug)?.ok_or_else(missing)?;
        if company.slug != slug.trim().to_lowercase() {
            // Looked up by id: the feed is addressed by slug only.
            return Err(missing());
        }
        let settings = self.store.recruiting_settings(company.id)?;
        if !settings.enabled || !settings.xml_feed {
            return Err(missing());
        }
        let language = language
            .and_then(|l| Language::parse(l).ok())
            .unwrap_or(Language::De);
        let jobs = self.store.jobs(company.id)?;
        Ok(relais_recruiting::feed::job_feed(
            &jobs,
            &settings.setup,
            language,
        ))
    }

    // ----- v2: OAuth2 client credentials and reads ------------------------

    /// `POST /v2/auth/token`: an access token for a credential, with the
    /// v2 scopes it has (`personio:recruiting:read` for Recruiting read).
    ///
    /// # Errors
    /// [`OAuthError`] as RFC 6749 names them.
    pub fn v2_token(
        &self,
        grant_type: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<&str>,
        scope: Option<&str>,
    ) -> Result<V2Token, OAuthError> {
        let error = |error, description: &str| OAuthError {
            error,
            description: description.to_owned(),
        };
        match grant_type {
            Some("client_credentials") => {}
            Some(_) => {
                return Err(error(
                    "unsupported_grant_type",
                    "only grant_type=client_credentials is supported",
                ));
            }
            None => return Err(error("invalid_request", "grant_type is required")),
        }
        let (Some(id), Some(secret)) = (client_id, client_secret) else {
            return Err(error(
                "invalid_request",
                "client_id and client_secret are required",
            ));
        };
        let issued = self
            .issue_api_token(id, secret)
            .map_err(|e| match e.kind() {
                ErrorKind::Internal | ErrorKind::NotConfigured => {
                    error("server_error", "the token could not be issued")
                }
                _ => error(
                    "invalid_client",
                    "the client_id or client_secret is not valid",
                ),
            })?;
        let granted = v2_scopes(&issued.scope);
        if let Some(asked) = scope {
            for wanted in asked.split_whitespace() {
                if !granted.iter().any(|g| g == wanted) {
                    return Err(error(
                        "invalid_scope",
                        &format!("the credential does not have the scope {wanted}"),
                    ));
                }
            }
        }
        Ok(V2Token {
            access_token: issued.token,
            expires_in: issued.expires_in,
            scope: granted.join(" "),
        })
    }

    fn recruiting_reader(&self, caller: &ApiCaller) -> Result<Arc<RecruitingSetup>, AppError> {
        caller.require(PublicApi::Recruiting, ApiAccess::Read)?;
        let settings = self
            .store
            .recruiting_settings(caller.credential.company_id)?;
        if !settings.enabled {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "the company switched recruiting off".into(),
            ));
        }
        Ok(Arc::new(settings.setup))
    }

    fn application_records(
        &self,
        company: relais_access::CompanyId,
        applications: Vec<Application>,
    ) -> Result<Vec<ApplicationRecord>, AppError> {
        let mut ids: Vec<i64> = applications.iter().map(|a| a.candidate_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let candidates = self.store.candidates_by_id(company, &ids)?;
        let jobs = self.store.jobs(company)?;
        Ok(applications
            .into_iter()
            .map(|application| ApplicationRecord {
                candidate: candidates
                    .iter()
                    .find(|c| c.id == application.candidate_id)
                    .cloned(),
                job: jobs.iter().find(|j| j.id == application.job_id).cloned(),
                application,
            })
            .collect())
    }

    /// `GET /v2/recruiting/applications`: `limit` (1–200, default 100),
    /// `cursor`, `updated_at.gt` or `updated_at.lt`, `candidate.email`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Recruiting read; [`ErrorKind::Invalid`] for bad parameters.
    pub fn v2_applications(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<CursorPage<ApplicationRecord>, AppError> {
        let setup = self.recruiting_reader(caller)?;
        let (after, limit) = v2_page(query)?;
        let filter = v2_filter(query, "candidate.email")?;
        let company = caller.credential.company_id;
        let rows = self
            .store
            .applications(company, &filter, after, limit + 1)?;
        self.application_page(company, rows, limit, setup)
    }

    /// A page of applications (`limit + 1` rows read: one more means a next
    /// page) with their candidates and jobs.
    fn application_page(
        &self,
        company: relais_access::CompanyId,
        rows: Vec<Application>,
        limit: usize,
        setup: Arc<RecruitingSetup>,
    ) -> Result<CursorPage<ApplicationRecord>, AppError> {
        let page = paged(
            rows,
            limit,
            |a| After {
                updated_at: a.updated_at,
                id: a.id,
            },
            setup,
        );
        Ok(CursorPage {
            items: self.application_records(company, page.items)?,
            next: page.next,
            setup: page.setup,
        })
    }

    /// `GET /v2/recruiting/applications/{id}`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an id the company does not have.
    pub fn v2_application(
        &self,
        caller: &ApiCaller,
        id: &str,
    ) -> Result<(ApplicationRecord, Arc<RecruitingSetup>), AppError> {
        let setup = self.recruiting_reader(caller)?;
        let company = caller.credential.company_id;
        let application = self
            .store
            .application(company, id_of(id, "application")?)?
            .ok_or_else(|| AppError::not_found(format!("application {id}")))?;
        let mut records = self.application_records(company, vec![application])?;
        let record = records
            .pop()
            .ok_or_else(|| AppError::not_found(format!("application {id}")))?;
        Ok((record, setup))
    }

    /// `GET /v2/recruiting/applications/{id}/stage-transitions`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an id the company does not have.
    pub fn v2_stage_transitions(
        &self,
        caller: &ApiCaller,
        id: &str,
    ) -> Result<(Vec<StageTransition>, Arc<RecruitingSetup>), AppError> {
        let setup = self.recruiting_reader(caller)?;
        let company = caller.credential.company_id;
        let number = id_of(id, "application")?;
        if self.store.application(company, number)?.is_none() {
            return Err(AppError::not_found(format!("application {id}")));
        }
        Ok((self.store.stage_transitions(company, number)?, setup))
    }

    fn candidate_records(
        &self,
        company: relais_access::CompanyId,
        candidates: Vec<Candidate>,
    ) -> Result<Vec<CandidateRecord>, AppError> {
        let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
        let applications = self.store.applications_of(company, &ids)?;
        Ok(candidates
            .into_iter()
            .map(|candidate| CandidateRecord {
                applications: applications
                    .iter()
                    .filter(|a| a.candidate_id == candidate.id)
                    .map(|a| (a.id, a.application_date))
                    .collect(),
                candidate,
            })
            .collect())
    }

    /// `GET /v2/recruiting/candidates`: `limit`, `cursor`, `updated_at.gt`
    /// or `updated_at.lt`, `email`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Recruiting read; [`ErrorKind::Invalid`] for bad parameters.
    pub fn v2_candidates(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<CursorPage<CandidateRecord>, AppError> {
        let setup = self.recruiting_reader(caller)?;
        let (after, limit) = v2_page(query)?;
        let filter = v2_filter(query, "email")?;
        let company = caller.credential.company_id;
        let rows = self.store.candidates(company, &filter, after, limit + 1)?;
        let page = paged(
            rows,
            limit,
            |c| After {
                updated_at: c.updated_at,
                id: c.id,
            },
            setup,
        );
        Ok(CursorPage {
            items: self.candidate_records(company, page.items)?,
            next: page.next,
            setup: page.setup,
        })
    }

    /// `GET /v2/recruiting/candidates/{id}`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an id the company does not have.
    pub fn v2_candidate(&self, caller: &ApiCaller, id: &str) -> Result<CandidateRecord, AppError> {
        self.recruiting_reader(caller)?;
        let company = caller.credential.company_id;
        let found = self
            .store
            .candidates_by_id(company, &[id_of(id, "candidate")?])?;
        self.candidate_records(company, found)?
            .pop()
            .ok_or_else(|| AppError::not_found(format!("candidate {id}")))
    }

    /// `GET /v2/recruiting/jobs`: every job, last changed first, paged.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Recruiting read; [`ErrorKind::Invalid`] for bad parameters.
    pub fn v2_jobs(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<CursorPage<JobPosition>, AppError> {
        let setup = self.recruiting_reader(caller)?;
        let (after, limit) = v2_page(query)?;
        let mut jobs = self.store.jobs(caller.credential.company_id)?;
        // Compared at the cursor's precision (microseconds), so that a job
        // changed within the same microsecond as a page's last one is
        // neither skipped nor repeated.
        let key = |at: DateTime<Utc>, id: i64| (at.timestamp_micros(), id);
        jobs.sort_by_key(|j| std::cmp::Reverse(key(j.updated_at, j.id)));
        let items: Vec<JobPosition> = jobs
            .into_iter()
            .filter(|j| after.is_none_or(|a| key(j.updated_at, j.id) < key(a.updated_at, a.id)))
            .take(limit + 1)
            .collect();
        Ok(paged(
            items,
            limit,
            |j| After {
                updated_at: j.updated_at,
                id: j.id,
            },
            setup,
        ))
    }

    /// `GET /v2/recruiting/jobs/{id}`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an id the company does not have.
    pub fn v2_job(
        &self,
        caller: &ApiCaller,
        id: &str,
    ) -> Result<(JobPosition, Arc<RecruitingSetup>), AppError> {
        let setup = self.recruiting_reader(caller)?;
        let job = self
            .store
            .job(caller.credential.company_id, id_of(id, "job")?)?
            .ok_or_else(|| AppError::not_found(format!("job {id}")))?;
        Ok((job, setup))
    }

    /// `GET /v2/recruiting/categories`, paged by number.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Recruiting read; [`ErrorKind::Invalid`] for bad parameters.
    pub fn v2_categories(
        &self,
        caller: &ApiCaller,
        query: &V1Query,
    ) -> Result<CursorPage<RecruitingCategory>, AppError> {
        let setup = self.recruiting_reader(caller)?;
        let (after, limit) = v2_page(query)?;
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let mut categories: Vec<&RecruitingCategory> = setup.categories.iter().collect();
        categories.sort_by_key(|c| c.id);
        let items: Vec<RecruitingCategory> = categories
            .into_iter()
            .filter(|c| after.is_none_or(|a| c.id > a.id))
            .take(limit + 1)
            .cloned()
            .collect();
        Ok(paged(
            items,
            limit,
            |c| After {
                updated_at: epoch,
                id: c.id,
            },
            setup,
        ))
    }

    /// `GET /v2/recruiting/categories/{id}`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an id the company does not have.
    pub fn v2_category(
        &self,
        caller: &ApiCaller,
        id: &str,
    ) -> Result<RecruitingCategory, AppError> {
        let setup = self.recruiting_reader(caller)?;
        let number = id_of(id, "category")?;
        setup
            .category(number)
            .cloned()
            .ok_or_else(|| AppError::not_found(format!("category {id}")))
    }

    // ----- Admin ----------------------------------------------------------

    /// The company's recruiting set-up.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without the *view* right.
    pub fn recruiting_overview(
        &self,
        by: Caller<'_>,
        company: &Company,
    ) -> Result<RecruitingOverview, AppError> {
        by.may(company, MarketplaceRight::View)?;
        let settings = self.store.recruiting_settings(company.id)?;
        Ok(RecruitingOverview {
            company_id: self.store.company_number(company.id)?,
            key_issued_at: settings.key_created_at,
            enabled: settings.enabled,
            public_api: settings.public_api,
            xml_feed: settings.xml_feed,
            feed_path: format!("/jobs/{}/xml", company.slug),
            setup: settings.setup,
        })
    }

    /// Issues a new recruiting API key (the old one stops working at once).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without the *edit* right.
    pub fn issue_recruiting_key(
        &self,
        by: Caller<'_>,
        company: &Company,
    ) -> Result<RecruitingKey, AppError> {
        by.may(company, MarketplaceRight::Edit)?;
        let key = new_recruiting_key()?;
        let hash = SecretHash::of(&key);
        let now = Utc::now();
        self.store
            .update_recruiting_settings(company.id, &mut |settings| {
                settings.key = Some(hash.clone());
                settings.key_created_at = Some(now);
            })?;
        tracing::info!(company = %company.slug, "recruiting API key issued");
        Ok(RecruitingKey {
            company_id: self.store.company_number(company.id)?,
            access_token: key,
        })
    }

    /// Turns recruiting, its API or its feed on or off.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without the *edit* right.
    pub fn set_recruiting_switches(
        &self,
        by: Caller<'_>,
        company: &Company,
        switches: RecruitingSwitches,
    ) -> Result<RecruitingOverview, AppError> {
        by.may(company, MarketplaceRight::Edit)?;
        self.store
            .update_recruiting_settings(company.id, &mut |settings| {
                settings.enabled = switches.enabled.unwrap_or(settings.enabled);
                settings.public_api = switches.public_api.unwrap_or(settings.public_api);
                settings.xml_feed = switches.xml_feed.unwrap_or(settings.xml_feed);
            })?;
        self.recruiting_overview(by, company)
    }

    fn checked_draft(&self, company: &Company, draft: JobDraft) -> Result<JobDraft, AppError> {
        let draft = draft.checked()?;
        let setup = self.store.recruiting_settings(company.id)?.setup;
        if let Some(category) = draft.category_id
            && setup.category(category).is_none()
        {
            return Err(AppError::invalid(format!(
                "category_id: the company has no recruiting category {category}"
            )));
        }
        for posting in &draft.postings {
            if setup.channel(posting.channel_id).is_none() {
                return Err(AppError::invalid(format!(
                    "postings.channel_id: the company has no recruiting channel {}",
                    posting.channel_id
                )));
            }
        }
        Ok(draft)
    }

    /// Opens a job position.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without the *edit* right; [`ErrorKind::Invalid`] naming a bad field.
    pub fn create_job(
        &self,
        by: Caller<'_>,
        company: &Company,
        draft: JobDraft,
    ) -> Result<JobPosition, AppError> {
        by.may(company, MarketplaceRight::Edit)?;
        let draft = self.checked_draft(company, draft)?;
        Ok(self.store.insert_job(company.id, &draft, Utc::now())?)
    }

    /// Changes a job position (all of it: send the whole draft).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a job the company does not have.
    pub fn update_job(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: i64,
        draft: JobDraft,
    ) -> Result<JobPosition, AppError> {
        by.may(company, MarketplaceRight::Edit)?;
        let draft = self.checked_draft(company, draft)?;
        self.store
            .update_job(company.id, id, &draft)?
            .ok_or_else(|| AppError::not_found(format!("job {id}")))
    }

    /// The company's job positions, by number.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without the *view* right.
    pub fn jobs(&self, by: Caller<'_>, company: &Company) -> Result<Vec<JobPosition>, AppError> {
        by.may(company, MarketplaceRight::View)?;
        Ok(self.store.jobs(company.id)?)
    }

    /// One job position.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a job the company does not have.
    pub fn job(&self, by: Caller<'_>, company: &Company, id: i64) -> Result<JobPosition, AppError> {
        by.may(company, MarketplaceRight::View)?;
        self.store
            .job(company.id, id)?
            .ok_or_else(|| AppError::not_found(format!("job {id}")))
    }

    /// The company's applications, last changed first: `limit` (1–200),
    /// `cursor`, `job` (a job's number).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without the *view* right.
    pub fn recruiting_applications(
        &self,
        by: Caller<'_>,
        company: &Company,
        limit: usize,
        cursor_text: Option<&str>,
    ) -> Result<CursorPage<ApplicationRecord>, AppError> {
        by.may(company, MarketplaceRight::View)?;
        if !(1..=200).contains(&limit) {
            return Err(AppError::invalid(format!(
                "limit {limit} is out of range 1 to 200"
            )));
        }
        let after = cursor_text.map(parse_cursor).transpose()?;
        let company = company.id;
        let rows =
            self.store
                .applications(company, &RecruitingFilter::default(), after, limit + 1)?;
        let setup = Arc::new(self.store.recruiting_settings(company)?.setup);
        self.application_page(company, rows, limit, setup)
    }

    /// One application in full.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an application the company does not have.
    pub fn recruiting_application(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: i64,
    ) -> Result<ApplicationDetail, AppError> {
        by.may(company, MarketplaceRight::View)?;
        let company = company.id;
        let application = self
            .store
            .application(company, id)?
            .ok_or_else(|| AppError::not_found(format!("application {id}")))?;
        let setup = self.store.recruiting_settings(company)?.setup;
        let candidate = self
            .store
            .candidates_by_id(company, &[application.candidate_id])?
            .pop();
        let job_name = self
            .store
            .job(company, application.job_id)?
            .map(|j| j.draft.name);
        Ok(ApplicationDetail {
            phase_name: setup.phase_name(application.phase),
            transitions: self.store.stage_transitions(company, id)?,
            application,
            candidate,
            job_name,
        })
    }

    /// A file of an application, with its bytes.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] unless the application has that file.
    pub fn application_file(
        &self,
        by: Caller<'_>,
        company: &Company,
        application: i64,
        file: uuid::Uuid,
    ) -> Result<(UploadInfo, Vec<u8>), AppError> {
        by.may(company, MarketplaceRight::View)?;
        self.store
            .upload(company.id, file)?
            .filter(|(info, _)| info.application_id == Some(application))
            .ok_or_else(|| AppError::not_found(format!("file {file} of application {application}")))
    }
}

fn paged<T>(
    mut items: Vec<T>,
    limit: usize,
    key: impl Fn(&T) -> After,
    setup: Arc<RecruitingSetup>,
) -> CursorPage<T> {
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|last| cursor(key(last)))
    });
    CursorPage {
        items,
        next: next.flatten(),
        setup,
    }
}

/// The v2 scopes of a credential's v1 scope string (`recruiting:read` →
/// `personio:recruiting:read`, and so on).
fn v2_scopes(v1: &str) -> Vec<String> {
    v1.split_whitespace()
        .map(|s| match s {
            "reports.custom:read" => "personio:reports:read".to_owned(),
            other => format!("personio:{other}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_strangers_are_refused() {
        let after = After {
            updated_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            id: 42,
        };
        assert_eq!(parse_cursor(&cursor(after)).unwrap(), after);
        for bad in ["", "cur_", "cur_zz_1", "abc", "cur_1"] {
            assert!(parse_cursor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn v1_scopes_become_v2_scopes() {
        assert_eq!(
            v2_scopes("recruiting:read employees:read"),
            vec!["personio:recruiting:read", "personio:employees:read"]
        );
    }
}

/// A file part of the deprecated form.
#[derive(Debug, Clone)]
pub struct FormFile {
    /// The part's name (`documents[]`, `document1`, `categorised_documents[0][file]`).
    pub field: String,
    /// The file's name.
    pub filename: String,
    /// The bytes.
    pub content: Vec<u8>,
}

/// The deprecated form's refusal: its status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFailure {
    /// 400, 403, 422, 429 or 500.
    pub status: u16,
    /// As the modelled HRIS words it.
    pub message: String,
}

impl FormFailure {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

/// The one-line fields the form takes beside the credentials and files.
const FORM_FIELDS: [&str; 9] = [
    "job_position_id",
    "first_name",
    "last_name",
    "email",
    "recruiting_channel_id",
    "external_posting_id",
    "message",
    "company_id",
    "access_token",
];

impl App {
    /// The deprecated `POST /recruiting/applicant`: form fields (the
    /// credentials among them) and files, checked like a JSON application
    /// but answered in the form's words. Tags must exist already.
    ///
    /// # Errors
    /// [`FormFailure`] with the status and message the form's clients know.
    pub fn submit_form_application(
        &self,
        fields: &[(String, String)],
        files: Vec<FormFile>,
    ) -> Result<Application, FormFailure> {
        let one = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let company = self
            .recruiting_company(one("company_id"), one("access_token"))
            .map_err(|e| match e {
                RecruitingFailure::App(e)
                    if matches!(e.kind(), ErrorKind::Internal | ErrorKind::NotConfigured) =>
                {
                    FormFailure::new(500, "Something went wrong, please try again later!")
                }
                _ => FormFailure::new(403, "This action is unauthorized."),
            })?;
        let mut body = serde_json::Map::new();
        let mut attributes = Vec::new();
        let mut tags = Vec::new();
        for (name, value) in fields {
            match name.as_str() {
                "company_id" | "access_token" => {}
                "tags" | "tags[]" => tags.push(Value::String(value.clone())),
                known if FORM_FIELDS.contains(&known) => {
                    body.insert(known.to_owned(), Value::String(value.clone()));
                }
                attribute
                    if relais_recruiting::application::STANDARD_ATTRIBUTES.contains(&attribute)
                        || attribute.starts_with("custom_attribute_") =>
                {
                    attributes.push(serde_json::json!({"id": attribute, "value": value}));
                }
                tag if tag.starts_with("tags[") => tags.push(Value::String(value.clone())),
                other if other.starts_with("categorised_documents[") => {}
                other => {
                    return Err(FormFailure::new(
                        400,
                        format!(
                            "Parameter {} does not exist.",
                            other.chars().take(100).collect::<String>()
                        ),
                    ));
                }
            }
        }
        let settings = self
            .store
            .recruiting_settings(company.id)
            .map_err(|_| FormFailure::new(500, "Something went wrong, please try again later!"))?;
        for tag in &tags {
            let tag = tag.as_str().unwrap_or_default();
            if !settings
                .setup
                .tags
                .iter()
                .any(|t| t.eq_ignore_ascii_case(tag.trim()))
            {
                return Err(FormFailure::new(
                    400,
                    format!(
                        "The tag {} does not exist.",
                        tag.chars().take(100).collect::<String>()
                    ),
                ));
            }
        }
        if let Some(job) = one("job_position_id") {
            let found = job
                .trim()
                .parse::<i64>()
                .ok()
                .map(|id| self.store.job(company.id, id))
                .transpose()
                .map_err(|_| {
                    FormFailure::new(500, "Something went wrong, please try again later!")
                })?
                .flatten();
            match found {
                None => return Err(FormFailure::new(400, "Could not find the job position.")),
                Some(job) if !job.draft.published => {
                    return Err(FormFailure::new(422, "Job position not published"));
                }
                Some(_) => {}
            }
        }
        // Everything but the files is checked before any file is kept, so
        // that a refused application leaves no uploads behind.
        body.insert("tags".into(), Value::Array(tags.clone()));
        body.insert("attributes".into(), Value::Array(attributes.clone()));
        let today = Utc::now().date_naive();
        let checked = parse_submission(&Value::Object(body.clone()), today).and_then(|s| {
            let job = self.store.job(company.id, s.job_id).ok().flatten();
            check_submission(s, job.as_ref(), &settings.setup, today)
        });
        if let Err(errors) = checked {
            return Err(form_message(&errors));
        }
        if files.len() > relais_recruiting::application::MAX_FILES {
            return Err(FormFailure::new(
                400,
                format!(
                    "At most {} files can be sent with an application.",
                    relais_recruiting::application::MAX_FILES
                ),
            ));
        }
        let mut named = Vec::new();
        for file in files {
            let category = file
                .field
                .strip_prefix("categorised_documents[")
                .and_then(|rest| rest.split_once("][file]"))
                .and_then(|(index, _)| one(&format!("categorised_documents[{index}][category]")))
                .unwrap_or("other")
                .to_owned();
            let upload = self
                .upload_application_file(&company, &file.filename, file.content, UploadRule::Form)
                .map_err(|e| match e {
                    UploadFailure::App(_) => FormFailure::new(
                        422,
                        "There was a problem while processing attachments. Try again later",
                    ),
                    _ => FormFailure::new(400, "Unsupported extension or file greater than 20Mb."),
                })?;
            named.push(serde_json::json!({
                "uuid": upload.id.to_string(),
                "original_filename": upload.original_filename,
                "category": category,
            }));
        }
        body.insert("tags".into(), Value::Array(tags));
        body.insert("attributes".into(), Value::Array(attributes));
        body.insert("files".into(), Value::Array(named));
        self.submit_application(&company, &Value::Object(body), ApplicationSource::Form)
            .map_err(|e| match e {
                RecruitingFailure::Fields(errors) => form_message(&errors),
                RecruitingFailure::App(_) => {
                    FormFailure::new(500, "Something went wrong, please try again later!")
                }
            })
    }
}

/// The form's words for the first refused field.
fn form_message(errors: &[FieldError]) -> FormFailure {
    let Some(first) = errors.first() else {
        return FormFailure::new(400, "The given data was invalid.");
    };
    let field = first.field.as_str();
    match first.reason {
        Reason::Required => FormFailure::new(400, format!("The {field} field is required.")),
        Reason::UnknownAttribute => {
            FormFailure::new(400, format!("Parameter {field} does not exist."))
        }
        Reason::ApplicantAlreadyExists => {
            FormFailure::new(400, "Applicant already applied to this position.")
        }
        Reason::JobNotPublished => FormFailure::new(422, "Job position not published"),
        Reason::FileNotExists | Reason::UnknownFileCategory => FormFailure::new(
            400,
            format!("The {field} field is invalid: {}.", first.reason.code()),
        ),
        Reason::RecruitingDisabled | Reason::PublicApiDisabled => {
            FormFailure::new(403, "This action is unauthorized.")
        }
        other => FormFailure::new(
            400,
            format!("The {field} field is invalid: {}.", other.code()),
        ),
    }
}
