//! The queue of one birth year as a public extract: numbers, registration
//! moments and categories, no child's name.

use kense_documents::{QueueExtract, QueueExtractRow};
use kense_domain::access::Actor;
use kense_domain::Error;

use super::{category_name, file_report, requisites, Printed};
use crate::{clock, Workstation};

/// The queue of one birth year, by number and category only: the public
/// extract names no child (Law No. 94-V on personal data).
pub fn print(station: &Workstation, actor: &Actor, birth_year: i32) -> Result<Printed, Error> {
    let now = clock::now();
    let (rows, office, rules) = station
        .with_registry(|reg| Ok((reg.queue(actor, birth_year, u32::MAX, now)?, reg.office()?, reg.queue_rules()?)))?;
    let mut totals: Vec<(kense_documents::Bilingual, u32)> = Vec::new();
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| r.position.is_some()) {
        let category = category_name(&rules, &r.category);
        match totals.iter_mut().find(|(c, _)| *c == category) {
            Some((_, n)) => *n += 1,
            None => totals.push((category.clone(), 1)),
        }
        out.push(QueueExtractRow {
            position: r.position.unwrap_or_default(),
            registration_number: r.number.clone(),
            registered_at: chrono::NaiveDateTime::parse_from_str(&r.queued_at, "%Y-%m-%dT%H:%M:%S")
                .map_err(|e| Error::Storage(format!("queued_at: {e}")))?,
            category,
            note: None,
        });
    }
    let doc =
        QueueExtract { office: requisites(&office), birth_year, generated_at: now.naive_local(), rows: out, totals };
    let bytes = station.typesetter()?.queue_extract(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_report(station, actor, "queue-extract", &format!("{birth_year}-{}", now.format("%Y%m%d-%H%M%S")), bytes)
}
