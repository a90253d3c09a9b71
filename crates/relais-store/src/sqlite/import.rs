//! Employees brought in from a file, in one transaction.

use chrono::{DateTime, Utc};
use relais_access::CompanyId;
use relais_people::{Employee, EmployeeId, EmployeeRecords};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::people::{bump_revision, insert_records_in, tenant};
use super::{SqliteStore, backend, corrupt, json, sortable};
use crate::{EmployeeReplacement, ImportStore, StoreError, StoredPicture};

/// Whether another employee than `except` of the tenant has this e-mail or external id.
fn taken(
    conn: &Connection,
    tenant: i64,
    except: i64,
    email: &str,
    external_id: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let email_taken: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM employees WHERE tenant = ?1 AND id != ?2 AND email = ?3)",
            params![tenant, except, email],
            |r| r.get(0),
        )
        .map_err(backend)?;
    if email_taken {
        return Ok(Some(format!("an employee with the e-mail {email}")));
    }
    if let Some(external_id) = external_id {
        let external_taken: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM employees WHERE tenant = ?1 AND id != ?2
                                AND json_extract(document, '$.external_id') = ?3)",
                params![tenant, except, external_id],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if external_taken {
            return Ok(Some(format!(
                "an employee with the external id '{external_id}'"
            )));
        }
    }
    Ok(None)
}

/// Marks one employee as having a profile picture or not, modified at
/// `now`, inside the caller's transaction; `false` for an unknown employee.
fn mark_picture(
    conn: &Connection,
    tenant: i64,
    id: EmployeeId,
    has_picture: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let document: Option<String> = conn
        .query_row(
            "SELECT document FROM employees WHERE tenant = ?1 AND id = ?2",
            params![tenant, id],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    let Some(document) = document else {
        return Ok(false);
    };
    let mut employee: Employee =
        serde_json::from_str(&document).map_err(|e| corrupt("employees", e))?;
    employee.profile_picture = has_picture;
    employee.last_modified_at = now;
    conn.execute(
        "UPDATE employees SET last_modified_at = ?3, document = ?4 WHERE tenant = ?1 AND id = ?2",
        params![tenant, id, sortable(now), json(&employee)?],
    )
    .map_err(backend)?;
    Ok(true)
}

impl ImportStore for SqliteStore {
    fn create_employee(
        &self,
        company: CompanyId,
        records: &EmployeeRecords,
    ) -> Result<EmployeeId, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let tenant = tenant(&tx, company)?;
        // The next id, read and taken inside the writing transaction.
        let id: EmployeeId = tx
            .query_row(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM employees WHERE tenant = ?1",
                [tenant],
                |r| r.get(0),
            )
            .map_err(backend)?;
        let mut records = records.clone();
        records.employee.id = id;
        for change in &mut records.history {
            change.employee_id = id;
        }
        let email = records.employee.email.clone();
        insert_records_in(&tx, tenant, std::slice::from_ref(&records)).map_err(|e| match e {
            // The unique index on (tenant, email) is the one that can refuse.
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("an employee with the e-mail {email}"))
            }
            other => other,
        })?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    fn set_employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        picture: &StoredPicture,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let tenant = tenant(&tx, company)?;
        if !mark_picture(&tx, tenant, employee, true, now)? {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO employee_pictures (tenant, employee_id, width, height, png, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant, employee_id) DO UPDATE SET
                 width = excluded.width, height = excluded.height,
                 png = excluded.png, updated_at = excluded.updated_at",
            params![
                tenant,
                employee,
                picture.width,
                picture.height,
                picture.png,
                sortable(now)
            ],
        )
        .map_err(backend)?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(true)
    }

    fn remove_employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let tenant = tenant(&tx, company)?;
        let removed = tx
            .execute(
                "DELETE FROM employee_pictures WHERE tenant = ?1 AND employee_id = ?2",
                params![tenant, employee],
            )
            .map_err(backend)?;
        if removed == 0 {
            return Ok(false);
        }
        mark_picture(&tx, tenant, employee, false, now)?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(true)
    }

    fn employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
    ) -> Result<Option<StoredPicture>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        conn.query_row(
            "SELECT width, height, png FROM employee_pictures WHERE tenant = ?1 AND employee_id = ?2",
            params![tenant, employee],
            |r| {
                Ok(StoredPicture {
                    width: r.get(0)?,
                    height: r.get(1)?,
                    png: r.get(2)?,
                })
            },
        )
        .optional()
        .map_err(backend)
    }

    fn import_employees(
        &self,
        company: CompanyId,
        creates: &[EmployeeRecords],
        updates: &[EmployeeReplacement<'_>],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        // Immediate: the uniqueness checks and the writes see one state.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let tenant = tenant(&tx, company)?;
        for update in updates {
            let e = update.employee;
            if let Some(what) = taken(&tx, tenant, e.id, &e.email, e.external_id.as_deref())? {
                return Err(StoreError::Conflict(what));
            }
            let written = tx
                .execute(
                    "UPDATE employees SET email = ?3, last_modified_at = ?4, document = ?5
                     WHERE tenant = ?1 AND id = ?2 AND last_modified_at = ?6",
                    params![
                        tenant,
                        e.id,
                        e.email,
                        sortable(e.last_modified_at),
                        json(e)?,
                        sortable(update.expected_last_modified)
                    ],
                )
                .map_err(backend)?;
            if written != 1 {
                return Err(StoreError::Changed(format!(
                    "employee {} changed while the import ran; run it again",
                    e.id
                )));
            }
            for c in update.history {
                tx.execute(
                    "INSERT INTO employee_history (tenant, employee_id, attribute, effective_from, value)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (tenant, employee_id, attribute, effective_from)
                     DO UPDATE SET value = excluded.value",
                    params![
                        tenant,
                        c.employee_id,
                        c.attribute,
                        c.effective_from.to_string(),
                        c.value.to_string()
                    ],
                )
                .map_err(backend)?;
            }
        }
        for records in creates {
            let e = &records.employee;
            if let Some(what) = taken(&tx, tenant, e.id, &e.email, e.external_id.as_deref())? {
                return Err(StoreError::Conflict(what));
            }
        }
        insert_records_in(&tx, tenant, creates)?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)
    }
}
