//! The office's own requisites, its stamp and its verification secret.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::office::OfficeData;
use kense_domain::{Bilingual, Error};
use serde::Serialize;

use crate::audit::Event;
use crate::sql::{args, Db, FromRow, Row};
use crate::{timestamp, Registry};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Office {
    pub name: Bilingual,
    pub address: Bilingual,
    pub phone: String,
    pub series: String,
    pub start_number: i64,
    /// The office's BIN, when entered: a head's certificate must name it.
    pub bin: Option<String>,
}

impl FromRow for Office {
    fn from_row(r: &Row) -> Result<Office, Error> {
        Ok(Office {
            name: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
            address: Bilingual::new(r.get::<String>("address_kk")?, r.get::<String>("address_ru")?),
            phone: r.get("phone")?,
            series: r.get("series")?,
            start_number: r.get("start_number")?,
            bin: r.get("bin")?,
        })
    }
}

pub(crate) fn load(db: &Db) -> Result<Office, Error> {
    Office::from_row(&db.query_one(
        "SELECT name_kk, name_ru, address_kk, address_ru, phone, series, start_number, bin FROM office WHERE id = 1",
        args![],
    )?)
}

impl Registry {
    pub fn office(&self) -> Result<Office, Error> {
        load(&self.db)
    }

    /// The stamp image drawn on signed documents, if one was uploaded.
    pub fn stamp(&self) -> Result<Option<Vec<u8>>, Error> {
        self.db.value("SELECT stamp_png FROM office WHERE id = 1", args![])
    }

    /// Sets or removes the stamp image. The caller has checked that it is a
    /// PNG the documents can draw; the audit keeps its hash, not its bytes.
    pub fn set_stamp(
        &mut self,
        actor: &Actor,
        png: Option<(&[u8], &str)>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "set_stamp", &at)?;
        self.db.audited(&at, |tx| {
            let before: Option<String> = tx.value("SELECT stamp_sha256 FROM office WHERE id = 1", args![])?;
            tx.execute(
                "UPDATE office SET stamp_png = ?1, stamp_sha256 = ?2 WHERE id = 1",
                args![png.map(|p| p.0), png.map(|p| p.1)],
            )?;
            let event = Event::new("set_stamp", "office")
                .by(actor.user_id, Some(role))
                .id(1)
                .before(serde_json::json!({ "stamp_sha256": before }).to_string())
                .after(serde_json::json!({ "stamp_sha256": png.map(|p| p.1) }).to_string());
            Ok(((), event))
        })
    }

    /// Changes the office's data. A new starting number applies to a series
    /// and year that have no registration yet: numbers already given are
    /// never moved.
    pub fn update_office(
        &mut self,
        actor: &Actor,
        data: &OfficeData,
        now: DateTime<FixedOffset>,
    ) -> Result<Office, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "update_office", &at)?;
        self.db.audited(&at, |tx| {
            let before = load(tx)?;
            tx.execute(
                "UPDATE office SET name_kk = ?1, name_ru = ?2, address_kk = ?3, address_ru = ?4, phone = ?5,
                                   series = ?6, start_number = ?7, bin = ?8
                 WHERE id = 1",
                args![
                    data.name.kk,
                    data.name.ru,
                    data.address.kk,
                    data.address.ru,
                    data.phone,
                    data.series,
                    data.start_number,
                    data.bin.as_ref().map(|b| b.as_str())
                ],
            )?;
            let after = load(tx)?;
            let mut event = Event::new("update_office", "office").by(actor.user_id, Some(role)).id(1);
            if let (Ok(b), Ok(a)) = (serde_json::to_string(&before), serde_json::to_string(&after)) {
                event = event.before(b).after(a);
            }
            Ok((after, event))
        })
    }
}

/// Where the office's verification secret came from when it was installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// From the registry this one replaced (a restore of an older backup).
    Carried,
    /// From the `verification.key` file earlier versions kept beside the registry.
    Imported,
    /// Made fresh: a new office.
    New,
}

impl KeyOrigin {
    fn code(self) -> &'static str {
        match self {
            KeyOrigin::Carried => "carried",
            KeyOrigin::Imported => "imported",
            KeyOrigin::New => "new",
        }
    }
}

/// The first 16 hex digits of the key's SHA-256: enough to tell two keys
/// apart in the audit, useless for forging.
fn fingerprint(key: &[u8; 32]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(key).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl Registry {
    /// The office's secret for documents' verification codes, once installed.
    pub fn verification_key(&self) -> Result<Option<[u8; 32]>, Error> {
        let key: Option<Vec<u8>> = self.db.value_opt("SELECT key FROM verification_secret WHERE id = 1", args![])?;
        key.map(|k| {
            <[u8; 32]>::try_from(k.as_slice()).map_err(|_| Error::Storage("verification key is not 32 bytes".into()))
        })
        .transpose()
    }

    /// Installs the secret, once; the audit records its origin and
    /// fingerprint, never the key. A registry that already has one keeps it
    /// and returns it.
    pub fn install_verification_key(
        &mut self,
        key: &[u8; 32],
        origin: KeyOrigin,
        now: DateTime<FixedOffset>,
    ) -> Result<[u8; 32], Error> {
        if let Some(installed) = self.verification_key()? {
            return Ok(installed);
        }
        let at = timestamp(now);
        let installed = self.db.audited(&at, |tx| {
            let inserted = tx.execute(
                "INSERT INTO verification_secret (id, key, installed_at) VALUES (1, ?1, ?2) ON CONFLICT (id) DO NOTHING",
                args![key.as_slice(), at],
            )?;
            if inserted == 0 {
                // Another workstation installed one a moment ago: nothing to record.
                return Err(Error::AlreadyInitialised);
            }
            let event = Event::new("install_verification_key", "office")
                .id(1)
                .after(serde_json::json!({ "fingerprint": fingerprint(key) }).to_string())
                .reason(origin.code());
            Ok((*key, event))
        });
        match installed {
            Err(Error::AlreadyInitialised) => {
                self.verification_key()?.ok_or_else(|| Error::Storage("verification key vanished".into()))
            }
            other => other,
        }
    }
}
