-- Employees written one at a time through the public API.

-- An e-mail address belongs to one employee of a company: the index
-- refuses a second one, also when two requests create them at once
-- (replaces the plain index of 002).
DROP INDEX employees_email;
CREATE UNIQUE INDEX employees_email ON employees (tenant, email);

-- Profile pictures: one PNG per employee, decoded and encoded anew when it
-- was set, so that only a clean image of known size is ever served.
CREATE TABLE employee_pictures (
    tenant      INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    png         BLOB NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant, employee_id)
) STRICT;
