//! Target `catalog`: the service catalog (`assets/catalog/services.json`)
//! and its seeds, mutated byte by byte and value by value; an accepted
//! catalog must be usable, its norms included.

use std::sync::OnceLock;

use chrono::NaiveDate;
use kense_domain::calendar::WorkingCalendar;
use kense_domain::catalog::Catalog;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::catalog_error;
use crate::corpus::{promised, replay};
use crate::mutation::{bases, byte_ops, mutate_bytes, value_ops, Bases};
use crate::runner::run;
use crate::shipped::{CALENDAR_JSON, SERVICES_JSON};

pub(crate) fn check_catalog(text: &str) -> Result<(), TestCaseError> {
    let r = Catalog::parse(text);
    catalog_error("Catalog::parse", &r)?;
    if let Ok(c) = r {
        prop_assert!(!c.services.is_empty());
        for s in &c.services {
            prop_assert!(c.service(&s.code).is_some());
            for ch in &s.channels {
                prop_assert!(s.intake_at(*ch).is_some());
                prop_assert!(s.paths_for(*ch).next().is_some());
                let _ = kense_domain::deadline::office_path(s, *ch, None);
            }
        }
    }
    Ok(())
}

fn catalog_bases() -> &'static Bases {
    static B: OnceLock<Bases> = OnceLock::new();
    B.get_or_init(|| bases(SERVICES_JSON, "catalog"))
}

fn replay_catalog() {
    replay("catalog", |seed| {
        promised(seed, Catalog::parse(&seed.text).is_ok())?;
        check_catalog(&seed.text)
    });
}

// The shipped catalog is 400 KB, a few ms a parse in a debug build: fewer cases.
#[test]
fn catalog_survives_byte_mutations() {
    replay_catalog();
    run(512, byte_ops(), |(base, ops)| check_catalog(&mutate_bytes(catalog_bases().text(&base), &ops)));
}

#[test]
fn catalog_survives_value_mutations() {
    replay_catalog();
    run(512, value_ops(), |(base, ops)| check_catalog(&catalog_bases().mutated(&base, &ops)[0]));
}

/// Found by this file's fuzzing: `{"calendar_days": 4294967295}` was
/// accepted and a due moment then overflowed. Norms are now bounded.
#[test]
fn the_catalog_refuses_norms_that_would_overflow_the_calendar() {
    use kense_domain::deadline::{office_path, whole_due};
    let mut v: Value = serde_json::from_str(SERVICES_JSON).unwrap();
    let step = v["services"][0]["paths"][0]["steps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| !s["norm"].is_null())
        .expect("a step with a norm");
    step["norm"] = json!({"calendar_days": u32::MAX});
    assert!(Catalog::parse(&v.to_string()).is_err(), "an absurd norm must be refused");
    step_back_to_a_sane_norm(&mut v);
    let catalog = Catalog::parse(&v.to_string()).unwrap();
    let calendar = WorkingCalendar::parse(CALENDAR_JSON).unwrap();
    let registered = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(10, 0, 0).unwrap();
    let service = &catalog.services[0];
    let r = std::panic::catch_unwind(|| {
        for ch in &service.channels {
            let _ = whole_due(&calendar, &office_path(service, *ch, None), registered);
        }
    });
    assert!(r.is_ok(), "the catalog was accepted, then a due moment panicked");
}

fn step_back_to_a_sane_norm(v: &mut Value) {
    for step in v["services"][0]["paths"][0]["steps"].as_array_mut().unwrap() {
        if step["norm"] == json!({"calendar_days": u32::MAX}) {
            step["norm"] = json!({"calendar_days": 366});
        }
    }
}

/// One way to break a document of the file.
type Edit = Box<dyn Fn(&mut Value)>;

/// Every document of the shipped catalog, broken one field at a time: a
/// conditional one without its condition, a condition on another kind, an
/// unknown kind, no verified flag, an empty source, the old `required`
/// beside `kind`. Each is refused as a catalog error, never accepted.
#[test]
fn every_shipped_document_refuses_a_broken_kind() {
    let v: Value = serde_json::from_str(SERVICES_JSON).unwrap();
    let services = v["services"].as_array().unwrap().len();
    let mut broken = 0;
    for s in 0..services {
        let documents = v["services"][s]["documents"].as_array().unwrap().len();
        for d in 0..documents {
            let doc = &v["services"][s]["documents"][d];
            let mut edits: Vec<Edit> = vec![
                Box::new(|x| x["kind"] = json!("mandatory")),
                Box::new(|x| x["verified"] = Value::Null),
                Box::new(|x| x["source"] = json!(" ")),
                Box::new(|x| x["required"] = json!(true)),
                Box::new(|x| x["name"]["kk"] = json!("")),
            ];
            if doc["kind"] == "conditional" {
                edits.push(Box::new(|x| {
                    x.as_object_mut().unwrap().remove("condition");
                }));
                edits.push(Box::new(|x| x["condition"]["ru"] = json!("")));
            } else {
                edits.push(Box::new(|x| x["condition"] = json!({"kk": "шарт", "ru": "условие"})));
            }
            for edit in &edits {
                let mut c = v.clone();
                edit(&mut c["services"][s]["documents"][d]);
                let r = Catalog::parse(&c.to_string());
                assert!(
                    matches!(r, Err(kense_domain::Error::Catalog(_))),
                    "service {s} document {d}: a broken document was not refused: {r:?}"
                );
                broken += 1;
            }
        }
    }
    assert!(broken > 300, "only {broken} broken documents tried");
}
