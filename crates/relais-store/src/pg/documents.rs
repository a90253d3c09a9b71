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

use super::{PostgresStore, backend, corrupt, get, int, parse_timestamp, sortable};
use crate::{DocumentInsert, DocumentStore, NewDocument, Paged, StoreError, Window};

const T: &str = "employee_documents";

use super::connections::insert_events;
use super::people::tenant;
use crate::layout::DOCUMENT_COLUMNS as COLUMNS;

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

/// Why `d` cannot be stored in the company, if it cannot: its employee or
/// its category is not the company's.
fn checks(
    client: &mut impl GenericClient,
    tenant: i64,
    d: &NewDocument<'_>,
) -> Result<Option<DocumentInsert>, StoreError> {
    let mut exists = |sql: &str, id: i64| -> Result<bool, StoreError> {
        let row = client.query_one(sql, &[&tenant, &id]).map_err(backend)?;
        get::<bool>(T, &row, 0)
    };
    if !exists(
        "SELECT EXISTS (SELECT 1 FROM employees WHERE tenant = $1 AND id = $2)",
        d.employee_id,
    )? {
        return Ok(Some(DocumentInsert::NoSuchEmployee));
    }
    if !exists(
        "SELECT EXISTS (SELECT 1 FROM document_categories WHERE tenant = $1 AND id = $2)",
        d.category_id,
    )? {
        return Ok(Some(DocumentInsert::NoSuchCategory));
    }
    Ok(None)
}

impl DocumentStore for PostgresStore {
    fn insert_document(
        &self,
        company: CompanyId,
        d: &NewDocument<'_>,
        audit: &(dyn Fn(&Document) -> AuditEvent + Sync),
    ) -> Result<DocumentInsert, StoreError> {
        let size = i64::try_from(d.content.len())
            .map_err(|_| StoreError::Refused("the file is too large".into()))?;
        let (date, created_at) = (d.date.to_string(), sortable(d.created_at));
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            // Under the write lock: the checks and the insert see one state
            // of the company (an employee removed meanwhile cannot slip in
            // between).
            if let Some(refused) = checks(tx, tenant, d)? {
                return Ok(refused);
            }
            // Read back as stored (the time at the precision kept).
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO employee_documents (tenant, employee_id, category_id, title, comment, date, file_name, mime_type, size, sha256, created_at, content)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
                    ),
                    &[
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
            insert_events(tx, &[audit(&stored)])?;
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
        audit: &(dyn Fn(&Document) -> AuditEvent + Sync),
    ) -> Result<Option<Document>, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let Some(found) = document(tx, tenant, id)? else {
                return Ok(None);
            };
            tx.execute(
                "DELETE FROM employee_documents WHERE tenant = $1 AND id = $2",
                &[&tenant, &id],
            )
            .map_err(backend)?;
            insert_events(tx, &[audit(&found)])?;
            Ok(Some(found))
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::pg::tests::database;
    use crate::testing::TestDatabase;
    use crate::{AccessStore as _, PeopleStore as _, SqliteStore};
    use chrono::Utc;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};
    use relais_people::demo;

    /// The same companies in a SQLite and a PostgreSQL store (the
    /// PostgreSQL store dropped before its database).
    pub(in crate::pg) struct Twins {
        pub pg: PostgresStore,
        _db: TestDatabase,
        pub lite: SqliteStore,
        dir: tempfile::TempDir,
        pub companies: Vec<Company>,
    }

    impl Twins {
        pub(in crate::pg) fn new(test: &str, names: &[&str]) -> Option<Self> {
            let db = database(test)?;
            let pg = PostgresStore::open(db.as_str()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let lite = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
            let now = Utc::now();
            let mut companies = Vec::new();
            for (n, name) in names.iter().enumerate() {
                let company = Company::new(name, now).unwrap();
                let email = format!("admin{n}@example.com");
                let admin =
                    User::new(company.id, &email, "Admin", MarketplaceRight::Edit, now).unwrap();
                let token = PersonalAccessToken::issue(&admin, "init", now, None).unwrap();
                lite.create_company(&company, &admin, &token.record)
                    .unwrap();
                companies.push(company);
            }
            let twins = Self {
                pg,
                _db: db,
                lite,
                dir,
                companies,
            };
            twins.copy("companies", "id, name, slug, created_at, tenant");
            Some(twins)
        }

        /// Copies the rows of `table` (these columns) from SQLite to PostgreSQL.
        pub(in crate::pg) fn copy(&self, table: &str, columns: &str) {
            use rusqlite::types::Value;
            let conn = rusqlite::Connection::open(self.dir.path().join("relais.db")).unwrap();
            let count = columns.split(',').count();
            let mut statement = conn
                .prepare(&format!("SELECT {columns} FROM {table}"))
                .unwrap();
            let rows: Vec<Vec<Value>> = statement
                .query_map([], |r| (0..count).map(|i| r.get::<_, Value>(i)).collect())
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let marks = (1..=count)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO {table} ({columns}) VALUES ({marks})");
            self.pg
                .write(|tx| {
                    let insert = tx.prepare(&sql).map_err(backend)?;
                    for row in &rows {
                        let values: Vec<Box<dyn postgres::types::ToSql + Sync>> = row
                            .iter()
                            .map(|v| -> Box<dyn postgres::types::ToSql + Sync> {
                                match v {
                                    Value::Null => Box::new(Null),
                                    Value::Integer(i) => Box::new(*i),
                                    Value::Real(f) => Box::new(*f),
                                    Value::Text(t) => Box::new(t.clone()),
                                    Value::Blob(b) => Box::new(b.clone()),
                                }
                            })
                            .collect();
                        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                            values.iter().map(|v| &**v).collect();
                        tx.execute(&insert, &params).map_err(backend)?;
                    }
                    Ok(())
                })
                .unwrap();
        }
    }

    /// NULL, whatever the column's type.
    #[derive(Debug)]
    struct Null;

    impl postgres::types::ToSql for Null {
        fn to_sql(
            &self,
            _: &postgres::types::Type,
            _: &mut postgres::types::private::BytesMut,
        ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
            Ok(postgres::types::IsNull::Yes)
        }

        fn accepts(_: &postgres::types::Type) -> bool {
            true
        }

        postgres::types::to_sql_checked!();
    }

    fn twins_with_people(test: &str) -> Option<Twins> {
        let twins = Twins::new(test, &["Acme", "Globex"])?;
        for company in &twins.companies {
            let reference = demo::company();
            twins
                .lite
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
            twins.lite.insert_employees(company.id, &records).unwrap();
        }
        twins.copy("employees", "tenant, id, email, last_modified_at, document");
        twins.copy("document_categories", "tenant, id, name");
        Some(twins)
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
            comment: Some("signed"),
            date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            file_name: "contract.pdf",
            mime_type: "application/pdf",
            sha256: "00",
            // Nanoseconds, of which the store keeps microseconds.
            created_at: chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00.123456789Z")
                .unwrap()
                .with_timezone(&Utc),
            content,
        }
    }

    /// The audit events of documents PostgreSQL holds: (subject, action).
    fn events(pg: &PostgresStore) -> Vec<String> {
        pg.run(|c| {
            c.query(
                "SELECT subject_id FROM audit_events WHERE subject_type = 'document' ORDER BY id",
                &[],
            )
            .map_err(backend)?
            .iter()
            .map(|r| get::<String>("audit_events", r, 0))
            .collect()
        })
        .unwrap()
    }

    #[test]
    fn documents_are_stored_listed_read_and_deleted_as_in_sqlite() {
        let Some(twins) = twins_with_people("documents_are_stored_listed_read_and_deleted") else {
            return;
        };
        let (a, b) = (twins.companies[0].id, twins.companies[1].id);
        let window = Window {
            offset: 0,
            limit: 10,
        };
        let stores: [&dyn DocumentStore; 2] = [&twins.lite, &twins.pg];
        let [lite, pg] = stores.map(|store| {
            let mut seen = Vec::new();
            let mut unknown = new(999, b"x");
            seen.push(format!(
                "{:?}",
                store.insert_document(a, &unknown, &audit(a))
            ));
            unknown.employee_id = 1;
            unknown.category_id = 999;
            seen.push(format!(
                "{:?}",
                store.insert_document(a, &unknown, &audit(a))
            ));
            let mut stored = Vec::new();
            for (n, employee) in [1, 1, 2, 1].into_iter().enumerate() {
                let content = vec![u8::try_from(n).unwrap(); 3 + n];
                let mut d = new(employee, &content);
                d.comment = (n % 2 == 0).then_some("signed");
                let DocumentInsert::Stored(document) =
                    store.insert_document(a, &d, &audit(a)).unwrap()
                else {
                    panic!("not stored")
                };
                assert_eq!(document.size, u64::try_from(3 + n).unwrap());
                stored.push(document);
            }
            seen.push(format!("{stored:?}"));
            for offset in 0..4 {
                let page = store
                    .employee_documents(a, 1, Window { offset, limit: 2 })
                    .unwrap();
                seen.push(format!("{page:?}"));
            }
            seen.push(format!("{:?}", store.employee_documents(b, 1, window)));
            seen.push(format!("{:?}", store.document_content(a, stored[0].id)));
            seen.push(format!("{:?}", store.document_content(b, stored[0].id)));
            seen.push(format!(
                "{:?}",
                store.delete_document(b, stored[0].id, &audit(b))
            ));
            seen.push(format!(
                "{:?}",
                store.delete_document(a, stored[0].id, &audit(a))
            ));
            seen.push(format!(
                "{:?}",
                store.delete_document(a, stored[0].id, &audit(a))
            ));
            seen.push(format!("{:?}", store.employee_documents(a, 1, window)));
            let DocumentInsert::Stored(next) = store
                .insert_document(a, &new(1, b"%PDF"), &audit(a))
                .unwrap()
            else {
                panic!("not stored")
            };
            assert!(
                next.id > stored[3].id,
                "a deleted document's id is not given again"
            );
            seen
        });
        assert_eq!(lite, pg);
        // One event per upload and per delete, in the same transactions.
        assert_eq!(events(&twins.pg), ["1", "2", "3", "4", "1", "5"]);
        let (document, bytes) = twins.pg.document_content(a, 2).unwrap().unwrap();
        assert_eq!(bytes, vec![1; 4]);
        assert_eq!(document.comment, None);
    }

    #[test]
    fn deletes_at_once_find_the_document_once() {
        let Some(twins) = twins_with_people("deletes_at_once_find_the_document_once") else {
            return;
        };
        let a = twins.companies[0].id;
        let DocumentInsert::Stored(stored) = twins
            .pg
            .insert_document(a, &new(1, b"%PDF"), &audit(a))
            .unwrap()
        else {
            panic!("not stored")
        };
        let found = std::thread::scope(|scope| {
            let deletes: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| twins.pg.delete_document(a, stored.id, &audit(a))))
                .collect();
            deletes
                .into_iter()
                .map(|d| d.join().unwrap().unwrap())
                .filter(Option::is_some)
                .count()
        });
        assert_eq!(found, 1);
        assert_eq!(events(&twins.pg).len(), 2);
    }
}
