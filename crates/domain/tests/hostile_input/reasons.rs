//! Target: the refusal grounds of catalogs before version 6
//! (`assets/catalog/refusal_grounds_before_catalog_6.json`),
//! mutated byte by byte and value by value.

use std::sync::OnceLock;

use kense_domain::reasons::RefusalReasons;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::catalog_error;
use crate::mutation::{byte_op, json_file, mutate_bytes, mutate_value, value_op, JsonFile};
use crate::runner::config;
use crate::shipped::REASONS_JSON;

fn reasons_file() -> &'static JsonFile {
    static S: OnceLock<JsonFile> = OnceLock::new();
    S.get_or_init(|| json_file(REASONS_JSON))
}

pub(crate) fn check_reasons(text: &str) -> Result<(), TestCaseError> {
    let r = RefusalReasons::parse(text);
    catalog_error("RefusalReasons::parse", &r)?;
    if let Ok(r) = r {
        for code in ["preschool_queue", "free_meals", "", "\u{0}"] {
            for reason in r.for_service(code) {
                prop_assert!(!reason.code.is_empty());
                prop_assert!(!reason.name.kk.trim().is_empty() && !reason.name.ru.trim().is_empty());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn reasons_survive_byte_mutations(ops in proptest::collection::vec(byte_op(), 1..6)) {
        check_reasons(&mutate_bytes(&reasons_file().text, &ops))?;
    }

    #[test]
    fn reasons_survive_value_mutations(ops in proptest::collection::vec((any::<Index>(), value_op()), 1..4)) {
        let file = reasons_file();
        let mut v = file.value.clone();
        mutate_value(&mut v, &file.paths, &ops);
        check_reasons(&serde_json::to_string(&v).unwrap())?;
        check_reasons(&serde_json::to_string_pretty(&v).unwrap())?;
    }
}
