//! The data files Kense ships in `assets/`, shared by the domain's test
//! binaries: the tests check the office's real catalog, calendar and queue
//! rules, and a test that only reads one takes it parsed once per binary.
//!
//! A folder with `mod.rs`, not `tests/shipped.rs`, so that Cargo does not
//! build it as a test binary of its own.

// Each binary that declares `mod shipped;` uses only part of it.
#![allow(dead_code)]

use std::sync::OnceLock;

use kense_domain::calendar::WorkingCalendar;
use kense_domain::catalog::Catalog;
use kense_domain::queue::QueueRules;

pub const SERVICES_JSON: &str = include_str!("../../../../assets/catalog/services.json");
pub const CALENDAR_JSON: &str = include_str!("../../../../assets/calendar/kz.json");
pub const REASONS_JSON: &str = include_str!("../../../../assets/catalog/refusal_grounds_before_catalog_6.json");
pub const QUEUE_RULES_JSON: &str = include_str!("../../../../assets/queue/rules.json");

pub fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::parse(SERVICES_JSON).expect("the shipped catalog parses"))
}

pub fn calendar() -> &'static WorkingCalendar {
    static C: OnceLock<WorkingCalendar> = OnceLock::new();
    C.get_or_init(|| WorkingCalendar::parse(CALENDAR_JSON).expect("the shipped calendar parses"))
}

pub fn queue_rules() -> &'static QueueRules {
    static R: OnceLock<QueueRules> = OnceLock::new();
    R.get_or_init(|| QueueRules::parse(QUEUE_RULES_JSON).expect("the shipped queue rules parse"))
}
