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

/// Texts every template carries besides its labels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MarkTexts {
    /// `{hash}` is replaced by the audit chain head.
    pub audit_footer: String,
    /// `{n}` is replaced by the copy number.
    pub copy_mark: String,
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

    fn geometry(&self) -> PageGeometry {
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
            return Err(DocumentError::Input(
                "copy_number starts at 1 (the original)".into(),
            ));
        }
        let qr = match verification {
            Some(v) => Some((Symbol::encode(&v.qr_text)?, v.caption.clone())),
            None => None,
        };
        Ok(Self {
            footer: audit_chain_head.map(|h| texts.audit_footer.replace("{hash}", h)),
            copy: (copy_number > 1)
                .then(|| texts.copy_mark.replace("{n}", &copy_number.to_string())),
            qr,
        })
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
pub(crate) type PartWriter<'a> =
    dyn FnMut(&mut Flow<'_>, Lang, f32, f32) -> Result<(), DocumentError> + 'a;

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
    let widest = lines
        .iter()
        .map(|x| x.width_mm)
        .fold(l.qr_size_mm, f32::max);
    let top = bottom - cap_h - cap_gap - l.qr_size_mm;
    let q = l.qr_quiet_mm;
    if top - q < l.margin_top_mm || !flow.is_clear(right - widest - q, top - q, right + q, bottom) {
        return Ok(false);
    }
    let qr_x = right - l.qr_size_mm;
    flow.fill_rects(&symbol.rects(qr_x, top, l.qr_size_mm));
    // The caption is right-aligned under the symbol: its right edge lines up
    // with the symbol's and with the text column.
    flow.block_at(
        &lines,
        l.qr_caption_size_pt,
        1.15,
        Align::Right,
        right - cap_w,
        cap_w,
        top + l.qr_size_mm + cap_gap,
    );
    Ok(true)
}

/// Right-aligned copy mark whose glyphs end 1 mm above `region_top`.
fn copy_mark_at(
    flow: &mut Flow<'_>,
    l: &PageLayout,
    text: &str,
    region_top: f32,
) -> Result<(f32, f32), DocumentError> {
    let w = flow.measure(Style::Bold, l.copy_mark_size_pt, text)?;
    let x = l.page_width_mm - l.margin_right_mm - w;
    // Descenders of a 9 pt Times face reach ~0.7 mm below the baseline.
    let baseline = region_top - 1.0 - 0.25 * l.copy_mark_size_pt * MM_PER_PT;
    Ok((x, baseline))
}

/// Lays out both language versions; returns the `Op`s of each page.
pub(crate) fn bilingual_pages(
    fonts: &Fonts,
    l: &PageLayout,
    marks: &Marks,
    write: &mut PartWriter<'_>,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    let geo = l.geometry();
    let mid = l.page_height_mm / 2.0;
    let top_region = (l.margin_top_mm, mid - l.cut_gap_mm);
    let bottom_region = (mid + l.cut_gap_mm, l.page_height_mm - l.margin_bottom_mm);
    let inset = marks.tail_inset_mm(l);

    let with_footer = |flow: &mut Flow<'_>| -> Result<(), DocumentError> {
        if let Some(text) = &marks.footer {
            let baseline = l.page_height_mm - l.margin_bottom_mm / 2.0;
            flow.repeat_text(
                Style::Regular,
                l.footer_size_pt,
                l.margin_left_mm,
                baseline,
                text,
            )?;
        }
        Ok(())
    };

    // Layout is cheap next to PDF serialisation, so trying sizes is fine.
    // Closing lines run full width when the QR fits below them anyway; only
    // when it does not are they narrowed to sit beside it.
    let insets: &[f32] = if marks.qr.is_some() {
        &[0.0, inset]
    } else {
        &[0.0]
    };
    for (body, inset) in l
        .body_sizes()
        .into_iter()
        .flat_map(|b| insets.iter().map(move |i| (b, *i)))
    {
        let mut flow = Flow::new(fonts, geo);
        with_footer(&mut flow)?;
        let mut qr_fits = true;
        for (lang, (top, bottom)) in [(Lang::Kk, top_region), (Lang::Ru, bottom_region)] {
            flow.set_region(top, bottom, false);
            write(&mut flow, lang, body, inset)?;
            if let Some(text) = &marks.copy {
                let (x, baseline) = copy_mark_at(&mut flow, l, text, top)?;
                flow.text_at(Style::Bold, l.copy_mark_size_pt, x, baseline, text)?;
            }
            if let Some((symbol, caption)) = &marks.qr {
                qr_fits &= place_qr(&mut flow, l, symbol, caption, bottom)?;
            }
        }
        if flow.overflowed() || !qr_fits {
            continue;
        }
        // The cut line runs almost edge to edge, as scissors expect.
        flow.line_at(10.0, l.page_width_mm - 10.0, mid, 0.5, RuleStyle::Dashed);
        return Ok(flow.finish());
    }

    let mut flow = Flow::new(fonts, geo);
    with_footer(&mut flow)?;
    if let Some(text) = &marks.copy {
        let (x, baseline) = copy_mark_at(&mut flow, l, text, l.margin_top_mm)?;
        flow.repeat_text(Style::Bold, l.copy_mark_size_pt, x, baseline, text)?;
    }
    for (i, lang) in [Lang::Kk, Lang::Ru].into_iter().enumerate() {
        if i > 0 {
            flow.new_page();
        }
        write(&mut flow, lang, l.overflow_body_size_pt, inset)?;
        if let Some((symbol, caption)) = &marks.qr {
            let bottom = flow.region_bottom();
            if !place_qr(&mut flow, l, symbol, caption, bottom)? {
                // The last page of this part is full to the corner; a fresh
                // page always has room.
                flow.new_page();
                let bottom = flow.region_bottom();
                if !place_qr(&mut flow, l, symbol, caption, bottom)? {
                    return Err(DocumentError::Input(
                        "the QR caption is too long for a page".into(),
                    ));
                }
            }
        }
    }
    Ok(flow.finish())
}
