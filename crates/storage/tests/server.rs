//! The office server on a real PostgreSQL cluster (the throwaway one
//! `scripts/pg-cluster` starts; `--features server-tests`): several
//! workstations writing at once, a writer killed mid-transaction, the
//! workstations' account refused the evidence, an owner's outside edit
//! found, a one-PC office's file moved onto the server with its whole
//! history, and the server's backup restorable on either engine.

#![cfg(unix)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use kense_domain::access::{Action, Role};
use kense_domain::user::NewUser;
use kense_storage::{ApplicationQuery, Initiator, Printed, Registry, ServerSettings};

mod common;

use common::engine::{fresh_database, owner, psql, try_psql};
use common::{now, CATALOG, PASSWORD};

/// A fresh database with the catalog and a first administrator-clerk.
fn office() -> ServerSettings {
    let settings = fresh_database();
    let mut r = Registry::open_server(&settings).unwrap();
    r.seal_after_upgrade(now()).unwrap();
    r.install_catalog(CATALOG, now()).unwrap();
    let user = NewUser::validate("clerk", "Тіркеуші", vec![Role::Administrator, Role::Clerk]).unwrap();
    r.create_first_administrator(&user, PASSWORD, PASSWORD, now()).unwrap();
    settings
}

fn settings_json(s: &ServerSettings) -> String {
    serde_json::json!({
        "host": s.host, "port": s.port, "database": s.database, "user": s.user,
        "password": s.password, "certificate_pem": s.certificate_pem,
    })
    .to_string()
}

struct Writer {
    child: std::process::Child,
    lines: std::thread::JoinHandle<Vec<String>>,
}

fn writer(settings: &ServerSettings) -> Writer {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
        .arg("--server")
        .env("KENSE_WRITER_SERVER", settings_json(settings))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect());
    Writer { child, lines }
}

#[test]
fn eight_workstations_writing_at_once_get_gap_free_numbers_and_one_chain() {
    let settings = office();
    let mut writers: Vec<Writer> = (0..8).map(|_| writer(&settings)).collect();
    // They register side by side; three are killed with SIGKILL while
    // writing, the rest a little later.
    std::thread::sleep(Duration::from_millis(2500));
    for w in writers.iter_mut().take(3) {
        w.child.kill().unwrap();
    }
    std::thread::sleep(Duration::from_millis(1500));
    for w in writers.iter_mut().skip(3) {
        w.child.kill().unwrap();
    }
    let mut acknowledged = BTreeSet::new();
    for w in writers {
        let mut child = w.child;
        let _ = child.wait();
        acknowledged.extend(w.lines.join().unwrap());
    }
    assert!(acknowledged.len() > 40, "too little written to prove anything: {}", acknowledged.len());

    let db = &settings.database;
    let stored: BTreeSet<String> =
        psql(db, "SELECT string_agg(number, ',') FROM applications").split(',').map(str::to_owned).collect();
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    // Gap-free and never given twice: 1..N in the year's series.
    let (count, max): (i64, i64) = {
        let out = psql(db, "SELECT COUNT(*) || ',' || MAX(seq) FROM applications");
        let (a, b) = out.split_once(',').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    assert_eq!(count, max, "numbers 1..{max} without a gap");
    assert_eq!(psql(db, "SELECT COUNT(DISTINCT number) FROM applications"), count.to_string());
    // Nothing half-written by a killed writer: every application has its
    // checklist and its registration event.
    let checklists = psql(
        db,
        "SELECT COUNT(DISTINCT n) || ',' || MIN(n) FROM (SELECT COUNT(*) AS n FROM applications a
           LEFT JOIN application_documents d ON d.application_id = a.id GROUP BY a.id) per",
    );
    assert_eq!(checklists, "1,4", "every application has its whole checklist");
    assert_eq!(psql(db, "SELECT COUNT(*) FROM audit_events WHERE action = 'register_application'"), count.to_string());
    let r = Registry::open_server(&settings).unwrap();
    let evidence = r.verify_evidence(&mut |_| true).unwrap();
    assert!(evidence.holds(), "{evidence:?}");
    println!(
        "server: {count} registrations by 8 writers (3 killed mid-run), one chain of {} events",
        evidence.chain.events
    );
}

#[test]
fn the_workstations_account_may_not_change_the_evidence() {
    let settings = office();
    let as_workstation = |sql: &str| -> Result<String, String> {
        let out = Command::new("psql")
            .args([
                &format!(
                    "host={} port={} user={} dbname={} sslmode=require",
                    settings.host, settings.port, settings.user, settings.database
                ),
                "-v",
                "ON_ERROR_STOP=1",
                "-qAt",
                "-c",
                sql,
            ])
            .env("PGPASSWORD", &settings.password)
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    };
    assert!(as_workstation("SELECT COUNT(*) FROM audit_events").is_ok(), "it reads");
    for sql in [
        "UPDATE audit_events SET actor_id = 99 WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "TRUNCATE audit_events",
        "UPDATE workflow_events SET comment = 'x'",
        "DELETE FROM application_versions",
        "UPDATE verification_secret SET installed_at = 'x'",
        "DELETE FROM position_changes",
        "UPDATE schema_version SET version = 99",
        "DROP TABLE audit_events",
        "ALTER TABLE applications DISABLE TRIGGER USER",
    ] {
        let e = as_workstation(sql).expect_err(sql);
        assert!(e.contains("permission denied") || e.contains("must be owner"), "{sql}: {e}");
    }
    // The owner is refused by the triggers, a second layer.
    for sql in ["UPDATE audit_events SET actor_id = 99 WHERE seq = 1", "TRUNCATE audit_events"] {
        let e = try_psql(&settings.database, sql).expect_err(sql);
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
}

#[test]
fn an_owners_edit_behind_kenses_back_is_found() {
    let settings = office();
    let mut r = Registry::open_server(&settings).unwrap();
    let clerk = r.log_in("clerk", PASSWORD, now()).unwrap();
    let id = common::register(&mut r, &clerk, 0).unwrap().id;
    let checkpoint = r.check_evidence(None).unwrap().checkpoint;
    drop(r);
    let db = &settings.database;

    // An edit the triggers see: start-up names it.
    psql(db, &format!("UPDATE applications SET applicant_name = 'Жалған Есім' WHERE id = {id}"));
    let r = Registry::open_server(&settings).unwrap();
    let start = r.check_evidence(checkpoint.as_ref()).unwrap();
    assert_eq!(start.findings.len(), 1, "{start:?}");
    assert_eq!(start.findings[0].table, "applications");
    drop(r);

    // With the triggers switched off first: start-up sees the schema
    // changed, the full check the record.
    psql(db, "ALTER TABLE applications DISABLE TRIGGER USER");
    psql(db, &format!("UPDATE applications SET applicant_phone = '0' WHERE id = {id}"));
    let r = Registry::open_server(&settings).unwrap();
    let start = r.check_evidence(checkpoint.as_ref()).unwrap();
    assert!(start.findings.iter().any(|f| f.table == "schema"), "{start:?}");
    let full = r.verify_evidence(&mut |_| true).unwrap();
    let named: Vec<_> = full.findings.iter().filter(|f| f.table == "applications").collect();
    assert!(
        matches!(&named[..], [f] if matches!(&f.deviation, kense_storage::Deviation::Changed { fields } if fields.contains(&"applicant_phone".to_owned()))),
        "{full:?}"
    );
    drop(r);

    // The chain itself edited, its triggers off: verification finds the event.
    psql(db, "ALTER TABLE audit_events DISABLE TRIGGER USER");
    psql(db, "UPDATE audit_events SET reason = 'x' WHERE seq = 2");
    let r = Registry::open_server(&settings).unwrap();
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, Some(2));
}

/// A one-PC office's file with a bit of everything, and the verification
/// texts of its prints.
fn office_file(dir: &std::path::Path) -> (std::path::PathBuf, Vec<String>) {
    let path = dir.join("office.sqlite");
    let mut o = common::office::office_in(common::engine::Place::File(path.clone()), "2026-11-02T09:00:00+05:00");
    let id = o.populated();
    let clerk = o.clerk.clone();
    let mut texts = Vec::new();
    // Copies 1 and 2 are the populated office's (the signed file, a print).
    for copy in 3..=4 {
        let text = format!("KENSE1 moved-paper-{copy}");
        let printed =
            Printed { application_id: id, kind: "result", copy, sha256: "ab", verification: &text, file_name: "x.pdf" };
        o.r.record_printed(&clerk, Action::PrintDocument, &printed, now()).unwrap();
        texts.push(text);
    }
    let key = o.r.verification_key().unwrap();
    assert!(key.is_some());
    let dest = dir.join("moved-from.sqlite");
    rusqlite::Connection::open(o.r.path().unwrap())
        .unwrap()
        .execute("VACUUM INTO ?1", [dest.to_str().unwrap()])
        .unwrap();
    (dest, texts)
}

#[test]
fn a_one_pc_office_moves_onto_the_server_with_its_whole_history() {
    let dir = tempfile::tempdir().unwrap();
    let (file, texts) = office_file(dir.path());
    let mut before = Registry::open(&file).unwrap();
    let clerk = before.log_in("clerk", common::office::PW, now()).unwrap();
    let names: Vec<String> = before
        .search(&clerk, &ApplicationQuery { limit: 500, ..Default::default() }, now())
        .unwrap()
        .iter()
        .map(|s| s.applicant_name.clone())
        .collect();
    assert!(!names.is_empty());
    let found = |r: &mut Registry, name: &str| -> Vec<i64> {
        let q = ApplicationQuery { text: Some(name.to_owned()), limit: 50, ..Default::default() };
        r.search(&clerk, &q, now()).unwrap().iter().map(|s| s.id).collect()
    };
    let in_file: Vec<Vec<i64>> = names.iter().map(|n| found(&mut before, n)).collect();
    // (Logging in and searching are audited: the chain is read after them.)
    let chain = before.verify_audit_chain().unwrap();
    let key = before.verification_key().unwrap();
    drop(before);

    // Into an empty database only.
    let name = format!("kense_move{}", std::process::id());
    psql("postgres", &format!("CREATE DATABASE {name}"));
    let target = owner(&name);
    let desk = ("desk_".to_owned() + &name, "жұмыс орны құпия сөзі 2026".to_owned());
    let staging = dir.path().join("staging.sqlite.part");
    let moved = Registry::move_to_server(&file, &staging, &target, (&desk.0, &desk.1), now(), &mut |_| true).unwrap();
    assert_eq!((moved.events, moved.head.as_str()), (chain.events, chain.head.as_str()));
    assert!(moved.rows["applications"] >= 3 && moved.rows["referrals"] >= 1 && moved.rows["issued_documents"] >= 3);
    let again = Registry::move_to_server(&file, &staging, &target, (&desk.0, &desk.1), now(), &mut |_| true);
    assert!(matches!(again, Err(kense_domain::Error::ServerNotEmpty)), "{again:?}");

    let desk_settings = ServerSettings { user: desk.0.clone(), password: desk.1.clone(), ..target.clone() };
    let mut r = Registry::open_server(&desk_settings).unwrap();
    let after = r.verify_audit_chain().unwrap();
    assert_eq!(after.first_bad, None);
    assert_eq!(after.events, chain.events + 1, "the move is the next event of the same chain");
    let first_n: String = psql(&name, &format!("SELECT hash FROM audit_events WHERE seq = {}", chain.events));
    assert_eq!(first_n, chain.head, "the file's events are the server's first ones, unchanged");
    assert_eq!(psql(&name, "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1"), "moved_to_server");
    assert_eq!(r.verification_key().unwrap(), key, "papers printed before the move still verify");
    let clerk = r.log_in("clerk", common::office::PW, now()).unwrap();
    for text in &texts {
        assert!(r.issued_by_verification(&clerk, text, now()).unwrap().is_some(), "{text}");
    }
    assert!(r.verify_evidence(&mut |_| true).unwrap().holds());
    // The file's search table is not copied; the server's own index finds
    // every name as the file did.
    let on_server: Vec<Vec<i64>> = names.iter().map(|n| found(&mut r, n)).collect();
    assert_eq!(on_server, in_file);
    // The numbering goes on where the file left it.
    let next = common::register(&mut r, &clerk, 9).unwrap();
    assert!(next.id > moved.rows["applications"], "{}", next.id);
}

#[test]
fn the_servers_backup_is_a_kense_backup_restorable_on_either_engine() {
    let dir = tempfile::tempdir().unwrap();
    let settings = office();
    let mut r = Registry::open_server(&settings).unwrap();
    let clerk = r.log_in("clerk", PASSWORD, now()).unwrap();
    for n in 0..3 {
        common::register(&mut r, &clerk, n).unwrap();
    }
    let backups = dir.path().join("backups");
    let rec = r.back_up(Initiator::Person(&clerk), &backups, now(), &mut |_| true).unwrap();
    assert!(rec.chain_ok);
    // Checked as any restore checks a file, and opened as a one-PC registry.
    let staged =
        kense_storage::backup::stage_restore(&rec.path, &dir.path().join("staging.part"), &mut |_| true).unwrap();
    assert_eq!(staged.audit_head, rec.audit_head);
    staged.discard();
    let file = Registry::open(&rec.path).unwrap();
    assert!(file.verify_evidence(&mut |_| true).unwrap().holds());
    assert_eq!(file.verify_audit_chain().unwrap().head, rec.audit_head);
    drop(file);
    // The file's search table was filled from the rows exported into it
    // (searched in a copy: a search is audited, and the backup moves on
    // below as it was taken).
    let searched = dir.path().join("searched.sqlite");
    std::fs::copy(&rec.path, &searched).unwrap();
    let q =
        ApplicationQuery { text: Some("СӘРСЕНБАЕВА гүлнұр".into()), limit: 50, ..Default::default() };
    let on_server: Vec<i64> = r.search(&clerk, &q, now()).unwrap().iter().map(|s| s.id).collect();
    assert_eq!(on_server.len(), 3);
    let in_file = Registry::open(&searched).unwrap().search(&clerk, &q, now()).unwrap();
    assert_eq!(in_file.iter().map(|s| s.id).collect::<Vec<_>>(), on_server);
    // And onto another (empty) server database.
    let name = format!("kense_restore{}", std::process::id());
    psql("postgres", &format!("CREATE DATABASE {name}"));
    let moved = Registry::move_to_server(
        &rec.path,
        &dir.path().join("staging2.part"),
        &owner(&name),
        (&format!("desk_{name}"), "жұмыс орны құпия сөзі 2026"),
        now(),
        &mut |_| true,
    )
    .unwrap();
    assert_eq!(moved.head, rec.audit_head);
    assert_eq!(moved.rows["applications"], 3);
}

#[test]
fn a_server_at_schema_10_is_brought_up_by_its_owner_and_finds_the_names_it_held() {
    // An office server as the release before the search index left it.
    let name = format!("kense_schema10_{}", std::process::id());
    psql("postgres", &format!("CREATE DATABASE {name}"));
    let schema10 = include_str!("../migrations/postgres/0010_registry.sql");
    psql(
        &name,
        &format!(
            "{schema10}
             INSERT INTO schema_version (only_row, version) VALUES (1, 10);
             INSERT INTO users (id, login, full_name, password_hash, roles, created_at)
                 VALUES (1, 'clerk', 'Тіркеуші', 'x', 'clerk', '2025-01-10T09:00:00+05:00');
             INSERT INTO catalog_versions VALUES (1, '{{}}', 'ab', '2025-01-10T09:00:00+05:00');
             INSERT INTO applications (id, number, series, year, seq, registered_at, registered_by, catalog_version,
                 service_code, service_name_kk, service_name_ru, channel, status, applicant_iin, applicant_name,
                 applicant_phone, applicant_address, consent, notes, search_text)
             SELECT i, '01-2025-0000' || i, '01', 2025, i, '2025-01-10T10:00:00+05:00', 1, 1, 'free_meals', 'Тамақ',
                    'Питание', 'office', 'accepted', '900101300007', 'Өтініш Беруші', '', '', 1, '', folded
             FROM (VALUES (1, 'нурланова айгерим бала'), (2, 'касымов ерлан'), (3, 'нурланов даурен'))
                  AS t(i, folded);"
        ),
    );
    let desk = format!("desk_{name}");
    let password = "жұмыс орны құпия сөзі 2026";
    // A workstation does not migrate: the owner's set-up does.
    let settings = ServerSettings { user: desk.clone(), password: password.into(), ..owner(&name) };
    let setup = Registry::set_up_server(&owner(&name), &desk, password).unwrap();
    assert_eq!((setup.schema_version, setup.created), (kense_storage::SCHEMA_VERSION, false));
    assert_eq!(psql(&name, "SELECT version FROM schema_version"), kense_storage::SCHEMA_VERSION.to_string());
    assert_eq!(psql(&name, "SELECT count(*) FROM pg_indexes WHERE indexname = 'applications_search_trgm'"), "1");
    let mut r = Registry::open_server(&settings).unwrap();
    let clerk = kense_domain::access::Actor {
        user_id: 1,
        login: "clerk".into(),
        full_name: "Тіркеуші".into(),
        roles: vec![Role::Clerk],
    };
    let mut found = |text: &str| {
        let q = ApplicationQuery { text: Some(text.into()), limit: 50, ..Default::default() };
        r.search(&clerk, &q, now()).unwrap().iter().map(|s| s.id).collect::<Vec<_>>()
    };
    assert_eq!(found("Нұрланов"), vec![3, 1]);
    assert_eq!(found("ерлан"), vec![2]);
    assert_eq!(found("ДӘУРЕН"), vec![3]);
}

/// Joining a desk: a certificate that is not the server's (nor its CA's) is
/// told as such — a choice to correct, not a network to wait for — and a
/// wrong password as the server's refusal.
#[test]
fn a_foreign_certificate_and_a_wrong_password_are_told_apart() {
    let settings = fresh_database();
    let foreign = ServerSettings {
        certificate_pem: include_str!("../../workstation/src/server/testdata/certificate.pem").to_owned(),
        ..settings.clone()
    };
    assert_eq!(Registry::open_server(&foreign).err(), Some(kense_domain::Error::ServerCertificateRejected));
    let wrong = ServerSettings { password: "бұл құпия сөз емес".into(), ..settings.clone() };
    assert_eq!(Registry::open_server(&wrong).err(), Some(kense_domain::Error::ServerRefused));
    assert!(Registry::open_server(&settings).is_ok());
}
