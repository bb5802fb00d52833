//! Kense documents: the office's paper, as deterministic PDF.
//!
//! This crate owns everything between a filled-in document (plain data such as
//! [`AcceptanceReceipt`] or [`RefusalReceipt`]) and the PDF bytes the shell
//! saves or prints: the embedded fonts, the template texts (loaded from
//! `assets/templates`), the [`layout`] engine, the bilingual sheet with its
//! copy mark and verification QR, and the final PDF assembly. It does no I/O
//! and reads no clock, so the same input always gives the same bytes.
//!
//! Output is built with printpdf 0.12 (`text_layout` feature for font
//! subsetting) and finished with lopdf: the trailer `/ID` is pinned to a hash of
//! the content and the empty `/GTS_PDFXVersion` that printpdf always writes is
//! removed.

pub mod layout;
mod pdf;
mod qr;
mod receipt;
mod refusal;
mod sheet;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::layout::{Face, Fonts};
use crate::receipt::ReceiptTemplate;
use crate::refusal::RefusalTemplate;
use crate::sheet::Lang;

const REGULAR_TTF: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSerif-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSerif-Bold.ttf");
const RECEIPT_TEMPLATE: &str = include_str!("../../../../assets/templates/acceptance_receipt.json");
const REFUSAL_TEMPLATE: &str = include_str!("../../../../assets/templates/refusal_receipt.json");

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

fn original() -> u32 {
    1
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
    /// 1 for the original; from 2 on the page says "КӨШІРМЕ / КОПИЯ № n".
    #[serde(default = "original")]
    pub copy_number: u32,
    /// QR code at the bottom right of each language version when present.
    #[serde(default)]
    pub verification: Option<Verification>,
}

/// Everything printed on the receipt given to an applicant whose documents
/// were refused because the set was incomplete (Law "On public services",
/// art. 20 p. 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalReceipt {
    /// e.g. "01-2026-00002"
    pub registration_number: String,
    /// Office local time, to the second.
    pub registered_at: chrono::NaiveDateTime,
    /// The office refuses in its own name; its address follows its name in
    /// the legal-basis sentence.
    pub office: OfficeRequisites,
    pub service_name: Bilingual,
    /// Full name of the person, or the name of the organisation.
    pub applicant_name: String,
    /// A blank line to fill in by hand is printed when absent.
    pub applicant_address: Option<String>,
    /// What the set lacked, in checklist order; at least one.
    pub missing_documents: Vec<Bilingual>,
    /// The clerk's full name.
    pub refused_by: String,
    /// Blanks are printed for whichever is absent, as on the form.
    pub executor: Option<String>,
    pub executor_phone: Option<String>,
    /// Short hash printed small in the footer when present.
    pub audit_chain_head: Option<String>,
    /// 1 for the original; from 2 on the page says "КӨШІРМЕ / КОПИЯ № n".
    #[serde(default = "original")]
    pub copy_number: u32,
    /// QR code at the bottom right of each language version when present.
    #[serde(default)]
    pub verification: Option<Verification>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    /// The text contains a character the embedded font cannot draw.
    MissingGlyph { ch: char },
    /// A shipped font could not be parsed.
    Font(String),
    /// A shipped template could not be parsed or is inconsistent.
    Template(String),
    /// The input cannot make a valid document (copy number 0, a refusal
    /// without missing documents, a QR text too long to encode).
    Input(String),
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
            Self::Input(m) => write!(f, "invalid document input: {m}"),
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
    refusal: RefusalTemplate,
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
            refusal: RefusalTemplate::parse(REFUSAL_TEMPLATE)?,
        })
    }

    /// The acceptance receipt (қолхат / расписка) as PDF bytes: Kazakh half on
    /// top, Russian half below a cut line, one A4 page when it fits (the font
    /// shrinks down to the template's minimum first), otherwise each language
    /// on its own page(s). A copy mark and the verification QR are added
    /// when the input asks for them.
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

    /// The receipt of refusal to accept documents as PDF bytes: the Kazakh
    /// version first, then the Russian one, arranged like the acceptance
    /// receipt (two halves of one A4 sheet when they fit, else each language
    /// on its own page(s)), with the same number and date in both.
    pub fn refusal_receipt(&self, r: &RefusalReceipt) -> Result<Vec<u8>, DocumentError> {
        let pages = refusal::layout_refusal(&self.fonts, &self.refusal, r)?;
        let canonical = serde_json::to_vec(r).map_err(|e| DocumentError::Pdf(e.to_string()))?;
        let meta = pdf::Metadata {
            title: format!(
                "{} № {} / {} № {}",
                self.refusal.title(Lang::Kk),
                r.registration_number,
                self.refusal.title(Lang::Ru),
                r.registration_number
            ),
            author: r.office.name.kk.clone(),
            subject: r.service_name.kk.clone(),
            created: r.registered_at,
            canonical_content: canonical,
        };
        pdf::assemble(&self.fonts, self.refusal.page_size(), pages, &meta)
    }
}
