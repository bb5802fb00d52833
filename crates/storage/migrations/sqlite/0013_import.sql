-- Files brought in from the office's lists kept before Kense: one row per
-- import (the file's name and SHA-256, who, when, how many rows), and one
-- per application it made, with the old register's number kept as the
-- external number and the row's fingerprint, by which the same row brought
-- again is known and skipped. The applications and queue entries an import
-- makes are ordinary (sealed) rows; these two tables only say where they
-- came from, so they are not sealed.

CREATE TABLE import_batches (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('queue', 'history')),
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    imported_by   INTEGER NOT NULL REFERENCES users(id),
    rows_imported INTEGER NOT NULL,
    rows_skipped  INTEGER NOT NULL
);

CREATE TABLE imported_applications (
    application_id  INTEGER PRIMARY KEY REFERENCES applications(id),
    batch_id        INTEGER NOT NULL REFERENCES import_batches(id),
    file_row        INTEGER NOT NULL,
    external_number TEXT,
    fingerprint     TEXT NOT NULL,
    -- The language of the group the parent asked for, when the list said.
    language        TEXT CHECK (language IN ('kk', 'ru', 'mixed'))
);
CREATE INDEX imported_applications_fingerprint ON imported_applications(fingerprint);
CREATE INDEX imported_applications_external ON imported_applications(external_number);

-- The quality questionnaire (seed 002, appendix 3) as the clerk recorded
-- it: the service, paper or screen, and each question's answer (1–3).
CREATE TABLE survey_responses (
    id           INTEGER PRIMARY KEY,
    service_code TEXT NOT NULL,
    medium       TEXT NOT NULL CHECK (medium IN ('paper', 'screen')),
    quality      INTEGER NOT NULL CHECK (quality BETWEEN 1 AND 3),
    information  INTEGER NOT NULL CHECK (information BETWEEN 1 AND 3),
    recorded_at  TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX survey_responses_recorded_at ON survey_responses(recorded_at);
