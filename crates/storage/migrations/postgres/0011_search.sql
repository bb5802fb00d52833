-- Name search and the worklist at an office's scale (issue 14); the same
-- version as SQLite's 0011_search.sql. (SQLite's also adds the request id,
-- which the server's schema has had since its first version, 10.)

-- Trigram indexes for the name search. pg_trgm ships with PostgreSQL and is
-- a trusted extension: the database's owner may create it (migrations run
-- only as the owner). It belongs to the database, not to an office's
-- schema, and holds no data; a second office in the same database uses the
-- one installed, which must be on the search path.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Name search: a substring of the folded names through pg_trgm's trigram
-- index (SQLite has an FTS5 trigram table for the same). LIKE is checked on
-- every row the index offers, so the answer is a full scan's; the planner
-- scans instead where that is cheaper (text shorter than three letters, or
-- one that most names hold).
CREATE INDEX applications_search_trgm ON applications USING gin (search_text gin_trgm_ops);

-- A worklist is read per status in order of deadline, and of id among equal
-- deadlines (SQLite's indexes carry the rowid; here the id is a column of
-- the index); an executor's per status of their own, which replaces the
-- index on executor_id alone (its prefix).
DROP INDEX applications_status_due;
CREATE INDEX applications_status_due ON applications(status, step_due_at, id);
DROP INDEX applications_executor;
CREATE INDEX applications_executor_due ON applications(executor_id, status, step_due_at, id);
