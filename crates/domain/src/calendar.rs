//! The working-day calendar of Kazakhstan, and due moments computed on it.
//!
//! The rules (domain-research §4.2): Saturdays and Sundays are days off; a
//! holiday that falls on a day off moves the day off to the next working
//! day; religious days off (Orthodox Christmas, the first day of Kurban
//! Ait) are never carried over; the Government may move days off by decree.
//! Holidays, Kurban Ait and the transfers are data (assets/calendar/kz.json)
//! that an administrator extends each year.
//!
//! Due moments: minute and hour norms run in office working time; a norm of
//! n working days ends at the close of the n-th working day after the start
//! day (the start day does not count, as the seeds say); n calendar days end
//! at the close of the n-th day, moved to the close of the next working day
//! when that day is not a working one (the Civil Code's rule for terms).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::lang::Bilingual;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarData {
    #[serde(default)]
    pub comment: String,
    pub working_hours: WorkingHours,
    pub holidays: Vec<FixedDay>,
    pub religious_days_off: Vec<FixedDay>,
    /// Per year: the first day of Kurban Ait and the Government's transfers.
    pub years: BTreeMap<i32, YearRules>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub lunch_start: NaiveTime,
    pub lunch_end: NaiveTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedDay {
    pub month: u32,
    pub day: u32,
    pub name: Bilingual,
    #[serde(default)]
    pub from_year: Option<i32>,
    #[serde(default)]
    pub until_year: Option<i32>,
}

impl FixedDay {
    fn in_year(&self, year: i32) -> Option<NaiveDate> {
        let applies = self.from_year.is_none_or(|f| year >= f) && self.until_year.is_none_or(|u| year <= u);
        applies.then(|| NaiveDate::from_ymd_opt(year, self.month, self.day)).flatten()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRules {
    pub kurban_ait: NaiveDate,
    #[serde(default)]
    pub transfers: Vec<Transfer>,
}

/// A Government decree moving a day off: `day_off` becomes a day off and
/// `working_day` (usually a Saturday) a working day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub day_off: NaiveDate,
    pub working_day: NaiveDate,
    #[serde(default)]
    pub decree: String,
}

/// The resolved calendar: which dates are days off and which Saturdays work.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    hours: WorkingHours,
    days_off: BTreeSet<NaiveDate>,
    working_weekends: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

impl YearRules {
    /// Checks a year's rules as an administrator enters them.
    pub fn check(&self, year: i32) -> Result<(), Error> {
        if !YEARS.contains(&year) || self.kurban_ait.year() != year {
            return Err(Error::CalendarYear);
        }
        for t in &self.transfers {
            let moved_off_a_weekday = !is_weekend(t.day_off);
            let onto_a_weekend = is_weekend(t.working_day);
            if t.day_off.year() != year || t.working_day.year() != year || !moved_off_a_weekday || !onto_a_weekend {
                return Err(Error::CalendarTransfer);
            }
        }
        Ok(())
    }
}

impl CalendarData {
    /// The shipped calendar with the administrator's years laid over it.
    pub fn with_years(&self, years: impl IntoIterator<Item = (i32, YearRules)>) -> CalendarData {
        let mut data = self.clone();
        data.years.extend(years);
        data
    }

    pub fn parse(json: &str) -> Result<CalendarData, Error> {
        serde_json::from_str(json).map_err(|e| Error::Catalog(format!("calendar: {e}")))
    }
}

impl WorkingCalendar {
    pub fn parse(json: &str) -> Result<WorkingCalendar, Error> {
        WorkingCalendar::new(&CalendarData::parse(json)?)
    }

    pub fn new(data: &CalendarData) -> Result<WorkingCalendar, Error> {
        let h = data.working_hours;
        if !(h.start < h.lunch_start && h.lunch_start <= h.lunch_end && h.lunch_end < h.end) {
            return Err(Error::Catalog("calendar: working hours are not in order".into()));
        }
        let mut days_off = BTreeSet::new();
        let mut working_weekends = BTreeSet::new();
        for (&year, rules) in &data.years {
            // The registry's dates live in this range; outside it date
            // arithmetic near chrono's limits would overflow.
            if !YEARS.contains(&year) {
                return Err(Error::Catalog(format!("calendar: year {year} is outside 2000–2100")));
            }
            if rules.kurban_ait.year() != year {
                return Err(Error::Catalog(format!("calendar: Kurban Ait of {year} is dated {}", rules.kurban_ait)));
            }
        }
        // The fixed days are law for every year, entered or not: a year the
        // administrator has not entered still rests on 1 January, 8 March,
        // Nauryz… and lacks only its moving days (Kurban Ait, transfers).
        for year in YEARS {
            let holidays: BTreeSet<NaiveDate> = data.holidays.iter().filter_map(|d| d.in_year(year)).collect();
            days_off.extend(holidays.iter().copied());
            // Carry-over: each holiday on a weekend frees the next weekday
            // that is neither a holiday nor already freed.
            for h in holidays.iter().filter(|d| is_weekend(**d)) {
                let mut d = *h;
                loop {
                    d += Duration::days(1);
                    if !is_weekend(d) && !holidays.contains(&d) && days_off.insert(d) {
                        break;
                    }
                }
            }
            days_off.extend(data.religious_days_off.iter().filter_map(|d| d.in_year(year)));
        }
        for rules in data.years.values() {
            days_off.insert(rules.kurban_ait);
            for t in &rules.transfers {
                days_off.insert(t.day_off);
                working_weekends.insert(t.working_day);
            }
        }
        Ok(WorkingCalendar { hours: h, days_off, working_weekends, years: data.years.keys().copied().collect() })
    }

    /// Whether the calendar has the year's moving days (Kurban Ait,
    /// transfers). A due moment in a year it does not cover rests on the
    /// fixed days alone and is provisional: it may move when the year is
    /// entered.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether a due moment on `d` may still move: its year's moving days
    /// are not entered.
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        !self.covers(d.year())
    }

    /// The year whose moving days the administrator should enter now, if
    /// any: the current year when it is missing, and from 1 December the
    /// next one (decrees on transfers are published in the autumn; Kurban
    /// Ait is announced by the Spiritual Administration well ahead).
    pub fn year_to_enter(&self, today: NaiveDate) -> Option<i32> {
        let year = today.year();
        if !self.covers(year) {
            return Some(year);
        }
        (today.month() == 12 && !self.covers(year + 1)).then_some(year + 1)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.working_weekends.contains(&d) {
            return true;
        }
        !is_weekend(d) && !self.days_off.contains(&d)
    }

    pub fn next_working_day(&self, mut d: NaiveDate) -> NaiveDate {
        loop {
            d += Duration::days(1);
            if self.is_working_day(d) {
                return d;
            }
        }
    }

    fn close_of(&self, d: NaiveDate) -> NaiveDateTime {
        d.and_time(self.hours.end)
    }

    /// The close of the n-th working day after `start`'s day.
    pub fn add_working_days(&self, start: NaiveDateTime, n: u32) -> NaiveDateTime {
        let mut d = start.date();
        for _ in 0..n {
            d = self.next_working_day(d);
        }
        // "Within the day": the close of the start day, or of the next
        // working day when the work arrived after hours or on a day off.
        if n == 0 && (!self.is_working_day(d) || start.time() >= self.hours.end) {
            d = self.next_working_day(d);
        }
        self.close_of(d)
    }

    /// The close of the n-th calendar day, or of the next working day.
    /// Zero days from after hours, like zero working days, means the next
    /// working day's close: never a moment before the start.
    pub fn add_calendar_days(&self, start: NaiveDateTime, n: u32) -> NaiveDateTime {
        if n == 0 {
            return self.add_working_days(start, 0);
        }
        let d = start.date() + Duration::days(i64::from(n));
        if self.is_working_day(d) {
            self.close_of(d)
        } else {
            self.close_of(self.next_working_day(d))
        }
    }

    /// `minutes` of office working time after `start`, skipping lunch,
    /// evenings and days off.
    pub fn add_working_minutes(&self, start: NaiveDateTime, minutes: u32) -> NaiveDateTime {
        let h = self.hours;
        let mut left = i64::from(minutes);
        let mut t = start;
        loop {
            let day = t.date();
            if !self.is_working_day(day) || t.time() >= h.end {
                t = self.next_working_day(day).and_time(h.start);
                continue;
            }
            if t.time() < h.start {
                t = day.and_time(h.start);
            }
            if t.time() >= h.lunch_start && t.time() < h.lunch_end {
                t = day.and_time(h.lunch_end);
            }
            let block_end = if t.time() < h.lunch_start { day.and_time(h.lunch_start) } else { day.and_time(h.end) };
            let available = (block_end - t).num_minutes();
            if left <= available {
                return t + Duration::minutes(left);
            }
            left -= available;
            t = block_end;
        }
    }

    /// Working days in a year, as published calendars count them.
    pub fn working_days_in(&self, year: i32) -> usize {
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            return 0;
        };
        first.iter_days().take_while(|d| *d <= last).filter(|d| self.is_working_day(*d)).count()
    }
}

/// The years a calendar can hold: the registry's dates live in this range,
/// and outside it date arithmetic near chrono's limits would overflow.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../assets/calendar/kz.json");

    fn cal() -> WorkingCalendar {
        WorkingCalendar::parse(SHIPPED).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn the_2025_worked_example() {
        let c = cal();
        // Carry-overs published for 2025.
        for carried in ["2025-03-10", "2025-03-24", "2025-03-25", "2025-07-07", "2025-09-01", "2025-10-27"] {
            assert!(!c.is_working_day(d(carried)), "{carried} is a carried-over day off");
        }
        // Religious days off are not carried over: 7 Jan 2025 is a Tuesday,
        // and nothing else is freed for it.
        assert!(!c.is_working_day(d("2025-01-07")));
        assert!(c.is_working_day(d("2025-01-08")));
        assert!(!c.is_working_day(d("2025-06-06")), "Kurban Ait");
        assert!(c.is_working_day(d("2025-06-09")));
        assert_eq!(c.working_days_in(2025), 246);
    }

    #[test]
    fn religious_day_on_a_weekend_is_not_carried_over() {
        // Kurban Ait 2024 fell on Sunday 16 June: Monday 17 June worked.
        let c = cal();
        assert!(c.is_working_day(d("2024-06-17")));
    }

    #[test]
    fn new_year_2026() {
        let c = cal();
        assert!(!c.is_working_day(d("2026-01-02")));
        assert!(c.is_working_day(d("2026-01-05")));
        assert!(c.is_working_day(d("2026-01-06")));
        assert!(!c.is_working_day(d("2026-01-07")));
    }

    #[test]
    fn a_transfer_makes_a_saturday_work() {
        let mut data: CalendarData = serde_json::from_str(SHIPPED).unwrap();
        // 2018's decree, re-enacted on 2025 dates for the test.
        data.years.get_mut(&2025).unwrap().transfers.push(Transfer {
            day_off: d("2025-08-29"),
            working_day: d("2025-08-23"),
            decree: "test".into(),
        });
        let c = WorkingCalendar::new(&data).unwrap();
        assert!(!c.is_working_day(d("2025-08-29")));
        assert!(c.is_working_day(d("2025-08-23")));
        assert_eq!(c.working_days_in(2025), 246);
    }

    #[test]
    fn an_administrator_adds_the_next_year() {
        let data = CalendarData::parse(SHIPPED).unwrap();
        let c = WorkingCalendar::new(&data).unwrap();
        assert!(!c.covers(2027));
        let rules = YearRules {
            kurban_ait: d("2027-05-17"),
            transfers: vec![Transfer { day_off: d("2027-01-08"), working_day: d("2027-01-09"), decree: "test".into() }],
        };
        rules.check(2027).unwrap();
        let c = WorkingCalendar::new(&data.with_years([(2027, rules)])).unwrap();
        assert!(c.covers(2027));
        assert!(!c.is_working_day(d("2027-05-17")));
        assert!(!c.is_working_day(d("2027-01-08")));
        assert!(c.is_working_day(d("2027-01-09")), "the Saturday worked instead");
        let wrong = YearRules { kurban_ait: d("2028-05-05"), transfers: vec![] };
        assert_eq!(wrong.check(2027), Err(Error::CalendarYear));
        let backwards = YearRules {
            kurban_ait: d("2027-05-17"),
            transfers: vec![Transfer { day_off: d("2027-01-09"), working_day: d("2027-01-08"), decree: String::new() }],
        };
        assert_eq!(backwards.check(2027), Err(Error::CalendarTransfer));
    }

    #[test]
    fn fixed_holidays_hold_in_a_year_not_entered() {
        let c = cal();
        assert!(!c.covers(2027));
        // 2027: 1–2 January (Fri, Sat → Monday 4th carried), 7 January,
        // 8 March (Mon), Nauryz 21–23 March (Sun–Tue → Wed 24th carried),
        // 1, 7, 9 May, 6 July, 30 August, 25 October, 16 December.
        for off in [
            "2027-01-01",
            "2027-01-04",
            "2027-01-07",
            "2027-03-08",
            "2027-03-22",
            "2027-03-23",
            "2027-03-24",
            "2027-05-07",
            "2027-07-06",
            "2027-08-30",
            "2027-10-25",
            "2027-12-16",
        ] {
            assert!(!c.is_working_day(d(off)), "{off} is a day off in 2027");
        }
        assert!(c.is_working_day(d("2027-01-05")));
        // 1 May (Saturday) and 9 May (Sunday) carry over to Monday 3 and
        // Monday 10 May: 14 weekdays off, 365 − 104 weekend days − 14.
        assert!(!c.is_working_day(d("2027-05-03")) && !c.is_working_day(d("2027-05-10")));
        assert_eq!(c.working_days_in(2027), 247);
        assert!(c.is_provisional(d("2027-06-01")));
        assert!(!c.is_provisional(d("2026-06-01")));
    }

    #[test]
    fn the_year_to_enter_is_announced_from_the_first_of_december() {
        let c = cal();
        assert_eq!(c.year_to_enter(d("2026-11-30")), None);
        assert_eq!(c.year_to_enter(d("2026-12-01")), Some(2027));
        assert_eq!(c.year_to_enter(d("2027-03-01")), Some(2027), "a year running without its data");
        let data = CalendarData::parse(SHIPPED).unwrap();
        let entered = data.with_years([(2027, YearRules { kurban_ait: d("2027-05-17"), transfers: vec![] })]);
        let c = WorkingCalendar::new(&entered).unwrap();
        assert_eq!(c.year_to_enter(d("2026-12-01")), None);
        assert_eq!(c.year_to_enter(d("2027-12-01")), Some(2028));
    }

    #[test]
    fn working_day_norms_skip_holidays() {
        let c = cal();
        // Accepted Friday 7 March 2025: 8 (Sat, holiday), 9 (Sun), 10 (carried
        // over) are off; 2 working days end on Wednesday 12 March.
        assert_eq!(c.add_working_days(t("2025-03-07 16:00"), 2), t("2025-03-12 18:00"));
        // Over Nauryz: accepted Thu 20 March → 21–25 off → Wed 26, Thu 27.
        assert_eq!(c.add_working_days(t("2025-03-20 10:00"), 2), t("2025-03-27 18:00"));
    }

    #[test]
    fn calendar_day_norms_end_on_a_working_day() {
        let c = cal();
        assert_eq!(c.add_calendar_days(t("2025-03-04 10:00"), 4), t("2025-03-11 18:00"), "8 March → 11 March");
        assert_eq!(c.add_calendar_days(t("2025-03-04 10:00"), 1), t("2025-03-05 18:00"));
    }

    #[test]
    fn minute_norms_run_in_office_hours() {
        let c = cal();
        assert_eq!(c.add_working_minutes(t("2025-03-05 10:00"), 30), t("2025-03-05 10:30"));
        assert_eq!(c.add_working_minutes(t("2025-03-05 12:50"), 30), t("2025-03-05 14:20"), "lunch skipped");
        assert_eq!(c.add_working_minutes(t("2025-03-07 17:45"), 60), t("2025-03-11 09:45"), "over the holiday weekend");
        assert_eq!(c.add_working_minutes(t("2025-03-05 20:00"), 15), t("2025-03-06 09:15"), "after hours");
    }
}
