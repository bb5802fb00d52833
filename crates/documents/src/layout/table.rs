//! Tables drawn by [`Flow::table`]: column widths (fixed or shares of the
//! rest), cells of stacked paragraphs, borders, the header repeated on every
//! page, and rows moved whole to the next page unless taller than a page.

use printpdf::Op;
use serde::Deserialize;

use super::flow::{aligned_x, Align, Flow};
use super::wrap::{wrap, LaidLine, Span};
use super::EPS;
use crate::DocumentError;

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

impl<'f> Flow<'f> {
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
}

#[cfg(test)]
mod tests {
    use printpdf::TextItem;

    use super::*;
    use crate::layout::{Fonts, PageGeometry};

    fn fonts() -> Fonts {
        Fonts::embedded().expect("shipped fonts parse")
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
