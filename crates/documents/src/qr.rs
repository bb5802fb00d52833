//! The verification QR code: encoding a text into modules (qrcode crate,
//! medium error correction) and turning the dark modules into rectangles for
//! [`crate::layout::Flow::fill_rects`]. Drawn as vector paths, so it stays
//! sharp at any printer resolution and adds no image to the PDF.

use qrcode::{Color, EcLevel, QrCode};

use crate::DocumentError;

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

    /// Rectangles `(x, y, w, h)` in mm of the symbol drawn `size_mm` wide
    /// with its top-left corner at (`x`, `y`). Horizontal runs of dark
    /// modules are merged, which keeps the content stream several times
    /// shorter than one square per module.
    pub fn rects(&self, x: f32, y: f32, size_mm: f32) -> Vec<(f32, f32, f32, f32)> {
        let n = self.width;
        if n == 0 {
            return Vec::new();
        }
        let m = size_mm / n as f32;
        let mut out = Vec::new();
        for (row, cells) in self.dark.chunks(n).enumerate() {
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
                out.push((x + start as f32 * m, y + row as f32 * m, (col - start) as f32 * m, m));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let s = Symbol::encode("01-2026-00001|sig|9f3a1c7e2b4d").expect("encodes");
        let n = s.width();
        let rects = s.rects(0.0, 0.0, n as f32);
        let mut painted = vec![false; n * n];
        for (x, y, w, h) in rects {
            assert_eq!(h, 1.0);
            for c in x as usize..(x + w) as usize {
                let i = y as usize * n + c;
                assert!(!painted[i], "module painted twice");
                painted[i] = true;
            }
        }
        assert_eq!(painted, s.dark);
    }

    #[test]
    fn too_long_or_empty_text_is_an_input_error() {
        assert!(matches!(Symbol::encode(""), Err(DocumentError::Input(_))));
        let long = "Ә".repeat(3000);
        assert!(matches!(Symbol::encode(&long), Err(DocumentError::Input(_))));
    }
}
