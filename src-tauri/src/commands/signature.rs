//! The head's electronic signature: signing a result with his certificate
//! (NCALayer, or a key file picked in Rust's dialog), saving the signed
//! file, checking a signed PDF picked from disk, and the certificates and
//! revocation lists the administrator imports. Every file is chosen in a
//! dialog opened from Rust; the window names none.

use kense_domain::iin::Iin;
use kense_domain::workflow::Status;
use kense_domain::{Error, Field};
use kense_storage::TrustedFile;
use kense_workstation::signing::{self, FileVerdict, SignWith, SignedResult, MAX_SIGNED_PDF};
use kense_workstation::{admin, Workstation};
use serde::Deserialize;
use serde_json::Value;
use tauri::{AppHandle, State};
use zeroize::Zeroizing;

use super::{decode, reply, ApplicationRequest, Reply};
use crate::{dialogs, printer};

/// The largest key or trust file read before it is parsed.
const MAX_PICKED: u64 = MAX_SIGNED_PDF as u64;

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Method {
    Ncalayer,
    KeyFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignRequest {
    id: i64,
    /// The status the head saw; a moved application is refused as stale.
    expected_status: Status,
    method: Method,
    /// The key file's password (key-file signing only), typed in Kense's
    /// window; wiped once the file is read, never logged.
    #[serde(default)]
    password: String,
}

/// Reads a picked file, refusing one too large to be what was asked for.
fn read_picked(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    let len = std::fs::metadata(path).map_err(|e| Error::Io(e.to_string()))?.len();
    if len > MAX_PICKED {
        return Err(Error::TooLong { field: Field::Documents, max: MAX_SIGNED_PDF });
    }
    std::fs::read(path).map_err(|e| Error::Io(e.to_string()))
}

/// Signs a prepared result with the head's certificate and opens the
/// signed file. `null` when the key-file picker was cancelled.
#[tauri::command(async)]
pub fn sign_result(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Option<SignedResult>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: SignRequest = decode(payload)?;
        let password = Zeroizing::new(req.password);
        let with = match req.method {
            Method::Ncalayer => SignWith::NcaLayer,
            Method::KeyFile => {
                if password.is_empty() {
                    return Err(Error::Required(Field::KeyPassword));
                }
                let Some(path) = dialogs::pick_key_file(&app, station.lang()) else { return Ok(None) };
                SignWith::KeyFile { file: read_picked(&path)?, password }
            }
        };
        let mut signed = signing::sign_result(&station, &actor, req.id, req.expected_status, with)?;
        signed.printed = printer::deliver(&app, &station, &actor, signed.printed, "", true)?;
        Ok(Some(signed))
    })();
    reply(&station, r)
}

/// Saves the signed PDF of a result where the person chooses; the path
/// written, or `null` when cancelled.
#[tauri::command(async)]
pub fn save_signed_result(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Option<String>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ApplicationRequest = decode(payload)?;
        let Some(path) = dialogs::save_signed_pdf(&app, station.lang()) else { return Ok(None) };
        signing::save_signed_result(&station, &actor, req.id, &path)?;
        Ok(Some(path.display().to_string()))
    })();
    reply(&station, r)
}

/// Checks a signed PDF the person picks; `null` when cancelled.
#[tauri::command(async)]
pub fn verify_signed_file(app: AppHandle, station: State<'_, Workstation>) -> Reply<Option<FileVerdict>> {
    let r = (|| {
        let actor = station.actor()?;
        let Some(path) = dialogs::pick_signed_pdf(&app, station.lang()) else { return Ok(None) };
        signing::verify_file(&station, &actor, &read_picked(&path)?).map(Some)
    })();
    reply(&station, r)
}

/// Imports a certificate or revocation list the administrator picks;
/// `null` when cancelled.
#[tauri::command(async)]
pub fn import_trusted_file(app: AppHandle, station: State<'_, Workstation>) -> Reply<Option<TrustedFile>> {
    let r = (|| {
        let actor = station.actor()?;
        let Some(path) = dialogs::pick_trust_file(&app, station.lang()) else { return Ok(None) };
        signing::import_trusted(&station, &actor, &read_picked(&path)?).map(Some)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn trusted_files(station: State<'_, Workstation>) -> Reply<Vec<TrustedFile>> {
    reply(&station, station.actor().and_then(|actor| signing::trusted_files(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserIinRequest {
    user_id: i64,
    /// Empty clears it.
    iin: String,
}

/// The IIN on an account, which a certificate must name to sign as him.
#[tauri::command(async)]
pub fn set_user_iin(station: State<'_, Workstation>, payload: Value) -> Reply<()> {
    let r = (|| {
        let actor = station.actor()?;
        let req: UserIinRequest = decode(payload)?;
        let iin = match req.iin.trim() {
            "" => None,
            iin => Some(Iin::parse(Field::UserIin, iin)?),
        };
        admin::set_user_iin(&station, &actor, req.user_id, iin.as_ref())
    })();
    reply(&station, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("sign_result", decoder::<SignRequest>),
        ("save_signed_result", decoder::<ApplicationRequest>),
        ("set_user_iin", decoder::<UserIinRequest>),
    ]
}
