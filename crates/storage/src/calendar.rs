//! The administrator's years of the working calendar.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::calendar::YearRules;
use kense_domain::Error;

use crate::audit::Event;
use crate::sql::args;
use crate::{timestamp, Registry};

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
        self.db.audited(&at, |tx| {
            let before: Option<String> =
                tx.value_opt("SELECT rules FROM calendar_years WHERE year = ?1", args![year])?;
            tx.execute(
                "INSERT INTO calendar_years (year, rules, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (year) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at,
                                                  updated_by = excluded.updated_by",
                args![year, json, at, actor.user_id],
            )?;
            let mut event = Event::new("set_calendar_year", "calendar").by(actor.user_id, Some(role)).id(year);
            if let Some(b) = before {
                event = event.before(b);
            }
            Ok(((), event.after(json.clone())))
        })
    }
}
