//! What each paper's QR code vouches for, and the check of a scanned one.
//!
//! The one place that knows every kind of paper that carries a verification
//! code: its kind string, and the canonical content of the record the code
//! is computed over. The paper modules take their kind and content from
//! here when they print; [`check`] and [`look_up`] use the same to answer
//! whether a paper presented at the counter is one the office issued, and
//! whether the record still says what the paper says. Nothing here imports
//! from `paper`, so printing and checking cannot drift apart in a circle.

use kense_documents::Verification;
use kense_domain::access::Actor;
use kense_domain::application::Status;
use kense_domain::audit::short;
use kense_domain::verification::{self as code, Verdict};
use kense_domain::Error;
use kense_storage::{papers, ApplicationRecord, ReferralRecord};
use serde::Serialize;

use crate::{clock, Workstation};

/// The acceptance receipt of a complete package.
pub const ACCEPTANCE: &str = papers::RECEIPT;
/// The receipt of refusal to accept documents (an incomplete package).
pub const REFUSAL: &str = papers::REFUSAL_RECEIPT;
/// The signed result: certificate, decision or reasoned refusal.
pub const RESULT: &str = "result";
/// The notification of a child's number in the preschool queue.
pub const QUEUE_NOTIFICATION: &str = papers::QUEUE_NOTIFICATION;
/// The referral to a kindergarten; it carries its own number ("Ж-…").
pub const REFERRAL: &str = "referral";
/// The history of a child's number in the queue.
pub const QUEUE_HISTORY: &str = "queue-history";

/// The kind a referral's prints are recorded under: its own number beside
/// the kind, because one application may be given several referrals.
pub fn referral_print_kind(referral_number: &str) -> String {
    format!("{REFERRAL}:{referral_number}")
}

/// The facts of the record a document states, canonically: what its
/// verification code vouches for (every kind printed for an application
/// but the result). Office requisites are left out so that renaming the
/// office does not make every earlier paper "changed".
pub fn canonical_content(rec: &ApplicationRecord, kind: &str) -> String {
    let documents: Vec<(&str, bool, bool)> =
        rec.documents.iter().map(|d| (d.name.kk.as_str(), d.required, d.presented)).collect();
    serde_json::json!({
        "kind": kind,
        "number": rec.number,
        "registered_at": rec.registered_at.to_rfc3339(),
        "service": rec.service_code,
        "applicant": [rec.applicant_iin, rec.applicant_name],
        "child": [rec.child_iin, rec.child_name, rec.child_birth_date],
        "documents": documents,
    })
    .to_string()
}

/// What a result's verification code vouches for: the record's facts and
/// the signed result itself.
pub fn result_content(rec: &ApplicationRecord) -> String {
    let result = rec.result.as_ref();
    let mut content = serde_json::json!({
        "kind": RESULT,
        "number": rec.number,
        "service": rec.service_code,
        "applicant": [rec.applicant_iin, rec.applicant_name],
        "child": [rec.child_iin, rec.child_name, rec.child_birth_date],
        "result": result.map(|r| (r.version, &r.outcome, &r.reason_code, &r.explanation, &r.signed_by, &r.signed_at)),
    });
    // A result form other than the first is vouched for too. The first
    // adds nothing, so that codes printed before forms were recorded (all
    // of them the first) still verify.
    if let (Some(r), Some(fields)) = (result.filter(|r| r.form > 0), content.as_object_mut()) {
        fields.insert("form".into(), r.form.into());
    }
    content.to_string()
}

/// What a referral's verification code vouches for: the facts printed on it
/// that never change. Its status is left out and shown beside the verdict.
pub fn referral_content(r: &ReferralRecord) -> String {
    serde_json::json!({
        "kind": REFERRAL,
        "number": r.number,
        "application": r.application_number,
        "child": [r.child_iin, r.child_name, r.child_birth_date],
        "applicant": [r.applicant_iin, r.applicant_name],
        "kindergarten": [r.kindergarten.kk, r.group_name],
        "issued_at": r.issued_at,
        "valid_until": r.valid_until,
    })
    .to_string()
}

/// The QR code every paper carries: the office's code over the paper's
/// number, kind, copy, the chain head and its canonical content.
pub fn vouch(
    station: &Workstation,
    number: &str,
    kind: &str,
    copy: u32,
    chain_head: &str,
    canonical: &str,
) -> Result<Verification, Error> {
    let key = station.verification_key()?;
    let qr_text = code::qr_text(&key, number, kind, copy, short(chain_head), &code::content_hash(canonical));
    Ok(Verification { qr_text, caption: format!("Тексеру / Проверка: {number}") })
}

/// What the office's registry says of a scanned verification text.
#[derive(Debug, Serialize)]
pub struct Checked {
    pub verdict: Verdict,
    pub number: String,
    pub kind: String,
    pub copy: u32,
    pub status: Status,
    pub service_name: kense_domain::Bilingual,
    pub applicant_name: String,
    pub registered_at: String,
    pub printed_at: Option<String>,
    /// For a referral: what the kindergarten needs to see.
    pub referral: Option<ReferralFacts>,
}

#[derive(Debug, Serialize)]
pub struct ReferralFacts {
    pub status: kense_domain::queue::ReferralStatus,
    pub kindergarten: kense_domain::Bilingual,
    pub valid_until: String,
    pub child_name: String,
}

impl From<ReferralRecord> for ReferralFacts {
    fn from(r: ReferralRecord) -> Self {
        ReferralFacts {
            status: r.status,
            kindergarten: r.kindergarten,
            valid_until: r.valid_until,
            child_name: r.child_name,
        }
    }
}

/// The longest text a scanned code may be; anything longer is not ours.
const MAX_SCANNED: usize = 500;

/// Checks a scanned QR text against the registry: was this paper printed
/// here, and does the record still say what it says?
pub fn check(station: &Workstation, actor: &Actor, text: &str) -> Result<Checked, Error> {
    if text.len() > MAX_SCANNED {
        return Err(Error::NotOurCode);
    }
    let now = clock::now();
    let vouched = code::parse(text).ok_or(Error::NotOurCode)?;
    let key = station.verification_key()?;
    let is_referral = vouched.kind == REFERRAL;
    let (rec, printed, referral) = station.with_registry(|reg| {
        let printed = reg.issued_by_verification(actor, text.trim(), now)?;
        let referral = if is_referral { reg.referral_by_number(&vouched.number)? } else { None };
        let id = match (&printed, &referral) {
            (Some((id, _)), _) => *id,
            (None, Some(r)) => r.application_id,
            (None, None) => reg.application_id_by_number(&vouched.number)?.ok_or(Error::NotOurCode)?,
        };
        Ok((reg.application(actor, id, now)?, printed, referral))
    })?;
    let canonical = match &referral {
        Some(r) => referral_content(r),
        None if is_referral => return Err(Error::NotOurCode),
        None if vouched.kind == RESULT => result_content(&rec),
        None => canonical_content(&rec, &vouched.kind),
    };
    let content = code::content_hash(&canonical);
    let original = printed.as_ref().map(|_| vouched.code.as_str());
    let verdict = match code::verify(&key, &vouched, &content, original) {
        // A valid code for a paper the registry has no print of: forged.
        Verdict::Valid if printed.is_none() => Verdict::Forged,
        v => v,
    };
    Ok(Checked {
        verdict,
        number: vouched.number.clone(),
        kind: vouched.kind.clone(),
        copy: vouched.copy,
        status: rec.status,
        service_name: rec.service_name.clone(),
        applicant_name: rec.applicant_name.clone(),
        registered_at: rec.registered_at.to_rfc3339(),
        printed_at: printed.map(|(_, at)| at),
        referral: referral.map(ReferralFacts::from),
    })
}

/// What the registry says of a paper looked up by its number and an IIN on
/// it (no QR code at hand): the record and what was printed for it, for the
/// person to compare with the paper.
#[derive(Debug, Serialize)]
pub struct Looked {
    pub number: String,
    pub status: Status,
    pub service_name: kense_domain::Bilingual,
    pub applicant_name: String,
    pub registered_at: String,
    /// (kind, copy, printed at)
    pub printed: Vec<(String, u32, String)>,
    pub referral: Option<ReferralFacts>,
}

/// Finds a paper by its number (an application's, or a referral's "Ж-…")
/// and the applicant's or the child's IIN. A wrong IIN reads as not found,
/// so numbers cannot be probed for names.
pub fn look_up(station: &Workstation, actor: &Actor, number: &str, iin: &str) -> Result<Looked, Error> {
    // Longer than any number or IIN the office gives: nothing to look for.
    if number.len() > 40 || iin.len() > 12 {
        return Err(Error::NotFound);
    }
    let now = clock::now();
    let (number, iin) = (number.trim(), iin.trim());
    station.with_registry(|reg| {
        let referral = reg.referral_by_number(number)?;
        let id = match &referral {
            Some(r) => r.application_id,
            None => reg.application_id_by_number(number)?.ok_or(Error::NotFound)?,
        };
        let rec = reg.application(actor, id, now)?;
        if iin.is_empty() || (rec.applicant_iin != iin && rec.child_iin.as_deref() != Some(iin)) {
            return Err(Error::NotFound);
        }
        let kind_of_referral = referral.as_ref().map(|r| referral_print_kind(&r.number));
        let printed = reg
            .printed_documents(id)?
            .into_iter()
            .filter(|(kind, _, _)| kind_of_referral.as_ref().is_none_or(|k| k == kind))
            .collect();
        Ok(Looked {
            number: number.to_owned(),
            status: rec.status,
            service_name: rec.service_name.clone(),
            applicant_name: rec.applicant_name.clone(),
            registered_at: rec.registered_at.to_rfc3339(),
            printed,
            referral: referral.map(ReferralFacts::from),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DEMO_LOGIN, DEMO_PASSWORD};
    use crate::paper;
    use kense_domain::queue::{Assignment, Places};

    /// Every kind of the preschool queue's paper, printed, reads back as
    /// valid: what `paper` vouched for is what this module checks. A code
    /// that was not made with the office's key reads as forged.
    #[test]
    fn every_paper_printed_verifies_and_a_forged_code_does_not() {
        let dir = std::env::temp_dir().join(format!("kense-verification-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let station = Workstation::start(Ok(dir.clone()), true);
        let now = clock::now();
        let (admin, head, id, year) = station
            .with_registry(|r| {
                let admin = r.log_in(DEMO_LOGIN, DEMO_PASSWORD, now)?;
                let head = r.log_in("head", DEMO_PASSWORD, now)?;
                let year = r.queue_years(&admin, now)?[0].birth_year;
                let first = r.queue(&admin, year, 1, now)?.remove(0);
                Ok((admin, head, first.application_id, year))
            })
            .unwrap();
        let verdict = |text: &str| check(&station, &admin, text).map(|c| (c.kind, c.verdict)).unwrap();
        for (kind, printed) in [
            (ACCEPTANCE, paper::receipt::issue(&station, &admin, id).unwrap()),
            (QUEUE_NOTIFICATION, paper::queue_notification::print(&station, &admin, id).unwrap()),
            (QUEUE_HISTORY, paper::queue_history::print(&station, &admin, id).unwrap()),
        ] {
            assert_eq!(verdict(&printed.verification), (kind.to_owned(), Verdict::Valid));
        }

        let referral = station
            .with_registry(|r| {
                let group = r.kindergartens(&admin, now)?[0].groups.iter().find(|g| g.birth_year == year).unwrap().id;
                r.declare_places(&head, &Places { group_id: group, count: 1, protocol: "№ 1".into() }, now)?;
                let proposed = r.preview_distribution(&head, now)?;
                let assignments: Vec<Assignment> =
                    proposed.iter().map(|p| Assignment { place: p.place_id, entry: p.application_id }).collect();
                let calendar = station.calendar(r)?;
                Ok(r.distribute(&head, &assignments, &calendar, now)?.remove(0))
            })
            .unwrap();
        let printed = paper::referral::print(&station, &head, referral.id).unwrap();
        assert_eq!(verdict(&printed.verification), (REFERRAL.to_owned(), Verdict::Valid));
        // Looked up by its own number, a referral shows its own prints only.
        let child_iin = referral.child_iin.clone();
        let looked = look_up(&station, &admin, &referral.number, &child_iin).unwrap();
        assert_eq!(looked.printed.len(), 1, "{:?}", looked.printed);
        assert_eq!(looked.printed[0].0, referral_print_kind(&referral.number));
        assert!(look_up(&station, &admin, &referral.number, "000000000000").is_err());

        let mut forged = printed.verification.clone();
        let last = if forged.ends_with('A') { 'B' } else { 'A' };
        forged.pop();
        forged.push(last);
        assert_eq!(verdict(&forged).1, Verdict::Forged);
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
