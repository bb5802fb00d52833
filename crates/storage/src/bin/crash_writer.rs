//! Test harness for the crash tests (tests/crash.rs, and tests/server.rs on
//! the office server), not a tool for offices: registers applications in a
//! loop on the registry at the given path — or, with `--server`, on the
//! server whose settings (JSON) are in `KENSE_WRITER_SERVER` — and prints
//! each number once its transaction has committed, so the parent knows what
//! was acknowledged when it kills this process.

use std::io::Write;

use chrono::{DateTime, Duration, NaiveDate};
use kense_domain::access::{Actor, Role};
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::user::NewUser;
use kense_storage::{Due, Registry, ServerSettings};

const CATALOG: &str = include_str!("../../../../assets/catalog/services.json");
const PW: &str = "crash-test-password";

fn main() {
    let Some(place) = std::env::args().nth(1) else {
        eprintln!("usage: crash_writer <registry.sqlite> | crash_writer --server");
        std::process::exit(2);
    };
    let opened = if place == "--server" {
        std::env::var("KENSE_WRITER_SERVER")
            .map_err(|e| kense_domain::Error::Io(format!("KENSE_WRITER_SERVER: {e}")))
            .and_then(|json| {
                serde_json::from_str::<ServerSettings>(&json).map_err(|e| kense_domain::Error::Io(e.to_string()))
            })
            .and_then(|s| Registry::open_server(&s))
    } else {
        Registry::open(std::path::Path::new(&place))
    };
    if let Err(e) = opened.and_then(run) {
        eprintln!("crash_writer: {e}");
        std::process::exit(1);
    }
}

fn run(mut r: Registry) -> Result<(), kense_domain::Error> {
    let start = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+05:00")
        .map_err(|e| kense_domain::Error::Io(e.to_string()))?;
    r.install_catalog(CATALOG, start)?;
    let clerk = if r.has_users()? {
        // The account made by the first round; logging in again would spend
        // each round's short life on Argon2.
        Actor {
            user_id: 1,
            login: "clerk".into(),
            full_name: "Crash Clerk".into(),
            roles: vec![Role::Administrator, Role::Clerk],
        }
    } else {
        let u = NewUser::validate("clerk", "Crash Clerk", vec![Role::Administrator, Role::Clerk])?;
        r.create_first_administrator(&u, PW, PW, start)?
    };
    let (_, catalog) = r.catalog()?;
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
    let draft = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: "Апатқа Төзімді Сынақ".into(),
        applicant_phone: "+7 701 000 00 00".into(),
        child_iin: "150315500015".into(),
        child_name: "Бала".into(),
        child_birth_date: "2022-01-01".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        // The same child again and again: each is a deliberate re-registration.
        duplicate_reason: "crash test".into(),
        ..Default::default()
    };
    let app = NewApplication::validate(&draft, &catalog, today)?;
    let out = std::io::stdout();
    for i in 0.. {
        let reg = r.register_application(&clerk, &app, Due::default(), start + Duration::seconds(i))?;
        let mut lock = out.lock();
        // A number printed here is acknowledged: its transaction committed.
        let _ = writeln!(lock, "{}", reg.number);
        let _ = lock.flush();
    }
    Ok(())
}
