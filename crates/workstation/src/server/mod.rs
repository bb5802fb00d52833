//! The office server at this desk: where it is (`server.json` in the data
//! folder: host, port, database, account and the server's certificate —
//! never the password), the workstations' password ([`secret`]: the OS
//! credential store, or a file only this OS user can read), joining a
//! workstation from the first-run screen, finding the server again after a
//! loss, and the owner's `kense server` commands ([`command`]).

pub mod command;
mod secret;

use std::path::{Path, PathBuf};

use kense_domain::error::Field;
use kense_domain::Error;
use kense_storage::{Location, Registry, ServerSettings};
use serde::{Deserialize, Serialize};

use crate::{paths, Workstation};

pub use secret::Kept;

/// The file in the data folder that says this desk works on the office
/// server (without it, the registry is the file on this PC).
pub fn settings_file(data_dir: &Path) -> PathBuf {
    data_dir.join("server.json")
}

/// The office server as this desk keeps it: everything but the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// The server's certificate, or the CA that signed it (PEM).
    pub certificate_pem: String,
}

impl Connection {
    /// The credential store's name for the password: the account on that server.
    fn account(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host, self.port, self.database)
    }

    fn with_password(&self, password: String) -> ServerSettings {
        ServerSettings {
            host: self.host.clone(),
            port: self.port,
            database: self.database.clone(),
            user: self.user.clone(),
            password,
            certificate_pem: self.certificate_pem.clone(),
        }
    }
}

/// The office server this desk was joined to, with its password; `None`
/// when the registry is the file on this PC.
pub(crate) fn saved(data_dir: &Path) -> Result<Option<ServerSettings>, Error> {
    let path = settings_file(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Io(format!("{}: {e}", path.display()))),
    };
    let connection: Connection =
        serde_json::from_str(&text).map_err(|e| Error::Storage(format!("{}: {e}", path.display())))?;
    let password = secret::load(data_dir, &connection.account())?;
    Ok(Some(connection.with_password(password)))
}

/// Keeps the settings and the password; where the password went comes back.
fn save(data_dir: &Path, connection: &Connection, password: &str) -> Result<Kept, Error> {
    let kept = secret::store(data_dir, &connection.account(), password)?;
    let json = serde_json::to_vec_pretty(connection).map_err(|e| Error::Storage(e.to_string()))?;
    paths::write_atomically(&settings_file(data_dir), &json)?;
    Ok(kept)
}

/// What the person typed on the first-run screen to join the office server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinForm {
    pub host: String,
    /// As typed: a person's mistake is told, not a malformed request.
    pub port: String,
    pub database: String,
    pub user: String,
    pub password: String,
    pub certificate_pem: String,
}

impl std::fmt::Display for JoinForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}:{}/{}", self.user, self.host, self.port, self.database)
    }
}

/// A PEM text that holds a certificate, or why not.
pub fn certificate(pem: &str) -> Result<&str, Error> {
    if pem.len() > 256 * 1024 || !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(Error::CertificateFormat);
    }
    Ok(pem)
}

impl JoinForm {
    fn validate(&self) -> Result<(Connection, String), Error> {
        let required = |text: &str, field: Field, max: usize| -> Result<String, Error> {
            let t = text.trim();
            if t.is_empty() {
                return Err(Error::Required(field));
            }
            if t.chars().count() > max {
                return Err(Error::TooLong { field, max });
            }
            if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
                return Err(Error::HiddenCharacters(field));
            }
            Ok(t.to_owned())
        };
        let host = required(&self.host, Field::ServerHost, 253)?;
        let port = match self.port.trim().parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => return Err(Error::OutOfRange { field: Field::ServerPort, min: 1, max: 65535 }),
        };
        let database = required(&self.database, Field::ServerDatabase, 63)?;
        let user = required(&self.user, Field::ServerUser, 63)?;
        if self.password.is_empty() {
            return Err(Error::Required(Field::Password));
        }
        if self.password.chars().count() > 128 {
            return Err(Error::TooLong { field: Field::Password, max: 128 });
        }
        let certificate_pem = certificate(&self.certificate_pem)?.to_owned();
        Ok((Connection { host, port, database, user, certificate_pem }, self.password.clone()))
    }
}

/// The desk joined the office server.
#[derive(Debug, Serialize)]
pub struct Joined {
    /// The office's registry already has accounts: log in (else the first
    /// administrator is created, as on any first run).
    pub initialised: bool,
    /// Where the password is kept: `"credential_store"` or `"file"`.
    pub password_kept: Kept,
}

/// Joins this desk to the office server: checks the settings, connects
/// (TLS with the office's certificate, the workstations' account), checks
/// the registry there as any start-up does, and only then keeps the
/// settings and opens it in place of the empty file on this PC. Refused
/// while this desk works on a registry that has accounts (a file with an
/// office's history is moved onto the server first, `kense server move`).
pub fn join(station: &Workstation, form: &JoinForm) -> Result<Joined, Error> {
    let (connection, password) = form.validate()?;
    let data_dir = station.data_dir()?.clone();
    let settings = connection.with_password(password.clone());
    let joined = station.swap_registry(|current| {
        if let Ok(registry) = &current {
            match registry.has_users() {
                Ok(false) => {}
                Ok(true) => return (current, Err(Error::RegistryInUse)),
                Err(e) => return (current, Err(e)),
            }
        }
        let mut registry = match Registry::open_server(&settings) {
            Ok(r) => r,
            Err(e) => return (current, Err(e)),
        };
        // The checkpoint of the chain verified here was the file's.
        crate::evidence::forget_checkpoint(station);
        if let Err(e) = station.prepare(&mut registry) {
            return (current, Err(e));
        }
        let kept = match save(&data_dir, &connection, &password) {
            Ok(kept) => kept,
            Err(e) => return (current, Err(e)),
        };
        let initialised = registry.has_users();
        (Ok(registry), initialised.map(|initialised| Joined { initialised, password_kept: kept }))
    })?;
    log::info!("joined the office server {form} (password kept in the {:?})", joined.password_kept);
    Ok(joined)
}

/// Whether the office server answers, for the window's banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Status {
    /// This desk works on the office server.
    pub server: bool,
    /// The registry answers (always, for a file on this PC).
    pub reachable: bool,
    /// The registry was opened just now, after the server came back.
    pub reopened: bool,
}

/// Asks the server whether it answers; a registry that could not be opened
/// because the server was away is opened now if it answers again.
pub fn status(station: &Workstation) -> Result<Status, Error> {
    let configured = station.data_dir().is_ok_and(|d| settings_file(d).exists());
    station.swap_registry(|current| match current {
        Ok(registry) => {
            let server = matches!(registry.location(), Location::Server(_));
            let reachable = registry.ping().is_ok();
            (Ok(registry), Ok(Status { server, reachable, reopened: false }))
        }
        Err(Error::ServerUnreachable | Error::ServerNotReady { .. }) if configured => {
            match station.open_registry(false) {
                Ok(registry) => {
                    log::info!("the office server answers again; registry opened");
                    (Ok(registry), Ok(Status { server: true, reachable: true, reopened: true }))
                }
                Err(e) => {
                    let reachable = !matches!(e, Error::ServerUnreachable);
                    (Err(e), Ok(Status { server: true, reachable, reopened: false }))
                }
            }
        }
        Err(e) => (Err(e), Ok(Status { server: configured, reachable: !configured, reopened: false })),
    })
}

/// A certificate file chosen for joining: its name and text.
#[derive(Debug, Serialize)]
pub struct CertificateFile {
    pub name: String,
    pub certificate_pem: String,
}

/// Reads the certificate file the person chose (`None`: they cancelled).
pub fn read_certificate(choose: impl FnOnce() -> Option<PathBuf>) -> Result<Option<CertificateFile>, Error> {
    let Some(path) = choose() else { return Ok(None) };
    let meta = std::fs::metadata(&path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    if meta.len() > 256 * 1024 {
        return Err(Error::CertificateFormat);
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| Error::CertificateFormat)?;
    certificate(&text)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Some(CertificateFile { name, certificate_pem: text }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> JoinForm {
        JoinForm {
            host: "server.office.local".into(),
            port: "5432".into(),
            database: "kense".into(),
            user: "kense_desk".into(),
            password: "жұмыс орны 2026".into(),
            certificate_pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
        }
    }

    #[test]
    fn the_form_names_the_field_a_person_got_wrong() {
        assert!(form().validate().is_ok());
        let mut f = form();
        f.host = " ".into();
        assert_eq!(f.validate().unwrap_err(), Error::Required(Field::ServerHost));
        let mut f = form();
        f.port = "70000".into();
        assert_eq!(f.validate().unwrap_err().field(), Some(Field::ServerPort));
        let mut f = form();
        f.user = "kense desk".into();
        assert_eq!(f.validate().unwrap_err(), Error::HiddenCharacters(Field::ServerUser));
        let mut f = form();
        f.password = String::new();
        assert_eq!(f.validate().unwrap_err(), Error::Required(Field::Password));
        let mut f = form();
        f.certificate_pem = "not a certificate".into();
        assert_eq!(f.validate().unwrap_err(), Error::CertificateFormat);
    }

    #[test]
    fn settings_are_kept_without_the_password() {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("KENSE_CREDENTIAL_STORE", "file");
        let (connection, password) = form().validate().unwrap();
        assert_eq!(save(dir.path(), &connection, &password).unwrap(), Kept::File);
        let json = std::fs::read_to_string(settings_file(dir.path())).unwrap();
        assert!(!json.contains(&password), "{json}");
        let settings = saved(dir.path()).unwrap().unwrap();
        assert_eq!(settings.password, password);
        assert_eq!(settings.host, "server.office.local");
        assert!(!format!("{settings:?}").contains("2026"));
        assert!(saved(&dir.path().join("elsewhere")).unwrap().is_none());
    }

    #[test]
    fn a_desk_that_keeps_an_office_registry_does_not_join() {
        let dir = tempfile::tempdir().unwrap();
        let station = Workstation::start(Ok(dir.path().to_path_buf()), true);
        assert_eq!(join(&station, &form()).unwrap_err(), Error::RegistryInUse);
        assert!(!settings_file(dir.path()).exists());
    }

    #[test]
    fn an_unreachable_server_is_told_and_nothing_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let station = Workstation::start(Ok(dir.path().to_path_buf()), false);
        let mut f = form();
        f.host = "127.0.0.1".into();
        // A port nobody listens on: refused at once.
        f.port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
        // A real PEM certificate is needed to get as far as connecting.
        f.certificate_pem = include_str!("testdata/certificate.pem").into();
        assert_eq!(join(&station, &f).unwrap_err(), Error::ServerUnreachable);
        assert!(!settings_file(dir.path()).exists());
        let s = status(&station).unwrap();
        assert_eq!(s, Status { server: false, reachable: true, reopened: false });
    }
}
