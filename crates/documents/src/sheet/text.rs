//! Template texts filled for one document: `{key}` placeholders in one
//! pass, dates as the forms print them, and the language a version is in.

use crate::Bilingual;

/// Replaces `{key}` placeholders in one pass, so a value that happens to
/// contain "{service}" (typed by a user) is never expanded again.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 128);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let hit = values
            .iter()
            .find(|(k, _)| after.strip_prefix('{').and_then(|a| a.strip_prefix(k)).is_some_and(|a| a.starts_with('}')));
        match hit {
            Some((k, v)) => {
                out.push_str(v);
                rest = &after[k.len() + 2..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn date(d: &chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Picks the language's variant of a bilingual field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Kk,
    Ru,
}

impl Lang {
    pub fn pick(self, b: &Bilingual) -> &str {
        match self {
            Lang::Kk => &b.kk,
            Lang::Ru => &b.ru,
        }
    }
}
