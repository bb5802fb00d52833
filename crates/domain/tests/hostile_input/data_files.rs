//! Every data-file parser at once (catalog, calendar, refusal reasons,
//! queue rules): arbitrary JSON-like text and absurdly deep nesting.

use kense_domain::calendar::WorkingCalendar;
use kense_domain::catalog::Catalog;
use kense_domain::reasons::RefusalReasons;
use kense_domain::Error;
use proptest::prelude::*;

use crate::calendar::check_calendar;
use crate::catalog::check_catalog;
use crate::json::json_value;
use crate::queue_rules::check_queue_rules;
use crate::reasons::check_reasons;
use crate::runner::config;

/// Parses with every data-file parser: each must give Ok or a catalog
/// error, and an accepted file must be usable.
fn parse_all(text: &str) -> Result<(), TestCaseError> {
    check_catalog(text)?;
    check_calendar(text)?;
    check_reasons(text)?;
    check_queue_rules(text)
}

/// Strings shaped like JSON, so that the parsers get past the first byte.
fn jsonish() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\\[\\]{}\",:0-9a-z_ .eE+-]{0,200}", json_value().prop_map(|v| v.to_string()),]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn data_parsers_survive_arbitrary_text(text in jsonish()) {
        parse_all(&text)?;
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    for depth in [127, 128, 129, 10_000, 200_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!("{}{}", open.repeat(depth), close.repeat(depth));
            for r in
                [Catalog::parse(&text).err(), WorkingCalendar::parse(&text).err(), RefusalReasons::parse(&text).err()]
            {
                assert!(matches!(r, Some(Error::Catalog(_))), "depth {depth}: {r:?}");
            }
        }
    }
}
