//! The administrator's years of the working calendar.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::calendar::YearRules;
use kense_domain::Error;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::audit::{append, Entry};
use crate::{db_err, timestamp, Registry};

impl Registry {
    /// Every year an administrator entered, in order.
    pub fn calendar_years(&self) -> Result<Vec<(i32, YearRules)>, Error> {
        let mut stmt = self.conn.prepare("SELECT year, rules FROM calendar_years ORDER BY year").map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        rows.into_iter()
            .map(|(year, json)| {
                serde_json::from_str(&json)
                    .map(|rules| (year, rules))
                    .map_err(|e| Error::Storage(format!("calendar year {year}: {e}")))
            })
            .collect()
    }

    /// Enters (or replaces) a year's Kurban Ait and transfers. Deadlines
    /// already computed keep their due moments; new ones use the new rules.
    pub fn set_calendar_year(
        &mut self,
        actor: &Actor,
        year: i32,
        rules: &YearRules,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "set_calendar_year", &at)?;
        rules.check(year)?;
        let json = serde_json::to_string(rules).map_err(|e| Error::Storage(e.to_string()))?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let before: Option<String> = tx
            .query_row("SELECT rules FROM calendar_years WHERE year = ?1", [year], |r| r.get(0))
            .optional()
            .map_err(db_err)?;
        tx.execute(
            "INSERT INTO calendar_years (year, rules, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (year) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![year, json, at, actor.user_id],
        )
        .map_err(db_err)?;
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: Some(actor.user_id),
                actor_role: Some(role),
                action: "set_calendar_year",
                entity: "calendar",
                entity_id: Some(year.to_string()),
                before,
                after: Some(json),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)
    }
}
