//! What every bilingual Kense document shares: the page layout numbers of a
//! template ([`PageLayout`]), the per-document marks (audit footer, copy mark,
//! verification QR) and the arrangement of the two language versions on paper
//! ([`bilingual_pages`]).
//!
//! The state language comes first. Both versions go on one A4 sheet, Kazakh
//! above and Russian below a dashed cut line, at the same font size, when they
//! fit (the size shrinks down to the template's minimum first); otherwise each
//! language starts on its own page and flows over as many pages as needed.
//! A copy mark sits top right of each part, in the margin or the cut gap, so
//! it never meets the text; the QR sits in the bottom right corner of each
//! part, in a place checked to be free of ink.

use serde::Deserialize;

use crate::layout::{Align, Flow, Fonts, PageGeometry, RuleStyle, Span, Style, MM_PER_PT};
use crate::qr::Symbol;
use crate::{Bilingual, DocumentError, Verification};

/// Layout numbers of one template (`"layout"` in its JSON).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageLayout {
    pub page_width_mm: f32,
    pub page_height_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    /// Distance between the cut line and each half.
    pub cut_gap_mm: f32,
    pub body_size_max_pt: f32,
    pub body_size_min_pt: f32,
    pub body_size_step_pt: f32,
    pub overflow_body_size_pt: f32,
    pub line_spacing: f32,
    pub office_name_delta_pt: f32,
    pub requisites_delta_pt: f32,
    pub title_delta_pt: f32,
    pub small_delta_pt: f32,
    pub footer_size_pt: f32,
    pub list_hang_mm: f32,
    pub block_gap_mm: f32,
    pub copy_mark_size_pt: f32,
    /// Side of the QR symbol itself.
    pub qr_size_mm: f32,
    /// Clear space kept around the symbol (the quiet zone).
    pub qr_quiet_mm: f32,
    pub qr_caption_size_pt: f32,
    /// The caption wraps within this width (or the symbol's, if wider).
    pub qr_caption_width_mm: f32,
}

/// What every parsed template tells about the paper: its page layout.
pub(crate) trait Form {
    fn page(&self) -> &PageLayout;
}

/// Texts every template carries besides its labels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MarkTexts {
    /// `{hash}` is replaced by the audit chain head.
    pub audit_footer: String,
    /// `{n}` is replaced by the copy number.
    pub copy_mark: String,
    /// `{n}` and `{total}`: "Бет 1 / 2 · Стр. 1 / 2". Templates without it
    /// (the receipts) print no page numbers.
    #[serde(default)]
    pub page_number: Option<String>,
}

impl MarkTexts {
    /// The placeholders must be there, or every document would print the
    /// same hash, copy number or page.
    pub fn validate(&self, file: &str, needs_page_number: bool) -> Result<(), DocumentError> {
        let bad = |what: &str| Err(DocumentError::Template(format!("{file}: marks.{what}")));
        if !self.audit_footer.contains("{hash}") {
            return bad("audit_footer lacks {hash}");
        }
        if !self.copy_mark.contains("{n}") {
            return bad("copy_mark lacks {n}");
        }
        match &self.page_number {
            Some(p) if !(p.contains("{n}") && p.contains("{total}")) => bad("page_number lacks {n} or {total}"),
            None if needs_page_number => bad("page_number is missing"),
            _ => Ok(()),
        }
    }
}

impl PageLayout {
    /// Rejects numbers that would make the layout meaningless (a negative
    /// content width, a zero step that never ends the size search, a copy
    /// mark taller than the space kept for it, …). `file` names the template
    /// in the message.
    pub fn validate(&self, file: &str) -> Result<(), DocumentError> {
        let bad = |what: &str| Err(DocumentError::Template(format!("{file}: {what}")));
        let numbers = [
            self.page_width_mm,
            self.page_height_mm,
            self.margin_left_mm,
            self.margin_right_mm,
            self.margin_top_mm,
            self.margin_bottom_mm,
            self.cut_gap_mm,
            self.body_size_max_pt,
            self.body_size_min_pt,
            self.body_size_step_pt,
            self.overflow_body_size_pt,
            self.line_spacing,
            self.office_name_delta_pt,
            self.requisites_delta_pt,
            self.title_delta_pt,
            self.small_delta_pt,
            self.footer_size_pt,
            self.list_hang_mm,
            self.block_gap_mm,
            self.copy_mark_size_pt,
            self.qr_size_mm,
            self.qr_quiet_mm,
            self.qr_caption_size_pt,
            self.qr_caption_width_mm,
        ];
        if numbers.iter().any(|v| !v.is_finite()) {
            return bad("layout numbers must be finite");
        }
        if self.page_width_mm - self.margin_left_mm - self.margin_right_mm < 50.0 {
            return bad("content width under 50 mm");
        }
        if self.page_height_mm - self.margin_top_mm - self.margin_bottom_mm < 100.0 {
            return bad("content height under 100 mm");
        }
        let smallest = self.body_size_min_pt
            + self
                .requisites_delta_pt
                .min(self.small_delta_pt)
                .min(self.office_name_delta_pt)
                .min(self.title_delta_pt)
                .min(0.0);
        if smallest < 5.0 || self.footer_size_pt < 4.0 || self.overflow_body_size_pt < 5.0 {
            return bad("font sizes below 5 pt");
        }
        if self.qr_caption_size_pt < 4.0 || self.copy_mark_size_pt < 5.0 {
            return bad("mark font sizes too small");
        }
        if self.body_size_min_pt > self.body_size_max_pt {
            return bad("body_size_min_pt > body_size_max_pt");
        }
        if self.body_size_step_pt < 0.1 {
            return bad("body_size_step_pt must be at least 0.1");
        }
        if self.line_spacing < 1.0 || self.line_spacing > 3.0 {
            return bad("line_spacing must be within 1..3");
        }
        // Below ~15 mm phones struggle with a full verification text; above
        // ~40 mm the symbol eats the part it belongs to.
        if !(15.0..=40.0).contains(&self.qr_size_mm) || self.qr_quiet_mm < 1.0 {
            return bad("qr_size_mm must be within 15..40 and qr_quiet_mm at least 1");
        }
        let mark_h = self.copy_mark_size_pt * MM_PER_PT * 1.2 + 1.0;
        if mark_h > self.cut_gap_mm || mark_h > self.margin_top_mm {
            return bad("the copy mark does not fit the cut gap or the top margin");
        }
        Ok(())
    }

    pub fn page_size(&self) -> (f32, f32) {
        (self.page_width_mm, self.page_height_mm)
    }

    pub fn geometry(&self) -> PageGeometry {
        PageGeometry {
            width: self.page_width_mm,
            height: self.page_height_mm,
            margin_left: self.margin_left_mm,
            margin_right: self.margin_right_mm,
            margin_top: self.margin_top_mm,
            margin_bottom: self.margin_bottom_mm,
        }
    }

    /// Candidate body sizes, largest first.
    pub fn body_sizes(&self) -> Vec<f32> {
        let mut sizes = Vec::new();
        let mut i = 0u32;
        loop {
            let s = self.body_size_max_pt - self.body_size_step_pt * i as f32;
            if s < self.body_size_min_pt - 1e-3 || i > 100 {
                break;
            }
            sizes.push(s);
            i += 1;
        }
        sizes
    }
}

/// Replaces `{key}` placeholders in one pass, so a value that happens to
/// contain "{service}" (typed by a user) is never expanded again.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 128);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let hit = values
            .iter()
            .find(|(k, _)| after.strip_prefix('{').and_then(|a| a.strip_prefix(k)).is_some_and(|a| a.starts_with('}')));
        match hit {
            Some((k, v)) => {
                out.push_str(v);
                rest = &after[k.len() + 2..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn date(d: &chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Picks the language's variant of a bilingual field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Kk,
    Ru,
}

impl Lang {
    pub fn pick(self, b: &Bilingual) -> &str {
        match self {
            Lang::Kk => &b.kk,
            Lang::Ru => &b.ru,
        }
    }
}

/// The per-document extras, resolved from the input.
pub(crate) struct Marks {
    footer: Option<String>,
    copy: Option<String>,
    qr: Option<(Symbol, String)>,
    page_number: Option<String>,
}

impl Marks {
    /// Copy number 1 is the original and carries no mark; 0 is a caller bug.
    pub fn new(
        texts: &MarkTexts,
        audit_chain_head: Option<&str>,
        copy_number: u32,
        verification: Option<&Verification>,
    ) -> Result<Self, DocumentError> {
        if copy_number == 0 {
            return Err(DocumentError::Input("copy_number starts at 1 (the original)".into()));
        }
        let qr = match verification {
            Some(v) => Some((Symbol::encode(&v.qr_text)?, v.caption.clone())),
            None => None,
        };
        Ok(Self {
            footer: audit_chain_head.map(|h| texts.audit_footer.replace("{hash}", h)),
            copy: (copy_number > 1).then(|| texts.copy_mark.replace("{n}", &copy_number.to_string())),
            qr,
            page_number: texts.page_number.clone(),
        })
    }

    /// The audit footer, bottom left of every page of `flow` from now on.
    pub fn footer(&self, flow: &mut Flow<'_>, l: &PageLayout) -> Result<(), DocumentError> {
        if let Some(text) = &self.footer {
            let baseline = l.page_height_mm - l.margin_bottom_mm / 2.0;
            flow.repeat_text(Style::Regular, l.footer_size_pt, l.margin_left_mm, baseline, text)?;
        }
        Ok(())
    }

    /// The copy mark, top right of every page of `flow` from now on.
    pub fn copy_on_every_page(&self, flow: &mut Flow<'_>, l: &PageLayout) -> Result<(), DocumentError> {
        if let Some(text) = &self.copy {
            let (x, baseline) = copy_mark_at(flow, l, text, l.margin_top_mm)?;
            flow.repeat_text(Style::Bold, l.copy_mark_size_pt, x, baseline, text)?;
        }
        Ok(())
    }

    /// The verification QR with its caption in the bottom right corner
    /// above `bottom`, on a fresh page if the current one has no room.
    pub fn qr_or_new_page(
        &self,
        flow: &mut Flow<'_>,
        l: &PageLayout,
        bottom: impl Fn(&Flow<'_>) -> f32,
    ) -> Result<(), DocumentError> {
        if let Some((symbol, caption)) = &self.qr {
            let b = bottom(flow);
            if !place_qr(flow, l, symbol, caption, b)? {
                flow.new_page();
                let b = bottom(flow);
                if !place_qr(flow, l, symbol, caption, b)? {
                    return Err(DocumentError::Input("the QR caption is too long for a page".into()));
                }
            }
        }
        Ok(())
    }

    /// Page numbers at the bottom right of every page; only when the
    /// template has a page-number text and the document has more than one
    /// page, or always with `always` (tables).
    pub fn number_pages(
        &self,
        fonts: &Fonts,
        l: &PageLayout,
        pages: &mut [Vec<printpdf::Op>],
        always: bool,
    ) -> Result<(), DocumentError> {
        let Some(template) = &self.page_number else {
            return Ok(());
        };
        if pages.len() < 2 && !always {
            return Ok(());
        }
        crate::layout::number_pages(
            fonts,
            l.geometry(),
            pages,
            Style::Regular,
            l.footer_size_pt,
            l.page_width_mm - l.margin_right_mm,
            l.page_height_mm - l.margin_bottom_mm / 2.0,
            |n, total| template.replace("{n}", &n.to_string()).replace("{total}", &total.to_string()),
        )
    }

    /// Room a part should keep free at the right of its closing lines so that
    /// the QR can sit beside them.
    pub fn tail_inset_mm(&self, l: &PageLayout) -> f32 {
        match self.qr {
            Some(_) => l.qr_size_mm.max(l.qr_caption_width_mm) + l.qr_quiet_mm,
            None => 0.0,
        }
    }
}

/// Writes one language version at the flow's cursor; gets the language, the
/// body size and the right inset for the closing lines.
pub(crate) type PartWriter<'a> = dyn FnMut(&mut Flow<'_>, Lang, f32, f32) -> Result<(), DocumentError> + 'a;

/// Draws the QR with its caption in the bottom right corner above `bottom`
/// if that corner is free of ink; returns whether it was drawn.
fn place_qr(
    flow: &mut Flow<'_>,
    l: &PageLayout,
    symbol: &Symbol,
    caption: &str,
    bottom: f32,
) -> Result<bool, DocumentError> {
    let right = l.page_width_mm - l.margin_right_mm;
    let cap_w = l.qr_size_mm.max(l.qr_caption_width_mm);
    let (lines, cap_h) = if caption.trim().is_empty() {
        (Vec::new(), 0.0)
    } else {
        flow.wrap_block(&[Span::regular(caption)], l.qr_caption_size_pt, 1.15, cap_w)?
    };
    let cap_gap = if lines.is_empty() { 0.0 } else { 1.0 };
    let widest = lines.iter().map(|x| x.width_mm).fold(l.qr_size_mm, f32::max);
    let top = bottom - cap_h - cap_gap - l.qr_size_mm;
    let q = l.qr_quiet_mm;
    if top - q < l.margin_top_mm || !flow.is_clear(right - widest - q, top - q, right + q, bottom) {
        return Ok(false);
    }
    let qr_x = right - l.qr_size_mm;
    flow.fill_rects(&symbol.rects(qr_x, top, l.qr_size_mm));
    // The caption is right-aligned under the symbol: its right edge lines up
    // with the symbol's and with the text column.
    flow.block_at(&lines, l.qr_caption_size_pt, 1.15, Align::Right, right - cap_w, cap_w, top + l.qr_size_mm + cap_gap);
    Ok(true)
}

/// Right-aligned copy mark whose glyphs end 1 mm above `region_top`.
fn copy_mark_at(flow: &mut Flow<'_>, l: &PageLayout, text: &str, region_top: f32) -> Result<(f32, f32), DocumentError> {
    let w = flow.measure(Style::Bold, l.copy_mark_size_pt, text)?;
    let x = l.page_width_mm - l.margin_right_mm - w;
    // Descenders of a 9 pt Times face reach ~0.7 mm below the baseline.
    let baseline = region_top - 1.0 - 0.25 * l.copy_mark_size_pt * MM_PER_PT;
    Ok((x, baseline))
}

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
                if let Some((symbol, caption)) = &marks.qr {
                    qr_fits &= place_qr(&mut flow, l, symbol, caption, bottom)?;
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
