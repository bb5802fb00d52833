//! The registry when the disk is full, the file is locked by someone else,
//! or it may only be read: a clear error, nothing half-written, and what was
//! there before still readable.

mod common;

use std::time::{Duration, Instant};

use common::*;
use kense_domain::Error;
use kense_storage::{ApplicationQuery, Registry};
use rusqlite::Connection;

fn journal(r: &mut Registry, actor: &kense_domain::access::Actor) -> Vec<String> {
    let q = ApplicationQuery { limit: 1000, ..Default::default() };
    r.search(actor, &q, now()).unwrap().into_iter().map(|a| a.number).collect()
}

#[test]
fn a_full_disk_refuses_the_registration_and_keeps_everything_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    let (mut r, admin) = fresh(&path);
    register(&mut r, &admin, 0).unwrap();
    r.cap_file_growth(0).unwrap();
    // Rows fill the free room in existing pages first; the registration
    // that needs a new page is the one that fails.
    let mut accepted = 1;
    let err = loop {
        match register(&mut r, &admin, accepted) {
            Ok(_) => accepted += 1,
            Err(e) => break e,
        }
        assert!(accepted < 500, "the page cap never bit");
    };
    assert_eq!(err, Error::DiskFull);
    assert_eq!(err.code(), "disk_full");
    assert!(err.message(kense_domain::Lang::Kk).contains("орын"));

    // Nothing half-written: the journal, the chain and the numbers hold.
    let chain = r.verify_audit_chain().unwrap();
    assert_eq!(chain.first_bad, None);
    let listed = journal(&mut r, &admin);
    assert_eq!(listed.len(), accepted as usize);
    let expected: Vec<String> = (1..=accepted).rev().map(|n| format!("01-2026-{n:05}")).collect();
    assert_eq!(listed, expected, "no number was lost to the failed registration");
    assert_eq!(numbers(&path).len(), accepted as usize);

    // Room again: the next registration takes the next number.
    r.cap_file_growth(10_000).unwrap();
    let next = register(&mut r, &admin, 999).unwrap();
    assert_eq!(next.number, format!("01-2026-{:05}", accepted + 1));
}

#[test]
fn a_locked_registry_answers_busy_and_works_once_the_lock_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    let (mut r, admin) = fresh(&path);
    register(&mut r, &admin, 0).unwrap();

    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    assert_eq!(register(&mut r, &admin, 1).unwrap_err(), Error::DatabaseBusy);
    assert!(started.elapsed() >= Duration::from_secs(4), "the busy timeout was waited out");
    // Reading goes on meanwhile (WAL: the lock holder blocks writers only).
    assert_eq!(journal(&mut r, &admin).len(), 1);
    other.execute_batch("COMMIT").unwrap();

    let next = register(&mut r, &admin, 1).unwrap();
    assert_eq!(next.number, "01-2026-00002");
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}

#[test]
fn a_read_only_registry_is_read_and_refuses_writes_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    let (mut r, admin) = fresh(&path);
    let first = register(&mut r, &admin, 0).unwrap();
    let head = r.audit_head().unwrap();
    drop(r);

    let mut ro = Registry::open_read_only(&path).unwrap();
    assert!(ro.is_read_only());
    assert!(ro.has_users().unwrap());
    assert_eq!(journal(&mut ro, &admin), vec![first.number.clone()]);
    assert_eq!(ro.verify_audit_chain().unwrap().first_bad, None);
    assert!(!ro.office().unwrap().series.is_empty());

    let err = register(&mut ro, &admin, 1).unwrap_err();
    assert_eq!(err, Error::ReadOnly);
    assert!(err.message(kense_domain::Lang::Ru).contains("только для чтения"));
    // Opening a record is audited (personal data), so it cannot happen
    // unrecorded on a file that cannot be written.
    assert_eq!(ro.application(&admin, first.id, now()).unwrap_err(), Error::ReadOnly);
    assert_eq!(ro.audit_head().unwrap(), head);
    drop(ro);
    assert_eq!(numbers(&path), vec![first.number]);
}
