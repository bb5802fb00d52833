-- The registry's first schema. Times are RFC 3339 with offset, to the second.

CREATE TABLE office (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    name_kk       TEXT NOT NULL,
    name_ru       TEXT NOT NULL,
    address_kk    TEXT NOT NULL,
    address_ru    TEXT NOT NULL,
    phone         TEXT NOT NULL,
    -- Journal series and the first number of a year, for offices that carry
    -- on a paper journal.
    series        TEXT NOT NULL,
    start_number  INTEGER NOT NULL CHECK (start_number >= 1)
);
INSERT INTO office VALUES (1, 'Аудандық білім бөлімі', 'Районный отдел образования',
                           'көрсетілмеген', 'не указан', '', '01', 1);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE,
    full_name       TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    roles           TEXT NOT NULL,           -- comma-separated role codes
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE catalog_versions (
    version      INTEGER PRIMARY KEY,
    content      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    installed_at TEXT NOT NULL
);

CREATE TABLE number_series (
    series     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    next_value INTEGER NOT NULL,
    PRIMARY KEY (series, year)
);

CREATE TABLE applications (
    id                 INTEGER PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    series             TEXT NOT NULL,
    year               INTEGER NOT NULL,
    seq                INTEGER NOT NULL,
    registered_at      TEXT NOT NULL,
    registered_by      INTEGER NOT NULL REFERENCES users(id),
    catalog_version    INTEGER NOT NULL REFERENCES catalog_versions(version),
    service_code       TEXT NOT NULL,
    -- Names as the catalog version gave them at registration.
    service_name_kk    TEXT NOT NULL,
    service_name_ru    TEXT NOT NULL,
    channel            TEXT NOT NULL,
    status             TEXT NOT NULL,
    applicant_iin      TEXT NOT NULL,
    applicant_name     TEXT NOT NULL,
    applicant_phone    TEXT NOT NULL,
    applicant_address  TEXT NOT NULL,
    child_iin          TEXT,
    child_name         TEXT,
    child_birth_date   TEXT,
    consent            INTEGER NOT NULL CHECK (consent = 1),
    notes              TEXT NOT NULL,
    UNIQUE (series, year, seq)
);
CREATE INDEX applications_applicant_iin ON applications(applicant_iin);
CREATE INDEX applications_child_iin ON applications(child_iin);
CREATE INDEX applications_registered_at ON applications(registered_at);

-- What is registered is evidence: the number and the moment never change.
CREATE TRIGGER applications_identity_immutable
BEFORE UPDATE OF number, series, year, seq, registered_at, registered_by ON applications
BEGIN
    SELECT RAISE(ABORT, 'application number and registration time are immutable');
END;

CREATE TABLE application_documents (
    application_id INTEGER NOT NULL REFERENCES applications(id),
    position       INTEGER NOT NULL,
    code           TEXT NOT NULL,
    name_kk        TEXT NOT NULL,
    name_ru        TEXT NOT NULL,
    required       INTEGER NOT NULL CHECK (required IN (0, 1)),
    presented      INTEGER NOT NULL CHECK (presented IN (0, 1)),
    PRIMARY KEY (application_id, position)
);

-- Every PDF handed out: its hash proves later what was printed.
CREATE TABLE issued_documents (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    kind           TEXT NOT NULL,
    copy_number    INTEGER NOT NULL CHECK (copy_number >= 1),
    sha256         TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    issued_at      TEXT NOT NULL,
    issued_by      INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (application_id, kind, copy_number)
);

CREATE TABLE audit_events (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER,
    actor_role TEXT,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT,
    before     TEXT,
    after      TEXT,
    reason     TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
