//! Hostile input (the "Hardening" issue): whatever text reaches a document —
//! control characters, emoji, RTL or CJK script, lone combining marks, empty
//! or 5,000-character fields, any QR text — the typesetter returns a PDF or
//! a clear error (`MissingGlyph`, `Input`), never a panic; and text it can
//! draw never makes a runaway number of pages.
//!
//! proptest-based fuzzing (cargo-fuzz needs nightly). A receipt takes a few
//! to a few hundred milliseconds in a debug build, so every property runs at
//! most 64 cases. Failures are not persisted (no regression files next to
//! the sources); a failing case is printed in full by proptest.

mod common;

use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};
use common::typesetter;
use kense_documents::layout::Face;
use kense_documents::{
    AcceptanceReceipt, Bilingual, DocumentError, OfficeRequisites, ReasonedRefusal, Referral, RefusalReceipt, Signer,
    Verification,
};
use kense_hostile::CHARS;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Bold.ttf");

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, max_shrink_iters: 256, ..Config::default() }
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/// What the office's documents are written in: the Kazakh and Russian
/// alphabets, Latin, digits and punctuation.
const ALPHABET: &str = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ\
                        аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя\
                        ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\
                        0123456789.,;:!?()[]-–—«»\"'/№%+*=_@#&";

fn alphabet() -> &'static Vec<char> {
    static A: OnceLock<Vec<char>> = OnceLock::new();
    A.get_or_init(|| ALPHABET.chars().collect())
}

/// Words of the alphabet separated by spaces (sometimes by nothing, which
/// makes one long word that must be hard-broken).
fn alphabet_text(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    (proptest::collection::vec(select(alphabet().clone()), len), 1usize..16, any::<bool>()).prop_map(
        |(chars, word, spaced)| {
            let mut s = String::new();
            for (i, c) in chars.into_iter().enumerate() {
                if spaced && i > 0 && i % word == 0 {
                    s.push(' ');
                }
                s.push(c);
            }
            s
        },
    )
}

fn alphabet_field() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => alphabet_text(0..60),
        1 => alphabet_text(200..1200),
        1 => alphabet_text(4000..5001),
        1 => Just(String::new()),
        1 => Just("   ".to_owned()),
    ]
}

/// Arbitrary text for any field, from harmless to hostile, long ones
/// included (up to 5,000 characters).
fn wild_field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => alphabet_text(0..60),
        2 => ".{0,40}",
        2 => proptest::collection::vec(select(CHARS), 0..20).prop_map(|v| v.into_iter().collect()),
        // A lone combining mark in front of otherwise drawable text.
        1 => alphabet_text(0..20).prop_map(|s| format!("\u{301}{s}")),
        1 => (select(&['Ж', 'a', ' ', '\u{301}', 'ע', '😀', '\n'][..]), 1000usize..=5000)
            .prop_map(|(c, n)| c.to_string().repeat(n)),
        1 => alphabet_text(4000..5001),
        1 => Just(String::new()),
        1 => "[ \\t\\n\\r]{1,6}",
    ]
}

/// Odd characters the embedded fonts do have (both faces): combining
/// marks, Hebrew, odd spaces… Text made of them gets past the glyph check
/// and through the whole layout.
fn drawable_odd() -> &'static Vec<char> {
    static D: OnceLock<Vec<char>> = OnceLock::new();
    D.get_or_init(|| {
        let face = |bytes: &[u8], id: &str| Face::parse(bytes, id).expect("shipped font");
        let regular = face(REGULAR_TTF, "TSTREG");
        let bold = face(BOLD_TTF, "TSTBLD");
        let candidates = CHARS.iter().copied().chain([
            '\u{ad}', '\u{2011}', '\u{2060}', '\u{200e}', '\u{200f}', '\u{2009}', '\u{202f}', '\u{fb01}', 'ẞ', 'Ӏ',
            'Ґ', 'Ў', 'ı', 'ǅ', '\u{336}', '\u{35c}', 'א', '\u{5b4}', '\u{2030}', '€', '₸', 'Ω', 'ﬀ',
        ]);
        let odd: Vec<char> = candidates
            .filter(|c| regular.check(&c.to_string()).is_ok() && bold.check(&c.to_string()).is_ok())
            .collect();
        assert!(odd.len() >= 10, "the fonts cover only {odd:?}");
        odd
    })
}

/// Alphabet text with drawable odd characters mixed in.
fn odd_text(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![3 => select(alphabet().clone()), 1 => select(drawable_odd().clone())], len)
        .prop_map(|v| v.into_iter().collect())
}

fn bilingual(field: impl Strategy<Value = String> + Clone) -> impl Strategy<Value = Bilingual> {
    (field.clone(), field).prop_map(|(kk, ru)| Bilingual { kk, ru })
}

fn moment() -> impl Strategy<Value = NaiveDateTime> {
    prop_oneof![
        8 => (0i64..(200 * 366 * 86_400)).prop_map(|s| {
            NaiveDate::from_ymd_opt(1900, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
                + chrono::Duration::seconds(s)
        }),
        1 => Just(NaiveDateTime::MIN),
        1 => Just(NaiveDateTime::MAX),
    ]
}

fn date() -> impl Strategy<Value = Option<NaiveDate>> {
    proptest::option::of(moment().prop_map(|t| t.date()))
}

fn copy_number() -> impl Strategy<Value = u32> {
    prop_oneof![4 => Just(1u32), 2 => 0u32..5, 1 => any::<u32>()]
}

/// How a generated receipt's texts are drawn: `Alphabet` keeps to what the
/// fonts cover, `Wild` is anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Texts {
    Alphabet,
    Wild,
}

fn field(texts: Texts) -> BoxedStrategy<String> {
    match texts {
        Texts::Alphabet => alphabet_field().boxed(),
        // Per field: mostly drawable, so that a receipt often gets through
        // the glyph check and the layout meets the odd text.
        Texts::Wild => prop_oneof![
            12 => alphabet_field(),
            6 => odd_text(0..80),
            1 => odd_text(1000..5001),
            1 => wild_field(),
        ]
        .boxed(),
    }
}

fn verification(texts: Texts) -> BoxedStrategy<Option<Verification>> {
    let caption = match texts {
        Texts::Alphabet => alphabet_text(0..60).boxed(),
        Texts::Wild => field(texts),
    };
    proptest::option::weighted(0.4, ("[ -~]{1,150}", caption))
        .prop_map(|v| v.map(|(qr_text, caption)| Verification { qr_text, caption }))
        .boxed()
}

fn office(texts: Texts) -> BoxedStrategy<OfficeRequisites> {
    (bilingual(field(texts)), bilingual(field(texts)), field(texts))
        .prop_map(|(name, address, phone)| OfficeRequisites { name, address, phone })
        .boxed()
}

/// Document lists: long ones for the page count; shorter ones of wild text,
/// where every item is one more chance of a missing glyph.
fn list_len(texts: Texts) -> std::ops::Range<usize> {
    match texts {
        Texts::Alphabet => 0..60,
        Texts::Wild => 0..12,
    }
}

/// Boxed in parts: one flat tuple of all the fields overflows the test
/// thread's stack in a debug build.
fn acceptance(texts: Texts) -> BoxedStrategy<AcceptanceReceipt> {
    let f = || field(texts);
    let head = (f(), moment(), office(texts), bilingual(f())).boxed();
    let people = (f(), f(), f(), proptest::option::of(f()), proptest::option::of(f()), date()).boxed();
    let list = (
        proptest::collection::vec(bilingual(f()), list_len(texts)),
        date(),
        f(),
        proptest::option::of(f()),
        proptest::option::of(f()),
    )
        .boxed();
    let marks = (proptest::option::of(f()), copy_number(), verification(texts)).boxed();
    (head, people, list, marks)
        .prop_map(|(head, people, list, marks)| {
            let (registration_number, registered_at, office, service_name) = head;
            let (applicant_name, applicant_iin, applicant_phone, subject_name, subject_iin, subject_birth_date) =
                people;
            let (documents, expected_result_date, accepted_by, executor, executor_phone) = list;
            let (audit_chain_head, copy_number, verification) = marks;
            AcceptanceReceipt {
                registration_number,
                registered_at,
                office,
                service_name,
                channel: None,
                applicant_name,
                applicant_iin,
                applicant_phone,
                representative: None,
                consent_by: None,
                subject_name,
                subject_iin,
                subject_birth_date,
                documents,
                expected_result_date,
                accepted_by,
                executor,
                executor_phone,
                audit_chain_head,
                copy_number,
                verification,
            }
        })
        .boxed()
}

fn refusal(texts: Texts) -> BoxedStrategy<RefusalReceipt> {
    let f = || field(texts);
    let head = (f(), moment(), office(texts), bilingual(f())).boxed();
    let people = (
        f(),
        proptest::option::of(f()),
        // Empty lists are an input error; keep them rare.
        prop_oneof![
            1 => Just(Vec::new()),
            9 => proptest::collection::vec(bilingual(f()), list_len(texts)).prop_map(|mut v| {
                if v.is_empty() {
                    v.push(Bilingual { kk: "Өтініш".into(), ru: "Заявление".into() });
                }
                v
            }),
        ],
        f(),
        proptest::option::of(f()),
        proptest::option::of(f()),
    )
        .boxed();
    let marks = (proptest::option::of(f()), copy_number(), verification(texts)).boxed();
    (head, people, marks)
        .prop_map(|(head, people, marks)| {
            let (registration_number, registered_at, office, service_name) = head;
            let (applicant_name, applicant_address, missing_documents, refused_by, executor, executor_phone) = people;
            let (audit_chain_head, copy_number, verification) = marks;
            RefusalReceipt {
                registration_number,
                registered_at,
                office,
                service_name,
                channel: None,
                applicant_name,
                representative: None,
                applicant_address,
                missing_documents,
                refused_by,
                executor,
                executor_phone,
                audit_chain_head,
                copy_number,
                verification,
            }
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// Every drawn text of a receipt, one after another.
fn drawn_texts_of_acceptance(r: &AcceptanceReceipt) -> Vec<&str> {
    let mut t = vec![
        r.registration_number.as_str(),
        &r.office.name.kk,
        &r.office.name.ru,
        &r.office.address.kk,
        &r.office.address.ru,
        &r.office.phone,
        &r.service_name.kk,
        &r.service_name.ru,
        &r.applicant_name,
        &r.applicant_iin,
        &r.applicant_phone,
        &r.accepted_by,
    ];
    t.extend(
        [&r.subject_name, &r.subject_iin, &r.executor, &r.executor_phone, &r.audit_chain_head]
            .into_iter()
            .flatten()
            .map(String::as_str),
    );
    t.extend(r.documents.iter().flat_map(|d| [d.kk.as_str(), &d.ru]));
    t.extend(r.verification.iter().map(|v| v.caption.as_str()));
    t
}

fn drawn_texts_of_refusal(r: &RefusalReceipt) -> Vec<&str> {
    let mut t = vec![
        r.registration_number.as_str(),
        &r.office.name.kk,
        &r.office.name.ru,
        &r.office.address.kk,
        &r.office.address.ru,
        &r.office.phone,
        &r.service_name.kk,
        &r.service_name.ru,
        &r.applicant_name,
        &r.refused_by,
    ];
    t.extend(
        [&r.applicant_address, &r.executor, &r.executor_phone, &r.audit_chain_head]
            .into_iter()
            .flatten()
            .map(String::as_str),
    );
    t.extend(r.missing_documents.iter().flat_map(|d| [d.kk.as_str(), &d.ru]));
    t.extend(r.verification.iter().map(|v| v.caption.as_str()));
    t
}

/// The outcome a typesetter call may have: a PDF, or a clear error that is
/// about the input (a character the font lacks is one that was given).
fn check_outcome(out: Result<Vec<u8>, DocumentError>, drawn: &[&str]) -> Result<Option<Vec<u8>>, TestCaseError> {
    match out {
        Ok(pdf) => {
            prop_assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
            Ok(Some(pdf))
        }
        Err(DocumentError::MissingGlyph { ch }) => {
            prop_assert!(
                drawn.iter().any(|t| t.contains(ch)),
                "MissingGlyph {{ {ch:?} }} for a character that is in no input text"
            );
            let message = DocumentError::MissingGlyph { ch }.to_string();
            prop_assert!(!message.is_empty());
            Ok(None)
        }
        Err(DocumentError::Input(m)) => {
            prop_assert!(!m.trim().is_empty());
            Ok(None)
        }
        Err(e) => Err(TestCaseError::fail(format!("unexpected error kind: {e:?}"))),
    }
}

fn page_count(pdf: &[u8]) -> Result<usize, TestCaseError> {
    let doc =
        lopdf::Document::load_mem(pdf).map_err(|e| TestCaseError::fail(format!("lopdf cannot read the PDF: {e}")))?;
    Ok(doc.get_pages().len())
}

/// A ceiling on pages: both language versions, each holding at least ~1,000
/// characters and 15 list items a page even where the column is narrowest
/// (the addressee block). Observed counts stay at a third of it or less; it
/// catches runaway pagination, not loose packing.
fn page_bound(drawn: &[&str], items: usize) -> usize {
    let chars: usize = drawn.iter().map(|t| t.chars().count()).sum();
    2 * (2 + chars / 1000 + items / 15)
}

/// An alphabet-only receipt may only fail for a reason in its marks.
fn allowed_alphabet_error(e: &DocumentError, copy_number: u32, verification: Option<&Verification>) -> bool {
    match e {
        DocumentError::Input(_) => copy_number == 0 || verification.is_some_and(|v| v.caption.chars().count() > 1000),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn acceptance_receipt_survives_any_text(r in acceptance(Texts::Wild)) {
        let drawn = drawn_texts_of_acceptance(&r);
        if let Some(pdf) = check_outcome(typesetter().acceptance_receipt(&r), &drawn)? {
            prop_assert!(page_count(&pdf)? >= 1);
        }
    }

    #[test]
    fn refusal_receipt_survives_any_text(r in refusal(Texts::Wild)) {
        let drawn = drawn_texts_of_refusal(&r);
        let out = typesetter().refusal_receipt(&r);
        if r.missing_documents.is_empty() {
            prop_assert!(matches!(out, Err(DocumentError::Input(_))), "{out:?}");
        }
        if let Some(pdf) = check_outcome(out, &drawn)? {
            prop_assert!(page_count(&pdf)? >= 1);
        }
    }
}

proptest! {
    // The heaviest properties: long texts and lists, every body size tried.
    #![proptest_config(config(32))]

    #[test]
    fn alphabet_acceptance_receipt_is_made_on_few_pages(r in acceptance(Texts::Alphabet)) {
        let drawn = drawn_texts_of_acceptance(&r);
        match typesetter().acceptance_receipt(&r) {
            Ok(pdf) => {
                prop_assert!(pdf.starts_with(b"%PDF-"));
                let pages = page_count(&pdf)?;
                let bound = page_bound(&drawn, r.documents.len());
                prop_assert!((1..=bound).contains(&pages), "{pages} pages, bound {bound}");
            }
            Err(e) => prop_assert!(
                allowed_alphabet_error(&e, r.copy_number, r.verification.as_ref()),
                "alphabet-only receipt refused: {e:?}"
            ),
        }
    }

    #[test]
    fn alphabet_refusal_receipt_is_made_on_few_pages(r in refusal(Texts::Alphabet)) {
        prop_assume!(!r.missing_documents.is_empty());
        let drawn = drawn_texts_of_refusal(&r);
        match typesetter().refusal_receipt(&r) {
            Ok(pdf) => {
                prop_assert!(pdf.starts_with(b"%PDF-"));
                let pages = page_count(&pdf)?;
                // The original is the two its form requires, each within the bound.
                let originals = if r.copy_number == 1 { 2 } else { 1 };
                let bound = originals * page_bound(&drawn, r.missing_documents.len());
                prop_assert!((1..=bound).contains(&pages), "{pages} pages, bound {bound}");
            }
            Err(e) => prop_assert!(
                allowed_alphabet_error(&e, r.copy_number, r.verification.as_ref()),
                "alphabet-only receipt refused: {e:?}"
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// The signed documents: referral and reasoned refusal
// ---------------------------------------------------------------------------

fn signer(texts: Texts) -> BoxedStrategy<Signer> {
    (field(texts), bilingual(field(texts))).prop_map(|(name, position)| Signer { name, position }).boxed()
}

fn referral(texts: Texts) -> BoxedStrategy<Referral> {
    let f = || field(texts);
    let people = (f(), f(), f(), f(), f(), signer(texts)).boxed();
    let places =
        (office(texts), bilingual(f()), bilingual(f()), bilingual(f()), proptest::option::of(bilingual(f()))).boxed();
    let marks = (moment(), 0i64..40, copy_number(), verification(texts), proptest::option::of(f())).boxed();
    (people, places, marks)
        .prop_map(
            |(
                (number, child_name, child_iin, applicant_name, applicant_iin, signer),
                (office, age_group, kindergarten, kindergarten_address, group),
                (issued_at, valid_days, copy_number, verification, audit_chain_head),
            )| Referral {
                number,
                issued_at,
                // Moments reach the ends of chrono's range: saturate there.
                valid_until: issued_at
                    .date()
                    .checked_add_signed(chrono::Duration::days(valid_days - 2))
                    .unwrap_or(issued_at.date()),
                office,
                child_name,
                child_iin,
                child_birth_date: issued_at
                    .date()
                    .checked_sub_signed(chrono::Duration::days(1000))
                    .unwrap_or(issued_at.date()),
                age_group,
                kindergarten,
                kindergarten_address,
                group,
                applicant_name,
                applicant_iin,
                registration_number: "01-2026-00001".into(),
                signer,
                stamp: None,
                copy_number,
                verification,
                audit_chain_head,
            },
        )
        .boxed()
}

fn reasoned(texts: Texts) -> BoxedStrategy<ReasonedRefusal> {
    let f = || field(texts);
    let people = (f(), f(), proptest::option::of(f()), f(), signer(texts)).boxed();
    let texts_ = (office(texts), bilingual(f()), bilingual(f()), proptest::option::of(bilingual(f())), f()).boxed();
    let marks = (moment(), copy_number(), verification(texts), proptest::option::of(f())).boxed();
    (people, texts_, marks)
        .prop_map(
            |(
                (number, applicant_name, applicant_address, applicant_iin, signer),
                (office, service_name, reason, legal_basis, explanation),
                (issued_at, copy_number, verification, audit_chain_head),
            )| ReasonedRefusal {
                number,
                issued_at,
                office,
                service_name,
                registration_number: "01-2026-00002".into(),
                registered_on: issued_at.date(),
                applicant_name,
                applicant_iin,
                applicant_address,
                reason,
                legal_basis,
                explanation,
                signer,
                stamp: None,
                copy_number,
                verification,
                audit_chain_head,
            },
        )
        .boxed()
}

fn office_texts(o: &OfficeRequisites) -> Vec<&str> {
    vec![&o.name.kk, &o.name.ru, &o.address.kk, &o.address.ru, &o.phone]
}

fn drawn_texts_of_referral(r: &Referral) -> Vec<&str> {
    let mut t = office_texts(&r.office);
    t.extend([
        r.number.as_str(),
        &r.child_name,
        &r.child_iin,
        &r.age_group.kk,
        &r.age_group.ru,
        &r.kindergarten.kk,
        &r.kindergarten.ru,
        &r.kindergarten_address.kk,
        &r.kindergarten_address.ru,
        &r.applicant_name,
        &r.applicant_iin,
        &r.signer.name,
        &r.signer.position.kk,
        &r.signer.position.ru,
    ]);
    t.extend(r.group.iter().flat_map(|g| [g.kk.as_str(), g.ru.as_str()]));
    t.extend(r.audit_chain_head.as_deref());
    t.extend(r.verification.iter().map(|v| v.caption.as_str()));
    t
}

fn drawn_texts_of_reasoned(r: &ReasonedRefusal) -> Vec<&str> {
    let mut t = office_texts(&r.office);
    t.extend([
        r.number.as_str(),
        &r.service_name.kk,
        &r.service_name.ru,
        &r.applicant_name,
        &r.applicant_iin,
        &r.reason.kk,
        &r.reason.ru,
        &r.explanation,
        &r.signer.name,
        &r.signer.position.kk,
        &r.signer.position.ru,
    ]);
    t.extend(r.applicant_address.as_deref());
    t.extend(r.legal_basis.iter().flat_map(|g| [g.kk.as_str(), g.ru.as_str()]));
    t.extend(r.audit_chain_head.as_deref());
    t.extend(r.verification.iter().map(|v| v.caption.as_str()));
    t
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn referral_survives_any_text(r in referral(Texts::Wild)) {
        let drawn = drawn_texts_of_referral(&r);
        let out = typesetter().referral(&r);
        if r.valid_until < r.issued_at.date() {
            prop_assert!(matches!(out, Err(DocumentError::Input(_))), "{out:?}");
        }
        if let Some(pdf) = check_outcome(out, &drawn)? {
            prop_assert!(page_count(&pdf)? >= 1);
        }
    }

    #[test]
    fn reasoned_refusal_survives_any_text(r in reasoned(Texts::Wild)) {
        let drawn = drawn_texts_of_reasoned(&r);
        if let Some(pdf) = check_outcome(typesetter().reasoned_refusal(&r), &drawn)? {
            prop_assert!(page_count(&pdf)? >= 1);
        }
    }

    #[test]
    fn alphabet_reasoned_refusal_is_made_on_few_pages(r in reasoned(Texts::Alphabet)) {
        prop_assume!(!r.reason.kk.trim().is_empty() && !r.reason.ru.trim().is_empty());
        let drawn = drawn_texts_of_reasoned(&r);
        match typesetter().reasoned_refusal(&r) {
            Ok(pdf) => {
                let pages = page_count(&pdf)?;
                let bound = page_bound(&drawn, 0);
                prop_assert!((1..=bound).contains(&pages), "{pages} pages, bound {bound}");
            }
            Err(e) => prop_assert!(
                allowed_alphabet_error(&e, r.copy_number, r.verification.as_ref()),
                "alphabet-only refusal refused: {e:?}"
            ),
        }
    }
}

/// Arbitrary QR text below 300 bytes: ASCII, any unicode, control characters.
fn qr_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,299}",
        ".{0,300}",
        proptest::collection::vec(select(CHARS), 0..60).prop_map(|v| v.into_iter().collect()),
        Just(String::new()),
    ]
    .prop_map(|mut s| {
        while s.len() >= 300 {
            s.pop();
        }
        s
    })
}

fn plain_acceptance() -> AcceptanceReceipt {
    let bi = |kk: &str, ru: &str| Bilingual { kk: kk.into(), ru: ru.into() };
    AcceptanceReceipt {
        registration_number: "01-2026-00001".into(),
        registered_at: NaiveDate::from_ymd_opt(2026, 3, 12).unwrap().and_hms_opt(10, 15, 42).unwrap(),
        office: OfficeRequisites {
            name: bi("Шиелі ауданының білім бөлімі", "Отдел образования Шиелийского района"),
            address: bi("Шиелі к., Әйтеке би к-сі, 1", "пос. Шиели, ул. Айтеке би, 1"),
            phone: "8 (72432) 4-12-34".into(),
        },
        service_name: bi("Балаларды кезекке қою", "Постановка детей на очередь"),
        channel: None,
        applicant_name: "Әбілқайыр Нұрлан Ғалымұлы".into(),
        applicant_iin: "900101300007".into(),
        applicant_phone: "+7 701 123 45 67".into(),
        representative: None,
        consent_by: None,
        subject_name: Some("Әбілқайыр Айгүл".into()),
        subject_iin: Some("150315500015".into()),
        subject_birth_date: NaiveDate::from_ymd_opt(2023, 3, 15),
        documents: vec![bi("Өтініш", "Заявление")],
        expected_result_date: NaiveDate::from_ymd_opt(2026, 3, 13),
        accepted_by: "Сейітқалиева Гүлнар".into(),
        executor: None,
        executor_phone: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        copy_number: 1,
        verification: None,
    }
}

fn plain_refusal() -> RefusalReceipt {
    let a = plain_acceptance();
    RefusalReceipt {
        registration_number: a.registration_number,
        registered_at: a.registered_at,
        office: a.office,
        service_name: a.service_name,
        channel: a.channel,
        applicant_name: a.applicant_name,
        representative: a.representative,
        applicant_address: None,
        missing_documents: a.documents,
        refused_by: a.accepted_by,
        executor: None,
        executor_phone: None,
        audit_chain_head: a.audit_chain_head,
        copy_number: 2,
        verification: None,
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The QR text is never drawn as text, only encoded: anything non-empty
    /// under 300 bytes fits a symbol; the empty text is an input error.
    #[test]
    fn any_qr_text_is_encoded_or_refused_as_input(
        qr_text in qr_text(),
        caption in alphabet_text(0..40),
        refusal in any::<bool>(),
    ) {
        let v = Some(Verification { qr_text: qr_text.clone(), caption });
        let out = if refusal {
            typesetter().refusal_receipt(&RefusalReceipt { verification: v, ..plain_refusal() })
        } else {
            typesetter().acceptance_receipt(&AcceptanceReceipt { verification: v, ..plain_acceptance() })
        };
        match out {
            Ok(pdf) => {
                prop_assert!(!qr_text.is_empty(), "an empty QR text was accepted");
                prop_assert!(pdf.starts_with(b"%PDF-"));
            }
            Err(DocumentError::Input(_)) => prop_assert!(qr_text.is_empty(), "{} bytes refused", qr_text.len()),
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
    }
}

/// The wild properties are only worth something if odd text also gets
/// through to a PDF: a share of the generated receipts must be made.
#[test]
fn wild_receipts_often_reach_the_pdf() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (a, r) = (acceptance(Texts::Wild), refusal(Texts::Wild));
    let mut made = 0;
    for _ in 0..12 {
        let x = a.new_tree(&mut runner).unwrap().current();
        made += usize::from(typesetter().acceptance_receipt(&x).is_ok());
        let y = r.new_tree(&mut runner).unwrap().current();
        made += usize::from(typesetter().refusal_receipt(&y).is_ok());
    }
    eprintln!("{made} of 24 wild receipts made; drawable odd characters: {:?}", drawable_odd());
    assert!(made >= 3, "only {made} of 24 wild receipts made");
}
