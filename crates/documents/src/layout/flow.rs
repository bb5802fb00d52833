//! The cursor that moves down a region of the page ([`Flow`]), collecting
//! `Op`s page by page: regions with or without page breaks, paragraphs
//! ([`Paragraph`]) with alignment and hanging markers, wrapped blocks placed
//! by hand, text repeated on every page, and the record of where ink went
//! so that a free corner can be found.

use printpdf::{Color, Mm, Op, PdfFontHandle, Pt, Rgb, TextItem, TextMatrix};

use super::face::{Face, Fonts, Style};
use super::wrap::{wrap, LaidLine, Span};
use super::{EPS, MM_PER_PT};
use crate::DocumentError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A block of text placed by [`Flow::paragraph`].
#[derive(Clone, Debug)]
pub struct Paragraph {
    pub spans: Vec<Span>,
    pub size_pt: f32,
    /// Line height as a multiple of the font size.
    pub line_spacing: f32,
    pub align: Align,
    /// Extra left indent of every line, mm.
    pub indent_mm: f32,
    /// Space kept free at the right of every line, mm (room for a QR code
    /// beside signature lines).
    pub inset_right_mm: f32,
    /// A list marker ("1)") drawn at the indent, with the text hanging this
    /// many mm to its right.
    pub marker: Option<(String, f32)>,
    pub space_before_mm: f32,
    pub space_after_mm: f32,
}

impl Paragraph {
    pub fn new(spans: Vec<Span>, size_pt: f32) -> Self {
        Self {
            spans,
            size_pt,
            line_spacing: 1.2,
            align: Align::Left,
            indent_mm: 0.0,
            inset_right_mm: 0.0,
            marker: None,
            space_before_mm: 0.0,
            space_after_mm: 0.0,
        }
    }
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
    pub fn spacing(mut self, line_spacing: f32) -> Self {
        self.line_spacing = line_spacing;
        self
    }
    pub fn before(mut self, mm: f32) -> Self {
        self.space_before_mm = mm;
        self
    }
    pub fn after(mut self, mm: f32) -> Self {
        self.space_after_mm = mm;
        self
    }
    pub fn indent(mut self, mm: f32) -> Self {
        self.indent_mm = mm;
        self
    }
    pub fn inset_right(mut self, mm: f32) -> Self {
        self.inset_right_mm = mm;
        self
    }
    pub fn marker(mut self, marker: impl Into<String>, hang_mm: f32) -> Self {
        self.marker = Some((marker.into(), hang_mm));
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleStyle {
    Solid,
    Dashed,
}

/// Page size and margins, mm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageGeometry {
    pub width: f32,
    pub height: f32,
    pub margin_left: f32,
    pub margin_right: f32,
    pub margin_top: f32,
    pub margin_bottom: f32,
}

impl PageGeometry {
    pub fn content_width(&self) -> f32 {
        self.width - self.margin_left - self.margin_right
    }
}

pub(super) fn aligned_x(align: Align, left: f32, width: f32, line_width: f32) -> f32 {
    match align {
        Align::Left => left,
        Align::Center => left + (width - line_width) / 2.0,
        Align::Right => left + width - line_width,
    }
}

/// Where a placed line ended up, for callers that add things beside it.
#[derive(Clone, Debug)]
pub struct Placed {
    pub lines: Vec<LaidLine>,
    /// Baseline of the first line, mm from the page top.
    pub first_baseline: f32,
    /// Left edge of the text column, mm.
    pub left: f32,
}

/// A cursor moving down a vertical region of a page, collecting `Op`s.
///
/// With page breaks allowed a line that does not fit starts a new page at the
/// top margin; without them the line is placed anyway and [`Flow::overflowed`]
/// turns true, which is how callers test whether content fits a region.
pub struct Flow<'f> {
    pub(super) fonts: &'f Fonts,
    pub(super) geo: PageGeometry,
    pages: Vec<Vec<Op>>,
    pub(super) ops: Vec<Op>,
    pub(super) y: f32,
    pub(super) region_top: f32,
    pub(super) region_bottom: f32,
    page_breaks: bool,
    overflowed: bool,
    repeated: Vec<RepeatedText>,
    /// Boxes (x0, y0, x1, y1; mm from the top-left) of everything drawn on
    /// the current page, for [`Flow::is_clear`].
    ink: Vec<[f32; 4]>,
}

/// Small text repeated at a fixed place on every page.
#[derive(Clone, Debug)]
struct RepeatedText {
    style: Style,
    size_pt: f32,
    x_mm: f32,
    baseline_mm: f32,
    text: String,
}

/// The ops that set `text` with its baseline `pdf_y_mm` above the page's
/// bottom edge (PDF space), without the text section around them.
pub(super) fn push_text(ops: &mut Vec<Op>, face: &Face, size_pt: f32, x_mm: f32, pdf_y_mm: f32, text: &str) {
    ops.push(Op::SetFont { font: PdfFontHandle::External(face.id().clone()), size: Pt(size_pt) });
    ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Mm(x_mm).into(), Mm(pdf_y_mm).into()) });
    ops.push(Op::ShowText { items: vec![TextItem::Text(text.to_string())] });
}

fn black() -> Color {
    Color::Rgb(Rgb { r: 0.0, g: 0.0, b: 0.0, icc_profile: None })
}

impl<'f> Flow<'f> {
    pub fn new(fonts: &'f Fonts, geo: PageGeometry) -> Self {
        let mut flow = Self {
            fonts,
            geo,
            pages: Vec::new(),
            ops: Vec::new(),
            y: geo.margin_top,
            region_top: geo.margin_top,
            region_bottom: geo.height - geo.margin_bottom,
            page_breaks: true,
            overflowed: false,
            repeated: Vec::new(),
            ink: Vec::new(),
        };
        flow.start_page_ops();
        flow
    }

    fn start_page_ops(&mut self) {
        self.ops.push(Op::SetFillColor { col: black() });
        self.ops.push(Op::SetOutlineColor { col: black() });
    }

    pub fn geometry(&self) -> PageGeometry {
        self.geo
    }

    /// Confines the cursor to `[top, bottom]` (mm from the page top) on the
    /// current page and moves it to `top`.
    pub fn set_region(&mut self, top: f32, bottom: f32, page_breaks: bool) {
        self.region_top = top;
        self.region_bottom = bottom;
        self.page_breaks = page_breaks;
        self.y = top;
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    pub fn page_count(&self) -> usize {
        self.pages.len() + 1
    }

    /// Bottom of the current region, mm from the page top.
    pub fn region_bottom(&self) -> f32 {
        self.region_bottom
    }

    /// Top of the current region, mm from the page top.
    pub fn region_top(&self) -> f32 {
        self.region_top
    }

    /// Text drawn on every page of this flow (audit marks, copy marks); may be
    /// called more than once. The position is absolute, normally inside a
    /// margin, and is not counted as ink.
    pub fn repeat_text(
        &mut self,
        style: Style,
        size_pt: f32,
        x_mm: f32,
        baseline_mm: f32,
        text: &str,
    ) -> Result<(), DocumentError> {
        self.fonts.face(style).check(text)?;
        self.repeated.push(RepeatedText { style, size_pt, x_mm, baseline_mm, text: text.to_string() });
        Ok(())
    }

    fn emit_repeated(&mut self) {
        for f in std::mem::take(&mut self.repeated) {
            self.ops.push(Op::StartTextSection);
            self.emit_text(f.style, f.size_pt, f.x_mm, f.baseline_mm, &f.text);
            self.ops.push(Op::EndTextSection);
            self.repeated.push(f);
        }
    }

    /// True when nothing drawn on the current page so far touches the box
    /// `[x0, x1] × [y0, y1]` (mm from the top-left).
    pub fn is_clear(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> bool {
        self.ink.iter().all(|b| b[2] <= x0 || b[0] >= x1 || b[3] <= y0 || b[1] >= y1)
    }

    pub(super) fn add_ink(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        self.ink.push([x0, y0, x1, y1]);
    }

    /// Records the glyph box of a line of text set at `size_pt`.
    pub(super) fn add_text_ink(&mut self, x0: f32, width: f32, baseline: f32, size_pt: f32) {
        let face = self.fonts.face(Style::Regular);
        let size_mm = size_pt * MM_PER_PT;
        self.add_ink(x0, baseline - face.ascent * size_mm, x0 + width, baseline + face.descent * size_mm);
    }

    /// Height of one line at `size_pt` and the baseline's offset from the
    /// line's top, mm.
    pub(super) fn line_metrics(&self, size_pt: f32, line_spacing: f32) -> (f32, f32) {
        let size_mm = size_pt * MM_PER_PT;
        let line_h = size_mm * line_spacing;
        let face = self.fonts.face(Style::Regular);
        let content_h = (face.ascent + face.descent) * size_mm;
        (line_h, (line_h - content_h) / 2.0 + face.ascent * size_mm)
    }

    /// Wraps `spans` into `width_mm` without drawing; with the height the
    /// lines would take, for blocks placed by [`Flow::block_at`].
    pub fn wrap_block(
        &self,
        spans: &[Span],
        size_pt: f32,
        line_spacing: f32,
        width_mm: f32,
    ) -> Result<(Vec<LaidLine>, f32), DocumentError> {
        let lines = wrap(self.fonts, spans, size_pt, width_mm)?;
        let (line_h, _) = self.line_metrics(size_pt, line_spacing);
        let h = line_h * lines.len() as f32;
        Ok((lines, h))
    }

    /// Draws lines from [`Flow::wrap_block`] in the column `[left, left +
    /// width]` starting at `top`, without moving the cursor.
    #[allow(clippy::too_many_arguments)]
    pub fn block_at(
        &mut self,
        lines: &[LaidLine],
        size_pt: f32,
        line_spacing: f32,
        align: Align,
        left: f32,
        width: f32,
        top: f32,
    ) {
        let (line_h, baseline_offset) = self.line_metrics(size_pt, line_spacing);
        for (i, line) in lines.iter().enumerate() {
            let baseline = top + line_h * i as f32 + baseline_offset;
            let x0 = aligned_x(align, left, width, line.width_mm);
            self.ops.push(Op::StartTextSection);
            for (style, text, dx) in &line.pieces {
                self.emit_text(*style, size_pt, x0 + dx, baseline, text);
            }
            self.ops.push(Op::EndTextSection);
            self.add_text_ink(x0, line.width_mm, baseline, size_pt);
        }
    }

    pub fn new_page(&mut self) {
        self.emit_repeated();
        self.ink.clear();
        let done = std::mem::take(&mut self.ops);
        self.pages.push(done);
        self.start_page_ops();
        self.region_top = self.geo.margin_top;
        self.region_bottom = self.geo.height - self.geo.margin_bottom;
        self.y = self.region_top;
    }

    pub fn space(&mut self, mm: f32) {
        self.y += mm;
    }

    /// Reserves `h` mm for the next line, breaking the page if that is
    /// allowed and useful; returns the top of the reserved box.
    pub(super) fn reserve(&mut self, h: f32) -> f32 {
        if self.y + h > self.region_bottom + EPS {
            // On a fresh region a break would not help: place it and flag it.
            if self.page_breaks && self.y > self.region_top + EPS {
                self.new_page();
            } else {
                self.overflowed = true;
            }
        }
        let top = self.y;
        self.y += h;
        top
    }

    /// Reserves `h` mm below the cursor like a line of text does (breaking
    /// the page or flagging overflow as [`Flow::paragraph`] would) and
    /// returns the top of the reserved box, for blocks placed by hand.
    pub fn take(&mut self, h: f32) -> f32 {
        self.reserve(h)
    }

    pub(super) fn emit_text(&mut self, style: Style, size_pt: f32, x_mm: f32, baseline_mm: f32, text: &str) {
        let face = self.fonts.face(style);
        push_text(&mut self.ops, face, size_pt, x_mm, self.geo.height - baseline_mm, text);
    }

    /// Column of a paragraph: left edge of the marker, left edge of the text
    /// and text width, mm.
    fn columns(&self, p: &Paragraph) -> (f32, f32, f32) {
        let left = self.geo.margin_left + p.indent_mm;
        let hang = p.marker.as_ref().map(|(_, h)| *h).unwrap_or(0.0);
        let text_left = left + hang;
        let width = (self.geo.width - self.geo.margin_right - p.inset_right_mm - text_left).max(1.0);
        (left, text_left, width)
    }

    /// Height [`Flow::paragraph`] would use for `p`, spacing included.
    pub fn height_of(&self, p: &Paragraph) -> Result<f32, DocumentError> {
        let (_, _, width) = self.columns(p);
        let lines = wrap(self.fonts, &p.spans, p.size_pt, width)?;
        let (line_h, _) = self.line_metrics(p.size_pt, p.line_spacing);
        Ok(p.space_before_mm + line_h * lines.len() as f32 + p.space_after_mm)
    }

    /// Starts a new page unless `h` mm still fit below the cursor, so that a
    /// block (signatures, a heading with its first item) is not split. Does
    /// nothing where page breaks are off or the region is fresh.
    pub fn keep_together(&mut self, h: f32) {
        if self.page_breaks && self.y > self.region_top + EPS && self.y + h > self.region_bottom + EPS {
            self.new_page();
        }
    }

    /// Lays out and draws a paragraph in the full content width.
    pub fn paragraph(&mut self, p: &Paragraph) -> Result<Placed, DocumentError> {
        let (left, text_left, width) = self.columns(p);
        let lines = wrap(self.fonts, &p.spans, p.size_pt, width)?;
        let marker_w = match &p.marker {
            Some((m, _)) => self.fonts.regular.width_mm(m, p.size_pt)?,
            None => 0.0,
        };
        let (line_h, baseline_offset) = self.line_metrics(p.size_pt, p.line_spacing);

        self.y += p.space_before_mm;
        let mut first_baseline = None;
        for (i, line) in lines.iter().enumerate() {
            let top = self.reserve(line_h);
            let baseline = top + baseline_offset;
            first_baseline.get_or_insert(baseline);
            let x0 = aligned_x(p.align, text_left, width, line.width_mm);
            self.ops.push(Op::StartTextSection);
            if i == 0 {
                if let Some((m, _)) = &p.marker {
                    self.emit_text(Style::Regular, p.size_pt, left, baseline, m);
                    self.add_text_ink(left, marker_w, baseline, p.size_pt);
                }
            }
            for (style, text, dx) in &line.pieces {
                self.emit_text(*style, p.size_pt, x0 + dx, baseline, text);
            }
            self.ops.push(Op::EndTextSection);
            self.add_text_ink(x0, line.width_mm, baseline, p.size_pt);
        }
        self.y += p.space_after_mm;
        Ok(Placed { lines, first_baseline: first_baseline.unwrap_or(self.y), left: text_left })
    }

    /// Draws single-line text at an absolute position without moving the
    /// cursor (seal marks, footers).
    pub fn text_at(
        &mut self,
        style: Style,
        size_pt: f32,
        x_mm: f32,
        baseline_mm: f32,
        text: &str,
    ) -> Result<(), DocumentError> {
        let width = self.fonts.face(style).width_mm(text, size_pt)?;
        self.ops.push(Op::StartTextSection);
        self.emit_text(style, size_pt, x_mm, baseline_mm, text);
        self.ops.push(Op::EndTextSection);
        self.add_text_ink(x_mm, width, baseline_mm, size_pt);
        Ok(())
    }

    /// Width of single-line text, mm.
    pub fn measure(&self, style: Style, size_pt: f32, text: &str) -> Result<f32, DocumentError> {
        self.fonts.face(style).width_mm(text, size_pt)
    }

    /// Finishes the flow: one `Vec<Op>` per page.
    pub fn finish(mut self) -> Vec<Vec<Op>> {
        self.emit_repeated();
        let last = std::mem::take(&mut self.ops);
        self.pages.push(last);
        self.pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::embedded().expect("shipped fonts parse")
    }

    #[test]
    fn flow_breaks_pages_only_when_allowed() {
        let f = fonts();
        let geo = PageGeometry {
            width: 210.0,
            height: 297.0,
            margin_left: 30.0,
            margin_right: 12.0,
            margin_top: 15.0,
            margin_bottom: 15.0,
        };
        let mut flow = Flow::new(&f, geo);
        flow.set_region(15.0, 60.0, false);
        for _ in 0..30 {
            flow.paragraph(&Paragraph::new(vec![Span::regular("жол")], 11.0)).unwrap();
        }
        assert!(flow.overflowed());
        assert_eq!(flow.page_count(), 1);

        let mut flow = Flow::new(&f, geo);
        for _ in 0..100 {
            flow.paragraph(&Paragraph::new(vec![Span::regular("жол")], 11.0)).unwrap();
        }
        assert!(!flow.overflowed());
        assert!(flow.page_count() >= 2);
        assert!(flow.y() <= geo.height - geo.margin_bottom);
    }
}
