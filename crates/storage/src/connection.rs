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
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(db_err)?;
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

/// Opens an existing registry for reading only. SQLite's own read-only
/// flag (not file permissions, which do not stop root) makes every write
/// fail with `SQLITE_READONLY`; `query_only` says the same at the SQL level.
pub fn open_read_only(path: &Path) -> Result<Connection, Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(db_err)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db_err)?;
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;").map_err(db_err)?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(db_err)?;
    if check != "ok" {
        return Err(Error::DatabaseCorrupt(check));
    }
    Ok(conn)
}

/// Opens a file nobody vouches for (a backup picked for restore) so that
/// nothing in it can act: read-only, defensive mode (no writable_schema,
/// no journal tricks), untrusted schema (no functions with side effects
/// from its views or triggers).
pub fn open_untrusted(path: &Path) -> Result<Connection, rusqlite::Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")?;
    // Reading the header now makes a non-database fail here, not later.
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?;
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
