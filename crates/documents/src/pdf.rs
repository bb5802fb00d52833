//! Final PDF assembly: pages of `Op`s plus fonts and metadata into bytes that
//! depend only on the input.

use lopdf::{Object, StringFormat};
use printpdf::{
    Mm, Op, PdfDocument, PdfFont, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, PdfToSvgOptions, XObject, XObjectId,
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

/// The document before it is written: pages, fonts, XObjects (the stamp
/// image, the QR form), metadata. `xobjects` are registered under their
/// fixed resource names, which the pages' `UseXobject` ops refer to.
fn document(
    fonts: &Fonts,
    (width, height): (f32, f32),
    pages: Vec<Vec<Op>>,
    xobjects: Vec<(&str, XObject)>,
    meta: &Metadata,
) -> PdfDocument {
    let mut doc = PdfDocument::new(&meta.title);
    for (id, xobject) in xobjects {
        doc.resources.xobjects.map.insert(XObjectId(id.to_string()), xobject);
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
    xobjects: Vec<(&str, XObject)>,
    meta: &Metadata,
) -> Result<Vec<String>, DocumentError> {
    let doc = document(fonts, size, pages, xobjects, meta);
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
    xobjects: Vec<(&str, XObject)>,
    meta: &Metadata,
) -> Result<Vec<u8>, DocumentError> {
    let doc = document(fonts, size, pages, xobjects, meta);
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
    compress(&mut lo)?;

    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| DocumentError::Pdf(format!("cannot write PDF: {e}")))?;
    Ok(out)
}

/// Deflates every stream that is still plain (page contents, font subsets,
/// the QR form; the stamp arrives deflated). lopdf's own `compress` uses
/// the best level, which was most of a receipt's time (about 40 % of the
/// documents bench in a profile). Even zlib's default level was still a
/// third of the time in a later profile (the font subsets are most of the
/// bytes); the fastest level takes a receipt with its QR codes from 3.7 to
/// 2.7 ms and a distribution's 1 000 referrals from 3.8 to 2.8 s, for about
/// 5 KB more per document (docs/benchmarks.md).
fn compress(lo: &mut lopdf::Document) -> Result<(), DocumentError> {
    use std::io::Write;
    for object in lo.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(DEFLATE_LEVEL));
        let packed = z
            .write_all(&stream.content)
            .and_then(|()| z.finish())
            .map_err(|e| DocumentError::Pdf(format!("cannot deflate a stream: {e}")))?;
        if packed.len() < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    Ok(())
}

/// zlib level of the PDF's streams; see [`compress`].
const DEFLATE_LEVEL: u32 = 1;
