//! PostgreSQL: see `crate::sqlite::people` (the same queries in PostgreSQL's dialect).
//! TEMPORARY (pg-4): minimal twins of the helpers `admin::begin_demo` uses,
//! only so that branch pg-4 compiles and tests alone; reverted before the
//! branch is handed over (the people module's port provides the real ones).

use postgres::GenericClient;
use relais_access::CompanyId;

use super::{backend, get};
use crate::{PeopleReference, StoreError};

const PEOPLE_TABLES: [&str; 11] = [
    "employee_documents",
    "employee_pictures",
    "employees",
    "employee_history",
    "custom_attributes",
    "projects",
    "attendances",
    "time_off_types",
    "time_offs",
    "absence_periods",
    "document_categories",
];

pub(super) fn tenant(conn: &mut impl GenericClient, company: CompanyId) -> Result<i64, StoreError> {
    let row = conn
        .query_opt(
            "SELECT tenant FROM companies WHERE id = $1",
            &[&company.0.to_string()],
        )
        .map_err(backend)?
        .ok_or_else(|| StoreError::Backend(format!("no company {company}")))?;
    get("companies", &row, 0)
}

pub(super) fn clear_people_in(
    conn: &mut impl GenericClient,
    tenant: i64,
) -> Result<(), StoreError> {
    for table in PEOPLE_TABLES {
        conn.execute(
            &format!("DELETE FROM {table} WHERE tenant = $1"),
            &[&tenant],
        )
        .map_err(backend)?;
    }
    bump_revision(conn, tenant)
}

pub(super) fn replace_reference_in(
    conn: &mut impl GenericClient,
    tenant: i64,
    reference: &PeopleReference,
) -> Result<(), StoreError> {
    for table in [
        "time_off_types",
        "document_categories",
        "custom_attributes",
        "projects",
    ] {
        conn.execute(
            &format!("DELETE FROM {table} WHERE tenant = $1"),
            &[&tenant],
        )
        .map_err(backend)?;
    }
    if !(reference.time_off_types.is_empty()
        && reference.document_categories.is_empty()
        && reference.custom_attributes.is_empty()
        && reference.projects.is_empty())
    {
        return Err(StoreError::Backend("temporary stub".into()));
    }
    bump_revision(conn, tenant)
}

fn bump_revision(conn: &mut impl GenericClient, tenant: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO people_revisions (tenant, revision) VALUES ($1, 1)
         ON CONFLICT (tenant) DO UPDATE SET revision = people_revisions.revision + 1",
        &[&tenant],
    )
    .map_err(backend)?;
    Ok(())
}
