//! Registry figures on a large registry, both engines side by side in one
//! run: the embedded SQLite file, and — when the office server's settings
//! are given (`KENSE_TEST_PG_*`, as `scripts/pg-cluster start` prints them;
//! `KENSE_BENCH_PG=1` insists on them) — the same on PostgreSQL.
//!
//! Measured on each: registration commit (one clerk; then 2, 4 and 8 clerks
//! at once, each on a connection of their own), look-ups by number and IIN
//! (the whole audited call, the look-up's own statement, and the audit write
//! alone), name search (a name many hold, a rare one, one nobody holds, and
//! text too short for trigrams), worklist pages with 4 % and 80 % of the
//! applications open, a verified backup and the checks a restore runs, and
//! the evidence: sealing a registry written before seals, the start-up
//! check over as many audit events as applications (whole chain, from a
//! checkpoint), a workstation's start-up to the log-in screen, and the full
//! check. "Before" lines run the statement the registry used before issue
//! 14 on the same data, on a connection of their own.
//!
//! `cargo bench -p kense-storage --bench registry` (KENSE_BENCH_ROWS,
//! default 1 000 000; above 100 000 the backups, the sealing of the bulk
//! rows and the full check, which go through every record one by one, run
//! only with KENSE_BENCH_ALL=1). The bulk rows are written with SQL straight into the
//! registry (the file, or the server as its owner) because going through
//! the audited API a million times would measure fsync, not search; every
//! timed operation goes through the `Registry` API as a workstation does.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate};
use kense_domain::access::Role;
use kense_domain::application::{search_key, ApplicationDraft, NewApplication};
use kense_domain::catalog::Catalog;
use kense_domain::user::NewUser;
use kense_storage::{ApplicationQuery, Checkpoint, Due, Registry, ServerSettings};

const CATALOG: &str = include_str!("../../../assets/catalog/services.json");
const PASSWORD: &str = "bench-password";

fn median_p90(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(v[v.len() / 2]), ms(v[v.len() * 9 / 10]))
}

fn time<T>(n: usize, mut f: impl FnMut(usize) -> T) -> (f64, f64) {
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        std::hint::black_box(f(i));
        v.push(t.elapsed());
    }
    median_p90(v)
}

/// A figure in milliseconds, with as many decimals as it deserves.
fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn pair((m, p): (f64, f64)) -> String {
    format!("{} / {}", ms(m), ms(p))
}

// The bulk rows' people: applicant "surname given", child "surname child"
// (row i takes combination i % 960), and a rare applicant on one row in
// 100 000.
const SURNAMES: [&str; 8] =
    ["Жұмабаев", "Қасымов", "Өтегенов", "Сүлейменов", "Ғабдуллин", "Иванов", "Нұрланов", "Әбілқайыров"];
const GIVEN: [&str; 10] =
    ["Нұрлан", "Әйгерім", "Ерлан", "Гүлжан", "Дәурен", "Айгүл", "Ұлан", "Інжу", "Бауыржан", "Сәуле"];
const CHILD: [&str; 12] = [
    "Әлихан",
    "Айсұлу",
    "Нұрасыл",
    "Дана",
    "Інжу",
    "Ерасыл",
    "Аружан",
    "Бекзат",
    "Томирис",
    "Ақжол",
    "Жансая",
    "Мирас",
];
const RARE: (&str, &str) = ("Тоқтарбаев Ерболат", "Тоқтарбаев Ақжол");

/// (applicant, child, folded names) for combination k = i % 960.
fn people() -> Vec<(String, String, String)> {
    (0..960)
        .map(|k| {
            let s = SURNAMES[k % 8];
            let applicant = format!("{s} {}", GIVEN[(k / 8) % 10]);
            let child = format!("{s} {}", CHILD[(k / 80) % 12]);
            let folded = search_key(&format!("{applicant} {child}"));
            (applicant, child, folded)
        })
        .collect()
}

/// The bulk fill, row i = 1..=rows with id i, in the engine's SQL; 4 % open.
/// `p` is the people as a VALUES list (k, applicant, child, folded).
fn fill_sql(engine: Engine, rows: i64, clerk: i64, executors: (i64, i64)) -> String {
    let values: Vec<String> =
        people().iter().enumerate().map(|(k, (a, c, f))| format!("({k}, '{a}', '{c}', '{f}')")).collect();
    let rare_folded = search_key(&format!("{} {}", RARE.0, RARE.1));
    let (e1, e2) = executors;
    // An office's history: almost everything issued long ago, 4 % still open.
    let status = "CASE i % 200 WHEN 0 THEN 'with_head' WHEN 1 THEN 'with_executor' WHEN 2 THEN 'result_prepared'
                       WHEN 3 THEN 'accepted' WHEN 4 THEN 'signed' WHEN 5 THEN 'with_head' WHEN 6 THEN 'with_executor'
                       WHEN 7 THEN 'accepted' ELSE 'issued' END";
    let select = |number: &str, registered: &str, iin: &str, child_iin: &str, due: &str| {
        format!(
            "SELECT i, {number}, '01', 2020 + i % 6, i, {registered}, {clerk},
                    (SELECT MAX(version) FROM catalog_versions), 'preschool_queue', 'Кезекке қою',
                    'Постановка на очередь', 'office', {status}, {iin},
                    CASE WHEN i % 100000 = 7 THEN '{ra}' ELSE p.applicant END, '+7 701 000 00 00', '', {child_iin},
                    CASE WHEN i % 100000 = 7 THEN '{rc}' ELSE p.child END, '2021-01-01', 1, '',
                    CASE WHEN i % 100000 = 7 THEN '{rare_folded}' ELSE p.folded END, {due},
                    CASE WHEN i % 200 IN (1, 6) THEN (CASE WHEN (i / 200) % 2 = 0 THEN {e1} ELSE {e2} END) END",
            ra = RARE.0,
            rc = RARE.1,
        )
    };
    let insert = "INSERT INTO applications (id, number, series, year, seq, registered_at, registered_by,
              catalog_version, service_code, service_name_kk, service_name_ru, channel, status, applicant_iin,
              applicant_name, applicant_phone, applicant_address, child_iin, child_name, child_birth_date, consent,
              notes, search_text, step_due_at, executor_id)";
    match engine {
        Engine::Sqlite => format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}),
             p(k, applicant, child, folded) AS (VALUES {})
             {insert}
             {} FROM n JOIN p ON p.k = i % 960;
             COMMIT;",
            values.join(", "),
            select(
                "printf('01-%d-%06d', 2020 + i % 6, i)",
                "printf('%d-%02d-%02dT%02d:%02d:00+05:00', 2020 + i % 6, 1 + i % 12, 1 + i % 28, 9 + i % 9, i % 60)",
                "printf('%012d', 800000000000 + i)",
                "printf('%012d', 200000000000 + i)",
                "printf('2026-%02d-%02dT18:00:00+05:00', 1 + i % 12, 1 + i % 28)",
            )
        ),
        Engine::Postgres => {
            let two = |e: &str| format!("lpad(({e})::text, 2, '0')");
            format!(
                "{insert}
                 {} FROM generate_series(1, {rows}) AS i
                 JOIN (VALUES {}) AS p(k, applicant, child, folded) ON p.k = i % 960;
                 SELECT setval(pg_get_serial_sequence('applications', 'id'), {rows});",
                select(
                    "'01-' || (2020 + i % 6) || '-' || lpad(i::text, greatest(6, length(i::text)), '0')",
                    &format!(
                        "(2020 + i % 6) || '-' || {} || '-' || {} || 'T' || {} || ':' || {} || ':00+05:00'",
                        two("1 + i % 12"),
                        two("1 + i % 28"),
                        two("9 + i % 9"),
                        two("i % 60")
                    ),
                    "(800000000000 + i)::text",
                    "(200000000000 + i)::text",
                    &format!("'2026-' || {} || '-' || {} || 'T18:00:00+05:00'", two("1 + i % 12"), two("1 + i % 28")),
                ),
                values.join(", ")
            )
        }
    }
}

/// From 4 % open to 80 %: what a clerk and the head wait on is then 60 %.
fn open_80(rows: i64, executors: (i64, i64)) -> String {
    let (e1, e2) = executors;
    format!(
        "UPDATE applications SET
             status = CASE id % 10 WHEN 0 THEN 'with_head' WHEN 1 THEN 'with_executor' WHEN 2 THEN 'result_prepared'
                      WHEN 3 THEN 'accepted' WHEN 4 THEN 'signed' WHEN 5 THEN 'with_head' WHEN 6 THEN 'with_executor'
                      WHEN 7 THEN 'accepted' ELSE 'issued' END,
             executor_id = CASE WHEN id % 10 IN (1, 6) THEN (CASE WHEN (id / 10) % 2 = 0 THEN {e1} ELSE {e2} END) END
         WHERE id <= {rows}"
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

/// Where the registry is, and how an outside hand reaches it.
enum Place {
    File(PathBuf),
    Server { owner: Box<ServerSettings>, desk: Box<ServerSettings> },
}

impl Place {
    fn engine(&self) -> Engine {
        match self {
            Place::File(_) => Engine::Sqlite,
            Place::Server { .. } => Engine::Postgres,
        }
    }

    /// The registry as a workstation opens it.
    fn open(&self) -> Registry {
        match self {
            Place::File(path) => Registry::open(path).expect("open the file"),
            Place::Server { desk, .. } => Registry::open_server(desk).expect("open on the server"),
        }
    }

    /// A connection of our own: the file, or the server as `who`.
    fn raw(&self, owner: bool) -> Raw {
        match self {
            Place::File(path) => Raw::Sqlite(rusqlite::Connection::open(path).expect("raw")),
            Place::Server { owner: o, desk } => Raw::Pg(Box::new(pg_client(if owner { o } else { desk }))),
        }
    }
}

/// A plain client over the same TLS the registry uses.
fn pg_client(s: &ServerSettings) -> postgres::Client {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(s.certificate_pem.as_bytes()) {
        roots.add(cert.expect("certificate")).expect("root");
    }
    #[allow(deprecated)] // the provider the registry itself uses
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS")
        .with_root_certificates(roots)
        .with_no_client_auth();
    postgres::Config::new()
        .host(&s.host)
        .port(s.port)
        .dbname(&s.database)
        .user(&s.user)
        .password(&s.password)
        .ssl_mode(postgres::config::SslMode::Require)
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(config))
        .expect("connect to the server")
}

enum Raw {
    Sqlite(rusqlite::Connection),
    Pg(Box<postgres::Client>),
}

impl Raw {
    fn batch(&mut self, sql: &str) {
        match self {
            Raw::Sqlite(c) => c.execute_batch(sql).unwrap_or_else(|e| panic!("{e}: {sql:.300}")),
            Raw::Pg(c) => c.batch_execute(sql).unwrap_or_else(|e| panic!("{e}: {sql:.300}")),
        }
    }

    /// A server checkpoint, where the account may ask for one (a
    /// superuser or pg_checkpoint, as the test cluster's owner is).
    fn checkpoint(&mut self) {
        if let Raw::Pg(c) = self {
            if let Err(e) = c.batch_execute("CHECKPOINT") {
                eprintln!("  (no checkpoint: {e})");
            }
        }
    }

    /// Rows `sql` answers (parameters ?1.. as text).
    fn count(&mut self, sql: &str, params: &[&str]) -> usize {
        match self {
            Raw::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).expect("prepare");
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).expect("query");
                let mut n = 0;
                while rows.next().expect("row").is_some() {
                    n += 1;
                }
                n
            }
            Raw::Pg(c) => {
                let mut sql = sql.to_owned();
                for i in (1..=params.len()).rev() {
                    sql = sql.replace(&format!("?{i}"), &format!("${i}"));
                }
                let p: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn postgres::types::ToSql + Sync)).collect();
                c.query(&sql, &p).expect("query").len()
            }
        }
    }

    /// Appends `n` audit events (views of a record, as a busy office
    /// writes them), hashed as the write path hashes them.
    fn append_events(&mut self, n: i64, rows: i64) {
        let (mut seq, mut prev): (i64, String) = match self {
            Raw::Sqlite(c) => c
                .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("head"),
            Raw::Pg(c) => {
                let r = c.query_one("SELECT seq, hash FROM chain_head WHERE id = 1", &[]).expect("head");
                (r.get(0), r.get(1))
            }
        };
        let at = "2026-11-24T10:00:00+05:00";
        let mut next = |i: i64| {
            seq += 1;
            let event = kense_domain::audit::AuditEvent {
                seq,
                at: at.into(),
                actor_id: Some(1),
                actor_role: None,
                action: "view_application".into(),
                entity: "application".into(),
                entity_id: Some((1 + i % rows).to_string()),
                before: None,
                after: None,
                reason: None,
                records: None,
            };
            let hash = event.hash(&prev);
            (seq, event.entity_id.unwrap_or_default(), std::mem::replace(&mut prev, hash.clone()), hash)
        };
        match self {
            Raw::Sqlite(c) => {
                let tx = c.transaction().expect("tx");
                {
                    let mut insert = tx
                        .prepare(
                            "INSERT INTO audit_events (seq, at, actor_id, actor_role, action, entity, entity_id,
                                                       prev_hash, hash)
                             VALUES (?1, ?2, 1, NULL, 'view_application', 'application', ?3, ?4, ?5)",
                        )
                        .expect("prepare");
                    for i in 0..n {
                        let (seq, id, prev, hash) = next(i);
                        insert.execute(rusqlite::params![seq, at, id, prev, hash]).expect("event");
                    }
                }
                tx.commit().expect("commit");
            }
            Raw::Pg(c) => {
                use std::io::Write;
                let mut tx = c.transaction().expect("tx");
                {
                    let mut w = tx
                        .copy_in(
                            "COPY audit_events (seq, at, actor_id, action, entity, entity_id, prev_hash, hash)
                             FROM STDIN",
                        )
                        .expect("copy");
                    let mut buf = String::with_capacity(1 << 20);
                    for i in 0..n {
                        let (seq, id, prev, hash) = next(i);
                        buf.push_str(&format!("{seq}\t{at}\t1\tview_application\tapplication\t{id}\t{prev}\t{hash}\n"));
                        if buf.len() > 1 << 20 {
                            w.write_all(buf.as_bytes()).expect("copy");
                            buf.clear();
                        }
                    }
                    w.write_all(buf.as_bytes()).expect("copy");
                    w.finish().expect("copy");
                }
                tx.commit().expect("commit");
            }
        }
        // The head the appended events end at.
        let (last_seq, last_hash): (i64, String) = match self {
            Raw::Sqlite(c) => c
                .query_row("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .expect("last"),
            Raw::Pg(c) => {
                let r = c.query_one("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", &[]).expect("last");
                (r.get(0), r.get(1))
            }
        };
        self.batch(&format!("UPDATE chain_head SET seq = {last_seq}, hash = '{last_hash}' WHERE id = 1"));
    }
}

/// The figures of one engine, in the order they were taken.
#[derive(Default)]
struct Figures {
    rows: Vec<(String, String)>,
    notes: Vec<String>,
}

impl Figures {
    fn put(&mut self, name: &str, value: String) {
        eprintln!("  {name}: {value}");
        self.rows.push((name.to_owned(), value));
    }
}

fn application(catalog: &Catalog) -> NewApplication {
    let draft = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: "Өлшеуші Әйгерім".into(),
        applicant_phone: "+7 701 000 00 00".into(),
        child_iin: "150315500015".into(),
        child_name: "Өлшеуші Бала".into(),
        child_birth_date: "2022-01-01".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        duplicate_reason: "bench".into(),
        ..Default::default()
    };
    NewApplication::validate(&draft, catalog, NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")).expect("valid")
}

const COLUMNS: &str = "a.id, a.number, a.registered_at, a.service_name_kk, a.service_name_ru, a.status,
    a.applicant_name, a.child_name, u.full_name AS executor, a.step_due_at, a.due_at";

/// The worklist statement of a clerk who is also the head, as it was
/// before issue 14: one query over every status, sorted whole.
fn worklist_before(limit: u32) -> String {
    format!(
        "SELECT {COLUMNS} FROM applications a LEFT JOIN users u ON u.id = a.executor_id
         WHERE 1 = 1 AND (a.status IN ('accepted', 'signed') OR a.status IN ('with_head', 'result_prepared'))
         ORDER BY a.step_due_at IS NULL, a.step_due_at, a.id LIMIT {limit}"
    )
}

/// The name search's statement before issue 14 (a LIKE over every row); on
/// PostgreSQL written so that the trigram index cannot serve it.
fn names_before(engine: Engine) -> String {
    let column = match engine {
        Engine::Sqlite => "a.search_text",
        Engine::Postgres => "(a.search_text || '')",
    };
    format!(
        "SELECT {COLUMNS} FROM applications a LEFT JOIN users u ON u.id = a.executor_id
         WHERE 1 = 1 AND {column} LIKE ?1 ORDER BY a.id DESC LIMIT 50"
    )
}

fn run(place: &Place, rows: i64, dir: &Path, now: DateTime<FixedOffset>) -> Figures {
    let engine = place.engine();
    let mut f = Figures::default();
    eprintln!("== {engine:?}, {rows} applications");
    let catalog = Catalog::parse(CATALOG).expect("catalog");
    let app = application(&catalog);

    let mut r = place.open();
    r.install_catalog(CATALOG, now).expect("catalog");
    let u = NewUser::validate("bench", "Bench", vec![Role::Administrator, Role::Clerk, Role::Head]).expect("user");
    let clerk = r.create_first_administrator(&u, PASSWORD, PASSWORD, now).expect("admin");
    let mut executor = |login: &str| {
        let u = NewUser::validate(login, "Орындаушы", vec![Role::Executor]).expect("user");
        r.create_user(&clerk, &u, PASSWORD, PASSWORD, now).expect("executor");
        r.log_in(login, PASSWORD, now).expect("log in")
    };
    let (e1, e2) = (executor("exec1"), executor("exec2"));
    drop(r);

    let t = Instant::now();
    let mut owner = place.raw(true);
    owner.batch(&fill_sql(engine, rows, clerk.user_id, (e1.user_id, e2.user_id)));
    if engine == Engine::Postgres {
        // What autovacuum does by itself soon after such a load, and the
        // checkpoint the server would make: the timed commits then do not
        // share the disk with the load's own writing.
        owner.batch("VACUUM ANALYZE applications");
        owner.checkpoint();
    }
    f.put(
        "bulk fill of the applications (SQL, with the index triggers), s",
        format!("{:.1}", t.elapsed().as_secs_f64()),
    );

    let mut r = place.open();
    let clerk = r.log_in("bench", PASSWORD, now).expect("log in");
    let register = time(200, |_| r.register_application(&clerk, &app, Due::default(), now).expect("register"));
    f.put("registration commit, one clerk (API, audited, durable commit)", pair(register));

    for clerks in [2usize, 4, 8] {
        let per = 50;
        let start = Arc::new(Barrier::new(clerks + 1));
        let handles: Vec<_> = (0..clerks)
            .map(|_| {
                let (start, clerk, app) = (start.clone(), clerk.clone(), app.clone());
                let mut desk = place.open();
                std::thread::spawn(move || {
                    start.wait();
                    let t0 = Instant::now();
                    let v: Vec<Duration> = (0..per)
                        .map(|_| {
                            let t = Instant::now();
                            desk.register_application(&clerk, &app, Due::default(), now).expect("register");
                            t.elapsed()
                        })
                        .collect();
                    (v, t0)
                })
            })
            .collect();
        start.wait();
        let t = Instant::now();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().expect("clerk").0);
        }
        let wall = t.elapsed();
        let (m, p) = median_p90(all);
        f.put(
            &format!("registrations with {clerks} clerks at once: per second (each commit median / p90 ms)"),
            format!("{:.0} /s ({} / {})", (clerks * per) as f64 / wall.as_secs_f64(), ms(m), ms(p)),
        );
    }

    // Look-ups: the whole call (audited: the event's durable commit), the
    // look-up's own statement on a connection of our own, the audit write
    // alone (the same write path, one event).
    let q = |text: String| ApplicationQuery { text: Some(text), limit: 50, ..Default::default() };
    let number = |i: usize| {
        let n = 3 + 6 * ((i as i64 * 4999) % (rows / 6 - 1));
        format!("01-{}-{:06}", 2020 + n % 6, n)
    };
    let iin = |i: usize| format!("{:012}", 800000000000i64 + 1 + (i as i64 * 4999) % rows);
    assert_eq!(r.search(&clerk, &q(number(1)), now).expect("number").len(), 1, "the number exists");
    assert_eq!(r.search(&clerk, &q(iin(1)), now).expect("iin").len(), 1, "the IIN exists");
    f.put(
        "look-up by number: the whole call",
        pair(time(200, |i| r.search(&clerk, &q(number(i)), now).expect("number"))),
    );
    f.put("look-up by IIN: the whole call", pair(time(200, |i| r.search(&clerk, &q(iin(i)), now).expect("iin"))));
    let mut desk = place.raw(false);
    let by_number = format!(
        "SELECT {COLUMNS} FROM applications a LEFT JOIN users u ON u.id = a.executor_id
         WHERE 1 = 1 AND a.number = ?1 ORDER BY a.id DESC LIMIT 50"
    );
    let by_iin = format!(
        "SELECT {COLUMNS} FROM applications a LEFT JOIN users u ON u.id = a.executor_id
         WHERE 1 = 1 AND (a.applicant_iin = ?1 OR a.child_iin = ?2) ORDER BY a.id DESC LIMIT 50"
    );
    f.put("look-up by number: its statement alone", pair(time(200, |i| desk.count(&by_number, &[number(i).as_str()]))));
    f.put(
        "look-up by IIN (applicant or child): its statement alone",
        pair(time(200, |i| {
            let iin = iin(i);
            desk.count(&by_iin, &[iin.as_str(), iin.as_str()])
        })),
    );
    f.put(
        "the audit write alone (one event, durable commit)",
        pair(time(200, |_| r.record_print_job(&clerk, "bench.pdf", "bench", now).expect("audit"))),
    );

    // Name search, through the API (the audit write included).
    for (what, text, hits) in [
        ("a name many hold (\"нурланов дау\", 1 row in 80)", "нурланов дау", 50),
        ("a rare name (\"тоқтарбаев\", 1 row in 100 000)", "тоқтарбаев", ((rows - 7) / 100_000 + 1).min(50) as usize),
        ("a name nobody holds (\"бекмұхамедова\")", "бекмұхамедова", 0),
        ("two letters many hold (\"ов\", no trigram: a scan)", "ов", 50),
        ("two letters nobody holds (\"щы\", no trigram: a whole scan)", "щы", 0),
    ] {
        let found = r.search(&clerk, &q(text.into()), now).expect("name").len();
        assert_eq!(found, hits, "{text}");
        f.put(
            &format!("name search, {what}"),
            pair(time(20, |_| r.search(&clerk, &q(text.into()), now).expect("name"))),
        );
    }
    let before = names_before(engine);
    for (what, text) in
        [("a name many hold", "нурланов дау"), ("a rare name", "токтарбаев"), ("nobody", "бекмухамедова")]
    {
        let like = format!("%{}%", search_key(text));
        f.put(
            &format!("before: name search's statement, {what} (LIKE over every row)"),
            pair(time(5, |_| desk.count(&before, &[like.as_str()]))),
        );
    }

    let worklists = |r: &mut Registry, f: &mut Figures, open: &str, desk: &mut Raw| {
        let page = |limit: u32| ApplicationQuery { worklist: true, limit, ..Default::default() };
        let n = r.search(&clerk, &page(50), now).expect("worklist").len();
        assert_eq!(n, 50);
        f.put(
            &format!("worklist page of 50, clerk and head, {open} open"),
            pair(time(20, |_| r.search(&clerk, &page(50), now).expect("worklist"))),
        );
        f.put(
            &format!("worklist page of 200 (as the desk asks), {open} open"),
            pair(time(20, |_| r.search(&clerk, &page(200), now).expect("worklist"))),
        );
        f.put(
            &format!("worklist page of 50, an executor, {open} open"),
            pair(time(20, |_| r.search(&e1, &page(50), now).expect("worklist"))),
        );
        f.put(
            &format!("before: the worklist's statement (page of 50), {open} open"),
            pair(time(5, |_| desk.count(&worklist_before(50), &[]))),
        );
    };
    worklists(&mut r, &mut f, "4 %", &mut desk);

    // Backups: the whole verified backup (on the server: exported into a
    // Kense backup file), and the checks a restore runs on a chosen file.
    // Those, the sealing of the bulk rows and the full check read or write
    // every record one by one (minutes at a million rows on the server), so
    // above 100 000 rows they run only when asked (KENSE_BENCH_ALL=1); the
    // evidence section of docs/benchmarks.md has them at 100 000.
    let thorough = rows <= 100_000 || std::env::var("KENSE_BENCH_ALL").as_deref() == Ok("1");
    let backups = dir.join(format!("backups-{engine:?}"));
    let runs = std::env::var("KENSE_BENCH_BACKUPS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let runs = if thorough { runs } else { 0 };
    let backup = (runs > 0).then(|| {
        time(runs, |i| {
            let at = now + chrono::Duration::minutes(i as i64 + 1);
            r.back_up(kense_storage::Initiator::Person(&clerk), &backups, at, &mut |_| true).expect("backup")
        })
    });
    if let Some(backup) = backup {
        let newest = kense_storage::backup::list(&backups).expect("list").remove(0);
        let size = std::fs::metadata(backups.join(&newest.name)).map(|m| m.len()).unwrap_or(0);
        let staging = dir.join("restore.part");
        let check = time(runs, |_| {
            kense_storage::backup::stage_restore(&backups.join(&newest.name), &staging, &mut |_| true)
                .expect("stage")
                .discard()
        });
        f.put(&format!("verified backup ({:.0} MB file), ms", size as f64 / 1e6), pair(backup));
        f.put("restore: staging and checks of that file, ms", pair(check));
    }

    // The evidence: the bulk rows were written before anything sealed them,
    // as a registry of schema 9's were.
    if thorough {
        let t = Instant::now();
        let sealed = r.seal_after_upgrade(now).expect("seal");
        f.put(
            &format!("sealing {sealed} records written before seals (once), s"),
            format!("{:.1}", t.elapsed().as_secs_f64()),
        );
    } else {
        // The bulk rows taken as sealed: what the start-up reads does not
        // depend on whether the untouched records have seals (it reads the
        // rows noted as touched, which the fill's triggers noted and this
        // clears), so its figures are a sealed registry's. Only the full
        // check, not run here, would tell the difference.
        owner.batch("BEGIN; UPDATE chain_head SET sealed = 1 WHERE id = 1; DELETE FROM touched; COMMIT;");
        f.notes.push("the bulk rows taken as sealed by the owner (sealing and the full check not run)".into());
    }
    let t = Instant::now();
    owner.append_events(rows, rows);
    if engine == Engine::Postgres {
        owner.batch("VACUUM ANALYZE audit_events");
        owner.checkpoint();
    }
    f.notes.push(format!("{rows} audit events appended in bulk in {:.1} s", t.elapsed().as_secs_f64()));
    let events = r.verify_audit_chain().expect("chain").events;
    let checkpoint: Option<Checkpoint> = r.check_evidence(None).expect("check").checkpoint;
    f.put(
        &format!("start-up check, whole chain ({events} events) and touched records"),
        pair(time(3, |_| r.check_evidence(None).expect("check"))),
    );
    f.put(
        "start-up check from this desk's checkpoint",
        pair(time(20, |_| r.check_evidence(checkpoint.as_ref()).expect("check"))),
    );
    drop(r);
    // A workstation's start-up up to the log-in screen: open (on SQLite the
    // file's quick_check and the migrations' check), the start-up check
    // from its checkpoint, the shipped catalog (already installed).
    let start = |since: Option<&Checkpoint>| {
        let mut r = place.open();
        assert_eq!(r.seal_after_upgrade(now).expect("sealed"), 0);
        if !r.check_evidence(since).expect("check").holds() {
            eprintln!("  the start-up check reports findings");
        }
        r.install_catalog(CATALOG, now).expect("catalog");
        r
    };
    f.put(
        &format!("workstation start-up to the log-in screen ({events} events, from its checkpoint)"),
        pair(time(5, |_| start(checkpoint.as_ref()))),
    );
    // What the file's open costs by itself: SQLite's quick_check reads
    // every page of the file before anything is written to it.
    f.put(
        "of which the file's quick_check on open",
        match engine {
            Engine::Sqlite => {
                let mut raw = place.raw(false);
                pair(time(3, |_| raw.count("PRAGMA quick_check", &[])))
            }
            Engine::Postgres => "— (a server)".into(),
        },
    );
    f.put("workstation start-up, first on this desk (no checkpoint: whole chain)", pair(time(3, |_| start(None))));
    let mut r = place.open();
    if thorough {
        let mut read = 0;
        let full = time(1, |_| {
            r.verify_evidence(&mut |n| {
                read = n;
                true
            })
            .expect("full")
        });
        f.put(
            &format!("full check: chain, {read} records against seals, seals against chain, queue numbers"),
            pair(full),
        );
    }

    // Then 80 % of the applications open (as no office is: the worst case
    // for a worklist read as one sorted query).
    let t = Instant::now();
    match engine {
        // Data preparation, not a figure: on the server the owner switches
        // the tables' own triggers off for it (a million rows noted as
        // touched would only slow the UPDATE down).
        Engine::Postgres => {
            owner.batch(&format!(
                "BEGIN; ALTER TABLE applications DISABLE TRIGGER USER; {};
                 ALTER TABLE applications ENABLE TRIGGER USER; COMMIT;",
                open_80(rows, (e1.user_id, e2.user_id))
            ));
            owner.batch("VACUUM ANALYZE applications");
            owner.checkpoint();
        }
        Engine::Sqlite => owner.batch(&open_80(rows, (e1.user_id, e2.user_id))),
    }
    f.notes.push(format!("80 % of the applications opened with one UPDATE in {:.1} s", t.elapsed().as_secs_f64()));
    worklists(&mut r, &mut f, "80 %", &mut desk);
    f
}

/// The office server's settings from `KENSE_TEST_PG_*`, if given.
fn server() -> Option<ServerSettings> {
    let var = |n: &str| std::env::var(n).ok();
    let required = std::env::var("KENSE_BENCH_PG").as_deref() == Ok("1");
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
    if settings.is_none() && required {
        panic!("KENSE_BENCH_PG=1 but KENSE_TEST_PG_* are not all set (scripts/pg-cluster start DIR prints them)");
    }
    settings
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let rows: i64 = std::env::var("KENSE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+05:00").expect("time");
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let load_before = load();
    let mut columns: Vec<(String, Figures)> = Vec::new();

    let file = Place::File(dir.path().join("bench.sqlite"));
    columns.push((format!("SQLite {}", rusqlite::version()), run(&file, rows, dir.path(), now)));

    if let Some(owner) = server() {
        let database = format!("kense_bench_{}", std::process::id());
        let desk_user = format!("kense_bench_desk_{}", std::process::id());
        let mut admin = pg_client(&owner);
        admin.batch_execute(&format!("CREATE DATABASE {database}")).expect("create database");
        let version: String = admin.query_one("SHOW server_version", &[]).expect("version").get(0);
        let owner_db = ServerSettings { database: database.clone(), ..owner.clone() };
        let desk_password = "bench desk password 2026";
        Registry::set_up_server(&owner_db, &desk_user, desk_password).expect("set up the server");
        let desk = ServerSettings { user: desk_user.clone(), password: desk_password.into(), ..owner_db.clone() };
        let place = Place::Server { owner: Box::new(owner_db), desk: Box::new(desk) };
        let mut settings = |name: &str| -> String {
            admin.query_one(&format!("SHOW {name}"), &[]).map(|r| r.get::<_, String>(0)).unwrap_or_default()
        };
        let durability = format!(
            "fsync={}, synchronous_commit={}, shared_buffers={}",
            settings("fsync"),
            settings("synchronous_commit"),
            settings("shared_buffers")
        );
        let mut figures = run(&place, rows, dir.path(), now);
        figures.notes.push(format!("over TLS on this machine: {durability}"));
        columns.push((format!("PostgreSQL {version}"), figures));
        drop(place);
        if std::env::var("KENSE_BENCH_KEEP").is_err() {
            admin.batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)")).expect("drop database");
            admin.batch_execute(&format!("DROP ROLE {desk_user}")).expect("drop role");
        }
    }

    println!();
    println!(
        "Registry with {rows} applications; times in ms (median / p90) unless noted; {} cores, load {load_before} → {}, {:.0} s in all",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load(),
        started.elapsed().as_secs_f64()
    );
    print!("| operation |");
    for (name, _) in &columns {
        print!(" {name} |");
    }
    println!();
    println!("|---|{}", "---|".repeat(columns.len()));
    for (i, (op, _)) in columns[0].1.rows.iter().enumerate() {
        print!("| {op} |");
        for (_, f) in &columns {
            print!(" {} |", f.rows.get(i).map_or("", |(_, v)| v.as_str()));
        }
        println!();
    }
    for (name, f) in &columns {
        for n in &f.notes {
            println!("- {name}: {n}");
        }
    }
}
