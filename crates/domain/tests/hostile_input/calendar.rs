//! Target `calendar`: the working calendar (`assets/calendar/kz.json`) and
//! its seeds mutated, years at chrono's ends, due moments that must end and
//! never precede their start, and the years an administrator enters.

use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use kense_domain::calendar::{CalendarData, FixedDay, Transfer, WorkingCalendar, YearRules};
use kense_domain::{Bilingual, Error};
use proptest::prelude::*;
use proptest::sample::{select, Index};

use crate::corpus::{promised, replay};
use crate::mutation::{bases, byte_ops, mutate_bytes, value_ops, Bases};
use crate::runner::{config, run};
use crate::shipped::CALENDAR_JSON;
use crate::{catalog_error, check_error};

pub(crate) fn check_calendar(text: &str) -> Result<(), TestCaseError> {
    let r = WorkingCalendar::parse(text);
    catalog_error("WorkingCalendar::parse", &r)?;
    if let Ok(c) = r {
        // An accepted calendar answers for the years the office works in.
        let start = NaiveDate::from_ymd_opt(2025, 12, 30).unwrap().and_hms_opt(17, 59, 0).unwrap();
        prop_assert!(c.add_working_days(start, 5) >= start);
        prop_assert!(c.add_calendar_days(start, 5) >= start);
        prop_assert!(c.add_working_minutes(start, 600) >= start);
        let _ = c.working_days_in(2026);
    }
    Ok(())
}

fn calendar_bases() -> &'static Bases {
    static B: OnceLock<Bases> = OnceLock::new();
    B.get_or_init(|| bases(CALENDAR_JSON, "calendar"))
}

fn replay_calendar() {
    replay("calendar", |seed| {
        promised(seed, WorkingCalendar::parse(&seed.text).is_ok())?;
        check_calendar(&seed.text)
    });
}

#[test]
fn calendar_survives_byte_mutations() {
    replay_calendar();
    run(1024, byte_ops(), |(base, ops)| check_calendar(&mutate_bytes(calendar_bases().text(&base), &ops)));
}

#[test]
fn calendar_survives_value_mutations() {
    replay_calendar();
    run(1024, value_ops(), |(base, ops)| {
        calendar_bases().mutated(&base, &ops).iter().try_for_each(|t| check_calendar(t))
    });
}

// ---------------------------------------------------------------------------
// Calendar: extreme years in the data
// ---------------------------------------------------------------------------

fn shipped_calendar_data() -> CalendarData {
    serde_json::from_str(CALENDAR_JSON).expect("shipped calendar")
}

fn fixed_day(month: u32, day: u32) -> FixedDay {
    FixedDay { month, day, name: Bilingual::new("Мереке", "Праздник"), from_year: None, until_year: None }
}

/// Years at chrono's ends and around the usual four-digit range.
fn edge_year() -> impl Strategy<Value = i32> {
    prop_oneof![
        (NaiveDate::MAX.year() - 3)..=NaiveDate::MAX.year(),
        NaiveDate::MIN.year()..=(NaiveDate::MIN.year() + 3),
        select(vec![-1, 0, 1, 1969, 1970, 9999, 10_000]),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn calendar_with_extreme_years_never_panics(
        year in edge_year(),
        kurban in (1u32..=12, 1u32..=31),
        holidays in proptest::collection::vec(
            prop_oneof![(1u32..=12, 1u32..=31), (Just(12u32), 24u32..=31), (0u32..=14, 0u32..=33)],
            0..8,
        ),
        shifted in -2i32..=2,
    ) {
        let mut data = shipped_calendar_data();
        data.holidays.extend(holidays.into_iter().map(|(m, d)| fixed_day(m, d)));
        data.religious_days_off.push(fixed_day(12, 31));
        let Some(k) = NaiveDate::from_ymd_opt(year, kurban.0, kurban.1) else { return Ok(()) };
        data.years.insert(year, YearRules { kurban_ait: k, transfers: vec![Transfer { day_off: k, working_day: k, decree: String::new() }] });
        // A year whose Kurban Ait is dated in another year must be refused.
        if let Some(other) = year.checked_add(shifted).filter(|y| *y != year) {
            let mut wrong = data.clone();
            wrong.years.insert(other, YearRules { kurban_ait: k, transfers: Vec::new() });
            prop_assert!(matches!(WorkingCalendar::new(&wrong), Err(Error::Catalog(_))));
        }
        let r = WorkingCalendar::new(&data);
        catalog_error("WorkingCalendar::new", &r)?;
        // The same through the file format.
        let text = serde_json::to_string(&data).unwrap();
        catalog_error("WorkingCalendar::parse", &WorkingCalendar::parse(&text))?;
    }
}

/// Found by this file's fuzzing: a holiday carried over past chrono's last
/// day panicked. Years outside 2000–2100 are now refused.
#[test]
fn a_calendar_year_at_chronos_limit_is_refused_not_a_panic() {
    let mut data = shipped_calendar_data();
    data.holidays.push(fixed_day(12, 30)); // a Sunday in +262142
    data.holidays.push(fixed_day(12, 31)); // a Monday: the carry-over runs into +262143
    let year = NaiveDate::MAX.year();
    data.years
        .insert(year, YearRules { kurban_ait: NaiveDate::from_ymd_opt(year, 6, 1).unwrap(), transfers: Vec::new() });
    let r = std::panic::catch_unwind(|| WorkingCalendar::new(&data).map(|_| ()));
    assert!(matches!(r, Ok(Err(Error::Catalog(_)))), "not refused: {:?}", r.map_err(|_| "panic"));
}

// ---------------------------------------------------------------------------
// Calendar: due moments terminate and never precede the start
// ---------------------------------------------------------------------------

fn working_hours() -> impl Strategy<Value = (NaiveTime, NaiveTime, NaiveTime, NaiveTime)> {
    let time = prop_oneof![
        8 => (0u32..24, 0u32..60, 0u32..60).prop_map(|(h, m, s)| NaiveTime::from_hms_opt(h, m, s).unwrap()),
        // A leap second ("23:59:60" in the file), which chrono accepts.
        1 => (0u32..24, 0u32..60).prop_map(|(h, m)| NaiveTime::from_hms_milli_opt(h, m, 59, 1_500).unwrap()),
    ];
    proptest::collection::vec(time, 4).prop_filter_map("ordered hours", |mut t| {
        t.sort();
        (t[0] < t[1] && t[1] <= t[2] && t[2] < t[3]).then(|| (t[0], t[3], t[1], t[2]))
    })
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn due_moments_terminate_and_follow_the_start(
        year in 2000i32..=2100,
        present in any::<bool>(),
        day in 0i64..366,
        time in (0u32..24, 0u32..60, 0u32..60),
        n in 0u32..=400,
        minutes in 0u32..=100_000,
        hours in proptest::option::weighted(0.3, working_hours()),
        transfers in proptest::collection::vec((0i64..366, 0i64..366), 0..4),
    ) {
        let mut data = shipped_calendar_data();
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        if present {
            let rules = data.years.entry(year).or_insert_with(|| YearRules { kurban_ait: jan1 + Duration::days(day / 2), transfers: Vec::new() });
            rules.transfers.extend(transfers.into_iter().map(|(a, b)| Transfer {
                day_off: jan1 + Duration::days(a),
                working_day: jan1 + Duration::days(b),
                decree: String::new(),
            }));
        } else {
            data.years.remove(&year);
        }
        if let Some((start, end, lunch_start, lunch_end)) = hours {
            data.working_hours.start = start;
            data.working_hours.end = end;
            data.working_hours.lunch_start = lunch_start;
            data.working_hours.lunch_end = lunch_end;
        }
        let c = match WorkingCalendar::new(&data) {
            Ok(c) => c,
            Err(e) => {
                prop_assert!(matches!(e, Error::Catalog(_)), "{e:?}");
                return Ok(());
            }
        };
        prop_assert_eq!(c.covers(year), present);
        let start: NaiveDateTime = (jan1 + Duration::days(day)).and_hms_opt(time.0, time.1, time.2).unwrap();

        let due = c.add_working_days(start, n);
        prop_assert!(due >= start, "add_working_days({start}, {n}) = {due}");
        prop_assert!(c.is_working_day(due.date()), "add_working_days({start}, {n}) = {due}, not a working day");
        let due = c.add_calendar_days(start, n);
        prop_assert!(due >= start, "add_calendar_days({start}, {n}) = {due}");
        prop_assert!(due.date() >= start.date() + Duration::days(i64::from(n)));
        let due = c.add_working_minutes(start, minutes);
        prop_assert!(due >= start, "add_working_minutes({start}, {minutes}) = {due}");
        if minutes > 0 {
            prop_assert!(due > start);
        }
    }
}

/// Found by this file's fuzzing: zero days after hours gave a moment before the start.
#[test]
fn zero_calendar_days_after_hours_never_precede_the_start() {
    let c = WorkingCalendar::parse(CALENDAR_JSON).unwrap();
    let start = NaiveDate::from_ymd_opt(2007, 1, 15).unwrap().and_hms_opt(21, 0, 0).unwrap();
    let due = c.add_calendar_days(start, 0);
    assert!(due >= start, "add_calendar_days({start}, 0) = {due}");
}

proptest! {
    #![proptest_config(config(512))]

    /// A year as an administrator enters it (`set_calendar_year`): either
    /// refused by `YearRules::check`, or the calendar with it laid over the
    /// shipped one builds and answers.
    #[test]
    fn administrator_years_are_checked_or_usable(
        year in prop_oneof![4 => 1995i32..=2105, 1 => any::<i32>()],
        kurban in (any::<Index>(), prop_oneof![4 => Just(0i32), 1 => -2i32..=2]),
        transfers in proptest::collection::vec((any::<Index>(), any::<Index>(), -1i32..=1), 0..5),
        n in 0u32..=60,
    ) {
        let day_in = |y: i32, i: &Index| NaiveDate::from_yo_opt(y, 1).map(|d| d + Duration::days(i.index(366) as i64));
        let Some(kurban_ait) = year.checked_add(kurban.1).and_then(|y| day_in(y, &kurban.0)) else { return Ok(()) };
        let transfers: Vec<Transfer> = transfers
            .iter()
            .filter_map(|(a, b, dy)| Some(Transfer { day_off: day_in(year.checked_add(*dy)?, a)?, working_day: day_in(year, b)?, decree: String::new() }))
            .collect();
        let rules = YearRules { kurban_ait, transfers };
        // Through JSON, as the window sends it.
        let rules: YearRules = serde_json::from_value(serde_json::to_value(&rules).unwrap()).unwrap();
        if let Err(e) = rules.check(year) {
            return check_error(&e);
        }
        prop_assert!((2000..=2100).contains(&year));
        let data = shipped_calendar_data().with_years([(year, rules)]);
        let c = WorkingCalendar::new(&data);
        prop_assert!(c.is_ok(), "checked year refused by the calendar: {:?}", c.err());
        let c = c.unwrap();
        prop_assert!(c.covers(year));
        let start = NaiveDate::from_ymd_opt(year, 12, 20).unwrap().and_hms_opt(17, 0, 0).unwrap();
        prop_assert!(c.add_working_days(start, n) > start);
        prop_assert!(c.add_working_minutes(start, n * 60) >= start);
        prop_assert!((200..=262).contains(&c.working_days_in(year)), "{} working days in {year}", c.working_days_in(year));
    }
}
