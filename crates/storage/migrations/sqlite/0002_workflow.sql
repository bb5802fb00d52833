-- The regulated workflow: who holds an application, results and their
-- versions, hand-over, and the history of every step.

ALTER TABLE applications ADD COLUMN executor_id INTEGER REFERENCES users(id);
-- Due moments (office local time, RFC 3339): of the current step and of the
-- whole application, from the catalog's norms on the working calendar.
ALTER TABLE applications ADD COLUMN step_due_at TEXT;
ALTER TABLE applications ADD COLUMN due_at TEXT;
CREATE INDEX applications_status_due ON applications(status, step_due_at);
CREATE INDEX applications_executor ON applications(executor_id);

CREATE TABLE workflow_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    step           TEXT NOT NULL,
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    actor_id       INTEGER NOT NULL REFERENCES users(id),
    actor_role     TEXT NOT NULL,
    at             TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX workflow_events_application ON workflow_events(application_id);

-- A returned result is not overwritten: the executor prepares a new version.
CREATE TABLE results (
    application_id INTEGER NOT NULL REFERENCES applications(id),
    version        INTEGER NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('positive', 'refusal')),
    reason_code    TEXT,
    explanation    TEXT NOT NULL DEFAULT '',
    prepared_by    INTEGER NOT NULL REFERENCES users(id),
    prepared_at    TEXT NOT NULL,
    signed_by      INTEGER REFERENCES users(id),
    signed_at      TEXT,
    PRIMARY KEY (application_id, version)
);

CREATE TABLE issuances (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id),
    handover       TEXT NOT NULL CHECK (handover IN ('in_person', 'state_corporation')),
    received_by    TEXT NOT NULL,
    issued_at      TEXT NOT NULL,
    issued_by      INTEGER NOT NULL REFERENCES users(id)
);

-- Workflow history is evidence as much as the audit is.
CREATE TRIGGER workflow_events_append_only BEFORE UPDATE ON workflow_events
BEGIN
    SELECT RAISE(ABORT, 'workflow_events is append-only');
END;
CREATE TRIGGER workflow_events_no_delete BEFORE DELETE ON workflow_events
BEGIN
    SELECT RAISE(ABORT, 'workflow_events is append-only');
END;

-- Applicant's and child's names folded for search (see domain::application::search_key).
ALTER TABLE applications ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
