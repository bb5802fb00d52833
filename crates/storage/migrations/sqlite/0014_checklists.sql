-- Checklists with kinds (issue 15): each line of an application's checklist
-- gets the kind its catalog version gave it (required, required unless the
-- data are in a state information system, conditional with its condition,
-- optional) and the clerk's marks: found in the IS, the condition applies,
-- expired.
--
-- A table of its own beside `application_documents`, not new columns there:
-- a checklist row's seal covers all its columns, so adding columns would
-- make every sealed row of an existing registry read as changed behind
-- Kense's back. An application registered before this migration has no rows
-- here; its lines read as `required` or `optional` from `required`, with no
-- marks, as they were.
CREATE TABLE application_document_marks (
    application_id    INTEGER NOT NULL,
    position          INTEGER NOT NULL,
    kind              TEXT NOT NULL
                      CHECK (kind IN ('required', 'required_unless_in_is', 'conditional', 'optional')),
    condition_kk      TEXT,
    condition_ru      TEXT,
    found_in_is       INTEGER NOT NULL CHECK (found_in_is IN (0, 1)),
    condition_applies INTEGER NOT NULL CHECK (condition_applies IN (0, 1)),
    expired           INTEGER NOT NULL CHECK (expired IN (0, 1)),
    PRIMARY KEY (application_id, position),
    FOREIGN KEY (application_id, position) REFERENCES application_documents(application_id, position),
    CHECK ((kind = 'conditional') = (condition_kk IS NOT NULL AND condition_ru IS NOT NULL)),
    CHECK (found_in_is = 0 OR kind = 'required_unless_in_is'),
    CHECK (condition_applies = 0 OR kind = 'conditional')
);

CREATE TRIGGER application_document_marks_touched_insert AFTER INSERT ON application_document_marks
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_document_marks', NEW.application_id || ':' || NEW.position);
END;
CREATE TRIGGER application_document_marks_touched_update AFTER UPDATE ON application_document_marks
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_document_marks', OLD.application_id || ':' || OLD.position);
    INSERT INTO touched (tbl, key) VALUES ('application_document_marks', NEW.application_id || ':' || NEW.position);
END;
CREATE TRIGGER application_document_marks_touched_delete AFTER DELETE ON application_document_marks
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('application_document_marks', OLD.application_id || ':' || OLD.position);
END;
