//! PostgreSQL: see `crate::sqlite::people` (the same queries in PostgreSQL's dialect).
