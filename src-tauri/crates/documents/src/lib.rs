//! Kense documents: the office's paper, as deterministic PDF.
//!
//! This crate owns everything between a filled-in document (plain data such as
//! [`AcceptanceReceipt`]) and the PDF bytes the shell saves or prints: the
//! embedded fonts, the template texts (loaded from `assets/templates`), the
//! [`layout`] engine and the final PDF assembly. It does no I/O and reads no
//! clock, so the same input always gives the same bytes.
//!
//! Output is built with printpdf 0.12 (`text_layout` feature for font
//! subsetting) and finished with lopdf: the trailer `/ID` is pinned to a hash of
//! the content and the empty `/GTS_PDFXVersion` that printpdf always writes is
//! removed.

pub mod layout;
mod pdf;
mod receipt;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::layout::{Face, Fonts};
use crate::receipt::ReceiptTemplate;

const REGULAR_TTF: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSerif-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSerif-Bold.ttf");
const RECEIPT_TEMPLATE: &str = include_str!("../../../../assets/templates/acceptance_receipt.json");

/// PDF resource names and subset tags of the two faces. Fixed rather than
/// printpdf's generated ids, which come from a process-global counter and
/// would make two renderings of one receipt differ.
const REGULAR_ID: &str = "KNSREG";
const BOLD_ID: &str = "KNSBLD";

/// A text in the state language (Kazakh) and in Russian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Everything printed on the receipt given to an applicant whose documents
/// were accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceReceipt {
    /// e.g. "01-2026-00001"
    pub registration_number: String,
    /// Office local time, to the second.
    pub registered_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    pub service_name: Bilingual,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub applicant_phone: String,
    pub subject_name: Option<String>,
    pub subject_iin: Option<String>,
    pub subject_birth_date: Option<chrono::NaiveDate>,
    /// The accepted documents, in checklist order.
    pub documents: Vec<Bilingual>,
    pub expected_result_date: Option<chrono::NaiveDate>,
    /// The clerk's full name.
    pub accepted_by: String,
    pub executor: Option<String>,
    pub executor_phone: Option<String>,
    /// Short hash printed small in the footer when present.
    pub audit_chain_head: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    /// The text contains a character the embedded font cannot draw.
    MissingGlyph { ch: char },
    /// A shipped font could not be parsed.
    Font(String),
    /// A shipped template could not be parsed or is inconsistent.
    Template(String),
    /// The PDF could not be assembled or written.
    Pdf(String),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingGlyph { ch } => write!(
                f,
                "the document font has no glyph for {ch:?} (U+{:04X})",
                u32::from(*ch)
            ),
            Self::Font(m) => write!(f, "font error: {m}"),
            Self::Template(m) => write!(f, "template error: {m}"),
            Self::Pdf(m) => write!(f, "PDF error: {m}"),
        }
    }
}

impl std::error::Error for DocumentError {}

/// Parsed fonts and templates, built once and shared.
///
/// Font parsing is the slow part of making a document, so the shell keeps one
/// `Typesetter` in its state and calls it from any thread: it is `Send + Sync`
/// (checked at compile time below) and every method takes `&self`.
pub struct Typesetter {
    fonts: Fonts,
    receipt: ReceiptTemplate,
}

// The shell keeps a Typesetter in Tauri state, which requires both.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Typesetter>();
};

pub(crate) fn load_fonts() -> Result<Fonts, DocumentError> {
    Ok(Fonts {
        regular: Face::parse(REGULAR_TTF, REGULAR_ID)?,
        bold: Face::parse(BOLD_TTF, BOLD_ID)?,
    })
}

impl Typesetter {
    /// Parses the embedded fonts and templates.
    pub fn new() -> Result<Self, DocumentError> {
        Ok(Self {
            fonts: load_fonts()?,
            receipt: ReceiptTemplate::parse(RECEIPT_TEMPLATE)?,
        })
    }

    /// The acceptance receipt (қолхат / расписка) as PDF bytes: Kazakh half on
    /// top, Russian half below a cut line, one A4 page when it fits (the font
    /// shrinks down to the template's minimum first), otherwise each language
    /// on its own page(s).
    pub fn acceptance_receipt(&self, r: &AcceptanceReceipt) -> Result<Vec<u8>, DocumentError> {
        let pages = receipt::layout_receipt(&self.fonts, &self.receipt, r)?;
        let canonical = serde_json::to_vec(r).map_err(|e| DocumentError::Pdf(e.to_string()))?;
        let meta = pdf::Metadata {
            title: format!(
                "{} № {} / {} № {}",
                self.receipt.kk.title,
                r.registration_number,
                self.receipt.ru.title,
                r.registration_number
            ),
            author: r.office.name.kk.clone(),
            subject: r.service_name.kk.clone(),
            created: r.registered_at,
            canonical_content: canonical,
        };
        pdf::assemble(&self.fonts, self.receipt.page_size(), pages, &meta)
    }
}
