//! Employee documents: uploading them (public API, admin API, CLI),
//! listing an employee's, downloading and deleting one.
//!
//! The bytes are stored in the database with their metadata, so that the
//! database's backup holds them (docs/api.md, "Documents"). A file is
//! accepted by its extension and its content together
//! ([`relais_people::documents::check_file`]); the employee and the
//! category must be the company's, checked in the inserting transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use relais_access::{ApiAccess, Company, CompanyId, PublicApi};
use relais_people::documents::{self, Document, MAX_COMMENT_CHARS, MAX_TITLE_CHARS};
use relais_people::{DocumentCategory, Employee, EmployeeId};
use relais_store::{DocumentInsert, NewDocument, Paged, Window};
use sha2::{Digest as _, Sha256};

use crate::public_api::{ApiCaller, AttributeSelection, SHORT_EMPLOYEE};
use crate::{App, AppError, Caller, FieldProblem};

/// The message of every refused upload, as the modelled HRIS words it;
/// the fields at fault are listed with it.
pub const VALIDATION_FAILED: &str = "The given data failed to pass validation.";

/// A document as a client sent it: every field as text (multipart form
/// fields are text; ids are read from it here).
#[derive(Debug, Clone, Default)]
pub struct DocumentUpload {
    /// The employee's id.
    pub employee_id: Option<String>,
    /// The category's id.
    pub category_id: Option<String>,
    /// Title, 1 to 255 characters.
    pub title: Option<String>,
    /// Comment, up to 2,000 characters.
    pub comment: Option<String>,
    /// `YYYY-MM-DD`; the upload day when not given.
    pub date: Option<String>,
    /// The file.
    pub file: Option<UploadedFile>,
}

/// An uploaded file: its name as the client gave it, and its bytes.
#[derive(Debug, Clone, Default)]
pub struct UploadedFile {
    /// The name (only its last path component is kept).
    pub name: String,
    /// The bytes.
    pub content: Vec<u8>,
}

/// A stored document with what the public API's answer embeds.
#[derive(Debug, Clone)]
pub struct UploadedDocument {
    /// The document.
    pub document: Document,
    /// Its category.
    pub category: DocumentCategory,
    /// Its employee (absent if removed meanwhile).
    pub employees: HashMap<EmployeeId, Employee>,
    /// The employee's attributes shown: names and e-mail, as the
    /// credential's whitelist allows.
    pub employee_attributes: AttributeSelection,
}

/// An upload's fields, checked.
struct Checked {
    employee_id: EmployeeId,
    category_id: i64,
    title: String,
    comment: Option<String>,
    date: NaiveDate,
    file_name: String,
    mime_type: &'static str,
    content: Vec<u8>,
}

/// Problems by field, each field's in the order found.
#[derive(Default)]
struct Problems(BTreeMap<&'static str, Vec<String>>);

impl Problems {
    fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_default().push(message.into());
    }

    fn into_error(self) -> AppError {
        let fields = self
            .0
            .into_iter()
            .flat_map(|(field, messages)| {
                messages.into_iter().map(move |message| FieldProblem {
                    field: field.to_owned(),
                    message,
                })
            })
            .collect();
        AppError::invalid(VALIDATION_FAILED.to_owned()).with_fields(fields)
    }
}

/// The refusal of one field.
fn refused(field: &'static str, message: impl Into<String>) -> AppError {
    let mut problems = Problems::default();
    problems.add(field, message);
    problems.into_error()
}

/// Reads an id field: required, an integer.
fn id_field(
    problems: &mut Problems,
    field: &'static str,
    words: &str,
    given: Option<&str>,
) -> Option<i64> {
    match given.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            problems.add(field, format!("The {words} field is required."));
            None
        }
        Some(text) => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                problems.add(field, format!("The {words} must be an integer."));
                None
            }
        },
    }
}

/// The days a document may be dated.
fn date_range() -> std::ops::RangeInclusive<NaiveDate> {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
        ..=NaiveDate::from_ymd_opt(2999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Checks every field, naming each problem with its field.
fn check(upload: DocumentUpload, today: NaiveDate) -> Result<Checked, AppError> {
    let mut problems = Problems::default();
    let employee_id = id_field(
        &mut problems,
        "employee_id",
        "employee id",
        upload.employee_id.as_deref(),
    );
    let category_id = id_field(
        &mut problems,
        "category_id",
        "category id",
        upload.category_id.as_deref(),
    );
    let title = upload
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match title {
        None => problems.add("title", "The title field is required."),
        Some(t) if t.chars().take(MAX_TITLE_CHARS + 1).count() > MAX_TITLE_CHARS => {
            problems.add(
                "title",
                format!("The title may not be greater than {MAX_TITLE_CHARS} characters."),
            );
        }
        Some(_) => {}
    }
    let comment = upload
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().take(MAX_COMMENT_CHARS + 1).count() > MAX_COMMENT_CHARS) {
        problems.add(
            "comment",
            format!("The comment may not be greater than {MAX_COMMENT_CHARS} characters."),
        );
    }
    let date = match upload
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => Some(today),
        Some(text) => {
            let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|d| date_range().contains(d));
            if parsed.is_none() {
                problems.add(
                    "date",
                    "The date does not match the format Y-m-d (a day from 1900-01-01 to 2999-12-31).",
                );
            }
            parsed
        }
    };
    let file = match upload.file {
        None => {
            problems.add("file", "The file field is required.");
            None
        }
        Some(file) => {
            let name = documents::clean_file_name(&file.name);
            match documents::check_file(&name, &file.content) {
                Ok(mime_type) => Some((name, mime_type, file.content)),
                Err(refusal) => {
                    problems.add("file", refusal.to_string());
                    None
                }
            }
        }
    };
    match (employee_id, category_id, title, date, file) {
        (Some(employee_id), Some(category_id), Some(title), Some(date), Some(file))
            if problems.0.is_empty() =>
        {
            Ok(Checked {
                employee_id,
                category_id,
                title: title.to_owned(),
                comment: comment.map(str::to_owned),
                date,
                file_name: file.0,
                mime_type: file.1,
                content: file.2,
            })
        }
        _ => Err(problems.into_error()),
    }
}

/// SHA-256 of `bytes`, lower-case hex.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl App {
    /// Checks and stores an upload for `company`, recording who did it.
    fn store_document(
        &self,
        company: CompanyId,
        upload: DocumentUpload,
        by: String,
    ) -> Result<Document, AppError> {
        let now = Utc::now();
        let checked = check(upload, now.date_naive())?;
        let sha256 = sha256_hex(&checked.content);
        let inserted = self.store.insert_document(
            company,
            &NewDocument {
                employee_id: checked.employee_id,
                category_id: checked.category_id,
                title: &checked.title,
                comment: checked.comment.as_deref(),
                date: checked.date,
                file_name: &checked.file_name,
                mime_type: checked.mime_type,
                sha256: &sha256,
                created_at: now,
                content: &checked.content,
            },
            &|document| document_event(company, by.clone(), document, "document.upload"),
        )?;
        let document = match inserted {
            DocumentInsert::Stored(document) => document,
            // Another company's employee or category reads as unknown.
            DocumentInsert::NoSuchEmployee => {
                return Err(refused(
                    "employee_id",
                    "The selected employee id is invalid.",
                ));
            }
            DocumentInsert::NoSuchCategory => {
                return Err(refused(
                    "category_id",
                    "The selected category id is invalid.",
                ));
            }
        };

        tracing::info!(
            document = document.id,
            size = document.size,
            "document stored"
        );
        Ok(document)
    }

    /// `POST /v1/company/documents`: stores a document for an employee of
    /// the credential's company.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Forbidden`] without Documents write; [`crate::ErrorKind::Invalid`]
    /// with [`VALIDATION_FAILED`] and every field at fault (an employee or
    /// category of another company is an invalid one).
    pub fn v1_upload_document(
        &self,
        caller: &ApiCaller,
        upload: DocumentUpload,
    ) -> Result<UploadedDocument, AppError> {
        caller.require(PublicApi::Documents, ApiAccess::Write)?;
        let company = caller.credential.company_id;
        let document = self.store_document(
            company,
            upload,
            format!("credential {}", caller.credential.client_id),
        )?;
        let category = self
            .people_reference(company)?
            .document_categories
            .iter()
            .find(|c| c.id == document.category_id)
            .cloned()
            .unwrap_or_else(|| DocumentCategory {
                id: document.category_id,
                name: String::new(),
            });
        let employees = self
            .store
            .employees_by_id(company, &[document.employee_id])?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        Ok(UploadedDocument {
            document,
            category,
            employees,
            employee_attributes: caller.selection(&[], &SHORT_EMPLOYEE),
        })
    }

    /// Stores a document for an employee of `company` (the CLI's upload).
    ///
    /// # Errors
    /// [`crate::ErrorKind::Forbidden`] below *edit*; [`crate::ErrorKind::Invalid`] as
    /// [`Self::v1_upload_document`].
    pub fn upload_document(
        &self,
        by: Caller<'_>,
        company: &Company,
        upload: DocumentUpload,
    ) -> Result<Document, AppError> {
        by.may_configure(company)?;
        self.store_document(company.id, upload, by.name())
    }

    /// A page of an employee's documents, newest first, without their bytes.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Forbidden`] below *view*; [`crate::ErrorKind::NotFound`] for
    /// an employee not in `company`.
    pub fn employee_documents(
        &self,
        by: Caller<'_>,
        company: &Company,
        employee: &str,
        window: Window,
    ) -> Result<Paged<Document>, AppError> {
        by.may_browse(company)?;
        let missing = || AppError::not_found(format!("employee {employee}"));
        let id: EmployeeId = employee.trim().parse().map_err(|_| missing())?;
        if self.store.employees_by_id(company.id, &[id])?.is_empty() {
            return Err(missing());
        }
        Ok(self.store.employee_documents(company.id, id, window)?)
    }

    /// A document of `company` with its bytes.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Forbidden`] below *view*; [`crate::ErrorKind::NotFound`] for a
    /// document not in `company`.
    pub fn document_content(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<(Document, Vec<u8>), AppError> {
        by.may_browse(company)?;
        let missing = || AppError::not_found(format!("document {id}"));
        let id: i64 = id.trim().parse().map_err(|_| missing())?;
        self.store
            .document_content(company.id, id)?
            .ok_or_else(missing)
    }

    /// Deletes a document of `company`; returns what it was.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Forbidden`] below *edit*; [`crate::ErrorKind::NotFound`] for a
    /// document not in `company` (or deleted already).
    pub fn delete_document(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<Document, AppError> {
        by.may_configure(company)?;
        let missing = || AppError::not_found(format!("document {id}"));
        let id: i64 = id.trim().parse().map_err(|_| missing())?;
        let actor = by.name();
        self.store
            .delete_document(company.id, id, &|document| {
                document_event(company.id, actor.clone(), document, "document.delete")
            })?
            .ok_or_else(missing)
    }
}

/// An audit event about a document: which file, not what it says.
fn document_event(
    company: CompanyId,
    by: String,
    document: &Document,
    action: &str,
) -> relais_connections::AuditEvent {
    relais_connections::AuditEvent {
        company_id: company,
        at: Utc::now(),
        actor: by,
        subject_type: "document".into(),
        subject_id: document.id.to_string(),
        action: action.to_owned(),
        before: None,
        after: None,
        reason: None,
        details: serde_json::json!({
            "employee_id": document.employee_id,
            "category_id": document.category_id,
            "size": document.size,
            "sha256": document.sha256,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn valid() -> DocumentUpload {
        DocumentUpload {
            employee_id: Some("1".into()),
            category_id: Some(" 2 ".into()),
            title: Some("Contract".into()),
            comment: None,
            date: None,
            file: Some(UploadedFile {
                name: "contract.pdf".into(),
                content: b"%PDF-1.7".to_vec(),
            }),
        }
    }

    fn fields(error: &AppError) -> Vec<(String, String)> {
        error
            .fields()
            .iter()
            .map(|f| (f.field.clone(), f.message.clone()))
            .collect()
    }

    #[test]
    fn a_valid_upload_is_dated_today_unless_a_date_is_given() {
        let checked = check(valid(), today()).unwrap();
        assert_eq!((checked.employee_id, checked.category_id), (1, 2));
        assert_eq!(checked.date, today());
        assert_eq!(checked.mime_type, "application/pdf");
        let dated = DocumentUpload {
            date: Some("2020-02-29".into()),
            ..valid()
        };
        assert_eq!(
            check(dated, today()).unwrap().date,
            NaiveDate::from_ymd_opt(2020, 2, 29).unwrap()
        );
    }

    #[test]
    fn every_field_at_fault_is_named_at_once() {
        let error = check(DocumentUpload::default(), today()).err().unwrap();
        assert_eq!(error.kind(), ErrorKind::Invalid);
        assert_eq!(error.to_string(), VALIDATION_FAILED);
        let named: Vec<String> = fields(&error).into_iter().map(|(f, _)| f).collect();
        assert_eq!(named, ["category_id", "employee_id", "file", "title"]);
        let bad = DocumentUpload {
            employee_id: Some("abc".into()),
            title: Some("t".repeat(MAX_TITLE_CHARS + 1)),
            comment: Some("c".repeat(MAX_COMMENT_CHARS + 1)),
            date: Some("30.11.2026".into()),
            ..valid()
        };
        let error = check(bad, today()).err().unwrap();
        assert_eq!(
            fields(&error),
            [
                ("comment".into(), "The comment may not be greater than 2000 characters.".into()),
                ("date".into(), "The date does not match the format Y-m-d (a day from 1900-01-01 to 2999-12-31).".into()),
                ("employee_id".into(), "The employee id must be an integer.".into()),
                ("title".into(), "The title may not be greater than 255 characters.".into()),
            ]
        );
    }

    #[test]
    fn a_file_of_another_type_is_refused_on_the_file_field() {
        let upload = DocumentUpload {
            file: Some(UploadedFile {
                name: "setup.exe".into(),
                content: b"MZ".to_vec(),
            }),
            ..valid()
        };
        let error = check(upload, today()).err().unwrap();
        let (field, message) = &fields(&error)[0];
        assert_eq!(field, "file");
        assert!(
            message.starts_with("The file must be a file of type: pdf, docx"),
            "{message}"
        );
    }

    #[test]
    fn the_digest_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
