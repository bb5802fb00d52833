//! The office's own requisites and journal numbering.

use kense_domain::{Bilingual, Error};
use rusqlite::Connection;
use serde::Serialize;

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::office::OfficeData;
use rusqlite::{params, TransactionBehavior};

use crate::audit::{append, Entry};
use crate::{db_err, timestamp, Registry};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Office {
    pub name: Bilingual,
    pub address: Bilingual,
    pub phone: String,
    pub series: String,
    pub start_number: i64,
}

pub(crate) fn load(conn: &Connection) -> Result<Office, Error> {
    conn.query_row(
        "SELECT name_kk, name_ru, address_kk, address_ru, phone, series, start_number FROM office WHERE id = 1",
        [],
        |r| {
            Ok(Office {
                name: Bilingual::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                address: Bilingual::new(r.get::<_, String>(2)?, r.get::<_, String>(3)?),
                phone: r.get(4)?,
                series: r.get(5)?,
                start_number: r.get(6)?,
            })
        },
    )
    .map_err(db_err)
}

impl Registry {
    pub fn office(&self) -> Result<Office, Error> {
        load(&self.conn)
    }

    /// The stamp image drawn on signed documents, if one was uploaded.
    pub fn stamp(&self) -> Result<Option<Vec<u8>>, Error> {
        self.conn.query_row("SELECT stamp_png FROM office WHERE id = 1", [], |r| r.get(0)).map_err(db_err)
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
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let before: Option<String> =
            tx.query_row("SELECT stamp_sha256 FROM office WHERE id = 1", [], |r| r.get(0)).map_err(db_err)?;
        tx.execute(
            "UPDATE office SET stamp_png = ?1, stamp_sha256 = ?2 WHERE id = 1",
            params![png.map(|p| p.0), png.map(|p| p.1)],
        )
        .map_err(db_err)?;
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: Some(actor.user_id),
                actor_role: Some(role),
                action: "set_stamp",
                entity: "office",
                entity_id: Some("1".into()),
                before: Some(serde_json::json!({ "stamp_sha256": before }).to_string()),
                after: Some(serde_json::json!({ "stamp_sha256": png.map(|p| p.1) }).to_string()),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)
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
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let before = load(&tx)?;
        tx.execute(
            "UPDATE office SET name_kk = ?1, name_ru = ?2, address_kk = ?3, address_ru = ?4, phone = ?5, series = ?6, start_number = ?7
             WHERE id = 1",
            params![data.name.kk, data.name.ru, data.address.kk, data.address.ru, data.phone, data.series, data.start_number],
        )
        .map_err(db_err)?;
        let after = load(&tx)?;
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: Some(actor.user_id),
                actor_role: Some(role),
                action: "update_office",
                entity: "office",
                entity_id: Some("1".into()),
                before: serde_json::to_string(&before).ok(),
                after: serde_json::to_string(&after).ok(),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(after)
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
        use rusqlite::OptionalExtension;
        let key: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT key FROM verification_secret WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(db_err)?;
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
        let at = timestamp(now);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let inserted = tx
            .execute(
                "INSERT INTO verification_secret (id, key, installed_at) VALUES (1, ?1, ?2) ON CONFLICT (id) DO NOTHING",
                params![key.as_slice(), at],
            )
            .map_err(db_err)?;
        if inserted == 0 {
            drop(tx);
            return self.verification_key()?.ok_or_else(|| Error::Storage("verification key vanished".into()));
        }
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: None,
                actor_role: None,
                action: "install_verification_key",
                entity: "office",
                entity_id: Some("1".into()),
                before: None,
                after: Some(serde_json::json!({ "fingerprint": fingerprint(key) }).to_string()),
                reason: Some(origin.code().to_owned()),
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(*key)
    }
}
