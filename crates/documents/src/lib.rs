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
//! The end-to-end tests compare each document's text and a 50 dpi render of
//! its first page with files under `tests/expected/` and `tests/snapshots/`;
//! `KENSE_UPDATE_SNAPSHOTS=1 cargo test -p kense-documents` rewrites them.
//!
//! Output is built with printpdf 0.12 (`text_layout` feature for font
//! subsetting) and finished with lopdf: the trailer `/ID` is pinned to a hash of
//! the content and the empty `/GTS_PDFXVersion` that printpdf always writes is
//! removed.

mod acceptance_receipt;
pub mod layout;
mod pdf;
mod qr;
mod refusal_receipt;
mod registers;
mod sheet;
mod signed;
mod stamp;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::acceptance_receipt::ReceiptTemplate;
use crate::layout::{Face, Fonts};
use crate::refusal_receipt::RefusalTemplate;
use crate::registers::{journal, queue_extract, referral_list, TableLabels, TableTemplate};
use crate::sheet::Lang;
use crate::signed::queue_notification::{self, NotificationLabels};
use crate::signed::reasoned_refusal::{self, RefusalLabels as ReasonedLabels};
use crate::signed::referral::{self, ReferralLabels};
use crate::signed::service_result::{self, ResultLabels};
use crate::signed::{images, Template};

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Bold.ttf");
const RECEIPT_TEMPLATE: &str = include_str!("../../../assets/templates/acceptance_receipt.json");
const REFUSAL_TEMPLATE: &str = include_str!("../../../assets/templates/refusal_receipt.json");
const REFERRAL_TEMPLATE: &str = include_str!("../../../assets/templates/referral.json");
const NOTIFICATION_TEMPLATE: &str = include_str!("../../../assets/templates/queue_notification.json");
const RESULT_TEMPLATE: &str = include_str!("../../../assets/templates/service_result.json");
const REASONED_TEMPLATE: &str = include_str!("../../../assets/templates/reasoned_refusal.json");
const JOURNAL_TEMPLATE: &str = include_str!("../../../assets/templates/journal.json");
const EXTRACT_TEMPLATE: &str = include_str!("../../../assets/templates/queue_extract.json");
const LIST_TEMPLATE: &str = include_str!("../../../assets/templates/referral_list.json");

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

/// Across every page of a draft: "draft", and "not signed", in both languages.
pub const DRAFT_MARK: [(&str, f32); 2] = [("ЖОБА · ПРОЕКТ", 60.0), ("қол қойылмаған · не подписано", 22.0)];

fn unvouched(stamp: Option<&StampImage>, verification: Option<&Verification>) -> Result<(), DocumentError> {
    if stamp.is_some() || verification.is_some() {
        return Err(DocumentError::Input("a draft carries no stamp and no verification code".into()));
    }
    Ok(())
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

/// Who signs a document on behalf of the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    pub name: String,
    /// e.g. "Бөлім басшысы" / "Руководитель отдела".
    pub position: Bilingual,
}

/// The office's stamp (seal, possibly with the signature) as uploaded by the
/// administrator: a PNG of at most 2 MB and 2000×2000 px, drawn about 40 mm
/// wide over the seal place. Check an upload with [`check_stamp`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampImage {
    pub png: Vec<u8>,
}

pub use stamp::check_stamp;

/// The referral (жолдама / направление) of a child to a preschool
/// organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// e.g. "Ж-2026-00001"
    pub number: String,
    /// Office local time.
    pub issued_at: chrono::NaiveDateTime,
    /// Last day on which the kindergarten accepts it.
    pub valid_until: chrono::NaiveDate,
    pub office: OfficeRequisites,
    pub child_name: String,
    pub child_iin: String,
    pub child_birth_date: chrono::NaiveDate,
    /// e.g. "2022 жылы туған балалар" / "дети 2022 года рождения".
    pub age_group: Bilingual,
    pub kindergarten: Bilingual,
    pub kindergarten_address: Bilingual,
    /// Group name and language, when the distribution assigned one.
    pub group: Option<Bilingual>,
    pub applicant_name: String,
    pub applicant_iin: String,
    /// The queue application's registration number.
    pub registration_number: String,
    pub signer: Signer,
    #[serde(default)]
    pub stamp: Option<StampImage>,
    /// 1 for the original; from 2 on the page says "КӨШІРМЕ / КОПИЯ № n".
    #[serde(default = "original")]
    pub copy_number: u32,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub audit_chain_head: Option<String>,
}

/// The notification of registration in the preschool queue, with the
/// tear-off registration ticket (тіркеу талоны / талон о регистрации).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueNotification {
    pub registration_number: String,
    pub registered_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    pub child_name: String,
    pub child_iin: String,
    pub child_birth_date: chrono::NaiveDate,
    /// The queue the child stands in.
    pub birth_year: i32,
    /// e.g. "жалпы кезек" / "общая очередь".
    pub category: Bilingual,
    /// The child's number in its birth-year queue at the time of printing.
    pub position: u32,
    /// Chosen kindergartens, in order of preference; may be empty.
    pub preferences: Vec<Bilingual>,
    pub desired_start: Option<chrono::NaiveDate>,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub applicant_phone: String,
    pub signer: Signer,
    #[serde(default)]
    pub stamp: Option<StampImage>,
    #[serde(default = "original")]
    pub copy_number: u32,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub audit_chain_head: Option<String>,
}

/// One per-service line of a [`ServiceResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultField {
    pub label: Bilingual,
    pub value: String,
}

/// The positive result of the office's other services (certificates,
/// decisions, notifications) in one layout driven by data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceResult {
    pub number: String,
    pub issued_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    /// e.g. "Анықтама" / "Справка".
    pub title: Bilingual,
    pub service_name: Bilingual,
    pub registration_number: String,
    pub registered_on: chrono::NaiveDate,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub subject_name: Option<String>,
    pub subject_iin: Option<String>,
    pub fields: Vec<ResultField>,
    /// The body paragraph, when the result has one.
    pub text: Option<Bilingual>,
    pub signer: Signer,
    #[serde(default)]
    pub stamp: Option<StampImage>,
    #[serde(default = "original")]
    pub copy_number: u32,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub audit_chain_head: Option<String>,
}

/// The reasoned refusal to provide a service (дәлелді бас тарту /
/// мотивированный отказ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonedRefusal {
    pub number: String,
    pub issued_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    pub service_name: Bilingual,
    pub registration_number: String,
    pub registered_on: chrono::NaiveDate,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub applicant_address: Option<String>,
    /// The controlled text from the reasons list.
    pub reason: Bilingual,
    pub legal_basis: Option<Bilingual>,
    /// The executor's own words; may be long, line breaks start paragraphs.
    pub explanation: String,
    pub signer: Signer,
    #[serde(default)]
    pub stamp: Option<StampImage>,
    #[serde(default = "original")]
    pub copy_number: u32,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub audit_chain_head: Option<String>,
}

/// One application in the registration journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRow {
    pub number: String,
    pub registered_at: chrono::NaiveDateTime,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub service: Bilingual,
    pub status: Bilingual,
    pub executor: Option<String>,
    pub due: Option<chrono::NaiveDate>,
    pub closed_on: Option<chrono::NaiveDate>,
}

/// The registration journal for a period, or the daily register when
/// `from == to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub office: OfficeRequisites,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub generated_at: chrono::NaiveDateTime,
    pub rows: Vec<JournalRow>,
    /// e.g. per status, computed by the caller; printed after the row count.
    pub totals: Vec<(Bilingual, u32)>,
    /// Who printed it.
    pub signer: Signer,
}

/// One application in a queue extract: no personal data beyond the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueExtractRow {
    pub position: u32,
    pub registration_number: String,
    pub registered_at: chrono::NaiveDateTime,
    pub category: Bilingual,
    /// e.g. "stop list until …".
    pub note: Option<Bilingual>,
}

/// The queue of one birth year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueExtract {
    pub office: OfficeRequisites,
    pub birth_year: i32,
    pub generated_at: chrono::NaiveDateTime,
    pub rows: Vec<QueueExtractRow>,
    /// Per category, computed by the caller.
    pub totals: Vec<(Bilingual, u32)>,
}

/// One referral of a distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralListRow {
    pub referral_number: String,
    pub child_name: String,
    pub child_birth_date: chrono::NaiveDate,
    pub kindergarten: Bilingual,
    pub group: Option<Bilingual>,
    pub valid_until: chrono::NaiveDate,
}

/// The referrals issued by one distribution of free places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralList {
    pub office: OfficeRequisites,
    /// e.g. "Б-2026-014".
    pub distribution_number: String,
    pub generated_at: chrono::NaiveDateTime,
    pub rows: Vec<ReferralListRow>,
    pub signer: Signer,
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
    /// without missing documents, a QR text too long to encode, a stamp
    /// image that is not a PNG or is too large).
    Input(String),
    /// The PDF could not be assembled or written.
    Pdf(String),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingGlyph { ch } => {
                write!(f, "the document font has no glyph for {ch:?} (U+{:04X})", u32::from(*ch))
            }
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
    referral: Template<ReferralLabels>,
    notification: Template<NotificationLabels>,
    result: Template<ResultLabels>,
    reasoned: Template<ReasonedLabels>,
    journal: TableTemplate,
    extract: TableTemplate,
    list: TableTemplate,
}

/// Both language versions of a title with the document's number.
fn numbered_title(kk: &str, ru: &str, number: &str) -> String {
    format!("{kk} № {number} / {ru} № {number}")
}

fn canonical<T: Serialize>(input: &T) -> Result<Vec<u8>, DocumentError> {
    serde_json::to_vec(input).map_err(|e| DocumentError::Pdf(e.to_string()))
}

// The shell keeps a Typesetter in Tauri state, which requires both.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Typesetter>();
};

pub(crate) fn load_fonts() -> Result<Fonts, DocumentError> {
    Ok(Fonts { regular: Face::parse(REGULAR_TTF, REGULAR_ID)?, bold: Face::parse(BOLD_TTF, BOLD_ID)? })
}

impl Typesetter {
    /// Parses the embedded fonts and templates.
    pub fn new() -> Result<Self, DocumentError> {
        let fonts = load_fonts()?;
        Ok(Self {
            receipt: ReceiptTemplate::parse(RECEIPT_TEMPLATE)?,
            refusal: RefusalTemplate::parse(REFUSAL_TEMPLATE)?,
            referral: Template::parse(REFERRAL_TEMPLATE, referral::FILE, &fonts)?,
            notification: Template::parse(NOTIFICATION_TEMPLATE, queue_notification::FILE, &fonts)?,
            result: Template::parse(RESULT_TEMPLATE, service_result::FILE, &fonts)?,
            reasoned: Template::parse(REASONED_TEMPLATE, reasoned_refusal::FILE, &fonts)?,
            journal: TableTemplate::parse(JOURNAL_TEMPLATE, journal::FILE, journal::KEYS, &["{from}", "{to}"], &fonts)?,
            extract: TableTemplate::parse(
                EXTRACT_TEMPLATE,
                queue_extract::FILE,
                queue_extract::KEYS,
                &["{year}"],
                &fonts,
            )?,
            list: TableTemplate::parse(LIST_TEMPLATE, referral_list::FILE, referral_list::KEYS, &["{number}"], &fonts)?,
            fonts,
        })
    }

    /// The referral (жолдама / направление) to a preschool organisation as
    /// PDF bytes: the Kazakh version, then the Russian one, on the two
    /// halves of one A4 sheet when they fit, else each on its own page(s).
    /// It states the last valid day and that it is to be presented at the
    /// kindergarten.
    pub fn referral(&self, r: &Referral) -> Result<Vec<u8>, DocumentError> {
        let stamp = signed::decode_stamp(r.stamp.as_ref())?;
        let pages = referral::layout_referral(&self.fonts, &self.referral, r, stamp.as_ref())?;
        let meta = pdf::Metadata {
            title: numbered_title(&self.referral.kk.title, &self.referral.ru.title, &r.number),
            author: r.office.name.kk.clone(),
            subject: r.kindergarten.kk.clone(),
            created: r.issued_at,
            canonical_content: canonical(r)?,
        };
        pdf::assemble(&self.fonts, self.referral.layout.page_size(), pages, images(stamp), &meta)
    }

    /// The notification of registration in the preschool queue as PDF
    /// bytes: both language versions and, below a cut line at the foot of
    /// the sheet, the registration ticket that the parent keeps.
    pub fn queue_notification(&self, n: &QueueNotification) -> Result<Vec<u8>, DocumentError> {
        let stamp = signed::decode_stamp(n.stamp.as_ref())?;
        let pages = queue_notification::layout_notification(&self.fonts, &self.notification, n, stamp.as_ref())?;
        let meta = pdf::Metadata {
            title: numbered_title(&self.notification.kk.title, &self.notification.ru.title, &n.registration_number),
            author: n.office.name.kk.clone(),
            subject: n.child_name.clone(),
            created: n.registered_at,
            canonical_content: canonical(n)?,
        };
        pdf::assemble(&self.fonts, self.notification.layout.page_size(), pages, images(stamp), &meta)
    }

    /// A service's positive result (certificate, decision, notification)
    /// as PDF bytes, arranged like the referral.
    pub fn service_result(&self, r: &ServiceResult) -> Result<Vec<u8>, DocumentError> {
        let stamp = signed::decode_stamp(r.stamp.as_ref())?;
        let pages = service_result::layout_result(&self.fonts, &self.result, r, stamp.as_ref())?;
        let meta = pdf::Metadata {
            title: numbered_title(&r.title.kk, &r.title.ru, &r.number),
            author: r.office.name.kk.clone(),
            subject: r.service_name.kk.clone(),
            created: r.issued_at,
            canonical_content: canonical(r)?,
        };
        pdf::assemble(&self.fonts, self.result.layout.page_size(), pages, images(stamp), &meta)
    }

    /// The reasoned refusal as PDF bytes, arranged like the referral; a
    /// long explanation flows over as many pages as it needs.
    pub fn reasoned_refusal(&self, r: &ReasonedRefusal) -> Result<Vec<u8>, DocumentError> {
        let stamp = signed::decode_stamp(r.stamp.as_ref())?;
        let pages = reasoned_refusal::layout_reasoned_refusal(&self.fonts, &self.reasoned, r, stamp.as_ref())?;
        let meta = pdf::Metadata {
            title: numbered_title(&self.reasoned.kk.title, &self.reasoned.ru.title, &r.number),
            author: r.office.name.kk.clone(),
            subject: r.service_name.kk.clone(),
            created: r.issued_at,
            canonical_content: canonical(r)?,
        };
        pdf::assemble(&self.fonts, self.reasoned.layout.page_size(), pages, images(stamp), &meta)
    }

    /// A positive result before the head signs it, for the screen: its
    /// pages exactly as they will print, one SVG each, with [`DRAFT_MARK`]
    /// across every page. Refused with a stamp or a verification code: a
    /// draft must not carry what vouches for a signed paper.
    pub fn service_result_draft(&self, r: &ServiceResult) -> Result<Vec<String>, DocumentError> {
        unvouched(r.stamp.as_ref(), r.verification.as_ref())?;
        let pages = service_result::layout_result(&self.fonts, &self.result, r, None)?;
        let title = numbered_title(&r.title.kk, &r.title.ru, &r.number);
        self.draft(self.result.layout.page_size(), pages, title)
    }

    /// A reasoned refusal before the head signs it, like
    /// [`Typesetter::service_result_draft`].
    pub fn reasoned_refusal_draft(&self, r: &ReasonedRefusal) -> Result<Vec<String>, DocumentError> {
        unvouched(r.stamp.as_ref(), r.verification.as_ref())?;
        let pages = reasoned_refusal::layout_reasoned_refusal(&self.fonts, &self.reasoned, r, None)?;
        let title = numbered_title(&self.reasoned.kk.title, &self.reasoned.ru.title, &r.number);
        self.draft(self.reasoned.layout.page_size(), pages, title)
    }

    fn draft(
        &self,
        size: (f32, f32),
        mut pages: Vec<Vec<printpdf::Op>>,
        title: String,
    ) -> Result<Vec<String>, DocumentError> {
        layout::watermark(&self.fonts, size, &mut pages, &DRAFT_MARK)?;
        let meta = pdf::Metadata {
            title,
            author: String::new(),
            subject: String::new(),
            created: chrono::NaiveDateTime::default(),
            canonical_content: Vec::new(),
        };
        pdf::svg_pages(&self.fonts, size, pages, Vec::new(), &meta)
    }

    /// The registration journal for `from..=to` (the daily register when
    /// both are the same day) as an A4 landscape table with numbered pages.
    pub fn journal(&self, j: &Journal) -> Result<Vec<u8>, DocumentError> {
        let pages = journal::layout_journal(&self.fonts, &self.journal, j)?;
        let daily = j.from == j.to;
        let pick = |l: &TableLabels| match (&l.title_daily, daily) {
            (Some(d), true) => d.clone(),
            _ => l.title.clone(),
        };
        let meta = pdf::Metadata {
            title: format!(
                "{} / {} {}–{}",
                pick(&self.journal.kk),
                pick(&self.journal.ru),
                j.from.format("%d.%m.%Y"),
                j.to.format("%d.%m.%Y")
            ),
            author: j.office.name.kk.clone(),
            subject: String::new(),
            created: j.generated_at,
            canonical_content: canonical(j)?,
        };
        pdf::assemble(&self.fonts, self.journal.page_size(), pages, Vec::new(), &meta)
    }

    /// The queue of one birth year, without personal data, as an A4
    /// landscape table with numbered pages.
    pub fn queue_extract(&self, q: &QueueExtract) -> Result<Vec<u8>, DocumentError> {
        let pages = queue_extract::layout_extract(&self.fonts, &self.extract, q)?;
        let meta = pdf::Metadata {
            title: format!("{} / {} {}", self.extract.kk.title, self.extract.ru.title, q.birth_year),
            author: q.office.name.kk.clone(),
            subject: String::new(),
            created: q.generated_at,
            canonical_content: canonical(q)?,
        };
        pdf::assemble(&self.fonts, self.extract.page_size(), pages, Vec::new(), &meta)
    }

    /// The referrals of one distribution as an A4 landscape table with
    /// numbered pages and the count per kindergarten.
    pub fn referral_list(&self, l: &ReferralList) -> Result<Vec<u8>, DocumentError> {
        let pages = referral_list::layout_list(&self.fonts, &self.list, l)?;
        let meta = pdf::Metadata {
            title: numbered_title(&self.list.kk.title, &self.list.ru.title, &l.distribution_number),
            author: l.office.name.kk.clone(),
            subject: String::new(),
            created: l.generated_at,
            canonical_content: canonical(l)?,
        };
        pdf::assemble(&self.fonts, self.list.page_size(), pages, Vec::new(), &meta)
    }

    /// The acceptance receipt (қолхат / расписка) as PDF bytes: Kazakh half on
    /// top, Russian half below a cut line, one A4 page when it fits (the font
    /// shrinks down to the template's minimum first), otherwise each language
    /// on its own page(s). A copy mark and the verification QR are added
    /// when the input asks for them.
    pub fn acceptance_receipt(&self, r: &AcceptanceReceipt) -> Result<Vec<u8>, DocumentError> {
        let pages = acceptance_receipt::layout_receipt(&self.fonts, &self.receipt, r)?;
        let canonical = serde_json::to_vec(r).map_err(|e| DocumentError::Pdf(e.to_string()))?;
        let meta = pdf::Metadata {
            title: format!(
                "{} № {} / {} № {}",
                self.receipt.kk.title, r.registration_number, self.receipt.ru.title, r.registration_number
            ),
            author: r.office.name.kk.clone(),
            subject: r.service_name.kk.clone(),
            created: r.registered_at,
            canonical_content: canonical,
        };
        pdf::assemble(&self.fonts, self.receipt.page_size(), pages, Vec::new(), &meta)
    }

    /// The receipt of refusal to accept documents as PDF bytes: the Kazakh
    /// version first, then the Russian one, arranged like the acceptance
    /// receipt (two halves of one A4 sheet when they fit, else each language
    /// on its own page(s)), with the same number and date in both.
    pub fn refusal_receipt(&self, r: &RefusalReceipt) -> Result<Vec<u8>, DocumentError> {
        let pages = refusal_receipt::layout_refusal(&self.fonts, &self.refusal, r)?;
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
        pdf::assemble(&self.fonts, self.refusal.page_size(), pages, Vec::new(), &meta)
    }
}
