-- Name search and the worklist at an office's scale, and the window's name
-- for an act of registering (issue 14).
--
-- The request id: a registration sent again after its answer was lost (the
-- office server's connection broke) finds the one that committed instead of
-- making a second. It was first written into 0010 after 0010 had landed;
-- an office whose file is at schema 10 gets it here.
ALTER TABLE applications ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX applications_request ON applications(request_id) WHERE request_id IS NOT NULL;

--
-- Name search: a substring of the folded names (`applications.search_text`,
-- see domain::application::search_key) is found through a trigram index
-- instead of by reading every application. The index keeps no copy of the
-- text (contentless) and no positions (detail=none): only which
-- applications hold each three-letter sequence. What it answers is a set of
-- candidates, each of which the search checks with the same LIKE as before,
-- so the answer is exactly a full scan's; a text shorter than three letters
-- has no trigram and is still a scan. The triggers keep it in step whoever
-- writes, a correction of the names included; entries are removed by rowid
-- (contentless_delete), so removing one never depends on the text it was
-- made from. It is an index, not evidence: a copy of the registry onto the
-- other engine never copies it, the target's own migration builds it and
-- its triggers fill it from the rows copied.
CREATE VIRTUAL TABLE applications_search USING fts5(
    search_text, content = '', contentless_delete = 1, tokenize = 'trigram', detail = 'none'
);
INSERT INTO applications_search (rowid, search_text) SELECT id, search_text FROM applications;
CREATE TRIGGER applications_search_insert AFTER INSERT ON applications
BEGIN
    INSERT INTO applications_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER applications_search_update AFTER UPDATE OF id, search_text ON applications
BEGIN
    DELETE FROM applications_search WHERE rowid = OLD.id;
    INSERT INTO applications_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER applications_search_delete AFTER DELETE ON applications
BEGIN
    DELETE FROM applications_search WHERE rowid = OLD.id;
END;

-- An executor's worklist: their applications of one status in order of
-- deadline, read in that order from this index (the index on executor_id
-- alone is its prefix and goes). A person's other parts of the worklist
-- read applications_status_due (status, step_due_at), whose entries carry
-- the rowid, so equal deadlines come in order of id.
DROP INDEX applications_executor;
CREATE INDEX applications_executor_due ON applications(executor_id, status, step_due_at);
