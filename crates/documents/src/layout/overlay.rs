//! What is added to pages once they are finished: page numbers, which need
//! the final count, and the draft watermark, laid beneath the content.

use printpdf::{Color, Mm, Op, PdfFontHandle, Pt, Rgb, TextItem, TextMatrix};

use super::face::{Fonts, Style};
use super::flow::{push_text, PageGeometry};
use super::MM_PER_PT;
use crate::DocumentError;

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
