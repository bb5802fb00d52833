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
mod error;
pub mod layout;
mod pdf;
mod qr;
mod refusal_receipt;
mod registers;
mod requisites;
mod sheet;
mod signed;
mod stamp;

pub use acceptance_receipt::AcceptanceReceipt;
pub use error::DocumentError;
pub use refusal_receipt::RefusalReceipt;
pub use registers::journal::{Journal, JournalRow};
pub use registers::queue_extract::{QueueExtract, QueueExtractRow};
pub use registers::referral_list::{ReferralList, ReferralListRow};
pub use requisites::{Bilingual, OfficeRequisites, Signer, StampImage, Verification};
pub use signed::queue_notification::QueueNotification;
pub use signed::reasoned_refusal::ReasonedRefusal;
pub use signed::referral::Referral;
pub use signed::service_result::{ResultField, ServiceResult};
pub use stamp::check_stamp;

use serde::Serialize;

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

/// Across every page of a draft: "draft", and "not signed", in both languages.
pub const DRAFT_MARK: [(&str, f32); 2] = [("ЖОБА · ПРОЕКТ", 60.0), ("қол қойылмаған · не подписано", 22.0)];

fn unvouched(stamp: Option<&StampImage>, verification: Option<&Verification>) -> Result<(), DocumentError> {
    if stamp.is_some() || verification.is_some() {
        return Err(DocumentError::Input("a draft carries no stamp and no verification code".into()));
    }
    Ok(())
}

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
