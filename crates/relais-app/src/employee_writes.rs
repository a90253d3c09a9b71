//! Employees written one at a time: created and changed through the public
//! API (`POST` / `PATCH /v1/company/employees`), and their profile pictures
//! set by an administrator and served to credentials that may read them.
//!
//! The checks are the domain's (`relais_people::edit`, `::picture`); the
//! rules that need the whole company (one e-mail per employee, the next
//! free id, an employee unchanged since read) are the store's, inside its
//! writing transaction.

use chrono::Utc;
use relais_access::{ApiAccess, Company, PublicApi};
use relais_people::edit::{EditContext, EditError, Fields, OrgUnits};
use relais_people::picture::{self, Picture, PictureError};
use relais_people::{Employee, EmployeeId, StandardAttribute};
use relais_store::{EmployeeReplacement, StoreError, StoredPicture};
use std::sync::Arc;

use crate::public_api::ApiCaller;
use crate::{App, AppError, Caller, ErrorKind, FieldProblem};

/// How often a change lost to a concurrent one is planned again.
const ATTEMPTS: usize = 3;

impl From<EditError> for AppError {
    fn from(error: EditError) -> Self {
        let fields = error
            .0
            .iter()
            .map(|e| FieldProblem {
                field: e.field.clone(),
                message: e.message.clone(),
            })
            .collect();
        AppError::invalid(error.to_string()).with_fields(fields)
    }
}

impl From<PictureError> for AppError {
    fn from(error: PictureError) -> Self {
        let kind = match error {
            PictureError::Encoding(_) => ErrorKind::Internal,
            _ => ErrorKind::Invalid,
        };
        AppError::new(kind, error.to_string())
    }
}

impl App {
    /// The company's org units, from memory while its people revision is
    /// `revision` (read by the caller first).
    fn org_units_at(
        &self,
        company: relais_access::CompanyId,
        revision: u64,
    ) -> Result<Arc<OrgUnits>, AppError> {
        self.people_cache
            .org_units
            .get_or_load(company, revision, || self.store.org_units(company))
    }

    fn one_employee(
        &self,
        company: relais_access::CompanyId,
        id: EmployeeId,
    ) -> Result<Option<Employee>, AppError> {
        Ok(self
            .store
            .employees_by_id(company, &[id])?
            .into_iter()
            .next())
    }

    /// Refuses a supervisor who is not an employee of the company.
    fn check_supervisor(
        &self,
        company: relais_access::CompanyId,
        employee: &Employee,
        before: Option<&Employee>,
    ) -> Result<(), AppError> {
        let Some(id) = employee.supervisor_id else {
            return Ok(());
        };
        if before.is_some_and(|b| b.supervisor_id == Some(id)) {
            return Ok(());
        }
        // Employees are never deleted one by one, so one found now stays.
        if self.one_employee(company, id)?.is_none() {
            return Err(AppError::invalid(format!(
                "supervisor_id: {id} is not an employee of this company"
            ))
            .with_fields(vec![FieldProblem {
                field: "supervisor_id".into(),
                message: format!("{id} is not an employee of this company"),
            }]));
        }
        Ok(())
    }

    /// `POST /v1/company/employees`: creates an employee from the fields a
    /// client sent (see [`relais_people::edit`]); returns the new id.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Employees write; [`ErrorKind::Invalid`]
    /// naming every bad field; [`ErrorKind::Conflict`] for an e-mail an
    /// employee of the company has already.
    pub fn v1_create_employee(
        &self,
        caller: &ApiCaller,
        fields: &Fields,
    ) -> Result<EmployeeId, AppError> {
        caller.require(PublicApi::Employees, ApiAccess::Write)?;
        let company = caller.credential.company_id;
        let revision = self.store.people_revision(company)?;
        let reference = self.people_reference_at(company, revision)?;
        let units = self.org_units_at(company, revision)?;
        let now = Utc::now();
        let records = relais_people::edit::new_employee(
            fields,
            &EditContext {
                custom_attributes: &reference.custom_attributes,
                units: &units,
                today: now.date_naive(),
                now,
            },
        )?;
        self.check_supervisor(company, &records.employee, None)?;
        let id = match self.store.create_employee(company, &records) {
            Err(StoreError::Conflict(what)) => {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    format!("email: {what} exists already; e-mails are unique in a company"),
                )
                .with_fields(vec![FieldProblem {
                    field: "email".into(),
                    message: "an employee of this company has this e-mail already".into(),
                }]));
            }
            other => other?,
        };
        tracing::info!(company = %company, employee = id, "employee created through the public API");
        Ok(id)
    }

    /// `PATCH /v1/company/employees/{id}`: changes the fields a client sent
    /// (never the e-mail), recording the changed attributes in the
    /// employee's history effective today, as an import does.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Employees write; [`ErrorKind::NotFound`]
    /// for an id not in the caller's company; [`ErrorKind::Invalid`] naming
    /// every bad field; [`ErrorKind::Conflict`] when other changes kept
    /// overtaking this one.
    pub fn v1_update_employee(
        &self,
        caller: &ApiCaller,
        id: &str,
        fields: &Fields,
    ) -> Result<EmployeeId, AppError> {
        caller.require(PublicApi::Employees, ApiAccess::Write)?;
        let company = caller.credential.company_id;
        let missing = || AppError::not_found(format!("employee {id}"));
        let id: EmployeeId = id.parse().map_err(|_| missing())?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let revision = self.store.people_revision(company)?;
            let old = self.one_employee(company, id)?.ok_or_else(missing)?;
            let reference = self.people_reference_at(company, revision)?;
            let units = self.org_units_at(company, revision)?;
            let now = Utc::now();
            let (new, history) = relais_people::edit::changed_employee(
                &old,
                fields,
                &EditContext {
                    custom_attributes: &reference.custom_attributes,
                    units: &units,
                    today: now.date_naive(),
                    now,
                },
            )?;
            if new == old {
                return Ok(id);
            }
            self.check_supervisor(company, &new, Some(&old))?;
            let update = EmployeeReplacement {
                employee: &new,
                expected_last_modified: old.last_modified_at,
                history: &history,
            };
            match self.store.import_employees(company, &[], &[update]) {
                Err(StoreError::Changed(_)) if attempt < ATTEMPTS => {}
                Err(StoreError::Changed(_)) => {
                    return Err(AppError::new(
                        ErrorKind::Conflict,
                        format!(
                            "employee {id} kept changing while this change was made; send it again"
                        ),
                    ));
                }
                other => {
                    other?;
                    tracing::info!(company = %company, employee = id, "employee changed through the public API");
                    return Ok(id);
                }
            }
        }
    }

    /// `GET /v1/company/employees/{id}/profile-picture[/{width}]`: the
    /// employee's picture as a PNG, `width` pixels wide when given.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without Employees read; [`ErrorKind::NotFound`]
    /// when the employee is not in the caller's company, has no picture, or
    /// the credential may not read the Profile Picture attribute (as the
    /// modelled HRIS answers); [`ErrorKind::Invalid`] for a width out of 1–2000.
    pub fn v1_employee_picture(
        &self,
        caller: &ApiCaller,
        id: &str,
        width: Option<&str>,
    ) -> Result<Vec<u8>, AppError> {
        caller.require(PublicApi::Employees, ApiAccess::Read)?;
        let width = width
            .map(|text| {
                let pixels = text.parse::<u64>().map_err(|_| {
                    AppError::invalid(format!(
                        "width must be a whole number of pixels, 1 to 2000, got '{}'",
                        text.chars().take(20).collect::<String>()
                    ))
                })?;
                Ok::<_, AppError>(picture::check_width(pixels)?)
            })
            .transpose()?;
        let missing = || AppError::not_found(format!("profile picture of employee {id}"));
        if !caller
            .credential
            .readable_attributes
            .contains(StandardAttribute::ProfilePicture.key())
        {
            return Err(missing());
        }
        let id: EmployeeId = id.parse().map_err(|_| missing())?;
        let stored = self
            .store
            .employee_picture(caller.credential.company_id, id)?
            .ok_or_else(missing)?;
        let stored = Picture {
            width: stored.width,
            height: stored.height,
            png: stored.png,
        };
        match width {
            None => Ok(stored.png),
            Some(width) => Ok(picture::scaled(&stored, u64::from(width))?),
        }
    }

    /// Sets an employee's profile picture from an uploaded PNG or JPEG
    /// (at most 5 MB), decoded and encoded anew as a PNG.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *edit*; [`ErrorKind::NotFound`] for
    /// an unknown employee; [`ErrorKind::Invalid`] for a file that is not a
    /// readable PNG or JPEG within the limits.
    pub fn set_employee_picture(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: EmployeeId,
        upload: &[u8],
    ) -> Result<(u32, u32), AppError> {
        by.may_configure(company)?;
        let picture = picture::clean_upload(upload)?;
        let stored = StoredPicture {
            width: picture.width,
            height: picture.height,
            png: picture.png,
        };
        if !self
            .store
            .set_employee_picture(company.id, id, &stored, Utc::now())?
        {
            return Err(AppError::not_found(format!("employee {id}")));
        }
        tracing::info!(company = %company.slug, employee = id, width = stored.width, height = stored.height, "profile picture set");
        Ok((stored.width, stored.height))
    }

    /// Removes an employee's profile picture.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *edit*; [`ErrorKind::NotFound`] for
    /// an unknown employee or one without a picture.
    pub fn remove_employee_picture(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: EmployeeId,
    ) -> Result<(), AppError> {
        by.may_configure(company)?;
        if !self
            .store
            .remove_employee_picture(company.id, id, Utc::now())?
        {
            return Err(AppError::not_found(format!(
                "profile picture of employee {id}"
            )));
        }
        tracing::info!(company = %company.slug, employee = id, "profile picture removed");
        Ok(())
    }
}
