//! How errors cross to the window: `{code, message, field}`, the message in
//! the language the person chose.

use kense_domain::{Error, Lang};
use serde::Serialize;

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

/// Decodes a command's payload. Tauri's own argument decoding would answer
/// a malformed payload with an untranslated string; this keeps the contract.
pub fn decode<T: serde::de::DeserializeOwned>(payload: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(payload).map_err(|e| Error::MalformedRequest(e.to_string()))
}
