//! What the backup and fault tests share: a registry with an administrator
//! who is also a clerk, and a valid preschool-queue application.

#![allow(dead_code)]

pub mod engine;
pub mod office;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use kense_domain::access::{Actor, Role};
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::catalog::Catalog;
use kense_domain::user::NewUser;
use kense_storage::{Due, Registered, Registry};

pub const CATALOG: &str = include_str!("../../../../assets/catalog/services.json");
pub const PASSWORD: &str = "құпия сөз 2026";

pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-24T10:15:30+05:00").unwrap()
}

pub fn later(minutes: i64) -> DateTime<FixedOffset> {
    now() + Duration::minutes(minutes)
}

/// A valid application; `n` varies the child so that none is a duplicate.
pub fn application(n: u32) -> NewApplication {
    let catalog = Catalog::parse(CATALOG).unwrap();
    let draft = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: format!("Сәрсенбаева Гүлнұр {n}"),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: "150315500015".into(),
        child_name: format!("Сәрсенбаев Әлихан {n}"),
        child_birth_date: "2022-05-04".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        duplicate_reason: if n == 0 { String::new() } else { format!("тест {n}") },
        ..Default::default()
    };
    NewApplication::validate(&draft, &catalog, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).unwrap()
}

pub fn register(r: &mut Registry, actor: &Actor, n: u32) -> Result<Registered, kense_domain::Error> {
    r.register_application(actor, &application(n), Due::default(), now())
}

/// A registry with its catalog and a first administrator who is also a clerk.
pub fn fresh(path: &std::path::Path) -> (Registry, Actor) {
    let mut r = Registry::open(path).unwrap();
    r.seal_after_upgrade(now()).unwrap();
    r.install_catalog(CATALOG, now()).unwrap();
    let user = NewUser::validate("admin", "Әкімші Бақытжан", vec![Role::Administrator, Role::Clerk]).unwrap();
    let actor = r.create_first_administrator(&user, PASSWORD, PASSWORD, now()).unwrap();
    (r, actor)
}

/// A second account with only `role`.
pub fn someone(r: &mut Registry, admin: &Actor, login: &str, role: Role) -> Actor {
    let user = NewUser::validate(login, "Басқа Қызметкер", vec![role]).unwrap();
    r.create_user(admin, &user, PASSWORD, PASSWORD, now()).unwrap();
    r.log_in(login, PASSWORD, now()).unwrap()
}

/// The numbers in the journal, in order.
pub fn numbers(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT number FROM applications ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// (action, after) of the newest audit event.
pub fn last_event(path: &std::path::Path) -> (String, Option<String>) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT action, after FROM audit_events ORDER BY seq DESC LIMIT 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}
