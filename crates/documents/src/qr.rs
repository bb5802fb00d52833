//! The verification QR code: encoding a text into modules (qrcode crate,
//! medium error correction) and drawing the dark modules as one small form
//! XObject that every QR of the document shows.
//!
//! The mask is chosen here rather than by `QrCode`: the crate scores the
//! eight masks with a boxed closure per module position, which was a fifth of
//! a receipt's time (issue 16). [`penalty`] computes the same four scores
//! over plain rows and columns, so the symbol is the one `QrCode` would make,
//! module for module (a test holds the two together).
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
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{bits, ec, Color, EcLevel};

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
        let refused = |e: qrcode::types::QrError| {
            DocumentError::Input(format!("the QR text ({} bytes) cannot be encoded: {e}", text.len()))
        };
        let bits = bits::encode_auto(text.as_bytes(), EcLevel::M).map_err(refused)?;
        let version = bits.version();
        let (data, correction) = ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).map_err(refused)?;
        let mut unmasked = Canvas::new(version, EcLevel::M);
        unmasked.draw_all_functional_patterns();
        unmasked.draw_data(&data, &correction);
        let width = usize::try_from(version.width()).unwrap_or(usize::MAX);
        if !(21..=MAX_WIDTH).contains(&width) {
            return Err(DocumentError::Input(format!(
                "the QR text ({} bytes) is too long for a printed verification code",
                text.len()
            )));
        }
        // The first of the lowest scores wins, as in `Canvas::apply_best_mask`.
        let mut best: Option<(u32, Vec<bool>)> = None;
        for pattern in MASKS {
            let mut canvas = unmasked.clone();
            canvas.apply_mask(pattern);
            let dark: Vec<bool> = canvas.into_colors().into_iter().map(|c| c == Color::Dark).collect();
            let score = penalty(&dark, width);
            if best.as_ref().is_none_or(|(lowest, _)| score < *lowest) {
                best = Some((score, dark));
            }
        }
        let (_, dark) = best.ok_or_else(|| DocumentError::Input("no QR mask".into()))?;
        Ok(Self { width, dark })
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

/// The eight masks of a (non-micro) QR symbol, in `qrcode`'s order, which
/// decides ties.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The widest symbol [`penalty`] scores: a line and its four light modules
/// of quiet zone on each side fit one `u128`. That is version 25 (about a
/// thousand bytes at medium correction); a verification text is under a
/// hundred, and a symbol that wide could not be read at 25 mm anyway.
const MAX_WIDTH: usize = 128 - 2 * QUIET;

/// Light modules each side of a line in its bit set (rule 3 looks four
/// modules past a finder-like pattern, and outside the symbol is light).
const QUIET: usize = 4;

/// The mask penalty of a symbol (ISO/IEC 18004 §7.8.3, as `qrcode` scores
/// it): runs of five or more like modules in a row or column (length − 2
/// each), 2×2 blocks of one colour (3 each, overlapping), finder-like
/// `#.###.#` with four light modules on one side (40 each; the finders' own
/// rows add the same for every mask), and the distance of the dark share
/// from half (in half-percent steps, where the standard rounds to 5 %; kept
/// as `qrcode` has it so the chosen mask is the same).
///
/// Each row and column is a bit set (bit `QUIET + i` is module `i`), so a
/// rule is a few shifts and a population count per line instead of a
/// branch per module: eight masks cost about what one did.
fn penalty(dark: &[bool], n: usize) -> u32 {
    let mut rows = vec![0u128; n];
    let mut columns = vec![0u128; n];
    for (y, row) in dark.chunks(n).enumerate() {
        for (x, _) in row.iter().enumerate().filter(|(_, d)| **d) {
            rows[y] |= 1 << (QUIET + x);
            columns[x] |= 1 << (QUIET + y);
        }
    }
    // Bit i of `pairs` says module i has a right-hand neighbour in the line.
    let pairs = ((1u128 << (n - 1)) - 1) << QUIET;
    let mut score = 0;
    for &line in rows.iter().chain(&columns) {
        // Rule 1: bit i of `five` marks a uniform window i..i+5; a run of
        // length L has L − 4 of them and scores L − 2.
        let same = !(line ^ (line >> 1)) & pairs;
        let five = same & (same >> 1) & (same >> 2) & (same >> 3);
        score += five.count_ones() + 2 * (five & !(five << 1)).count_ones();
        // Rule 3: bit j of `finder` marks #.###.# at j..j+7.
        let finder = [true, false, true, true, true, false, true]
            .iter()
            .enumerate()
            .fold(u128::MAX, |m, (k, &d)| m & if d { line >> k } else { !(line >> k) })
            & (((1u128 << (n - 6)) - 1) << QUIET);
        let light_before = !((line << 1) | (line << 2) | (line << 3) | (line << 4));
        let light_after = !((line >> 7) | (line >> 8) | (line >> 9) | (line >> 10));
        score += 40 * (finder & (light_before | light_after)).count_ones();
    }
    // Rule 2: a block at (x, y) is a like pair in row y, one in row y + 1,
    // and like modules above each other.
    for (a, b) in rows.iter().zip(&rows[1..]) {
        score += 3 * (!(a ^ (a >> 1)) & !(b ^ (b >> 1)) & !(a ^ b) & pairs).count_ones();
    }
    let ratio = dark.iter().filter(|d| **d).count() * 200 / dark.len().max(1);
    score + ratio.abs_diff(100) as u32
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

    /// The mask chosen here is the one `QrCode` chooses, module for module,
    /// across versions and contents, and the symbol reads back.
    #[test]
    fn the_symbol_is_the_one_qrcode_makes() {
        let texts: Vec<String> = (0..100)
            .map(|i| match i % 5 {
                0 => format!(
                    "KENSE1|01-2026-{i:05}|2026-03-12T10:15:42|Jx2v9mS0QpXc4Lk1bT7yHn3Wq8Ue5Rz6Ai0|9f3a1c7e2b4d"
                ),
                1 => format!("{i}"),
                2 => format!("Ж-2026-{i:05} Әбілқасымова Ғалия {}", "ө".repeat(i)),
                3 => "HELLO WORLD 123 ".repeat(i / 4 + 1),
                // Every version up to the widest scored and a little past it.
                _ => format!("{i}|{}", "Ә".repeat(i * 7)),
            })
            .collect();
        let mut widest = 0;
        for text in &texts {
            let theirs = qrcode::QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).expect("encodes");
            if theirs.width() > MAX_WIDTH {
                assert!(matches!(Symbol::encode(text), Err(DocumentError::Input(_))), "{} modules", theirs.width());
                continue;
            }
            widest = widest.max(theirs.width());
            let ours = Symbol::encode(text).expect("encodes");
            let expected: Vec<bool> = theirs.to_colors().into_iter().map(|c| c == Color::Dark).collect();
            assert_eq!((ours.width, &ours.dark), (theirs.width(), &expected), "{text}");
        }
        assert_eq!(widest, MAX_WIDTH - 3, "the texts reach version 25 (117 modules; version 26 has 121)");
    }

    /// The published example of `qrcode`'s own penalty tests (version 1-Q,
    /// checkerboard mask): adjacent 88 + 92, blocks 90, finder-like 0 + 40
    /// beyond the finders' own 2 × 360, balance 2.
    #[test]
    fn the_penalty_matches_qrcodes_worked_example() {
        let mut c = Canvas::new(qrcode::Version::Normal(1), EcLevel::Q);
        c.draw_all_functional_patterns();
        c.draw_data(
            b"\x20\x5b\x0b\x78\xd1\x72\xdc\x4d\x43\x40\xec\x11\x00",
            b"\xa8\x48\x16\x52\xd9\x36\x9c\x00\x2e\x0f\xb4\x7a\x10",
        );
        c.apply_mask(MaskPattern::Checkerboard);
        let dark: Vec<bool> = c.into_colors().into_iter().map(|c| c == Color::Dark).collect();
        assert_eq!(penalty(&dark, 21), 88 + 92 + 90 + 40 + 2 * 360 + 2);
    }

    #[test]
    fn too_long_or_empty_text_is_an_input_error() {
        assert!(matches!(Symbol::encode(""), Err(DocumentError::Input(_))));
        let long = "Ә".repeat(3000);
        assert!(matches!(Symbol::encode(&long), Err(DocumentError::Input(_))));
    }
}
