//! The office's registers printed as tables on A4 landscape: the
//! registration journal (or daily register), the queue extract of one birth
//! year and the list of referrals of one distribution. Each has its template
//! in `assets/templates/` with the columns (order, widths, bilingual
//! headers) as data; the rows are drawn by [`crate::layout::Flow::table`]
//! with the header repeated on every page, and every page is numbered.
//!
//! A table is one bilingual document rather than two language versions: the
//! headers read "kk / ru", and a cell holding a bilingual value (service,
//! status, kindergarten) stacks the Kazakh text over the Russian one in
//! smaller type, so that each language stays a whole phrase in a narrow
//! column and the state language comes first.
//!
//! This module owns what the three registers share: the template with its
//! column specs, the heading above the table, the totals and the "printed
//! by" line after it, and the page numbers. Each register's rows are its own
//! module's business.

pub(crate) mod journal;
pub(crate) mod queue_extract;
pub(crate) mod referral_list;

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::layout::{
    resolve_widths, Align, Cell, CellText, ColumnWidth, Flow, Fonts, Paragraph, Span, Table, TableStyle,
};
use crate::sheet::{Form, MarkTexts, Marks, PageLayout};
use crate::signed::check_covered;
use crate::{Bilingual, DocumentError, OfficeRequisites, Signer};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColumnSpec {
    /// Which value the column shows; each document knows its own keys.
    pub key: String,
    pub width: ColumnWidth,
    pub kk: String,
    pub ru: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TableLabels {
    pub title: String,
    /// The journal's title when it covers one day.
    #[serde(default)]
    pub title_daily: Option<String>,
    /// Placeholders per document: `{from}`/`{to}` (journal), `{year}`
    /// (queue extract), `{number}` (referral list).
    pub subtitle: String,
    /// `{date}`; the journal's subtitle for one day.
    #[serde(default)]
    pub subtitle_daily: Option<String>,
    pub generated: String,
    pub total: String,
    pub totals_by: String,
    pub printed_by: String,
    pub signature: String,
    pub none: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TableTemplate {
    #[allow(dead_code)]
    pub version: u32,
    pub layout: PageLayout,
    pub table: TableStyle,
    /// Size of the Russian line of a bilingual cell relative to the Kazakh.
    pub ru_delta_pt: f32,
    pub columns: Vec<ColumnSpec>,
    pub kk: TableLabels,
    pub ru: TableLabels,
    pub marks: MarkTexts,
    /// Resolved from `columns` at parse time.
    #[serde(skip)]
    widths: Vec<f32>,
}

impl TableTemplate {
    pub fn parse(
        json: &str,
        file: &str,
        keys: &[&str],
        placeholders: &[&str],
        fonts: &Fonts,
    ) -> Result<Self, DocumentError> {
        let bad = |m: String| DocumentError::Template(format!("{file}: {m}"));
        let mut t: Self = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        t.layout.validate(file)?;
        t.marks.validate(file, true)?;
        let s = &t.table;
        if !(5.0..=16.0).contains(&s.size_pt)
            || !(1.0..=3.0).contains(&s.line_spacing)
            || !(0.0..=5.0).contains(&s.padding_mm)
            || !(0.1..=2.0).contains(&s.border_pt)
            || !(-4.0..=0.0).contains(&t.ru_delta_pt)
        {
            return Err(bad("table numbers out of range".into()));
        }
        let mut seen = BTreeSet::new();
        for c in &t.columns {
            if !keys.contains(&c.key.as_str()) {
                return Err(bad(format!("unknown column {:?}", c.key)));
            }
            if !seen.insert(c.key.as_str()) {
                return Err(bad(format!("column {:?} twice", c.key)));
            }
        }
        let content = t.layout.page_width_mm - t.layout.margin_left_mm - t.layout.margin_right_mm;
        let specs: Vec<ColumnWidth> = t.columns.iter().map(|c| c.width).collect();
        t.widths = resolve_widths(content, &specs).map_err(|e| bad(e.to_string()))?;
        for (lang, lb) in [("kk", &t.kk), ("ru", &t.ru)] {
            for key in placeholders {
                if !lb.subtitle.contains(key) {
                    return Err(bad(format!("{lang}.subtitle lacks {key}")));
                }
            }
        }
        check_covered(json, file, fonts)?;
        Ok(t)
    }

    fn body(&self) -> f32 {
        self.table.size_pt
    }

    fn table(&self) -> Table {
        let header = self
            .columns
            .iter()
            .map(|c| {
                vec![CellText::new(vec![Span::bold(format!("{} / {}", c.kk, c.ru))], self.body()).align(Align::Center)]
            })
            .collect();
        Table { widths: self.widths.clone(), header, style: self.table }
    }

    fn plain(&self, text: impl Into<String>) -> Cell {
        vec![CellText::new(vec![Span::regular(text)], self.body())]
    }

    fn centred(&self, text: impl Into<String>) -> Cell {
        vec![CellText::new(vec![Span::regular(text)], self.body()).align(Align::Center)]
    }

    /// Kazakh over Russian, the Russian smaller; one line when both agree.
    fn bilingual(&self, b: &Bilingual) -> Cell {
        let mut cell = vec![CellText::new(vec![Span::regular(b.kk.clone())], self.body())];
        if b.ru.trim() != b.kk.trim() {
            cell.push(CellText::new(vec![Span::regular(b.ru.clone())], self.body() + self.ru_delta_pt));
        }
        cell
    }

    fn both(&self, f: impl Fn(&TableLabels) -> &str) -> String {
        format!("{} / {}", f(&self.kk), f(&self.ru))
    }
}

impl Form for TableTemplate {
    fn page(&self) -> &PageLayout {
        &self.layout
    }
}

/// The heading above the table: office names, title, subtitle and the
/// generation time, centred, in both languages.
fn heading(
    flow: &mut Flow<'_>,
    t: &TableTemplate,
    office: &OfficeRequisites,
    title: (&str, &str),
    subtitle: (String, String),
    generated_at: &chrono::NaiveDateTime,
) -> Result<(), DocumentError> {
    let body = t.body();
    let ls = t.layout.line_spacing;
    let p = |spans: Vec<Span>, size: f32| Paragraph::new(spans, size).spacing(ls).align(Align::Center);
    flow.paragraph(&p(vec![Span::bold(office.name.kk.clone())], body + 1.0))?;
    flow.paragraph(&p(vec![Span::regular(office.name.ru.clone())], body))?;
    flow.space(t.layout.block_gap_mm);
    flow.paragraph(&p(vec![Span::bold(title.0.to_string())], body + t.layout.title_delta_pt + 2.0))?;
    flow.paragraph(&p(vec![Span::bold(title.1.to_string())], body + t.layout.title_delta_pt + 1.0))?;
    flow.paragraph(&p(vec![Span::regular(format!("{} / {}", subtitle.0, subtitle.1))], body + 1.0))?;
    flow.paragraph(
        &Paragraph::new(
            vec![Span::regular(format!("{}: {}", t.both(|l| &l.generated), generated_at.format("%d.%m.%Y %H:%M")))],
            body + t.layout.small_delta_pt + 1.0,
        )
        .spacing(ls)
        .align(Align::Right)
        .after(t.layout.block_gap_mm * 2.0),
    )?;
    Ok(())
}

/// The totals block after the table: the row count, then one line per
/// given total, kept together with its heading.
fn totals(
    flow: &mut Flow<'_>,
    t: &TableTemplate,
    count: usize,
    by: &[(Bilingual, u32)],
    by_label: Option<String>,
) -> Result<(), DocumentError> {
    let body = t.body() + 1.0;
    let ls = t.layout.line_spacing;
    let mut paras = vec![Paragraph::new(vec![Span::bold(format!("{}: {count}", t.both(|l| &l.total)))], body)
        .spacing(ls)
        .before(t.layout.block_gap_mm * 2.0)];
    if !by.is_empty() {
        if let Some(label) = by_label {
            paras.push(
                Paragraph::new(vec![Span::bold(format!("{label}:"))], body).spacing(ls).before(t.layout.block_gap_mm),
            );
        }
        for (what, n) in by {
            let text =
                if what.kk.trim() == what.ru.trim() { what.kk.clone() } else { format!("{} / {}", what.kk, what.ru) };
            paras.push(
                Paragraph::new(
                    vec![Span::regular(format!("{text}:")), Span::regular(" "), Span::bold(n.to_string())],
                    body,
                )
                .spacing(ls)
                .indent(t.layout.list_hang_mm),
            );
        }
    }
    let first_two: f32 = paras.iter().take(3).map(|p| flow.height_of(p)).sum::<Result<f32, _>>()?;
    flow.keep_together(first_two);
    for p in &paras {
        flow.paragraph(p)?;
    }
    Ok(())
}

fn printed_by(flow: &mut Flow<'_>, t: &TableTemplate, signer: &Signer) -> Result<(), DocumentError> {
    let p = Paragraph::new(
        vec![
            Span::bold(format!("{}:", t.both(|l| &l.printed_by))),
            Span::regular(format!(" {} / {} {} ", signer.position.kk, signer.position.ru, signer.name)),
            Span::regular(format!("{} {}", crate::signed::SIGNATURE_BLANK, t.both(|l| &l.signature))).glued(),
        ],
        t.body() + 1.0,
    )
    .spacing(t.layout.line_spacing)
    .before(t.layout.block_gap_mm * 4.0);
    flow.keep_together(flow.height_of(&p)?);
    flow.paragraph(&p)?;
    Ok(())
}

fn finish(fonts: &Fonts, t: &TableTemplate, flow: Flow<'_>) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    let marks = Marks::new(&t.marks, None, 1, None)?;
    let mut pages = flow.finish();
    marks.number_pages(fonts, &t.layout, &mut pages, true)?;
    Ok(pages)
}
