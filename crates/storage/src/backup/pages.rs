//! Copying a whole SQLite database page by page through SQLite's online
//! backup API, the only safe way to copy a live WAL-mode file.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use kense_domain::Error;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;

use super::files::io_at;
use super::{go_on, Progress, Report, Stage};
use crate::sql::{open_untrusted, sql_error, Db};

/// 4 MiB at SQLite's default page size: progress is reported between steps,
/// and a commit by the live connection between two steps is picked up (the
/// backup restarts) instead of being waited for.
const PAGES_PER_STEP: i32 = 1024;
/// How long a step waits for a lock before the backup gives up (× 50 ms).
const BUSY_RETRIES: u32 = 200;

/// SQLite's failures in terms a person can act on.
pub(super) fn db_err(e: rusqlite::Error) -> Error {
    sql_error(e).into()
}

/// Opens a file nobody vouches for (see [`open_untrusted`]) as a database
/// the registry's checks can read.
pub(super) fn untrusted(path: &Path) -> Result<Db, crate::sql::SqlError> {
    open_untrusted(path).map(Db::Sqlite)
}

/// Copies the whole database from `src` into `dst` in steps, reporting
/// progress between them.
pub(super) fn copy_pages(
    src: &Connection,
    dst: &mut Connection,
    stage: Stage,
    progress: &mut Report<'_>,
) -> Result<(), Error> {
    let backup = Backup::new(src, dst).map_err(db_err)?;
    let mut waited = 0;
    loop {
        let step = backup.step(PAGES_PER_STEP).map_err(db_err)?;
        let p = backup.progress();
        let total = u64::try_from(p.pagecount).unwrap_or(0);
        let remaining = u64::try_from(p.remaining).unwrap_or(0);
        go_on(progress, Progress { stage, done: total.saturating_sub(remaining), total })?;
        match step {
            StepResult::Done => break,
            StepResult::More => waited = 0,
            _ => {
                waited += 1;
                if waited > BUSY_RETRIES {
                    return Err(Error::DatabaseBusy);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    Ok(())
}

/// Turns a fresh copy into one self-contained file (no -wal beside it) and
/// closes it durably.
pub(crate) fn finish_copy(dst: Connection, path: &Path) -> Result<(), Error> {
    let mode: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).map_err(db_err)?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Error::Storage(format!("copy kept journal_mode {mode}")));
    }
    dst.close().map_err(|(_, e)| db_err(e))?;
    File::open(path).and_then(|f| f.sync_all()).map_err(io_at(path))
}
