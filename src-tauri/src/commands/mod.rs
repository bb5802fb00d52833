//! The commands the window may call, one file per desk or area. Each one is
//! thin: resolve the session user, decode and validate the payload into a
//! domain value, make one call into `kense-workstation`, and map any error
//! to `{code, message, field}`. Every command is listed in build.rs and
//! granted in src-tauri/capabilities/main-window.json.
//!
//! All commands are `async` so that they run off the window's main thread:
//! Argon2 and PDF generation must not freeze the window.

pub mod admin;
pub mod backup;
pub mod catalog;
pub mod exchange;
pub mod paper;
pub mod queue;
pub mod register;
pub mod search;
pub mod server;
pub mod session;
pub mod signature;
pub mod verify;
pub mod workflow;

use kense_domain::{Error, Lang};
use kense_workstation::Workstation;
use serde::{Deserialize, Serialize};

/// How an error crosses to the window: `{code, message, field}`, the message
/// in the language the person chose.
#[derive(Debug, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
    /// The form field to focus, when the error is about one.
    pub field: Option<&'static str>,
}

impl IpcError {
    pub fn new(e: &Error, lang: Lang) -> IpcError {
        match e {
            Error::Storage(_) | Error::Io(_) | Error::Document(_) | Error::Catalog(_) | Error::DatabaseCorrupt(_) => {
                log::error!("{e}")
            }
            _ => log::info!("refused: {}", e.code()),
        }
        IpcError { code: e.code(), message: e.message(lang), field: e.field().map(|f| f.key()) }
    }
}

pub type Reply<T> = Result<T, IpcError>;

/// A command's outcome as the window receives it.
pub fn reply<T>(station: &Workstation, r: Result<T, Error>) -> Reply<T> {
    r.map_err(|e| IpcError::new(&e, station.lang()))
}

/// Decodes a command's payload. Tauri's own argument decoding would answer
/// a malformed payload with an untranslated string; this keeps the contract.
pub fn decode<T: serde::de::DeserializeOwned>(payload: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(payload).map_err(|e| Error::MalformedRequest(e.to_string()))
}

/// One application, named by the window: to open its record, or to print
/// one of its papers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    pub id: i64,
    /// A CUPS printer to send a document to; the viewer when empty.
    #[serde(default)]
    pub printer: String,
}
