//! What the office's signed documents (referral, queue notification, service
//! result, reasoned refusal) share: the template shape (layout, Kazakh and
//! Russian labels, marks), and the shape of each language version — the
//! office's requisites header, the document's own text, then the signer's
//! block with the signature line, the seal place and the optional stamp
//! image ([`pages`]) — with the small paragraph helpers their texts are
//! built from (the receipts use the header and these helpers too). Each
//! document's own text is in its module below, behind [`Signed`].

pub(crate) mod queue_notification;
pub(crate) mod reasoned_refusal;
pub(crate) mod referral;
pub(crate) mod service_result;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::layout::{Align, Flow, Fonts, Paragraph, RuleStyle, Span, Style};
use crate::render::Pages;
use crate::sheet::{self, Form, Lang, MarkTexts, Marks, PageLayout, StubWriter};
use crate::stamp::{Stamp, STAMP_ID};
use crate::{DocumentError, OfficeRequisites, Signer, StampImage, Verification};

/// Stamp images are drawn this wide (the seal of a state body is 40–45 mm),
/// or narrower when taller than wide, so that they fit a 40 mm square.
const STAMP_BOX_MM: f32 = 40.0;

/// A blank for the handwritten signature.
pub(crate) const SIGNATURE_BLANK: &str = "______________";

/// Labels of the requisites header and the signer's block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignLabels {
    pub address: String,
    pub phone: String,
    pub signature: String,
    /// "М.О." / "М.П.", the place of the seal.
    pub seal: String,
}

/// The labels of one language version of a signed document.
pub(crate) trait LabelSet {
    /// The labels of the requisites header and the signer's block.
    fn sign(&self) -> &SignLabels;

    /// `(field, text, placeholder)` triples that must hold, checked when
    /// the template is parsed (serde checks the rest).
    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        Vec::new()
    }
}

/// What every signed document's input has, borrowed.
pub(crate) struct SignedParts<'a> {
    pub office: &'a OfficeRequisites,
    pub signer: &'a Signer,
    pub stamp: Option<&'a StampImage>,
    pub audit_chain_head: Option<&'a str>,
    pub copy_number: u32,
    pub verification: Option<&'a Verification>,
}

/// One of the office's signed documents: its own text between the office's
/// requisites header and the signer's block, which [`pages`] draws for it.
pub(crate) trait Signed {
    type Labels: DeserializeOwned + LabelSet;

    /// Space above the signer's block, in block gaps.
    const SIGNATURE_GAPS: f32 = 3.0;

    /// Whether a tear-off part ([`Signed::tear_off`]) goes at the foot of
    /// the sheet.
    const TEAR_OFF: bool = false;

    fn parts(&self) -> SignedParts<'_>;

    /// Refuses input that cannot make this document; called before
    /// anything is laid out.
    fn check(&self) -> Result<(), DocumentError> {
        Ok(())
    }

    /// The document's own text in one language, at the flow's cursor.
    fn text(&self, flow: &mut Flow<'_>, t: &Template<Self::Labels>, w: &Writer<'_>) -> Result<(), DocumentError>;

    /// The tear-off part below a cut line at the foot of the sheet, in both
    /// languages at once; drawn only when [`Signed::TEAR_OFF`] is set.
    fn tear_off(&self, _flow: &mut Flow<'_>, _t: &Template<Self::Labels>, _body: f32) -> Result<(), DocumentError> {
        Ok(())
    }
}

/// Lays out both language versions of a signed document, each as the
/// office's requisites header, the document's text and the signer's block,
/// arranged on paper by [`sheet::bilingual_sheet`].
pub(crate) fn pages<D: Signed>(
    fonts: &Fonts,
    t: &Template<D::Labels>,
    d: &D,
    stamp: Option<&Stamp>,
) -> Result<Pages, DocumentError> {
    d.check()?;
    let parts = d.parts();
    let marks = Marks::new(&t.marks, parts.audit_chain_head, parts.copy_number, parts.verification)?;
    let mut write = |flow: &mut Flow<'_>, lang: Lang, body: f32, inset: f32| {
        let w = Writer { l: &t.layout, lang, body };
        let sign = t.labels(lang).sign();
        office_header(flow, w.l, (&sign.address, &sign.phone), lang, parts.office, body)?;
        d.text(flow, t, &w)?;
        signature_block(flow, &w, sign, parts.signer, stamp, inset, w.gap() * D::SIGNATURE_GAPS)
    };
    let mut tear_off = |flow: &mut Flow<'_>, body: f32| d.tear_off(flow, t, body);
    let stub: Option<&mut StubWriter<'_>> = if D::TEAR_OFF { Some(&mut tear_off) } else { None };
    sheet::bilingual_sheet(fonts, &t.layout, &marks, &mut write, stub)
}

/// A signed document's template: `assets/templates/<name>.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Template<L> {
    #[allow(dead_code)]
    pub version: u32,
    pub layout: PageLayout,
    /// Left edge of the addressee block, from the left margin, for the
    /// documents that have one (the reasoned refusal).
    #[serde(default)]
    pub addressee_indent_mm: Option<f32>,
    pub kk: L,
    pub ru: L,
    pub marks: MarkTexts,
}

impl<L: DeserializeOwned + LabelSet> Template<L> {
    /// Parses and validates; also checks that the shipped fonts draw every
    /// character of the template, so that a bad edit fails at start-up
    /// rather than on the first document.
    pub fn parse(json: &str, file: &str, fonts: &Fonts) -> Result<Self, DocumentError> {
        let t: Self = serde_json::from_str(json).map_err(|e| DocumentError::Template(format!("{file}: {e}")))?;
        t.layout.validate(file)?;
        t.marks.validate(file, true)?;
        let content_w = t.layout.page_width_mm - t.layout.margin_left_mm - t.layout.margin_right_mm;
        if let Some(indent) = t.addressee_indent_mm {
            if !(0.0..=content_w - 40.0).contains(&indent) {
                return Err(DocumentError::Template(format!(
                    "{file}: addressee_indent_mm leaves under 40 mm for the addressee"
                )));
            }
        }
        for (lang, labels) in [("kk", &t.kk), ("ru", &t.ru)] {
            if let Some((field, _, key)) = labels.placeholders().into_iter().find(|(_, text, key)| !text.contains(key))
            {
                return Err(DocumentError::Template(format!("{file}: {lang}.{field} lacks {key}")));
            }
        }
        check_covered(json, file, fonts)?;
        Ok(t)
    }

    pub fn labels(&self, lang: Lang) -> &L {
        match lang {
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
        }
    }
}

impl<L> Form for Template<L> {
    fn page(&self) -> &PageLayout {
        &self.layout
    }
}

/// Every character of a template's JSON is in both faces.
pub(crate) fn check_covered(json: &str, file: &str, fonts: &Fonts) -> Result<(), DocumentError> {
    for face in [&fonts.regular, &fonts.bold] {
        face.check(json).map_err(|e| match e {
            DocumentError::MissingGlyph { ch } => {
                DocumentError::Template(format!("{file}: the fonts cannot draw {ch:?} (U+{:04X})", u32::from(ch)))
            }
            other => other,
        })?;
    }
    Ok(())
}

/// Shorthands for the paragraphs of one language version.
pub(crate) struct Writer<'l> {
    pub l: &'l PageLayout,
    pub lang: Lang,
    pub body: f32,
}

impl Writer<'_> {
    pub fn p(&self, spans: Vec<Span>) -> Paragraph {
        Paragraph::new(spans, self.body).spacing(self.l.line_spacing)
    }

    pub fn sized(&self, spans: Vec<Span>, size: f32) -> Paragraph {
        Paragraph::new(spans, size).spacing(self.l.line_spacing)
    }

    pub fn gap(&self) -> f32 {
        self.l.block_gap_mm
    }

    pub fn small(&self) -> f32 {
        self.body + self.l.small_delta_pt
    }

    /// "Label: value" as one paragraph with a little space after it.
    pub fn field(&self, flow: &mut Flow<'_>, label: &str, value: Vec<Span>) -> Result<(), DocumentError> {
        let mut spans = vec![Span::bold(label), Span::regular(" ")];
        spans.extend(value);
        flow.paragraph(&self.p(spans).after(self.gap() / 2.0))?;
        Ok(())
    }

    /// The centred title (one bold line per entry) and the number line.
    pub fn title(&self, flow: &mut Flow<'_>, title: &str, number_line: String) -> Result<(), DocumentError> {
        flow.paragraph(&self.sized(vec![Span::bold(title)], self.body + self.l.title_delta_pt).align(Align::Center))?;
        flow.paragraph(&self.p(vec![Span::bold(number_line)]).align(Align::Center).after(self.gap() * 1.5))?;
        Ok(())
    }
}

/// The office's name, address and phone, centred, with a rule under them.
/// The receipts use it too, with their own labels.
pub(crate) fn office_header(
    flow: &mut Flow<'_>,
    l: &PageLayout,
    (address_label, phone_label): (&str, &str),
    lang: Lang,
    office: &OfficeRequisites,
    body: f32,
) -> Result<(), DocumentError> {
    let ls = l.line_spacing;
    let p = |spans: Vec<Span>, size: f32| Paragraph::new(spans, size).spacing(ls);
    flow.paragraph(&p(vec![Span::bold(lang.pick(&office.name))], body + l.office_name_delta_pt).align(Align::Center))?;
    // An office that has not entered its phone yet gets no empty "тел.:".
    let mut requisites = format!("{} {}", address_label, lang.pick(&office.address));
    if !office.phone.trim().is_empty() {
        requisites.push_str(&format!("; {} {}", phone_label, office.phone));
    }
    flow.paragraph(&p(vec![Span::regular(requisites)], body + l.requisites_delta_pt).align(Align::Center))?;
    flow.rule(RuleStyle::Solid, 0.6, 1.0, l.block_gap_mm + 0.5);
    Ok(())
}

/// Width and height of the stamp as drawn, mm.
fn stamp_size(stamp: &Stamp) -> (f32, f32) {
    let (w, h) = stamp.px();
    let (w, h) = (w.max(1) as f32, h.max(1) as f32);
    if h > w {
        (STAMP_BOX_MM * w / h, STAMP_BOX_MM)
    } else {
        (STAMP_BOX_MM, STAMP_BOX_MM * h / w)
    }
}

/// The signer's block, kept on one page: the position on the left, the
/// signature line with its caption in the middle, the name on the right;
/// under them the seal place, with the stamp image centred on it when there
/// is one. `inset` mm stay free on the right for the QR.
#[allow(clippy::too_many_arguments)]
fn signature_block(
    flow: &mut Flow<'_>,
    w: &Writer<'_>,
    labels: &SignLabels,
    signer: &Signer,
    stamp: Option<&Stamp>,
    inset: f32,
    space_before: f32,
) -> Result<(), DocumentError> {
    let l = w.l;
    let body = w.body;
    let small = w.small();
    let ls = l.line_spacing;
    let left = l.margin_left_mm;
    let width = l.page_width_mm - l.margin_right_mm - inset - left;
    let col_gap = 3.0;
    let blank_w = flow.measure(Style::Regular, body, SIGNATURE_BLANK)?.max(flow.measure(
        Style::Regular,
        small,
        &labels.signature,
    )?);
    let pos_w = (width * 0.42).max(20.0);
    let name_w = (width - pos_w - blank_w - 2.0 * col_gap).max(20.0);

    let (pos_lines, pos_h) = flow.wrap_block(&[Span::bold(w.lang.pick(&signer.position))], body, ls, pos_w)?;
    let (name_lines, name_h) = flow.wrap_block(&[Span::regular(signer.name.clone())], body, ls, name_w)?;
    let (blank_lines, blank_h) = flow.wrap_block(&[Span::regular(SIGNATURE_BLANK)], body, ls, blank_w)?;
    let (caption_lines, caption_h) =
        flow.wrap_block(&[Span::regular(labels.signature.as_str())], small, ls, blank_w)?;
    let (seal_lines, seal_h) = flow.wrap_block(&[Span::regular(labels.seal.as_str())], body, ls, width)?;
    let text_h = pos_h.max(name_h).max(blank_h + caption_h);
    // The seal place sits under the position, a line below the block.
    let seal_gap = body * crate::layout::MM_PER_PT;
    let seal_w = seal_lines.first().map_or(0.0, |x| x.width_mm);
    let seal_x = left + 25.0 - seal_w / 2.0;
    let seal_top_rel = text_h + seal_gap;
    let stamp_dims = stamp.map(stamp_size);
    // The stamp covers the seal place and the signature, as a real seal
    // does, and the block keeps room for its lower part so that nothing
    // after the block is stamped over.
    // It is centred on the seal place but never reaches above the block,
    // where it would cover the text the signature confirms.
    let seal_centre_rel = seal_top_rel + seal_h / 2.0;
    let stamp_top_rel = stamp_dims.map(|(_, sh)| (seal_centre_rel - sh / 2.0).max(-1.0));
    let below = match (stamp_dims, stamp_top_rel) {
        (Some((_, sh)), Some(st)) => (st + sh - seal_top_rel).max(seal_h),
        _ => seal_h,
    };
    let total = space_before + seal_top_rel + below;
    flow.keep_together(total);
    let top = flow.take(total) + space_before;

    flow.block_at(&pos_lines, body, ls, Align::Left, left, pos_w, top);
    let blank_x = left + pos_w + col_gap;
    // The signature line sits on the name's first baseline.
    flow.block_at(&blank_lines, body, ls, Align::Center, blank_x, blank_w, top);
    flow.block_at(&caption_lines, small, ls, Align::Center, blank_x, blank_w, top + blank_h);
    let name_x = blank_x + blank_w + col_gap;
    flow.block_at(&name_lines, body, ls, Align::Right, name_x, name_w, top);
    let seal_top = top + seal_top_rel;
    flow.block_at(&seal_lines, body, ls, Align::Left, seal_x, seal_w, seal_top);
    if let (Some(stamp), Some((sw, _)), Some(st)) = (stamp, stamp_dims, stamp_top_rel) {
        let cx = seal_x + seal_w / 2.0;
        flow.image_at(STAMP_ID, stamp.px(), cx - sw / 2.0, top + st, sw);
    }
    let _ = caption_h;
    Ok(())
}

/// The value trimmed, or `blank` (a line to fill in by hand) when the input
/// leaves it empty.
pub(crate) fn or_blank(value: Option<&str>, blank: &str) -> String {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => blank.to_string(),
    }
}

/// The addressee block at the top right, as on the refusal forms (the
/// refusal receipt and the reasoned refusal): the applicant's name, then the
/// address, each with its caption under it in small type, `indent` mm from
/// the left margin.
pub(crate) fn addressee(
    flow: &mut Flow<'_>,
    w: &Writer<'_>,
    indent: f32,
    name: Vec<Span>,
    address: String,
    (name_caption, address_caption): (&str, &str),
) -> Result<(), DocumentError> {
    flow.paragraph(&w.p(name).indent(indent))?;
    flow.paragraph(&w.sized(vec![Span::regular(name_caption)], w.small()).indent(indent).after(w.gap()))?;
    flow.paragraph(&w.p(vec![Span::regular(address)]).indent(indent))?;
    flow.paragraph(&w.sized(vec![Span::regular(address_caption)], w.small()).indent(indent).after(w.gap() * 2.0))?;
    Ok(())
}

/// "ЖСН: …"-style glued parts joined by commas, so that a line never starts
/// with a comma and a number never breaks.
pub(crate) fn enumeration(parts: Vec<Span>) -> Vec<Span> {
    let mut spans = Vec::new();
    let n = parts.len();
    for (i, mut part) in parts.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::regular(" "));
        }
        if i + 1 < n {
            part.text.push(',');
        }
        spans.push(part);
    }
    spans
}

/// A person: the name, then "ЖСН: …" when the IIN is known and the birth
/// date when given, comma-joined (see [`enumeration`]).
pub(crate) fn person(iin_label: &str, name: &str, iin: &str, birth: Option<(&str, &str)>) -> Vec<Span> {
    let mut parts = vec![Span::regular(name.to_string())];
    if !iin.trim().is_empty() {
        parts.push(g(format!("{iin_label} {iin}")));
    }
    if let Some((label, d)) = birth {
        parts.push(g(format!("{label} {d}")));
    }
    enumeration(parts)
}

/// A glued span: spaces inside do not break ("ЖСН: 900101400123").
pub(crate) fn g(text: impl Into<String>) -> Span {
    Span::regular(text).glued()
}
