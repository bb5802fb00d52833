-- The office's stamp (seal and signature) as an administrator uploaded it:
-- a PNG drawn over the seal place of every signed document.
ALTER TABLE office ADD COLUMN stamp_png BLOB;
ALTER TABLE office ADD COLUMN stamp_sha256 TEXT;
