-- A result of an application that came through the portal goes back to the
-- applicant's personal cabinet there (issue 15): a third hand-over.
ALTER TABLE issuances DROP CONSTRAINT issuances_handover_check;
ALTER TABLE issuances ADD CONSTRAINT issuances_handover_check
    CHECK (handover IN ('in_person', 'state_corporation', 'portal_cabinet'));
