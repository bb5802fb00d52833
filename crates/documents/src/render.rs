//! The one path every document takes to paper: the stamp image prepared
//! (decoded and deflated once per upload, [`crate::stamp::StampCache`]), the
//! verification text encoded once into the QR form every QR of the document
//! shows, the pages laid out with the document's template, the PDF's Info
//! dictionary filled from the input, and the PDF assembled ([`pdf`]). A
//! draft takes the same path to its pages, then gets [`DRAFT_MARK`] across
//! them and is drawn as SVG instead ([`draft`]).
//!
//! What differs between documents is behind [`Document`], implemented in
//! each document's module beside its input struct and its layout.

use serde::Serialize;

use crate::layout::{self, Fonts};
use crate::pdf::{self as assembly, Metadata};
use crate::qr::{Symbol, QR_ID};
use crate::sheet::Form;
use crate::signed::Signed;
use crate::stamp::{Stamp, STAMP_ID};
use crate::{DocumentError, OfficeRequisites, StampImage, Typesetter, Verification, DRAFT_MARK};

/// The `Op`s of each page of a laid-out document.
pub(crate) type Pages = Vec<Vec<printpdf::Op>>;

/// What the PDF's Info dictionary says about a document.
pub(crate) struct About<'a> {
    pub title: String,
    /// The issuing office; its name in the state language is the author.
    pub office: &'a OfficeRequisites,
    pub subject: &'a str,
    /// Office local time of the document.
    pub created: chrono::NaiveDateTime,
}

/// One of the office's documents, as far as the render path needs to know
/// it. The input is serialised into the trailer `/ID` hash, so the same
/// input always gives the same bytes.
pub(crate) trait Document: Serialize {
    /// The parsed template the document is laid out with.
    type Template: Form;

    /// The document's template in the shared typesetter.
    fn template(ts: &Typesetter) -> &Self::Template;

    /// The office's stamp to put over the seal place, for the documents that
    /// carry one.
    fn stamp(&self) -> Option<&StampImage> {
        None
    }

    /// The verification code its QR codes carry, for the documents that
    /// have one; [`crate::sheet::Marks`] places them, the render path draws
    /// the symbol once.
    fn verification(&self) -> Option<&Verification> {
        None
    }

    /// Refuses input that cannot make a valid document, then lays out its
    /// pages (`stamp` is the decoded [`Document::stamp`]).
    fn layout(&self, fonts: &Fonts, t: &Self::Template, stamp: Option<&Stamp>) -> Result<Pages, DocumentError>;

    /// Title, author, subject and time for the PDF's Info dictionary.
    fn about(&self, t: &Self::Template) -> About<'_>;
}

/// Both language versions of a title with the document's number.
pub(crate) fn numbered_title(kk: &str, ru: &str, number: &str) -> String {
    format!("{kk} № {number} / {ru} № {number}")
}

/// The document as PDF bytes.
pub(crate) fn pdf<D: Document>(ts: &Typesetter, d: &D) -> Result<Vec<u8>, DocumentError> {
    let t = D::template(ts);
    let stamp = d.stamp().map(|s| ts.stamps.prepare(&s.png)).transpose()?;
    // Encoded before layout so that text too long for a QR code is refused
    // before any work is done.
    let qr = d.verification().map(|v| Symbol::encode(&v.qr_text)).transpose()?;
    let pages = d.layout(&ts.fonts, t, stamp.as_deref())?;
    let about = d.about(t);
    let meta = Metadata {
        title: about.title,
        author: about.office.name.kk.clone(),
        subject: about.subject.to_string(),
        created: about.created,
        canonical_content: serde_json::to_vec(d).map_err(|e| DocumentError::Pdf(e.to_string()))?,
    };
    // The stamp and the QR form are registered under the fixed names their
    // `UseXobject` ops use.
    let mut xobjects = Vec::new();
    if let Some(s) = stamp {
        xobjects.push((STAMP_ID, s.xobject()));
    }
    if let Some(symbol) = qr {
        xobjects.push((QR_ID, symbol.xobject()));
    }
    assembly::assemble(&ts.fonts, t.page().page_size(), pages, xobjects, &meta)
}

/// A signed document before the head signs it, for the screen: its pages
/// exactly as they will print, one SVG each, with [`DRAFT_MARK`] across
/// every page. Refused with a stamp or a verification code: a draft must not
/// carry what vouches for a signed paper.
pub(crate) fn draft<D: Document + Signed>(ts: &Typesetter, d: &D) -> Result<Vec<String>, DocumentError> {
    let parts = d.parts();
    if parts.stamp.is_some() || parts.verification.is_some() {
        return Err(DocumentError::Input("a draft carries no stamp and no verification code".into()));
    }
    let t = D::template(ts);
    let mut pages = d.layout(&ts.fonts, t, None)?;
    let size = t.page().page_size();
    layout::watermark(&ts.fonts, size, &mut pages, &DRAFT_MARK)?;
    // Nothing identifies a draft beyond its title: it is not a document yet.
    let meta = Metadata {
        title: d.about(t).title,
        author: String::new(),
        subject: String::new(),
        created: chrono::NaiveDateTime::default(),
        canonical_content: Vec::new(),
    };
    assembly::svg_pages(&ts.fonts, size, pages, Vec::new(), &meta)
}
