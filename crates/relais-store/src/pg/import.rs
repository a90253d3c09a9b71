//! PostgreSQL: see `crate::sqlite::import` (the same queries in PostgreSQL's dialect).
//!
//! Employees brought in from a file, in one transaction. The uniqueness
//! checks of an import (e-mail, external id) are made against one reading
//! of the employees that have an e-mail or external id the import gives,
//! kept up to date as the import's updates are applied, instead of one scan
//! of every document per imported row.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use postgres::GenericClient;
use relais_access::CompanyId;
use relais_people::{Employee, EmployeeId, EmployeeRecords};

use super::people::{bump_revision, insert_records_in, tenant};
use super::{PostgresStore, backend, corrupt, get, json, sortable};
use crate::{EmployeeReplacement, ImportStore, StoreError, StoredPicture};

/// Who has which e-mail and external id in a company, as an import's
/// uniqueness checks need it.
#[derive(Default)]
struct Taken {
    /// Employee id → its e-mail and external id.
    keys: HashMap<i64, (String, Option<String>)>,
    by_email: HashMap<String, BTreeSet<i64>>,
    by_external_id: HashMap<String, BTreeSet<i64>>,
}

impl Taken {
    /// The e-mails and external ids of the tenant's employees that have
    /// one of `emails` or of `external_ids`: the only ones the checks of an
    /// import giving employees these can find (an e-mail by its index; the
    /// external ids, only when the import gives some, by one reading of
    /// every document).
    fn read(
        client: &mut impl GenericClient,
        tenant: i64,
        emails: &[&str],
        external_ids: &[&str],
    ) -> Result<Self, StoreError> {
        let rows = if external_ids.is_empty() {
            client.query(
                "SELECT id, email, document::jsonb ->> 'external_id' FROM employees
                 WHERE tenant = $1 AND email = ANY($2)",
                &[&tenant, &emails],
            )
        } else {
            client.query(
                "SELECT id, email, external_id FROM
                     (SELECT id, email, document::jsonb ->> 'external_id' AS external_id
                      FROM employees WHERE tenant = $1) AS e
                 WHERE email = ANY($2) OR external_id = ANY($3)",
                &[&tenant, &emails, &external_ids],
            )
        }
        .map_err(backend)?;
        let mut taken = Self::default();
        for row in rows {
            taken.set(
                get("employees", &row, 0)?,
                get("employees", &row, 1)?,
                get("employees", &row, 2)?,
            );
        }
        Ok(taken)
    }

    fn set(&mut self, id: i64, email: String, external_id: Option<String>) {
        if let Some((old_email, old_external)) = self.keys.remove(&id) {
            if let Some(ids) = self.by_email.get_mut(&old_email) {
                ids.remove(&id);
            }
            if let Some(old_external) = old_external
                && let Some(ids) = self.by_external_id.get_mut(&old_external)
            {
                ids.remove(&id);
            }
        }
        self.by_email.entry(email.clone()).or_default().insert(id);
        if let Some(external) = &external_id {
            self.by_external_id
                .entry(external.clone())
                .or_default()
                .insert(id);
        }
        self.keys.insert(id, (email, external_id));
    }

    /// Whether another employee than `except` has this e-mail or external
    /// id (the message of the conflict).
    fn check(&self, except: i64, email: &str, external_id: Option<&str>) -> Option<String> {
        let other =
            |ids: Option<&BTreeSet<i64>>| ids.is_some_and(|ids| ids.iter().any(|&i| i != except));
        if other(self.by_email.get(email)) {
            return Some(format!("an employee with the e-mail {email}"));
        }
        if let Some(external_id) = external_id
            && other(self.by_external_id.get(external_id))
        {
            return Some(format!("an employee with the external id '{external_id}'"));
        }
        None
    }
}

/// Marks one employee as having a profile picture or not, modified at
/// `now`, inside the caller's transaction; `false` for an unknown employee.
fn mark_picture(
    client: &mut impl GenericClient,
    tenant: i64,
    id: EmployeeId,
    has_picture: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(row) = client
        .query_opt(
            "SELECT document FROM employees WHERE tenant = $1 AND id = $2",
            &[&tenant, &id],
        )
        .map_err(backend)?
    else {
        return Ok(false);
    };
    let document: String = get("employees", &row, 0)?;
    let mut employee: Employee =
        serde_json::from_str(&document).map_err(|e| corrupt("employees", e))?;
    employee.profile_picture = has_picture;
    employee.last_modified_at = now;
    client
        .execute(
            "UPDATE employees SET last_modified_at = $3, document = $4 WHERE tenant = $1 AND id = $2",
            &[&tenant, &id, &sortable(now), &json(&employee)?],
        )
        .map_err(backend)?;
    Ok(true)
}

impl ImportStore for PostgresStore {
    fn create_employee(
        &self,
        company: CompanyId,
        records: &EmployeeRecords,
    ) -> Result<EmployeeId, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            // The next id, read and taken inside the writing transaction.
            let row = tx
                .query_one(
                    "SELECT COALESCE(MAX(id), 0) + 1 FROM employees WHERE tenant = $1",
                    &[&tenant],
                )
                .map_err(backend)?;
            let id: EmployeeId = get("employees", &row, 0)?;
            let mut records = records.clone();
            records.employee.id = id;
            for change in &mut records.history {
                change.employee_id = id;
            }
            let email = records.employee.email.clone();
            insert_records_in(tx, tenant, std::slice::from_ref(&records)).map_err(|e| match e {
                // The unique index on (tenant, email) is the one that can refuse.
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("an employee with the e-mail {email}"))
                }
                other => other,
            })?;
            Ok(id)
        })
    }

    fn set_employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        picture: &StoredPicture,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            if !mark_picture(tx, tenant, employee, true, now)? {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO employee_pictures (tenant, employee_id, width, height, png, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (tenant, employee_id) DO UPDATE SET
                     width = excluded.width, height = excluded.height,
                     png = excluded.png, updated_at = excluded.updated_at",
                &[
                    &tenant,
                    &employee,
                    &i64::from(picture.width),
                    &i64::from(picture.height),
                    &picture.png,
                    &sortable(now),
                ],
            )
            .map_err(backend)?;
            bump_revision(tx, tenant)?;
            Ok(true)
        })
    }

    fn remove_employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let removed = tx
                .execute(
                    "DELETE FROM employee_pictures WHERE tenant = $1 AND employee_id = $2",
                    &[&tenant, &employee],
                )
                .map_err(backend)?;
            if removed == 0 {
                return Ok(false);
            }
            mark_picture(tx, tenant, employee, false, now)?;
            bump_revision(tx, tenant)?;
            Ok(true)
        })
    }

    fn employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
    ) -> Result<Option<StoredPicture>, StoreError> {
        const T: &str = "employee_pictures";
        self.run(|client| {
            let tenant = tenant(client, company)?;
            let Some(row) = client
                .query_opt(
                    "SELECT width, height, png FROM employee_pictures WHERE tenant = $1 AND employee_id = $2",
                    &[&tenant, &employee],
                )
                .map_err(backend)?
            else {
                return Ok(None);
            };
            let side = |index| {
                get::<i64>(T, &row, index)
                    .and_then(|v| u32::try_from(v).map_err(|e| corrupt(T, e)))
            };
            Ok(Some(StoredPicture {
                width: side(0)?,
                height: side(1)?,
                png: get(T, &row, 2)?,
            }))
        })
    }

    fn import_employees(
        &self,
        company: CompanyId,
        creates: &[EmployeeRecords],
        updates: &[EmployeeReplacement<'_>],
    ) -> Result<(), StoreError> {
        // Under the write lock: the uniqueness checks and the writes see one state.
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let employees = || {
                updates
                    .iter()
                    .map(|u| u.employee)
                    .chain(creates.iter().map(|r| &r.employee))
            };
            let emails: Vec<&str> = employees().map(|e| e.email.as_str()).collect();
            let external_ids: Vec<&str> =
                employees().filter_map(|e| e.external_id.as_deref()).collect();
            let mut taken = Taken::read(tx, tenant, &emails, &external_ids)?;
            let update = tx
                .prepare(
                    "UPDATE employees SET email = $3, last_modified_at = $4, document = $5
                     WHERE tenant = $1 AND id = $2 AND last_modified_at = $6",
                )
                .map_err(backend)?;
            let history = tx
                .prepare(
                    "INSERT INTO employee_history (tenant, employee_id, attribute, effective_from, value)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (tenant, employee_id, attribute, effective_from)
                     DO UPDATE SET value = excluded.value",
                )
                .map_err(backend)?;
            for change in updates {
                let e = change.employee;
                if let Some(what) = taken.check(e.id, &e.email, e.external_id.as_deref()) {
                    return Err(StoreError::Conflict(what));
                }
                let written = tx
                    .execute(
                        &update,
                        &[
                            &tenant,
                            &e.id,
                            &e.email,
                            &sortable(e.last_modified_at),
                            &json(e)?,
                            &sortable(change.expected_last_modified),
                        ],
                    )
                    .map_err(backend)?;
                if written != 1 {
                    return Err(StoreError::Changed(format!(
                        "employee {} changed while the import ran; run it again",
                        e.id
                    )));
                }
                taken.set(e.id, e.email.clone(), e.external_id.clone());
                for c in change.history {
                    tx.execute(
                        &history,
                        &[
                            &tenant,
                            &c.employee_id,
                            &c.attribute,
                            &c.effective_from.to_string(),
                            &c.value.to_string(),
                        ],
                    )
                    .map_err(backend)?;
                }
            }
            for records in creates {
                let e = &records.employee;
                if let Some(what) = taken.check(e.id, &e.email, e.external_id.as_deref()) {
                    return Err(StoreError::Conflict(what));
                }
            }
            insert_records_in(tx, tenant, creates)?;
            bump_revision(tx, tenant)
        })
    }
}

#[cfg(test)]
#[allow(unused_must_use)] // `both!` compares the answers, which some tests need no more
mod tests {
    use super::*;
    use crate::pg::people::tests::{both, pair, reference, same_rows, spec};
    use crate::{EmployeeFilter, PeopleStore, Window};
    use chrono::{NaiveDate, TimeZone};
    use relais_people::demo;

    fn update(e: &Employee, expected: DateTime<Utc>) -> EmployeeReplacement<'_> {
        EmployeeReplacement {
            employee: e,
            expected_last_modified: expected,
            history: &[],
        }
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, 1, hour, 0, 0).unwrap()
    }

    #[test]
    fn employees_are_created_imported_and_pictured_the_same_on_both_backends() {
        let Some(p) = pair("employees_are_created_imported_and_pictured") else {
            return;
        };
        let records: Vec<_> = demo::employees(spec(8)).collect();
        both!(p, |s, c| s.replace_people_reference(c, &reference()));
        both!(p, |s, c| s.insert_employees(c, &records[..5]));

        // One at a time: the next id, the e-mail unique.
        let mut new = records[5].clone();
        new.employee.id = 0;
        for change in &mut new.history {
            change.employee_id = 0;
        }
        assert_eq!(both!(p, |s, c| s.create_employee(c, &new).unwrap()), 6);
        both!(p, |s, c| s.create_employee(c, &new));
        new.employee.email = "someone.new@example.com".into();
        new.absence_periods.clear(); // their ids are taken by the first
        both!(p, |s, c| s.create_employee(c, &new));

        // Pictures.
        let picture = StoredPicture {
            width: 2,
            height: 3,
            png: vec![0x89, b'P', b'N', b'G', 0, 1, 2],
        };
        both!(p, |s, c| s.employee_picture(c, 2));
        both!(p, |s, c| s.set_employee_picture(c, 2, &picture, at(9)));
        both!(p, |s, c| s.set_employee_picture(c, 99, &picture, at(9)));
        both!(p, |s, c| s.employee_picture(c, 2));
        let smaller = StoredPicture {
            width: 1,
            height: 1,
            png: vec![1],
        };
        both!(p, |s, c| s.set_employee_picture(c, 2, &smaller, at(10)));
        both!(p, |s, c| s.employee_picture(c, 2));
        both!(p, |s, c| s.remove_employee_picture(c, 2, at(11)));
        both!(p, |s, c| s.remove_employee_picture(c, 2, at(11)));
        both!(p, |s, c| s.employee_picture(c, 2));
        both!(p, |s, c| s.employees_by_id(c, &[2]));

        // Imports: updates (compare-and-set on the modification time) and
        // creates, with e-mails and external ids unique.
        let stored = both!(p, |s, c| s.employees_by_id(c, &[1, 2, 3]).unwrap());
        let mut one = stored[0].clone();
        one.position = "Imported".into();
        one.external_id = Some("EXT-1".into());
        one.last_modified_at = at(12);
        let mut two = stored[1].clone();
        two.email = stored[2].email.clone();
        two.last_modified_at = at(12);
        let change = relais_people::AttributeChange {
            employee_id: 1,
            attribute: "position".into(),
            effective_from: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            value: serde_json::json!("Imported"),
        };
        let history = [change.clone(), change.clone()];
        // Another employee's e-mail.
        both!(p, |s, c| s.import_employees(
            c,
            &[],
            &[
                update(&one, stored[0].last_modified_at),
                update(&two, stored[1].last_modified_at)
            ]
        ));
        // Changed meanwhile.
        both!(p, |s, c| s.import_employees(c, &[], &[update(&one, at(1))]));
        // The external id taken by an earlier update of the same import.
        let mut three = stored[2].clone();
        three.external_id = Some("EXT-1".into());
        both!(p, |s, c| s.import_employees(
            c,
            &[],
            &[
                update(&one, stored[0].last_modified_at),
                update(&three, stored[2].last_modified_at)
            ]
        ));
        // A create taking the e-mail an update gives up is fine; one taking
        // the external id an update takes is not.
        let mut created = records[6].clone();
        created.employee.email = stored[0].email.clone();
        one.email = "moved@example.com".into();
        created.employee.external_id = Some("EXT-1".into());
        let with_history = EmployeeReplacement {
            employee: &one,
            expected_last_modified: stored[0].last_modified_at,
            history: &history,
        };
        both!(p, |s, c| s.import_employees(
            c,
            std::slice::from_ref(&created),
            std::slice::from_ref(&with_history)
        ));
        // An employee id taken (by `create_employee` above).
        created.employee.external_id = Some("EXT-7".into());
        both!(p, |s, c| s.import_employees(
            c,
            &[created.clone(), records[7].clone()],
            std::slice::from_ref(&with_history)
        ));
        created.employee.id = 30;
        for change in &mut created.history {
            change.employee_id = 30;
        }
        for a in &mut created.attendances {
            a.employee_id = 30;
        }
        for t in &mut created.time_offs {
            t.employee_id = 30;
        }
        for a in &mut created.absence_periods {
            a.employee_id = 30;
        }
        both!(p, |s, c| s
            .import_employees(
                c,
                &[created.clone(), records[7].clone()],
                std::slice::from_ref(&with_history)
            )
            .unwrap());
        // An e-mail taken, and one given twice in one import (the unique
        // index refuses the second).
        let mut again = records[7].clone();
        again.employee.id = 20;
        again.history.clear();
        again.attendances.clear();
        again.time_offs.clear();
        again.absence_periods.clear();
        again.employee.external_id = None;
        both!(p, |s, c| s.import_employees(c, &[again.clone()], &[]));
        again.employee.email = "twice@example.com".into();
        let mut twice = again.clone();
        twice.employee.id = 21;
        both!(p, |s, c| s.import_employees(
            c,
            &[again.clone(), twice.clone()],
            &[]
        ));
        both!(p, |s, c| s.employees(
            c,
            &EmployeeFilter::default(),
            Window {
                offset: 0,
                limit: 100
            }
        ));
        both!(p, |s, c| s.history(c, &[1]));
        for sql in [
            "SELECT CAST(id AS TEXT), email, last_modified_at, document FROM employees ORDER BY employees.id",
            "SELECT CAST(employee_id AS TEXT), attribute, effective_from, value FROM employee_history ORDER BY 1, 2, 3",
            "SELECT CAST(revision AS TEXT) FROM people_revisions",
        ] {
            same_rows(&p, sql);
        }
    }
}
