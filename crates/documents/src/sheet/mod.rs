//! What every bilingual Kense document shares: the page layout numbers of a
//! template ([`PageLayout`]), the per-document marks (audit footer, copy mark,
//! verification QR, page numbers; [`Marks`]) and the arrangement of the two
//! language versions on paper ([`bilingual_pages`], [`bilingual_sheet`]),
//! which this module owns; the first two are in `page_layout` and `marks`,
//! the template-text helpers (placeholders, dates, the language) in `text`.
//!
//! The state language comes first. Both versions go on one A4 sheet, Kazakh
//! above and Russian below a dashed cut line, at the same font size, when they
//! fit (the size shrinks down to the template's minimum first); otherwise each
//! language starts on its own page and flows over as many pages as needed.
//! A copy mark sits top right of each part, in the margin or the cut gap, so
//! it never meets the text; the QR sits in the bottom right corner of each
//! part, in a place checked to be free of ink.

mod marks;
mod page_layout;
mod text;

pub(crate) use marks::{MarkTexts, Marks};
pub(crate) use page_layout::{Form, PageLayout};
pub(crate) use text::{date, fill, Lang};

use crate::layout::{Flow, Fonts, RuleStyle, Style};
use crate::DocumentError;
use marks::{copy_mark_at, place_qr};

/// Writes one language version at the flow's cursor; gets the language, the
/// body size and the right inset for the closing lines.
pub(crate) type PartWriter<'a> = dyn FnMut(&mut Flow<'_>, Lang, f32, f32) -> Result<(), DocumentError> + 'a;

/// Writes the tear-off part at the foot of a sheet (the registration
/// ticket under a queue notification) at the flow's cursor; gets the body size.
pub(crate) type StubWriter<'a> = dyn FnMut(&mut Flow<'_>, f32) -> Result<(), DocumentError> + 'a;

/// Lays out both language versions; returns the `Op`s of each page.
pub(crate) fn bilingual_pages(
    fonts: &Fonts,
    l: &PageLayout,
    marks: &Marks,
    write: &mut PartWriter<'_>,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    bilingual_sheet(fonts, l, marks, write, None)
}

/// Height the stub takes at `body`, mm.
fn stub_height(fonts: &Fonts, l: &PageLayout, stub: &mut StubWriter<'_>, body: f32) -> Result<f32, DocumentError> {
    let mut scratch = Flow::new(fonts, l.geometry());
    scratch.set_region(0.0, f32::MAX / 4.0, false);
    stub(&mut scratch, body)?;
    Ok(scratch.y())
}

/// Like [`bilingual_pages`], with an optional tear-off stub below a second
/// cut line at the foot of the sheet (of the last page when the versions
/// overflow onto pages of their own), and page numbers when the template
/// has them and the document takes more than one page.
pub(crate) fn bilingual_sheet(
    fonts: &Fonts,
    l: &PageLayout,
    marks: &Marks,
    write: &mut PartWriter<'_>,
    mut stub: Option<&mut StubWriter<'_>>,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    let geo = l.geometry();
    let page_bottom = l.page_height_mm - l.margin_bottom_mm;
    let inset = marks.tail_inset_mm(l);

    // Layout is cheap next to PDF serialisation, so trying sizes is fine.
    // Closing lines run full width when the QR fits below them anyway; only
    // when it does not are they narrowed to sit beside it.
    let insets: &[f32] = if marks.qr.is_some() { &[0.0, inset] } else { &[0.0] };
    for body in l.body_sizes() {
        // Where the stub starts (its cut line sits a gap above) and the
        // middle cut line between the two versions.
        let (stub_top, mid) = match stub.as_deref_mut() {
            Some(w) => {
                let top = page_bottom - stub_height(fonts, l, w, body)?;
                let area_bottom = top - 2.0 * l.cut_gap_mm;
                (Some(top), (l.margin_top_mm + area_bottom) / 2.0)
            }
            None => (None, l.page_height_mm / 2.0),
        };
        let top_region = (l.margin_top_mm, mid - l.cut_gap_mm);
        let bottom_region = (mid + l.cut_gap_mm, stub_top.map_or(page_bottom, |t| t - 2.0 * l.cut_gap_mm));
        if bottom_region.1 - bottom_region.0 < 20.0 {
            continue;
        }
        for inset in insets {
            let mut flow = Flow::new(fonts, geo);
            marks.footer(&mut flow, l)?;
            let mut qr_fits = true;
            for (lang, (top, bottom)) in [(Lang::Kk, top_region), (Lang::Ru, bottom_region)] {
                flow.set_region(top, bottom, false);
                write(&mut flow, lang, body, *inset)?;
                if let Some(text) = &marks.copy {
                    let (x, baseline) = copy_mark_at(&mut flow, l, text, top)?;
                    flow.text_at(Style::Bold, l.copy_mark_size_pt, x, baseline, text)?;
                }
                if let Some(caption) = &marks.qr {
                    qr_fits &= place_qr(&mut flow, l, caption, bottom)?;
                }
            }
            if let (Some(top), Some(w)) = (stub_top, stub.as_deref_mut()) {
                flow.set_region(top, page_bottom, false);
                w(&mut flow, body)?;
                if let Some(text) = &marks.copy {
                    let (x, baseline) = copy_mark_at(&mut flow, l, text, top)?;
                    flow.text_at(Style::Bold, l.copy_mark_size_pt, x, baseline, text)?;
                }
                cut_line(&mut flow, l, top - l.cut_gap_mm);
            }
            if flow.overflowed() || !qr_fits {
                continue;
            }
            cut_line(&mut flow, l, mid);
            let mut pages = flow.finish();
            marks.number_pages(fonts, l, &mut pages, false)?;
            return Ok(pages);
        }
    }

    let body = l.overflow_body_size_pt;
    let mut flow = Flow::new(fonts, geo);
    marks.footer(&mut flow, l)?;
    marks.copy_on_every_page(&mut flow, l)?;
    for (i, lang) in [Lang::Kk, Lang::Ru].into_iter().enumerate() {
        if i > 0 {
            flow.new_page();
        }
        write(&mut flow, lang, body, inset)?;
        let last = i == 1;
        match stub.as_deref_mut().filter(|_| last) {
            None => marks.qr_or_new_page(&mut flow, l, |f| f.region_bottom())?,
            Some(w) => {
                let h = stub_height(fonts, l, w, body)?;
                if h > page_bottom - l.margin_top_mm - 2.0 * l.cut_gap_mm {
                    return Err(DocumentError::Input("the tear-off part is taller than a page".into()));
                }
                let stub_top = page_bottom - h;
                let cut = stub_top - l.cut_gap_mm;
                if flow.y() + l.cut_gap_mm > cut {
                    // No room for the stub under the text: the QR goes at the
                    // foot of this page and the stub on a page of its own.
                    marks.qr_or_new_page(&mut flow, l, |f| f.region_bottom())?;
                    flow.new_page();
                } else {
                    marks.qr_or_new_page(&mut flow, l, |_| cut - l.cut_gap_mm)?;
                }
                cut_line(&mut flow, l, cut);
                flow.set_region(stub_top, page_bottom, true);
                w(&mut flow, body)?;
            }
        }
    }
    let mut pages = flow.finish();
    marks.number_pages(fonts, l, &mut pages, false)?;
    Ok(pages)
}

/// The cut line runs almost edge to edge, as scissors expect.
fn cut_line(flow: &mut Flow<'_>, l: &PageLayout, y: f32) {
    flow.line_at(10.0, l.page_width_mm - 10.0, y, 0.5, RuleStyle::Dashed);
}
