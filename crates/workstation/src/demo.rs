//! A populated demo office (`kense --demo` on an empty data directory), so a
//! newcomer sees the registry at work. Everything goes through the same
//! validated paths as a clerk's input; nothing is written behind them.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use kense_domain::access::Role;
use kense_domain::application::{ApplicationDraft, Channel, NewApplication};
use kense_domain::calendar::WorkingCalendar;
use kense_domain::iin::check_digit;
use kense_domain::queue::{Group, GroupDraft, Kindergarten, KindergartenDraft, QueueClaim, QueueClaimDraft};
use kense_domain::user::NewUser;
use kense_domain::workflow::{Command, Status};
use kense_domain::Error;
use kense_storage::{Registry, Route};

use crate::due_on_entering;

/// Demo accounts, all with [`DEMO_PASSWORD`]: `admin` (administrator and
/// clerk), `head` (head) and `executor` (executor).
pub const DEMO_LOGIN: &str = "admin";
pub const DEMO_PASSWORD: &str = "kense-demo-2026";

const PARENTS: [(&str, &str); 6] = [
    ("Жұмабаева Әйгерім Серікқызы", "Жұмабаев Нұрсұлтан"),
    ("Қасымов Ерлан Бауыржанұлы", "Қасымова Аяулым"),
    ("Өтегенова Гүлжан Маратқызы", "Өтегенов Әлихан"),
    ("Иванова Ольга Петровна", "Иванов Тимур"),
    ("Сүлейменов Дәурен Қайратұлы", "Сүлейменова Інжу"),
    ("Ғабдуллина Күнсұлу Һадиқызы", "Ғабдуллин Ұлан"),
];

/// A synthetic IIN with a correct check digit (not a real person's).
fn synthetic_iin(birth: NaiveDate, century_sex: u32, serial: u32) -> String {
    let prefix = format!("{}{century_sex}{serial:04}", birth.format("%y%m%d"));
    (0..20)
        .map(|bump| format!("{}{:04}", &prefix[..7], (serial + bump) % 10_000))
        .find_map(|p| {
            let digits: Vec<u32> = p.bytes().map(|b| u32::from(b - b'0')).collect();
            check_digit(&digits).map(|c| format!("{p}{c}"))
        })
        .unwrap_or_default()
}

pub fn populate(registry: &mut Registry, calendar: &WorkingCalendar, now: DateTime<FixedOffset>) -> Result<(), Error> {
    let user = NewUser::validate(DEMO_LOGIN, "Демо Әкімші", vec![Role::Administrator, Role::Clerk])?;
    let admin = registry.create_first_administrator(&user, DEMO_PASSWORD, DEMO_PASSWORD, now)?;
    let head = NewUser::validate("head", "Демо Басшы Ержан", vec![Role::Head])?;
    registry.create_user(&admin, &head, DEMO_PASSWORD, DEMO_PASSWORD, now)?;
    let executor = NewUser::validate("executor", "Демо Орындаушы Гүлнар", vec![Role::Executor])?;
    let executor_id = registry.create_user(&admin, &executor, DEMO_PASSWORD, DEMO_PASSWORD, now)?.id;
    let head = registry.log_in("head", DEMO_PASSWORD, now)?;
    let catalog = registry.installed_catalog(registry.catalog()?.0)?;
    let kindergartens = demo_kindergartens(registry, &admin, now)?;
    let rules = registry.queue_rules()?;
    let mut registered = Vec::new();
    for (i, (parent, child)) in PARENTS.iter().enumerate() {
        let i = i as u32;
        let child_birth = NaiveDate::from_ymd_opt(2021 + (i % 4) as i32, 1 + i, 3 + 4 * i).unwrap_or_default();
        let parent_birth = NaiveDate::from_ymd_opt(1988 + i as i32, 2 + i, 10 + i).unwrap_or_default();
        let mut documents =
            vec!["application".to_owned(), "birth_certificate".to_owned(), "identity_document".to_owned()];
        if i == 4 {
            // One incomplete package, so the journal shows a refusal too.
            documents.retain(|d| d != "birth_certificate");
        }
        let draft = ApplicationDraft {
            service_code: "preschool_queue".into(),
            applicant_iin: synthetic_iin(parent_birth, 3 + (i % 2), 100 + i),
            applicant_name: (*parent).into(),
            applicant_phone: format!("+7 70{} 555 {:02} {:02}", i, 10 + i, 20 + i),
            applicant_address: "Қызылорда қ., Абай даңғылы, 1".into(),
            child_iin: synthetic_iin(child_birth, 5 + (i % 2), 200 + i),
            child_name: (*child).into(),
            child_birth_date: child_birth.to_string(),
            documents,
            consent: true,
            queue: Some(QueueClaimDraft {
                category: ["general", "large_family", "military"][(i % 3) as usize].into(),
                preferences: if i.is_multiple_of(2) {
                    vec![kindergartens[0]]
                } else {
                    vec![kindergartens[1], kindergartens[0]]
                },
                ..Default::default()
            }),
            ..Default::default()
        };
        let at = now - Duration::minutes(i64::from(30 * (6 - i)));
        let mut app = NewApplication::validate(&draft, &catalog, at.date_naive())?;
        app.queue = QueueClaim::for_application(&app, draft.queue.as_ref(), &rules, at.date_naive())?;
        let due = due_on_entering(calendar, &Route::of_new(catalog.clone(), &app), app.intake(), at);
        registered.push((registry.register_application(&admin, &app, due, at)?, app.service_code.clone()));
    }
    // Some work in progress, so that every desk has something on it.
    let step =
        |r: &mut Registry, id: i64, service: &str, by: &kense_domain::access::Actor, from: Status, command: Command| {
            let to = kense_domain::workflow::next(from, command.step()).unwrap_or(from);
            let route = Route {
                catalog: catalog.clone(),
                service_code: service.to_owned(),
                channel: Channel::Office,
                variant: None,
            };
            let due = due_on_entering(calendar, &route, to, now);
            r.take_step(by, id, from, &command, due, now).map(|_| ())
        };
    for (reg, service) in registered.iter().take(3) {
        step(registry, reg.id, service, &admin, Status::Accepted, Command::SendToHead)?;
    }
    for (reg, service) in registered.iter().take(2) {
        step(registry, reg.id, service, &head, Status::WithHead, Command::AssignExecutor { executor_id })?;
    }
    // The large family's certificate checked by the head.
    if let Some((reg, _)) = registered.get(1) {
        registry.confirm_priority(&head, reg.id, "Көп балалы отбасы куәлігі № 1547", now.date_naive(), now)?;
    }
    log::info!("demo registry populated");
    Ok(())
}

/// Two kindergartens with a group for each birth year the demo queues.
fn demo_kindergartens(
    registry: &mut Registry,
    admin: &kense_domain::access::Actor,
    now: DateTime<FixedOffset>,
) -> Result<Vec<i64>, Error> {
    let mut ids = Vec::new();
    for (kk, ru, address_kk, address_ru) in [
        (
            "«Күншуақ» бөбекжай-бақшасы",
            "Ясли-сад «Кюншуак»",
            "Қызылорда қ., Абай даңғылы, 12",
            "г. Кызылорда, пр. Абая, 12",
        ),
        (
            "«Балдәурен» балабақшасы",
            "Детский сад «Балдаурен»",
            "Қызылорда қ., Жібек жолы к-сі, 5",
            "г. Кызылорда, ул. Жибек жолы, 5",
        ),
    ] {
        let k = Kindergarten::validate(&KindergartenDraft {
            name_kk: kk.into(),
            name_ru: ru.into(),
            address_kk: address_kk.into(),
            address_ru: address_ru.into(),
            ownership: "state".into(),
        })?;
        let id = registry.add_kindergarten(admin, &k, now)?;
        for (year, name) in [(2021, "Мектепалды"), (2022, "Ересек"), (2023, "Ортаңғы"), (2024, "Кіші")]
        {
            let g = Group::validate(
                &GroupDraft {
                    kindergarten_id: id,
                    name: name.into(),
                    birth_year: year,
                    language: "kk".into(),
                    special: false,
                    capacity: 25,
                },
                now.date_naive(),
            )?;
            registry.add_group(admin, &g, now)?;
        }
        ids.push(id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kense_domain::iin::Iin;
    use kense_domain::Field;

    #[test]
    fn the_demo_office_has_work_on_every_desk() {
        use kense_storage::ApplicationQuery;
        let dir = std::env::temp_dir().join(format!("kense-demo-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T11:00:00+05:00").unwrap();
        let mut r = Registry::open(&dir.join("registry.sqlite")).unwrap();
        r.install_catalog(crate::CATALOG_JSON, now).unwrap();
        populate(&mut r, &WorkingCalendar::parse(crate::CALENDAR_JSON).unwrap(), now).unwrap();
        let admin = r.log_in(DEMO_LOGIN, DEMO_PASSWORD, now).unwrap();
        let all = r.search(&admin, &ApplicationQuery { limit: 50, ..Default::default() }, now).unwrap();
        assert_eq!(all.len(), PARENTS.len());
        let executor = r.log_in("executor", DEMO_PASSWORD, now).unwrap();
        let mine =
            r.search(&executor, &ApplicationQuery { worklist: true, limit: 50, ..Default::default() }, now).unwrap();
        assert_eq!(mine.len(), 2, "two applications wait for the demo executor");
        let waiting: i64 = r.queue_years(&admin, now).unwrap().iter().map(|y| y.waiting).sum();
        assert_eq!(waiting, PARENTS.len() as i64 - 1, "every complete preschool application is queued");
        assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn synthetic_iins_are_valid() {
        for s in 0..200 {
            let iin = synthetic_iin(NaiveDate::from_ymd_opt(2022, 3, 9).unwrap(), 5, s);
            assert!(Iin::parse(Field::Iin, &iin).is_ok(), "{iin}");
        }
    }
}
