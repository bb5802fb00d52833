//! Property tests of the rules: the IIN validator, the working calendar and
//! the workflow state machine with its authorization.

mod shipped;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use kense_domain::access::{authorize, Action, Actor, Role};
use kense_domain::iin::{check_digit, Iin};
use kense_domain::workflow::{next, Facts, Status, Step};
use kense_domain::{Error, Field};
use proptest::prelude::*;
use shipped::calendar;

proptest! {
    #[test]
    fn at_most_one_check_digit_per_prefix(prefix in "[0-9]{11}") {
        let valid: Vec<u32> = (0..=9).filter(|c| Iin::parse(Field::Iin, &format!("{prefix}{c}")).is_ok()).collect();
        let digits: Vec<u32> = prefix.bytes().map(|b| u32::from(b - b'0')).collect();
        match check_digit(&digits) {
            Some(c) => prop_assert_eq!(valid, vec![c]),
            None => prop_assert!(valid.is_empty()),
        }
    }

    #[test]
    fn anything_but_twelve_digits_is_refused(s in "\\PC{0,20}") {
        let digits12 = s.trim().len() == 12 && s.trim().bytes().all(|b| b.is_ascii_digit());
        if !digits12 {
            prop_assert!(Iin::parse(Field::Iin, &s).is_err());
        }
    }
}

fn any_moment() -> impl Strategy<Value = NaiveDateTime> {
    (0i64..(3 * 365), 0u32..24, 0u32..60).prop_map(|(day, h, m)| {
        let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(day);
        d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap())
    })
}

proptest! {
    #[test]
    fn working_day_deadlines_land_on_working_days_and_grow(start in any_moment(), n in 0u32..30) {
        let c = calendar();
        let due = c.add_working_days(start, n);
        prop_assert!(c.is_working_day(due.date()));
        prop_assert!(due >= start);
        if n > 0 {
            prop_assert!(due.date() > start.date());
            prop_assert!(c.add_working_days(start, n + 1) > due);
        }
    }

    #[test]
    fn minute_deadlines_fall_in_office_hours(start in any_moment(), minutes in 1u32..3000) {
        let c = calendar();
        let due = c.add_working_minutes(start, minutes);
        prop_assert!(c.is_working_day(due.date()), "{due}");
        let t = due.time();
        prop_assert!(t > NaiveTime::from_hms_opt(9, 0, 0).unwrap() && t <= NaiveTime::from_hms_opt(18, 0, 0).unwrap(), "{due}");
        prop_assert!(!(t > NaiveTime::from_hms_opt(13, 0, 0).unwrap() && t < NaiveTime::from_hms_opt(14, 0, 0).unwrap()), "{due}");
        prop_assert!(due > start);
        prop_assert!(due.year() <= 2027);
    }
}

fn any_roles() -> impl Strategy<Value = Vec<Role>> {
    proptest::sample::subsequence(Role::ALL.to_vec(), 0..=4)
}

fn any_step() -> impl Strategy<Value = Step> {
    proptest::sample::select(Step::ALL.to_vec())
}

fn any_status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

proptest! {
    /// Random attempts by random people: whatever is allowed keeps the
    /// application on the regulated path.
    #[test]
    fn allowed_steps_never_reach_an_illegal_state(
        attempts in proptest::collection::vec((any_step(), 1i64..5, any_roles(), 1i64..5), 1..60),
        start_complete in any::<bool>(),
    ) {
        let mut facts = Facts {
            status: if start_complete { Status::Accepted } else { Status::RefusedAtIntake },
            registered_by: 1,
            executor: None,
            prepared_by: None,
        };
        let mut history = vec![facts.status];
        for (step, user_id, roles, named_executor) in attempts {
            let actor = Actor { user_id, login: String::new(), full_name: String::new(), roles: roles.clone() };
            let before = facts.status;
            match authorize(&actor, Action::Workflow(step), Some(&facts)) {
                Ok(role) => {
                    prop_assert!(roles.contains(&role));
                    let after = next(before, step);
                    prop_assert!(after.is_some(), "authorized a step that does not apply");
                    prop_assert!(!before.is_final(), "left a final state");
                    match step {
                        Step::Sign => {
                            prop_assert_ne!(user_id, facts.registered_by, "the registrar signed");
                            prop_assert_ne!(Some(user_id), facts.prepared_by, "the preparer signed");
                            prop_assert_eq!(role, Role::Head);
                            prop_assert_eq!(before, Status::ResultPrepared);
                        }
                        Step::PrepareResult => {
                            prop_assert_eq!(Some(user_id), facts.executor);
                            facts.prepared_by = Some(user_id);
                        }
                        Step::AssignExecutor => facts.executor = Some(named_executor),
                        Step::Issue => prop_assert_eq!(before, Status::Signed),
                        _ => {}
                    }
                    facts.status = after.unwrap_or(before);
                    history.push(facts.status);
                }
                Err(e) => prop_assert!(matches!(e, Error::Forbidden | Error::InvalidState | Error::FourEyes | Error::NotAssigned)),
            }
        }
        // Issued only ever follows Signed, which only follows ResultPrepared
        // (or the akimat, where the act is the akimat's; it went there
        // signed).
        for w in history.windows(2) {
            if w[1] == Status::Issued { prop_assert_eq!(w[0], Status::Signed); }
            if w[1] == Status::Signed { prop_assert!(matches!(w[0], Status::ResultPrepared | Status::AtAkimat)); }
            if w[1] == Status::AtAkimat { prop_assert_eq!(w[0], Status::Signed); }
            if w[1] == Status::ResultPrepared { prop_assert_eq!(w[0], Status::WithExecutor); }
        }
    }

    /// A step that does not apply to the state is refused, whoever asks.
    #[test]
    fn illegal_steps_are_always_refused(status in any_status(), step in any_step(), roles in any_roles(), user in 1i64..5) {
        prop_assume!(next(status, step).is_none());
        let actor = Actor { user_id: user, login: String::new(), full_name: String::new(), roles };
        let facts = Facts { status, registered_by: 1, executor: Some(2), prepared_by: Some(2) };
        prop_assert!(authorize(&actor, Action::Workflow(step), Some(&facts)).is_err());
    }
}
