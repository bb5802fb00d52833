//! The registration journal of a period, or the daily register when the
//! period is one day (`assets/templates/journal.json`).

use serde::{Deserialize, Serialize};

use crate::layout::{Cell, CellText, Flow, Fonts, Span};
use crate::registers::{finish, heading, printed_by, totals, TableLabels, TableTemplate};
use crate::render::{About, Document, Pages};
use crate::requisites::{Bilingual, OfficeRequisites, Signer};
use crate::sheet::{date, fill};
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

/// One application in the registration journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRow {
    pub number: String,
    pub registered_at: chrono::NaiveDateTime,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub service: Bilingual,
    /// Where it was lodged.
    #[serde(default)]
    pub channel: Bilingual,
    pub status: Bilingual,
    /// What came of it: a positive result, a reasoned refusal, a refusal at
    /// intake; empty while open.
    #[serde(default)]
    pub outcome: Option<Bilingual>,
    pub executor: Option<String>,
    pub due: Option<chrono::NaiveDate>,
    pub closed_on: Option<chrono::NaiveDate>,
}

/// The registration journal for a period, or the daily register when
/// `from == to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub office: OfficeRequisites,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub generated_at: chrono::NaiveDateTime,
    pub rows: Vec<JournalRow>,
    /// e.g. per status, computed by the caller; printed after the row count.
    pub totals: Vec<(Bilingual, u32)>,
    /// Who printed it.
    pub signer: Signer,
}

const FILE: &str = "journal.json";
const SHIPPED: &str = include_str!("../../../../assets/templates/journal.json");
/// The columns a journal template may show.
const KEYS: &[&str] = &[
    "seq",
    "number",
    "registered_at",
    "applicant",
    "service",
    "channel",
    "status",
    "outcome",
    "executor",
    "due",
    "closed_on",
];

pub(crate) fn template(fonts: &Fonts) -> Result<TableTemplate, DocumentError> {
    TableTemplate::parse(SHIPPED, FILE, KEYS, &["{from}", "{to}"], fonts)
}

impl Journal {
    /// The daily register: a period of one day.
    fn daily(&self) -> bool {
        self.from == self.to
    }

    /// The title in one language: the daily register's, when the template
    /// has one and the period is a day.
    fn title<'t>(&self, lb: &'t TableLabels) -> &'t str {
        match (&lb.title_daily, self.daily()) {
            (Some(d), true) => d,
            _ => &lb.title,
        }
    }
}

impl Document for Journal {
    type Template = TableTemplate;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.journal
    }

    fn layout(&self, fonts: &Fonts, t: &TableTemplate, _: Option<&Stamp>) -> Result<Pages, DocumentError> {
        layout_journal(fonts, t, self)
    }

    fn about(&self, t: &TableTemplate) -> About<'_> {
        About {
            title: format!(
                "{} / {} {}–{}",
                self.title(&t.kk),
                self.title(&t.ru),
                self.from.format("%d.%m.%Y"),
                self.to.format("%d.%m.%Y")
            ),
            office: &self.office,
            subject: "",
            created: self.generated_at,
        }
    }
}

fn opt_date(d: &Option<chrono::NaiveDate>) -> String {
    d.as_ref().map(date).unwrap_or_default()
}

fn layout_journal(fonts: &Fonts, t: &TableTemplate, j: &Journal) -> Result<Pages, DocumentError> {
    if j.to < j.from {
        return Err(DocumentError::Input("the period ends before it starts".into()));
    }
    let subtitle = |lb: &TableLabels| -> String {
        match (&lb.subtitle_daily, j.daily()) {
            (Some(d), true) => fill(d, &[("date", &date(&j.from))]),
            _ => fill(&lb.subtitle, &[("from", &date(&j.from)), ("to", &date(&j.to))]),
        }
    };
    let mut flow = Flow::new(fonts, t.layout.geometry());
    heading(
        &mut flow,
        t,
        &j.office,
        (j.title(&t.kk), j.title(&t.ru)),
        (subtitle(&t.kk), subtitle(&t.ru)),
        &j.generated_at,
    )?;
    let small = t.body() + t.ru_delta_pt;
    let rows: Vec<Vec<Cell>> = j
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            t.columns
                .iter()
                .map(|c| match c.key.as_str() {
                    "seq" => t.centred((i + 1).to_string()),
                    "number" => t.plain(r.number.clone()),
                    "registered_at" => t.plain(r.registered_at.format("%d.%m.%Y %H:%M").to_string()),
                    "applicant" => {
                        let mut cell = t.plain(r.applicant_name.clone());
                        if !r.applicant_iin.trim().is_empty() {
                            cell.push(CellText::new(vec![Span::regular(r.applicant_iin.clone())], small));
                        }
                        cell
                    }
                    "service" => t.bilingual(&r.service),
                    "status" => t.bilingual(&r.status),
                    "channel" => t.bilingual(&r.channel),
                    "outcome" => r.outcome.as_ref().map_or_else(|| t.plain(String::new()), |o| t.bilingual(o)),
                    "executor" => t.plain(r.executor.clone().unwrap_or_default()),
                    "due" => t.centred(opt_date(&r.due)),
                    _ => t.centred(opt_date(&r.closed_on)),
                })
                .collect()
        })
        .collect();
    flow.table(&t.table(), &rows)?;
    totals(&mut flow, t, j.rows.len(), &j.totals, Some(t.both(|l| &l.totals_by)))?;
    printed_by(&mut flow, t, &j.signer)?;
    finish(fonts, t, flow)
}
