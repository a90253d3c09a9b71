//! PostgreSQL: see `crate::sqlite::sync` (the same queries in PostgreSQL's dialect).
