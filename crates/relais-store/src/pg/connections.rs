//! PostgreSQL: see `crate::sqlite::connections` (the same queries in PostgreSQL's dialect).
