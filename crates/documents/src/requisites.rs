//! The pieces every document's input is made of: texts in both languages
//! ([`Bilingual`]), the issuing office ([`OfficeRequisites`]), who signs
//! ([`Signer`]), the office's stamp image ([`StampImage`]) and what the
//! verification QR carries ([`Verification`]).

use serde::{Deserialize, Serialize};

/// A text in the state language (Kazakh) and in Russian.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub kk: String,
    pub ru: String,
}

/// The issuing office as printed in a document's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeRequisites {
    pub name: Bilingual,
    pub address: Bilingual,
    pub phone: String,
}

/// Who signs a document on behalf of the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    pub name: String,
    /// e.g. "Бөлім басшысы" / "Руководитель отдела".
    pub position: Bilingual,
}

/// The office's stamp (seal, possibly with the signature) as uploaded by the
/// administrator: a PNG of at most 2 MB and 2000×2000 px, drawn about 40 mm
/// wide over the seal place. Check an upload with [`check_stamp`](crate::check_stamp).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampImage {
    pub png: Vec<u8>,
}

/// What the verification QR code of a document carries. The shell composes
/// both texts (document number, signature, chain head); this crate only
/// draws them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Encoded as UTF-8 with medium error correction; up to roughly 1,600
    /// ASCII characters fit, but keep it near 150 so that a phone reads the
    /// 24 mm symbol easily.
    pub qr_text: String,
    /// Printed small under the symbol; may be empty.
    pub caption: String,
}

/// The copy number of an input that does not give one: 1, the original.
pub(crate) fn original() -> u32 {
    1
}
