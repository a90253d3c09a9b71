//! PostgreSQL: see `crate::sqlite::access` (the same queries in PostgreSQL's dialect).
