-- The verification text printed in each issued document's QR code.
ALTER TABLE issued_documents ADD COLUMN verification TEXT;
CREATE INDEX issued_documents_verification ON issued_documents(verification);
