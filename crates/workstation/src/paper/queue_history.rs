//! The history of a child's number in the queue, as a signed paper for the
//! parent who asks why it changed: every change of its number and of its
//! standing (referred, stop-listed with the list's last day, back, enrolled,
//! out of the queue), dated dd.mm.yyyy.

use chrono::Datelike;
use kense_domain::access::{Action, Actor, Role};
use kense_domain::audit::short;
use kense_domain::Error;

use super::{date, file_and_record, office_stamp, requisites, signer, text, Printed};
use crate::verification::{canonical_content, vouch, QUEUE_HISTORY};
use crate::{clock, Workstation};

/// The history of a child's number as a signed paper for the parent who asks
/// why it changed: every change with its date and cause, in the generic
/// layout of the office's results.
pub fn print(station: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, entry, changes, office, head, stamp) = station.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        let entry = reg.queue_entry(actor, application_id, now)?.ok_or(Error::NotFound)?;
        let changes = reg.position_history(actor, application_id, now)?;
        Ok((rec, entry, changes, reg.office()?, reg.audit_head()?, office_stamp(reg)?))
    })?;
    let number = |n: Option<u32>| n.map_or_else(|| "—".to_owned(), |n| n.to_string());
    let mut fields = Vec::with_capacity(changes.len() + 1);
    for c in &changes {
        let name = c.cause.name();
        let whose = match (&c.subject_number, c.own, c.distribution_id) {
            (_, true, _) => String::new(),
            (_, false, Some(d)) => format!(" (тарату / распределение № {d})"),
            (Some(n), false, None) => format!(" (өтініш / заявление № {n})"),
            (None, false, None) => String::new(),
        };
        let until = match c.until.as_deref().map(date).transpose()? {
            Some(d) => format!(" ({0} дейін / до {0})", d.format("%d.%m.%Y")),
            None => String::new(),
        };
        let on = date(&c.at)?.format("%d.%m.%Y").to_string();
        fields.push(kense_documents::ResultField {
            label: kense_documents::Bilingual { kk: on.clone(), ru: on },
            value: format!("{} → {}: {} / {}{whose}{until}", number(c.from), number(c.to), name.kk, name.ru),
        });
    }
    fields.insert(
        0,
        kense_documents::ResultField {
            label: kense_documents::Bilingual {
                kk: "Қазіргі нөмірі".into(), ru: "Текущий номер".into()
            },
            value: format!("{} ({} ж. / г.)", number(entry.position), entry.birth_year),
        },
    );
    let copy = station.with_registry(|reg| reg.next_copy_number(application_id, QUEUE_HISTORY))?;
    let verification =
        vouch(station, &rec.number, QUEUE_HISTORY, copy, &head, &canonical_content(&rec, QUEUE_HISTORY))?;
    let qr_text = verification.qr_text.clone();
    let doc = kense_documents::ServiceResult {
        number: rec.number.clone(),
        issued_at: now.naive_local(),
        office: requisites(&office),
        title: kense_documents::Bilingual {
            kk: "Кезек нөмірінің өзгеру тарихы".into(),
            ru: "История изменения номера в очереди".into(),
        },
        service_name: text(&rec.service_name),
        registration_number: rec.number.clone(),
        registered_on: rec.registered_at.date_naive(),
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        subject_name: Some(entry.child_name.clone()),
        subject_iin: Some(entry.child_iin.clone()),
        fields,
        text: None,
        signer: signer(&actor.full_name, actor.has(Role::Head)),
        stamp,
        copy_number: copy,
        verification: Some(verification),
        audit_chain_head: Some(short(&head).to_owned()),
        together: Vec::new(),
    };
    let bytes = station.typesetter()?.service_result(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_and_record(
        station,
        actor,
        Action::ViewQueue,
        (application_id, QUEUE_HISTORY, copy),
        (rec.registered_at.year(), &rec.number),
        qr_text,
        bytes,
        QUEUE_HISTORY,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DEMO_LOGIN, DEMO_PASSWORD};
    use kense_domain::queue::{Assignment, Places};

    /// A child whose referral expired is on the stop list: its history on
    /// paper says so, with the list's last day, every date as dd.mm.yyyy.
    #[test]
    fn the_history_of_a_stop_listed_child_says_why() {
        let dir = std::env::temp_dir().join(format!("kense-queue-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let station = Workstation::start(Ok(dir.clone()), true);
        let now = clock::now();
        let (admin, referral) = station
            .with_registry(|r| {
                let admin = r.log_in(DEMO_LOGIN, DEMO_PASSWORD, now)?;
                let head = r.log_in("head", DEMO_PASSWORD, now)?;
                let year = r.queue_years(&admin, now)?[0].birth_year;
                let groups = r.kindergartens(&admin, now)?[0].groups.clone();
                let group = groups.iter().find(|g| g.birth_year == year).ok_or(Error::NotFound)?.id;
                r.declare_places(&head, &Places { group_id: group, count: 1, protocol: "№ 1".into() }, now)?;
                let assignments: Vec<Assignment> = r
                    .preview_distribution(&head, now)?
                    .iter()
                    .map(|p| Assignment { place: p.place_id, entry: p.application_id })
                    .collect();
                let calendar = station.calendar(r)?;
                Ok((admin, r.distribute(&head, &assignments, &calendar, now)?.remove(0)))
            })
            .unwrap();
        let until = super::super::date(&referral.valid_until).unwrap();
        let after = until.succ_opt().unwrap().and_hms_opt(9, 0, 0).unwrap().and_local_timezone(*now.offset()).unwrap();
        let stop_until = station
            .with_registry(|r| {
                r.sweep_queue(after)?;
                Ok(r.queue_entry(&admin, referral.application_id, after)?.and_then(|e| e.stop_until))
            })
            .unwrap()
            .unwrap();
        let printed = print(&station, &admin, referral.application_id).unwrap();
        let text = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8", &printed.path, "-"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap();
        let last_day = super::super::date(&stop_until).unwrap().format("%d.%m.%Y").to_string();
        for expected in [
            "жолдама мерзімі өтті, бала стоп-параққа енгізілді",
            "срок направления истёк, ребёнок включён в стоп-лист",
            &format!("{last_day} дейін / до {last_day}"),
            &after.format("%d.%m.%Y").to_string(),
            &now.format("%d.%m.%Y").to_string(),
        ] {
            assert!(text.contains(expected), "the history paper lacks {expected:?}: {text}");
        }
        assert!(!text.contains(&now.format("%Y-%m-%d").to_string()), "an ISO date on the paper: {text}");
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
