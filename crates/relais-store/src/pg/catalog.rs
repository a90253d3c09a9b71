//! PostgreSQL: see `crate::sqlite::catalog` (the same queries in PostgreSQL's dialect).
