//! An office of four people on a fresh registry, as the queue and desk
//! tests start from: an administrator, a clerk, the head and an executor.

use chrono::{DateTime, FixedOffset, NaiveDate};
use kense_domain::access::{Actor, Role};
use kense_domain::catalog::Catalog;
use kense_domain::queue::QueueRules;
use kense_domain::user::NewUser;
use kense_storage::Registry;

use super::CATALOG;

pub const CALENDAR: &str = include_str!("../../../../assets/calendar/kz.json");
pub const PW: &str = "құпия сөз 2026";

pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// A valid IIN for a child born on `born` (2000s), the `n`-th of the day.
pub fn child_iin(born: NaiveDate, n: u32) -> String {
    for serial in n * 10..n * 10 + 10 {
        let prefix = format!("{}5{:04}", born.format("%y%m%d"), serial);
        let digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
        if let Some(c) = kense_domain::iin::check_digit(&digits) {
            return format!("{prefix}{c}");
        }
    }
    panic!("no IIN for {born} {n}");
}

pub struct Office {
    pub r: Registry,
    pub clerk: Actor,
    pub head: Actor,
    pub executor: Actor,
    pub admin: Actor,
    pub catalog: Catalog,
    pub rules: QueueRules,
    /// Where the registry is, for an outside hand's look.
    pub place: super::engine::Place,
    _dir: tempfile::TempDir,
}

/// The office, set up at `moment` (RFC 3339), on the engine the suite runs on.
pub fn office(moment: &str) -> Office {
    let dir = tempfile::tempdir().unwrap();
    let place = super::engine::Place::new(dir.path());
    office_at_place(place, dir, moment)
}

/// The office in a given place.
pub fn office_in(place: super::engine::Place, moment: &str) -> Office {
    office_at_place(place, tempfile::tempdir().unwrap(), moment)
}

fn office_at_place(place: super::engine::Place, dir: tempfile::TempDir, moment: &str) -> Office {
    let now = at(moment);
    let mut r = place.open();
    r.seal_after_upgrade(now).unwrap();
    r.install_catalog(CATALOG, now).unwrap();
    let admin_user = NewUser::validate("admin", "Әкімші", vec![Role::Administrator]).unwrap();
    let admin = r.create_first_administrator(&admin_user, PW, PW, now).unwrap();
    let mut add = |login: &str, name: &str, roles: Vec<Role>| {
        let u = NewUser::validate(login, name, roles).unwrap();
        r.create_user(&admin, &u, PW, PW, now).unwrap();
        r.log_in(login, PW, now).unwrap()
    };
    let clerk = add("clerk", "Тіркеуші Айгүл", vec![Role::Clerk]);
    let head = add("head", "Басшы Бақыт", vec![Role::Head]);
    let executor = add("exec", "Орындаушы Гүлнар", vec![Role::Executor]);
    Office {
        r,
        clerk,
        head,
        executor,
        admin,
        catalog: Catalog::parse(CATALOG).unwrap(),
        rules: QueueRules::shipped().unwrap(),
        place,
        _dir: dir,
    }
}

impl Office {
    /// A registry with a record in every sealed table: two queued children,
    /// one of them referred and enrolled; a guardianship certificate taken
    /// through the whole workflow (signed with the head's certificate) and
    /// handed over; a correction, a print, a calendar year, a stamp, a
    /// trusted certificate and the verification secret. Returns the
    /// guardianship application's id.
    pub fn populated(&mut self) -> i64 {
        use kense_domain::application::{ApplicationDraft, NewApplication};
        use kense_domain::calendar::{WorkingCalendar, YearRules};
        use kense_domain::catalog::Channel;
        use kense_domain::queue::{
            Group, GroupDraft, Kindergarten, KindergartenDraft, Places, PlacesDraft, QueueClaim, QueueClaimDraft,
            ReferralStatus, ReferralStep,
        };
        use kense_domain::workflow::{Command, Handover, Outcome, Status};
        use kense_storage::{Due, KeyOrigin, Printed};

        let now = at("2026-11-02T10:00:00+05:00");
        let k = Kindergarten::validate(&KindergartenDraft {
            name_kk: "«Күншуақ» балабақшасы".into(),
            name_ru: "Детский сад «Кюншуак»".into(),
            address_kk: "Қандыағаш қ.".into(),
            address_ru: "г. Кандыагаш".into(),
            ownership: "state".into(),
        })
        .unwrap();
        let kg = self.r.add_kindergarten(&self.head, &k, now).unwrap();
        let group = GroupDraft {
            kindergarten_id: kg,
            name: "Балдырған".into(),
            birth_year: 2022,
            language: "kk".into(),
            special: false,
            capacity: 20,
        };
        let g = self.r.add_group(&self.admin, &Group::validate(&group, now.date_naive()).unwrap(), now).unwrap();
        let born = NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
        for n in 1..=2 {
            let d = ApplicationDraft {
                service_code: "preschool_queue".into(),
                applicant_iin: "900101300007".into(),
                applicant_name: format!("Ата-ана {n}"),
                applicant_phone: "+7 701 000 11 22".into(),
                child_iin: child_iin(born, n),
                child_name: format!("Бала Әлихан {n}"),
                child_birth_date: born.to_string(),
                documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
                consent: true,
                queue: Some(QueueClaimDraft { category: String::new(), preferences: vec![kg], ..Default::default() }),
                ..Default::default()
            };
            let mut app = NewApplication::validate(&d, &self.catalog, now.date_naive()).unwrap();
            app.queue = QueueClaim::for_application(&app, d.queue.as_ref(), &self.rules, now.date_naive()).unwrap();
            self.r.register_application(&self.clerk, &app, Due::default(), now).unwrap();
        }
        let places = Places::validate(&PlacesDraft { group_id: g, count: 1, protocol: "Хаттама № 1".into() }).unwrap();
        self.r.declare_places(&self.executor, &places, now).unwrap();
        let plan = self.r.preview_distribution(&self.head, now).unwrap();
        let assignments: Vec<_> = plan
            .iter()
            .map(|p| kense_domain::queue::Assignment { place: p.place_id, entry: p.application_id })
            .collect();
        let calendar = WorkingCalendar::parse(CALENDAR).unwrap();
        let referral = self.r.distribute(&self.head, &assignments, &calendar, now).unwrap().remove(0);
        self.r
            .referral_step(&self.executor, referral.id, ReferralStatus::Issued, ReferralStep::Present, "", now)
            .unwrap();

        let d = ApplicationDraft {
            service_code: "guardianship_certificate".into(),
            channel: Some(Channel::StateCorporation),
            applicant_iin: "900101300007".into(),
            applicant_name: "Қамқоршы Сәуле".into(),
            applicant_phone: "+7 701 000 11 22".into(),
            child_iin: child_iin(born, 7),
            child_name: "Бала Дана".into(),
            child_birth_date: born.to_string(),
            documents: vec!["application".into(), "identity_document".into(), "birth_certificate".into()],
            consent: true,
            ..Default::default()
        };
        let app = NewApplication::validate(&d, &self.catalog, now.date_naive()).unwrap();
        let id = self.r.register_application(&self.clerk, &app, Due::default(), now).unwrap().id;
        let mut corrected = app.clone();
        corrected.applicant.name = "Қамқоршы Сәуле Ержанқызы".into();
        self.r.correct_application(&self.clerk, id, Status::Accepted, &corrected, "құжат бойынша", now).unwrap();
        let steps = [
            (&self.clerk, Status::Accepted, Command::SendToHead),
            (&self.head, Status::WithHead, Command::AssignExecutor { executor_id: self.executor.user_id }),
            (&self.executor, Status::WithExecutor, Command::PrepareResult { outcome: Outcome::positive(0) }),
            (&self.head, Status::ResultPrepared, Command::Sign),
            (
                &self.clerk,
                Status::Signed,
                // It came through the State Corporation, so it goes back there.
                Command::Issue {
                    handover: Handover::StateCorporation, received_by: "Қамқоршы Сәуле".into()
                },
            ),
        ];
        let head_iin = kense_domain::iin::Iin::parse(kense_domain::Field::UserIin, "780415300126").unwrap();
        self.r.set_user_iin(&self.admin, self.head.user_id, Some(&head_iin), now).unwrap();
        let certificate = kense_storage::CertificateSignature {
            method: kense_storage::SigningMethod::KeyFile,
            signer_name: "БАСШЫ БАҚЫТ",
            signer_iin: "780415300126",
            signer_bin: None,
            cert_serial: "1A2B",
            cert_issuer: "CN=Test НУЦ РК (RSA)",
            cert_sha256: &"C".repeat(64),
            base_sha256: &"a".repeat(64),
            signed_sha256: &"b".repeat(64),
            signed_pdf: b"%PDF signed",
            kind: "result",
            copy: 1,
            verification: "K1|01-2026-00003|result|1|x|y|s",
            file_name: "01-2026-00003-result-signed.pdf",
        };
        for (who, from, command) in steps {
            if command == Command::Sign {
                self.r.sign_result_with_certificate(who, id, from, &certificate, Due::default(), now).unwrap();
            } else {
                self.r.take_step(who, id, from, &command, Due::default(), now).unwrap();
            }
        }
        let trusted = kense_storage::NewTrustedFile {
            kind: "certificate",
            name: "CN=Test НУЦ РК (RSA)",
            sha256: &"D".repeat(64),
            der: b"der",
            valid_from: "Jan  1 00:00:00 2026 GMT",
            valid_until: None,
        };
        self.r.import_trusted_file(&self.admin, &trusted, now).unwrap();
        let printed = Printed {
            application_id: id,
            kind: "result",
            copy: 2,
            sha256: "ab",
            verification: "K1|01-2026-00003|result|1|x|y|z",
            file_name: "01-2026-00003-result-copy2.pdf",
        };
        self.r.record_printed(&self.clerk, kense_domain::access::Action::PrintDocument, &printed, now).unwrap();
        let year: YearRules = serde_json::from_str(r#"{"kurban_ait": "2027-05-17", "transfers": []}"#).unwrap();
        self.r.set_calendar_year(&self.admin, 2027, &year, now, &|_| kense_storage::Due::default()).unwrap();
        self.r.set_stamp(&self.admin, Some((b"\x89PNG stamp".as_slice(), "cd")), now).unwrap();
        self.r.install_verification_key(&[7u8; 32], KeyOrigin::New, now).unwrap();
        // The office's own catalog version (its origin is a late column).
        let mut next = self.catalog.clone();
        next.version += 1;
        next.services[0].documents[0].verified = true;
        self.r
            .save_catalog(&self.admin, self.catalog.version, &next, kense_storage::CatalogOrigin::Edited, now)
            .unwrap();
        id
    }
}
