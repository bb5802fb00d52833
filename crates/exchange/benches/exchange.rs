//! Import and export figures on a real registry file: a queue workbook of
//! 5 000 and 50 000 children (typed cells as Excel writes them) read with
//! calamine, checked by the domain, dry-run and imported in one
//! transaction; then a year's journal of 20 000 applications (brought in as
//! history) exported to XLSX and CSV.
//!
//! `cargo bench -p kense-exchange` (KENSE_BENCH_IMPORT_ROWS, default
//! "5000,50000"; KENSE_BENCH_JOURNAL_ROWS, default 20 000). With the
//! `KENSE_TEST_PG_*` settings `scripts/pg-cluster start` prints, the same
//! again on the office server, each run in a database of its own
//! (`createdb`), so the two engines' figures stand side by side;
//! `KENSE_BENCH_PG=1` insists on them.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate};
use kense_domain::access::Role;
use kense_domain::import::{history, queue};
use kense_domain::user::NewUser;
use kense_exchange::read_bytes;
use kense_exchange::registers::{export_journal, FileFormat};
use kense_storage::{ImportFile, Registry, ServerSettings};
use rust_xlsxwriter::{Format, Workbook};

const CATALOG: &str = include_str!("../../../assets/catalog/services.json");
const PW: &str = "құпия сөз 2026";

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn iin(prefix: String) -> String {
    (0..10)
        .map(|c| format!("{prefix}{c}"))
        .find(|s| kense_domain::iin::Iin::parse(kense_domain::Field::Iin, s).is_ok())
        .unwrap_or_default()
}

/// A workbook of `n` children, born 2021–2025, as an office's Excel has them.
fn queue_workbook(n: usize) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, col) in queue::COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, col.header()).expect("header");
    }
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let moment = Format::new().set_num_format("dd.mm.yyyy hh:mm:ss");
    let mut k = 0usize;
    let mut row = 1u32;
    while (row as usize) <= n {
        k += 1;
        let born = NaiveDate::from_ymd_opt(2021, 1, 1).expect("date") + chrono::Duration::days((k % 1_800) as i64);
        let child = iin(format!("{}5{:04}", born.format("%y%m%d"), k / 1_800 % 10_000));
        if child.is_empty() {
            continue;
        }
        let applied = born.and_hms_opt(9, 0, 0).expect("time")
            + chrono::Duration::days(30 + (k * 7 % 300) as i64)
            + chrono::Duration::seconds((k * 37 % 28_000) as i64);
        ws.write_string(row, 0, format!("К-{k}")).expect("cell");
        ws.write_datetime_with_format(row, 1, applied, &moment).expect("cell");
        ws.write_string(row, 2, &child).expect("cell");
        ws.write_string(row, 3, format!("Бала Әлихан {k}")).expect("cell");
        ws.write_datetime_with_format(row, 4, born, &date).expect("cell");
        ws.write_string(row, 5, "900101300007").expect("cell");
        ws.write_string(row, 6, format!("Ата-ана Гүлнұр {k}")).expect("cell");
        ws.write_string(row, 7, "+7 701 000 11 22").expect("cell");
        ws.write_string(row, 8, if k.is_multiple_of(10) { "large_family" } else { "" }).expect("cell");
        row += 1;
    }
    book.save_to_buffer().expect("workbook")
}

/// A fresh registry: a file in `dir`, or a new database on `server`.
fn fresh(
    dir: &std::path::Path,
    now: DateTime<chrono::FixedOffset>,
    server: Option<&ServerSettings>,
) -> (Registry, kense_domain::access::Actor) {
    let mut r = match server {
        None => Registry::open(&dir.join("r.sqlite")).expect("registry"),
        Some(owner) => {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let database = format!("kense_xbench_{}_{n}", std::process::id());
            let created = std::process::Command::new("createdb")
                .args(["-h", &owner.host, "-p", &owner.port.to_string(), "-U", &owner.user, &database])
                .env("PGPASSWORD", &owner.password)
                .env("PGSSLMODE", "require")
                .status()
                .expect("createdb runs");
            assert!(created.success(), "createdb {database}");
            let owner_db = ServerSettings { database: database.clone(), ..owner.clone() };
            let (desk_user, desk_password) =
                (format!("kense_xbench_desk_{}_{n}", std::process::id()), "bench desk 2026");
            Registry::set_up_server(&owner_db, &desk_user, desk_password).expect("set up the server");
            let desk = ServerSettings { user: desk_user, password: desk_password.into(), ..owner_db };
            Registry::open_server(&desk).expect("open on the server")
        }
    };
    r.seal_after_upgrade(now).expect("seal");
    r.install_catalog(CATALOG, now).expect("catalog");
    let admin = r
        .create_first_administrator(
            &NewUser::validate("admin", "Әкімші", vec![Role::Administrator, Role::Clerk]).expect("user"),
            PW,
            PW,
            now,
        )
        .expect("admin");
    (r, admin)
}

/// The office server's settings from `KENSE_TEST_PG_*`, if given.
fn server() -> Option<ServerSettings> {
    let var = |n: &str| std::env::var(n).ok();
    let settings = (|| {
        Some(ServerSettings {
            host: var("KENSE_TEST_PG_HOST")?,
            port: var("KENSE_TEST_PG_PORT")?.parse().ok()?,
            database: "postgres".into(),
            user: var("KENSE_TEST_PG_OWNER")?,
            password: var("KENSE_TEST_PG_OWNER_PASSWORD")?,
            certificate_pem: std::fs::read_to_string(var("KENSE_TEST_PG_CERT")?).ok()?,
        })
    })();
    if settings.is_none() && std::env::var("KENSE_BENCH_PG").as_deref() == Ok("1") {
        panic!("KENSE_BENCH_PG=1 but KENSE_TEST_PG_* are not all set (scripts/pg-cluster start DIR prints them)");
    }
    settings
}

fn main() {
    let sizes: Vec<usize> = std::env::var("KENSE_BENCH_IMPORT_ROWS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![5_000, 50_000]);
    let journal_rows: usize =
        std::env::var("KENSE_BENCH_JOURNAL_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+05:00").expect("now");
    let server = server();
    let engines: Vec<(&str, Option<&ServerSettings>)> =
        std::iter::once(("SQLite", None)).chain(server.as_ref().map(|s| ("PostgreSQL", Some(s)))).collect();
    for (engine, server) in engines {
        println!("\n### {engine}\n");
        bench(engine, server, &sizes, journal_rows, now);
    }
}

fn bench(
    engine: &str,
    server: Option<&ServerSettings>,
    sizes: &[usize],
    journal_rows: usize,
    now: DateTime<chrono::FixedOffset>,
) {
    println!("| {engine}: queue rows | file | read (calamine) | check (domain) | dry run | import | import again |");
    println!("|---|---|---|---|---|---|---|");
    for &n in sizes {
        let dir = tempfile::tempdir().expect("dir");
        let (mut r, admin) = fresh(dir.path(), now, server);
        let bytes = queue_workbook(n);
        let t = Instant::now();
        let file = read_bytes("queue.xlsx", &bytes).expect("read");
        let read = t.elapsed();
        let rules = r.queue_rules().expect("queue rules");
        let kgs = r.import_kindergartens().expect("kindergartens");
        let ctx = queue::QueueImportContext { rules: &rules, kindergartens: &kgs, now: now.naive_local() };
        let t = Instant::now();
        let sheet = queue::read_sheet(&file.rows, &ctx);
        let check = t.elapsed();
        assert!(sheet.problems.is_empty(), "{:?}", &sheet.problems[..sheet.problems.len().min(3)]);
        let f = ImportFile { name: file.name.clone(), sha256: file.sha256.clone() };
        let t = Instant::now();
        let dry = r.dry_run_queue_import(&admin, &sheet, &f, now).expect("dry run");
        let dry_time = t.elapsed();
        assert_eq!(dry.rows.len(), n);
        let t = Instant::now();
        r.import_queue(&admin, &sheet, &f, now, &mut |_, _| true).expect("import");
        let import = t.elapsed();
        let t = Instant::now();
        let again = r.import_queue(&admin, &sheet, &f, now, &mut |_, _| true).expect("again");
        let again_time = t.elapsed();
        assert_eq!(again.rows.len(), 0);
        println!(
            "| {n} | {:.1} MB | {} | {} | {} | {} | {} |",
            bytes.len() as f64 / 1e6,
            ms(read),
            ms(check),
            ms(dry_time),
            ms(import),
            ms(again_time)
        );
    }

    // A year's journal: applications of 2026 brought in as history.
    let dir = tempfile::tempdir().expect("dir");
    let (mut r, admin) = fresh(dir.path(), now, server);
    let catalog = kense_domain::catalog::Catalog::parse(CATALOG).expect("catalog");
    let service = catalog.services.iter().find(|s| s.subject == kense_domain::catalog::Subject::None);
    let service = service.unwrap_or(&catalog.services[0]);
    let mut rows = vec![history::COLUMNS.iter().map(|c| kense_domain::import::Cell::Text(c.header())).collect()];
    for k in 0..journal_rows {
        use kense_domain::import::Cell::{Empty, Text};
        let at = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date").and_hms_opt(9, 0, 0).expect("time")
            + chrono::Duration::minutes((k * 23 % 440_000) as i64);
        let child = service.subject == kense_domain::catalog::Subject::Child;
        rows.push(vec![
            Text(format!("01-2026-{k:05}")),
            Text(at.format("%d.%m.%Y %H:%M:%S").to_string()),
            Text(service.code.clone()),
            Text("office".into()),
            Text("issued".into()),
            Empty,
            Text("900101300007".into()),
            Text(format!("Өтініш беруші {k}")),
            Empty,
            if child { Text(iin(format!("150315{:05}", k % 100_000))) } else { Empty },
            if child { Text(format!("Бала {k}")) } else { Empty },
            if child { Text("15.03.2015".into()) } else { Empty },
        ]);
    }
    let sheet = history::read_sheet(&rows, &catalog, now.naive_local());
    assert!(sheet.problems.is_empty(), "{:?}", &sheet.problems[..sheet.problems.len().min(3)]);
    let f = ImportFile { name: "history.xlsx".into(), sha256: "0".repeat(64) };
    let t = Instant::now();
    r.import_history(&admin, &sheet, &f, now, &mut |_, _| true).expect("history");
    let history_time = t.elapsed();
    let (from, to) =
        (NaiveDate::from_ymd_opt(2026, 1, 1).expect("from"), NaiveDate::from_ymd_opt(2026, 12, 31).expect("to"));
    println!();
    println!(
        "| {engine}: journal of a year | rows | history import | XLSX export | XLSX size | CSV export | CSV size |"
    );
    println!("|---|---|---|---|---|---|---|");
    let t = Instant::now();
    let xlsx = export_journal(&mut r, &admin, from, to, FileFormat::Xlsx, kense_domain::Lang::Kk, now).expect("xlsx");
    let xlsx_time = t.elapsed();
    let t = Instant::now();
    let csv = export_journal(&mut r, &admin, from, to, FileFormat::Csv, kense_domain::Lang::Kk, now).expect("csv");
    let csv_time = t.elapsed();
    println!(
        "| 2026 | {} | {} | {} | {:.1} MB | {} | {:.1} MB |",
        xlsx.rows,
        ms(history_time),
        ms(xlsx_time),
        xlsx.bytes.len() as f64 / 1e6,
        ms(csv_time),
        csv.bytes.len() as f64 / 1e6
    );
}
