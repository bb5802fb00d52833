//! Registering applications and reading them back.

use chrono::{DateTime, Datelike, FixedOffset};
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::application::{NewApplication, PresentedDocument, Status};
use kense_domain::{Bilingual, Error};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::audit::{append, Entry};
use crate::{db_err, office, timestamp, Registry};

/// What the clerk learns right after saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub registered_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationSummary {
    pub id: i64,
    pub number: String,
    pub registered_at: String,
    pub service_name: Bilingual,
    pub status: Status,
    pub applicant_name: String,
    pub child_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationRecord {
    pub id: i64,
    pub number: String,
    pub registered_at: DateTime<FixedOffset>,
    pub registered_by: String,
    pub catalog_version: u32,
    pub service_code: String,
    pub service_name: Bilingual,
    pub channel: String,
    pub status: Status,
    pub applicant_iin: String,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub applicant_address: String,
    pub child_iin: Option<String>,
    pub child_name: Option<String>,
    pub child_birth_date: Option<chrono::NaiveDate>,
    pub documents: Vec<PresentedDocument>,
    pub notes: String,
}

fn status_of(code: &str) -> Result<Status, Error> {
    Status::parse(code).ok_or_else(|| Error::Storage(format!("unknown status {code:?} in the registry")))
}

impl Registry {
    /// Checks the actor's right; a refusal is itself audited.
    fn authorize(&mut self, actor: &Actor, action: Action, what: &str, at: &str) -> Result<&'static str, Error> {
        match authorize(actor, action) {
            Ok(role) => Ok(role.code()),
            Err(e) => {
                self.audit_only(&format!("denied:{what}"), Some(actor.user_id), "user", Some(actor.user_id.to_string()), at)?;
                Err(e)
            }
        }
    }

    /// Registers an application under the next number of the office's
    /// series for the year. The number, the rows and the audit event commit
    /// together, so a number is never lost or given twice.
    pub fn register_application(
        &mut self,
        actor: &Actor,
        app: &NewApplication,
        now: DateTime<FixedOffset>,
    ) -> Result<Registered, Error> {
        let at = timestamp(now);
        let role = self.authorize(actor, Action::RegisterApplication, "register_application", &at)?;
        let (catalog_version, catalog) = self.catalog()?;
        let service = catalog
            .service(&app.service_code)
            .ok_or_else(|| Error::UnknownService(app.service_code.clone()))?;
        let status = app.intake();

        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let office = office::load(&tx)?;
        let year = now.year();
        tx.execute(
            "INSERT INTO number_series (series, year, next_value) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![office.series, year, office.start_number],
        )
        .map_err(db_err)?;
        let seq: i64 = tx
            .query_row(
                "UPDATE number_series SET next_value = next_value + 1 WHERE series = ?1 AND year = ?2 RETURNING next_value - 1",
                params![office.series, year],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        let number = format!("{}-{}-{:05}", office.series, year, seq);
        let child = app.child.as_ref();
        tx.execute(
            "INSERT INTO applications (number, series, year, seq, registered_at, registered_by, catalog_version,
                 service_code, service_name_kk, service_name_ru, channel, status,
                 applicant_iin, applicant_name, applicant_phone, applicant_address,
                 child_iin, child_name, child_birth_date, consent, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 1, ?20)",
            params![
                number,
                office.series,
                year,
                seq,
                at,
                actor.user_id,
                catalog_version,
                service.code,
                service.name.kk,
                service.name.ru,
                app.channel.code(),
                status.code(),
                app.applicant.iin.as_str(),
                app.applicant.name,
                app.applicant.phone,
                app.applicant.address,
                child.map(|c| c.iin.as_str()),
                child.map(|c| c.name.as_str()),
                child.map(|c| c.birth_date.to_string()),
                app.notes,
            ],
        )
        .map_err(db_err)?;
        let id = tx.last_insert_rowid();
        for (i, d) in app.documents.iter().enumerate() {
            tx.execute(
                "INSERT INTO application_documents (application_id, position, code, name_kk, name_ru, required, presented)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, i as i64, d.code, d.name.kk, d.name.ru, d.required, d.presented],
            )
            .map_err(db_err)?;
        }
        let after = serde_json::json!({
            "number": number,
            "catalog_version": catalog_version,
            "status": status.code(),
            "application": app,
        });
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: Some(actor.user_id),
                actor_role: Some(role),
                action: "register_application",
                entity: "application",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(after.to_string()),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(Registered { id, number, status, registered_at: at })
    }

    /// The newest applications first, for the clerk's desk.
    pub fn recent_applications(&mut self, actor: &Actor, limit: u32, now: DateTime<FixedOffset>) -> Result<Vec<ApplicationSummary>, Error> {
        self.authorize(actor, Action::ViewApplications, "recent_applications", &timestamp(now))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, number, registered_at, service_name_kk, service_name_ru, status, applicant_name, child_name
                 FROM applications ORDER BY id DESC LIMIT ?1",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    Bilingual::new(r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, number, registered_at, service_name, status, applicant_name, child_name) = row.map_err(db_err)?;
            out.push(ApplicationSummary {
                id,
                number,
                registered_at,
                service_name,
                status: status_of(&status)?,
                applicant_name,
                child_name,
            });
        }
        Ok(out)
    }

    /// One application with its checklist. Opening a record with personal
    /// data is audited (Law No. 94-V on personal data).
    pub fn application(&mut self, actor: &Actor, id: i64, now: DateTime<FixedOffset>) -> Result<ApplicationRecord, Error> {
        let at = timestamp(now);
        self.authorize(actor, Action::ViewApplications, "view_application", &at)?;
        let record = self.load_application(id)?;
        self.audit_only("view_application", Some(actor.user_id), "application", Some(id.to_string()), &at)?;
        Ok(record)
    }

    fn load_application(&self, id: i64) -> Result<ApplicationRecord, Error> {
        let record = self
            .conn
            .query_row(
                "SELECT a.id, a.number, a.registered_at, u.full_name, a.catalog_version, a.service_code,
                        a.service_name_kk, a.service_name_ru, a.channel, a.status, a.applicant_iin, a.applicant_name,
                        a.applicant_phone, a.applicant_address, a.child_iin, a.child_name, a.child_birth_date, a.notes
                 FROM applications a JOIN users u ON u.id = a.registered_by WHERE a.id = ?1",
                [id],
                |r| {
                    Ok((
                        (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?),
                        (r.get::<_, u32>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?),
                        (r.get::<_, String>(8)?, r.get::<_, String>(9)?, r.get::<_, String>(10)?, r.get::<_, String>(11)?),
                        (r.get::<_, String>(12)?, r.get::<_, String>(13)?, r.get::<_, Option<String>>(14)?),
                        (r.get::<_, Option<String>>(15)?, r.get::<_, Option<String>>(16)?, r.get::<_, String>(17)?),
                    ))
                },
            )
            .optional()
            .map_err(db_err)?
            .ok_or(Error::NotFound)?;
        let ((id, number, registered_at, registered_by), (catalog_version, service_code, name_kk, name_ru), (channel, status, applicant_iin, applicant_name), (applicant_phone, applicant_address, child_iin), (child_name, child_birth_date, notes)) = record;
        let registered_at = DateTime::parse_from_rfc3339(&registered_at)
            .map_err(|e| Error::Storage(format!("bad registered_at in application {id}: {e}")))?;
        let child_birth_date = child_birth_date
            .map(|d| d.parse().map_err(|e| Error::Storage(format!("bad child_birth_date in application {id}: {e}"))))
            .transpose()?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT code, name_kk, name_ru, required, presented FROM application_documents
                 WHERE application_id = ?1 ORDER BY position",
            )
            .map_err(db_err)?;
        let documents = stmt
            .query_map([id], |r| {
                Ok(PresentedDocument {
                    code: r.get(0)?,
                    name: Bilingual::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    required: r.get(3)?,
                    presented: r.get(4)?,
                })
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(ApplicationRecord {
            id,
            number,
            registered_at,
            registered_by,
            catalog_version,
            service_code,
            service_name: Bilingual::new(name_kk, name_ru),
            channel,
            status: status_of(&status)?,
            applicant_iin,
            applicant_name,
            applicant_phone,
            applicant_address,
            child_iin,
            child_name,
            child_birth_date,
            documents,
            notes,
        })
    }

    /// Records a printed document (its SHA-256 proves later what was handed
    /// out) and returns its copy number: 1 for the original, more for reprints.
    pub fn record_issued_document(
        &mut self,
        actor: &Actor,
        application_id: i64,
        kind: &str,
        sha256: &str,
        file_name: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize(actor, Action::PrintReceipt, "print", &at)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let copy: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(copy_number), 0) + 1 FROM issued_documents WHERE application_id = ?1 AND kind = ?2",
                params![application_id, kind],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        tx.execute(
            "INSERT INTO issued_documents (application_id, kind, copy_number, sha256, file_name, issued_at, issued_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![application_id, kind, copy, sha256, file_name, at, actor.user_id],
        )
        .map_err(db_err)?;
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: Some(actor.user_id),
                actor_role: Some(role),
                action: "print",
                entity: "application",
                entity_id: Some(application_id.to_string()),
                before: None,
                after: Some(serde_json::json!({"kind": kind, "copy": copy, "sha256": sha256}).to_string()),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(copy)
    }
}
