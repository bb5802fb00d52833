//! The queue of one birth year without personal data beyond the
//! registration number (`assets/templates/queue_extract.json`).

use serde::{Deserialize, Serialize};

use crate::layout::{Cell, Flow, Fonts};
use crate::registers::{finish, heading, totals, TableTemplate};
use crate::render::{About, Document, Pages};
use crate::requisites::{Bilingual, OfficeRequisites};
use crate::sheet::fill;
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

/// One application in a queue extract: no personal data beyond the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueExtractRow {
    pub position: u32,
    pub registration_number: String,
    pub registered_at: chrono::NaiveDateTime,
    pub category: Bilingual,
    /// e.g. "stop list until …".
    pub note: Option<Bilingual>,
}

/// The queue of one birth year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueExtract {
    pub office: OfficeRequisites,
    pub birth_year: i32,
    pub generated_at: chrono::NaiveDateTime,
    pub rows: Vec<QueueExtractRow>,
    /// Per category, computed by the caller.
    pub totals: Vec<(Bilingual, u32)>,
}

const FILE: &str = "queue_extract.json";
const SHIPPED: &str = include_str!("../../../../assets/templates/queue_extract.json");
/// The columns a queue extract template may show.
const KEYS: &[&str] = &["position", "registration_number", "registered_at", "category", "note"];

pub(crate) fn template(fonts: &Fonts) -> Result<TableTemplate, DocumentError> {
    TableTemplate::parse(SHIPPED, FILE, KEYS, &["{year}"], fonts)
}

impl Document for QueueExtract {
    type Template = TableTemplate;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.extract
    }

    fn layout(&self, fonts: &Fonts, t: &TableTemplate, _: Option<&Stamp>) -> Result<Pages, DocumentError> {
        layout_extract(fonts, t, self)
    }

    fn about(&self, t: &TableTemplate) -> About<'_> {
        About {
            title: format!("{} / {} {}", t.kk.title, t.ru.title, self.birth_year),
            office: &self.office,
            subject: "",
            created: self.generated_at,
        }
    }
}

fn layout_extract(fonts: &Fonts, t: &TableTemplate, q: &QueueExtract) -> Result<Pages, DocumentError> {
    let mut flow = Flow::new(fonts, t.layout.geometry());
    let year = q.birth_year.to_string();
    heading(
        &mut flow,
        t,
        &q.office,
        (&t.kk.title, &t.ru.title),
        (fill(&t.kk.subtitle, &[("year", &year)]), fill(&t.ru.subtitle, &[("year", &year)])),
        &q.generated_at,
    )?;
    let rows: Vec<Vec<Cell>> = q
        .rows
        .iter()
        .map(|r| {
            t.columns
                .iter()
                .map(|c| match c.key.as_str() {
                    "position" => t.centred(r.position.to_string()),
                    "registration_number" => t.plain(r.registration_number.clone()),
                    "registered_at" => t.plain(r.registered_at.format("%d.%m.%Y %H:%M:%S").to_string()),
                    "category" => t.bilingual(&r.category),
                    _ => match &r.note {
                        Some(n) => t.bilingual(n),
                        None => t.plain(String::new()),
                    },
                })
                .collect()
        })
        .collect();
    flow.table(&t.table(), &rows)?;
    totals(&mut flow, t, q.rows.len(), &q.totals, Some(t.both(|l| &l.totals_by)))?;
    finish(fonts, t, flow)
}
