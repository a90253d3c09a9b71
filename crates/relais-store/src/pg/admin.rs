//! PostgreSQL: see `crate::sqlite::admin` (the same queries in PostgreSQL's dialect).
