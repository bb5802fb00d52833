-- The path an application takes where its channel has several the office
-- takes part in (service 15: the office's own student or another
-- organisation's; issue 15): its terms follow it. NULL where there is one
-- path, and for every application before this migration (their terms were
-- counted on the first path). The column is late for the applications'
-- seals.
ALTER TABLE applications ADD COLUMN path_variant TEXT;
