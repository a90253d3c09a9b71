-- Employee documents, their bytes included: a backup of the database
-- (`relais db backup`) holds them, and a copy of it to another backend
-- carries them with everything else. There is no second place to back up
-- or to keep in step with the rows.
--
-- The id never names another file: AUTOINCREMENT does not reuse the id of
-- a deleted document. The bytes are the last column, so that reading the
-- metadata (a list) does not read them. The employee and the category
-- must be the company's own (the keys carry the tenant); a document goes
-- with its employee.
CREATE TABLE employee_documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    category_id INTEGER NOT NULL,
    title       TEXT NOT NULL,
    comment     TEXT,
    date        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    mime_type   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    content     BLOB NOT NULL CHECK (length(content) = size),
    FOREIGN KEY (tenant, employee_id) REFERENCES employees (tenant, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant, category_id) REFERENCES document_categories (tenant, id)
) STRICT;
CREATE INDEX employee_documents_by_employee ON employee_documents (tenant, employee_id, id);
