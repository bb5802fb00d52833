//! Nothing acknowledged is lost: a writer process is killed with SIGKILL at
//! random moments, again and again, on the same registry; after each kill
//! the file must open, pass `integrity_check`, hold every registration the
//! writer acknowledged, and keep a verifying audit chain.

#![cfg(unix)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

const ROUNDS: u32 = 200;

/// A small xorshift: random kill moments without a dependency, reproducible
/// from the seed printed on failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn killed_writers_lose_nothing_they_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut rng = Rng(seed);
    let mut acknowledged = BTreeSet::new();
    let started = Instant::now();
    let mut kills_mid_write = 0;

    for round in 0..ROUNDS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader =
            std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>());
        // Kill between 5 and 200 ms in: sometimes during start-up and
        // migration, mostly in the middle of the registration loop.
        std::thread::sleep(Duration::from_millis(5 + rng.next() % 195));
        child.kill().unwrap(); // SIGKILL on unix
        let status = child.wait().unwrap();
        let lines = reader.join().unwrap();
        if !status.success() {
            kills_mid_write += 1;
        }
        acknowledged.extend(lines);

        let conn = Connection::open(&path).unwrap();
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "round {round}, seed {seed}");
        // Killed before the first migration committed: all-or-nothing means
        // an empty file, and nothing can have been acknowledged yet.
        let tables: i64 =
            conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).unwrap();
        if tables == 0 {
            assert!(acknowledged.is_empty(), "round {round}, seed {seed}: acknowledged before the schema existed");
            continue;
        }
        let mut stmt = conn.prepare("SELECT number FROM applications").unwrap();
        let stored: BTreeSet<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let lost: Vec<_> = acknowledged.difference(&stored).collect();
        assert!(lost.is_empty(), "round {round}, seed {seed}: acknowledged but lost: {lost:?}");
        drop(stmt);
        drop(conn);
        let registry = kense_storage::Registry::open(&path).unwrap();
        assert_eq!(registry.verify_audit_chain().unwrap().first_bad, None, "round {round}, seed {seed}");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "crash test: {ROUNDS} SIGKILLs ({kills_mid_write} while running), {} registrations acknowledged, none lost, {secs:.1} s",
        acknowledged.len()
    );
    assert!(acknowledged.len() > ROUNDS as usize / 2, "the writer made too little progress to prove anything");
}
