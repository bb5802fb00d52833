-- Evidence that holds (schema 10): the audit chain seals the records
-- themselves, not only its own table; papers a step owes the applicant are
-- recorded with the step, so none is lost to a closed window.
--
-- Every audited change lists, in its event, the content hash of each record
-- it left changed (`audit_events.records`, part of the event's hash), and
-- `record_seals` keeps each record's last sealed content with the event
-- that vouches for it. Verification compares every current record with its
-- seal and every seal with its event: an edit, insertion or deletion made
-- outside Kense is found and named.
--
-- `touched` is how a change is noticed at all: a trigger on every sealed
-- table writes the record's key there, whoever writes. Kense's write path
-- seals and clears what its own transaction touched; anything left there
-- was written by someone else, and start-up looks at exactly that.
--
-- A queue entry's number (`position`) is not sealed: it is a pure function
-- of the sealed data and verification recomputes it; a change of it is
-- noted in `touched` as `queue_positions`, so that start-up recomputes the
-- years whose numbers were written outside Kense. The history of numbers
-- (`position_changes`) is an append-only log sealed by ranges of rows.

ALTER TABLE audit_events ADD COLUMN records TEXT;

-- The newest event, in one row: a writer reads and replaces it, and on the
-- office server every write transaction locks it first, which serialises
-- the chain as SQLite's write lock does.
CREATE TABLE chain_head (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL,
    -- 1 once every record written before this schema has been sealed
    -- (`Registry::seal_after_upgrade`, in audited chunks).
    sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1))
);
INSERT INTO chain_head (id, seq, hash)
SELECT 1, COALESCE(MAX(seq), 0),
       COALESCE((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000')
FROM audit_events;
CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head
BEGIN
    SELECT RAISE(ABORT, 'chain_head is never deleted');
END;

CREATE TABLE record_seals (
    tbl     TEXT NOT NULL,
    key     TEXT NOT NULL,
    -- The event whose `records` lists this record with this hash.
    seq     INTEGER NOT NULL,
    hash    TEXT NOT NULL,
    -- The canonical content the hash is of, to name what changed.
    content TEXT NOT NULL,
    PRIMARY KEY (tbl, key)
);
CREATE INDEX record_seals_seq ON record_seals(seq);

-- Papers a registration owes the applicant (the receipt, the queue's
-- notification), written in the registering transaction and struck off by
-- the print that files them. What is still here was never filed.
CREATE TABLE papers_owed (
    application_id INTEGER NOT NULL REFERENCES applications(id),
    kind           TEXT NOT NULL,
    owed_at        TEXT NOT NULL,
    PRIMARY KEY (application_id, kind)
);

CREATE TABLE touched (
    id  INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    key TEXT NOT NULL
);
-- Sealing clears a record's rows by its key.
CREATE INDEX touched_record ON touched(tbl, key);

CREATE TRIGGER office_touched_insert AFTER INSERT ON office
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('office', NEW.id);
END;
CREATE TRIGGER office_touched_update AFTER UPDATE ON office
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('office', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('office', NEW.id);
END;
CREATE TRIGGER office_touched_delete AFTER DELETE ON office
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('office', OLD.id);
END;

CREATE TRIGGER users_touched_insert AFTER INSERT ON users
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('users', NEW.id);
END;
CREATE TRIGGER users_touched_update AFTER UPDATE ON users
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('users', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('users', NEW.id);
END;
CREATE TRIGGER users_touched_delete AFTER DELETE ON users
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('users', OLD.id);
END;

CREATE TRIGGER catalog_versions_touched_insert AFTER INSERT ON catalog_versions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('catalog_versions', NEW.version);
END;
CREATE TRIGGER catalog_versions_touched_update AFTER UPDATE ON catalog_versions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('catalog_versions', OLD.version);
    INSERT INTO touched (tbl, key) VALUES ('catalog_versions', NEW.version);
END;
CREATE TRIGGER catalog_versions_touched_delete AFTER DELETE ON catalog_versions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('catalog_versions', OLD.version);
END;

CREATE TRIGGER number_series_touched_insert AFTER INSERT ON number_series
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('number_series', NEW.series || ':' || NEW.year);
END;
CREATE TRIGGER number_series_touched_update AFTER UPDATE ON number_series
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('number_series', OLD.series || ':' || OLD.year);
    INSERT INTO touched (tbl, key) VALUES ('number_series', NEW.series || ':' || NEW.year);
END;
CREATE TRIGGER number_series_touched_delete AFTER DELETE ON number_series
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('number_series', OLD.series || ':' || OLD.year);
END;

CREATE TRIGGER applications_touched_insert AFTER INSERT ON applications
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('applications', NEW.id);
END;
CREATE TRIGGER applications_touched_update AFTER UPDATE ON applications
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('applications', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('applications', NEW.id);
END;
CREATE TRIGGER applications_touched_delete AFTER DELETE ON applications
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('applications', OLD.id);
END;

CREATE TRIGGER application_documents_touched_insert AFTER INSERT ON application_documents
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_documents', NEW.application_id || ':' || NEW.position);
END;
CREATE TRIGGER application_documents_touched_update AFTER UPDATE ON application_documents
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_documents', OLD.application_id || ':' || OLD.position);
    INSERT INTO touched (tbl, key) VALUES ('application_documents', NEW.application_id || ':' || NEW.position);
END;
CREATE TRIGGER application_documents_touched_delete AFTER DELETE ON application_documents
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_documents', OLD.application_id || ':' || OLD.position);
END;

CREATE TRIGGER application_versions_touched_insert AFTER INSERT ON application_versions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_versions', NEW.application_id || ':' || NEW.version);
END;
CREATE TRIGGER application_versions_touched_update AFTER UPDATE ON application_versions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_versions', OLD.application_id || ':' || OLD.version);
    INSERT INTO touched (tbl, key) VALUES ('application_versions', NEW.application_id || ':' || NEW.version);
END;
CREATE TRIGGER application_versions_touched_delete AFTER DELETE ON application_versions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_versions', OLD.application_id || ':' || OLD.version);
END;

CREATE TRIGGER workflow_events_touched_insert AFTER INSERT ON workflow_events
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('workflow_events', NEW.id);
END;
CREATE TRIGGER workflow_events_touched_update AFTER UPDATE ON workflow_events
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('workflow_events', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('workflow_events', NEW.id);
END;
CREATE TRIGGER workflow_events_touched_delete AFTER DELETE ON workflow_events
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('workflow_events', OLD.id);
END;

CREATE TRIGGER results_touched_insert AFTER INSERT ON results
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('results', NEW.application_id || ':' || NEW.version);
END;
CREATE TRIGGER results_touched_update AFTER UPDATE ON results
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('results', OLD.application_id || ':' || OLD.version);
    INSERT INTO touched (tbl, key) VALUES ('results', NEW.application_id || ':' || NEW.version);
END;
CREATE TRIGGER results_touched_delete AFTER DELETE ON results
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('results', OLD.application_id || ':' || OLD.version);
END;

CREATE TRIGGER issuances_touched_insert AFTER INSERT ON issuances
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('issuances', NEW.application_id);
END;
CREATE TRIGGER issuances_touched_update AFTER UPDATE ON issuances
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('issuances', OLD.application_id);
    INSERT INTO touched (tbl, key) VALUES ('issuances', NEW.application_id);
END;
CREATE TRIGGER issuances_touched_delete AFTER DELETE ON issuances
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('issuances', OLD.application_id);
END;

CREATE TRIGGER issued_documents_touched_insert AFTER INSERT ON issued_documents
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('issued_documents', NEW.id);
END;
CREATE TRIGGER issued_documents_touched_update AFTER UPDATE ON issued_documents
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('issued_documents', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('issued_documents', NEW.id);
END;
CREATE TRIGGER issued_documents_touched_delete AFTER DELETE ON issued_documents
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('issued_documents', OLD.id);
END;

CREATE TRIGGER calendar_years_touched_insert AFTER INSERT ON calendar_years
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('calendar_years', NEW.year);
END;
CREATE TRIGGER calendar_years_touched_update AFTER UPDATE ON calendar_years
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('calendar_years', OLD.year);
    INSERT INTO touched (tbl, key) VALUES ('calendar_years', NEW.year);
END;
CREATE TRIGGER calendar_years_touched_delete AFTER DELETE ON calendar_years
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('calendar_years', OLD.year);
END;

CREATE TRIGGER verification_secret_touched_insert AFTER INSERT ON verification_secret
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('verification_secret', NEW.id);
END;
CREATE TRIGGER verification_secret_touched_update AFTER UPDATE ON verification_secret
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('verification_secret', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('verification_secret', NEW.id);
END;
CREATE TRIGGER verification_secret_touched_delete AFTER DELETE ON verification_secret
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('verification_secret', OLD.id);
END;

CREATE TRIGGER kindergartens_touched_insert AFTER INSERT ON kindergartens
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('kindergartens', NEW.id);
END;
CREATE TRIGGER kindergartens_touched_update AFTER UPDATE ON kindergartens
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('kindergartens', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('kindergartens', NEW.id);
END;
CREATE TRIGGER kindergartens_touched_delete AFTER DELETE ON kindergartens
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('kindergartens', OLD.id);
END;

CREATE TRIGGER kindergarten_groups_touched_insert AFTER INSERT ON kindergarten_groups
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('kindergarten_groups', NEW.id);
END;
CREATE TRIGGER kindergarten_groups_touched_update AFTER UPDATE ON kindergarten_groups
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('kindergarten_groups', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('kindergarten_groups', NEW.id);
END;
CREATE TRIGGER kindergarten_groups_touched_delete AFTER DELETE ON kindergarten_groups
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('kindergarten_groups', OLD.id);
END;

CREATE TRIGGER place_declarations_touched_insert AFTER INSERT ON place_declarations
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('place_declarations', NEW.id);
END;
CREATE TRIGGER place_declarations_touched_update AFTER UPDATE ON place_declarations
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('place_declarations', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('place_declarations', NEW.id);
END;
CREATE TRIGGER place_declarations_touched_delete AFTER DELETE ON place_declarations
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('place_declarations', OLD.id);
END;

CREATE TRIGGER places_touched_insert AFTER INSERT ON places
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('places', NEW.id);
END;
CREATE TRIGGER places_touched_update AFTER UPDATE ON places
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('places', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('places', NEW.id);
END;
CREATE TRIGGER places_touched_delete AFTER DELETE ON places
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('places', OLD.id);
END;

CREATE TRIGGER queue_entries_touched_insert AFTER INSERT ON queue_entries
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('queue_entries', NEW.application_id);
END;
CREATE TRIGGER queue_entries_touched_update AFTER UPDATE OF application_id, child_iin, birth_year, queued_at, category, tier, evidence_document, evidence_issued_on, evidence_until, confirmed_by, confirmed_at, desired_start, commission_decision, state, stop_until ON queue_entries
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('queue_entries', OLD.application_id);
    INSERT INTO touched (tbl, key) VALUES ('queue_entries', NEW.application_id);
END;
CREATE TRIGGER queue_entries_position_touched AFTER UPDATE OF position ON queue_entries
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('queue_positions', NEW.application_id);
END;
CREATE TRIGGER queue_entries_touched_delete AFTER DELETE ON queue_entries
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('queue_entries', OLD.application_id);
END;

CREATE TRIGGER queue_preferences_touched_insert AFTER INSERT ON queue_preferences
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('queue_preferences', NEW.application_id || ':' || NEW.rank);
END;
CREATE TRIGGER queue_preferences_touched_update AFTER UPDATE ON queue_preferences
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('queue_preferences', OLD.application_id || ':' || OLD.rank);
    INSERT INTO touched (tbl, key) VALUES ('queue_preferences', NEW.application_id || ':' || NEW.rank);
END;
CREATE TRIGGER queue_preferences_touched_delete AFTER DELETE ON queue_preferences
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('queue_preferences', OLD.application_id || ':' || OLD.rank);
END;

CREATE TRIGGER distributions_touched_insert AFTER INSERT ON distributions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('distributions', NEW.id);
END;
CREATE TRIGGER distributions_touched_update AFTER UPDATE ON distributions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('distributions', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('distributions', NEW.id);
END;
CREATE TRIGGER distributions_touched_delete AFTER DELETE ON distributions
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('distributions', OLD.id);
END;

CREATE TRIGGER referrals_touched_insert AFTER INSERT ON referrals
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('referrals', NEW.id);
END;
CREATE TRIGGER referrals_touched_update AFTER UPDATE ON referrals
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('referrals', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('referrals', NEW.id);
END;
CREATE TRIGGER referrals_touched_delete AFTER DELETE ON referrals
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('referrals', OLD.id);
END;

CREATE TRIGGER position_changes_touched_insert AFTER INSERT ON position_changes
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('position_changes', NEW.id);
END;
CREATE TRIGGER position_changes_touched_update AFTER UPDATE ON position_changes
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('position_changes', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('position_changes', NEW.id);
END;
CREATE TRIGGER position_changes_touched_delete AFTER DELETE ON position_changes
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('position_changes', OLD.id);
END;
CREATE TRIGGER papers_owed_touched_insert AFTER INSERT ON papers_owed
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('papers_owed', NEW.application_id || ':' || NEW.kind);
END;
CREATE TRIGGER papers_owed_touched_update AFTER UPDATE ON papers_owed
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('papers_owed', OLD.application_id || ':' || OLD.kind);
    INSERT INTO touched (tbl, key) VALUES ('papers_owed', NEW.application_id || ':' || NEW.kind);
END;
CREATE TRIGGER papers_owed_touched_delete AFTER DELETE ON papers_owed
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('papers_owed', OLD.application_id || ':' || OLD.kind);
END;
