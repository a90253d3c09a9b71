//! PostgreSQL: see `crate::sqlite::reports` (the same queries in PostgreSQL's dialect).
