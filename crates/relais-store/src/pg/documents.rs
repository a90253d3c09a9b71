//! PostgreSQL: see `crate::sqlite::documents` (the same queries in PostgreSQL's dialect).
