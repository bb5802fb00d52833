//! Ink on a [`Flow`]'s page that is not text: horizontal rules and lines
//! (solid or dashed), straight segments (table borders), filled rectangles,
//! square forms (the QR code) and images (the stamp). None of them moves the cursor except
//! [`Flow::rule`]; all of them are recorded as ink.

use printpdf::{
    Line, LineDashPattern, LinePoint, Mm, Op, PaintMode, Point, Polygon, PolygonRing, Pt, WindingOrder, XObjectId,
    XObjectTransform,
};

use super::flow::{Flow, RuleStyle};
use super::MM_PER_PT;

impl<'f> Flow<'f> {
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

    /// Draws the form XObject `id`, which fills the unit square (its
    /// `/Matrix` maps its box there), `size_mm` wide with its top-left
    /// corner at (`x_mm`, `top_mm`). The caller registers the form with the
    /// PDF under the same id.
    pub fn form_at(&mut self, id: &str, x_mm: f32, top_mm: f32, size_mm: f32) {
        let scale = Pt::from(Mm(size_mm)).0;
        self.ops.push(Op::UseXobject {
            id: XObjectId(id.to_string()),
            transform: XObjectTransform {
                translate_x: Some(Mm(x_mm).into()),
                translate_y: Some(Mm(self.geo.height - top_mm - size_mm).into()),
                scale_x: Some(scale),
                scale_y: Some(scale),
                no_auto_scale: true,
                ..XObjectTransform::default()
            },
        });
        self.add_ink(x_mm, top_mm, x_mm + size_mm, top_mm + size_mm);
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
}
