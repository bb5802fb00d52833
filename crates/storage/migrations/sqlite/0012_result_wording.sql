-- The ground of a reasoned refusal is cited as it was worded when the
-- decision was made (issue 15): the wording is stored with the result, not
-- looked up at print time, so a ground changed or removed later changes no
-- paper. Results prepared before keep NULL and are worded from the list.
-- Sealed tables: both columns are listed as late in seal.rs.
ALTER TABLE results ADD COLUMN reason_kk TEXT;
ALTER TABLE results ADD COLUMN reason_ru TEXT;
