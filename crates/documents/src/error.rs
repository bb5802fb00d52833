//! What can go wrong when making a document, as the shell sees it.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    /// The text contains a character the embedded font cannot draw.
    MissingGlyph { ch: char },
    /// A shipped font could not be parsed.
    Font(String),
    /// A shipped template could not be parsed or is inconsistent.
    Template(String),
    /// The input cannot make a valid document (copy number 0, a refusal
    /// without missing documents, a QR text too long to encode, a stamp
    /// image that is not a PNG or is too large).
    Input(String),
    /// The PDF could not be assembled or written.
    Pdf(String),
}
impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingGlyph { ch } => {
                write!(f, "the document font has no glyph for {ch:?} (U+{:04X})", u32::from(*ch))
            }
            Self::Font(m) => write!(f, "font error: {m}"),
            Self::Template(m) => write!(f, "template error: {m}"),
            Self::Input(m) => write!(f, "invalid document input: {m}"),
            Self::Pdf(m) => write!(f, "PDF error: {m}"),
        }
    }
}

impl std::error::Error for DocumentError {}
