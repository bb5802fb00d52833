//! Properties of the preschool queue that must hold for any data: the order
//! is a permutation of the waiting children that respects tiers and 1:3
//! mixing, and a distribution gives no child two places, never passes over
//! an earlier child who would have taken a place, and is reproducible.

mod shipped;

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use kense_domain::queue::{distribute, order, positions, EntryState, FreePlace, QueueEntry, Tier};
use proptest::prelude::*;
use shipped::queue_rules;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 3).expect("date")
}

fn entry_strategy(id: i64) -> impl Strategy<Value = QueueEntry> {
    (
        2020i32..=2024,
        0i64..200,
        prop_oneof![Just(Tier::Extraordinary), Just(Tier::First), Just(Tier::General), Just(Tier::General)],
        prop::collection::vec(1i64..=5, 0..=4),
        prop::option::weighted(0.2, 0i64..20),
        any::<bool>(),
        prop_oneof![8 => Just(EntryState::Waiting), 1 => Just(EntryState::Referred), 1 => Just(EntryState::Removed)],
    )
        .prop_map(move |(birth_year, minute, tier, mut prefs, start, special, state)| {
            prefs.dedup();
            let base = NaiveDateTime::parse_from_str("2024-01-01 09:00:00", "%Y-%m-%d %H:%M:%S").expect("base");
            QueueEntry {
                id,
                birth_year,
                // Few distinct minutes: many same-second ties.
                registered_at: base + chrono::Duration::minutes(minute),
                tier,
                preferences: prefs,
                desired_start: start.map(|d| today() - chrono::Duration::days(10) + chrono::Duration::days(d)),
                special_needs: special,
                state,
            }
        })
}

fn queue_strategy() -> impl Strategy<Value = Vec<QueueEntry>> {
    (0usize..120).prop_flat_map(|n| (0..n as i64).map(entry_strategy).collect::<Vec<_>>())
}

fn places_strategy() -> impl Strategy<Value = Vec<FreePlace>> {
    prop::collection::vec((1i64..=5, 2020i32..=2024, prop::bool::weighted(0.2)), 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (kindergarten, birth_year, special))| FreePlace {
                id: 1000 + i as i64,
                kindergarten,
                birth_year,
                special,
            })
            .collect()
    })
}

/// Whether `child` could have taken `place` on `today` at all.
fn could_take(child: &QueueEntry, place: &FreePlace, today: NaiveDate) -> bool {
    child.state == EntryState::Waiting
        && child.birth_year == place.birth_year
        && child.desired_start.is_none_or(|d| d <= today)
        && (!place.special || child.special_needs)
        && (child.preferences.is_empty() || child.preferences.contains(&place.kindergarten))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn order_respects_tiers_and_mixing(q in queue_strategy()) {
        let r = queue_rules();
        for year in 2020..=2024 {
            let o = order(q.iter().filter(|e| e.birth_year == year), r);
            let waiting = q.iter().filter(|e| e.birth_year == year && e.state == EntryState::Waiting).count();
            prop_assert_eq!(o.len(), waiting);
            let extra = o.iter().take_while(|e| e.tier == Tier::Extraordinary).count();
            prop_assert!(o[extra..].iter().all(|e| e.tier != Tier::Extraordinary));
            // Inside a tier, strictly by (moment, id).
            for t in [Tier::Extraordinary, Tier::First, Tier::General] {
                let keys: Vec<_> = o.iter().filter(|e| e.tier == t).map(|e| (e.registered_at, e.id)).collect();
                prop_assert!(keys.windows(2).all(|w| w[0] < w[1]));
            }
            // Never four general children in a row while a priority child waits behind them.
            let rest = &o[extra..];
            for (i, e) in rest.iter().enumerate() {
                if e.tier == Tier::First {
                    let generals_before = rest[..i].iter().filter(|x| x.tier == Tier::General).count();
                    let firsts_before = rest[..i].iter().filter(|x| x.tier == Tier::First).count();
                    prop_assert!(generals_before <= 3 * firsts_before, "priority child {} waits behind {} general", e.id, generals_before);
                }
            }
        }
        let p = positions(&q, r);
        prop_assert_eq!(p.len(), q.iter().filter(|e| e.state == EntryState::Waiting).count());
    }

    #[test]
    fn distribution_is_fair_and_reproducible(q in queue_strategy(), places in places_strategy()) {
        let r = queue_rules();
        let a = distribute(&q, &places, r, today()).expect("no freeze in the shipped rules");
        prop_assert_eq!(&a, &distribute(&q, &places, r, today()).expect("again"));

        let by_id: HashMap<i64, &QueueEntry> = q.iter().map(|e| (e.id, e)).collect();
        let place_of: HashMap<i64, &FreePlace> = places.iter().map(|p| (p.id, p)).collect();
        let mut children = HashSet::new();
        let mut used = HashSet::new();
        for x in &a {
            prop_assert!(children.insert(x.entry), "child {} got two places", x.entry);
            prop_assert!(used.insert(x.place), "place {} given twice", x.place);
            prop_assert!(could_take(by_id[&x.entry], place_of[&x.place], today()));
        }
        // No earlier child who could have taken a given place was left
        // without any place.
        for x in &a {
            let place = place_of[&x.place];
            let year_order = order(q.iter().filter(|e| e.birth_year == place.birth_year), r);
            for earlier in year_order.iter().take_while(|e| e.id != x.entry) {
                prop_assert!(
                    !could_take(earlier, place, today()) || children.contains(&earlier.id),
                    "child {} skipped for place {} given to {}", earlier.id, place.id, x.entry
                );
            }
        }
    }
}
