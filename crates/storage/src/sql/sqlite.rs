//! The embedded engine: one SQLite file, opened in one place with the
//! settings the registry's promises rest on.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kense_domain::Error;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{Args, Row, SqlError, Value};

/// Prepared statements kept per connection: the registry has fewer distinct
/// statements than this, so each is parsed once.
const STATEMENT_CACHE: usize = 256;

pub(crate) struct SqliteDb {
    conn: Connection,
}

impl SqliteDb {
    /// Opens (or creates) the file with WAL (readers never block the
    /// clerk's write), `synchronous=FULL` (a registration acknowledged is on
    /// disk, even after a power cut), foreign keys on, a busy timeout instead
    /// of immediate failure, and `trusted_schema=OFF` (a tampered file cannot
    /// run functions from its schema). A `quick_check` refuses a damaged file
    /// before anything is written to it.
    pub(crate) fn open(path: &Path) -> Result<SqliteDb, Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sql_error)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sql_error)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(sql_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Storage(format!("journal_mode is {mode}, not wal")));
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA trusted_schema = OFF;",
        )
        .map_err(sql_error)?;
        quick_check(&conn)?;
        Ok(SqliteDb::from_connection(conn))
    }

    pub(crate) fn from_connection(conn: Connection) -> SqliteDb {
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        SqliteDb { conn }
    }

    /// The connection itself, for what only SQLite has: its backup API, the
    /// file's pages, checkpoints.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn into_connection(self) -> Connection {
        self.conn
    }

    pub(crate) fn execute(&self, sql: &str, args: Args<'_>) -> Result<usize, SqlError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_error)?;
        bind(&mut stmt, args)?;
        stmt.raw_execute().map_err(sql_error)
    }

    pub(crate) fn execute_script(&self, sql: &str) -> Result<(), SqlError> {
        self.conn.execute_batch(sql).map_err(sql_error)
    }

    pub(crate) fn query(&self, sql: &str, args: Args<'_>) -> Result<Vec<Row>, SqlError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_error)?;
        bind(&mut stmt, args)?;
        let columns: Arc<[String]> = stmt.column_names().map(str::to_owned).collect();
        let n = columns.len();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql_error)? {
            let mut values = Vec::with_capacity(n);
            for i in 0..n {
                values.push(match r.get_ref(i).map_err(sql_error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Int(i),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                });
            }
            out.push(Row::new(columns.clone(), values));
        }
        Ok(out)
    }
}

fn bind(stmt: &mut rusqlite::CachedStatement<'_>, args: Args<'_>) -> Result<(), SqlError> {
    if stmt.parameter_count() != args.len() {
        return Err(SqlError::Other(format!(
            "statement takes {} parameters, {} given",
            stmt.parameter_count(),
            args.len()
        )));
    }
    for (i, a) in args.iter().enumerate() {
        let v = a.to_value();
        let bound = match &v {
            Value::Null => stmt.raw_bind_parameter(i + 1, rusqlite::types::Null),
            Value::Int(n) => stmt.raw_bind_parameter(i + 1, n),
            Value::Real(f) => stmt.raw_bind_parameter(i + 1, f),
            Value::Text(s) => stmt.raw_bind_parameter(i + 1, s),
            Value::Blob(b) => stmt.raw_bind_parameter(i + 1, b),
        };
        bound.map_err(sql_error)?;
    }
    Ok(())
}

fn quick_check(conn: &Connection) -> Result<(), Error> {
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(sql_error)?;
    if check != "ok" {
        return Err(Error::DatabaseCorrupt(check));
    }
    Ok(())
}

/// Opens an existing registry for reading only. SQLite's own read-only
/// flag (not file permissions, which do not stop root) makes every write
/// fail with `SQLITE_READONLY`; `query_only` says the same at the SQL level.
pub(crate) fn open_read_only(path: &Path) -> Result<SqliteDb, Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sql_error)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(sql_error)?;
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;").map_err(sql_error)?;
    quick_check(&conn)?;
    Ok(SqliteDb::from_connection(conn))
}

/// Opens a file nobody vouches for (a backup picked for restore) so that
/// nothing in it can act: read-only, defensive mode (no writable_schema,
/// no journal tricks), untrusted schema (no functions with side effects
/// from its views or triggers).
pub(crate) fn open_untrusted(path: &Path) -> Result<SqliteDb, SqlError> {
    let open = || -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
        conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")?;
        // Reading the header now makes a non-database fail here, not later.
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?;
        Ok(conn)
    };
    open().map(SqliteDb::from_connection).map_err(sql_error)
}

/// Maps SQLite's failures onto what storage can act on. The technical text
/// travels along for the log.
pub(crate) fn sql_error(e: rusqlite::Error) -> SqlError {
    let text = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => SqlError::Busy,
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => SqlError::Corrupt(text),
        Some(ErrorCode::DiskFull) => SqlError::DiskFull(text),
        Some(ErrorCode::ReadOnly) => SqlError::ReadOnly(text),
        Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure | ErrorCode::PermissionDenied) => SqlError::Io(text),
        Some(ErrorCode::ConstraintViolation) if text.contains("UNIQUE") => SqlError::Unique(text),
        Some(ErrorCode::ConstraintViolation) => SqlError::Constraint(text),
        _ => SqlError::Other(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{args, Db};

    #[test]
    fn settings_are_in_force() {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteDb::open(&dir.path().join("r.sqlite")).unwrap();
        let get = |p: &str| -> i64 { db.conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0)).unwrap() };
        assert_eq!(get("synchronous"), 2, "FULL");
        assert_eq!(get("foreign_keys"), 1);
        assert_eq!(get("trusted_schema"), 0);
        let mode: String = db.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        std::fs::write(&path, vec![b'x'; 8192]).unwrap();
        assert!(matches!(SqliteDb::open(&path), Err(Error::DatabaseCorrupt(_))));
    }

    #[test]
    fn values_round_trip_and_rows_are_read_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::Sqlite(SqliteDb::open(&dir.path().join("r.sqlite")).unwrap());
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, b BLOB, n INTEGER)", args![]).unwrap();
        let id: i64 = db
            .transaction(|tx| {
                tx.value(
                    "INSERT INTO t (s, b, n) VALUES (?1, ?2, ?3) RETURNING id",
                    args!["ә", vec![1u8, 2], None::<i64>],
                )
            })
            .unwrap();
        let row = db.query_one("SELECT id, s, b, n, n IS NULL AS missing FROM t WHERE id = ?1", args![id]).unwrap();
        assert_eq!(row.get::<String>("s").unwrap(), "ә");
        assert_eq!(row.get::<Vec<u8>>("b").unwrap(), vec![1, 2]);
        assert_eq!(row.get::<Option<i64>>("n").unwrap(), None);
        assert!(row.get::<bool>("missing").unwrap());
        assert!(row.get::<i64>("s").is_err(), "text is not read as a number");
        assert!(row.get::<i64>("nope").is_err(), "a missing column is an error");
    }

    #[test]
    fn a_failed_transaction_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::Sqlite(SqliteDb::open(&dir.path().join("r.sqlite")).unwrap());
        db.execute("CREATE TABLE t (x INTEGER UNIQUE)", args![]).unwrap();
        let e = db
            .transaction(|tx| {
                tx.execute("INSERT INTO t (x) VALUES (?1)", args![1])?;
                tx.execute("INSERT INTO t (x) VALUES (?1)", args![1])?;
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(e, Error::Storage(_)), "{e:?}");
        assert_eq!(db.value::<i64>("SELECT COUNT(*) AS n FROM t", args![]).unwrap(), 0);
        assert!(matches!(db.execute("INSERT INTO t (x) VALUES (?1)", args![2]), Ok(1)));
    }
}
