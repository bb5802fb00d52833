//! Preschool queue figures: the domain's order of 100 000 children and its
//! distribution of 500 places (pure computation), then the same on a real
//! registry file — a number change that moves a whole birth year (stored
//! numbers and one history row per moved child), and a distribution of 500
//! places previewed and committed (referrals, places, numbers, history).
//!
//! `cargo bench -p kense-storage --bench queue` (KENSE_BENCH_CHILDREN,
//! default 100 000; KENSE_BENCH_PLACES, default 500).

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use kense_domain::access::Role;
use kense_domain::calendar::WorkingCalendar;
use kense_domain::queue::{
    distribute, positions, Assignment, EntryState, FreePlace, Group, GroupDraft, Kindergarten, KindergartenDraft,
    Places, PlacesDraft, QueueEntry, QueueRules, Tier,
};
use kense_domain::user::NewUser;
use kense_storage::Registry;

const CATALOG: &str = include_str!("../../../assets/catalog/services.json");
const CALENDAR: &str = include_str!("../../../assets/calendar/kz.json");
const YEARS: [i32; 5] = [2021, 2022, 2023, 2024, 2025];
const KINDERGARTENS: i64 = 20;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    ms(v[v.len() / 2])
}

/// A deterministic spread of tiers, moments and preferences.
fn child(i: i64) -> QueueEntry {
    let base = NaiveDateTime::parse_from_str("2021-01-01 09:00:00", "%Y-%m-%d %H:%M:%S").expect("base");
    QueueEntry {
        id: i + 1,
        birth_year: YEARS[(i % 5) as usize],
        registered_at: base + chrono::Duration::minutes(i * 7 % 2_000_000),
        tier: match i % 50 {
            0 => Tier::Extraordinary,
            1..=8 => Tier::First,
            _ => Tier::General,
        },
        preferences: (0..(i % 4 + 1)).map(|k| (i + k * 7) % KINDERGARTENS + 1).collect(),
        desired_start: None,
        special_needs: i % 97 == 0,
        state: EntryState::Waiting,
    }
}

fn main() {
    let children: i64 = std::env::var("KENSE_BENCH_CHILDREN").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let places: i64 = std::env::var("KENSE_BENCH_PLACES").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let rules = QueueRules::shipped().expect("rules");
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");

    // Pure domain.
    let entries: Vec<QueueEntry> = (0..children).map(child).collect();
    let free: Vec<FreePlace> = (0..places)
        .map(|p| FreePlace {
            id: p + 1,
            kindergarten: p % KINDERGARTENS + 1,
            birth_year: YEARS[(p % 4 + 1) as usize],
            special: false,
        })
        .collect();
    let order_ms = median(
        (0..15)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(positions(&entries, &rules));
                t.elapsed()
            })
            .collect(),
    );
    let distribute_ms = median(
        (0..15)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(distribute(&entries, &free, &rules, today).expect("distribution"));
                t.elapsed()
            })
            .collect(),
    );

    // A real registry file.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("queue.sqlite");
    let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+05:00").expect("time");
    let mut r = Registry::open(&path).expect("open");
    r.install_catalog(CATALOG, now).expect("catalog");
    let u = NewUser::validate("bench", "Bench", vec![Role::Administrator, Role::Clerk, Role::Head]).expect("user");
    let admin = r.create_first_administrator(&u, "bench-password", "bench-password", now).expect("admin");
    let executor_user = NewUser::validate("exec", "Exec", vec![Role::Executor]).expect("user");
    r.create_user(&admin, &executor_user, "bench-password", "bench-password", now).expect("executor");
    let executor = r.log_in("exec", "bench-password", now).expect("log in");
    let mut groups = Vec::new();
    for k in 1..=KINDERGARTENS {
        let kg = Kindergarten::validate(&KindergartenDraft {
            name_kk: format!("№ {k} балабақша"),
            name_ru: format!("Детский сад № {k}"),
            ownership: "state".into(),
            ..Default::default()
        })
        .expect("kindergarten");
        let id = r.add_kindergarten(&admin, &kg, now).expect("add kindergarten");
        for year in YEARS {
            let g = Group::validate(
                &GroupDraft {
                    kindergarten_id: id,
                    name: format!("{year}"),
                    birth_year: year,
                    language: "kk".into(),
                    special: false,
                    capacity: 100,
                },
                today,
            )
            .expect("group");
            groups.push((r.add_group(&admin, &g, now).expect("add group"), year));
        }
    }
    drop(r);

    let t = Instant::now();
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {children} - 1)
         INSERT INTO applications (id, number, series, year, seq, registered_at, registered_by, catalog_version, service_code,
              service_name_kk, service_name_ru, channel, status, applicant_iin, applicant_name, applicant_phone, applicant_address,
              child_iin, child_name, child_birth_date, consent, notes, search_text)
         SELECT i + 1, printf('01-2026-%06d', i + 1), '01', 2026, i + 1, '2026-01-01T09:00:00+05:00', 1,
                (SELECT MAX(version) FROM catalog_versions), 'preschool_queue', 'Кезекке қою', 'Постановка на очередь', 'office', 'issued',
                printf('%012d', 800000000000 + i), 'Ата-ана', '+7 701 000 00 00', '', printf('%012d', 200000000000 + i), 'Бала',
                printf('%d-06-01', 2021 + i % 5), 1, '', 'ата-ана'
         FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {children} - 1)
         INSERT INTO queue_entries (application_id, child_iin, birth_year, queued_at, category, tier, state)
         SELECT i + 1, printf('%012d', 200000000000 + i), 2021 + i % 5,
                strftime('%Y-%m-%dT%H:%M:%S', '2021-01-01 09:00:00', printf('+%d minutes', (i * 7) % 2000000)),
                CASE WHEN i % 50 = 0 THEN 'military' WHEN i % 50 <= 8 THEN 'large_family' ELSE 'general' END,
                CASE WHEN i % 50 = 0 THEN 'extraordinary' WHEN i % 50 <= 8 THEN 'first' ELSE 'general' END,
                'waiting'
         FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {children} - 1)
         INSERT INTO queue_preferences (application_id, rank, kindergarten_id)
         SELECT i + 1, 1, (i / 5) % {KINDERGARTENS} + 1 FROM n
         UNION ALL
         SELECT i + 1, 2, ((i / 5) + 7) % {KINDERGARTENS} + 1 FROM n WHERE i % 3 = 0;
         COMMIT;"
    ))
    .expect("bulk rows");
    drop(conn);
    let fill = t.elapsed();

    let mut r = Registry::open(&path).expect("reopen");
    // Numbers for everyone: the first reorder of each year (a confirmation of
    // the newest child's priority moves it to the top and everyone behind it).
    let newest_of_year = |year: i32| -> i64 {
        (0..children).rev().find(|i| 2021 + (i % 5) as i32 == year && i % 50 > 8).expect("a general child") + 1
    };
    let mut first_numbering = Vec::new();
    for year in YEARS {
        let t = Instant::now();
        r.confirm_priority(&executor, newest_of_year(year), "bench", today, now).ok();
        first_numbering.push(t.elapsed());
    }
    // Then the timed case: a confirmed priority in a numbered year.
    let id = newest_of_year(2023) - 5;
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute("UPDATE queue_entries SET category = 'large_family' WHERE application_id = ?1", [id]).expect("claim");
    drop(conn);
    let t = Instant::now();
    r.confirm_priority(&executor, id, "Көп балалы отбасы куәлігі", today, now).expect("confirm");
    let confirm = t.elapsed();

    for (i, (group, _)) in groups.iter().enumerate() {
        let n = places / groups.len() as i64 + i64::from((i as i64) < places % groups.len() as i64);
        if n > 0 {
            let p = Places::validate(&PlacesDraft { group_id: *group, count: n, protocol: "bench".into() })
                .expect("places");
            r.declare_places(&executor, &p, now).expect("declare");
        }
    }
    let t = Instant::now();
    let preview = r.preview_distribution(&executor, now).expect("preview");
    let preview_time = t.elapsed();
    let plan: Vec<Assignment> =
        preview.iter().map(|p| Assignment { place: p.place_id, entry: p.application_id }).collect();
    let cal = WorkingCalendar::parse(CALENDAR).expect("calendar");
    let t = Instant::now();
    let issued = r.distribute(&admin, &plan, &cal, now).expect("distribute");
    let commit = t.elapsed();
    // Steady state: the sweep runs before every queue read.
    r.sweep_queue(now).expect("first sweep");
    let sweep = median(
        (0..15)
            .map(|_| {
                let t = Instant::now();
                r.sweep_queue(now).expect("sweep");
                t.elapsed()
            })
            .collect(),
    );

    if let Ok(keep) = std::env::var("KENSE_BENCH_KEEP") {
        drop(r);
        std::fs::copy(&path, keep).expect("keep the file");
    }
    println!("Preschool queue: {children} children in {} birth-year queues, {places} free places in {KINDERGARTENS} kindergartens", YEARS.len());
    println!("| measure | figure |");
    println!("|---|---|");
    println!("| order and number all children (domain, median of 15) | {order_ms:.1} ms |");
    println!("| distribute {places} places (domain, median of 15) | {distribute_ms:.1} ms |");
    println!("| bulk fill of the file | {:.1} s |", fill.as_secs_f64());
    println!(
        "| first numbering of a birth year (~{} children, numbers and history written) | {:.0} ms median |",
        children / 5,
        median(first_numbering)
    );
    println!("| priority confirmed: one year renumbered, history rows for every moved child | {:.0} ms |", ms(confirm));
    println!("| preview distribution ({} referrals proposed) | {:.0} ms |", preview.len(), ms(preview_time));
    println!("| commit distribution ({} referrals, numbers and history) | {:.0} ms |", issued.len(), ms(commit));
    println!("| office clock's sweep with nothing due (median of 15) | {sweep:.2} ms |");
}
