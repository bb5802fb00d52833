//! Opening the SQLite file: the one place where its settings are chosen.

use std::path::Path;
use std::time::Duration;

use kense_domain::Error;
use rusqlite::{Connection, OpenFlags};

use crate::db_err;

/// Opens the file with the settings the registry's promises rest on:
/// WAL (readers never block the clerk's write), `synchronous=FULL` (a
/// registration acknowledged is on disk, even after a power cut),
/// foreign keys on, a busy timeout instead of immediate failure, and
/// `trusted_schema=OFF` (a tampered file cannot run functions from its schema).
/// A `quick_check` refuses a damaged file before anything is written to it.
pub fn open(path: &Path) -> Result<Connection, Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(db_err)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db_err)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(db_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Storage(format!("journal_mode is {mode}, not wal")));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA trusted_schema = OFF;",
    )
    .map_err(db_err)?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(db_err)?;
    if check != "ok" {
        return Err(Error::DatabaseCorrupt(check));
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_in_force() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("r.sqlite")).unwrap();
        let get = |p: &str| -> i64 { conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0)).unwrap() };
        assert_eq!(get("synchronous"), 2, "FULL");
        assert_eq!(get("foreign_keys"), 1);
        assert_eq!(get("trusted_schema"), 0);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        std::fs::write(&path, vec![b'x'; 8192]).unwrap();
        assert!(matches!(open(&path), Err(Error::DatabaseCorrupt(_))));
    }
}
