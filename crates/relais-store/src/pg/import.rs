//! PostgreSQL: see `crate::sqlite::import` (the same queries in PostgreSQL's dialect).
