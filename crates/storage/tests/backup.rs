//! Backups and restore on real SQLite files: a backup is a checked,
//! hashed, audited snapshot; old generations go only after a new one is
//! verified; a restore brings back the earlier registry and keeps the one it
//! replaced; a file that fails any check changes nothing.

mod common;

use common::*;
use kense_domain::access::Role;
use kense_domain::{BackupFault, Error};
use kense_storage::backup::{self, GENERATIONS};
use kense_storage::{Initiator, KeyOrigin, Registry, Unusable};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

fn sha256(path: &std::path::Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

fn no_progress() -> impl FnMut(kense_storage::Progress) -> bool {
    |_| true
}

#[test]
fn a_backup_is_checked_hashed_audited_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let backups = dir.path().join("backups");
    let (mut r, admin) = fresh(&live);
    register(&mut r, &admin, 0).unwrap();
    let head_before = r.audit_head().unwrap();

    let mut stages = Vec::new();
    let rec = r
        .back_up(Initiator::Person(&admin), &backups, later(1), &mut |p| {
            stages.push(p.stage);
            true
        })
        .unwrap();
    assert_eq!(rec.name, "registry-20261124-101630.sqlite");
    assert!(rec.chain_ok);
    assert_eq!(rec.audit_head, head_before, "the head recorded is the one the copy holds");
    assert_eq!(rec.sha256, sha256(&rec.path));
    assert_eq!(rec.size, std::fs::metadata(&rec.path).unwrap().len());
    assert!(stages.contains(&kense_storage::Stage::Copy) && stages.contains(&kense_storage::Stage::Verify));
    let sidecar = std::fs::read_to_string(backups.join("registry-20261124-101630.sqlite.sha256")).unwrap();
    assert_eq!(sidecar, format!("{}  registry-20261124-101630.sqlite\n", rec.sha256));
    let leftovers: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part") || n.ends_with("-wal") || n.ends_with("-journal"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The copy is a self-contained database with the registration in it.
    let copy = Connection::open(&rec.path).unwrap();
    let mode: String = copy.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete");
    let n: i64 = copy.query_row("SELECT count(*) FROM applications", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    drop(copy);

    // The live chain records it, with the head and the hash.
    let (action, after) = last_event(&live);
    assert_eq!(action, "backup");
    let after: serde_json::Value = serde_json::from_str(&after.unwrap()).unwrap();
    assert_eq!(after["sha256"], rec.sha256);
    assert_eq!(after["audit_head"], head_before);
    assert_eq!(after["file"], rec.name);
    assert!(r.verify_audit_chain().unwrap().first_bad.is_none());

    let listed = r.backups(&admin, &backups, now()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, rec.name);
    assert_eq!(listed[0].size, rec.size);
    assert_eq!(listed[0].taken_at.to_string(), "2026-11-24 10:16:30");
}

#[test]
fn only_the_administrator_manages_backups_and_a_refusal_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let backups = dir.path().join("backups");
    let (mut r, admin) = fresh(&live);
    let clerk = someone(&mut r, &admin, "clerk1", Role::Clerk);
    let head = someone(&mut r, &admin, "head1", Role::Head);
    for actor in [&clerk, &head] {
        assert_eq!(
            r.back_up(Initiator::Person(actor), &backups, now(), &mut no_progress()).unwrap_err(),
            Error::Forbidden
        );
        assert_eq!(last_event(&live).0, "denied:back_up");
        assert_eq!(r.backups(actor, &backups, now()).unwrap_err(), Error::Forbidden);
        assert_eq!(last_event(&live).0, "denied:backups");
    }
    assert!(backup::list(&backups).unwrap().is_empty());
}

#[test]
fn old_generations_go_only_after_a_new_backup_is_verified() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let backups = dir.path().join("backups");
    let (mut r, _) = fresh(&live);
    for day in 0..(GENERATIONS as i64 + 3) {
        r.back_up(Initiator::Schedule("daily"), &backups, later(day * 24 * 60), &mut no_progress()).unwrap();
    }
    let listed = backup::list(&backups).unwrap();
    assert_eq!(listed.len(), GENERATIONS);
    assert_eq!(listed[0].taken_at.date().to_string(), "2026-12-03", "newest first");
    assert_eq!(listed[GENERATIONS - 1].taken_at.date().to_string(), "2026-11-27");
    let (action, after) = last_event(&live);
    assert_eq!(action, "backup");
    assert!(after.unwrap().contains("registry-20261126-101530.sqlite"), "the pruned file is named in the audit");

    // A backup that cannot be made deletes nothing and leaves no part file.
    let missing = dir.path().join("gone.sqlite");
    assert!(backup::take(&missing, &backups, later(30 * 24 * 60), &mut no_progress()).is_err());
    assert_eq!(backup::list(&backups).unwrap().len(), GENERATIONS);
    assert!(std::fs::read_dir(&backups).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".part")));
}

#[test]
fn copying_the_latest_backup_out_checks_it_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let backups = dir.path().join("backups");
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let (mut r, admin) = fresh(&live);
    assert_eq!(backup::copy_latest(&backups, &usb, &mut no_progress()).unwrap_err(), Error::NoBackup);
    r.back_up(Initiator::Schedule("start-up"), &backups, now(), &mut no_progress()).unwrap();
    let newest = r.back_up(Initiator::Person(&admin), &backups, later(5), &mut no_progress()).unwrap();
    let copied = backup::copy_latest(&backups, &usb, &mut no_progress()).unwrap();
    assert_eq!(copied.name, newest.name);
    assert_eq!(sha256(&usb.join(&newest.name)), newest.sha256);
    assert!(usb.join(format!("{}.sha256", newest.name)).exists());
    r.record_backup_copy(&admin, &copied, later(6)).unwrap();
    assert_eq!(last_event(&live).0, "backup_copied");

    // A backup that rotted on disk is not copied out as if it were good.
    let mut bytes = std::fs::read(&newest.path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&newest.path, bytes).unwrap();
    assert!(matches!(backup::copy_latest(&backups, &usb, &mut no_progress()), Err(Error::Io(_))));
}

#[test]
fn a_restore_brings_back_the_earlier_registry_and_keeps_the_replaced_one() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let backups = dir.path().join("backups");
    let (mut r, admin) = fresh(&live);
    register(&mut r, &admin, 0).unwrap();
    let rec = r.back_up(Initiator::Person(&admin), &backups, later(1), &mut no_progress()).unwrap();
    let after_backup = register(&mut r, &admin, 1).unwrap();
    assert_eq!(numbers(&live).len(), 2);

    let staged = backup::stage_restore(&rec.path, &dir.path().join("restore.part"), &mut no_progress()).unwrap();
    assert_eq!(staged.sha256, rec.sha256);
    let out = r.restore(staged, &admin, later(10), &mut no_progress());
    let record = out.result.unwrap();
    let r = out.registry.unwrap();
    assert_eq!(record.source, rec.name);
    assert_eq!(record.kept_as, "registry-before-restore-20261124-102530.sqlite");

    // The registration made after the backup is gone from the registry…
    assert_eq!(numbers(&live), vec!["01-2026-00001".to_owned()]);
    assert!(r.verify_audit_chain().unwrap().first_bad.is_none());
    let (action, after) = last_event(&live);
    assert_eq!(action, "restore");
    assert!(after.unwrap().contains(&record.kept_as));
    // …and kept, whole, in the file set aside, whose chain says why.
    let kept = dir.path().join(&record.kept_as);
    assert!(numbers(&kept).contains(&after_backup.number));
    assert_eq!(last_event(&kept).0, "restore_replaced");
    assert!(!dir.path().join("restore.part").exists());
    for companion in ["-wal", "-journal"] {
        assert!(!dir.path().join(format!("{}{companion}", record.kept_as)).exists());
    }
    // The restore can itself be undone from the file it set aside.
    let staged = backup::stage_restore(&kept, &dir.path().join("restore.part"), &mut no_progress()).unwrap();
    let out = r.restore(staged, &admin, later(20), &mut no_progress());
    out.result.unwrap();
    let r = out.registry.unwrap();
    assert!(numbers(&live).contains(&after_backup.number));
    drop(r);
    // The restored file opens as an ordinary registry afterwards.
    let reopened = Registry::open(&live).unwrap();
    assert!(reopened.verify_audit_chain().unwrap().first_bad.is_none());
}

/// A backup to tamper with, and the registry it came from.
fn tampered(dir: &std::path::Path, edit: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let live = dir.join("source.sqlite");
    let (mut r, admin) = fresh(&live);
    register(&mut r, &admin, 0).unwrap();
    let rec = r.back_up(Initiator::Person(&admin), &dir.join("b"), now(), &mut no_progress()).unwrap();
    let conn = Connection::open(&rec.path).unwrap();
    conn.execute_batch(edit).unwrap();
    drop(conn);
    rec.path
}

fn staged_fault(dir: &std::path::Path, candidate: &std::path::Path) -> Error {
    let staging = dir.join("restore.part");
    let e = backup::stage_restore(candidate, &staging, &mut no_progress()).unwrap_err();
    assert!(!staging.exists(), "a refused file leaves no staging copy");
    e
}

#[test]
fn restore_refuses_files_that_fail_a_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let junk = d.join("junk.sqlite");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    assert_eq!(staged_fault(d, &junk), Error::BackupRejected(BackupFault::Unreadable));

    let empty = d.join("empty.sqlite");
    Connection::open(&empty).unwrap().execute_batch("CREATE TABLE t (x);").unwrap();
    assert_eq!(staged_fault(d, &empty), Error::BackupRejected(BackupFault::Unreadable));

    let newer = kense_storage::SCHEMA_VERSION + 1;
    let file = tampered(&d.join("1"), &format!("PRAGMA user_version = {newer};"));
    assert_eq!(
        staged_fault(d, &file),
        Error::BackupRejected(BackupFault::Newer { found: newer, supported: newer - 1 })
    );

    // The audit table's guard removed: the schema is not Kense's.
    let file = tampered(&d.join("2"), "DROP TRIGGER audit_events_no_update;");
    assert_eq!(staged_fault(d, &file), Error::BackupRejected(BackupFault::Schema));

    // An event slipped into the chain.
    let file = tampered(
        &d.join("3"),
        "INSERT INTO audit_events (seq, at, action, entity, prev_hash, hash)
         SELECT max(seq) + 1, '2026-11-24T11:00:00+05:00', 'forged', 'user', 'x', 'y' FROM audit_events;",
    );
    assert!(matches!(staged_fault(d, &file), Error::BackupRejected(BackupFault::AuditChain { .. })));

    // A checklist row of an application that does not exist.
    let file = tampered(
        &d.join("4"),
        "PRAGMA foreign_keys = OFF;
         INSERT INTO application_documents (application_id, position, code, name_kk, name_ru, required, presented)
         VALUES (999, 0, 'x', 'x', 'x', 1, 1);",
    );
    assert_eq!(staged_fault(d, &file), Error::BackupRejected(BackupFault::ForeignKeys));

    // An index that no longer matches its table.
    let file = tampered(
        &d.join("5"),
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_schema SET sql = 'CREATE INDEX applications_applicant_iin ON applications(applicant_name)'
          WHERE name = 'applications_applicant_iin';",
    );
    assert_eq!(staged_fault(d, &file), Error::BackupRejected(BackupFault::Integrity));
}

#[test]
fn a_refused_restore_changes_nothing_in_the_live_registry() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let (mut r, admin) = fresh(&live);
    register(&mut r, &admin, 0).unwrap();
    let head = r.audit_head().unwrap();
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"SQLite format 3\0 but not really").unwrap();
    assert!(backup::stage_restore(&junk, &dir.path().join("restore.part"), &mut no_progress()).is_err());
    assert_eq!(r.audit_head().unwrap(), head);
    assert_eq!(numbers(&live).len(), 1);

    // A clerk cannot restore even a good file; the refusal is audited and
    // the registry stays as it was.
    let clerk = someone(&mut r, &admin, "clerk1", Role::Clerk);
    let rec = r.back_up(Initiator::Person(&admin), &dir.path().join("b"), now(), &mut no_progress()).unwrap();
    let staging = dir.path().join("restore.part");
    let staged = backup::stage_restore(&rec.path, &staging, &mut no_progress()).unwrap();
    register(&mut r, &admin, 1).unwrap();
    let out = r.restore(staged, &clerk, later(1), &mut no_progress());
    assert_eq!(out.result.unwrap_err(), Error::Forbidden);
    let _r = out.registry.unwrap();
    assert_eq!(numbers(&live).len(), 2);
    assert_eq!(last_event(&live).0, "denied:restore");
    assert!(!staging.exists());
}

/// A registry with two registrations, a backup of it, a clerk-only account,
/// and the backup staged for recovery.
fn recoverable(dir: &std::path::Path) -> (std::path::PathBuf, backup::Staged, String) {
    let live = dir.join("registry.sqlite");
    let (mut r, admin) = fresh(&live);
    someone(&mut r, &admin, "clerk1", Role::Clerk);
    register(&mut r, &admin, 0).unwrap();
    register(&mut r, &admin, 1).unwrap();
    let rec = r.back_up(Initiator::Person(&admin), &dir.join("backups"), later(1), &mut no_progress()).unwrap();
    drop(r);
    let staged = backup::stage_restore(&rec.path, &dir.join("restore.part"), &mut no_progress()).unwrap();
    (live, staged, rec.name)
}

fn stage(dir: &std::path::Path, name: &str) -> backup::Staged {
    backup::stage_restore(&dir.join("backups").join(name), &dir.join("restore.part"), &mut no_progress()).unwrap()
}

#[test]
fn an_unopenable_registry_is_recovered_by_an_administrator_of_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (live, staged, name) = recoverable(dir.path());
    // The live file is damaged beyond opening.
    let mut bytes = std::fs::read(&live).unwrap();
    bytes[..100].fill(0xAB);
    std::fs::write(&live, &bytes).unwrap();
    let opened = Registry::open(&live);
    let Err(e @ Error::DatabaseCorrupt(_)) = opened else { panic!("a damaged file opened") };
    let damaged = sha256(&live);

    // Wrong password, unknown login, an account that is not an administrator.
    let (current, result) = backup::recover(
        &live,
        Err(Unusable::Unopenable(e)),
        staged,
        &who("admin", "wrong"),
        later(5),
        &mut no_progress(),
    );
    assert_eq!(result.unwrap_err(), Error::BadCredentials);
    for (login, want) in [("nobody", Error::BadCredentials), ("clerk1", Error::Forbidden)] {
        let (again, result) = backup::recover(
            &live,
            current_of(&live),
            stage(dir.path(), &name),
            &who(login, PASSWORD),
            later(5),
            &mut no_progress(),
        );
        assert_eq!(result.unwrap_err(), want, "{login}");
        assert!(matches!(again, Err(Unusable::Unopenable(Error::DatabaseCorrupt(_)))));
    }
    assert!(matches!(current, Err(Unusable::Unopenable(Error::DatabaseCorrupt(_)))));
    assert_eq!(sha256(&live), damaged, "a refused recovery leaves the damaged file as it was");
    assert!(!dir.path().join("restore.part").exists());

    let who = backup::Credentials { login: "admin", password: PASSWORD, refused_before: 3 };
    let (registry, result) =
        backup::recover(&live, current_of(&live), stage(dir.path(), &name), &who, later(6), &mut no_progress());
    let record = result.unwrap();
    let Ok(r) = registry else { panic!("the recovered registry is not open") };
    assert_eq!(record.kept_as, "registry-unopenable-20261124-102130.sqlite");
    assert_eq!(sha256(&dir.path().join(&record.kept_as)), damaged, "the damaged file is kept as it was");
    assert_eq!(numbers(&live).len(), 2);
    assert!(r.verify_audit_chain().unwrap().first_bad.is_none());
    let (action, after) = last_event(&live);
    assert_eq!(action, "restore");
    let after: serde_json::Value = serde_json::from_str(&after.unwrap()).unwrap();
    assert!(after["recovered_from"].as_str().unwrap().starts_with("database_corrupt"), "{after}");
    assert_eq!(after["by_login"], "admin");
    assert_eq!(after["refused_before"], 3, "the refusals nothing could record are in the restore's event");
}

fn who<'a>(login: &'a str, password: &'a str) -> backup::Credentials<'a> {
    backup::Credentials { login, password, refused_before: 0 }
}

/// What the program holds for a registry that does not open.
fn current_of(live: &std::path::Path) -> Result<Registry, Unusable> {
    Registry::open(live).map_err(Unusable::Unopenable)
}

#[test]
fn a_missing_or_empty_registry_is_recovered_but_one_in_use_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (live, staged, name) = recoverable(dir.path());
    std::fs::remove_file(&live).unwrap();
    let (registry, result) =
        backup::recover(&live, Err(Unusable::Missing), staged, &who("admin", PASSWORD), later(5), &mut no_progress());
    assert_eq!(result.unwrap().kept_as, "", "nothing to keep");
    drop(registry.ok().unwrap());
    assert_eq!(numbers(&live).len(), 2);

    // In use: refused, and the registry comes back open and unchanged.
    let r = Registry::open(&live).unwrap();
    let (registry, result) =
        backup::recover(&live, Ok(r), stage(dir.path(), &name), &who("admin", PASSWORD), later(6), &mut no_progress());
    assert_eq!(result.unwrap_err(), Error::AlreadyInitialised);
    assert!(registry.ok().unwrap().has_users().unwrap());

    // A new computer: the registry Kense just made is empty.
    let other = dir.path().join("new-pc");
    std::fs::create_dir_all(&other).unwrap();
    let fresh_live = other.join("registry.sqlite");
    let empty = Registry::open(&fresh_live).unwrap();
    let (registry, result) = backup::recover(
        &fresh_live,
        Ok(empty),
        stage(dir.path(), &name),
        &who("admin", PASSWORD),
        later(7),
        &mut no_progress(),
    );
    assert!(result.unwrap().kept_as.starts_with("registry-before-restore-"));
    assert!(registry.ok().unwrap().has_users().unwrap());
    assert_eq!(numbers(&fresh_live).len(), 2);
}

#[test]
fn the_verification_key_is_installed_once_and_travels_with_every_backup() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let (mut r, admin) = fresh(&live);
    assert_eq!(r.verification_key().unwrap(), None);
    let key = [7u8; 32];
    assert_eq!(r.install_verification_key(&key, KeyOrigin::New, now()).unwrap(), key);
    assert_eq!(r.install_verification_key(&[9u8; 32], KeyOrigin::Imported, now()).unwrap(), key, "the first one stays");
    let (action, after) = last_event(&live);
    assert_eq!(action, "install_verification_key");
    assert!(!after.unwrap().contains("0707"), "the audit holds a fingerprint, not the key");

    let rec = r.back_up(Initiator::Person(&admin), &dir.path().join("b"), later(1), &mut no_progress()).unwrap();
    let copy = Registry::open(&rec.path).unwrap();
    assert_eq!(copy.verification_key().unwrap(), Some(key));
    drop(copy);

    let conn = Connection::open(&live).unwrap();
    for edit in ["UPDATE verification_secret SET key = zeroblob(32)", "DELETE FROM verification_secret"] {
        let e = conn.execute(edit, []).unwrap_err();
        assert!(e.to_string().contains("never changes"), "{edit}: {e}");
    }
}

#[test]
fn a_cancelled_backup_copy_or_check_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let backups = dir.path().join("backups");
    let (mut r, admin) = fresh(&live);
    register(&mut r, &admin, 0).unwrap();
    let files = |d: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(d)
            .map(|e| e.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    };
    // Cancelled at each report in turn: the first, then the later ones.
    for stop_at in 1..=3 {
        let mut reports = 0;
        let mut cancel = |_: kense_storage::Progress| {
            reports += 1;
            reports < stop_at
        };
        let e = r.back_up(Initiator::Person(&admin), &backups, later(1), &mut cancel).unwrap_err();
        assert_eq!(e, Error::Cancelled, "stopped at report {stop_at}");
        assert!(files(&backups).is_empty(), "left behind: {:?}", files(&backups));
    }
    assert_ne!(last_event(&live).0, "backup", "a cancelled backup is not recorded as made");

    let rec = r.back_up(Initiator::Person(&admin), &backups, later(2), &mut no_progress()).unwrap();
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let e = backup::copy_latest(&backups, &usb, &mut |p| p.stage != kense_storage::Stage::Transfer).unwrap_err();
    assert_eq!(e, Error::Cancelled);
    assert!(files(&usb).is_empty(), "left on the stick: {:?}", files(&usb));

    let staging = dir.path().join("restore.part");
    let e = backup::stage_restore(&rec.path, &staging, &mut |p| p.stage != kense_storage::Stage::Check).unwrap_err();
    assert_eq!(e, Error::Cancelled);
    assert!(!staging.exists());
}
