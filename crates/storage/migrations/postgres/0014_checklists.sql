-- Checklists with kinds (issue 15); see SQLite's migration 14 for why this
-- is a table of its own beside `application_documents`.
CREATE TABLE application_document_marks (
    application_id    BIGINT NOT NULL,
    position          BIGINT NOT NULL,
    kind              TEXT NOT NULL
                      CHECK (kind IN ('required', 'required_unless_in_is', 'conditional', 'optional')),
    condition_kk      TEXT,
    condition_ru      TEXT,
    found_in_is       BIGINT NOT NULL CHECK (found_in_is IN (0, 1)),
    condition_applies BIGINT NOT NULL CHECK (condition_applies IN (0, 1)),
    expired           BIGINT NOT NULL CHECK (expired IN (0, 1)),
    PRIMARY KEY (application_id, position),
    FOREIGN KEY (application_id, position) REFERENCES application_documents(application_id, position),
    CHECK ((kind = 'conditional') = (condition_kk IS NOT NULL AND condition_ru IS NOT NULL)),
    CHECK (found_in_is = 0 OR kind = 'required_unless_in_is'),
    CHECK (condition_applies = 0 OR kind = 'conditional')
);

CREATE TRIGGER application_document_marks_touched_insert AFTER INSERT ON application_document_marks
    FOR EACH ROW EXECUTE FUNCTION kense_touched('', 'application_id', 'position');
CREATE TRIGGER application_document_marks_touched_update AFTER UPDATE ON application_document_marks
    FOR EACH ROW EXECUTE FUNCTION kense_touched('', 'application_id', 'position');
CREATE TRIGGER application_document_marks_touched_delete AFTER DELETE ON application_document_marks
    FOR EACH ROW EXECUTE FUNCTION kense_touched('', 'application_id', 'position');
