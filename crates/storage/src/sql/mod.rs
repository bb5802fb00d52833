//! The registry's SQL, written once for every engine.
//!
//! Storage modules speak to the database only through [`Db`] and [`Tx`]:
//! statements with numbered parameters (`?1`, `?2`, …), values as [`Value`],
//! rows read by column name ([`Row::get`]). Nothing here hands out an
//! engine's own types, so a module never learns which engine it runs on; the
//! few statements that must differ ask [`Db::engine`].
//!
//! Rules every statement keeps, so that it means the same on each engine:
//! - every selected expression has a name (`COUNT(*) AS n`): rows are read
//!   by name, and engines name unnamed expressions differently;
//! - integers are 64-bit (`i64` in Rust, `INTEGER`/`BIGINT` in the schema),
//!   booleans are stored as 0/1 integers, moments and dates as ISO text;
//! - new ids come back with `RETURNING id`, never from a connection-wide
//!   "last insert id".

mod postgres;
mod sqlite;

use std::fmt;

use kense_domain::Error;

pub use postgres::ServerSettings;
pub(crate) use postgres::{watch as watch_server, PgDb};
pub(crate) use sqlite::{open_read_only, open_untrusted, sql_error, SqliteDb};

/// A value crossing into or out of a statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Something that can be bound to a statement's parameter.
pub(crate) trait ToValue {
    fn to_value(&self) -> Value;
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, u8, bool);

impl ToValue for usize {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl ToValue for chrono::NaiveDate {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// A statement's parameters, in order: `args![a, b]` binds `?1`, `?2`.
macro_rules! args {
    ($($v:expr),* $(,)?) => {
        &[$(&$v as &dyn $crate::sql::ToValue),*]
    };
}
pub(crate) use args;

/// The parameters of a statement.
pub(crate) type Args<'a> = &'a [&'a dyn ToValue];

/// A value read out of a row.
pub(crate) trait FromValue: Sized {
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<i64> {
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> Option<$t> {
                i64::from_value(v).and_then(|i| <$t>::try_from(i).ok())
            }
        }
    )*};
}
int_from_value!(i32, u32, usize);

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<bool> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<f64> {
        match v {
            Value::Real(r) => Some(*r),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Vec<u8>> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl FromValue for Value {
    fn from_value(v: &Value) -> Option<Value> {
        Some(v.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Option<T>> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One row of a result, its values by column name.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    columns: std::sync::Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(columns: std::sync::Arc<[String]>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The value of column `name`. A missing column or a value of another
    /// type is a fault of the statement or of the stored data, reported as
    /// such rather than read as a default.
    pub(crate) fn get<T: FromValue>(&self, name: &str) -> Result<T, Error> {
        let i = self
            .columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Storage(format!("no column {name:?} in the result")))?;
        T::from_value(&self.values[i])
            .ok_or_else(|| Error::Storage(format!("column {name:?} holds {:?}", self.values[i])))
    }

    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }

    pub(crate) fn columns(&self) -> &[String] {
        &self.columns
    }
}

/// A record read from a row, by column name.
pub(crate) trait FromRow: Sized {
    fn from_row(row: &Row) -> Result<Self, Error>;
}

/// What went wrong in the database, in terms storage can act on. Each
/// engine maps its own codes onto these; [`From`] turns them into what a
/// person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SqlError {
    /// Another writer holds the database (SQLite's lock).
    Busy,
    /// The file or server says its data is damaged.
    Corrupt(String),
    DiskFull(String),
    ReadOnly(String),
    /// The file cannot be opened or read.
    Io(String),
    /// A unique index refused the row.
    Unique(String),
    /// Another constraint (a foreign key, a check) refused the row.
    Constraint(String),
    /// Two transactions collided and one was refused: worth trying again.
    Retry(String),
    /// The connection to the server broke, or the server cannot be reached.
    /// A write in flight may or may not have committed.
    Lost(String),
    /// The server refused this workstation's account or password.
    Refused(String),
    /// The server's TLS certificate is not the office's (nor signed by it),
    /// or does not name the host: the connection was never made.
    Certificate(String),
    /// Anything else: a fault of the statement or of the schema.
    Other(String),
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlError::Busy => write!(f, "database busy"),
            SqlError::Corrupt(m)
            | SqlError::DiskFull(m)
            | SqlError::ReadOnly(m)
            | SqlError::Io(m)
            | SqlError::Unique(m)
            | SqlError::Constraint(m)
            | SqlError::Retry(m)
            | SqlError::Lost(m)
            | SqlError::Refused(m)
            | SqlError::Certificate(m)
            | SqlError::Other(m) => f.write_str(m),
        }
    }
}

impl From<SqlError> for Error {
    fn from(e: SqlError) -> Error {
        match e {
            SqlError::Busy => Error::DatabaseBusy,
            SqlError::Corrupt(m) => Error::DatabaseCorrupt(m),
            SqlError::DiskFull(m) => {
                log::error!("disk full: {m}");
                Error::DiskFull
            }
            SqlError::ReadOnly(m) => {
                log::warn!("write refused, read-only: {m}");
                Error::ReadOnly
            }
            SqlError::Io(m) => Error::Io(m),
            SqlError::Lost(m) => {
                log::warn!("office server unreachable: {m}");
                Error::ServerUnreachable
            }
            SqlError::Certificate(m) => {
                log::warn!("office server's certificate rejected: {m}");
                Error::ServerCertificateRejected
            }
            SqlError::Refused(m) => {
                log::warn!("office server refused the log-in: {m}");
                Error::ServerRefused
            }
            SqlError::Unique(m) | SqlError::Constraint(m) | SqlError::Retry(m) | SqlError::Other(m) => {
                Error::Storage(m)
            }
        }
    }
}

/// The values of a statement's parameters, owned: they cross to the
/// server's connection thread.
fn owned(args: Args<'_>) -> Vec<Value> {
    args.iter().map(|a| a.to_value()).collect()
}

/// Which engine a [`Db`] runs on, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// An open database: the registry's one connection to it.
pub(crate) enum Db {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

impl Db {
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, args: Args<'_>) -> Result<usize, SqlError> {
        match self {
            Db::Sqlite(db) => db.execute(sql, args),
            Db::Postgres(db) => db.execute(sql, owned(args)),
        }
    }

    /// Runs several statements without parameters (a migration).
    pub(crate) fn execute_script(&self, sql: &str) -> Result<(), SqlError> {
        match self {
            Db::Sqlite(db) => db.execute_script(sql),
            Db::Postgres(db) => db.execute_script(sql),
        }
    }

    /// Every row of a query.
    pub(crate) fn query(&self, sql: &str, args: Args<'_>) -> Result<Vec<Row>, SqlError> {
        match self {
            Db::Sqlite(db) => db.query(sql, args),
            Db::Postgres(db) => db.query(sql, owned(args)),
        }
    }

    /// Every row of a query, read into records.
    pub(crate) fn query_as<T: FromRow>(&self, sql: &str, args: Args<'_>) -> Result<Vec<T>, Error> {
        self.query(sql, args)?.iter().map(T::from_row).collect()
    }

    /// The first row of a query, if any.
    pub(crate) fn query_opt(&self, sql: &str, args: Args<'_>) -> Result<Option<Row>, SqlError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// The row a query must return.
    pub(crate) fn query_one(&self, sql: &str, args: Args<'_>) -> Result<Row, Error> {
        self.query_opt(sql, args)?.ok_or_else(|| Error::Storage(format!("no row for: {sql}")))
    }

    /// The one value of the first row, if there is a row.
    pub(crate) fn value_opt<T: FromValue>(&self, sql: &str, args: Args<'_>) -> Result<Option<T>, Error> {
        match self.query_opt(sql, args)? {
            Some(row) => {
                let v = row.values().first().ok_or_else(|| Error::Storage(format!("no column in: {sql}")))?;
                T::from_value(v).map(Some).ok_or_else(|| Error::Storage(format!("{v:?} from: {sql}")))
            }
            None => Ok(None),
        }
    }

    /// The one value of the row a query must return.
    pub(crate) fn value<T: FromValue>(&self, sql: &str, args: Args<'_>) -> Result<T, Error> {
        self.value_opt(sql, args)?.ok_or_else(|| Error::Storage(format!("no row for: {sql}")))
    }

    /// Runs `f` in one write transaction: committed when it returns `Ok`,
    /// rolled back when it returns `Err` (or panics). On SQLite the
    /// transaction is `IMMEDIATE`: it takes the write lock first, so a
    /// transaction that read something never finds it changed at commit.
    ///
    /// On the server a transaction refused as a collision with another desk's
    /// (a serialization failure or a deadlock: SQLSTATE 40001, 40P01) was
    /// rolled back whole, so it is run again, a few times, from the start;
    /// `f` must therefore only act through `tx`. Every write first locks the
    /// chain head, so collisions are rare; the retry is the second layer.
    pub(crate) fn transaction<T>(&mut self, mut f: impl FnMut(&Tx<'_>) -> Result<T, Error>) -> Result<T, Error> {
        const ATTEMPTS: u32 = 5;
        let mut attempt = 1;
        loop {
            self.take_collision();
            match self.transaction_once(&mut f) {
                Err(e) if attempt < ATTEMPTS && self.take_collision() => {
                    log::info!("transaction collided with another desk's, attempt {attempt}: {e}");
                    std::thread::sleep(std::time::Duration::from_millis(10 << attempt));
                    attempt += 1;
                }
                out => return out,
            }
        }
    }

    fn take_collision(&self) -> bool {
        match self {
            Db::Sqlite(_) => false,
            Db::Postgres(db) => db.take_collision(),
        }
    }

    fn transaction_once<T>(&mut self, f: &mut impl FnMut(&Tx<'_>) -> Result<T, Error>) -> Result<T, Error> {
        self.execute(self.begin_statement(), args![])?;
        let tx = Tx { db: self, done: false };
        match f(&tx) {
            Ok(out) => {
                tx.commit()?;
                Ok(out)
            }
            Err(e) => {
                tx.rollback();
                Err(e)
            }
        }
    }

    /// Runs `f` over one consistent view of the database: a long read (the
    /// full check) made while others write sees every table as of one
    /// moment, not a row from before a write beside its seal from after.
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(&Db) -> Result<T, Error>) -> Result<T, Error> {
        let begin = match self {
            Db::Sqlite(_) => "BEGIN DEFERRED",
            Db::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        self.execute(begin, args![])?;
        let out = f(self);
        let end = self.execute(if out.is_ok() { "COMMIT" } else { "ROLLBACK" }, args![]);
        match (out, end) {
            (Ok(v), Ok(_)) => Ok(v),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(e.into()),
        }
    }

    fn begin_statement(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "BEGIN IMMEDIATE",
            Db::Postgres(_) => "BEGIN ISOLATION LEVEL READ COMMITTED",
        }
    }

    /// The SQLite connection, for what only SQLite has (its backup API,
    /// page counts). `None` on another engine.
    pub(crate) fn sqlite(&self) -> Option<&SqliteDb> {
        match self {
            Db::Sqlite(db) => Some(db),
            Db::Postgres(_) => None,
        }
    }
}

/// A write transaction under way. It reads and writes like the [`Db`] it
/// belongs to (`Deref`); a function that takes a `&Tx` says by its type that
/// it must run inside one.
pub(crate) struct Tx<'a> {
    db: &'a Db,
    done: bool,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Tx<'_> {
    fn commit(mut self) -> Result<(), SqlError> {
        self.done = true;
        match self.db.execute("COMMIT", args![]) {
            Ok(_) => Ok(()),
            Err(e) => {
                // A failed COMMIT (a full disk) leaves the transaction open.
                let _ = self.db.execute("ROLLBACK", args![]);
                Err(e)
            }
        }
    }

    fn rollback(mut self) {
        self.done = true;
        if let Err(e) = self.db.execute("ROLLBACK", args![]) {
            log::error!("rollback failed: {e}");
        }
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        // Only reached by a panic inside the transaction: never commit half.
        if !self.done {
            let _ = self.db.execute("ROLLBACK", args![]);
        }
    }
}

/// The retry on the real server: a collision is raised with its own
/// SQLSTATE by the server itself, so what is tested is how `transaction`
/// answers the code, not a mock of it.
#[cfg(all(test, feature = "server-tests"))]
mod server_tests {
    use super::*;

    fn owner() -> Db {
        let var = |n: &str| std::env::var(n).unwrap_or_else(|_| panic!("{n}: start scripts/pg-cluster"));
        let settings = ServerSettings {
            host: var("KENSE_TEST_PG_HOST"),
            port: var("KENSE_TEST_PG_PORT").parse().unwrap(),
            database: "postgres".into(),
            user: var("KENSE_TEST_PG_OWNER"),
            password: var("KENSE_TEST_PG_OWNER_PASSWORD"),
            certificate_pem: std::fs::read_to_string(var("KENSE_TEST_PG_CERT")).unwrap(),
        };
        Db::Postgres(PgDb::connect(&settings).unwrap())
    }

    fn collide(tx: &Tx<'_>, code: &str) -> Result<usize, SqlError> {
        tx.execute(&format!("DO $$ BEGIN RAISE EXCEPTION 'collision' USING ERRCODE = '{code}'; END $$"), args![])
    }

    #[test]
    fn a_collision_is_rolled_back_and_run_again() {
        let mut db = owner();
        db.execute("CREATE TEMP TABLE written (n INTEGER)", args![]).unwrap();
        for code in ["40001", "40P01"] {
            db.execute("DELETE FROM written", args![]).unwrap();
            let mut attempts = 0;
            let out = db.transaction(|tx| {
                attempts += 1;
                tx.execute("INSERT INTO written (n) VALUES (?1)", args![attempts])?;
                if attempts < 3 {
                    collide(tx, code)?;
                }
                Ok(attempts)
            });
            assert_eq!(out.unwrap(), 3, "{code}");
            // The collided attempts left nothing behind.
            let rows: Vec<i64> =
                db.query("SELECT n FROM written", args![]).unwrap().iter().map(|r| r.get("n").unwrap()).collect();
            assert_eq!(rows, vec![3], "{code}");
        }
    }

    #[test]
    fn a_collision_that_keeps_coming_back_is_an_error_and_another_fault_is_not_retried() {
        let mut db = owner();
        let mut attempts = 0;
        let out: Result<(), Error> = db.transaction(|tx| {
            attempts += 1;
            collide(tx, "40001")?;
            Ok(())
        });
        assert!(matches!(out, Err(Error::Storage(_))), "{out:?}");
        assert_eq!(attempts, 5);
        let mut attempts = 0;
        let out: Result<(), Error> = db.transaction(|tx| {
            attempts += 1;
            collide(tx, "23505")?;
            Ok(())
        });
        assert!(out.is_err());
        assert_eq!(attempts, 1, "a unique violation is an answer, not a collision");
    }
}
