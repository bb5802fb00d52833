//! The queue of one birth year without personal data beyond the
//! registration number (`assets/templates/queue_extract.json`).

use serde::{Deserialize, Serialize};

use crate::layout::{Cell, Flow, Fonts};
use crate::registers::{finish, heading, totals, TableTemplate};
use crate::requisites::{Bilingual, OfficeRequisites};
use crate::sheet::fill;
use crate::DocumentError;

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

pub(crate) const FILE: &str = "queue_extract.json";
/// The columns a queue extract template may show.
pub(crate) const KEYS: &[&str] = &["position", "registration_number", "registered_at", "category", "note"];

pub(crate) fn layout_extract(
    fonts: &Fonts,
    t: &TableTemplate,
    q: &QueueExtract,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
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
