//! Backups of the registry file and restore from one.
//!
//! A backup is made with SQLite's online backup API from a connection of its
//! own, never by copying the live file: in WAL mode the file alone is not
//! the database, and a copy taken mid-transaction is a known way to corrupt
//! one. The copy is written under a `.part` name, switched to a single-file
//! journal, checked (`integrity_check`, `foreign_key_check`, the schema
//! against the migrations, the audit chain) and hashed; only then does it get
//! its final name, so a half-written backup never looks like a backup.
//!
//! Restore treats the chosen file as hostile: it is opened read-only in
//! defensive mode with an untrusted schema, copied (backup API again) into a
//! staging file beside the registry, and every check runs on that staging
//! copy, so what is checked is exactly what goes in, whatever happens to the
//! chosen file meanwhile.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::{BackupFault, Error};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::{append, verify, ChainStatus, Entry};
use crate::{connection, db_err, migrations, timestamp, Registry};

/// Days of backups kept. Every backup of the newest day is kept; each
/// earlier day keeps only its last one. Counting days rather than files keeps
/// a week of history even when the program is closed (and backed up) several
/// times a day.
pub const GENERATIONS: usize = 7;

/// 4 MiB at SQLite's default page size: progress is reported between steps,
/// and a commit by the live connection between two steps is picked up (the
/// backup restarts) instead of being waited for.
const PAGES_PER_STEP: i32 = 1024;
/// How long a step waits for a lock before the backup gives up (× 50 ms).
const BUSY_RETRIES: u32 = 200;

const PREFIX: &str = "registry-";
const EXT: &str = ".sqlite";

/// Who asked for a backup.
#[derive(Debug, Clone, Copy)]
pub enum Initiator<'a> {
    /// The program's own schedule; the word says when ("start-up", "daily", "exit").
    Schedule(&'static str),
    Person(&'a Actor),
}

/// Where a long operation is, for the window's progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Copy,
    Verify,
    Hash,
    Prune,
    Transfer,
    Check,
    Swap,
    Reopen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Copy,
        Stage::Verify,
        Stage::Hash,
        Stage::Prune,
        Stage::Transfer,
        Stage::Check,
        Stage::Swap,
        Stage::Reopen,
    ];
}

impl Progress {
    /// A step without a count of its own.
    pub fn at(stage: Stage) -> Progress {
        Progress { stage, done: 0, total: 0 }
    }
}

/// Told where a long operation is; answers whether to go on (`false`: the
/// person cancelled). Copying and checking stop at the next report and
/// leave nothing behind; a restore's swap, once begun, does not stop.
pub type Report<'a> = dyn FnMut(Progress) -> bool + 'a;

fn go_on(progress: &mut Report<'_>, p: Progress) -> Result<(), Error> {
    if progress(p) {
        Ok(())
    } else {
        Err(Error::Cancelled)
    }
}

/// A verified backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRecord {
    pub name: String,
    #[serde(skip)]
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// The audit chain's head inside the copy: what the registry had
    /// committed at the moment of the copy.
    pub audit_head: String,
    pub audit_events: i64,
    /// False if the copy's chain is broken (it was already broken in the
    /// live file): the file is kept, but no older backup is deleted for it.
    pub chain_ok: bool,
    /// Older backups deleted after this one was verified.
    pub pruned: Vec<String>,
}

/// A backup as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupFile {
    pub name: String,
    pub size: u64,
    /// Office time of the copy, from the file name ("2026-11-24T10:00:00").
    pub taken_at: NaiveDateTime,
}

/// A backup copied out of the data folder (to a USB stick or a share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyRecord {
    pub name: String,
    pub destination: PathBuf,
    pub size: u64,
    pub sha256: String,
}

/// A file that passed every restore check, copied to a staging file that
/// nobody else writes.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    pub source: String,
    pub sha256: String,
    pub schema_version: i64,
    pub audit_events: i64,
    pub audit_head: String,
}

impl Staged {
    /// Drops the staging copy when the restore is not going ahead.
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreRecord {
    pub source: String,
    /// The file name the replaced registry was kept under, in the data folder.
    pub kept_as: String,
    pub audit_events: i64,
    pub audit_head: String,
}

/// A restore consumes the open registry; what comes back is the registry
/// to work with (the restored one, or the previous one put back) and the
/// outcome for the person who asked.
pub struct RestoreOutcome {
    pub registry: Result<Registry, Error>,
    pub result: Result<RestoreRecord, Error>,
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| match e.kind() {
        std::io::ErrorKind::StorageFull => {
            log::error!("{}: {e}", path.display());
            Error::DiskFull
        }
        _ => Error::Io(format!("{}: {e}", path.display())),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Makes a rename durable (Unix; Windows has no directory handles to sync).
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_at(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn sha256_file(path: &Path) -> Result<String, Error> {
    let mut f = File::open(path).map_err(io_at(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io_at(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn sidecar(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".sha256");
    PathBuf::from(s)
}

/// `sha256sum` format, so that a copy on a USB stick can be checked with
/// the operating system's own tools.
fn write_sidecar(path: &Path, sha256: &str) -> Result<(), Error> {
    let side = sidecar(path);
    let mut f = File::create(&side).map_err(io_at(&side))?;
    writeln!(f, "{sha256}  {}", file_name(path)).map_err(io_at(&side))?;
    f.sync_all().map_err(io_at(&side))
}

fn read_sidecar(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(sidecar(path)).ok()?;
    let hex = text.split_whitespace().next()?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `registry-20261124-100000.sqlite` → its moment and collision counter.
fn parse_name(name: &str) -> Option<(NaiveDateTime, u32)> {
    let stem = name.strip_prefix(PREFIX)?.strip_suffix(EXT)?;
    let (moment, rest) = (stem.get(..15)?, stem.get(15..)?);
    let at = NaiveDateTime::parse_from_str(moment, "%Y%m%d-%H%M%S").ok()?;
    let n = match rest.strip_prefix('-') {
        None if rest.is_empty() => 1,
        Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => d.parse().ok()?,
        _ => return None,
    };
    Some((at, n))
}

/// A name for a backup taken at `now` that no file in `dir` has yet.
fn free_name(dir: &Path, now: DateTime<FixedOffset>) -> String {
    let base = format!("{PREFIX}{}", now.format("%Y%m%d-%H%M%S"));
    let mut n = 1;
    loop {
        let name = if n == 1 { format!("{base}{EXT}") } else { format!("{base}-{n}{EXT}") };
        if !dir.join(&name).exists() && !dir.join(format!("{name}.part")).exists() {
            return name;
        }
        n += 1;
    }
}

/// Copies the whole database from `src` into `dst` in steps, reporting
/// progress between them.
fn copy_pages(src: &Connection, dst: &mut Connection, stage: Stage, progress: &mut Report<'_>) -> Result<(), Error> {
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
fn finish_copy(dst: Connection, path: &Path) -> Result<(), Error> {
    let mode: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).map_err(db_err)?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Error::Storage(format!("copy kept journal_mode {mode}")));
    }
    dst.close().map_err(|(_, e)| db_err(e))?;
    File::open(path).and_then(|f| f.sync_all()).map_err(io_at(path))
}

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
    let known = migrations::MIGRATIONS.iter().take_while(|m| m.version <= version).count();
    let applied = &migrations::MIGRATIONS[..known];
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

struct Inspection {
    version: i64,
    chain: ChainStatus,
}

/// Every check a registry file must pass to be trusted; failures are
/// [`Error::BackupRejected`] with the reason.
fn inspect(conn: &Connection) -> Result<Inspection, Error> {
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
    let supported = migrations::latest(migrations::MIGRATIONS);
    if version > supported {
        return Err(Error::BackupRejected(BackupFault::Newer { found: version, supported }));
    }
    if version < 1 {
        return Err(Error::BackupRejected(BackupFault::Unreadable));
    }
    if schema_of(conn).map_err(unreadable)? != reference_schema(version)? {
        return Err(Error::BackupRejected(BackupFault::Schema));
    }
    let chain = verify(conn).map_err(|e| {
        log::warn!("audit chain unreadable: {e}");
        Error::BackupRejected(BackupFault::Unreadable)
    })?;
    Ok(Inspection { version, chain })
}

/// Makes a verified backup of the registry at `source` in `dir` and returns
/// it. Reads through a connection of its own, so the registry's writer is
/// never held up: in WAL mode a reader does not block the writer.
pub fn take(
    source: &Path,
    dir: &Path,
    now: DateTime<FixedOffset>,
    progress: &mut Report<'_>,
) -> Result<BackupRecord, Error> {
    std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    let name = free_name(dir, now);
    let path = dir.join(&name);
    let part = with_suffix(&path, ".part");
    let written = write_verified(source, &part, progress);
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

fn write_verified(source: &Path, part: &Path, progress: &mut Report<'_>) -> Result<(Inspection, u64, String), Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let src = Connection::open_with_flags(source, flags).map_err(db_err)?;
    src.busy_timeout(Duration::from_secs(5)).map_err(db_err)?;
    let mut dst = Connection::open(part).map_err(db_err)?;
    copy_pages(&src, &mut dst, Stage::Copy, progress)?;
    drop(src);
    finish_copy(dst, part)?;

    go_on(progress, Progress::at(Stage::Verify))?;
    let conn = connection::open_untrusted(part).map_err(db_err)?;
    // Our own copy failing a check means the live file is damaged.
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

/// The verified backups in `dir`, newest first. A `.part` file (a backup
/// that never finished) is not one.
pub fn list(dir: &Path) -> Result<Vec<BackupFile>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_at(dir)(e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_at(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((taken_at, n)) = parse_name(&name) else { continue };
        let meta = entry.metadata().map_err(io_at(&entry.path()))?;
        if meta.is_file() {
            found.push((taken_at, n, BackupFile { name, size: meta.len(), taken_at }));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse((f.0, f.1)));
    Ok(found.into_iter().map(|(_, _, f)| f).collect())
}

/// Deletes the backups that fall outside [`GENERATIONS`] days; returns
/// their names. Called only after a new backup has been verified.
pub fn prune(dir: &Path, generations: usize) -> Result<Vec<String>, Error> {
    let files = list(dir)?;
    let newest_day = files.first().map(|f| f.taken_at.date());
    let mut days: Vec<NaiveDate> = Vec::new();
    for f in &files {
        if !days.contains(&f.taken_at.date()) {
            days.push(f.taken_at.date());
        }
    }
    let kept_days: HashSet<NaiveDate> = days.into_iter().take(generations.max(1)).collect();
    let mut seen = HashSet::new();
    let mut deleted = Vec::new();
    for f in files {
        let day = f.taken_at.date();
        let keep = kept_days.contains(&day) && (Some(day) == newest_day || seen.insert(day));
        if !keep {
            let path = dir.join(&f.name);
            std::fs::remove_file(&path).map_err(io_at(&path))?;
            let _ = std::fs::remove_file(sidecar(&path));
            deleted.push(f.name);
        }
    }
    Ok(deleted)
}

/// Copies the newest backup into `destination` (a folder the person chose),
/// checking it against its recorded hash before and after.
pub fn copy_latest(dir: &Path, destination: &Path, progress: &mut Report<'_>) -> Result<CopyRecord, Error> {
    let latest = list(dir)?.into_iter().next().ok_or(Error::NoBackup)?;
    let source = dir.join(&latest.name);
    go_on(progress, Progress::at(Stage::Verify))?;
    let sha256 = sha256_file(&source)?;
    if read_sidecar(&source).is_some_and(|recorded| recorded != sha256) {
        return Err(Error::Io(format!("{} no longer matches its recorded SHA-256", source.display())));
    }
    let target = destination.join(&latest.name);
    let part = with_suffix(&target, ".part");
    let copied = (|| {
        let mut from = File::open(&source).map_err(io_at(&source))?;
        let mut to = File::create(&part).map_err(io_at(&part))?;
        let mut buf = vec![0u8; 1 << 20];
        let mut done = 0u64;
        loop {
            let n = from.read(&mut buf).map_err(io_at(&source))?;
            if n == 0 {
                break;
            }
            to.write_all(&buf[..n]).map_err(io_at(&part))?;
            done += n as u64;
            go_on(progress, Progress { stage: Stage::Transfer, done, total: latest.size })?;
        }
        to.sync_all().map_err(io_at(&part))?;
        drop(to);
        go_on(progress, Progress::at(Stage::Hash))?;
        if sha256_file(&part)? != sha256 {
            return Err(Error::Io(format!("{} differs from the backup after copying", part.display())));
        }
        Ok(())
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    std::fs::rename(&part, &target).map_err(io_at(&target))?;
    write_sidecar(&target, &sha256)?;
    sync_dir(destination)?;
    Ok(CopyRecord { name: latest.name, destination: destination.to_path_buf(), size: latest.size, sha256 })
}

/// Copies the file chosen for restore into `staging` and runs every check
/// on the copy. On refusal nothing is left behind and nothing changed.
pub fn stage_restore(candidate: &Path, staging: &Path, progress: &mut Report<'_>) -> Result<Staged, Error> {
    let _ = std::fs::remove_file(staging);
    let staged = (|| {
        let unreadable = |e: rusqlite::Error| {
            log::warn!("{} cannot be read as a registry: {e}", candidate.display());
            Error::BackupRejected(BackupFault::Unreadable)
        };
        let sha256 = sha256_file(candidate)?;
        let src = connection::open_untrusted(candidate).map_err(unreadable)?;
        let mut dst = Connection::open(staging).map_err(db_err)?;
        copy_pages(&src, &mut dst, Stage::Copy, progress).map_err(|e| match e {
            Error::DatabaseCorrupt(_) | Error::Storage(_) => Error::BackupRejected(BackupFault::Unreadable),
            other => other,
        })?;
        drop(src);
        finish_copy(dst, staging)?;

        go_on(progress, Progress::at(Stage::Check))?;
        let conn = connection::open_untrusted(staging).map_err(unreadable)?;
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

/// The live file's companions, which must go wherever it goes.
fn companions(path: &Path) -> [PathBuf; 3] {
    [with_suffix(path, "-wal"), with_suffix(path, "-shm"), with_suffix(path, "-journal")]
}

impl Registry {
    /// Checks the right to manage backups; a refusal is audited.
    pub fn authorize_backups(&mut self, actor: &Actor, what: &str, now: DateTime<FixedOffset>) -> Result<(), Error> {
        self.authorize_plain(actor, Action::ManageBackups, what, &timestamp(now)).map(|_| ())
    }

    fn append_event(
        &mut self,
        by: Initiator<'_>,
        action: &str,
        entity_id: Option<String>,
        after: serde_json::Value,
        at: &str,
    ) -> Result<(), Error> {
        let (actor_id, role, reason) = match by {
            Initiator::Person(a) => {
                (Some(a.user_id), authorize(a, Action::ManageBackups, None).ok().map(|r| r.code()), None)
            }
            Initiator::Schedule(when) => (None, None, Some(when.to_owned())),
        };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        append(
            &tx,
            Entry {
                at,
                actor_id,
                actor_role: role,
                action,
                entity: "registry",
                entity_id,
                before: None,
                after: Some(after.to_string()),
                reason,
            },
        )?;
        tx.commit().map_err(db_err)
    }

    /// Audits a verified backup, with the chain head it holds.
    pub fn record_backup(
        &mut self,
        by: Initiator<'_>,
        rec: &BackupRecord,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let after = serde_json::json!({
            "file": rec.name,
            "size": rec.size,
            "sha256": rec.sha256,
            "audit_head": rec.audit_head,
            "audit_events": rec.audit_events,
            "chain_ok": rec.chain_ok,
            "pruned": rec.pruned,
        });
        self.append_event(by, "backup", Some(rec.name.clone()), after, &timestamp(now))
    }

    /// Audits a backup copied out of the data folder, and where to.
    pub fn record_backup_copy(
        &mut self,
        actor: &Actor,
        rec: &CopyRecord,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let after = serde_json::json!({
            "file": rec.name,
            "sha256": rec.sha256,
            "destination": rec.destination.display().to_string(),
        });
        self.append_event(Initiator::Person(actor), "backup_copied", Some(rec.name.clone()), after, &timestamp(now))
    }

    /// Backs the registry up into `dir`: the copy, its checks, the audit
    /// event and the pruning of old generations, in that order.
    pub fn back_up(
        &mut self,
        by: Initiator<'_>,
        dir: &Path,
        now: DateTime<FixedOffset>,
        progress: &mut Report<'_>,
    ) -> Result<BackupRecord, Error> {
        if let Initiator::Person(actor) = by {
            self.authorize_backups(actor, "back_up", now)?;
        }
        let mut rec = take(&self.path, dir, now, progress)?;
        self.finish_backup(by, &mut rec, dir, now, progress)?;
        Ok(rec)
    }

    /// After a verified copy: prunes old generations (unless the copy's
    /// chain is broken — then every earlier backup is evidence) and audits.
    pub fn finish_backup(
        &mut self,
        by: Initiator<'_>,
        rec: &mut BackupRecord,
        dir: &Path,
        now: DateTime<FixedOffset>,
        progress: &mut Report<'_>,
    ) -> Result<(), Error> {
        if rec.chain_ok {
            // The backup is made: reported, not cancellable.
            let _ = progress(Progress::at(Stage::Prune));
            rec.pruned = prune(dir, GENERATIONS)?;
        } else {
            log::error!("backup {} holds a broken audit chain; older backups are kept", rec.name);
        }
        self.record_backup(by, rec, now)
    }

    /// The backups in `dir`, for the administrator.
    pub fn backups(&mut self, actor: &Actor, dir: &Path, now: DateTime<FixedOffset>) -> Result<Vec<BackupFile>, Error> {
        self.authorize_backups(actor, "backups", now)?;
        list(dir)
    }

    /// Replaces the registry with a staged, checked file. The open file is
    /// checkpointed and closed, kept beside the registry as
    /// `registry-before-restore-<time>.sqlite`, and the staged copy is
    /// written in its place through the backup API; each registry's chain
    /// records the swap. Any failure puts the previous file back.
    pub fn restore(
        mut self,
        staged: Staged,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        progress: &mut Report<'_>,
    ) -> RestoreOutcome {
        let at = timestamp(now);
        let refuse = |registry: Registry, staged: Staged, e: Error| {
            staged.discard();
            RestoreOutcome { registry: Ok(registry), result: Err(e) }
        };
        if let Err(e) = self.authorize_backups(actor, "restore", now) {
            return refuse(self, staged, e);
        }
        let replaced_head = match self.audit_head() {
            Ok(h) => h,
            Err(e) => return refuse(self, staged, e),
        };
        // The file set aside says in its own chain why it was replaced.
        let note =
            serde_json::json!({"source": staged.source, "sha256": staged.sha256, "restored_head": staged.audit_head});
        if let Err(e) =
            self.append_event(Initiator::Person(actor), "restore_replaced", Some(staged.source.clone()), note, &at)
        {
            return refuse(self, staged, e);
        }

        // From here on the swap finishes or is undone; a cancel is too late.
        let progress = &mut |p| {
            let _ = progress(p);
            true
        };
        progress(Progress::at(Stage::Swap));
        let live = match self.close_for_swap() {
            Ok(live) => live,
            Err(refused) => {
                let (registry, e) = *refused;
                staged.discard();
                return RestoreOutcome { registry, result: Err(e) };
            }
        };
        let kept = match set_aside(&live, "registry-before-restore", now) {
            Ok(kept) => kept,
            Err(e) => {
                staged.discard();
                return RestoreOutcome { registry: Registry::open(&live), result: Err(e) };
            }
        };
        let cause = serde_json::json!({ "replaced_head": replaced_head });
        match swap_in(&staged, &live, Some(&kept), actor, &at, cause, progress) {
            Ok((registry, record)) => {
                staged.discard();
                RestoreOutcome { registry: Ok(registry), result: Ok(record) }
            }
            Err(e) => {
                log::error!("restore failed, putting the previous registry back: {e}");
                staged.discard();
                let registry = put_back(&live, &kept).and_then(|()| Registry::open(&live));
                RestoreOutcome { registry, result: Err(e) }
            }
        }
    }

    /// Checkpoints and closes the registry so that its file alone is the
    /// database and can be set aside. On failure the registry to go on with
    /// comes back with the error.
    fn close_for_swap(self) -> Result<PathBuf, Box<NotClosed>> {
        // `busy` from the checkpoint means another connection still reads.
        let checkpoint: Result<i64, _> = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0));
        match checkpoint {
            Ok(0) => {}
            Ok(_) => return Err(Box::new((Ok(self), Error::DatabaseBusy))),
            Err(e) => return Err(Box::new((Ok(self), db_err(e)))),
        }
        let live = self.path.clone();
        if let Err((conn, e)) = self.conn.close() {
            let registry =
                Registry { conn, queue_rules: self.queue_rules, path: live, read_only: false, catalogs: self.catalogs };
            return Err(Box::new((Ok(registry), db_err(e))));
        }
        let [wal, shm, journal] = companions(&live);
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) || journal.exists() {
            // Someone else still has the file open; setting it aside now
            // would separate it from its log.
            return Err(Box::new((Registry::open(&live), Error::DatabaseBusy)));
        }
        let _ = std::fs::remove_file(&wal);
        let _ = std::fs::remove_file(&shm);
        Ok(live)
    }
}

/// A registry that could not be closed for a swap: the one to go on with
/// (or why it would not reopen), and the error.
type NotClosed = (Result<Registry, Error>, Error);

/// Who asks to recover, as typed on the recovery screen.
pub struct Credentials<'a> {
    pub login: &'a str,
    pub password: &'a str,
    /// Attempts the program refused before this one. Nothing could record
    /// them when they happened; the restore's audit event does.
    pub refused_before: u32,
}

/// Why a registry is being recovered without anyone logged in to it.
#[derive(Debug)]
pub enum Unusable {
    /// It cannot be opened; the error says why.
    Unopenable(Error),
    /// The file is gone while backups of it exist.
    Missing,
}

/// Restores a staged backup when nobody can log in to the registry: it
/// cannot be opened, it is missing while backups exist, or it is still
/// empty (Kense just installed on a new computer). Who restores proves to
/// be an active administrator *of the backup being restored*: the only
/// accounts there are. The unusable file and its log are kept beside the
/// registry as `registry-unopenable-<time>.sqlite` (an empty one as
/// `registry-before-restore-…`). `current` is what the program holds
/// instead of a registry; on any failure it comes back unchanged.
pub fn recover(
    live: &Path,
    current: Result<Registry, Unusable>,
    staged: Staged,
    who: &Credentials<'_>,
    now: DateTime<FixedOffset>,
    progress: &mut Report<'_>,
) -> (Result<Registry, Unusable>, Result<RestoreRecord, Error>) {
    let refuse = |current, staged: Staged, e: Error| {
        staged.discard();
        (current, Err(e))
    };
    let actor = match connection::open_untrusted(&staged.path)
        .map_err(db_err)
        .and_then(|conn| crate::accounts::administrator_of(&conn, who.login, who.password))
    {
        Ok(actor) => actor,
        Err(e) => {
            log::warn!("recovery refused for login {:?}: {e}", who.login);
            return refuse(current, staged, e);
        }
    };
    // From here on the swap finishes or is undone; a cancel is too late.
    let progress = &mut |p| {
        let _ = progress(p);
        true
    };
    progress(Progress::at(Stage::Swap));
    // What stood in the registry's place, to put back if this fails.
    let prior = match current {
        Ok(registry) => {
            match registry.has_users() {
                Ok(false) => {}
                Ok(true) => return refuse(Ok(registry), staged, Error::AlreadyInitialised),
                Err(e) => return refuse(Ok(registry), staged, e),
            }
            match registry.close_for_swap().map_err(|refused| *refused) {
                Ok(_) => None,
                Err((Ok(registry), e)) => return refuse(Ok(registry), staged, e),
                Err((Err(reopen), e)) => return refuse(Err(Unusable::Unopenable(reopen)), staged, e),
            }
        }
        Err(unusable) => Some(unusable),
    };
    let (cause, base) = match &prior {
        None => ("empty".to_owned(), "registry-before-restore"),
        Some(Unusable::Missing) => ("missing".to_owned(), ""),
        Some(Unusable::Unopenable(e)) => (e.to_string(), "registry-unopenable"),
    };
    let unchanged = |kept: Option<&Path>, prior: Option<Unusable>| -> Result<Registry, Unusable> {
        match kept {
            Some(k) => {
                if let Err(e) = put_back(live, k) {
                    return Err(Unusable::Unopenable(e));
                }
            }
            None => {
                let _ = std::fs::remove_file(live);
                companions(live).iter().for_each(|c| drop(std::fs::remove_file(c)));
            }
        }
        match prior {
            None => Registry::open(live).map_err(Unusable::Unopenable),
            Some(p) => Err(p),
        }
    };
    let kept = if base.is_empty() {
        None
    } else {
        match set_aside(live, base, now) {
            Ok(k) => Some(k),
            Err(e) => {
                staged.discard();
                let back = match prior {
                    None => Registry::open(live).map_err(Unusable::Unopenable),
                    Some(p) => Err(p),
                };
                return (back, Err(e));
            }
        }
    };
    let note = serde_json::json!({ "recovered_from": cause, "refused_before": who.refused_before });
    match swap_in(&staged, live, kept.as_deref(), &actor, &timestamp(now), note, progress) {
        Ok((registry, record)) => {
            staged.discard();
            (Ok(registry), Ok(record))
        }
        Err(e) => {
            log::error!("recovery failed, putting the previous file back: {e}");
            staged.discard();
            (unchanged(kept.as_deref(), prior), Err(e))
        }
    }
}

/// Moves the registry file and whatever lies beside it (its log) to a free
/// name `<base>-<time>.sqlite` in the same folder, durably.
fn set_aside(live: &Path, base: &str, now: DateTime<FixedOffset>) -> Result<PathBuf, Error> {
    let dir = live.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = format!("{base}-{}", now.format("%Y%m%d-%H%M%S"));
    let mut n = 1;
    let kept = loop {
        let name = if n == 1 { format!("{base}{EXT}") } else { format!("{base}-{n}{EXT}") };
        if !dir.join(&name).exists() {
            break dir.join(name);
        }
        n += 1;
    };
    std::fs::rename(live, &kept).map_err(io_at(live))?;
    for (from, to) in companions(live).iter().zip(companions(&kept)) {
        if from.exists() {
            std::fs::rename(from, &to).map_err(io_at(from))?;
        }
    }
    sync_dir(&dir)?;
    Ok(kept)
}

/// Puts a set-aside file (and its log) back after a failed swap.
fn put_back(live: &Path, kept: &Path) -> Result<(), Error> {
    let _ = std::fs::remove_file(live);
    for c in companions(live) {
        let _ = std::fs::remove_file(c);
    }
    std::fs::rename(kept, live).map_err(io_at(live))?;
    for (from, to) in companions(kept).iter().zip(companions(live)) {
        if from.exists() {
            std::fs::rename(from, &to).map_err(io_at(from))?;
        }
    }
    Ok(())
}

/// Writes the staged copy in the registry's place through the backup API,
/// opens it and audits the restore in its chain. `kept` is where the file
/// it replaces went (none when there was no file).
fn swap_in(
    staged: &Staged,
    live: &Path,
    kept: Option<&Path>,
    actor: &Actor,
    at: &str,
    mut note: serde_json::Value,
    progress: &mut Report<'_>,
) -> Result<(Registry, RestoreRecord), Error> {
    let src = connection::open_untrusted(&staged.path).map_err(db_err)?;
    let mut dst = Connection::open(live).map_err(db_err)?;
    copy_pages(&src, &mut dst, Stage::Swap, progress)?;
    drop(src);
    finish_copy(dst, live)?;
    let _ = progress(Progress::at(Stage::Reopen));
    let mut registry = Registry::open(live)?;
    let record = RestoreRecord {
        source: staged.source.clone(),
        kept_as: kept.map(file_name).unwrap_or_default(),
        audit_events: staged.audit_events,
        audit_head: staged.audit_head.clone(),
    };
    if let Some(fields) = note.as_object_mut() {
        for (k, v) in [
            ("source", serde_json::json!(record.source)),
            ("sha256", serde_json::json!(staged.sha256)),
            ("schema_version", serde_json::json!(staged.schema_version)),
            ("kept_as", serde_json::json!(record.kept_as)),
            ("restored_head", serde_json::json!(record.audit_head)),
            ("restored_events", serde_json::json!(record.audit_events)),
            ("by_login", serde_json::json!(actor.login)),
        ] {
            fields.insert(k.to_owned(), v);
        }
    }
    registry.append_event(Initiator::Person(actor), "restore", Some(record.source.clone()), note, at)?;
    log::warn!("registry restored from {}; previous file kept as {:?}", record.source, record.kept_as);
    Ok((registry, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_order() {
        assert_eq!(
            parse_name("registry-20261124-100000.sqlite").map(|(t, n)| (t.to_string(), n)),
            Some(("2026-11-24 10:00:00".into(), 1))
        );
        assert_eq!(parse_name("registry-20261124-100000-3.sqlite").map(|p| p.1), Some(3));
        for bad in [
            "registry-20261124-100000.sqlite.part",
            "registry-20261124-100000.sqlite.sha256",
            "registry.sqlite",
            "registry-before-restore-20261124-100000.sqlite",
            "registry-20261124-100000-x.sqlite",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn pruning_keeps_today_and_the_last_of_each_earlier_day() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "registry-20261110-180000.sqlite",
            "registry-20261111-090000.sqlite",
            "registry-20261111-180000.sqlite",
            "registry-20261112-180000.sqlite",
            "registry-20261113-180000.sqlite",
            "registry-20261114-180000.sqlite",
            "registry-20261115-180000.sqlite",
            "registry-20261116-180000.sqlite",
            "registry-20261117-090000.sqlite",
            "registry-20261117-120000.sqlite",
            "registry-20261117-120000-2.sqlite",
        ];
        for n in names {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        std::fs::write(dir.path().join("registry-20261117-130000.sqlite.part"), b"x").unwrap();
        let deleted = prune(dir.path(), 7).unwrap();
        assert_eq!(deleted, vec!["registry-20261111-090000.sqlite", "registry-20261110-180000.sqlite"]);
        let left: Vec<String> = list(dir.path()).unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(left.len(), 9);
        assert_eq!(left[0], "registry-20261117-120000-2.sqlite");
        assert!(left.contains(&"registry-20261117-090000.sqlite".to_owned()), "today's backups are all kept");
        assert!(dir.path().join("registry-20261117-130000.sqlite.part").exists(), "a .part is not touched");
    }
}
