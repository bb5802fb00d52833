//! Hearing of other desks' writes on the office server (`--features
//! server-tests`): a desk's watcher hears another desk's registration
//! within the two seconds the office expects, views and log-ins are no
//! news, and a file has nothing to watch.

#![cfg(unix)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

use kense_domain::access::Role;
use kense_domain::user::NewUser;
use kense_storage::{Registry, Signal};

mod common;

use common::engine::fresh_database;
use common::{now, register, CATALOG, PASSWORD};

/// The next signal other than `Reachable(true)` repeats, within `limit`.
fn next(rx: &mpsc::Receiver<(Signal, Instant)>, limit: Duration) -> Option<(Signal, Instant)> {
    rx.recv_timeout(limit).ok()
}

#[test]
fn a_desk_hears_another_desks_registration_within_two_seconds() {
    let settings = fresh_database();
    let mut a = Registry::open_server(&settings).unwrap();
    a.seal_after_upgrade(now()).unwrap();
    a.install_catalog(CATALOG, now()).unwrap();
    let user = NewUser::validate("clerk", "Тіркеуші", vec![Role::Administrator, Role::Clerk]).unwrap();
    let clerk = a.create_first_administrator(&user, PASSWORD, PASSWORD, now()).unwrap();

    let b = Registry::open_server(&settings).unwrap();
    let (tx, rx) = mpsc::channel();
    let watch = b
        .watch(move |s| {
            let _ = tx.send((s, Instant::now()));
        })
        .unwrap()
        .expect("a server is watched");
    assert_eq!(next(&rx, Duration::from_secs(10)).map(|s| s.0), Some(Signal::Reachable(true)));
    // Nothing written: nothing heard.
    assert!(next(&rx, Duration::from_millis(500)).is_none());

    let mut waits = Vec::new();
    for n in 0..3 {
        let sent = Instant::now();
        register(&mut a, &clerk, n).unwrap();
        let (signal, heard) = next(&rx, Duration::from_secs(5)).expect("the registration was heard");
        assert_eq!(signal, Signal::Changed);
        waits.push(heard.duration_since(sent));
    }
    let worst = waits.iter().max().copied().unwrap_or_default();
    eprintln!("desk B heard desk A's registration after {waits:?}");
    assert!(worst < Duration::from_secs(2), "heard after {worst:?}");

    // A log-in and a search by name are audited, but change nothing: no
    // news for the other desks (a desk re-reading an audited list on news
    // would otherwise set the others off, and they it).
    let again = a.log_in("clerk", PASSWORD, now()).unwrap();
    let q = kense_storage::ApplicationQuery { text: Some("Тіркеуші".into()), limit: 5, ..Default::default() };
    a.search(&again, &q, now()).unwrap();
    assert_eq!(next(&rx, Duration::from_secs(3)).map(|s| s.0), None, "a view was told as a change");
    register(&mut a, &clerk, 9).unwrap();
    assert_eq!(next(&rx, Duration::from_secs(5)).map(|s| s.0), Some(Signal::Changed), "a change after views");

    drop(watch);
}

#[test]
fn a_file_has_nothing_to_watch() {
    let dir = tempfile::tempdir().unwrap();
    let r = Registry::open(&dir.path().join("r.sqlite")).unwrap();
    assert!(r.watch(|_| {}).unwrap().is_none());
    r.ping().unwrap();
}
