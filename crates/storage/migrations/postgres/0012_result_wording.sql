-- The ground of a reasoned refusal is cited as it was worded when the
-- decision was made (issue 15): see the SQLite migration of the same number.
ALTER TABLE results ADD COLUMN reason_kk TEXT;
ALTER TABLE results ADD COLUMN reason_ru TEXT;
