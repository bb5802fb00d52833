//! The workstations' password at this desk. It is kept in the operating
//! system's credential store where there is one — Windows Credential
//! Manager, the macOS Keychain, the Secret Service of a Linux desktop — and
//! otherwise (no store reachable: a Linux PC without a desktop keyring, CI)
//! in `server.secret` in the data folder, which only this OS user can read:
//! created with mode 0600 on Unix; on Windows the data folder lies in the
//! user's profile, whose access list admits only that user (and the
//! system's administrators). `KENSE_CREDENTIAL_STORE=file` chooses the file
//! even where a store exists. The password never goes to the log.

use std::path::{Path, PathBuf};

use kense_domain::Error;
use serde::Serialize;

/// The credential store's service name for Kense's entries.
const SERVICE: &str = "kz.kense.office";

/// Where the password was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    CredentialStore,
    File,
}

fn secret_file(data_dir: &Path) -> PathBuf {
    data_dir.join("server.secret")
}

fn store_wanted() -> bool {
    std::env::var("KENSE_CREDENTIAL_STORE").as_deref() != Ok("file")
}

/// Keeps the password of `account` (see the module's doc).
pub(crate) fn store(data_dir: &Path, account: &str, password: &str) -> Result<Kept, Error> {
    if store_wanted() {
        match os_store::set(account, password) {
            Ok(()) => {
                // An older copy in the file would outlive a changed password.
                let _ = std::fs::remove_file(secret_file(data_dir));
                return Ok(Kept::CredentialStore);
            }
            Err(e) => log::warn!("no credential store ({e}); the password is kept in a file only this user can read"),
        }
    }
    write_private(&secret_file(data_dir), password.as_bytes())?;
    Ok(Kept::File)
}

/// The password of `account`: from the credential store, else the file.
/// None anywhere is the server refusing this desk: it is joined again.
pub(crate) fn load(data_dir: &Path, account: &str) -> Result<String, Error> {
    if store_wanted() {
        match os_store::get(account) {
            Ok(Some(password)) => return Ok(password),
            Ok(None) => {}
            Err(e) => log::info!("credential store not reachable ({e}); looking for the password file"),
        }
    }
    let path = secret_file(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| Error::Storage(format!("{} is not text", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            log::warn!("the office server's password is in neither the credential store nor {}", path.display());
            Err(Error::ServerRefused)
        }
        Err(e) => Err(Error::Io(format!("{}: {e}", path.display()))),
    }
}

/// Writes `bytes` to `path` readable by this OS user only, atomically.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let io = |e: std::io::Error| Error::Io(format!("{}: {e}", path.display()));
    let tmp = path.with_extension("secret-part");
    let _ = std::fs::remove_file(&tmp);
    let mut f = create_private(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io)
}

/// Unix: a new file with mode 0600, whatever the umask.
#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

/// Windows (and others): the data folder in the user's profile is the fence.
#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// The OS credential store, through `keyring`, where Kense has one.
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod os_store {
    use super::SERVICE;

    pub(super) fn set(account: &str, password: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        entry.set_password(password).map_err(|e| e.to_string())?;
        // A store that takes a password but cannot give it back is no store.
        match entry.get_password() {
            Ok(back) if back == password => Ok(()),
            Ok(_) => Err("the credential store gave back another password".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    pub(super) fn get(account: &str) -> Result<Option<String>, String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Elsewhere there is no store Kense knows: the file.
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod os_store {
    pub(super) fn set(_: &str, _: &str) -> Result<(), String> {
        Err("no credential store on this system".into())
    }

    pub(super) fn get(_: &str) -> Result<Option<String>, String> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn the_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = secret_file(dir.path());
        write_private(&path, "бірінші".as_bytes()).unwrap();
        write_private(&path, "екінші".as_bytes()).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "екінші");
    }

    #[test]
    fn no_password_anywhere_is_a_refusal_to_join_again() {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("KENSE_CREDENTIAL_STORE", "file");
        assert_eq!(load(dir.path(), "nobody@nowhere:5432/x").unwrap_err(), Error::ServerRefused);
    }
}
