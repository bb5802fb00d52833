//! Random JSON trees whose keys and leaves are mostly the IPC's own
//! vocabulary (request fields, codes, valid values), so that a decoder gets
//! past the first field.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

use crate::text::short_hostile_text;

const KEYS: &[&str] = &[
    "extra_documents",
    "service_code",
    "channel",
    "applicant_iin",
    "applicant_name",
    "applicant_phone",
    "applicant_address",
    "child_iin",
    "child_name",
    "child_birth_date",
    "documents",
    "consent",
    "notes",
    "representative_iin",
    "representative_name",
    "poa_number",
    "poa_date",
    "duplicate_reason",
    "step",
    "executor_id",
    "outcome",
    "kind",
    "reason_code",
    "explanation",
    "comment",
    "handover",
    "received_by",
    "reason",
    "name_kk",
    "name_ru",
    "address_kk",
    "address_ru",
    "phone",
    "series",
    "start_number",
];

const TOKENS: &[&str] = &[
    "office",
    "state_corporation",
    "portal",
    "preschool_queue",
    "free_meals",
    "foster_family",
    "send_to_head",
    "assign_executor",
    "prepare_result",
    "sign",
    "return_to_executor",
    "issue",
    "withdraw",
    "positive",
    "refusal",
    "in_person",
    "portal_cabinet",
    "already_queued",
    "900101300007",
    "150315500015",
    "2023-03-15",
    "15.03.2023",
    "8 701 123 45 67",
    "application",
    "birth_certificate",
    "ШБ",
    "01/A",
];

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![4 => select(KEYS).prop_map(str::to_owned), 1 => any::<String>(), 1 => "[a-z_]{0,12}"]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        3 => select(TOKENS).prop_map(Value::from),
        2 => short_hostile_text().prop_map(Value::String),
    ]
}

/// Arbitrary JSON trees, at most four levels deep.
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(json_key(), inner, 0..10)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}
