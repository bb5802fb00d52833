//! One Kense per data folder. Two desks' Kense may run on one machine (a
//! test machine, a terminal server), each with its own data folder; what
//! must never happen is two programs opening the same folder's registry and
//! session. The first start holds a lock on `kense.lock` in the folder for
//! its whole life (the OS lets it go when the process ends, even killed); a
//! second start on the same folder leaves `kense.wake` there for the first
//! to bring its window forward, and ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use kense_domain::Error;

/// This process holds the data folder for as long as the value lives.
#[derive(Debug)]
pub struct Held {
    _lock: File,
}

/// Whether this start may go on.
#[derive(Debug)]
pub enum Instance {
    /// The first on this folder: keep the value for the process's life.
    First(Held),
    /// Another Kense holds the folder; it was asked to show its window.
    Running,
}

fn lock_file(data_dir: &Path) -> PathBuf {
    data_dir.join("kense.lock")
}

fn wake_file(data_dir: &Path) -> PathBuf {
    data_dir.join("kense.wake")
}

/// Takes the data folder for this process, or asks the one holding it to
/// come forward.
pub fn claim(data_dir: &Path) -> Result<Instance, Error> {
    let io = |e: std::io::Error| Error::Io(format!("{}: {e}", data_dir.display()));
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let file =
        OpenOptions::new().read(true).write(true).create(true).truncate(false).open(lock_file(data_dir)).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {
            // A wake left for an earlier process is not for this one.
            let _ = std::fs::remove_file(wake_file(data_dir));
            Ok(Instance::First(Held { _lock: file }))
        }
        Err(TryLockError::WouldBlock) => {
            std::fs::write(wake_file(data_dir), b"").map_err(io)?;
            Ok(Instance::Running)
        }
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Whether a second start asked this one to come forward since the last look.
pub fn woken(data_dir: &Path) -> bool {
    std::fs::remove_file(wake_file(data_dir)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_process_per_folder_and_others_side_by_side() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let first = claim(a.path()).unwrap();
        assert!(matches!(first, Instance::First(_)));
        assert!(matches!(claim(b.path()).unwrap(), Instance::First(_)), "another folder is another desk");
        assert!(!woken(a.path()));
        assert!(matches!(claim(a.path()).unwrap(), Instance::Running));
        assert!(woken(a.path()), "the second start asked the first to come forward");
        assert!(!woken(a.path()));
        drop(first);
        assert!(matches!(claim(a.path()).unwrap(), Instance::First(_)), "free again once the first ends");
    }
}
