//! PostgreSQL: see `crate::sqlite::sessions` (the same queries in PostgreSQL's dialect).
