//! Backup files on disk: their names and generations, their SHA-256 beside
//! them, and copies to a folder the administrator chooses.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use kense_domain::Error;
use sha2::{Digest, Sha256};

use super::{go_on, BackupFile, CopyRecord, Progress, Report, Stage};

const PREFIX: &str = "registry-";
pub(super) const EXT: &str = ".sqlite";

pub(super) fn io_at(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| match e.kind() {
        std::io::ErrorKind::StorageFull => {
            log::error!("{}: {e}", path.display());
            Error::DiskFull
        }
        _ => Error::Io(format!("{}: {e}", path.display())),
    }
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Makes a rename durable (Unix; Windows has no directory handles to sync).
pub(super) fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_at(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub(super) fn sha256_file(path: &Path) -> Result<String, Error> {
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

pub(super) fn sidecar(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".sha256");
    PathBuf::from(s)
}

/// `sha256sum` format, so that a copy on a USB stick can be checked with
/// the operating system's own tools.
pub(super) fn write_sidecar(path: &Path, sha256: &str) -> Result<(), Error> {
    let side = sidecar(path);
    let mut f = File::create(&side).map_err(io_at(&side))?;
    writeln!(f, "{sha256}  {}", file_name(path)).map_err(io_at(&side))?;
    f.sync_all().map_err(io_at(&side))
}

pub(super) fn read_sidecar(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(sidecar(path)).ok()?;
    let hex = text.split_whitespace().next()?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
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
pub(super) fn free_name(dir: &Path, now: DateTime<FixedOffset>) -> String {
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

/// The live file's companions, which must go wherever it goes.
pub(super) fn companions(path: &Path) -> [PathBuf; 3] {
    [with_suffix(path, "-wal"), with_suffix(path, "-shm"), with_suffix(path, "-journal")]
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
