//! Where Kense keeps its files on each operating system.
//!
//! The registry lives in the OS data directory (`directories`), in a separate
//! folder for development builds so that trying things never touches an
//! office's real register. `KENSE_DATA_DIR` (or `--data-dir`) overrides both,
//! for tests and for offices that keep data on another disk.

use std::path::{Path, PathBuf};

use kense_domain::Error;

pub const DATA_DIR_ENV: &str = "KENSE_DATA_DIR";

/// Linux: `~/.local/share/kense` · Windows: `%APPDATA%\Kense\Kense\data` ·
/// macOS: `~/Library/Application Support/kz.Kense.Kense`, each with a
/// `-dev` suffix in debug builds.
pub fn default_data_dir() -> Result<PathBuf, Error> {
    let app = if cfg!(debug_assertions) { "Kense-dev" } else { "Kense" };
    directories::ProjectDirs::from("kz", "Kense", app)
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| Error::Io("no home directory to keep the registry in".into()))
}

pub fn data_dir(cli_override: Option<PathBuf>) -> Result<PathBuf, Error> {
    match cli_override.or_else(|| std::env::var_os(DATA_DIR_ENV).map(PathBuf::from)) {
        Some(dir) if !dir.as_os_str().is_empty() => Ok(dir),
        _ => default_data_dir(),
    }
}

pub fn registry_file(data_dir: &Path) -> PathBuf {
    data_dir.join("registry.sqlite")
}

/// Verified backups, kept beside the registry (copy them off the machine
/// from the administrator's desk).
pub fn backups_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// Where a file chosen for restore is copied and checked before it goes in.
pub fn restore_staging(data_dir: &Path) -> PathBuf {
    data_dir.join("restore-staging.sqlite.part")
}

pub fn logs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// Where issued documents are filed, a folder per year.
pub fn documents_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("documents")
}

/// Issued documents are filed by year, named by registration number and kind.
pub fn document_file(data_dir: &Path, year: i32, number: &str, kind: &str) -> PathBuf {
    documents_dir(data_dir).join(year.to_string()).join(format!("{number}-{kind}.pdf"))
}

/// The verification secret as versions before schema 8 kept it: a file
/// beside the registry. The registry holds the secret now (so that backups
/// carry it); this file is read once, to import it, and never written.
pub fn legacy_verification_key(data_dir: &Path) -> Result<Option<[u8; 32]>, Error> {
    let path = data_dir.join("verification.key");
    match std::fs::read(&path) {
        Ok(key) => <[u8; 32]>::try_from(key.as_slice())
            .map(Some)
            .map_err(|_| Error::Io(format!("{} is not a 32-byte key", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io(format!("{}: {e}", path.display()))),
    }
}

/// Writes a file so that a crash leaves either the old file or the new one,
/// never half of it: temp file, fsync, rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let io = |e: std::io::Error| Error::Io(format!("{}: {e}", path.display()));
    let dir = path.parent().ok_or_else(|| Error::Io(format!("{} has no parent", path.display())))?;
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = path.with_extension("part");
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_and_files_sit_inside_the_data_dir() {
        let dir = data_dir(Some(PathBuf::from("/tmp/kense-x"))).unwrap();
        assert_eq!(dir, PathBuf::from("/tmp/kense-x"));
        assert_eq!(registry_file(&dir), PathBuf::from("/tmp/kense-x/registry.sqlite"));
        assert_eq!(
            document_file(&dir, 2026, "01-2026-00001", "receipt"),
            PathBuf::from("/tmp/kense-x/documents/2026/01-2026-00001-receipt.pdf")
        );
    }

    #[test]
    fn development_builds_use_their_own_folder() {
        let d = default_data_dir().unwrap();
        let name = d.to_string_lossy().to_lowercase();
        assert_eq!(name.contains("kense-dev"), cfg!(debug_assertions), "{name}");
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile_dir();
        let p = dir.join("a/b/x.pdf");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(!p.with_extension("part").exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_legacy_key_file_is_read_but_never_made() {
        let dir = tempfile_dir().join("key");
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(legacy_verification_key(&dir).unwrap(), None);
        assert!(!dir.join("verification.key").exists());
        std::fs::write(dir.join("verification.key"), [5u8; 32]).unwrap();
        assert_eq!(legacy_verification_key(&dir).unwrap(), Some([5u8; 32]));
        std::fs::write(dir.join("verification.key"), [5u8; 31]).unwrap();
        assert!(legacy_verification_key(&dir).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("kense-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }
}
