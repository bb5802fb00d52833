//! Styled runs of text ([`Span`]) and greedy word wrapping of them into
//! lines no wider than a column ([`wrap`]): runs of spaces collapse to one,
//! glued spans keep their spaces, and a word wider than the line is broken
//! between characters.

use super::face::{Fonts, Style};
use super::{EPS, MM_PER_PT};
use crate::DocumentError;

/// Characters at which a line may break. NBSP is deliberately absent so that
/// callers can glue "№ 5" or initials together.
pub(super) fn is_break_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\n' | '\r')
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::embedded().expect("shipped fonts parse")
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
}
