-- Results with substance (issue 15): the facts a result paper states
-- besides its parties (an allowance's amount and period, a school, a
-- camp's shift), as the executor filled in the fields the catalog version
-- declares for the form, by key, in their stored forms (JSON). NULL for a
-- result that states none, as every result before this migration: the
-- column is late for the results' seals.
ALTER TABLE results ADD COLUMN fields TEXT;
