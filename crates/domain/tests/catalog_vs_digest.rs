//! The shipped catalog against the regulations as the seeds digest gives
//! them (§3 step tables, §5 comparison table).
//!
//! The expected table below is written out by hand from the digest, not
//! from the catalog: every service with its channels, every path with each
//! step's norm, the derived totals of §5 (checked by summing the expected
//! norms and the catalog's norms), the §5 step counts, and which channels
//! have a refusal-receipt form.
//!
//! Step norm notation: "-" none, "15m", "1h", "2wd", "10cd"; a prefix "g:"
//! (only when granted), "r:" (only when refused), "x:" (only when the
//! package is not accepted); parts of one step joined by "+", each part
//! with an optional suffix "?g" / "?r".

mod shipped;

use kense_domain::catalog::{Branch, Channel, Norm, Outcome, Path, RuSource, Step, Total};
use shipped::catalog;

const O: Channel = Channel::Office;
const SC: Channel = Channel::StateCorporation;
const P: Channel = Channel::Portal;

struct ExpectedPath {
    channel: Channel,
    variant: Option<&'static str>,
    steps: &'static [&'static str],
    /// The §5 count: "9" numbered steps, or "9p+2c" processes + conditions.
    count: Option<&'static str>,
    /// Derived total for a granted application, as §5 (or §3) writes it.
    granted: &'static str,
    /// Derived total for a reasoned refusal, where it differs.
    refused: Option<&'static str>,
    stated: Option<Norm>,
}

struct ExpectedService {
    code: &'static str,
    channels: &'static [Channel],
    /// Channels with a refusal-receipt form, and the form.
    refusal_receipts: &'static [(Channel, &'static str)],
    paths: &'static [ExpectedPath],
}

const fn p(
    channel: Channel,
    variant: Option<&'static str>,
    steps: &'static [&'static str],
    count: Option<&'static str>,
    granted: &'static str,
) -> ExpectedPath {
    ExpectedPath { channel, variant, steps, count, granted, refused: None, stated: None }
}

const SC_STD_3WD: &[&str] = &["-", "15m", "1wd", "15m", "1h", "3wd", "1h", "1h", "15m"];
const PORTAL_15_3WD: &[&str] = &["-", "15m", "1h", "3wd", "1h", "15m"];

const EXPECTED: &[ExpectedService] = &[
    // §3.0; office path seed 000, SC and portal paths seed 004, term 000/003.
    ExpectedService {
        code: "preschool_queue",
        channels: &[O, SC, P],
        refusal_receipts: &[(SC, "Std app. 3")],
        paths: &[
            ExpectedPath {
                stated: Some(Norm::Minutes(30)),
                ..p(O, None, &["10m", "5m", "10m", "2m", "3m"], Some("5"), "30 min")
            },
            ExpectedPath {
                stated: Some(Norm::Minutes(30)),
                ..p(SC, None, &["-", "-", "-", "-", "x:-", "-", "-", "-", "-", "r:-", "-"], Some("9p+2c"), "0 min")
            },
            ExpectedPath {
                stated: Some(Norm::Minutes(30)),
                ..p(P, None, &["-", "-", "-", "x:-", "-", "-", "x:-", "-", "-", "r:-", "-"], Some("7p+3c"), "0 min")
            },
        ],
    },
    // §3.1
    ExpectedService {
        code: "guardianship_certificate",
        channels: &[SC, P],
        refusal_receipts: &[(SC, "Std app. 3")],
        paths: &[
            p(SC, Some("data_in_is"), &["-", "5m"], None, "≤5 min"),
            p(
                SC,
                Some("data_not_in_is"),
                &["-", "15m", "1wd", "15m", "1h", "2wd", "1h", "1h", "15m"],
                Some("9"),
                "3 wd + 3 h 45 min",
            ),
            p(P, Some("data_in_is"), &["-", "-", "-", "-", "-", "-", "-", "5m"], Some("8"), "≤5 min"),
            p(P, Some("data_not_in_is"), &["15m", "1h", "2wd", "1h", "15m"], Some("5"), "2 wd + 2 h 30 min"),
        ],
    },
    // §3.2: the akimat's 12 cd only on a granted application.
    ExpectedService {
        code: "establish_guardianship",
        channels: &[SC, P],
        refusal_receipts: &[(SC, "Std app. 4")],
        paths: &[
            ExpectedPath {
                refused: Some("2 wd + 15 cd + 2 h 45 min"),
                ..p(
                    SC,
                    None,
                    &["-", "15m", "1wd", "15m", "1h", "10cd+5cd", "1wd", "g:12cd", "1h", "15m"],
                    Some("10"),
                    "2 wd + 27 cd + 2 h 45 min",
                )
            },
            ExpectedPath {
                refused: Some("1 wd + 15 cd + 1 h 30 min"),
                ..p(
                    P,
                    None,
                    &["-", "15m", "1h", "10cd+5cd", "1wd", "g:12cd", "15m"],
                    Some("7"),
                    "1 wd + 27 cd + 1 h 30 min",
                )
            },
        ],
    },
    // §3.3
    ExpectedService {
        code: "minors_property_certificate",
        channels: &[SC, P],
        refusal_receipts: &[(SC, "Std app. 7")],
        paths: &[
            p(SC, None, SC_STD_3WD, Some("9"), "4 wd + 3 h 45 min"),
            p(P, None, PORTAL_15_3WD, Some("6"), "3 wd + 2 h 30 min"),
        ],
    },
    // §3.4
    ExpectedService {
        code: "minors_transaction_certificate",
        channels: &[SC, P],
        refusal_receipts: &[(SC, "Std app. 4")],
        paths: &[
            p(SC, None, SC_STD_3WD, Some("9"), "4 wd + 3 h 45 min"),
            p(P, None, PORTAL_15_3WD, Some("6"), "3 wd + 2 h 30 min"),
        ],
    },
    // §3.5
    ExpectedService {
        code: "guardian_allowance",
        channels: &[SC, P],
        refusal_receipts: &[(SC, "Std app. 3")],
        paths: &[
            p(SC, None, &["-", "15m", "1wd", "15m", "1h", "8wd", "1h", "1h", "15m"], Some("9"), "9 wd + 3 h 45 min"),
            p(P, None, &["-", "15m", "1h", "8wd", "1h", "15m"], Some("6"), "8 wd + 2 h 30 min"),
        ],
    },
    // §3.6: totals from §3.6 ("if the act and the draft run in sequence").
    ExpectedService {
        code: "patronage_placement",
        channels: &[O, P],
        refusal_receipts: &[],
        paths: &[
            ExpectedPath {
                refused: Some("14 cd + 3 h"),
                ..p(O, None, &["-", "30m", "1h", "10cd+18cd?g+4cd?r", "1h", "30m"], Some("6"), "28 cd + 3 h")
            },
            ExpectedPath {
                refused: Some("14 cd + 3 h"),
                ..p(P, None, &["-", "30m", "1h", "10cd+18cd?g+4cd?r", "1h", "30m", "g:-"], Some("7"), "28 cd + 3 h")
            },
        ],
    },
    // §3.7
    ExpectedService {
        code: "patronage_payment",
        channels: &[O, P],
        refusal_receipts: &[],
        paths: &[
            p(O, None, &["-", "30m", "1h", "3wd", "1h", "30m"], Some("6"), "3 wd + 3 h"),
            p(P, None, &["-", "30m", "1h", "3wd", "1h", "30m"], Some("6"), "3 wd + 3 h"),
        ],
    },
    // §3.8
    ExpectedService {
        code: "adopter_registration",
        channels: &[O, P],
        refusal_receipts: &[],
        paths: &[
            p(O, None, &["-", "30m", "1h", "10cd+3cd", "1h", "30m", "g:-"], Some("7"), "13 cd + 3 h"),
            p(P, None, &["-", "30m", "1h", "10cd+3cd", "1h", "30m", "g:-"], Some("7"), "13 cd + 3 h"),
        ],
    },
    // §3.9
    ExpectedService {
        code: "adoption_payment",
        channels: &[O, P],
        refusal_receipts: &[],
        paths: &[
            p(O, None, &["-", "30m", "1h", "8wd", "1h", "30m"], Some("6"), "8 wd + 3 h"),
            p(P, None, &["-", "30m", "1h", "8wd", "1h", "30m"], Some("6"), "8 wd + 3 h"),
        ],
    },
    // §3.10
    ExpectedService {
        code: "meeting_permission",
        channels: &[O, SC],
        refusal_receipts: &[(SC, "Std app. 3")],
        paths: &[
            p(O, None, &["-", "30m", "1h", "3wd", "1h", "30m"], Some("6"), "3 wd + 3 h"),
            p(SC, None, &["-", "15m", "1wd", "30m", "1h", "3wd", "1h", "1h", "15m"], Some("9"), "4 wd + 4 h"),
        ],
    },
    // §3.11
    ExpectedService {
        code: "foster_family",
        channels: &[O],
        refusal_receipts: &[],
        paths: &[p(O, None, &["-", "30m", "1h", "10cd", "5cd", "5cd", "8cd", "1h", "30m"], Some("9"), "28 cd + 3 h")],
    },
    // §3.12
    ExpectedService {
        code: "free_transport",
        channels: &[O, SC],
        refusal_receipts: &[(SC, "Std app. 4")],
        paths: &[
            p(O, None, &["-", "30m", "1h", "4wd", "1h", "30m"], Some("6"), "4 wd + 3 h"),
            p(SC, None, &["-", "15m", "1wd", "30m", "1h", "4wd", "1h", "1h", "15m"], Some("9"), "5 wd + 4 h"),
        ],
    },
    // §3.13
    ExpectedService {
        code: "free_meals",
        channels: &[O, P],
        refusal_receipts: &[],
        paths: &[
            p(O, None, &["-", "30m", "1h", "4wd", "1h", "30m"], Some("6"), "4 wd + 3 h"),
            p(P, None, &["-", "30m", "1h", "4wd", "1h", "30m"], Some("6"), "4 wd + 3 h"),
        ],
    },
    // §3.14: step 2' is the refusal alternative to step 2.
    ExpectedService {
        code: "camp_referral",
        channels: &[O, SC],
        refusal_receipts: &[(SC, "Std app. 2")],
        paths: &[
            p(O, None, &["-", "15m", "x:15m", "1h", "4wd", "1h", "15m"], Some("6"), "4 wd + 2 h 30 min"),
            p(
                SC,
                None,
                &["-", "15m", "x:15m", "1wd", "15m", "1h", "4wd", "1h", "1h", "15m"],
                Some("9"),
                "5 wd + 3 h 45 min",
            ),
        ],
    },
    // §3.15: the longer executor norm as a second variant.
    ExpectedService {
        code: "health_insurance_update",
        channels: &[O],
        refusal_receipts: &[(O, "Std app. 3")],
        paths: &[
            p(O, Some("own_student"), &["-", "20m", "30m", "1wd", "30m", "20m"], Some("6"), "1 wd + 1 h 40 min"),
            p(O, Some("other_organisation"), &["-", "20m", "30m", "4wd", "30m", "20m"], Some("6"), "4 wd + 1 h 40 min"),
        ],
    },
];

fn norm(s: &str) -> Norm {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or_else(|| panic!("norm {s:?}"));
    let (n, unit) = s.split_at(split);
    let n: u32 = n.parse().unwrap();
    match unit {
        "m" => Norm::Minutes(n),
        "h" => Norm::Hours(n),
        "wd" => Norm::WorkingDays(n),
        "cd" => Norm::CalendarDays(n),
        _ => panic!("unit in {s:?}"),
    }
}

fn branch(s: &str) -> Branch {
    match s {
        "g" => Branch::Granted,
        "r" => Branch::Refused,
        "x" => Branch::NotAccepted,
        _ => panic!("branch {s:?}"),
    }
}

/// One expected step: (when, single norm, parts).
fn expected_step(s: &str) -> (Branch, Option<Norm>, Vec<(Norm, Branch)>) {
    let (when, rest) = match s.split_once(':') {
        Some((w, r)) => (branch(w), r),
        None => (Branch::Always, s),
    };
    if rest == "-" {
        return (when, None, vec![]);
    }
    if rest.contains('+') {
        let parts = rest
            .split('+')
            .map(|p| match p.split_once('?') {
                Some((n, w)) => (norm(n), branch(w)),
                None => (norm(p), Branch::Always),
            })
            .collect();
        return (when, None, parts);
    }
    (when, Some(norm(rest)), vec![])
}

fn applies(b: Branch, outcome: Outcome) -> bool {
    matches!(
        (b, outcome),
        (Branch::Always, _) | (Branch::Granted, Outcome::Granted) | (Branch::Refused, Outcome::Refused)
    )
}

/// The sum of the expected table, computed here independently of the crate.
fn expected_sum(steps: &[&str], outcome: Outcome) -> Total {
    let mut t = Total::default();
    for s in steps {
        let (when, single, parts) = expected_step(s);
        if !applies(when, outcome) {
            continue;
        }
        for n in single.into_iter().chain(parts.into_iter().filter(|(_, b)| applies(*b, outcome)).map(|(n, _)| n)) {
            match n {
                Norm::Minutes(m) => t.minutes += m,
                Norm::Hours(h) => t.minutes += 60 * h,
                Norm::WorkingDays(d) => t.working_days += d,
                Norm::CalendarDays(d) => t.calendar_days += d,
            }
        }
    }
    t
}

/// A §5 total such as "2 wd + 27 cd + 2 h 45 min" or "≤5 min".
fn digest_total(s: &str) -> Total {
    let mut t = Total::default();
    for term in s.trim_start_matches('≤').split('+') {
        let words: Vec<&str> = term.split_whitespace().collect();
        for pair in words.chunks(2) {
            let n: u32 = pair[0].parse().unwrap_or_else(|_| panic!("number in {s:?}"));
            match pair[1] {
                "wd" => t.working_days += n,
                "cd" => t.calendar_days += n,
                "h" => t.minutes += 60 * n,
                "min" => t.minutes += n,
                other => panic!("unit {other:?} in {s:?}"),
            }
        }
    }
    t
}

/// The §5 count of a path: numbered steps with "2a"/"2b"/"2'" folded into
/// their number, or processes + conditions.
fn count(path: &Path) -> String {
    if path.steps.iter().any(|s| s.n.starts_with("process")) {
        let p = path.steps.iter().filter(|s| s.n.starts_with("process ")).count();
        let c = path.steps.iter().filter(|s| s.n.starts_with("condition ")).count();
        return format!("{p}p+{c}c");
    }
    let mut numbers: Vec<String> = path
        .steps
        .iter()
        .map(|s: &Step| s.n.trim_end_matches(|c: char| c == '\'' || c.is_ascii_lowercase()).to_owned())
        .collect();
    numbers.dedup();
    numbers.len().to_string()
}

#[test]
fn all_sixteen_services_with_their_channels() {
    let c = catalog();
    // Version 3: the family services' real checklists; 4: the facts each
    // result form states; 5: the preschool title of the current Rules
    // (issue 15).
    assert_eq!(c.version, 7);
    let codes: Vec<&str> = c.services.iter().map(|s| s.code.as_str()).collect();
    let expected: Vec<&str> = EXPECTED.iter().map(|e| e.code).collect();
    assert_eq!(codes, expected);
    // Every positive result of the family services states its substance,
    // except the health-insurance notification (a data update, nothing to
    // state); the queue's papers carry the queue's own facts.
    for s in c.services.iter().filter(|s| !matches!(s.code.as_str(), "preschool_queue" | "health_insurance_update")) {
        for r in s.workflow_results() {
            assert!(!r.fields.is_empty(), "{}: {:?} states no fields", s.code, r.kind);
        }
    }
    let allowance = c.service("guardian_allowance").unwrap().workflow_results()[0];
    let kinds: Vec<_> = allowance.fields.iter().map(|f| (f.key.as_str(), f.kind)).collect();
    assert_eq!(
        kinds[..2],
        [
            ("amount", kense_domain::result_fields::ValueKind::Money),
            ("period", kense_domain::result_fields::ValueKind::Period)
        ]
    );
    for e in EXPECTED {
        let s = c.service(e.code).unwrap();
        assert_eq!(s.channels, e.channels, "{}", e.code);
    }
}

/// Every family service has a checklist a clerk can work through: an
/// application, an identity document, and on each channel where packages
/// are handed in, more than one document; each item names its source, and
/// what no act was seen for is marked unverified.
#[test]
fn every_family_service_has_a_real_checklist() {
    use kense_domain::catalog::DocumentKind;
    let c = catalog();
    for s in c.services.iter().filter(|s| s.code != "preschool_queue") {
        assert!(s.documents.iter().all(|d| d.code != "standard_package"), "{}: placeholder left", s.code);
        for ch in s.channels.iter().filter(|ch| **ch != Channel::Portal) {
            let list: Vec<_> = s.documents_for(*ch).collect();
            assert!(list.len() >= 3, "{} on {ch:?}: {} documents", s.code, list.len());
            assert!(list.iter().any(|d| d.code == "application"), "{} on {ch:?}: no application", s.code);
            assert!(list.iter().any(|d| d.code == "identity_document"), "{} on {ch:?}: no identity document", s.code);
        }
        for d in &s.documents {
            assert!(d.source.as_deref().is_some_and(|src| !src.trim().is_empty()), "{}/{}", s.code, d.code);
            // Only the seeds' own e-request is taken from an act; the rest
            // comes from secondary pages (service-documents.md).
            assert_eq!(d.verified, d.code == "e_request", "{}/{}", s.code, d.code);
        }
    }
    // The kinds the sources give, one of each at least.
    let kinds: Vec<&DocumentKind> = c.services.iter().flat_map(|s| s.documents.iter().map(|d| &d.kind)).collect();
    assert!(kinds.contains(&&DocumentKind::RequiredUnlessInIs));
    assert!(kinds.iter().any(|k| k.condition().is_some()));
    assert!(kinds.contains(&&DocumentKind::Optional));
    // Service 11 (foster family): the marriage certificate only when married and not in the IS.
    let foster = c.service("foster_family").unwrap();
    let marriage = foster.documents.iter().find(|d| d.code == "marriage_certificate").unwrap();
    assert!(marriage.kind.condition().is_some_and(|c| c.kk.contains("некеде") && c.ru.contains("в браке")));
}

#[test]
fn services_that_arrive_only_from_the_state_corporation_or_portal_have_no_office() {
    let c = catalog();
    for code in [
        "guardianship_certificate",
        "establish_guardianship",
        "minors_property_certificate",
        "minors_transaction_certificate",
        "guardian_allowance",
    ] {
        let s = c.service(code).unwrap();
        assert!(!s.offered_at(Channel::Office), "{code}");
        assert_eq!(s.documents_for(Channel::Office).count(), 0, "{code}");
        assert!(s.paths_for(Channel::Office).next().is_none(), "{code}");
    }
}

#[test]
fn every_path_has_the_digests_steps_and_norms() {
    let c = catalog();
    for e in EXPECTED {
        let s = c.service(e.code).unwrap();
        assert_eq!(s.paths.len(), e.paths.len(), "{}: number of paths", e.code);
        for ep in e.paths {
            let what = format!("{} {:?}/{:?}", e.code, ep.channel, ep.variant);
            let path = s
                .paths
                .iter()
                .find(|p| p.channel == ep.channel && p.variant.as_deref() == ep.variant)
                .unwrap_or_else(|| panic!("{what}: no such path"));
            assert_eq!(path.steps.len(), ep.steps.len(), "{what}: number of steps");
            for (i, (step, exp)) in path.steps.iter().zip(ep.steps).enumerate() {
                let (when, single, parts) = expected_step(exp);
                assert_eq!(step.when, when, "{what} step {i} ({}): when", step.n);
                assert_eq!(step.norm, single, "{what} step {i} ({}): norm", step.n);
                let got: Vec<(Norm, Branch)> = step.parts.iter().map(|p| (p.norm, p.when)).collect();
                assert_eq!(got, parts, "{what} step {i} ({}): parts", step.n);
            }
            if let Some(n) = ep.count {
                assert_eq!(count(path), n, "{what}: §5 step count");
            }
            assert_eq!(path.stated_total, ep.stated, "{what}: stated total");
        }
    }
}

#[test]
fn derived_totals_of_section_5_are_the_sums_of_the_step_norms() {
    let c = catalog();
    for e in EXPECTED {
        let s = c.service(e.code).unwrap();
        for ep in e.paths {
            let what = format!("{} {:?}/{:?}", e.code, ep.channel, ep.variant);
            let path = s.paths.iter().find(|p| p.channel == ep.channel && p.variant.as_deref() == ep.variant).unwrap();
            let granted = digest_total(ep.granted);
            assert_eq!(expected_sum(ep.steps, Outcome::Granted), granted, "{what}: the digest's table does not add up");
            assert_eq!(path.total(Outcome::Granted), granted, "{what}: catalog total, granted");
            let refused = ep.refused.map(digest_total).unwrap_or(granted);
            assert_eq!(
                expected_sum(ep.steps, Outcome::Refused),
                refused,
                "{what}: the digest's table does not add up (refused)"
            );
            assert_eq!(path.total(Outcome::Refused), refused, "{what}: catalog total, refused");
            // Where the steps carry norms, they add up to the stated term.
            if let Some(stated) = ep.stated {
                let derived = path.total(Outcome::Granted);
                assert!(
                    derived == Total::default() || derived == Total::of(stated),
                    "{what}: stated {stated:?}, derived {derived:?}"
                );
            }
        }
    }
}

#[test]
fn refusal_receipt_forms_per_channel() {
    let c = catalog();
    for e in EXPECTED {
        let s = c.service(e.code).unwrap();
        for ch in e.channels {
            let expected = e.refusal_receipts.iter().find(|(c, _)| c == ch).map(|(_, f)| *f);
            let intake = s.intake_at(*ch).unwrap_or_else(|| panic!("{}: no intake for {ch:?}", e.code));
            assert_eq!(intake.refusal_receipt.as_deref(), expected, "{} {ch:?}", e.code);
        }
        assert_eq!(s.intake.len(), e.channels.len(), "{}", e.code);
    }
}

#[test]
fn providers_names_and_sources() {
    let c = catalog();
    for s in &c.services {
        let expected = if s.code == "preschool_queue" { RuSource::Official } else { RuSource::Translation };
        assert_eq!(s.ru_source, expected, "{}", s.code);
        assert!(!s.source.seeds.is_empty(), "{}", s.code);
    }
    // §1.2 / §7: service 12 is provided by the settlement / rural-district akim.
    let transport = c.service("free_transport").unwrap();
    assert_eq!(transport.provider.kk, "кент, ауылдық округтың әкімі");
    for code in ["guardianship_certificate", "patronage_payment", "meeting_permission", "health_insurance_update"] {
        assert!(c.service(code).unwrap().provider.kk.contains("білім бөлімдері"), "{code}");
    }
    // §7: the seed types service 7's title with Latin "i"; the catalog keeps
    // Cyrillic "і" and says so.
    let s7 = c.service("patronage_payment").unwrap();
    assert!(s7.name.kk.starts_with("Патронат тәрбиешілерге берілген"), "{}", s7.name.kk);
    assert!(!s7.name.kk.contains('i'));
    assert!(s7.notes.iter().any(|n| n.contains("Latin")));
    // The preschool papers carry the current Rules' title (up to 6 years,
    // as the queue's rules count), and say where it comes from.
    let pq = c.service("preschool_queue").unwrap();
    assert_eq!(
        pq.name.ru,
        "Постановка на очередь детей дошкольного возраста (до 6 лет) для направления в дошкольные организации"
    );
    assert!(pq.name.kk.contains("(6 жасқа дейін)"), "{}", pq.name.kk);
    assert!(pq.notes.iter().any(|n| n.contains("No. 254") && n.contains("V2000020883")));
    // The preschool checklist is the one the office intake already uses.
    let office: Vec<&str> = pq.documents_for(Channel::Office).map(|d| d.code.as_str()).collect();
    assert_eq!(office, ["application", "birth_certificate", "identity_document", "priority_right"]);
}
