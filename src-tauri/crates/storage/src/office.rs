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

    /// Changes the office's data. A new starting number applies to a series
    /// and year that have no registration yet: numbers already given are
    /// never moved.
    pub fn update_office(&mut self, actor: &Actor, data: &OfficeData, now: DateTime<FixedOffset>) -> Result<Office, Error> {
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
