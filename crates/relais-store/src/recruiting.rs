//! What the store keeps of recruiting, and the questions it answers.

use chrono::{DateTime, Utc};
use relais_access::{Company, CompanyId, SecretHash};
use relais_recruiting::application::CheckedApplication;
use relais_recruiting::demo::RecruitingDemo;
use relais_recruiting::upload::FileFacts;
use relais_recruiting::{
    Application, ApplicationSource, Candidate, CandidateDetails, JobDraft, JobPosition,
    RecruitingSetup, StageTransition,
};

use crate::StoreError;

/// A company's recruiting switches, key and set-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecruitingSettings {
    /// The hash of the recruiting API key; none until one is issued.
    pub key: Option<SecretHash>,
    /// When the key was issued.
    pub key_created_at: Option<DateTime<Utc>>,
    /// Whether the company uses recruiting at all.
    pub enabled: bool,
    /// Whether the recruiting API takes applications and uploads.
    pub public_api: bool,
    /// Whether the XML job feed is served.
    pub xml_feed: bool,
    /// Categories, channels, attributes and tags.
    pub setup: RecruitingSetup,
}

impl Default for RecruitingSettings {
    fn default() -> Self {
        Self {
            key: None,
            key_created_at: None,
            enabled: true,
            public_api: true,
            xml_feed: true,
            setup: RecruitingSetup::default(),
        }
    }
}

/// A file an applicant uploaded, to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    /// Its uuid, handed to the applicant.
    pub id: uuid::Uuid,
    /// What it is.
    pub facts: FileFacts,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
}

/// What is known of a stored upload, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    /// Its uuid.
    pub id: uuid::Uuid,
    /// Its name on the applicant's computer.
    pub original_filename: String,
    /// Lower-case extension.
    pub extension: String,
    /// Media type.
    pub mimetype: String,
    /// Bytes.
    pub size: u64,
    /// The application it is attached to, if any.
    pub application_id: Option<i64>,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
}

/// The candidate an application comes from, as the applicant described
/// themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateInput {
    /// Lower-cased e-mail: the candidate's identity in the company.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Standard attributes given.
    pub details: CandidateDetails,
}

/// What became of an application to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationOutcome {
    /// Stored, with its number.
    Stored(Application),
    /// The candidate applied to this job before; nothing was written.
    AlreadyApplied,
    /// These files (by index) are no upload of the company, or are
    /// attached to another application; nothing was written.
    MissingFiles(Vec<usize>),
}

/// Which candidates or applications a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecruitingFilter {
    /// Changed after.
    pub updated_after: Option<DateTime<Utc>>,
    /// Changed before.
    pub updated_before: Option<DateTime<Utc>>,
    /// The candidate's e-mail (lower-cased).
    pub email: Option<String>,
}

/// Where a page of a list sorted by last change, newest first, resumes:
/// after the item changed at `updated_at` with number `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    /// The last item's change.
    pub updated_at: DateTime<Utc>,
    /// The last item's number.
    pub id: i64,
}

/// Recruiting data of each company.
pub trait RecruitingStore {
    /// The company with this number (the `X-Company-ID` of the recruiting API).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn company_by_number(&self, number: i64) -> Result<Option<Company>, StoreError>;

    /// The company's number (its `X-Company-ID`).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn company_number(&self, company: CompanyId) -> Result<i64, StoreError>;

    /// The company's recruiting settings (the defaults before any change).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn recruiting_settings(&self, company: CompanyId) -> Result<RecruitingSettings, StoreError>;

    /// Replaces the company's recruiting settings.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn save_recruiting_settings(
        &self,
        company: CompanyId,
        settings: &RecruitingSettings,
    ) -> Result<(), StoreError>;

    /// Changes the company's recruiting settings in one transaction (read,
    /// `change`, write), so that two changes at once (a new key, a switch,
    /// a tag an application adds) never undo each other. Returns them as
    /// written.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; nothing changed then.
    fn update_recruiting_settings(
        &self,
        company: CompanyId,
        change: &mut (dyn FnMut(&mut RecruitingSettings) + Send),
    ) -> Result<RecruitingSettings, StoreError>;

    /// Opens a job with the company's next number.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_job(
        &self,
        company: CompanyId,
        draft: &JobDraft,
        now: DateTime<Utc>,
    ) -> Result<JobPosition, StoreError>;

    /// Changes a job; `None` when the company has no job of that number.
    /// Its `updated_at` is taken inside the writing transaction, so that
    /// changes commit in the order of their times (readers page by it).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn update_job(
        &self,
        company: CompanyId,
        id: i64,
        draft: &JobDraft,
    ) -> Result<Option<JobPosition>, StoreError>;

    /// Every job of the company, by number.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a row is corrupt.
    fn jobs(&self, company: CompanyId) -> Result<Vec<JobPosition>, StoreError>;

    /// One job.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or the row is corrupt.
    fn job(&self, company: CompanyId, id: i64) -> Result<Option<JobPosition>, StoreError>;

    /// Stores an upload, and removes the company's unattached uploads older
    /// than a day.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_upload(&self, company: CompanyId, upload: &NewUpload) -> Result<(), StoreError>;

    /// One upload with its bytes.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn upload(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<(UploadInfo, Vec<u8>)>, StoreError>;

    /// Stores an application in one transaction: finds or creates its
    /// candidate by e-mail (a known candidate's name and details are kept;
    /// the application only fills what is missing, so that whoever knows an
    /// e-mail address cannot rewrite someone's record), attaches its uploads
    /// (each to one application only, and only within a day of arriving),
    /// adds new tags to the set-up, and records its first phase. The
    /// application's time is taken inside the transaction, so that
    /// applications commit in the order of their times.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_application(
        &self,
        company: CompanyId,
        candidate: &CandidateInput,
        application: &CheckedApplication,
        source: ApplicationSource,
    ) -> Result<ApplicationOutcome, StoreError>;

    /// A page of applications, last changed first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a row is corrupt.
    fn applications(
        &self,
        company: CompanyId,
        filter: &RecruitingFilter,
        after: Option<After>,
        limit: usize,
    ) -> Result<Vec<Application>, StoreError>;

    /// One application.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or the row is corrupt.
    fn application(&self, company: CompanyId, id: i64) -> Result<Option<Application>, StoreError>;

    /// The applications of these candidates.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a row is corrupt.
    fn applications_of(
        &self,
        company: CompanyId,
        candidates: &[i64],
    ) -> Result<Vec<Application>, StoreError>;

    /// A page of candidates, last changed first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a row is corrupt.
    fn candidates(
        &self,
        company: CompanyId,
        filter: &RecruitingFilter,
        after: Option<After>,
        limit: usize,
    ) -> Result<Vec<Candidate>, StoreError>;

    /// These candidates (those that exist), in no particular order.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a row is corrupt.
    fn candidates_by_id(
        &self,
        company: CompanyId,
        ids: &[i64],
    ) -> Result<Vec<Candidate>, StoreError>;

    /// The phases an application went through, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a row is corrupt.
    fn stage_transitions(
        &self,
        company: CompanyId,
        application: i64,
    ) -> Result<Vec<StageTransition>, StoreError>;

    /// Replaces the company's jobs, candidates and applications (and the
    /// set-up, keeping key and switches) with a demo, all or nothing.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; nothing changed then.
    fn replace_recruiting(
        &self,
        company: CompanyId,
        demo: &RecruitingDemo,
    ) -> Result<(), StoreError>;
}
