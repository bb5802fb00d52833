//! The administrator's years of the working calendar, and the due moments
//! computed again when a year's moving days are entered.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::calendar::YearRules;
use kense_domain::catalog::{Catalog, Channel};
use kense_domain::workflow::Status;
use kense_domain::Error;

use crate::applications::status_of;
use crate::audit::Event;
use crate::sql::{args, Tx};
use crate::{moment, timestamp, Due, Registry};

/// An open application whose due moments may move with a year entered:
/// what computing them again needs.
#[derive(Debug, Clone)]
pub struct OpenDue {
    pub id: i64,
    /// The catalog version it was registered under.
    pub catalog: Arc<Catalog>,
    pub service_code: String,
    pub channel: Channel,
    /// The path's variant it takes, where the channel has several.
    pub variant: Option<String>,
    pub status: Status,
    pub registered_at: DateTime<FixedOffset>,
    /// When it entered its present status.
    pub entered_at: DateTime<FixedOffset>,
}

impl Registry {
    /// Every year an administrator entered, in order.
    pub fn calendar_years(&self) -> Result<Vec<(i32, YearRules)>, Error> {
        self.db
            .query("SELECT year, rules FROM calendar_years ORDER BY year", args![])?
            .iter()
            .map(|r| {
                let year: i32 = r.get("year")?;
                serde_json::from_str(&r.get::<String>("rules")?)
                    .map(|rules| (year, rules))
                    .map_err(|e| Error::Storage(format!("calendar year {year}: {e}")))
            })
            .collect()
    }

    /// Enters (or replaces) a year's Kurban Ait and transfers, and in the
    /// same transaction computes again, with `due_again`, the due moments
    /// of every open application that has one on or after the year's first
    /// day: those were provisional (or counted on the replaced rules). How
    /// many applications were given new due moments comes back; the audit
    /// event names their count.
    pub fn set_calendar_year(
        &mut self,
        actor: &Actor,
        year: i32,
        rules: &YearRules,
        now: DateTime<FixedOffset>,
        due_again: &dyn Fn(&OpenDue) -> Due,
    ) -> Result<usize, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "set_calendar_year", &at)?;
        rules.check(year)?;
        let json = serde_json::to_string(rules).map_err(|e| Error::Storage(e.to_string()))?;
        // Stored moments carry the office's offset; a moment a day early
        // on the text's own clock is still caught by starting the day before.
        let from = format!("{:04}-12-31", year - 1);
        let catalogs = self.catalogs_in_use()?;
        self.db.audited(&at, |tx| {
            // Read in the transaction: on the office server another desk's
            // step cannot slip in between the reading and the writing.
            let recomputed: Vec<(i64, Due)> =
                open_dues_from(tx, &from, &catalogs)?.iter().map(|o| (o.id, due_again(o))).collect();
            let before: Option<String> =
                tx.value_opt("SELECT rules FROM calendar_years WHERE year = ?1", args![year])?;
            tx.execute(
                "INSERT INTO calendar_years (year, rules, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (year) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at,
                                                  updated_by = excluded.updated_by",
                args![year, json, at, actor.user_id],
            )?;
            let mut moved = 0;
            for (id, due) in &recomputed {
                moved += tx.execute(
                    "UPDATE applications SET step_due_at = ?1, due_at = ?2
                     WHERE id = ?3 AND (step_due_at IS DISTINCT FROM ?1 OR due_at IS DISTINCT FROM ?2)",
                    args![due.step.map(timestamp), due.whole.map(timestamp), id],
                )?;
            }
            let mut event = Event::new("set_calendar_year", "calendar").by(actor.user_id, Some(role)).id(year);
            if let Some(b) = before {
                event = event.before(b);
            }
            let after = serde_json::json!({"rules": serde_json::from_str::<serde_json::Value>(&json)
                .map_err(|e| Error::Storage(e.to_string()))?, "due_moments_recomputed": moved});
            Ok((moved, event.after(after.to_string())))
        })
    }

    /// Every catalog version an open application was registered under.
    fn catalogs_in_use(&self) -> Result<HashMap<u32, Arc<Catalog>>, Error> {
        let versions = self.db.query(
            "SELECT DISTINCT catalog_version FROM applications
             WHERE status NOT IN ('refused_at_intake', 'issued', 'withdrawn')",
            args![],
        )?;
        versions
            .iter()
            .map(|r| {
                let v: u32 = r.get("catalog_version")?;
                Ok((v, self.installed_catalog(v)?))
            })
            .collect()
    }
}

/// Open applications with a due moment on or after `from` (a date).
fn open_dues_from(tx: &Tx<'_>, from: &str, catalogs: &HashMap<u32, Arc<Catalog>>) -> Result<Vec<OpenDue>, Error> {
    let rows = tx.query(
        "SELECT a.id, a.catalog_version, a.service_code, a.channel, a.path_variant, a.status, a.registered_at,
                (SELECT MAX(w.at) FROM workflow_events w WHERE w.application_id = a.id) AS entered_at
         FROM applications a
         WHERE a.status NOT IN ('refused_at_intake', 'issued', 'withdrawn')
           AND (a.step_due_at >= ?1 OR a.due_at >= ?1)
         ORDER BY a.id",
        args![from],
    )?;
    rows.iter()
        .map(|r| {
            let registered_at = moment(&r.get::<String>("registered_at")?)?;
            let channel: String = r.get("channel")?;
            let version: u32 = r.get("catalog_version")?;
            Ok(OpenDue {
                id: r.get("id")?,
                catalog: catalogs
                    .get(&version)
                    .cloned()
                    .ok_or_else(|| Error::Catalog(format!("catalog version {version} is not installed")))?,
                service_code: r.get("service_code")?,
                channel: Channel::parse(&channel)
                    .ok_or_else(|| Error::Storage(format!("unknown channel {channel:?}")))?,
                variant: r.get("path_variant")?,
                status: status_of(&r.get::<String>("status")?)?,
                registered_at,
                entered_at: match r.get::<Option<String>>("entered_at")? {
                    Some(at) => moment(&at)?,
                    None => registered_at,
                },
            })
        })
        .collect()
}
