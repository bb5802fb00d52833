//! The faces a document is set in and measuring text with them: glyph
//! lookup (a character the face lacks is an error before anything reaches
//! the PDF), advances in ems and widths in millimetres, and the ascent and
//! descent the line metrics are built from.

use printpdf::{FontId, ParsedFont};

use super::wrap::is_break_space;
use super::MM_PER_PT;
use crate::DocumentError;

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
    pub(super) ascent: f32,
    pub(super) descent: f32,
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

/// The faces Kense documents are set in, shipped in `assets/fonts`:
/// Liberation Serif, which covers Kazakh and Russian Cyrillic.
const REGULAR_TTF: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSerif-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSerif-Bold.ttf");

/// PDF resource names and subset tags of the two faces. Fixed rather than
/// printpdf's generated ids, which come from a process-global counter and
/// would make two renderings of one receipt differ.
const REGULAR_ID: &str = "KNSREG";
const BOLD_ID: &str = "KNSBLD";

impl Fonts {
    /// Parses the faces shipped with Kense.
    pub(crate) fn embedded() -> Result<Self, DocumentError> {
        Ok(Self { regular: Face::parse(REGULAR_TTF, REGULAR_ID)?, bold: Face::parse(BOLD_TTF, BOLD_ID)? })
    }

    pub fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}
