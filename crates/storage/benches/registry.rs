//! Registry figures on a large file: registration commit (synchronous=FULL),
//! look-ups by number and IIN, name search, a worklist page, a verified
//! backup with the checks a restore runs, and the evidence: sealing a
//! registry written before seals, the start-up check (whole chain, and from
//! a checkpoint) over as many audit events as applications, and the full
//! check of every record.
//!
//! `cargo bench -p kense-storage` (KENSE_BENCH_ROWS, default 1 000 000).
//! The bulk rows are written with SQL straight into the file because going
//! through the audited API a million times would measure fsync, not search;
//! the registrations that are timed go through the API.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate};
use kense_domain::access::Role;
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::catalog::Catalog;
use kense_domain::user::NewUser;
use kense_storage::{ApplicationQuery, Due, Registry};

const CATALOG: &str = include_str!("../../../assets/catalog/services.json");

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

fn main() {
    let rows: i64 = std::env::var("KENSE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite");
    let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+05:00").expect("time");
    let mut r = Registry::open(&path).expect("open");
    r.install_catalog(CATALOG, now).expect("catalog");
    let u = NewUser::validate("bench", "Bench", vec![Role::Administrator, Role::Clerk, Role::Head]).expect("user");
    let clerk = r.create_first_administrator(&u, "bench-password", "bench-password", now).expect("admin");
    drop(r);

    let t = Instant::now();
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}),
         surname(k, s) AS (VALUES (0,'Жұмабаев'),(1,'Қасымов'),(2,'Өтегенов'),(3,'Сүлейменов'),(4,'Ғабдуллин'),(5,'Иванов'),(6,'Нұрланов'),(7,'Әбілқайыров')),
         given(k, g) AS (VALUES (0,'Нұрлан'),(1,'Әйгерім'),(2,'Ерлан'),(3,'Гүлжан'),(4,'Дәурен'),(5,'Айгүл'),(6,'Ұлан'),(7,'Інжу'),(8,'Бауыржан'),(9,'Сәуле'))
         INSERT INTO applications (number, series, year, seq, registered_at, registered_by, catalog_version, service_code,
              service_name_kk, service_name_ru, channel, status, applicant_iin, applicant_name, applicant_phone, applicant_address,
              child_iin, child_name, child_birth_date, consent, notes, search_text, step_due_at)
         SELECT printf('01-%d-%06d', 2020 + i % 6, i), '01', 2020 + i % 6, i,
                printf('%d-%02d-%02dT%02d:%02d:00+05:00', 2020 + i % 6, 1 + i % 12, 1 + i % 28, 9 + i % 9, i % 60),
                1, (SELECT MAX(version) FROM catalog_versions), 'preschool_queue', 'Кезекке қою', 'Постановка на очередь', 'office',
                -- An office's history: almost everything issued long ago, 4 % still open.
                CASE i % 200 WHEN 0 THEN 'with_head' WHEN 1 THEN 'with_executor' WHEN 2 THEN 'result_prepared'
                             WHEN 3 THEN 'accepted' WHEN 4 THEN 'signed' WHEN 5 THEN 'with_head' WHEN 6 THEN 'with_executor'
                             WHEN 7 THEN 'accepted' ELSE 'issued' END,
                printf('%012d', 800000000000 + i), s || ' ' || g, '+7 701 000 00 00', '',
                printf('%012d', 200000000000 + i), s || ' ' || g || 'ұлы', '2021-01-01', 1, '',
                lower(s || ' ' || g) , printf('2026-%02d-%02dT18:00:00+05:00', 1 + i % 12, 1 + i % 28)
         FROM n JOIN surname ON surname.k = i % 8 JOIN given ON given.k = (i / 8) % 10;
         COMMIT;"
    ))
    .expect("bulk rows");
    let fill = t.elapsed();
    drop(conn);
    // search_text as the API stores it (Kazakh letters folded).
    let conn = rusqlite::Connection::open(&path).expect("raw");
    let folded: Vec<(String, String)> =
        ["Жұмабаев", "Қасымов", "Өтегенов", "Сүлейменов", "Ғабдуллин", "Иванов", "Нұрланов", "Әбілқайыров"]
            .iter()
            .map(|s| (s.to_lowercase(), kense_domain::application::search_key(s)))
            .collect();
    for (from, to) in folded {
        conn.execute("UPDATE applications SET search_text = replace(search_text, ?1, ?2)", [from, to]).expect("fold");
    }
    drop(conn);

    let mut r = Registry::open(&path).expect("reopen");
    let clerk = r.log_in("bench", "bench-password", now).unwrap_or(clerk);
    let catalog = Catalog::parse(CATALOG).expect("catalog");
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
    let app = NewApplication::validate(&draft, &catalog, NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"))
        .expect("valid");

    let register = time(200, |_| r.register_application(&clerk, &app, Due::default(), now).expect("register"));
    let q = |text: String| ApplicationQuery { text: Some(text), limit: 50, ..Default::default() };
    let by_number = time(200, |i| {
        r.search(&clerk, &q(format!("01-2023-{:06}", 1 + (i * 4999) % rows as usize)), now).expect("number")
    });
    let by_iin = time(200, |i| {
        r.search(&clerk, &q(format!("{:012}", 800000000000i64 + 1 + (i as i64 * 4999) % rows)), now).expect("iin")
    });
    let by_name = time(20, |_| r.search(&clerk, &q("нурланов дау".into()), now).expect("name"));
    let worklist = time(20, |_| {
        r.search(&clerk, &ApplicationQuery { worklist: true, limit: 50, ..Default::default() }, now).expect("worklist")
    });

    println!("Registry with {rows} applications (bulk fill {:.1} s), {}", fill.as_secs_f64(), path.display());
    println!("| operation | median ms | p90 ms |");
    println!("|---|---|---|");
    for (name, (m, p)) in [
        ("registration commit (API, synchronous=FULL, audited)", register),
        ("look-up by number", by_number),
        ("look-up by IIN", by_iin),
        ("name search (folded, substring)", by_name),
        ("worklist page (50, by deadline)", worklist),
    ] {
        println!("| {name} | {m:.2} | {p:.2} |");
    }

    // Backups of the same file: the whole verified backup (copy through the
    // backup API, integrity and foreign-key checks, schema and audit chain,
    // SHA-256, rename, audit event), with where one of them spends its time,
    // and the checks a restore runs on a chosen file.
    let backups = dir.path().join("backups");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut stages: Vec<(kense_storage::Stage, Instant)> = Vec::new();
    let backup = time(3, |i| {
        stages.clear();
        let mut seen = |p: kense_storage::Progress| {
            if stages.last().is_none_or(|(s, _)| *s != p.stage) {
                stages.push((p.stage, Instant::now()));
            }
            true
        };
        let at = now + chrono::Duration::minutes(i as i64 + 1);
        r.back_up(kense_storage::Initiator::Person(&clerk), &backups, at, &mut seen).expect("backup")
    });
    let newest = kense_storage::backup::list(&backups).expect("list").remove(0);
    let staging = dir.path().join("restore.part");
    let check = time(3, |_| {
        kense_storage::backup::stage_restore(&backups.join(&newest.name), &staging, &mut |_| true)
            .expect("stage")
            .discard()
    });
    println!();
    println!("Backup of {:.1} MB ({} applications)", size as f64 / 1e6, rows);
    println!("| operation | median ms | p90 ms |");
    println!("|---|---|---|");
    println!("| verified backup (copy, checks, SHA-256, audit) | {:.0} | {:.0} |", backup.0, backup.1);
    println!("| restore staging and checks of a chosen file | {:.0} | {:.0} |", check.0, check.1);
    let split: Vec<String> =
        stages.windows(2).map(|w| format!("{:?} {:.0} ms", w[0].0, (w[1].1 - w[0].1).as_secs_f64() * 1e3)).collect();
    println!("last backup's stages: {}", split.join(", "));

    evidence(&mut r, &path, rows, now);
}

/// The evidence on the same registry: its bulk rows were written before
/// anything sealed them, as a registry of schema 9 is; then as many audit
/// events as applications are appended (views of a record, as a busy office
/// writes them), hashed as the write path hashes them.
fn evidence(r: &mut Registry, path: &std::path::Path, rows: i64, now: DateTime<chrono::FixedOffset>) {
    let t = Instant::now();
    let sealed = r.seal_after_upgrade(now).expect("seal");
    let sealing = t.elapsed();

    let t = Instant::now();
    {
        let mut conn = rusqlite::Connection::open(path).expect("raw");
        let tx = conn.transaction().expect("tx");
        let (mut seq, mut prev): (i64, String) = tx
            .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("head");
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO audit_events (seq, at, actor_id, actor_role, action, entity, entity_id, prev_hash, hash)
                     VALUES (?1, ?2, 1, NULL, 'view_application', 'application', ?3, ?4, ?5)",
                )
                .expect("prepare");
            for i in 0..rows {
                seq += 1;
                let event = kense_domain::audit::AuditEvent {
                    seq,
                    at: "2026-11-24T10:00:00+05:00".into(),
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
                insert.execute(rusqlite::params![seq, event.at, event.entity_id, prev, hash]).expect("event");
                prev = hash;
            }
        }
        tx.execute("UPDATE chain_head SET seq = ?1, hash = ?2 WHERE id = 1", rusqlite::params![seq, prev])
            .expect("head");
        tx.commit().expect("commit");
    }
    let events_fill = t.elapsed();
    let events: i64 = r.verify_audit_chain().expect("chain").events;

    let checkpoint = r.check_evidence(None).expect("check").checkpoint;
    let whole_chain = time(3, |_| r.check_evidence(None).expect("check"));
    let from_checkpoint = time(20, |_| r.check_evidence(checkpoint.as_ref()).expect("check"));
    let mut read = 0;
    let full = time(1, |_| {
        r.verify_evidence(&mut |n| {
            read = n;
            true
        })
        .expect("full")
    });
    println!();
    println!(
        "Evidence: {sealed} records sealed in {:.1} s (once, a registry written before seals); {events} audit events ({:.1} s to append in bulk)",
        sealing.as_secs_f64(),
        events_fill.as_secs_f64()
    );
    println!("| operation | median ms | p90 ms |");
    println!("|---|---|---|");
    println!(
        "| start-up check, whole chain ({events} events) and touched records | {:.0} | {:.0} |",
        whole_chain.0, whole_chain.1
    );
    println!("| start-up check from this desk's checkpoint | {:.2} | {:.2} |", from_checkpoint.0, from_checkpoint.1);
    println!("| full check: chain, {read} records against their seals, seals against the chain, queue numbers | {:.0} | {:.0} |", full.0, full.1);
}
