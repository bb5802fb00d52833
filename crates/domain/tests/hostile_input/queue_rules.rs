//! Target `queue_rules`: the preschool queue's rules
//! (`assets/queue/rules.json`) and their seeds, mutated; accepted rules must
//! answer for any date and birth year and order a queue.

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use kense_domain::queue::{order, EntryState, Evidence, QueueEntry, QueueRules, Tier, GENERAL};
use proptest::prelude::*;

use crate::catalog_error;
use crate::corpus::{promised, replay};
use crate::mutation::{bases, byte_ops, mutate_bytes, value_ops, Bases};
use crate::runner::run;
use crate::shipped::{self, QUEUE_RULES_JSON};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A small waiting list with every tier and state, registered out of order.
fn small_queue() -> Vec<QueueEntry> {
    let tiers = [Tier::General, Tier::First, Tier::Extraordinary, Tier::General, Tier::General];
    let states = [EntryState::Waiting, EntryState::Waiting, EntryState::Referred, EntryState::Waiting];
    (0..23i64)
        .map(|id| QueueEntry {
            id,
            birth_year: 2022,
            registered_at: date(2023, 1, 1).and_hms_opt(9, 0, 0).unwrap() + Duration::hours((id * 7) % 23),
            tier: tiers[id as usize % tiers.len()],
            preferences: Vec::new(),
            desired_start: None,
            special_needs: false,
            state: states[id as usize % states.len()],
        })
        .collect()
}

/// Accepted rules must answer for every date a person can type (the
/// confirmation of priority takes the evidence's issue date from the
/// window), every birth year a request can carry, and order a queue.
pub(crate) fn check_queue_rules(text: &str) -> Result<(), TestCaseError> {
    let r = QueueRules::parse(text);
    catalog_error("QueueRules::parse", &r)?;
    let Ok(rules) = r else { return Ok(()) };
    let general = rules.category(GENERAL);
    prop_assert!(general.is_some_and(|c| c.tier == Tier::General && c.evidence_valid_days.is_none()));
    for d in [date(2000, 1, 1), date(2026, 11, 24), date(2100, 12, 31), NaiveDate::MIN, NaiveDate::MAX] {
        for c in &rules.categories {
            let until = rules.evidence_until(&c.code, d);
            prop_assert_eq!(until.is_none(), c.evidence_valid_days.is_none(), "{}", c.code);
            prop_assert!(until.is_none_or(|u| u >= d), "{}: evidence until {until:?}, issued {d}", c.code);
            let tier = rules.effective_tier(&c.code, Some(&Evidence { valid_until: until }), d);
            prop_assert!(tier == c.tier || tier == Tier::General);
        }
        prop_assert!(rules.stop_list_until(d) >= d);
        for birth_year in [i32::MIN, -1, 0, 1999, 2020, 2026, 2101, i32::MAX] {
            let _ = rules.age_allows(birth_year, d);
        }
        if let Some(f) = rules.freeze {
            let _ = f.covers(d);
        }
    }
    for start in [date(2000, 1, 1).and_hms_opt(9, 0, 0).unwrap(), date(2100, 12, 24).and_hms_opt(17, 59, 0).unwrap()] {
        prop_assert!(rules.referral_valid_until(shipped::calendar(), start) >= start.date());
    }
    let queue = small_queue();
    let ordered = order(&queue, &rules);
    let waiting = queue.iter().filter(|e| e.state == EntryState::Waiting).count();
    prop_assert_eq!(ordered.len(), waiting, "each waiting child exactly once");
    let ids: std::collections::BTreeSet<i64> = ordered.iter().map(|e| e.id).collect();
    prop_assert_eq!(ids.len(), waiting);
    Ok(())
}

fn replay_queue_rules() {
    replay("queue_rules", |seed| {
        promised(seed, QueueRules::parse(&seed.text).is_ok())?;
        check_queue_rules(&seed.text)
    });
}

#[test]
fn queue_rules_survive_byte_mutations() {
    replay_queue_rules();
    run(2048, byte_ops(), |(base, ops)| check_queue_rules(&mutate_bytes(queue_rules_bases().text(&base), &ops)));
}

#[test]
fn queue_rules_survive_value_mutations() {
    replay_queue_rules();
    run(2048, value_ops(), |(base, ops)| {
        queue_rules_bases().mutated(&base, &ops).iter().try_for_each(|t| check_queue_rules(t))
    });
}

fn queue_rules_bases() -> &'static Bases {
    static B: OnceLock<Bases> = OnceLock::new();
    B.get_or_init(|| bases(QUEUE_RULES_JSON, "queue_rules"))
}
