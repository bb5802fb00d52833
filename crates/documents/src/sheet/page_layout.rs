//! The layout numbers of a template (`"layout"` in its JSON): page size and
//! margins, the body size range the sheet tries, spacing and the size
//! deltas of the other texts, and where the marks go; validated when the
//! template is parsed.

use serde::Deserialize;

use crate::layout::{PageGeometry, MM_PER_PT};
use crate::DocumentError;

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
