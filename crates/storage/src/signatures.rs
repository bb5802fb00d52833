//! Results signed with a certificate (the head's ЭЦҚ) and the files the
//! verify screen trusts: the IIN on a person's account that a certificate
//! must name, the signed PDF with what its certificate says, and the
//! certificates and revocation lists the administrator imported.
//!
//! Nothing here reads a certificate: the workstation hands over what the
//! signature crate found, and this module keeps it with the step, in the
//! step's transaction.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::iin::Iin;
use kense_domain::Error;
use serde::Serialize;

use crate::audit::Event;
use crate::sql::{args, FromRow, Row, SqlError, Tx};
use crate::{timestamp, Registry};

/// How the head's certificate signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningMethod {
    /// NCALayer on the head's PC (his key or token, its own dialog).
    NcaLayer,
    /// An RSA PKCS#12 key file read by Kense.
    KeyFile,
}

impl SigningMethod {
    fn code(self) -> &'static str {
        match self {
            SigningMethod::NcaLayer => "ncalayer",
            SigningMethod::KeyFile => "key_file",
        }
    }
}

/// A result signed with a certificate, as the workstation hands it over:
/// the signed file, its certificate's facts, and the print record of the
/// copy the file is (its QR code names that copy).
#[derive(Debug, Clone)]
pub struct CertificateSignature<'a> {
    pub method: SigningMethod,
    pub signer_name: &'a str,
    pub signer_iin: &'a str,
    pub signer_bin: Option<&'a str>,
    pub cert_serial: &'a str,
    pub cert_issuer: &'a str,
    pub cert_sha256: &'a str,
    pub base_sha256: &'a str,
    pub signed_sha256: &'a str,
    pub signed_pdf: &'a [u8],
    /// The result paper's print kind, copy and QR text, and the file name
    /// it was filed under.
    pub kind: &'a str,
    pub copy: u32,
    pub verification: &'a str,
    pub file_name: &'a str,
}

/// What the registry keeps of a certificate signature, for the record's
/// screen (never the key, never a password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateFacts {
    pub method: SigningMethod,
    pub signer_name: String,
    pub signer_iin: String,
    pub signer_bin: Option<String>,
    pub cert_serial: String,
    pub cert_issuer: String,
    pub cert_sha256: String,
    pub signed_sha256: String,
    pub signed_at: String,
    pub copy: u32,
}

impl FromRow for CertificateFacts {
    fn from_row(r: &Row) -> Result<CertificateFacts, Error> {
        Ok(CertificateFacts {
            method: match r.get::<String>("method")?.as_str() {
                "ncalayer" => SigningMethod::NcaLayer,
                _ => SigningMethod::KeyFile,
            },
            signer_name: r.get("signer_name")?,
            signer_iin: r.get("signer_iin")?,
            signer_bin: r.get("signer_bin")?,
            cert_serial: r.get("cert_serial")?,
            cert_issuer: r.get("cert_issuer")?,
            cert_sha256: r.get("cert_sha256")?,
            signed_sha256: r.get("signed_sha256")?,
            signed_at: r.get("signed_at")?,
            copy: r.get("copy_number")?,
        })
    }
}

/// Inside the Sign step's transaction: checks the certificate is the
/// signing head's and keeps the signed file and its print record. The
/// facts for the step's audit event come back.
pub(crate) fn record(
    tx: &Tx<'_>,
    actor: &Actor,
    application_id: i64,
    c: &CertificateSignature<'_>,
    at: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    let own: Option<String> = tx.value("SELECT iin FROM users WHERE id = ?1", args![actor.user_id])?;
    match own {
        None => return Err(Error::NoSignerIin),
        Some(own) if own != c.signer_iin => {
            return Err(Error::CertificateNotHeads { found: Some(c.signer_iin.to_owned()) })
        }
        Some(_) => {}
    }
    let version: i64 =
        tx.value("SELECT MAX(version) AS v FROM results WHERE application_id = ?1", args![application_id])?;
    tx.execute(
        "INSERT INTO result_signatures (application_id, version, method, signer_name, signer_iin, signer_bin,
                                        cert_serial, cert_issuer, cert_sha256, base_sha256, signed_sha256,
                                        signed_pdf, copy_number, signed_at, signed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        args![
            application_id,
            version,
            c.method.code(),
            c.signer_name,
            c.signer_iin,
            c.signer_bin,
            c.cert_serial,
            c.cert_issuer,
            c.cert_sha256,
            c.base_sha256,
            c.signed_sha256,
            c.signed_pdf,
            c.copy,
            at,
            actor.user_id
        ],
    )?;
    tx.execute(
        "INSERT INTO issued_documents (application_id, kind, copy_number, sha256, verification, file_name,
                                       issued_at, issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        args![application_id, c.kind, c.copy, c.signed_sha256, c.verification, c.file_name, at, actor.user_id],
    )
    // Another desk printed that copy meanwhile: sign again.
    .map_err(|e| match e {
        SqlError::Unique(_) | SqlError::Constraint(_) => Error::InvalidState,
        e => e.into(),
    })?;
    let mut detail = serde_json::Map::new();
    let facts = serde_json::json!({
        "method": c.method.code(),
        "signer_iin": c.signer_iin,
        "signer_bin": c.signer_bin,
        "cert_serial": c.cert_serial,
        "cert_issuer": c.cert_issuer,
        "cert_sha256": c.cert_sha256,
        "signed_sha256": c.signed_sha256,
        "copy": c.copy,
    });
    detail.insert("certificate".into(), facts);
    Ok(detail)
}

/// A file the verify screen trusts, as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedFile {
    pub id: i64,
    /// `certificate` or `crl`.
    pub kind: String,
    pub name: String,
    pub sha256: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub imported_at: String,
}

impl FromRow for TrustedFile {
    fn from_row(r: &Row) -> Result<TrustedFile, Error> {
        Ok(TrustedFile {
            id: r.get("id")?,
            kind: r.get("kind")?,
            name: r.get("name")?,
            sha256: r.get("sha256")?,
            valid_from: r.get("valid_from")?,
            valid_until: r.get("valid_until")?,
            imported_at: r.get("imported_at")?,
        })
    }
}

/// A certificate or CRL as read by the signature crate, to be imported.
#[derive(Debug, Clone)]
pub struct NewTrustedFile<'a> {
    /// `certificate` or `crl`.
    pub kind: &'a str,
    pub name: &'a str,
    pub sha256: &'a str,
    pub der: &'a [u8],
    pub valid_from: &'a str,
    pub valid_until: Option<&'a str>,
}

impl Registry {
    /// The IIN on a person's account, if the administrator entered one.
    pub fn user_iin(&self, user_id: i64) -> Result<Option<String>, Error> {
        Ok(self.db.value_opt::<Option<String>>("SELECT iin FROM users WHERE id = ?1", args![user_id])?.flatten())
    }

    /// Enters (or clears) the IIN on an account: the administrator's, as
    /// the person's identity document shows it.
    pub fn set_user_iin(
        &mut self,
        actor: &Actor,
        user_id: i64,
        iin: Option<&Iin>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageUsers, "set_user_iin", &at)?;
        let iin = iin.map(Iin::as_str);
        self.db.audited(&at, |tx| {
            let before: Option<Option<String>> = tx
                .query_opt("SELECT iin FROM users WHERE id = ?1", args![user_id])?
                .map(|r| r.get("iin"))
                .transpose()?;
            let Some(before) = before else { return Err(Error::NotFound) };
            tx.execute("UPDATE users SET iin = ?1 WHERE id = ?2", args![iin, user_id])?;
            let event = Event::new("set_user_iin", "user")
                .by(actor.user_id, Some(role))
                .id(user_id)
                .before(serde_json::json!({ "iin": before }).to_string())
                .after(serde_json::json!({ "iin": iin }).to_string());
            Ok(((), event))
        })
    }

    /// What the certificate signature of an application's latest result
    /// says, if it was signed with one.
    pub fn result_certificate(&self, application_id: i64) -> Result<Option<CertificateFacts>, Error> {
        self.db
            .query_opt(
                "SELECT method, signer_name, signer_iin, signer_bin, cert_serial, cert_issuer, cert_sha256,
                        signed_sha256, signed_at, copy_number
                 FROM result_signatures WHERE application_id = ?1 ORDER BY version DESC LIMIT 1",
                args![application_id],
            )?
            .map(|r| CertificateFacts::from_row(&r))
            .transpose()
    }

    /// The signed PDF of an application's latest result, to be saved as a
    /// file: personal data leaving the registry, so audited, and only for
    /// whoever may print the application's papers.
    pub fn signed_result_pdf(
        &mut self,
        actor: &Actor,
        application_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<u8>, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ViewApplications, "save_signed_result", &at)?;
        let row = self.db.query_opt(
            "SELECT signed_pdf, signed_sha256, version FROM result_signatures WHERE application_id = ?1
             ORDER BY version DESC LIMIT 1",
            args![application_id],
        )?;
        let Some(row) = row else { return Err(Error::NotFound) };
        let pdf: Vec<u8> = row.get("signed_pdf")?;
        let event = Event::new("save_signed_result", "application")
            .by(actor.user_id, Some(role))
            .id(application_id)
            .after(
            serde_json::json!({"version": row.get::<i64>("version")?, "sha256": row.get::<String>("signed_sha256")?})
                .to_string(),
        );
        self.db.record(&at, event)?;
        Ok(pdf)
    }

    /// The application number whose signed result is the file with this
    /// SHA-256, if the registry has one.
    pub fn signed_result_number(&self, sha256: &str) -> Result<Option<String>, Error> {
        self.db.value_opt(
            "SELECT a.number FROM result_signatures s JOIN applications a ON a.id = s.application_id
             WHERE s.signed_sha256 = ?1",
            args![sha256],
        )
    }

    /// Imports a certificate or revocation list the administrator chose;
    /// the same file twice is refused.
    pub fn import_trusted_file(
        &mut self,
        actor: &Actor,
        file: &NewTrustedFile<'_>,
        now: DateTime<FixedOffset>,
    ) -> Result<TrustedFile, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "import_trusted_file", &at)?;
        let id = self.db.audited(&at, |tx| {
            let known: bool =
                tx.value("SELECT EXISTS (SELECT 1 FROM trust_files WHERE sha256 = ?1) AS known", args![file.sha256])?;
            if known {
                return Err(Error::AlreadyTrusted);
            }
            let id: i64 = tx.value(
                "INSERT INTO trust_files (kind, name, sha256, der, valid_from, valid_until, imported_at, imported_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                args![
                    file.kind,
                    file.name,
                    file.sha256,
                    file.der,
                    file.valid_from,
                    file.valid_until,
                    at,
                    actor.user_id
                ],
            )?;
            let event = Event::new("import_trusted_file", "trust_file")
                .by(actor.user_id, Some(role))
                .id(id)
                .after(serde_json::json!({"kind": file.kind, "name": file.name, "sha256": file.sha256}).to_string());
            Ok((id, event))
        })?;
        self.trusted_files()?.into_iter().find(|f| f.id == id).ok_or(Error::NotFound)
    }

    /// Every imported certificate and list, newest first.
    pub fn trusted_files(&self) -> Result<Vec<TrustedFile>, Error> {
        self.db.query_as(
            "SELECT id, kind, name, sha256, valid_from, valid_until, imported_at FROM trust_files ORDER BY id DESC",
            args![],
        )
    }

    /// The imported files' DER, with their kinds, for a verification.
    pub fn trusted_der(&self) -> Result<Vec<(String, Vec<u8>)>, Error> {
        self.db
            .query("SELECT kind, der FROM trust_files ORDER BY id", args![])?
            .iter()
            .map(|r| Ok((r.get("kind")?, r.get("der")?)))
            .collect()
    }
}
