//! The small layout layer every Kense document is built with.
//!
//! It owns text measurement (glyph advances of the embedded faces), greedy word
//! wrapping with hard breaks for over-long words, alignment, paragraphs with a
//! hanging marker (numbered lists), horizontal rules, filled rectangles, placed
//! forms and images (the QR code, the stamp), tables, and a cursor that moves
//! down a region of the page and, when allowed, onto new pages. It remembers
//! where ink went on the current page so that callers can put a block into a
//! free corner. It produces plain printpdf `Op`s per page; assembling and
//! saving the PDF is the job of the caller.
//!
//! Positions are millimetres measured from the top-left corner of the page,
//! because that is how forms are specified; the flip into PDF space (origin
//! bottom-left, points) happens only when an `Op` is emitted.
//!
//! By concept:
//! - `face`: the parsed faces and measuring text with them;
//! - `wrap`: styled runs of text and greedy word wrapping;
//! - `flow`: the cursor down the page, paragraphs and placed text;
//! - `draw`: ink that is not text (rules, lines, filled rectangles, forms,
//!   images);
//! - `table`: tables with a repeated header, broken between pages;
//! - `overlay`: what is added to finished pages (page numbers, watermark).

mod draw;
mod face;
mod flow;
mod overlay;
mod table;
mod wrap;

pub use face::{Face, Fonts, Style};
pub use flow::{Align, Flow, PageGeometry, Paragraph, Placed, RuleStyle};
pub use overlay::{number_pages, watermark};
pub use table::{resolve_widths, Cell, CellText, ColumnWidth, Table, TableStyle};
pub use wrap::{wrap, LaidLine, Span};

/// Millimetres per typographic point.
pub const MM_PER_PT: f32 = 25.4 / 72.0;

/// Rounding slack for width comparisons; far below anything visible.
const EPS: f32 = 1e-3;
