//! What a registry file must pass to be trusted (integrity, foreign keys,
//! the schema Kense's own migrations build, the audit chain), and the two
//! copies that are checked: a backup just taken, and a file chosen for
//! restore, staged beside the registry.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use kense_domain::{BackupFault, Error};
use rusqlite::{Connection, OpenFlags};

use super::files::{file_name, free_name, io_at, sha256_file, sync_dir, with_suffix, write_sidecar};
use super::pages::{copy_pages, db_err, finish_copy, untrusted};
use super::{go_on, BackupRecord, Progress, Report, Stage, Staged};
use crate::audit::{verify, ChainStatus};
use crate::migrations;
use crate::sql::{open_untrusted, Db};

/// One schema object as SQLite lists it: type, name, table, SQL.
type SchemaObject = (String, String, String, Option<String>);

/// The schema as SQLite keeps it, without its internal objects.
fn schema_of(conn: &Connection) -> rusqlite::Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// What Kense's own migrations build for `version`: a file claiming that
/// version must have exactly this schema, so that no trigger guarding the
/// audit table was dropped and nothing was added.
fn reference_schema(version: i64) -> Result<Vec<SchemaObject>, Error> {
    let known = migrations::SQLITE.iter().take_while(|m| m.version <= version).count();
    let applied = &migrations::SQLITE[..known];
    if migrations::latest(applied) != version {
        return Err(Error::BackupRejected(BackupFault::Schema));
    }
    // Applied directly rather than through `migrate`, which would log a
    // migration of the registry for every check.
    let mem = Connection::open_in_memory().map_err(db_err)?;
    for m in applied {
        mem.execute_batch(m.sql).map_err(|e| Error::Storage(format!("migration {} for comparison: {e}", m.version)))?;
    }
    schema_of(&mem).map_err(db_err)
}

/// Whether the registry in `db` has exactly the schema Kense's migrations
/// build for `version`: no trigger dropped, nothing added.
pub(crate) fn schema_matches(db: &Db, version: i64) -> Result<bool, Error> {
    let conn = db.sqlite().ok_or_else(|| Error::Storage("not a SQLite registry".into()))?.connection();
    Ok(schema_of(conn).map_err(db_err)? == reference_schema(version)?)
}

struct Inspection {
    version: i64,
    chain: ChainStatus,
}

/// Every check a registry file must pass to be trusted; failures are
/// [`Error::BackupRejected`] with the reason.
fn inspect(db: &Db) -> Result<Inspection, Error> {
    let conn = db.sqlite().ok_or(Error::BackupRejected(BackupFault::Unreadable))?.connection();
    let unreadable = |e: rusqlite::Error| {
        log::warn!("backup check could not read the file: {e}");
        Error::BackupRejected(BackupFault::Unreadable)
    };
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.take(10).collect())
        .map_err(unreadable)?;
    if integrity != ["ok"] {
        log::warn!("integrity_check: {}", integrity.join("; "));
        return Err(Error::BackupRejected(BackupFault::Integrity));
    }
    let dangling: bool = conn.prepare("PRAGMA foreign_key_check").and_then(|mut s| s.exists([])).map_err(unreadable)?;
    if dangling {
        return Err(Error::BackupRejected(BackupFault::ForeignKeys));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(unreadable)?;
    let supported = migrations::latest(migrations::SQLITE);
    if version > supported {
        return Err(Error::BackupRejected(BackupFault::Newer { found: version, supported }));
    }
    if version < 1 {
        return Err(Error::BackupRejected(BackupFault::Unreadable));
    }
    if schema_of(conn).map_err(unreadable)? != reference_schema(version)? {
        return Err(Error::BackupRejected(BackupFault::Schema));
    }
    let chain = verify(db, version).map_err(|e| {
        log::warn!("audit chain unreadable: {e}");
        Error::BackupRejected(BackupFault::Unreadable)
    })?;
    Ok(Inspection { version, chain })
}

/// Makes a verified backup of the registry file at `source` in `dir` and
/// returns it. Reads through a connection of its own, so the registry's
/// writer is never held up: in WAL mode a reader does not block the writer.
pub fn take(
    source: &Path,
    dir: &Path,
    now: DateTime<FixedOffset>,
    progress: &mut Report<'_>,
) -> Result<BackupRecord, Error> {
    take_with(dir, now, progress, |part, progress| {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let src = Connection::open_with_flags(source, flags).map_err(db_err)?;
        src.busy_timeout(Duration::from_secs(5)).map_err(db_err)?;
        let mut dst = Connection::open(part).map_err(db_err)?;
        copy_pages(&src, &mut dst, Stage::Copy, progress)?;
        drop(src);
        finish_copy(dst, part)
    })
}

/// A backup whatever the registry's engine: `write` makes the copy as one
/// SQLite registry file at the `.part` path given it; the copy is then
/// checked as a restore would check it, hashed, and only then named.
pub(crate) fn take_with(
    dir: &Path,
    now: DateTime<FixedOffset>,
    progress: &mut Report<'_>,
    write: impl FnOnce(&Path, &mut Report<'_>) -> Result<(), Error>,
) -> Result<BackupRecord, Error> {
    std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    let name = free_name(dir, now);
    let path = dir.join(&name);
    let part = with_suffix(&path, ".part");
    let written = write(&part, progress).and_then(|()| verified(&part, progress));
    let (inspection, size, sha256) = match written {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    };
    std::fs::rename(&part, &path).map_err(io_at(&path))?;
    sync_dir(dir)?;
    write_sidecar(&path, &sha256)?;
    Ok(BackupRecord {
        name,
        path,
        size,
        sha256,
        audit_head: inspection.chain.head,
        audit_events: inspection.chain.events,
        chain_ok: inspection.chain.first_bad.is_none(),
        pruned: Vec::new(),
    })
}

fn verified(part: &Path, progress: &mut Report<'_>) -> Result<(Inspection, u64, String), Error> {
    go_on(progress, Progress::at(Stage::Verify))?;
    let conn = untrusted(part)?;
    // Our own copy failing a check means the live registry is damaged.
    let inspection = inspect(&conn).map_err(|e| match e {
        Error::BackupRejected(fault) => Error::DatabaseCorrupt(format!("backup copy failed its check: {fault:?}")),
        other => other,
    })?;
    drop(conn);

    go_on(progress, Progress::at(Stage::Hash))?;
    let size = std::fs::metadata(part).map_err(io_at(part))?.len();
    let sha256 = sha256_file(part)?;
    Ok((inspection, size, sha256))
}

/// Copies the file chosen for restore into `staging` and runs every check
/// on the copy. On refusal nothing is left behind and nothing changed.
pub fn stage_restore(candidate: &Path, staging: &Path, progress: &mut Report<'_>) -> Result<Staged, Error> {
    let _ = std::fs::remove_file(staging);
    let staged = (|| {
        let unreadable = |e: crate::sql::SqlError| {
            log::warn!("{} cannot be read as a registry: {e}", candidate.display());
            Error::BackupRejected(BackupFault::Unreadable)
        };
        let sha256 = sha256_file(candidate)?;
        let src = open_untrusted(candidate).map_err(unreadable)?.into_connection();
        let mut dst = Connection::open(staging).map_err(db_err)?;
        copy_pages(&src, &mut dst, Stage::Copy, progress).map_err(|e| match e {
            Error::DatabaseCorrupt(_) | Error::Storage(_) => Error::BackupRejected(BackupFault::Unreadable),
            other => other,
        })?;
        drop(src);
        finish_copy(dst, staging)?;

        go_on(progress, Progress::at(Stage::Check))?;
        let conn = untrusted(staging).map_err(unreadable)?;
        let inspection = inspect(&conn)?;
        if let Some(first_bad) = inspection.chain.first_bad {
            return Err(Error::BackupRejected(BackupFault::AuditChain { first_bad }));
        }
        Ok(Staged {
            path: staging.to_path_buf(),
            source: file_name(candidate),
            sha256,
            schema_version: inspection.version,
            audit_events: inspection.chain.events,
            audit_head: inspection.chain.head,
        })
    })();
    if staged.is_err() {
        let _ = std::fs::remove_file(staging);
    }
    staged
}
