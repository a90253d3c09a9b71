//! PostgreSQL: see `crate::sqlite::credentials` (the same queries in PostgreSQL's dialect).
