-- A representative acting under a power of attorney, and corrections kept
-- as versions: a corrected application keeps every earlier wording.

ALTER TABLE applications ADD COLUMN representative_iin TEXT;
ALTER TABLE applications ADD COLUMN representative_name TEXT;
ALTER TABLE applications ADD COLUMN poa_number TEXT;
ALTER TABLE applications ADD COLUMN poa_date TEXT;

CREATE TABLE application_versions (
    application_id INTEGER NOT NULL REFERENCES applications(id),
    version        INTEGER NOT NULL,
    -- The person data as it stood before this correction, as JSON.
    previous       TEXT NOT NULL,
    reason         TEXT NOT NULL CHECK (length(reason) > 0),
    corrected_by   INTEGER NOT NULL REFERENCES users(id),
    corrected_at   TEXT NOT NULL,
    PRIMARY KEY (application_id, version)
);

CREATE TRIGGER application_versions_append_only BEFORE UPDATE ON application_versions
BEGIN
    SELECT RAISE(ABORT, 'application_versions is append-only');
END;
CREATE TRIGGER application_versions_no_delete BEFORE DELETE ON application_versions
BEGIN
    SELECT RAISE(ABORT, 'application_versions is append-only');
END;
