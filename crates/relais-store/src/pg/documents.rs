//! PostgreSQL: see `crate::sqlite::documents` (the same queries in PostgreSQL's dialect),
//! the bytes in a BYTEA column.
//!
//! The audit closures of [`DocumentStore`] are neither `Send` nor `Sync`,
//! and the transaction may run on another thread (see `PostgresStore::run`):
//! so the event is made on the caller's thread, of the document as it will
//! be stored (insert: its id drawn first from the table's sequence) or as it
//! was read (delete), and written in the transaction that stores or deletes
//! exactly that document.

use chrono::NaiveDate;
use postgres::{GenericClient, Row};
use relais_access::CompanyId;
use relais_connections::AuditEvent;
use relais_people::EmployeeId;
use relais_people::documents::Document;

use super::{PostgresStore, backend, corrupt, get, int, parse_timestamp, sortable, timestamp};
use crate::{DocumentInsert, DocumentStore, NewDocument, Paged, StoreError, Window};

/// The metadata columns, in the order [`read`] takes them.
const COLUMNS: &str = "id, employee_id, category_id, title, comment, date, file_name, mime_type, size, sha256, created_at";

const T: &str = "employee_documents";

// MERGE: use super::people::tenant (a private copy until that module lands).
fn tenant(client: &mut impl GenericClient, company: CompanyId) -> Result<i64, StoreError> {
    let row = client
        .query_opt(
            "SELECT tenant FROM companies WHERE id = $1",
            &[&company.0.to_string()],
        )
        .map_err(backend)?
        .ok_or_else(|| StoreError::Backend(format!("no company {company}")))?;
    get::<Option<i64>>("companies", &row, 0)?
        .ok_or_else(|| StoreError::Backend(format!("no company {company}")))
}

// MERGE: use super::connections::insert_events
fn insert_events(
    tx: &mut postgres::Transaction<'_>,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let insert = tx
        .prepare(
            "INSERT INTO audit_events (company_id, at, actor, subject_type, subject_id, action, before, after, reason, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .map_err(backend)?;
    for e in events {
        tx.execute(
            &insert,
            &[
                &e.company_id.0.to_string(),
                &timestamp(e.at),
                &e.actor,
                &e.subject_type,
                &e.subject_id,
                &e.action,
                &e.before,
                &e.after,
                &e.reason,
                &e.details.to_string(),
            ],
        )
        .map_err(backend)?;
    }
    Ok(())
}

fn parse_date(date: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|e| corrupt(T, format!("bad date '{date}': {e}")))
}

fn read(row: &Row) -> Result<Document, StoreError> {
    Ok(Document {
        id: get(T, row, 0)?,
        employee_id: get(T, row, 1)?,
        category_id: get(T, row, 2)?,
        title: get(T, row, 3)?,
        comment: get(T, row, 4)?,
        date: parse_date(&get::<String>(T, row, 5)?)?,
        file_name: get(T, row, 6)?,
        mime_type: get(T, row, 7)?,
        size: u64::try_from(get::<i64>(T, row, 8)?).map_err(|e| corrupt(T, e))?,
        sha256: get(T, row, 9)?,
        created_at: parse_timestamp(T, &get::<String>(T, row, 10)?)?,
    })
}

/// One document of the company, without its bytes.
fn document(
    client: &mut impl GenericClient,
    tenant: i64,
    id: i64,
) -> Result<Option<Document>, StoreError> {
    client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM employee_documents WHERE tenant = $1 AND id = $2"),
            &[&tenant, &id],
        )
        .map_err(backend)?
        .map(|row| read(&row))
        .transpose()
}

impl DocumentStore for PostgresStore {
    fn insert_document(
        &self,
        company: CompanyId,
        d: &NewDocument<'_>,
        audit: &dyn Fn(&Document) -> AuditEvent,
    ) -> Result<DocumentInsert, StoreError> {
        let size = i64::try_from(d.content.len())
            .map_err(|_| StoreError::Refused("the file is too large".into()))?;
        let (date, created_at) = (d.date.to_string(), sortable(d.created_at));
        // The id the document will have (a number drawn and then not used
        // is skipped, as SQLite's AUTOINCREMENT skips a rolled-back one).
        let id = self.run(|client| {
            let row = client
                .query_one(
                    "SELECT nextval(pg_get_serial_sequence('employee_documents', 'id'))",
                    &[],
                )
                .map_err(backend)?;
            get::<i64>(T, &row, 0)
        })?;
        // The document as it reads back (the time at the precision kept).
        let expected = Document {
            id,
            employee_id: d.employee_id,
            category_id: d.category_id,
            title: d.title.to_owned(),
            comment: d.comment.map(str::to_owned),
            date: parse_date(&date)?,
            file_name: d.file_name.to_owned(),
            mime_type: d.mime_type.to_owned(),
            size: u64::try_from(size).map_err(|e| corrupt(T, e))?,
            sha256: d.sha256.to_owned(),
            created_at: parse_timestamp(T, &created_at)?,
        };
        let event = audit(&expected);
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            // Under the write lock: the checks and the insert see one state
            // of the company (an employee removed meanwhile cannot slip in
            // between).
            let mut exists = |sql: &str, id: i64| -> Result<bool, StoreError> {
                let row = tx.query_one(sql, &[&tenant, &id]).map_err(backend)?;
                get::<bool>(T, &row, 0)
            };
            if !exists(
                "SELECT EXISTS (SELECT 1 FROM employees WHERE tenant = $1 AND id = $2)",
                d.employee_id,
            )? {
                return Ok(DocumentInsert::NoSuchEmployee);
            }
            if !exists(
                "SELECT EXISTS (SELECT 1 FROM document_categories WHERE tenant = $1 AND id = $2)",
                d.category_id,
            )? {
                return Ok(DocumentInsert::NoSuchCategory);
            }
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO employee_documents (id, tenant, employee_id, category_id, title, comment, date, file_name, mime_type, size, sha256, created_at, content)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {COLUMNS}"
                    ),
                    &[
                        &id,
                        &tenant,
                        &d.employee_id,
                        &d.category_id,
                        &d.title,
                        &d.comment,
                        &date,
                        &d.file_name,
                        &d.mime_type,
                        &size,
                        &d.sha256,
                        &created_at,
                        &d.content,
                    ],
                )
                .map_err(backend)?;
            let stored = read(&row)?;
            if stored != expected {
                return Err(StoreError::Backend(format!(
                    "internal error: document {id} reads back otherwise than it was audited"
                )));
            }
            insert_events(tx, &[event])?;
            Ok(DocumentInsert::Stored(stored))
        })
    }

    fn employee_documents(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        window: Window,
    ) -> Result<Paged<Document>, StoreError> {
        let (limit, offset) = (int(window.limit), int(window.offset));
        // One snapshot: the count and the page agree.
        self.snapshot(|tx| {
            let tenant = tenant(tx, company)?;
            let row = tx
                .query_one(
                    "SELECT COUNT(*) FROM employee_documents WHERE tenant = $1 AND employee_id = $2",
                    &[&tenant, &employee],
                )
                .map_err(backend)?;
            let total = get::<i64>(T, &row, 0)?;
            let rows = tx
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM employee_documents
                         WHERE tenant = $1 AND employee_id = $2
                         ORDER BY id DESC LIMIT $3 OFFSET $4"
                    ),
                    &[&tenant, &employee, &limit, &offset],
                )
                .map_err(backend)?
                .iter()
                .map(read)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Paged {
                rows,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
    }

    fn document_content(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<(Document, Vec<u8>)>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query_opt(
                    &format!(
                        "SELECT {COLUMNS}, content FROM employee_documents WHERE tenant = $1 AND id = $2"
                    ),
                    &[&tenant, &id],
                )
                .map_err(backend)?
                .map(|row| Ok((read(&row)?, get::<Vec<u8>>(T, &row, 11)?)))
                .transpose()
        })
    }

    fn delete_document(
        &self,
        company: CompanyId,
        id: i64,
        audit: &dyn Fn(&Document) -> AuditEvent,
    ) -> Result<Option<Document>, StoreError> {
        loop {
            let Some(found) = self.run(|client| {
                let tenant = tenant(client, company)?;
                document(client, tenant, id)
            })?
            else {
                return Ok(None);
            };
            let event = audit(&found);
            let deleted = self.write(|tx| {
                let tenant = tenant(tx, company)?;
                // Deleted only when it is still the document audited (ids
                // are never reused, so it is unless it is gone).
                match document(tx, tenant, id)? {
                    None => return Ok(Some(None)),
                    Some(current) if current != found => return Ok(None),
                    Some(_) => {}
                }
                tx.execute(
                    "DELETE FROM employee_documents WHERE tenant = $1 AND id = $2",
                    &[&tenant, &id],
                )
                .map_err(backend)?;
                insert_events(tx, &[event])?;
                Ok(Some(Some(found.clone())))
            })?;
            if let Some(deleted) = deleted {
                return Ok(deleted);
            }
        }
    }
}
