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
    _dir: tempfile::TempDir,
}

/// The office, set up at `moment` (RFC 3339).
pub fn office(moment: &str) -> Office {
    let dir = tempfile::tempdir().unwrap();
    let now = at(moment);
    let mut r = Registry::open(&dir.path().join("r.sqlite")).unwrap();
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
        _dir: dir,
    }
}
