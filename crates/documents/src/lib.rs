//! Kense documents: the office's paper, as deterministic PDF.
//!
//! This crate owns everything between a filled-in document (plain data such as
//! [`AcceptanceReceipt`], [`RefusalReceipt`], [`Referral`],
//! [`QueueNotification`], [`ServiceResult`], [`ReasonedRefusal`], or the
//! registers [`Journal`], [`QueueExtract`] and [`ReferralList`]) and the PDF
//! bytes the shell saves or prints: the embedded fonts, the template texts
//! (loaded from `assets/templates`), the [`layout`] engine with its tables,
//! the bilingual sheet with its copy mark, verification QR, page numbers and
//! the office's stamp image, and the final PDF assembly. It does no I/O and
//! reads no clock, so the same input always gives the same bytes.
//!
//! Every document takes one path to paper (`render`): the stamp image
//! prepared (once per upload), the QR symbol encoded (once per document),
//! the pages laid out, the metadata filled, the PDF assembled. Its
//! modules, by what they own:
//! - the documents, each with its input struct, its shipped template and its
//!   text: `acceptance_receipt`, `refusal_receipt`; the signed documents
//!   under `signed` (`referral`, `queue_notification`, `service_result`,
//!   `reasoned_refusal`) with the header and signer's block they share; the
//!   registers under `registers` (`journal`, `queue_extract`,
//!   `referral_list`) with the table template they share;
//! - `requisites`: the pieces every input is made of (office, signer, stamp,
//!   verification, bilingual text); `error`: [`DocumentError`];
//! - `render`: the one render path and the draft path;
//! - `sheet`: the page layout numbers of a template, the marks (audit
//!   footer, copy mark, QR, page numbers) and how the two language versions
//!   share the paper;
//! - [`layout`]: measuring, wrapping and placing text, rules, tables;
//! - `qr`, `stamp`: the verification symbol (one form XObject) and the stamp
//!   image (decoded and deflated once, kept by the `Typesetter`);
//! - `pdf`: the final assembly into bytes (or SVG pages for a draft).
//!
//! The end-to-end tests compare each document's text and a 50 dpi render of
//! its first page with files under `tests/expected/` and `tests/snapshots/`;
//! `KENSE_UPDATE_SNAPSHOTS=1 cargo test -p kense-documents` rewrites them.
//!
//! Output is built with printpdf 0.12 (`text_layout` feature for font
//! subsetting) and finished with lopdf: the trailer `/ID` is pinned to a hash of
//! the content and the empty `/GTS_PDFXVersion` that printpdf always writes is
//! removed.

mod acceptance_receipt;
mod error;
pub mod layout;
mod pdf;
mod qr;
mod refusal_receipt;
mod registers;
mod render;
mod requisites;
mod sheet;
mod signed;
mod stamp;

pub use acceptance_receipt::{AcceptanceReceipt, RepresentativeLine};
pub use error::DocumentError;
pub use refusal_receipt::RefusalReceipt;
pub use registers::journal::{Journal, JournalRow};
pub use registers::queue_extract::{QueueExtract, QueueExtractRow};
pub use registers::referral_list::{ReferralList, ReferralListRow};
pub use requisites::{Bilingual, OfficeRequisites, Signer, StampImage, Verification};
pub use signed::queue_notification::QueueNotification;
pub use signed::reasoned_refusal::ReasonedRefusal;
pub use signed::referral::Referral;
pub use signed::service_result::{IssuedTogether, ResultField, ServiceResult};
pub use stamp::check_stamp;

use crate::acceptance_receipt::ReceiptTemplate;
use crate::layout::Fonts;
use crate::refusal_receipt::RefusalTemplate;
use crate::registers::{journal, queue_extract, referral_list, TableTemplate};
use crate::signed::queue_notification::{self, NotificationLabels};
use crate::signed::reasoned_refusal::{self, RefusalLabels as ReasonedLabels};
use crate::signed::referral::{self, ReferralLabels};
use crate::signed::service_result::{self, ResultLabels};
use crate::signed::Template;
use crate::stamp::StampCache;

/// Across every page of a draft: "draft", and "not signed", in both languages.
pub const DRAFT_MARK: [(&str, f32); 2] = [("ЖОБА · ПРОЕКТ", 60.0), ("қол қойылмаған · не подписано", 22.0)];

/// Parsed fonts and templates, built once and shared.
///
/// Font parsing is the slow part of making a document, so the shell keeps one
/// `Typesetter` in its state and calls it from any thread: it is `Send + Sync`
/// (checked at compile time below) and every method takes `&self`.
pub struct Typesetter {
    pub(crate) fonts: Fonts,
    pub(crate) receipt: ReceiptTemplate,
    pub(crate) refusal: RefusalTemplate,
    pub(crate) referral: Template<ReferralLabels>,
    pub(crate) notification: Template<NotificationLabels>,
    pub(crate) result: Template<ResultLabels>,
    pub(crate) reasoned: Template<ReasonedLabels>,
    pub(crate) journal: TableTemplate,
    pub(crate) extract: TableTemplate,
    pub(crate) list: TableTemplate,
    /// The office's stamp, decoded and deflated once per upload.
    pub(crate) stamps: StampCache,
}

// The shell keeps a Typesetter in Tauri state, which requires both.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Typesetter>();
};

impl Typesetter {
    /// Parses the embedded fonts and templates.
    pub fn new() -> Result<Self, DocumentError> {
        let fonts = Fonts::embedded()?;
        Ok(Self {
            receipt: ReceiptTemplate::shipped()?,
            refusal: RefusalTemplate::shipped()?,
            referral: referral::template(&fonts)?,
            notification: queue_notification::template(&fonts)?,
            result: service_result::template(&fonts)?,
            reasoned: reasoned_refusal::template(&fonts)?,
            journal: journal::template(&fonts)?,
            extract: queue_extract::template(&fonts)?,
            list: referral_list::template(&fonts)?,
            stamps: StampCache::default(),
            fonts,
        })
    }

    /// The first character of `text` the documents' faces cannot draw, if
    /// any: free text that will be printed later (a result's facts) is
    /// checked when it is typed, not when the paper is due.
    pub fn undrawable(&self, text: &str) -> Option<char> {
        [&self.fonts.regular, &self.fonts.bold].iter().find_map(|face| match face.check(text) {
            Err(DocumentError::MissingGlyph { ch }) => Some(ch),
            _ => None,
        })
    }

    /// The acceptance receipt (қолхат / расписка) as PDF bytes: Kazakh half on
    /// top, Russian half below a cut line, one A4 page when it fits (the font
    /// shrinks down to the template's minimum first), otherwise each language
    /// on its own page(s). A copy mark and the verification QR are added
    /// when the input asks for them.
    pub fn acceptance_receipt(&self, r: &AcceptanceReceipt) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, r)
    }

    /// The receipt of refusal to accept documents as PDF bytes: the Kazakh
    /// version first, then the Russian one, arranged like the acceptance
    /// receipt (two halves of one A4 sheet when they fit, else each language
    /// on its own page(s)), with the same number and date in both.
    pub fn refusal_receipt(&self, r: &RefusalReceipt) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, r)
    }

    /// The referral (жолдама / направление) to a preschool organisation as
    /// PDF bytes: the Kazakh version, then the Russian one, on the two
    /// halves of one A4 sheet when they fit, else each on its own page(s).
    /// It states the last valid day and that it is to be presented at the
    /// kindergarten.
    pub fn referral(&self, r: &Referral) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, r)
    }

    /// The notification of registration in the preschool queue as PDF
    /// bytes: both language versions and, below a cut line at the foot of
    /// the sheet, the registration ticket that the parent keeps.
    pub fn queue_notification(&self, n: &QueueNotification) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, n)
    }

    /// A service's positive result (certificate, decision, notification)
    /// as PDF bytes, arranged like the referral.
    pub fn service_result(&self, r: &ServiceResult) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, r)
    }

    /// The reasoned refusal as PDF bytes, arranged like the referral; a
    /// long explanation flows over as many pages as it needs.
    pub fn reasoned_refusal(&self, r: &ReasonedRefusal) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, r)
    }

    /// A positive result before the head signs it, for the screen: its
    /// pages exactly as they will print, one SVG each, with [`DRAFT_MARK`]
    /// across every page. Refused with a stamp or a verification code: a
    /// draft must not carry what vouches for a signed paper.
    pub fn service_result_draft(&self, r: &ServiceResult) -> Result<Vec<String>, DocumentError> {
        render::draft(self, r)
    }

    /// A reasoned refusal before the head signs it, like
    /// [`Typesetter::service_result_draft`].
    pub fn reasoned_refusal_draft(&self, r: &ReasonedRefusal) -> Result<Vec<String>, DocumentError> {
        render::draft(self, r)
    }

    /// The registration journal for `from..=to` (the daily register when
    /// both are the same day) as an A4 landscape table with numbered pages.
    pub fn journal(&self, j: &Journal) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, j)
    }

    /// The queue of one birth year, without personal data, as an A4
    /// landscape table with numbered pages.
    pub fn queue_extract(&self, q: &QueueExtract) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, q)
    }

    /// The referrals of one distribution as an A4 landscape table with
    /// numbered pages and the count per kindergarten.
    pub fn referral_list(&self, l: &ReferralList) -> Result<Vec<u8>, DocumentError> {
        render::pdf(self, l)
    }
}
