//! Target: IPC payloads as a hostile window could send them. Random JSON
//! trees, mutated valid payloads and drafts whose fields are each valid or
//! hostile are decoded as every request type the shell decodes; whatever
//! validation accepts must keep within the documented limits.

use std::sync::OnceLock;

use chrono::NaiveDate;
use kense_domain::application::{
    ApplicationDraft, Channel, NewApplication, MAX_ADDRESS, MAX_EXTRA_DOCUMENT, MAX_EXTRA_DOCUMENTS, MAX_NAME,
    MAX_NOTES,
};
use kense_domain::catalog::Catalog;
use kense_domain::office::{OfficeData, OfficeDraft};
use kense_domain::workflow::{Command, Handover, Outcome, MAX_COMMENT};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Value};

use crate::check_error;
use crate::iin::reference_iin;
use crate::json::json_value;
use crate::mutation::{all_paths, extreme_value, json_file, mutate_value, value_op, JsonFile, ValueOp};
use crate::runner::config;
use crate::shipped::{catalog, SERVICES_JSON};
use crate::text::{check_required_text, check_text, hostile_text};

/// How many positive result forms the commands' service has.
const FORMS: usize = 3;

/// Three result forms stating no fields (the fields' own checks are
/// `result_fields`' tests).
fn forms() -> Vec<kense_domain::catalog::ResultSpec> {
    let form = serde_json::json!({"kind": "certificate", "name": {"kk": "Анықтама", "ru": "Справка"}, "form": null,
                                  "channels": ["office"]});
    vec![serde_json::from_value(form).expect("a result form"); FORMS]
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn services() -> &'static JsonFile {
    static S: OnceLock<JsonFile> = OnceLock::new();
    S.get_or_init(|| json_file(SERVICES_JSON))
}

/// The service's refusal reasons, as the shell passes them.
const REASONS: &[&str] = &["already_queued", "unreliable_documents", "no_consent"];

/// Decodes the payload as each request type the shell decodes and, where it
/// decodes, validates it; checks what validation accepts.
fn decode_and_validate(v: &Value) -> Result<(), TestCaseError> {
    if let Ok(d) = serde_json::from_value::<ApplicationDraft>(v.clone()) {
        check_application(&d)?;
    }
    if let Ok(c) = serde_json::from_value::<Command>(v.clone()) {
        check_command(c)?;
    }
    if let Ok(d) = serde_json::from_value::<OfficeDraft>(v.clone()) {
        check_office(&d)?;
    }
    Ok(())
}

fn check_application(d: &ApplicationDraft) -> Result<(), TestCaseError> {
    let c = catalog();
    let a = match NewApplication::validate(d, c, today()) {
        Ok(a) => a,
        Err(e) => return check_error(&e),
    };
    let service = c.service(&a.service_code);
    prop_assert!(service.is_some(), "unknown service accepted: {:?}", a.service_code);
    let service = service.unwrap();
    prop_assert!(service.offered_at(a.channel));
    prop_assert!(d.consent, "accepted without consent");
    if let Some(id) = &a.request_id {
        prop_assert!(id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "request id {id:?}");
    }
    prop_assert!(reference_iin(a.applicant.iin.as_str()).is_some());
    check_required_text("applicant.name", &a.applicant.name, MAX_NAME)?;
    check_text("applicant.address", &a.applicant.address, MAX_ADDRESS)?;
    let p = a.applicant.phone.as_bytes();
    prop_assert!(
        p.len() == 16
            && p.starts_with(b"+7 ")
            && [6, 10, 13].iter().all(|i| p[*i] == b' ')
            && p.iter().enumerate().all(|(i, b)| i < 3 || [6, 10, 13].contains(&i) || b.is_ascii_digit()),
        "phone {:?}",
        a.applicant.phone
    );
    if let Some(r) = &a.representative {
        prop_assert!(reference_iin(r.iin.as_str()).is_some());
        check_required_text("representative.name", &r.name, MAX_NAME)?;
        check_required_text("representative.poa_number", &r.poa_number, 100)?;
        prop_assert!(r.poa_date <= today());
    }
    if let Some(ch) = &a.child {
        prop_assert!(reference_iin(ch.iin.as_str()).is_some());
        check_required_text("child.name", &ch.name, MAX_NAME)?;
        prop_assert!(ch.birth_date <= today());
    }
    check_text("notes", &a.notes, MAX_NOTES)?;
    if let Some(r) = &a.duplicate_reason {
        check_required_text("duplicate_reason", r, MAX_NOTES)?;
    }
    let checklist: Vec<&str> = service.documents_for(a.channel).map(|d| d.code.as_str()).collect();
    for code in &d.documents {
        prop_assert!(checklist.contains(&code.as_str()), "forged document {code:?} accepted");
    }
    // The marks: where they apply, and what they make of the package.
    for doc in &a.documents {
        use kense_domain::catalog::DocumentKind;
        prop_assert!(!doc.found_in_is || doc.kind == DocumentKind::RequiredUnlessInIs, "IS tick on {:?}", doc.code);
        prop_assert!(!doc.condition_applies || doc.kind.condition().is_some(), "condition tick on {:?}", doc.code);
        prop_assert!(!doc.expired || doc.presented, "{:?} expired without being presented", doc.code);
        prop_assert_eq!(
            doc.required,
            kense_domain::application::PresentedDocument::needed(&doc.kind, doc.found_in_is, doc.condition_applies)
        );
    }
    prop_assert_eq!(
        a.intake() == kense_domain::application::Status::Accepted,
        a.documents.iter().all(|doc| !doc.expired && (doc.presented || !doc.required))
    );
    // The whole checklist, then the extra documents in the clerk's words.
    let (listed, extras) = a.documents.split_at(checklist.len().min(a.documents.len()));
    prop_assert_eq!(listed.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), checklist);
    prop_assert!(extras.len() <= MAX_EXTRA_DOCUMENTS, "{} extra documents accepted", extras.len());
    for (i, e) in extras.iter().enumerate() {
        prop_assert_eq!(&e.code, &format!("extra-{}", i + 1));
        prop_assert!(e.presented && !e.required);
        check_required_text("extra document", &e.name.kk, MAX_EXTRA_DOCUMENT)?;
        prop_assert_eq!(&e.name.kk, &e.name.ru);
    }
    Ok(())
}

fn check_command(c: Command) -> Result<(), TestCaseError> {
    let step = c.step();
    let v = match c.validate(REASONS, &forms().iter().collect::<Vec<_>>()) {
        Ok(v) => v,
        Err(e) => return check_error(&e),
    };
    prop_assert_eq!(v.step(), step);
    match &v {
        Command::PrepareResult { outcome: Outcome::Refusal { reason_code, explanation } } => {
            prop_assert!(REASONS.contains(&reason_code.as_str()), "reason {reason_code:?} accepted");
            check_text("explanation", explanation, MAX_COMMENT)?;
        }
        Command::ReturnToExecutor { comment } => check_required_text("comment", comment, MAX_COMMENT)?,
        Command::Withdraw { reason } => check_required_text("reason", reason, MAX_COMMENT)?,
        Command::Issue { handover: Handover::InPerson, received_by } => {
            check_required_text("received_by", received_by, 200)?
        }
        Command::Issue { handover: Handover::StateCorporation | Handover::PortalCabinet, received_by } => {
            check_text("received_by", received_by, 200)?
        }
        Command::PrepareResult { outcome: Outcome::Positive { form, .. } } => {
            prop_assert!(*form < FORMS, "result form {form} accepted")
        }
        Command::RecordAkimatAct { number, date } => {
            check_required_text("act number", number, kense_domain::workflow::MAX_ACT_NUMBER)?;
            prop_assert!(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(), "act date {date:?} accepted");
        }
        Command::SendToHead | Command::AssignExecutor { .. } | Command::Sign | Command::SendToAkimat => {}
    }
    Ok(())
}

fn check_office(d: &OfficeDraft) -> Result<(), TestCaseError> {
    let o = match OfficeData::validate(d) {
        Ok(o) => o,
        Err(e) => return check_error(&e),
    };
    check_required_text("name.kk", &o.name.kk, 300)?;
    check_required_text("name.ru", &o.name.ru, 300)?;
    check_required_text("address.kk", &o.address.kk, 300)?;
    check_required_text("address.ru", &o.address.ru, 300)?;
    check_text("phone", &o.phone, 100)?;
    let n = o.series.chars().count();
    prop_assert!((1..=10).contains(&n), "series {:?}", o.series);
    prop_assert!(o.series.chars().all(|c| c.is_alphanumeric() || c == '-'), "series {:?}", o.series);
    prop_assert!((1..=9_999_999).contains(&o.start_number));
    Ok(())
}

/// Valid payloads of every kind: one application draft per service and
/// channel, every workflow command, the office form.
fn valid_payloads() -> &'static Vec<Value> {
    static P: OnceLock<Vec<Value>> = OnceLock::new();
    P.get_or_init(|| {
        let mut out = Vec::new();
        for s in &catalog().services {
            for ch in &s.channels {
                let docs: Vec<&str> = s.documents_for(*ch).map(|d| d.code.as_str()).collect();
                let variant = s.office_paths(*ch).find_map(|p| p.variant.as_deref()).unwrap_or_default();
                out.push(json!({
                    "service_code": s.code, "channel": ch, "applicant_iin": "900101300007",
                    "applicant_name": "Әбілқайыр Нұрлан Ғалымұлы", "applicant_phone": "8 (701) 123-45-67",
                    "applicant_address": "Шиелі к., Әйтеке би к-сі, 1", "child_iin": "150315500015",
                    "child_name": "Әбілқайыр Айгүл", "child_birth_date": "2023-03-15", "documents": docs,
                    "extra_documents": ["Анықтама № 5", ""],
                    "consent": true, "notes": "", "representative_iin": "150315500607",
                    "representative_name": "Сенімді Өкіл", "poa_number": "№ 123", "poa_date": "01.11.2026",
                    "duplicate_reason": "", "variant": variant,
                }));
            }
        }
        out.extend([
            json!({"step": "send_to_head"}),
            json!({"step": "assign_executor", "executor_id": 7}),
            json!({"step": "prepare_result", "outcome": {"kind": "positive"}}),
            json!({"step": "prepare_result", "outcome": {"kind": "refusal", "reason_code": "already_queued", "explanation": "Кезекте тұр"}}),
            json!({"step": "sign"}),
            json!({"step": "return_to_executor", "comment": "Қайта тексеріңіз"}),
            json!({"step": "issue", "handover": "in_person", "received_by": "Әбілқайыр Н."}),
            json!({"step": "issue", "handover": "state_corporation", "received_by": ""}),
            json!({"step": "withdraw", "reason": "Өтініш беруші қайтарып алды"}),
            json!({"name_kk": "Шиелі ауданының білім бөлімі", "name_ru": "Отдел образования Шиелийского района",
                   "address_kk": "Шиелі к., Әйтеке би к-сі, 1", "address_ru": "пос. Шиели, ул. Айтеке би, 1",
                   "phone": "8 (72432) 4-12-34", "series": "ШБ", "start_number": 1250}),
        ]);
        out
    })
}

#[test]
fn the_valid_payloads_are_valid() {
    // Otherwise the mutation properties below would only ever test errors.
    for v in valid_payloads() {
        let ok = serde_json::from_value::<ApplicationDraft>(v.clone())
            .ok()
            .map(|d| NewApplication::validate(&d, catalog(), today()).map(|_| ()))
            .or_else(|| {
                serde_json::from_value::<Command>(v.clone())
                    .ok()
                    .map(|c| c.validate(REASONS, &forms().iter().collect::<Vec<_>>()).map(|_| ()))
            })
            .or_else(|| {
                serde_json::from_value::<OfficeDraft>(v.clone()).ok().map(|d| OfficeData::validate(&d).map(|_| ()))
            });
        assert_eq!(ok, Some(Ok(())), "{v}");
    }
}

/// A valid payload with some of its fields mutated: a string field gets
/// hostile text, any node may become another value, keys vanish or appear.
fn mutated_payload() -> impl Strategy<Value = Value> {
    let field_op = prop_oneof![
        6 => hostile_text().prop_map(|s| ValueOp::Replace(Value::String(s))),
        2 => extreme_value().prop_map(ValueOp::Replace),
        1 => json_value().prop_map(ValueOp::Replace),
        1 => Just(ValueOp::Remove),
        1 => Just(ValueOp::Duplicate),
    ];
    (any::<Index>(), proptest::collection::vec((any::<Index>(), field_op), 0..5)).prop_map(|(which, ops)| {
        let payloads = valid_payloads();
        let mut v = payloads[which.index(payloads.len())].clone();
        let paths = all_paths(&v);
        mutate_value(&mut v, &paths, &ops);
        v
    })
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn arbitrary_json_requests_never_panic(v in json_value()) {
        decode_and_validate(&v)?;
    }

    #[test]
    fn mutated_requests_never_panic_nor_pass_over_the_limits(v in mutated_payload()) {
        decode_and_validate(&v)?;
    }
}

/// Strategies aimed past the decoder: every string field of a decodable
/// draft is either valid or hostile, so validation runs to its later fields.
fn text_or_valid(valid: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![5 => Just(valid.to_owned()), 1 => hostile_text()]
}

/// A decodable draft for a random service whose fields are each valid or
/// hostile. Boxed in parts: one flat tuple of fourteen strategies overflows
/// the test thread's stack in a debug build.
fn application_draft() -> BoxedStrategy<ApplicationDraft> {
    let applicant = (
        any::<Index>(),
        text_or_valid("900101300007"),
        text_or_valid("Әбілқайыр Нұрлан"),
        prop_oneof![6 => Just("+7 701 123 45 67".to_owned()), 1 => hostile_text(), 2 => "[0-9 ()+-]{0,34}"],
        text_or_valid(""),
    )
        .boxed();
    let child = (
        text_or_valid("150315500015"),
        text_or_valid("Әбілқайыр Айгүл"),
        prop_oneof![
            6 => Just("2023-03-15".to_owned()),
            1 => hostile_text(),
            1 => "[0-9+-]{1,8}-[0-9]{1,2}-[0-9]{1,2}",
            1 => "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9+-]{1,8}",
        ],
    )
        .boxed();
    let representative = proptest::option::weighted(
        0.4,
        (
            text_or_valid("150315500607"),
            text_or_valid("Сенімді Өкіл"),
            text_or_valid("№ 1"),
            text_or_valid("2026-11-01"),
        ),
    )
    .boxed();
    let rest = (
        text_or_valid(""),
        text_or_valid(""),
        // Codes from the service's own checklist (picked once the service is
        // known), sometimes with a forged one.
        proptest::collection::vec(any::<Index>(), 0..6),
        proptest::option::weighted(0.15, hostile_text()),
        prop_oneof![
            3 => Just(Vec::new()),
            3 => proptest::collection::vec(text_or_valid("Анықтама № 5"), 0..4),
            1 => proptest::collection::vec(text_or_valid(""), 15..26),
        ],
        // The channel: absent, one the service offers, or any.
        prop_oneof![1 => Just(None), 4 => any::<Index>().prop_map(|i| Some(Ok(i))), 1 => select(Channel::ALL.to_vec()).prop_map(|c| Some(Err(c)))],
        prop_oneof![9 => Just(true), 1 => Just(false)],
    )
        .boxed();
    // The window's request id: none, a UUID, or anything.
    let request_id = prop_oneof![
        2 => Just(String::new()),
        2 => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        1 => hostile_text(),
    ];
    (applicant, child, representative, rest, request_id)
        .prop_map(|(applicant, child, representative, rest, request_id)| {
            let (which, applicant_iin, applicant_name, applicant_phone, applicant_address) = applicant;
            let (child_iin, child_name, child_birth_date) = child;
            let (representative_iin, representative_name, poa_number, poa_date) = representative.unwrap_or_default();
            let (notes, duplicate_reason, picked, forged, extra_documents, channel, consent) = rest;
            let services = &catalog().services;
            let service = &services[which.index(services.len())];
            let channel = channel.map(|c| match c {
                Ok(i) => service.channels[i.index(service.channels.len())],
                Err(any) => any,
            });
            let checklist: Vec<&str> =
                service.documents_for(channel.unwrap_or(Channel::Office)).map(|d| d.code.as_str()).collect();
            let mut documents: Vec<String> = if checklist.is_empty() {
                Vec::new()
            } else {
                picked.iter().map(|i| checklist[i.index(checklist.len())].to_owned()).collect()
            };
            // The ticks beside the documents, drawn from the same picks where
            // the document's kind has the tick (a forged one is the
            // documents' own forgery, above).
            let kind_of = |code: &str| service.documents.iter().find(|d| d.code == code).map(|d| d.kind.clone());
            let pick = |step: usize, fits: &dyn Fn(&kense_domain::catalog::DocumentKind) -> bool| -> Vec<String> {
                documents.iter().step_by(step).filter(|c| kind_of(c).is_some_and(|k| fits(&k))).cloned().collect()
            };
            use kense_domain::catalog::DocumentKind;
            let found_in_is = pick(2, &|k| *k == DocumentKind::RequiredUnlessInIs);
            let conditions_apply = pick(2, &|k| k.condition().is_some());
            let expired = pick(5, &|_| true);
            documents.extend(forged);
            ApplicationDraft {
                service_code: service.code.clone(),
                channel,
                applicant_iin,
                applicant_name,
                applicant_phone,
                applicant_address,
                child_iin,
                child_name,
                child_birth_date,
                documents,
                found_in_is,
                conditions_apply,
                expired,
                extra_documents,
                consent,
                notes,
                representative_iin,
                representative_name,
                poa_number,
                poa_date,
                duplicate_reason,
                // The channel's first path where it has several (service 15).
                variant: service
                    .office_paths(channel.unwrap_or(Channel::Office))
                    .find_map(|p| p.variant.clone())
                    .unwrap_or_default(),
                queue: None,
                request_id,
            }
        })
        .boxed()
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn application_validation_holds_the_limits(d in application_draft()) {
        check_application(&d)?;
    }

    #[test]
    fn command_validation_holds_the_limits(
        kind in 0usize..11,
        text in text_or_valid("Себебі"),
        date in prop_oneof![1 => Just("20.11.2026".to_owned()), 1 => hostile_text()],
        reason_code in prop_oneof![3 => select(REASONS).prop_map(str::to_owned), 1 => hostile_text()],
        executor_id in any::<i64>(),
        form in prop_oneof![3 => 0..FORMS, 1 => any::<usize>()],
    ) {
        let c = match kind {
            0 => Command::SendToHead,
            1 => Command::AssignExecutor { executor_id },
            2 => Command::PrepareResult { outcome: Outcome::positive(form) },
            3 => Command::PrepareResult { outcome: Outcome::Refusal { reason_code, explanation: text } },
            4 => Command::Sign,
            5 => Command::ReturnToExecutor { comment: text },
            6 => Command::Issue { handover: Handover::InPerson, received_by: text },
            7 if executor_id % 2 == 0 => Command::Issue { handover: Handover::StateCorporation, received_by: text },
            7 => Command::Issue { handover: Handover::PortalCabinet, received_by: text },
            8 => Command::SendToAkimat,
            9 => Command::RecordAkimatAct { number: text, date },
            _ => Command::Withdraw { reason: text },
        };
        check_command(c)?;
    }

    #[test]
    fn office_validation_holds_the_limits(
        name_kk in text_or_valid("Шиелі ауданының білім бөлімі"),
        name_ru in text_or_valid("Отдел образования"),
        address_kk in text_or_valid("Шиелі к., 1"),
        address_ru in text_or_valid("пос. Шиели, 1"),
        phone in text_or_valid("8 (72432) 4-12-34"),
        series in prop_oneof![2 => Just("ШБ".to_owned()), 1 => hostile_text(), 2 => "[ /\\t]{0,2}[A-Za-zА-Яа-яӘә0-9/ \\x{0}\\x{301}²٣]{0,12}[ \\n]{0,2}"],
        start_number in prop_oneof![Just(1250i64), any::<i64>(), -2i64..=2, 9_999_997i64..=10_000_001],
    ) {
        check_office(&OfficeDraft { name_kk, name_ru, address_kk, address_ru, phone, series, start_number, bin: String::new() })?;
    }
}

/// The properties above are only worth something if hostile input also gets
/// through: a good share of the generated drafts and mutated catalogs must
/// be accepted, or the checks on accepted values would never run.
#[test]
fn the_strategies_reach_acceptance() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let drafts = application_draft();
    let accepted = (0..400)
        .filter(|_| {
            let d = drafts.new_tree(&mut runner).unwrap().current();
            NewApplication::validate(&d, catalog(), today()).is_ok()
        })
        .count();
    assert!(accepted >= 20, "only {accepted} of 400 drafts accepted");
    let requests = mutated_payload();
    let decoded = (0..400)
        .filter(|_| {
            let v = requests.new_tree(&mut runner).unwrap().current();
            serde_json::from_value::<ApplicationDraft>(v.clone()).is_ok()
                || serde_json::from_value::<Command>(v.clone()).is_ok()
                || serde_json::from_value::<OfficeDraft>(v).is_ok()
        })
        .count();
    assert!(decoded >= 100, "only {decoded} of 400 mutated requests decode");
    let ops = proptest::collection::vec((any::<Index>(), value_op()), 1..4);
    let s = services();
    let parsed = (0..150)
        .filter(|_| {
            let mut v = s.value.clone();
            mutate_value(&mut v, &s.paths, &ops.new_tree(&mut runner).unwrap().current());
            Catalog::parse(&v.to_string()).is_ok()
        })
        .count();
    assert!(parsed >= 8, "only {parsed} of 150 mutated catalogs parse");
    eprintln!("accepted: {accepted}/400 drafts, {decoded}/400 requests decoded, {parsed}/150 catalogs");
}
