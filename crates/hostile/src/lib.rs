//! The hostile characters and strings Kense's fuzz tests draw from.
//!
//! One list, so that a character that once broke something is tried by
//! every test that takes text: the domain's and the documents'
//! `hostile_input` and the shell's `ipc_fuzz`. A test that needs single
//! characters takes [`CHARS`]; one that builds text from pieces takes
//! [`CHARS`] and [`STRINGS`]. Add to the list rather than to a test, and
//! say why in the group's comment.
//!
//! Test support only, used as a dev-dependency.

/// Single characters, grouped by what they have broken or could break.
#[rustfmt::skip] // One group a line: a table, not a column.
pub const CHARS: &[char] = &[
    // C0 and C1 controls, NUL and DEL: never valid in a field; NUL ends a
    // C string, ESC starts a terminal sequence, CR and VT/FF break lines.
    '\0', '\u{7}', '\u{8}', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
    // White space beyond the ASCII space, which trimming and normalisation
    // must see: no-break, line and paragraph separators, ideographic space.
    ' ', '\u{a0}', '\u{2028}', '\u{2029}', '\u{3000}',
    // Invisible and direction marks: zero-width space and joiner, the
    // right-to-left override and an isolate (text that reads other than it
    // is stored), the byte order mark.
    '\u{200b}', '\u{200d}', '\u{202e}', '\u{2066}', '\u{feff}',
    // Combining marks with nothing to sit on at the start of a field.
    '\u{301}', '\u{489}',
    // The replacement character, a non-character and the last code point.
    '\u{fffd}', '\u{ffff}', '\u{10ffff}',
    // Outside the Basic Multilingual Plane: four UTF-8 bytes, two UTF-16
    // units, no glyph in the office's fonts; a skin-tone modifier.
    '😀', '👨', '\u{1f3fb}',
    // Right-to-left and CJK scripts: bidi layout, missing glyphs.
    'ا', 'ب', 'ע', 'ש', '漢', '字',
    // Case mapping that changes length or meaning (ß → SS, İ → i̇).
    'ß', 'İ',
    // The office's own alphabets, which must pass wherever text is allowed:
    // the Kazakh letters (І and і look like Latin I and i), Ё, Ж, щ.
    'Ә', 'ә', 'Ғ', 'Қ', 'Ң', 'Ө', 'Ұ', 'Ү', 'Һ', 'І', 'і', 'Ё', 'ё', 'Ж', 'щ',
    // ASCII letters and digits at their ends, and digits that are not
    // ASCII (Arabic-Indic, fullwidth), which an IIN must refuse.
    'a', 'Z', '0', '9', '٣', '０',
    // Syntax of JSON, paths, format strings and markup.
    '/', '\\', '"', '\'', '{', '}', '(', ')', '%', '<',
];

/// Strings that matter as a whole, not as their characters (those are in
/// [`CHARS`]).
#[rustfmt::skip] // One group a line, as above.
pub const STRINGS: &[&str] = &[
    // Nothing, for required fields, and white space of three kinds in a row.
    "", "\t\n\r",
    // Kazakh letters in upper and lower case together.
    "Әә", "ҚқҢңӨөҰұҮүҺһІі",
    // JSON words and numbers where text is expected; 1e309 overflows f64.
    "null", "true", "-1", "1e309",
    // Dates that do not exist: 30 February, and a year past chrono's range.
    "2026-02-30", "+262143-12-31",
    // Kense's own tokens out of place: a valid IIN, the QR prefix, the
    // language codes.
    "900101300007", "KENSE1", "kk", "ru",
    // A path out of a folder, a C format string, markup.
    "../", "%s%n", "<script>",
];

// Checked when a test that uses the list compiles: a repeated entry would
// only skew how often each is drawn, and a one-character string belongs
// in CHARS, so that a test taking single characters tries it too.
const _: () = assert!(distinct_chars(CHARS), "a character is listed twice in CHARS");
const _: () = assert!(distinct_strings(STRINGS), "a string is listed twice in STRINGS");
const _: () = assert!(no_single_chars(STRINGS), "a one-character string belongs in CHARS");

const fn distinct_chars(list: &[char]) -> bool {
    let mut i = 0;
    while i < list.len() {
        let mut j = i + 1;
        while j < list.len() {
            if list[i] == list[j] {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn distinct_strings(list: &[&str]) -> bool {
    let mut i = 0;
    while i < list.len() {
        let mut j = i + 1;
        while j < list.len() {
            if same(list[i], list[j]) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

/// Whether no string is exactly one character: the first byte of UTF-8
/// says how long its character is.
const fn no_single_chars(list: &[&str]) -> bool {
    let mut i = 0;
    while i < list.len() {
        let b = list[i].as_bytes();
        if !b.is_empty() {
            let first = match b[0] {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            if b.len() == first {
                return false;
            }
        }
        i += 1;
    }
    true
}
