//! Final PDF assembly: pages of `Op`s plus fonts and metadata into bytes that
//! depend only on the input.

use lopdf::{Object, StringFormat};
use printpdf::{
    Mm, Op, PdfDocument, PdfFont, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, PdfToSvgOptions, RawImage, XObject,
    XObjectId,
};
use sha2::{Digest, Sha256};

use crate::layout::Fonts;
use crate::DocumentError;

pub(crate) struct Metadata {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// Office local time; written without a UTC offset because the office's
    /// zone is not part of the input.
    pub created: chrono::NaiveDateTime,
    /// Hashed into the trailer `/ID`.
    pub canonical_content: Vec<u8>,
}

fn pdf_date(t: &chrono::NaiveDateTime) -> Object {
    Object::String(t.format("D:%Y%m%d%H%M%S").to_string().into_bytes(), StringFormat::Literal)
}

/// The document before it is written: pages, fonts, images, metadata.
/// `images` are registered under their fixed resource names, which the
/// pages' `UseXobject` ops refer to.
fn document(
    fonts: &Fonts,
    (width, height): (f32, f32),
    pages: Vec<Vec<Op>>,
    images: Vec<(&str, RawImage)>,
    meta: &Metadata,
) -> PdfDocument {
    let mut doc = PdfDocument::new(&meta.title);
    for (id, image) in images {
        doc.resources.xobjects.map.insert(XObjectId(id.to_string()), XObject::Image(image));
    }
    for face in [&fonts.regular, &fonts.bold] {
        doc.resources.fonts.map.insert(face.id().clone(), PdfFont::new(face.parsed().clone()));
    }
    doc.metadata.info.author = meta.author.clone();
    doc.metadata.info.subject = meta.subject.clone();
    doc.metadata.info.creator = "Kense".into();
    doc.metadata.info.producer = "Kense (printpdf 0.12)".into();
    doc.pages = pages.into_iter().map(|ops| PdfPage::new(Mm(width), Mm(height), ops)).collect();
    doc
}

/// The same pages as [`assemble`] would write, each rendered to a
/// self-contained SVG (fonts and images inline) for showing on screen.
pub(crate) fn svg_pages(
    fonts: &Fonts,
    size: (f32, f32),
    pages: Vec<Vec<Op>>,
    images: Vec<(&str, RawImage)>,
    meta: &Metadata,
) -> Result<Vec<String>, DocumentError> {
    let doc = document(fonts, size, pages, images, meta);
    let opts = PdfToSvgOptions::default();
    let mut warnings = Vec::new();
    (1..=doc.pages.len())
        .map(|n| {
            doc.page_to_svg(n, &opts, &mut warnings).ok_or_else(|| DocumentError::Pdf(format!("no page {n} to render")))
        })
        .collect()
}

pub(crate) fn assemble(
    fonts: &Fonts,
    size: (f32, f32),
    pages: Vec<Vec<Op>>,
    images: Vec<(&str, RawImage)>,
    meta: &Metadata,
) -> Result<Vec<u8>, DocumentError> {
    let doc = document(fonts, size, pages, images, meta);
    let opts = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    // Warnings are informational (printpdf reports e.g. skipped operations
    // there); an error means the page content is wrong, so refuse to ship it.
    if let Some(e) = warnings.iter().find(|w| w.severity == PdfParseErrorSeverity::Error) {
        return Err(DocumentError::Pdf(format!("page {}: {}", e.page, e.msg)));
    }

    // printpdf writes dates as UTC and always adds an empty PDF/X marker
    // (which makes viewers claim PDF/X); fix both in the Info dictionary.
    let info_id = lo
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .map_err(|e| DocumentError::Pdf(format!("no Info dictionary: {e}")))?;
    let info = lo
        .get_object_mut(info_id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| DocumentError::Pdf(format!("bad Info dictionary: {e}")))?;
    info.remove(b"GTS_PDFXVersion");
    info.set("CreationDate", pdf_date(&meta.created));
    info.set("ModDate", pdf_date(&meta.created));

    // printpdf's own /ID comes from its global pseudo-random counter.
    let digest = Sha256::digest(&meta.canonical_content);
    let id16 = digest[..16].to_vec();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id16.clone(), StringFormat::Hexadecimal),
            Object::String(id16, StringFormat::Hexadecimal),
        ]),
    );
    lo.compress();

    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| DocumentError::Pdf(format!("cannot write PDF: {e}")))?;
    Ok(out)
}
