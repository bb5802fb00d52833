//! The marks a document carries besides its text: the audit footer, the
//! copy mark, the verification QR with its caption, and page numbers — their
//! template texts ([`MarkTexts`]) and their values for one document
//! ([`Marks`]), with where each goes on the page.

use serde::Deserialize;

use super::page_layout::PageLayout;
use crate::layout::{Align, Flow, Fonts, Span, Style, MM_PER_PT};
use crate::qr::QR_ID;
use crate::{DocumentError, Verification};

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

/// The per-document extras, resolved from the input.
pub(crate) struct Marks {
    footer: Option<String>,
    pub(super) copy: Option<String>,
    /// The caption under the QR code, when the document has one. The
    /// symbol itself is the document's one QR form ([`QR_ID`]), encoded and
    /// registered by the render path.
    pub(super) qr: Option<String>,
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
        let qr = verification.map(|v| v.caption.clone());
        Ok(Self {
            footer: audit_chain_head.map(|h| texts.audit_footer.replace("{hash}", h)),
            copy: (copy_number > 1).then(|| texts.copy_mark.replace("{n}", &copy_number.to_string())),
            qr,
            page_number: texts.page_number.clone(),
        })
    }

    /// The same marks with `mark` where the copy mark goes (an original's
    /// "1-ДАНА / ЭКЗЕМПЛЯР 1").
    pub fn marked(&self, mark: &str) -> Marks {
        Marks {
            footer: self.footer.clone(),
            copy: Some(mark.to_owned()),
            qr: self.qr.clone(),
            page_number: self.page_number.clone(),
        }
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
        if let Some(caption) = &self.qr {
            let b = bottom(flow);
            if !place_qr(flow, l, caption, b)? {
                flow.new_page();
                let b = bottom(flow);
                if !place_qr(flow, l, caption, b)? {
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

/// Draws the QR with its caption in the bottom right corner above `bottom`
/// if that corner is free of ink; returns whether it was drawn.
pub(super) fn place_qr(flow: &mut Flow<'_>, l: &PageLayout, caption: &str, bottom: f32) -> Result<bool, DocumentError> {
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
    flow.form_at(QR_ID, qr_x, top, l.qr_size_mm);
    // The caption is right-aligned under the symbol: its right edge lines up
    // with the symbol's and with the text column.
    flow.block_at(&lines, l.qr_caption_size_pt, 1.15, Align::Right, right - cap_w, cap_w, top + l.qr_size_mm + cap_gap);
    Ok(true)
}

/// Right-aligned copy mark whose glyphs end 1 mm above `region_top`.
pub(super) fn copy_mark_at(
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
