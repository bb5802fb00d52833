//! The office's own requisites and journal numbering.

use kense_domain::{Bilingual, Error};
use rusqlite::Connection;
use serde::Serialize;

use crate::{db_err, Registry};

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
}
