-- Which of the service's positive results was prepared (its index among
-- the catalog version's workflow results): a few services issue one of
-- several certificates, contracts or notifications. Earlier results were
-- all the first.
ALTER TABLE results ADD COLUMN form INTEGER NOT NULL DEFAULT 0 CHECK (form >= 0);
