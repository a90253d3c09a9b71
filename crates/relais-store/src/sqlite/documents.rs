//! Employee documents, bytes included, in `employee_documents`.

use chrono::NaiveDate;
use relais_access::CompanyId;
use relais_connections::AuditEvent;
use relais_people::EmployeeId;
use relais_people::documents::Document;
use rusqlite::{OptionalExtension as _, Row, params};

use super::connections::insert_events;
use super::people::{Where, tenant};
use super::{SqliteStore, backend, corrupt, parse_timestamp, sortable};
use crate::layout::DOCUMENT_COLUMNS as COLUMNS;
use crate::{DocumentInsert, DocumentStore, NewDocument, Paged, StoreError, Window};

fn read(row: &Row<'_>) -> rusqlite::Result<Result<Document, StoreError>> {
    let date: String = row.get(5)?;
    let created_at: String = row.get(10)?;
    let size: i64 = row.get(8)?;
    Ok((|| {
        Ok(Document {
            id: row.get(0).map_err(backend)?,
            employee_id: row.get(1).map_err(backend)?,
            category_id: row.get(2).map_err(backend)?,
            title: row.get(3).map_err(backend)?,
            comment: row.get(4).map_err(backend)?,
            date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|e| corrupt("employee_documents", format!("bad date '{date}': {e}")))?,
            file_name: row.get(6).map_err(backend)?,
            mime_type: row.get(7).map_err(backend)?,
            size: u64::try_from(size).map_err(|e| corrupt("employee_documents", e))?,
            sha256: row.get(9).map_err(backend)?,
            created_at: parse_timestamp("employee_documents", &created_at)?,
        })
    })())
}

impl DocumentStore for SqliteStore {
    fn insert_document(
        &self,
        company: CompanyId,
        d: &NewDocument<'_>,
        audit: &(dyn Fn(&Document) -> AuditEvent + Sync),
    ) -> Result<DocumentInsert, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        // Immediate: the checks and the insert see one state of the
        // company (an employee removed meanwhile cannot slip in between).
        let tx = conn.transaction().map_err(backend)?;
        let exists = |sql: &str, id: i64| -> Result<bool, StoreError> {
            tx.query_row(sql, params![tenant, id], |r| r.get(0))
                .map_err(backend)
        };
        if !exists(
            "SELECT EXISTS (SELECT 1 FROM employees WHERE tenant = ?1 AND id = ?2)",
            d.employee_id,
        )? {
            return Ok(DocumentInsert::NoSuchEmployee);
        }
        if !exists(
            "SELECT EXISTS (SELECT 1 FROM document_categories WHERE tenant = ?1 AND id = ?2)",
            d.category_id,
        )? {
            return Ok(DocumentInsert::NoSuchCategory);
        }
        let size = i64::try_from(d.content.len())
            .map_err(|_| StoreError::Refused("the file is too large".into()))?;
        // Read back as stored (the time at the precision kept).
        let stored = tx
            .query_row(
                &format!(
                    "INSERT INTO employee_documents (tenant, employee_id, category_id, title, comment, date, file_name, mime_type, size, sha256, created_at, content)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING {COLUMNS}"
                ),
                params![
                    tenant,
                    d.employee_id,
                    d.category_id,
                    d.title,
                    d.comment,
                    d.date.to_string(),
                    d.file_name,
                    d.mime_type,
                    size,
                    d.sha256,
                    sortable(d.created_at),
                    d.content,
                ],
                read,
            )
            .map_err(backend)??;
        insert_events(&tx, &[audit(&stored)])?;
        tx.commit().map_err(backend)?;
        Ok(DocumentInsert::Stored(stored))
    }

    fn employee_documents(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        window: Window,
    ) -> Result<Paged<Document>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let mut filter = Where::new("tenant = ?", tenant);
        filter.and("employee_id = ?", employee);
        filter.page(
            &conn,
            "employee_documents",
            COLUMNS,
            "id DESC",
            window,
            read,
        )
    }

    fn document_content(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<(Document, Vec<u8>)>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let found = conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS}, content FROM employee_documents WHERE tenant = ?1 AND id = ?2"
                ),
                params![tenant, id],
                |row| Ok((read(row)?, row.get::<_, Vec<u8>>(11)?)),
            )
            .optional()
            .map_err(backend)?;
        found
            .map(|(document, content)| Ok((document?, content)))
            .transpose()
    }

    fn delete_document(
        &self,
        company: CompanyId,
        id: i64,
        audit: &(dyn Fn(&Document) -> AuditEvent + Sync),
    ) -> Result<Option<Document>, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let deleted = tx
            .query_row(
                &format!(
                    "DELETE FROM employee_documents WHERE tenant = ?1 AND id = ?2 RETURNING {COLUMNS}"
                ),
                params![tenant, id],
                read,
            )
            .optional()
            .map_err(backend)?
            .transpose()?;
        if let Some(document) = &deleted {
            insert_events(&tx, &[audit(document)])?;
        }
        tx.commit().map_err(backend)?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PeopleStore as _;
    use chrono::Utc;
    use relais_people::demo;

    fn store_with_people() -> (tempfile::TempDir, SqliteStore, Vec<CompanyId>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let mut companies = Vec::new();
        for name in ["Acme", "Globex"] {
            let company = super::super::tests::seed_named(&store, name);
            let reference = demo::company();
            store
                .replace_people_reference(
                    company.id,
                    &crate::PeopleReference {
                        time_off_types: reference.time_off_types,
                        document_categories: reference.document_categories,
                        custom_attributes: reference.custom_attributes,
                        projects: reference.projects,
                    },
                )
                .unwrap();
            let spec = demo::DemoSpec {
                employees: 3,
                months: 1,
                seed: 1,
                until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            };
            let records: Vec<_> = demo::employees(spec).collect();
            store.insert_employees(company.id, &records).unwrap();
            companies.push(company.id);
        }
        (dir, store, companies)
    }

    /// The audit event a test's writes record.
    fn audit(company: CompanyId) -> impl Fn(&Document) -> AuditEvent {
        move |document| AuditEvent {
            company_id: company,
            at: Utc::now(),
            actor: "test".into(),
            subject_type: "document".into(),
            subject_id: document.id.to_string(),
            action: "document.test".into(),
            before: None,
            after: None,
            reason: None,
            details: serde_json::Value::Null,
        }
    }

    fn new(employee_id: EmployeeId, content: &[u8]) -> NewDocument<'_> {
        NewDocument {
            employee_id,
            category_id: 1,
            title: "Contract",
            comment: None,
            date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            file_name: "contract.pdf",
            mime_type: "application/pdf",
            sha256: "00",
            created_at: Utc::now(),
            content,
        }
    }

    #[test]
    fn a_document_is_stored_listed_read_and_deleted_in_its_company_only() {
        let (_dir, store, companies) = store_with_people();
        let (a, b) = (companies[0], companies[1]);
        let DocumentInsert::Stored(stored) = store
            .insert_document(a, &new(1, b"%PDF-1"), &audit(a))
            .unwrap()
        else {
            panic!("not stored")
        };
        assert_eq!(stored.size, 6);
        let page = store
            .employee_documents(
                a,
                1,
                Window {
                    offset: 0,
                    limit: 10,
                },
            )
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.rows, vec![stored.clone()]);
        let (read_back, bytes) = store.document_content(a, stored.id).unwrap().unwrap();
        assert_eq!(bytes, b"%PDF-1");
        assert_eq!(read_back.id, stored.id);
        // Company B has an employee 1 too, but not this document.
        assert!(store.document_content(b, stored.id).unwrap().is_none());
        assert!(
            store
                .delete_document(b, stored.id, &audit(b))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store
                .employee_documents(
                    b,
                    1,
                    Window {
                        offset: 0,
                        limit: 10
                    }
                )
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            store.delete_document(a, stored.id, &audit(a)).unwrap(),
            Some(stored.clone())
        );
        assert!(
            store
                .delete_document(a, stored.id, &audit(a))
                .unwrap()
                .is_none()
        );
        // A deleted document's id is not given again.
        let DocumentInsert::Stored(next) = store
            .insert_document(a, &new(1, b"%PDF-2"), &audit(a))
            .unwrap()
        else {
            panic!("not stored")
        };
        assert!(next.id > stored.id);
    }

    #[test]
    fn an_unknown_employee_or_category_stores_nothing() {
        let (_dir, store, companies) = store_with_people();
        let a = companies[0];
        assert_eq!(
            store
                .insert_document(a, &new(999, b"x"), &audit(a))
                .unwrap(),
            DocumentInsert::NoSuchEmployee
        );
        let mut unknown_category = new(1, b"x");
        unknown_category.category_id = 999;
        assert_eq!(
            store
                .insert_document(a, &unknown_category, &audit(a))
                .unwrap(),
            DocumentInsert::NoSuchCategory
        );
        assert_eq!(
            store
                .employee_documents(
                    a,
                    1,
                    Window {
                        offset: 0,
                        limit: 10
                    }
                )
                .unwrap()
                .total,
            0
        );
    }

    #[test]
    fn clearing_a_companys_people_removes_its_documents() {
        let (_dir, store, companies) = store_with_people();
        let (a, b) = (companies[0], companies[1]);
        store.insert_document(a, &new(1, b"x"), &audit(a)).unwrap();
        store.insert_document(b, &new(1, b"y"), &audit(b)).unwrap();
        store.clear_people(a).unwrap();
        let window = Window {
            offset: 0,
            limit: 10,
        };
        assert_eq!(store.employee_documents(a, 1, window).unwrap().total, 0);
        assert_eq!(store.employee_documents(b, 1, window).unwrap().total, 1);
    }
}
