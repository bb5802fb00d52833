//! The small layout layer every Kense document is built with.
//!
//! It owns text measurement (glyph advances of the embedded faces), greedy word
//! wrapping with hard breaks for over-long words, alignment, paragraphs with a
//! hanging marker (numbered lists), horizontal rules, filled rectangles (QR
//! modules), and a cursor that moves down a region of the page and, when
//! allowed, onto new pages. It remembers where ink went on the current page so
//! that callers can put a block into a free corner. It produces plain printpdf
//! `Op`s per page; assembling and saving the PDF is the job of the caller.
//!
//! Positions are millimetres measured from the top-left corner of the page,
//! because that is how forms are specified; the flip into PDF space (origin
//! bottom-left, points) happens only when an `Op` is emitted.

use printpdf::{
    Color, FontId, Line, LineDashPattern, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfFontHandle, Point, Polygon,
    PolygonRing, Pt, Rgb, TextItem, TextMatrix, WindingOrder, XObjectId, XObjectTransform,
};
use serde::Deserialize;

use crate::DocumentError;

/// Millimetres per typographic point.
pub const MM_PER_PT: f32 = 25.4 / 72.0;

/// Rounding slack for width comparisons; far below anything visible.
const EPS: f32 = 1e-3;

/// Characters at which a line may break. NBSP is deliberately absent so that
/// callers can glue "№ 5" or initials together.
fn is_break_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\n' | '\r')
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
}

/// One parsed font face with the metrics the layout needs.
pub struct Face {
    font: ParsedFont,
    id: FontId,
    units_per_em: f32,
    ascent: f32,
    descent: f32,
}

impl Face {
    /// `id` becomes the PDF resource name and subset tag, so it must be six
    /// uppercase ASCII letters (that is what makes `pdffonts` report a subset).
    pub fn parse(bytes: &[u8], id: &str) -> Result<Self, DocumentError> {
        if id.len() != 6 || !id.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(DocumentError::Font(format!("font id {id:?} must be six uppercase letters")));
        }
        let mut warnings = Vec::new();
        let font = ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .ok_or_else(|| DocumentError::Font(format!("cannot parse font {id}")))?;
        let upem = font.pdf_font_metrics.units_per_em;
        if upem == 0 {
            return Err(DocumentError::Font(format!("font {id} has units_per_em = 0")));
        }
        let units_per_em = f32::from(upem);
        let ascent = f32::from(font.pdf_font_metrics.ascender) / units_per_em;
        let descent = (f32::from(font.pdf_font_metrics.descender) / units_per_em).abs();
        Ok(Self { font, id: FontId(id.to_string()), units_per_em, ascent, descent })
    }

    pub fn id(&self) -> &FontId {
        &self.id
    }

    pub fn parsed(&self) -> &ParsedFont {
        &self.font
    }

    fn glyph(&self, ch: char) -> Result<u16, DocumentError> {
        // Glyph 0 is .notdef: a cmap pointing there is as good as missing.
        match self.font.lookup_glyph_index(ch as u32) {
            Some(gid) if gid != 0 => Ok(gid),
            _ => Err(DocumentError::MissingGlyph { ch }),
        }
    }

    /// Advance of one character in ems.
    pub fn advance_em(&self, ch: char) -> Result<f32, DocumentError> {
        let gid = self.glyph(ch)?;
        Ok(f32::from(self.font.get_horizontal_advance(gid)) / self.units_per_em)
    }

    /// Width of `text` set at `size_pt`, in millimetres. Fails on the first
    /// character the face lacks, which is how missing glyphs are caught before
    /// anything reaches the PDF.
    pub fn width_mm(&self, text: &str, size_pt: f32) -> Result<f32, DocumentError> {
        let mut em = 0.0;
        for ch in text.chars() {
            em += self.advance_em(ch)?;
        }
        Ok(em * size_pt * MM_PER_PT)
    }

    /// Checks coverage without measuring anything else.
    pub fn check(&self, text: &str) -> Result<(), DocumentError> {
        for ch in text.chars().filter(|c| !is_break_space(*c)) {
            self.glyph(ch)?;
        }
        Ok(())
    }
}

/// The faces one document may use.
pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl Fonts {
    pub fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

/// A run of text in one style.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub style: Style,
    pub text: String,
    /// Spaces inside do not break the line (phone numbers, "ИИН: …",
    /// signature blanks with their captions). Such a span is still
    /// hard-broken if it is wider than the whole line.
    pub nobreak: bool,
}

impl Span {
    pub fn regular(text: impl Into<String>) -> Self {
        Self { style: Style::Regular, text: text.into(), nobreak: false }
    }
    pub fn bold(text: impl Into<String>) -> Self {
        Self { style: Style::Bold, text: text.into(), nobreak: false }
    }
    pub fn glued(mut self) -> Self {
        self.nobreak = true;
        self
    }
}

/// A laid-out line: pieces of uniform style with their offsets from the
/// line's left edge.
#[derive(Clone, Debug, PartialEq)]
pub struct LaidLine {
    pub pieces: Vec<(Style, String, f32)>,
    pub width_mm: f32,
}

/// A word: consecutive non-space characters, possibly in several styles.
struct Word {
    parts: Vec<(Style, String)>,
    width: f32,
    /// Style of the space in front of this word, if there was one.
    space_style: Option<Style>,
}

/// A line under construction.
#[derive(Default)]
struct LineBuf {
    parts: Vec<(Style, String)>,
    width: f32,
}

impl LineBuf {
    fn push(&mut self, style: Style, text: &str) {
        match self.parts.last_mut() {
            Some((s, t)) if *s == style => t.push_str(text),
            _ => self.parts.push((style, text.to_string())),
        }
    }
    fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

fn split_words(spans: &[Span]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut cur: Option<Word> = None;
    let mut pending_space: Option<Style> = None;
    for span in spans {
        for ch in span.text.chars() {
            // Glued spaces join the word but are drawn as ordinary spaces,
            // so copied text stays plain.
            let ch = if span.nobreak && is_break_space(ch) { ' ' } else { ch };
            if is_break_space(ch) && !(span.nobreak && cur.is_some()) {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
                pending_space = Some(span.style);
                continue;
            }
            let w =
                cur.get_or_insert_with(|| Word { parts: Vec::new(), width: 0.0, space_style: pending_space.take() });
            match w.parts.last_mut() {
                Some((s, t)) if *s == span.style => t.push(ch),
                _ => w.parts.push((span.style, ch.to_string())),
            }
        }
    }
    if let Some(w) = cur {
        words.push(w);
    }
    words
}

/// Greedy word wrap of `spans` into lines no wider than `width_mm`.
///
/// Runs of spaces collapse to one; a word wider than the line is broken
/// between characters (at least one character per line, so a pathological
/// width still terminates). Every character is checked against its face.
pub fn wrap(fonts: &Fonts, spans: &[Span], size_pt: f32, width_mm: f32) -> Result<Vec<LaidLine>, DocumentError> {
    let mut words = split_words(spans);
    for w in &mut words {
        let mut width = 0.0;
        for (style, text) in &w.parts {
            width += fonts.face(*style).width_mm(text, size_pt)?;
        }
        w.width = width;
    }

    let mut lines: Vec<LineBuf> = Vec::new();
    let mut line = LineBuf::default();
    for word in &words {
        if !line.is_empty() {
            let space_style = word.space_style.unwrap_or(Style::Regular);
            let space_w = match word.space_style {
                Some(s) => fonts.face(s).width_mm(" ", size_pt)?,
                None => 0.0,
            };
            if line.width + space_w + word.width <= width_mm + EPS {
                if word.space_style.is_some() {
                    line.push(space_style, " ");
                }
                line.width += space_w;
                for (style, text) in &word.parts {
                    line.push(*style, text);
                }
                line.width += word.width;
                continue;
            }
            lines.push(std::mem::take(&mut line));
        }
        if word.width <= width_mm + EPS {
            for (style, text) in &word.parts {
                line.push(*style, text);
            }
            line.width = word.width;
            continue;
        }
        // Hard break: fill lines character by character.
        for (style, text) in &word.parts {
            let face = fonts.face(*style);
            for ch in text.chars() {
                let w = face.advance_em(ch)? * size_pt * MM_PER_PT;
                if !line.is_empty() && line.width + w > width_mm + EPS {
                    lines.push(std::mem::take(&mut line));
                }
                let mut buf = [0u8; 4];
                line.push(*style, ch.encode_utf8(&mut buf));
                line.width += w;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }

    // Re-measure the final pieces: the laid-out widths are then exactly what
    // will be drawn, independent of how the buffer accumulated them.
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let mut x = 0.0;
        let mut pieces = Vec::with_capacity(l.parts.len());
        for (style, text) in l.parts {
            let w = fonts.face(style).width_mm(&text, size_pt)?;
            pieces.push((style, text, x));
            x += w;
        }
        out.push(LaidLine { pieces, width_mm: x });
    }
    Ok(out)
}

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

/// Width of a table column: fixed millimetres, or a share of what the
/// fixed columns leave of the content width.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnWidth {
    Mm(f32),
    Fr(f32),
}

/// Column widths in mm that together fill `total_mm`.
pub fn resolve_widths(total_mm: f32, columns: &[ColumnWidth]) -> Result<Vec<f32>, DocumentError> {
    let bad = |m: &str| Err(DocumentError::Template(format!("table columns: {m}")));
    if columns.is_empty() {
        return bad("no columns");
    }
    let (mut fixed, mut shares) = (0.0, 0.0);
    for c in columns {
        match *c {
            ColumnWidth::Mm(v) if v.is_finite() && v > 0.0 => fixed += v,
            ColumnWidth::Fr(v) if v.is_finite() && v > 0.0 => shares += v,
            _ => return bad("a width is not a positive number"),
        }
    }
    if fixed > total_mm + EPS || (shares > 0.0 && fixed >= total_mm) {
        return bad("fixed widths exceed the page");
    }
    let per_share = if shares > 0.0 { (total_mm - fixed) / shares } else { 0.0 };
    let widths: Vec<f32> = columns
        .iter()
        .map(|c| match *c {
            ColumnWidth::Mm(v) => v,
            ColumnWidth::Fr(v) => v * per_share,
        })
        .collect();
    if widths.iter().any(|w| *w < 5.0) {
        return bad("a column is narrower than 5 mm");
    }
    Ok(widths)
}

/// Type size, spacing and borders of a table.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableStyle {
    pub size_pt: f32,
    pub line_spacing: f32,
    /// Space between a cell's border and its text, on every side.
    pub padding_mm: f32,
    pub border_pt: f32,
}

/// One paragraph inside a table cell; a cell may stack several (the Kazakh
/// text over the Russian one).
#[derive(Clone, Debug)]
pub struct CellText {
    pub spans: Vec<Span>,
    pub size_pt: f32,
    pub align: Align,
}

impl CellText {
    pub fn new(spans: Vec<Span>, size_pt: f32) -> Self {
        Self { spans, size_pt, align: Align::Left }
    }
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
}

pub type Cell = Vec<CellText>;

/// Columns and header of a table drawn by [`Flow::table`], starting at the
/// left margin.
#[derive(Clone, Debug)]
pub struct Table {
    /// Resolved column widths, mm (see [`resolve_widths`]).
    pub widths: Vec<f32>,
    pub header: Vec<Cell>,
    pub style: TableStyle,
}

struct CellLine {
    laid: LaidLine,
    size_pt: f32,
    align: Align,
    height: f32,
    baseline_offset: f32,
}

struct PreparedRow {
    cells: Vec<Vec<CellLine>>,
    height: f32,
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

fn aligned_x(align: Align, left: f32, width: f32, line_width: f32) -> f32 {
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
    fonts: &'f Fonts,
    geo: PageGeometry,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    region_top: f32,
    region_bottom: f32,
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
fn push_text(ops: &mut Vec<Op>, face: &Face, size_pt: f32, x_mm: f32, pdf_y_mm: f32, text: &str) {
    ops.push(Op::SetFont { font: PdfFontHandle::External(face.id().clone()), size: Pt(size_pt) });
    ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Mm(x_mm).into(), Mm(pdf_y_mm).into()) });
    ops.push(Op::ShowText { items: vec![TextItem::Text(text.to_string())] });
}

/// Writes `label(n, total)` right-aligned at `right_mm` on the baseline
/// `baseline_mm` of every page. Page numbers need the final page count, so
/// they are added to finished pages rather than while flowing.
#[allow(clippy::too_many_arguments)]
pub fn number_pages(
    fonts: &Fonts,
    geo: PageGeometry,
    pages: &mut [Vec<Op>],
    style: Style,
    size_pt: f32,
    right_mm: f32,
    baseline_mm: f32,
    label: impl Fn(usize, usize) -> String,
) -> Result<(), DocumentError> {
    let total = pages.len();
    let face = fonts.face(style);
    for (i, ops) in pages.iter_mut().enumerate() {
        let text = label(i + 1, total);
        let w = face.width_mm(&text, size_pt)?;
        ops.push(Op::StartTextSection);
        push_text(ops, face, size_pt, right_mm - w, geo.height - baseline_mm, &text);
        ops.push(Op::EndTextSection);
    }
    Ok(())
}

/// Lays `lines` large, light and diagonal across the middle of every page,
/// beneath the content: a mark no copier or cropping removes without
/// damaging the text (a draft that must not be mistaken for the result).
pub fn watermark(
    fonts: &Fonts,
    (width_mm, height_mm): (f32, f32),
    pages: &mut [Vec<Op>],
    lines: &[(&str, f32)],
) -> Result<(), DocumentError> {
    let angle = height_mm.atan2(width_mm);
    let (sin, cos) = angle.sin_cos();
    let (cx, cy) = (width_mm / 2.0, height_mm / 2.0);
    let face = fonts.face(Style::Bold);
    let mut ops = vec![
        Op::SaveGraphicsState,
        Op::SetFillColor { col: Color::Rgb(Rgb { r: 0.78, g: 0.78, b: 0.78, icc_profile: None }) },
        Op::StartTextSection,
    ];
    let total: f32 = lines.iter().map(|(_, size)| size * MM_PER_PT * 1.3).sum();
    let mut offset = total / 2.0;
    for (text, size_pt) in lines {
        offset -= size_pt * MM_PER_PT;
        let half = face.width_mm(text, *size_pt)? / 2.0;
        // Start of the baseline: back from the centre along the diagonal,
        // then across it by the line's offset.
        let x = cx - half * cos - offset * sin;
        let y = cy - half * sin + offset * cos;
        ops.push(Op::SetFont { font: PdfFontHandle::External(face.id().clone()), size: Pt(*size_pt) });
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Raw([cos, sin, -sin, cos, Pt::from(Mm(x)).0, Pt::from(Mm(y)).0]),
        });
        ops.push(Op::ShowText { items: vec![TextItem::Text(text.to_string())] });
        offset -= size_pt * MM_PER_PT * 0.3;
    }
    ops.push(Op::EndTextSection);
    ops.push(Op::RestoreGraphicsState);
    for page in pages.iter_mut() {
        page.splice(0..0, ops.iter().cloned());
    }
    Ok(())
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

    fn add_ink(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        self.ink.push([x0, y0, x1, y1]);
    }

    /// Records the glyph box of a line of text set at `size_pt`.
    fn add_text_ink(&mut self, x0: f32, width: f32, baseline: f32, size_pt: f32) {
        let face = self.fonts.face(Style::Regular);
        let size_mm = size_pt * MM_PER_PT;
        self.add_ink(x0, baseline - face.ascent * size_mm, x0 + width, baseline + face.descent * size_mm);
    }

    /// Fills axis-aligned rectangles `(x, y, w, h)` (mm, top-left origin) as
    /// one path, so that touching rectangles render without seams.
    pub fn fill_rects(&mut self, rects: &[(f32, f32, f32, f32)]) {
        if rects.is_empty() {
            return;
        }
        let h = self.geo.height;
        let mut bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        let pt = |x: f32, y: f32| LinePoint { p: Point::new(Mm(x), Mm(h - y)), bezier: false };
        let rings = rects
            .iter()
            .map(|&(x, y, w, hh)| {
                bbox = [bbox[0].min(x), bbox[1].min(y), bbox[2].max(x + w), bbox[3].max(y + hh)];
                PolygonRing { points: vec![pt(x, y), pt(x + w, y), pt(x + w, y + hh), pt(x, y + hh)] }
            })
            .collect();
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon { rings, mode: PaintMode::Fill, winding_order: WindingOrder::NonZero },
        });
        self.add_ink(bbox[0], bbox[1], bbox[2], bbox[3]);
    }

    /// Height of one line at `size_pt` and the baseline's offset from the
    /// line's top, mm.
    fn line_metrics(&self, size_pt: f32, line_spacing: f32) -> (f32, f32) {
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
    fn reserve(&mut self, h: f32) -> f32 {
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

    fn emit_text(&mut self, style: Style, size_pt: f32, x_mm: f32, baseline_mm: f32, text: &str) {
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

    /// A horizontal line at absolute `y_mm` from `x0` to `x1`, not moving
    /// the cursor.
    pub fn line_at(&mut self, x0: f32, x1: f32, y_mm: f32, thickness_pt: f32, style: RuleStyle) {
        let half = thickness_pt * MM_PER_PT / 2.0;
        self.add_ink(x0.min(x1), y_mm - half, x0.max(x1), y_mm + half);
        let y = self.geo.height - y_mm;
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness_pt) });
        if style == RuleStyle::Dashed {
            self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, &[4.0, 3.0]) });
        }
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint { p: Point::new(Mm(x0), Mm(y)), bezier: false },
                    LinePoint { p: Point::new(Mm(x1), Mm(y)), bezier: false },
                ],
                is_closed: false,
            },
        });
        if style == RuleStyle::Dashed {
            self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, &[]) });
        }
    }

    /// A rule across the content width at the cursor, with space around it.
    pub fn rule(&mut self, style: RuleStyle, thickness_pt: f32, before_mm: f32, after_mm: f32) {
        let top = self.reserve(before_mm + after_mm);
        let x0 = self.geo.margin_left;
        let x1 = self.geo.width - self.geo.margin_right;
        self.line_at(x0, x1, top + before_mm, thickness_pt, style);
    }

    /// Reserves `h` mm below the cursor like a line of text does (breaking
    /// the page or flagging overflow as [`Flow::paragraph`] would) and
    /// returns the top of the reserved box, for blocks placed by hand.
    pub fn take(&mut self, h: f32) -> f32 {
        self.reserve(h)
    }

    /// Top of the current region, mm from the page top.
    pub fn region_top(&self) -> f32 {
        self.region_top
    }

    /// A straight line between two points (mm from the top-left), not
    /// moving the cursor.
    pub fn segment(&mut self, from: (f32, f32), to: (f32, f32), thickness_pt: f32) {
        let half = thickness_pt * MM_PER_PT / 2.0;
        self.add_ink(
            from.0.min(to.0) - half,
            from.1.min(to.1) - half,
            from.0.max(to.0) + half,
            from.1.max(to.1) + half,
        );
        let h = self.geo.height;
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness_pt) });
        self.ops.push(Op::DrawLine {
            line: Line {
                points: [from, to]
                    .into_iter()
                    .map(|(x, y)| LinePoint { p: Point::new(Mm(x), Mm(h - y)), bezier: false })
                    .collect(),
                is_closed: false,
            },
        });
    }

    /// Draws the image XObject `id` of `px` pixels `width_mm` wide with its
    /// top-left corner at (`x_mm`, `top_mm`), aspect kept; returns its
    /// height in mm. The caller registers the image itself with the PDF
    /// under the same id.
    pub fn image_at(&mut self, id: &str, px: (usize, usize), x_mm: f32, top_mm: f32, width_mm: f32) -> f32 {
        let (w, h) = (px.0.max(1) as f32, px.1.max(1) as f32);
        let height_mm = width_mm * h / w;
        // printpdf maps one pixel to 72/dpi points; pick the dpi that makes
        // the image exactly `width_mm` wide.
        let dpi = w * 72.0 / (width_mm / MM_PER_PT);
        self.ops.push(Op::UseXobject {
            id: XObjectId(id.to_string()),
            transform: XObjectTransform {
                translate_x: Some(Mm(x_mm).into()),
                translate_y: Some(Mm(self.geo.height - top_mm - height_mm).into()),
                dpi: Some(dpi),
                ..XObjectTransform::default()
            },
        });
        self.add_ink(x_mm, top_mm, x_mm + width_mm, top_mm + height_mm);
        height_mm
    }

    /// Lays out and draws the lines of a prepared table row between
    /// `start[i]..end[i]` of each cell, with its borders, at `top`.
    fn table_chunk(&mut self, t: &Table, row: &PreparedRow, span: (&[usize], &[usize]), top: f32) -> f32 {
        let (start, end) = span;
        let pad = t.style.padding_mm;
        let mut h: f32 = 0.0;
        let mut x = self.geo.margin_left;
        for (i, cell) in row.cells.iter().enumerate() {
            let w = t.widths[i];
            let mut y = top + pad;
            for line in &cell[start[i]..end[i]] {
                let baseline = y + line.baseline_offset;
                let x0 = aligned_x(line.align, x + pad, w - 2.0 * pad, line.laid.width_mm);
                self.ops.push(Op::StartTextSection);
                for (style, text, dx) in &line.laid.pieces {
                    self.emit_text(*style, line.size_pt, x0 + dx, baseline, text);
                }
                self.ops.push(Op::EndTextSection);
                self.add_text_ink(x0, line.laid.width_mm, baseline, line.size_pt);
                y += line.height;
            }
            h = h.max(y - top - pad);
            x += w;
        }
        let h = h + 2.0 * pad;
        let b = t.style.border_pt;
        let left = self.geo.margin_left;
        let right = left + t.widths.iter().sum::<f32>();
        self.segment((left, top), (right, top), b);
        self.segment((left, top + h), (right, top + h), b);
        let mut x = left;
        self.segment((x, top), (x, top + h), b);
        for w in &t.widths {
            x += w;
            self.segment((x, top), (x, top + h), b);
        }
        h
    }

    fn prepare_row(&self, t: &Table, cells: &[Cell]) -> Result<PreparedRow, DocumentError> {
        if cells.len() != t.widths.len() {
            return Err(DocumentError::Template(format!(
                "a table row has {} cells for {} columns",
                cells.len(),
                t.widths.len()
            )));
        }
        let pad = t.style.padding_mm;
        let mut prepared = Vec::with_capacity(cells.len());
        let mut height: f32 = 0.0;
        for (cell, w) in cells.iter().zip(&t.widths) {
            let inner = (w - 2.0 * pad).max(1.0);
            let mut lines = Vec::new();
            let mut h = 0.0;
            for text in cell {
                let (line_h, baseline_offset) = self.line_metrics(text.size_pt, t.style.line_spacing);
                for laid in wrap(self.fonts, &text.spans, text.size_pt, inner)? {
                    lines.push(CellLine {
                        laid,
                        size_pt: text.size_pt,
                        align: text.align,
                        height: line_h,
                        baseline_offset,
                    });
                    h += line_h;
                }
            }
            height = height.max(h);
            prepared.push(lines);
        }
        Ok(PreparedRow { cells: prepared, height: height + 2.0 * pad })
    }

    /// Draws `t`'s header row and then `rows` at the cursor across the
    /// columns, breaking pages as needed: a row moves whole to the next page
    /// when it does not fit and only a row taller than a fresh page is split
    /// between pages; the header is repeated at the top of every page the
    /// table continues on. Tables always break pages, whatever the region's
    /// setting.
    pub fn table(&mut self, t: &Table, rows: &[Vec<Cell>]) -> Result<(), DocumentError> {
        let header = self.prepare_row(t, &t.header)?;
        let pad = t.style.padding_mm;
        // The header never ends a page without a row under it.
        let first = match rows.first() {
            Some(r) => self.prepare_row(t, r)?.height,
            None => 0.0,
        };
        if self.y > self.region_top + EPS && self.y + header.height + first > self.region_bottom {
            self.new_page();
        }
        let draw_header = |flow: &mut Self| {
            let ends: Vec<usize> = header.cells.iter().map(Vec::len).collect();
            let zeros = vec![0; ends.len()];
            let top = flow.y;
            flow.y += flow.table_chunk(t, &header, (&zeros, &ends), top);
        };
        draw_header(self);
        for cells in rows {
            let row = self.prepare_row(t, cells)?;
            let ends: Vec<usize> = row.cells.iter().map(Vec::len).collect();
            let zeros = vec![0; ends.len()];
            if self.y + row.height <= self.region_bottom + EPS {
                let top = self.y;
                self.y += self.table_chunk(t, &row, (&zeros, &ends), top);
                continue;
            }
            let fresh = self.geo.height - self.geo.margin_bottom - self.geo.margin_top;
            if row.height <= fresh - header.height + EPS {
                self.new_page();
                draw_header(self);
                let top = self.y;
                self.y += self.table_chunk(t, &row, (&zeros, &ends), top);
                continue;
            }
            // Taller than a page: fill each page with as many of every
            // cell's lines as fit, at least one, so that it always ends.
            let mut start = zeros;
            loop {
                let room = self.region_bottom - self.y - 2.0 * pad;
                let mut end = start.clone();
                for (i, cell) in row.cells.iter().enumerate() {
                    let mut used = 0.0;
                    while end[i] < cell.len() && used + cell[end[i]].height <= room + EPS {
                        used += cell[end[i]].height;
                        end[i] += 1;
                    }
                }
                let fresh_page = self.y <= self.region_top + header.height + EPS;
                if end == start && !fresh_page {
                    self.new_page();
                    draw_header(self);
                    continue;
                }
                if end == start {
                    for (i, cell) in row.cells.iter().enumerate() {
                        if end[i] < cell.len() {
                            end[i] += 1;
                        }
                    }
                }
                let top = self.y;
                self.y += self.table_chunk(t, &row, (&start, &end), top);
                if end.iter().zip(&row.cells).all(|(e, c)| *e == c.len()) {
                    break;
                }
                start = end;
                self.new_page();
                draw_header(self);
            }
        }
        Ok(())
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
        crate::load_fonts().expect("shipped fonts parse")
    }

    fn all_text(lines: &[LaidLine]) -> String {
        lines
            .iter()
            .map(|l| l.pieces.iter().map(|(_, t, _)| t.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn every_line_fits_the_width() {
        let f = fonts();
        let long_word = "Ә".repeat(300);
        let texts = [
            "Мектепке дейінгі балалар ұйымдарына жіберу үшін мектепке дейінгі жастағы (7 жасқа дейін) балаларды кезекке қою".to_string(),
            format!("{long_word} қысқа {long_word}"),
            "Құжаттарды   қабылдау\tтуралы\nқолхат ".repeat(20),
            "x".to_string(),
        ];
        for width in [5.0_f32, 20.0, 57.3, 100.0, 165.0] {
            for size in [8.0_f32, 11.0, 14.0] {
                for t in &texts {
                    let spans = vec![Span::bold("Қызмет: "), Span::regular(t.clone())];
                    let lines = wrap(&f, &spans, size, width).unwrap();
                    assert!(!lines.is_empty());
                    for l in &lines {
                        assert!(
                            l.width_mm <= width + EPS,
                            "line {:?} is {} mm wide, limit {width}",
                            l.pieces,
                            l.width_mm
                        );
                        let measured: f32 =
                            l.pieces.iter().map(|(s, t, _)| f.face(*s).width_mm(t, size).unwrap()).sum();
                        assert!((measured - l.width_mm).abs() < EPS);
                    }
                    // Nothing lost but collapsed whitespace.
                    let norm = |s: &str| s.split_whitespace().collect::<String>();
                    assert_eq!(norm(&all_text(&lines)), norm(&format!("Қызмет: {t}")));
                }
            }
        }
    }

    #[test]
    fn greedy_wrap_uses_the_line() {
        let f = fonts();
        let text = "бір екі үш төрт бес алты жеті сегіз тоғыз он";
        let lines = wrap(&f, &[Span::regular(text)], 12.0, 40.0).unwrap();
        assert!(lines.len() > 1);
        // Each line but the last could not take the next line's first word.
        for pair in lines.windows(2) {
            let next_word = pair[1].pieces[0].1.split(' ').next().unwrap();
            let extra = f.regular.width_mm(&format!(" {next_word}"), 12.0).unwrap();
            assert!(pair[0].width_mm + extra > 40.0);
        }
    }

    #[test]
    fn missing_glyph_is_an_error() {
        let f = fonts();
        let r = wrap(&f, &[Span::regular("ок 😀")], 12.0, 100.0);
        assert!(matches!(r, Err(DocumentError::MissingGlyph { ch: '😀' })));
        let r = wrap(&f, &[Span::regular("漢")], 12.0, 100.0);
        assert!(matches!(r, Err(DocumentError::MissingGlyph { ch: '漢' })));
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

    #[test]
    fn column_widths_fill_the_line() {
        let w = resolve_widths(200.0, &[ColumnWidth::Mm(20.0), ColumnWidth::Fr(1.0), ColumnWidth::Fr(3.0)]).unwrap();
        assert_eq!(w, vec![20.0, 45.0, 135.0]);
        for bad in [
            vec![],
            vec![ColumnWidth::Mm(250.0)],
            vec![ColumnWidth::Mm(198.0), ColumnWidth::Fr(1.0)],
            vec![ColumnWidth::Fr(-1.0)],
            vec![ColumnWidth::Mm(f32::NAN)],
        ] {
            assert!(matches!(resolve_widths(200.0, &bad), Err(DocumentError::Template(_))));
        }
    }

    #[test]
    fn table_repeats_its_header_and_keeps_rows_whole() {
        let f = fonts();
        let geo = PageGeometry {
            width: 297.0,
            height: 210.0,
            margin_left: 20.0,
            margin_right: 10.0,
            margin_top: 12.0,
            margin_bottom: 14.0,
        };
        let style = TableStyle { size_pt: 9.0, line_spacing: 1.1, padding_mm: 1.2, border_pt: 0.4 };
        let cell = |t: &str| vec![CellText::new(vec![Span::regular(t)], 9.0)];
        let table = Table {
            widths: resolve_widths(267.0, &[ColumnWidth::Mm(20.0), ColumnWidth::Fr(1.0)]).unwrap(),
            header: vec![cell("№"), cell("Мәтін / Текст")],
            style,
        };
        let long = "сөз ".repeat(60);
        let rows: Vec<Vec<Cell>> =
            (0..120).map(|i| vec![cell(&i.to_string()), cell(if i % 7 == 0 { &long } else { "қысқа" })]).collect();
        let mut flow = Flow::new(&f, geo);
        flow.table(&table, &rows).unwrap();
        assert!(flow.y() <= geo.height - geo.margin_bottom + EPS);
        let pages = flow.finish();
        assert!(pages.len() >= 3);
        // The header's text is set on every page.
        for ops in &pages {
            let header = ops.iter().any(|op| {
                matches!(op, Op::ShowText { items }
                    if items.iter().any(|it| matches!(it, TextItem::Text(t) if t.starts_with("Мәтін"))))
            });
            assert!(header);
        }
        let wrong = vec![vec![cell("1")]];
        let mut flow = Flow::new(&f, geo);
        assert!(matches!(flow.table(&table, &wrong), Err(DocumentError::Template(_))));
    }
}
