-- The office keeps its catalog (issue 15): a version is either shipped
-- with the program (NULL, as every version before this migration) or made
-- by the office's administrator, 'edited' in the window or 'imported' from
-- a file. A newer shipped catalog does not silently replace the office's
-- own versions: it waits for the administrator. The column is late for
-- the catalog versions' seals.
ALTER TABLE catalog_versions ADD COLUMN origin TEXT;
