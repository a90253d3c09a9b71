//! Employees brought in from a file, in one transaction.

use relais_access::CompanyId;
use relais_people::EmployeeRecords;
use rusqlite::{Connection, TransactionBehavior, params};

use super::people::{bump_revision, insert_records_in, tenant};
use super::{SqliteStore, backend, json, sortable};
use crate::{EmployeeReplacement, ImportStore, StoreError};

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

impl ImportStore for SqliteStore {
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
