//! PostgreSQL: see `crate::sqlite::recruiting` (the same queries in PostgreSQL's dialect).
