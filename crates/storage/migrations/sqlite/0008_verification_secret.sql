-- The office's secret for documents' verification codes, kept in the
-- registry so that every backup carries it: a registry restored on a new
-- computer still verifies the papers issued before. It is set once and
-- never changes; a new secret would make every printed code unverifiable.
CREATE TABLE verification_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32),
    installed_at TEXT NOT NULL
);

CREATE TRIGGER verification_secret_no_update BEFORE UPDATE ON verification_secret
BEGIN
    SELECT RAISE(ABORT, 'the verification secret never changes');
END;

CREATE TRIGGER verification_secret_no_delete BEFORE DELETE ON verification_secret
BEGIN
    SELECT RAISE(ABORT, 'the verification secret never changes');
END;
