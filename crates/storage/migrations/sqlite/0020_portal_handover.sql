-- A result of an application that came through the portal goes back to the
-- applicant's personal cabinet there (issue 15): a third hand-over. SQLite
-- cannot change a CHECK in place, so the table is rebuilt with its rows and
-- its evidence triggers (as migration 10 made them). Nothing references it.
CREATE TABLE issuances_new (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id),
    handover       TEXT NOT NULL CHECK (handover IN ('in_person', 'state_corporation', 'portal_cabinet')),
    received_by    TEXT NOT NULL,
    issued_at      TEXT NOT NULL,
    issued_by      INTEGER NOT NULL REFERENCES users(id)
);
INSERT INTO issuances_new (application_id, handover, received_by, issued_at, issued_by)
    SELECT application_id, handover, received_by, issued_at, issued_by FROM issuances;
DROP TABLE issuances;
ALTER TABLE issuances_new RENAME TO issuances;

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
