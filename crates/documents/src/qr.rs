//! The verification QR code: encoding a text into modules (qrcode crate,
//! medium error correction) and drawing the dark modules as one small form
//! XObject that every QR of the document shows.
//!
//! The form draws in module units: each dark area is a rectangle with
//! integer corners (runs of a row merged, then equal runs of consecutive
//! rows merged), all filled by one `f`, so touching rectangles render without
//! seams and the symbol stays vector-sharp at any printer resolution. Integer
//! coordinates keep the form to about a kilobyte deflated, and drawing it costs the
//! page one `Do` per QR instead of hundreds of polygon points (which cost
//! 3.8 ms and 12 KB per receipt when the modules were page polygons).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use printpdf::{DictItem, ExternalStream, ExternalXObject, XObject};
use qrcode::{Color, EcLevel, QrCode};

use crate::DocumentError;

/// Resource name of the QR form in the PDF; fixed so that the output does
/// not depend on printpdf's random ids. A document has one verification
/// text, so all its QR codes are this one form.
pub(crate) const QR_ID: &str = "KNQR";

/// An encoded QR symbol, without its quiet zone.
pub(crate) struct Symbol {
    width: usize,
    dark: Vec<bool>,
}

impl Symbol {
    /// Encodes `text` as UTF-8. Medium correction survives a fold, a stamp
    /// over a corner or a worn print while keeping the symbol small enough
    /// to read at 22–25 mm.
    pub fn encode(text: &str) -> Result<Self, DocumentError> {
        if text.is_empty() {
            return Err(DocumentError::Input("the QR text is empty".into()));
        }
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|e| DocumentError::Input(format!("the QR text ({} bytes) cannot be encoded: {e}", text.len())))?;
        Ok(Self { width: code.width(), dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect() })
    }

    /// Modules per side.
    #[cfg(test)]
    pub fn width(&self) -> usize {
        self.width
    }

    /// The dark modules as rectangles `(column, row, width, height)` in
    /// modules, rows counted from the top. Each row's horizontal runs are
    /// found first; a run that the row below repeats exactly grows down
    /// instead of starting a new rectangle. Finder patterns and long
    /// vertical features so become one rectangle each, which roughly halves
    /// the count against runs alone.
    pub fn rects(&self) -> Vec<(usize, usize, usize, usize)> {
        let n = self.width;
        let mut done: Vec<(usize, usize, usize, usize)> = Vec::new();
        // Rectangles still open at the previous row, by (column, width).
        let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
        for (row, cells) in self.dark.chunks(n.max(1)).enumerate() {
            let mut runs = Vec::new();
            let mut col = 0;
            while col < n {
                if !cells[col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && cells[col] {
                    col += 1;
                }
                runs.push((start, col - start));
            }
            let mut next = Vec::with_capacity(runs.len());
            for (start, len) in runs {
                match open.iter().position(|r| r.0 == start && r.2 == len) {
                    Some(i) => {
                        let mut r = open.swap_remove(i);
                        r.3 += 1;
                        next.push(r);
                    }
                    None => next.push((start, row, len, 1)),
                }
            }
            done.append(&mut open);
            open = next;
        }
        done.append(&mut open);
        // The order only decides the bytes of the form; keep it stable.
        done.sort_unstable_by_key(|&(c, r, _, _)| (r, c));
        done
    }

    /// The content stream of the form: black fill, the rectangles in module
    /// units with PDF's y axis pointing up, one fill for all of them.
    fn form_content(&self) -> Vec<u8> {
        let n = self.width;
        let rects = self.rects();
        let mut s = String::with_capacity(16 + rects.len() * 14);
        s.push_str("0 g\n");
        for (c, r, w, h) in rects {
            // Infallible: writing into a String.
            let _ = writeln!(s, "{c} {} {w} {h} re", n - r - h);
        }
        s.push_str("f\n");
        s.into_bytes()
    }

    /// The symbol as a form XObject: drawn in module units, its `/Matrix`
    /// maps it onto the unit square, so the page scales it to the printed
    /// size without knowing how many modules it has.
    pub fn xobject(&self) -> XObject {
        let n = self.width as i64;
        let unit = 1.0 / self.width.max(1) as f32;
        let dict = BTreeMap::from([
            ("Type".to_string(), DictItem::Name(b"XObject".to_vec())),
            ("Subtype".to_string(), DictItem::Name(b"Form".to_vec())),
            (
                "BBox".to_string(),
                DictItem::Array(vec![DictItem::Int(0), DictItem::Int(0), DictItem::Int(n), DictItem::Int(n)]),
            ),
            (
                "Matrix".to_string(),
                DictItem::Array(vec![
                    DictItem::Real(unit),
                    DictItem::Int(0),
                    DictItem::Int(0),
                    DictItem::Real(unit),
                    DictItem::Int(0),
                    DictItem::Int(0),
                ]),
            ),
        ]);
        XObject::External(ExternalXObject {
            stream: ExternalStream { dict, content: self.form_content(), compress: true },
            width: None,
            height: None,
            dpi: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_cover_exactly_the_dark_modules() {
        let s = Symbol::encode("01-2026-00001|sig|9f3a1c7e2b4d").expect("encodes");
        let n = s.width();
        let rects = s.rects();
        let mut painted = vec![false; n * n];
        for (c, r, w, h) in &rects {
            for row in *r..r + h {
                for col in *c..c + w {
                    let i = row * n + col;
                    assert!(!painted[i], "module painted twice");
                    painted[i] = true;
                }
            }
        }
        assert_eq!(painted, s.dark);
        let dark = s.dark.iter().filter(|d| **d).count();
        assert!(rects.len() * 2 < dark, "{} rectangles for {dark} dark modules", rects.len());
    }

    #[test]
    fn the_form_is_small_and_filled_once() {
        let s =
            Symbol::encode("KENSE1|Ж-2026-00001|2026-03-12T10:15:42|Jx2v9mS0QpXc4Lk1bT7yHn3Wq8Ue5Rz6Ai0|9f3a1c7e2b4d")
                .expect("encodes");
        let content = String::from_utf8(s.form_content()).expect("ASCII");
        assert!(content.starts_with("0 g\n") && content.ends_with("\nf\n"));
        assert_eq!(content.matches(" re\n").count(), s.rects().len());
        // Stored deflated (the form's stream is compressed like the pages').
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, content.as_bytes()).expect("in memory");
        let stored = z.finish().expect("in memory").len();
        assert!(stored < 2000, "{stored} bytes deflated ({} plain)", content.len());
    }

    #[test]
    fn too_long_or_empty_text_is_an_input_error() {
        assert!(matches!(Symbol::encode(""), Err(DocumentError::Input(_))));
        let long = "Ә".repeat(3000);
        assert!(matches!(Symbol::encode(&long), Err(DocumentError::Input(_))));
    }
}
