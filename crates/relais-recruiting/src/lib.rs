//! Recruiting: job positions and where they are published, the phases
//! applications go through, candidates and their applications with their
//! files; the public XML job feed; and the rules a submitted application
//! is checked by, with the modelled HRIS's reason codes.
//!
//! Pure: no storage, no HTTP. `relais-store` keeps these types,
//! `relais-app` decides who may write and read them.
//!
//! Depends on `relais-access`.
//!
//! # Example
//!
//! The public job feed of a demo company's published positions:
//!
//! ```rust
//! use chrono::Utc;
//! use relais_recruiting::{Language, demo::demo, feed::job_feed};
//!
//! let company = demo(7, Utc::now(), 10);
//! let xml = job_feed(&company.jobs, &company.setup, Language::En);
//! assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workzag-jobs>"));
//! assert!(xml.contains("<position>"));
//! ```

#![warn(missing_docs)]

pub mod application;
pub mod demo;
pub mod feed;
mod model;
pub mod upload;

pub use model::{
    Application, ApplicationAttribute, ApplicationFile, ApplicationId, ApplicationSource,
    AttributeKind, Candidate, CandidateDetails, CandidateId, CustomPhase, EmploymentType,
    ExternalPosting, FileCategory, Gender, JobDescription, JobDraft, JobId, JobPosition, Language,
    Phase, RecruitingCategory, RecruitingChannel, RecruitingSetup, Schedule, Seniority,
    StageTransition, SystemPhase, YearsOfExperience,
};

/// Why a recruiting value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecruitingError {
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// Which field.
        field: &'static str,
        /// Why, in words.
        reason: String,
    },
}

impl RecruitingError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
