//! The receipt of an intake: an acceptance receipt, or — for a package
//! refused at intake — the receipt of refusal to accept documents listing
//! what is missing.

use chrono::Datelike;
use kense_documents::{AcceptanceReceipt, RefusalReceipt, RepresentativeLine};
use kense_domain::access::{Action, Actor};
use kense_domain::application::Status;
use kense_domain::audit::short;
use kense_domain::Error;
use kense_storage::{ApplicationRecord, Office};

use super::{file_and_record, requisites, text, Printed};
use crate::verification::{canonical_content, vouch, ACCEPTANCE, REFUSAL};
use crate::{clock, Workstation};

fn channel_of(rec: &ApplicationRecord) -> Option<kense_documents::Bilingual> {
    kense_domain::catalog::Channel::parse(&rec.channel).map(|c| text(&c.name()))
}

fn representative_of(rec: &ApplicationRecord) -> Option<RepresentativeLine> {
    rec.representative.as_ref().map(|r| RepresentativeLine {
        name: r.name.clone(),
        iin: r.iin.clone(),
        poa_number: r.poa_number.clone(),
        poa_date: r.poa_date.clone(),
    })
}

fn refusal_of(rec: &ApplicationRecord, office: &Office, chain_head: &str, copy_number: u32) -> RefusalReceipt {
    RefusalReceipt {
        registration_number: rec.number.clone(),
        registered_at: rec.registered_at.naive_local(),
        office: requisites(office),
        service_name: text(&rec.service_name),
        channel: channel_of(rec),
        applicant_name: rec.applicant_name.clone(),
        representative: representative_of(rec),
        applicant_address: (!rec.applicant_address.is_empty()).then(|| rec.applicant_address.clone()),
        // Exactly the grounds: each needed document not presented, and each
        // presented one whose term has run out.
        missing_documents: rec.documents.iter().filter_map(|d| d.refusal_line()).map(|l| text(&l)).collect(),
        refused_by: rec.registered_by.clone(),
        executor: None,
        executor_phone: (!office.phone.is_empty()).then(|| office.phone.clone()),
        audit_chain_head: Some(short(chain_head).to_owned()),
        copy_number,
        verification: None,
    }
}

fn receipt_of(rec: &ApplicationRecord, office: &Office, chain_head: &str, copy_number: u32) -> AcceptanceReceipt {
    AcceptanceReceipt {
        registration_number: rec.number.clone(),
        registered_at: rec.registered_at.naive_local(),
        office: requisites(office),
        service_name: text(&rec.service_name),
        channel: channel_of(rec),
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        applicant_phone: rec.applicant_phone.clone(),
        representative: representative_of(rec),
        // The consent is given by whoever lodges the application: the
        // representative when there is one (the stricter reading: the
        // applicant did not sign at the counter).
        consent_by: Some(text(&match &rec.representative {
            Some(r) => kense_domain::Bilingual::new(format!("өкіл {}", r.name), format!("представитель {}", r.name)),
            None => kense_domain::Bilingual::new(
                format!("өтініш беруші {}", rec.applicant_name),
                format!("заявитель {}", rec.applicant_name),
            ),
        })),
        subject_name: rec.child_name.clone(),
        subject_iin: rec.child_iin.clone(),
        subject_birth_date: rec.child_birth_date,
        documents: rec.documents.iter().filter(|d| d.presented).map(|d| text(&d.name)).collect(),
        // The whole application's due moment, from the norms on the calendar.
        expected_result_date: rec
            .due_at
            .as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.date_naive()),
        accepted_by: rec.registered_by.clone(),
        executor: None,
        executor_phone: None,
        audit_chain_head: Some(short(chain_head).to_owned()),
        copy_number,
        verification: None,
    }
}

/// Makes the intake receipt's PDF, files it under the data directory and
/// records its hash. The same record and copy number always give the same
/// bytes; a reprint carries its copy number.
pub fn issue(station: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, office, head) = station.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        Ok((rec, reg.office()?, reg.audit_head()?))
    })?;
    let kind = if rec.status == Status::RefusedAtIntake { REFUSAL } else { ACCEPTANCE };
    let copy = station.with_registry(|reg| reg.next_copy_number(application_id, kind))?;
    let typesetter = station.typesetter()?;
    let verification = vouch(station, &rec.number, kind, copy, &head, &canonical_content(&rec, kind))?;
    let qr_text = verification.qr_text.clone();
    let bytes = match kind {
        REFUSAL => typesetter.refusal_receipt(&RefusalReceipt {
            verification: Some(verification),
            ..refusal_of(&rec, &office, &head, copy)
        }),
        _ => typesetter.acceptance_receipt(&AcceptanceReceipt {
            verification: Some(verification),
            ..receipt_of(&rec, &office, &head, copy)
        }),
    }
    .map_err(|e| Error::Document(e.to_string()))?;
    let year = rec.registered_at.year();
    file_and_record(
        station,
        actor,
        Action::PrintDocument,
        (rec.id, kind, copy),
        (year, &rec.number),
        qr_text,
        bytes,
        kind,
    )
}

#[cfg(test)]
mod tests {
    use kense_domain::access::Role;
    use kense_domain::application::{ApplicationDraft, PresentedDocument};
    use kense_domain::catalog::DocumentKind;
    use kense_domain::user::NewUser;
    use kense_domain::workflow::Status;

    use crate::{clock, register, Workstation};

    const PW: &str = "құпия сөз 2026";

    fn pdf_text(path: &str) -> String {
        std::process::Command::new("pdftotext")
            .args(["-layout", path, "-"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap()
    }

    /// Service 11 (foster family) at the counter: the clerk ticks what is
    /// there, marks the marriage-certificate condition as applying and the
    /// identity document as expired. The receipt of refusal to accept names
    /// exactly the three grounds, in both languages, and nothing presented.
    #[test]
    fn the_refusal_receipt_names_exactly_the_missing_and_expired_documents() {
        let dir = std::env::temp_dir().join(format!("kense-checklist-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let station = Workstation::start(Ok(dir.clone()), false);
        let now = clock::now();
        let clerk = station
            .with_registry(|r| {
                let admin = NewUser::validate("admin", "Әкімші Бақыт", vec![Role::Administrator, Role::Clerk])?;
                r.create_first_administrator(&admin, PW, PW, now)
            })
            .unwrap();
        let draft = ApplicationDraft {
            service_code: "foster_family".into(),
            applicant_iin: "900101300007".into(),
            applicant_name: "Қабылдаушы Әсел".into(),
            applicant_phone: "+7 701 000 11 22".into(),
            documents: vec!["application".into(), "identity_document".into(), "health_certificates".into()],
            conditions_apply: vec!["marriage_certificate".into()],
            expired: vec!["identity_document".into()],
            consent: true,
            ..Default::default()
        };
        let registration = register::register(&station, &clerk, &draft).unwrap();
        assert_eq!(registration.registered.status, Status::RefusedAtIntake);

        // The checklist reads back with the catalog's kinds and the clerk's marks.
        let rec = station.with_registry(|r| r.application(&clerk, registration.registered.id, now)).unwrap();
        let line = |code: &str| rec.documents.iter().find(|d| d.code == code).unwrap().clone();
        let marriage = line("marriage_certificate");
        assert!(matches!(marriage.kind, DocumentKind::Conditional { .. }));
        assert!(marriage.condition_applies && marriage.required && !marriage.presented);
        assert!(line("identity_document").expired);
        assert_eq!(line("health_certificates").kind, DocumentKind::Required);
        let grounds: Vec<&str> = rec
            .documents
            .iter()
            .filter(|d| d.ground().is_some())
            .map(|d: &PresentedDocument| d.code.as_str())
            .collect();
        assert_eq!(grounds, ["identity_document", "marriage_certificate", "dispensary_certificates"]);

        let receipt = registration.filed.papers.iter().find(|p| p.kind == super::REFUSAL).expect("the refusal receipt");
        let text = pdf_text(&receipt.path);
        for named in [
            "Неке қию туралы куәліктің көшірмесі",
            "Копия свидетельства о заключении брака",
            "Наркологиялық және психиатриялық диспансерлерде",
            "наркологическом и психиатрическом диспансерах",
            "(қолданылу мерзімі өткен)",
            "(истёк срок действия)",
        ] {
            assert!(text.contains(named), "{named:?} is not on the receipt: {text}");
        }
        // Presented and valid, or never needed: not on the receipt.
        for absent in ["Көрсетілетін қызметті алушының өтініші", "Заявление услугополучателя", "№ 692"]
        {
            assert!(!text.contains(absent), "{absent:?} is on the receipt: {text}");
        }
        // One expired document: marked as often as one missing one is named.
        assert_eq!(
            text.matches("(қолданылу мерзімі өткен)").count(),
            text.matches("Неке қию туралы куәліктің көшірмесі").count(),
            "{text}"
        );
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
