-- The head's electronic signature (issue 16).
--
-- The office's BIN and each person's IIN: a head's certificate names both,
-- and Kense signs only with a certificate whose IIN is on the signing
-- head's account. New columns of sealed tables, so NULL for every row
-- sealed before (the seal leaves a late column out while it is NULL).
ALTER TABLE office ADD COLUMN bin TEXT CHECK (bin IS NULL OR length(bin) = 12);
ALTER TABLE users ADD COLUMN iin TEXT CHECK (iin IS NULL OR length(iin) = 12);

-- A result signed with a certificate: the signed PDF itself (the
-- deterministic result paper plus one incremental update carrying a
-- PAdES-B CMS), what the certificate says, and the print record of the
-- copy it is. One per result version; never changed.
CREATE TABLE result_signatures (
    application_id INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('ncalayer', 'key_file')),
    signer_name    TEXT NOT NULL,
    signer_iin     TEXT NOT NULL CHECK (length(signer_iin) = 12),
    signer_bin     TEXT,
    cert_serial    TEXT NOT NULL,
    cert_issuer    TEXT NOT NULL,
    cert_sha256    TEXT NOT NULL CHECK (length(cert_sha256) = 64),
    base_sha256    TEXT NOT NULL CHECK (length(base_sha256) = 64),
    signed_sha256  TEXT NOT NULL CHECK (length(signed_sha256) = 64),
    signed_pdf     BLOB NOT NULL,
    copy_number    INTEGER NOT NULL CHECK (copy_number >= 1),
    signed_at      TEXT NOT NULL,
    signed_by      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (application_id, version),
    FOREIGN KEY (application_id, version) REFERENCES results(application_id, version)
);

-- The certificates (NCA's roots and intermediates) and revocation lists
-- the administrator imported for the verify screen. Kept in the registry
-- so that every desk of the office checks against the same ones.
CREATE TABLE trust_files (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('certificate', 'crl')),
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    der         BLOB NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_until TEXT,
    imported_at TEXT NOT NULL,
    imported_by INTEGER NOT NULL REFERENCES users(id)
);

CREATE TRIGGER result_signatures_touched_insert AFTER INSERT ON result_signatures
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('result_signatures', NEW.application_id || ':' || NEW.version);
END;
CREATE TRIGGER result_signatures_touched_update AFTER UPDATE ON result_signatures
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('result_signatures', OLD.application_id || ':' || OLD.version);
    INSERT INTO touched (tbl, key) VALUES ('result_signatures', NEW.application_id || ':' || NEW.version);
END;
CREATE TRIGGER result_signatures_touched_delete AFTER DELETE ON result_signatures
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('result_signatures', OLD.application_id || ':' || OLD.version);
END;
CREATE TRIGGER trust_files_touched_insert AFTER INSERT ON trust_files
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('trust_files', NEW.id);
END;
CREATE TRIGGER trust_files_touched_update AFTER UPDATE ON trust_files
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('trust_files', OLD.id);
    INSERT INTO touched (tbl, key) VALUES ('trust_files', NEW.id);
END;
CREATE TRIGGER trust_files_touched_delete AFTER DELETE ON trust_files
BEGIN
    INSERT INTO touched (tbl, key) VALUES ('trust_files', OLD.id);
END;
