//! What each paper's QR code vouches for, and the check of a scanned one.
//!
//! The one place that knows every kind of paper that carries a verification
//! code: its kind string, and the canonical content of the record the code
//! is computed over. The paper modules take their kind and content from
//! here when they print; [`check`] and [`look_up`] use the same to answer
//! whether a paper presented at the counter is one the office issued, and
//! whether the record still says what the paper says. They gather what the
//! registry knows of the paper's record (outside edits, corrections, a
//! newer version, the referral's life, the child's queue history) and the
//! domain's [`standing`] decides what the paper is worth today; the window
//! only words it. Nothing here imports from `paper`, so printing and
//! checking cannot drift apart in a circle.

use chrono::{DateTime, FixedOffset, NaiveDate};
use kense_documents::Verification;
use kense_domain::access::Actor;
use kense_domain::application::Status;
use kense_domain::audit::short;
use kense_domain::verification::{self as code, standing, Code, Facts, ReferralLife, Standing};
use kense_domain::Error;
use kense_storage::{papers, ApplicationRecord, CorrectionRecord, PositionChangeRecord, ReferralRecord, Registry};
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
    // Each line as (name, needed, presented), the form papers printed before
    // kinds existed were vouched for; an expired one adds a fourth mark, so
    // that those earlier codes still verify.
    let documents: Vec<serde_json::Value> = rec
        .documents
        .iter()
        .map(|d| {
            if d.expired {
                serde_json::json!([d.name.kk, d.required, d.presented, "expired"])
            } else {
                serde_json::json!([d.name.kk, d.required, d.presented])
            }
        })
        .collect();
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
    // So are the facts it states; a result stating none adds nothing, as
    // every result printed before they were kept.
    if let (Some(r), Some(content)) = (result.filter(|r| !r.fields.is_empty()), content.as_object_mut()) {
        content.insert("fields".into(), serde_json::json!(r.fields));
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
    /// What the paper is worth today: the verify screen's headline.
    pub standing: Standing,
    pub number: String,
    pub kind: String,
    pub copy: u32,
    /// The record the paper's number names; `None` when the registry has
    /// no record with that number.
    pub record: Option<RecordFacts>,
    pub printed_at: Option<String>,
    /// For a referral: what the kindergarten needs to see.
    pub referral: Option<ReferralFacts>,
}

/// The application a paper belongs to, as the verify screen shows it.
#[derive(Debug, Serialize)]
pub struct RecordFacts {
    pub status: Status,
    pub service_name: kense_domain::Bilingual,
    pub applicant_name: String,
    pub registered_at: String,
}

impl From<&ApplicationRecord> for RecordFacts {
    fn from(rec: &ApplicationRecord) -> Self {
        RecordFacts {
            status: rec.status,
            service_name: rec.service_name.clone(),
            applicant_name: rec.applicant_name.clone(),
            registered_at: rec.registered_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ReferralFacts {
    pub status: kense_domain::queue::ReferralStatus,
    pub kindergarten: kense_domain::Bilingual,
    /// Its last valid day, `YYYY-MM-DD` (the window shows it dd.mm.yyyy).
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

/// A stored moment (RFC 3339); a malformed one is a fault of the data.
fn moment(at: &str) -> Result<DateTime<FixedOffset>, Error> {
    DateTime::parse_from_rfc3339(at).map_err(|e| Error::Storage(format!("stored moment {at:?}: {e}")))
}

fn day(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Storage(format!("stored date {s:?}: {e}")))
}

/// What the registry knows of a paper's application besides the code:
/// read in one lock, decided on by [`standing`] outside it.
struct Record {
    rec: ApplicationRecord,
    outside_edits: bool,
    corrections: Vec<CorrectionRecord>,
    /// The child's queue history, for the papers that state its place.
    queue_history: Vec<PositionChangeRecord>,
    referral: Option<ReferralRecord>,
    newer_referral: Option<ReferralRecord>,
}

impl Record {
    fn read(
        reg: &mut Registry,
        actor: &Actor,
        id: i64,
        kind: &str,
        referral: Option<ReferralRecord>,
    ) -> Result<Record, Error> {
        let rec = reg.application(actor, id, clock::now())?;
        let outside_edits = !reg.outside_edits_of(id)?.is_empty();
        let corrections = reg.corrections_of(id)?;
        let queue_history =
            if matches!(kind, QUEUE_NOTIFICATION | QUEUE_HISTORY) { reg.position_changes(id)? } else { Vec::new() };
        let newer_referral = match &referral {
            Some(r) => reg.newer_referral(r.id)?,
            None => None,
        };
        Ok(Record { rec, outside_edits, corrections, queue_history, referral, newer_referral })
    }

    /// The facts [`standing`] decides on, for a paper printed at `printed`
    /// (`None`: no recorded print, or none in particular — a look-up).
    fn facts(&self, kind: &str, printed: Option<DateTime<FixedOffset>>, today: NaiveDate) -> Result<Facts, Error> {
        let mut facts = Facts::on(today);
        facts.outside_edits = self.outside_edits;
        if self.rec.status == Status::Withdrawn {
            match self.rec.history.iter().rev().find(|h| h.to_status == Status::Withdrawn) {
                Some(h) => facts.withdrawn = Some(moment(&h.at)?.date_naive()),
                // Withdrawn with no recorded step that withdrew it: the
                // status was written behind Kense's back.
                None => facts.outside_edits = true,
            }
        }
        if let Some(r) = &self.referral {
            facts.referral = Some(ReferralLife {
                status: r.status,
                status_on: moment(&r.status_at)?.date_naive(),
                valid_until: day(&r.valid_until)?,
                newer: match &self.newer_referral {
                    Some(n) => Some((n.number.clone(), moment(&n.issued_at)?.date_naive())),
                    None => None,
                },
            });
        }
        let Some(printed) = printed else { return Ok(facts) };
        // Moments are stored to the second. A correction or a result version
        // is only consulted when the paper no longer matches the record, so
        // one in the print's own second counts as after it; a queue history
        // row in that second (the registration's own) does not, or every
        // notification printed at registration would read as outdated.
        if kind == RESULT {
            if let Some(r) = &self.rec.result {
                let prepared = moment(&r.prepared_at)?;
                if prepared >= printed {
                    facts.newer_result = Some((r.version, prepared.date_naive()));
                }
            }
        }
        for c in &self.corrections {
            let at = moment(&c.at)?;
            if at >= printed {
                facts.correction = Some((at.date_naive(), c.by.clone()));
                break;
            }
        }
        for c in &self.queue_history {
            let at = moment(&c.at)?;
            if at > printed {
                facts.queue_changed = Some(at.date_naive());
                break;
            }
        }
        Ok(facts)
    }
}

/// Checks a scanned QR text against the registry: was this paper printed
/// here, does the record still say what it says, and does it still hold
/// (see [`standing`] for the order the answers are taken in).
pub fn check(station: &Workstation, actor: &Actor, text: &str) -> Result<Checked, Error> {
    if text.len() > MAX_SCANNED {
        return Err(Error::NotOurCode);
    }
    let now = clock::now();
    let vouched = code::parse(text).ok_or(Error::NotOurCode)?;
    let key = station.verification_key()?;
    let is_referral = vouched.kind == REFERRAL;
    let (record, printed) = station.with_registry(|reg| {
        let printed = reg.issued_by_verification(actor, text.trim(), now)?;
        let referral = if is_referral { reg.referral_by_number(&vouched.number)? } else { None };
        let id = match (&printed, &referral) {
            (Some((id, _)), _) => Some(*id),
            (None, Some(r)) => Some(r.application_id),
            (None, None) if is_referral => None,
            (None, None) => reg.application_id_by_number(&vouched.number)?,
        };
        let record = id.map(|id| Record::read(reg, actor, id, &vouched.kind, referral)).transpose()?;
        Ok((record, printed))
    })?;
    let printed_at = printed.map(|(_, at)| at);
    let standing = match &record {
        None => standing(Code::Unknown, &Facts::on(now.date_naive())),
        // A recorded print of a referral the registry no longer has: its
        // record was removed behind Kense's back.
        Some(r) if is_referral && r.referral.is_none() => Standing::ChangedOutside,
        Some(r) => {
            let canonical = match &r.referral {
                Some(referral) => referral_content(referral),
                None if vouched.kind == RESULT => result_content(&r.rec),
                None => canonical_content(&r.rec, &vouched.kind),
            };
            let original = printed_at.as_ref().map(|_| vouched.code.as_str());
            let verdict = code::verify(&key, &vouched, &code::content_hash(&canonical), original);
            let printed = printed_at.as_deref().map(moment).transpose()?;
            let code = Code::of(verdict, printed.is_some());
            standing(code, &r.facts(&vouched.kind, printed, now.date_naive())?)
        }
    };
    Ok(Checked {
        standing,
        number: vouched.number.clone(),
        kind: vouched.kind.clone(),
        copy: vouched.copy,
        record: record.as_ref().map(|r| RecordFacts::from(&r.rec)),
        printed_at,
        referral: record.and_then(|r| r.referral).map(ReferralFacts::from),
    })
}

/// What the registry says of a paper looked up by its number and an IIN on
/// it (no QR code at hand): the record and what was printed for it, for the
/// person to compare with the paper.
#[derive(Debug, Serialize)]
pub struct Looked {
    pub number: String,
    /// What the registry has against the paper's record (changed outside
    /// Kense, withdrawn; for a referral also superseded, used, cancelled,
    /// expired); `None` when nothing — without the code the paper's own
    /// content cannot be checked, so this is never "valid".
    pub standing: Option<Standing>,
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
    let (record, printed) = station.with_registry(|reg| {
        let referral = reg.referral_by_number(number)?;
        let id = match &referral {
            Some(r) => r.application_id,
            None => reg.application_id_by_number(number)?.ok_or(Error::NotFound)?,
        };
        let kind_of_referral = referral.as_ref().map(|r| referral_print_kind(&r.number));
        let record = Record::read(reg, actor, id, "", referral)?;
        let rec = &record.rec;
        if iin.is_empty() || (rec.applicant_iin != iin && rec.child_iin.as_deref() != Some(iin)) {
            return Err(Error::NotFound);
        }
        let printed: Vec<(String, u32, String)> = reg
            .printed_documents(id)?
            .into_iter()
            .filter(|(kind, _, _)| kind_of_referral.as_ref().is_none_or(|k| k == kind))
            .collect();
        Ok((record, printed))
    })?;
    let standing = standing(Code::AsPrinted, &record.facts("", None, now.date_naive())?);
    let rec = &record.rec;
    Ok(Looked {
        number: number.to_owned(),
        standing: (standing != Standing::Valid).then_some(standing),
        status: rec.status,
        service_name: rec.service_name.clone(),
        applicant_name: rec.applicant_name.clone(),
        registered_at: rec.registered_at.to_rfc3339(),
        printed,
        referral: record.referral.map(ReferralFacts::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DEMO_LOGIN, DEMO_PASSWORD};
    use crate::paper;
    use kense_domain::queue::{Assignment, Places, ReferralStatus, ReferralStep};
    use kense_domain::verification::{Ending, Use};
    use kense_domain::workflow::Command;

    /// A demo office in its own folder, with its administrator (also a
    /// clerk) and head logged in.
    struct Office {
        dir: std::path::PathBuf,
        station: Workstation,
        admin: Actor,
        head: Actor,
    }

    impl Office {
        fn open(name: &str) -> Office {
            let dir = std::env::temp_dir().join(format!("kense-verification-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let station = Workstation::start(Ok(dir.clone()), true);
            let now = clock::now();
            let (admin, head) = station
                .with_registry(|r| {
                    Ok((r.log_in(DEMO_LOGIN, DEMO_PASSWORD, now)?, r.log_in("head", DEMO_PASSWORD, now)?))
                })
                .unwrap();
            Office { dir, station, admin, head }
        }

        fn standing(&self, text: &str) -> Standing {
            check(&self.station, &self.admin, text).unwrap().standing
        }

        /// `count` free places in the first kindergarten's group of each
        /// birth year in `years`, distributed: the referrals issued.
        fn distribute(&self, years: &[i32], count: i64) -> Vec<ReferralRecord> {
            let (admin, head) = (&self.admin, &self.head);
            let now = clock::now();
            self.station
                .with_registry(|r| {
                    let groups = r.kindergartens(admin, now)?[0].groups.clone();
                    for year in years {
                        let group = groups.iter().find(|g| g.birth_year == *year).ok_or(Error::NotFound)?.id;
                        r.declare_places(head, &Places { group_id: group, count, protocol: "№ 1".into() }, now)?;
                    }
                    let assignments: Vec<Assignment> = r
                        .preview_distribution(head, now)?
                        .iter()
                        .map(|p| Assignment { place: p.place_id, entry: p.application_id })
                        .collect();
                    let calendar = self.station.calendar(r)?;
                    r.distribute(head, &assignments, &calendar, now)
                })
                .unwrap()
        }

        fn step(&self, referral: &ReferralRecord, expected: ReferralStatus, step: ReferralStep) {
            let (head, now) = (&self.head, clock::now());
            self.station.with_registry(|r| r.referral_step(head, referral.id, expected, step, "Себебі", now)).unwrap();
        }

        /// Writes to the registry file behind Kense's back, as someone with
        /// a database tool would.
        fn outside(&self, sql: &str) {
            let path = self.station.with_registry(|r| Ok(r.path().expect("a file registry").to_path_buf())).unwrap();
            rusqlite::Connection::open(path).unwrap().execute_batch(sql).unwrap();
        }
    }

    impl Drop for Office {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn today() -> NaiveDate {
        clock::now().date_naive()
    }

    /// Every kind of the preschool queue's paper, printed, reads back as
    /// valid: what `paper` vouched for is what this module checks. A code
    /// that was not made with the office's key reads as forged; one for a
    /// number the registry does not have, or made with the key but never
    /// recorded as printed, as not issued here.
    #[test]
    fn every_paper_printed_verifies_and_a_forged_code_does_not() {
        let o = Office::open("printed");
        let (admin, now) = (&o.admin, clock::now());
        let (id, year) = o
            .station
            .with_registry(|r| {
                let year = r.queue_years(admin, now)?[0].birth_year;
                let first = r.queue(admin, year, 1, now)?.remove(0);
                Ok((first.application_id, year))
            })
            .unwrap();
        let checked = |text: &str| check(&o.station, admin, text).map(|c| (c.kind, c.standing)).unwrap();
        for (kind, printed) in [
            (ACCEPTANCE, paper::receipt::issue(&o.station, admin, id).unwrap()),
            (QUEUE_NOTIFICATION, paper::queue_notification::print(&o.station, admin, id).unwrap()),
            (QUEUE_HISTORY, paper::queue_history::print(&o.station, admin, id).unwrap()),
        ] {
            assert_eq!(checked(&printed.verification), (kind.to_owned(), Standing::Valid));
        }
        // A second copy of a receipt is the same paper: it supersedes nothing.
        let first = paper::receipt::issue(&o.station, admin, id).unwrap();
        let second = paper::receipt::issue(&o.station, admin, id).unwrap();
        assert!(second.copy > first.copy);
        assert_eq!(o.standing(&first.verification), Standing::Valid);

        let referral = o.distribute(&[year], 1).remove(0);
        let printed = paper::referral::print(&o.station, &o.head, referral.id).unwrap();
        assert_eq!(checked(&printed.verification), (REFERRAL.to_owned(), Standing::Valid));
        // Looked up by its own number, a referral shows its own prints only,
        // and nothing is held against it.
        let child_iin = referral.child_iin.clone();
        let looked = look_up(&o.station, admin, &referral.number, &child_iin).unwrap();
        assert_eq!(looked.printed.len(), 1, "{:?}", looked.printed);
        assert_eq!(looked.printed[0].0, referral_print_kind(&referral.number));
        assert_eq!(looked.standing, None);
        assert!(look_up(&o.station, admin, &referral.number, "000000000000").is_err());

        let mut forged = printed.verification.clone();
        let last = if forged.ends_with('A') { 'B' } else { 'A' };
        forged.pop();
        forged.push(last);
        assert_eq!(checked(&forged).1, Standing::Forged);

        // Our format, but no such number here: another office's paper.
        let elsewhere = printed.verification.replacen(&referral.number, "Ж-2026-99999", 1);
        let unknown = check(&o.station, admin, &elsewhere).unwrap();
        assert_eq!((unknown.standing, unknown.record.is_none()), (Standing::NotIssuedHere, true));
        let receipt = first.verification.clone();
        let number = receipt.split_whitespace().nth(1).unwrap().to_owned();
        assert_eq!(o.standing(&receipt.replacen(&number, "01-2026-99999", 1)), Standing::NotIssuedHere);
        // The office's own code, made for the record but never recorded as
        // handed out: the office does not vouch for it.
        let (rec, head) = o.station.with_registry(|r| Ok((r.application(admin, id, now)?, r.audit_head()?))).unwrap();
        let unrecorded = vouch(&o.station, &rec.number, ACCEPTANCE, 9, &head, &canonical_content(&rec, ACCEPTANCE));
        assert_eq!(o.standing(&unrecorded.unwrap().qr_text), Standing::NotIssuedHere);
    }

    /// A referral's paper reads as what became of the referral: presented
    /// and enrolled, refused, cancelled and replaced by a later one,
    /// expired; and an expired one set back to "issued" behind Kense's back
    /// reads as changed outside, not as valid.
    #[test]
    fn a_referral_reads_as_what_became_of_it() {
        let o = Office::open("referral");
        let now = clock::now();
        let years: Vec<i32> = o
            .station
            .with_registry(|r| Ok(r.queue_years(&o.admin, now)?.iter().map(|y| y.birth_year).collect()))
            .unwrap();
        let refs = o.distribute(&years, 2);
        assert!(refs.len() >= 3, "every demo child queued has a place: {}", refs.len());
        let paper: Vec<String> =
            refs.iter().map(|r| paper::referral::print(&o.station, &o.head, r.id).unwrap().verification).collect();

        o.step(&refs[0], ReferralStatus::Issued, ReferralStep::Present);
        assert_eq!(o.standing(&paper[0]), Standing::Used { on: today(), how: Use::Presented });
        o.step(&refs[0], ReferralStatus::Presented, ReferralStep::Enrol);
        assert_eq!(o.standing(&paper[0]), Standing::Used { on: today(), how: Use::Enrolled });

        o.step(&refs[1], ReferralStatus::Issued, ReferralStep::RefuseByParent);
        assert_eq!(o.standing(&paper[1]), Standing::Cancelled { on: today(), how: Ending::RefusedByParent });
        let looked = look_up(&o.station, &o.admin, &refs[1].number, &refs[1].child_iin).unwrap();
        assert_eq!(looked.standing, Some(Standing::Cancelled { on: today(), how: Ending::RefusedByParent }));

        o.step(&refs[2], ReferralStatus::Issued, ReferralStep::Cancel);
        assert_eq!(o.standing(&paper[2]), Standing::Cancelled { on: today(), how: Ending::Cancelled });
        // The child is back in the queue, the only one waiting: the next
        // place goes to it, and the new referral is the one that counts.
        let again = o.distribute(&[refs[2].birth_year], 1).remove(0);
        assert_eq!(again.application_id, refs[2].application_id);
        assert_eq!(o.standing(&paper[2]), Standing::Superseded { on: today(), newer: Some(again.number.clone()) });
        let fresh = paper::referral::print(&o.station, &o.head, again.id).unwrap().verification;
        assert_eq!(o.standing(&fresh), Standing::Valid);

        // Not presented through its last day: expired, its date the last one
        // it was valid.
        let until = day(&again.valid_until).unwrap();
        let after = until.succ_opt().unwrap().and_hms_opt(9, 0, 0).unwrap().and_local_timezone(*now.offset()).unwrap();
        let report = o.station.with_registry(|r| r.sweep_queue(after)).unwrap();
        assert!(report.referrals_expired >= 1);
        assert_eq!(o.standing(&fresh), Standing::Expired { until });

        // Someone sets the expired referral back to "issued" in the file:
        // its printed facts still match, but the registry cannot vouch for it.
        o.outside(&format!("UPDATE referrals SET status = 'issued' WHERE id = {}", again.id));
        assert_eq!(o.standing(&fresh), Standing::ChangedOutside);
        let looked = look_up(&o.station, &o.admin, &again.number, &again.child_iin).unwrap();
        assert_eq!(looked.standing, Some(Standing::ChangedOutside));
    }

    /// A receipt printed before a correction reads as corrected, on the
    /// day and by the person recorded; the receipt printed after it is
    /// valid, until the application is withdrawn. A queue notification is
    /// outdated once the child's history changes after it was printed.
    #[test]
    fn corrected_withdrawn_and_outdated_papers_say_so() {
        let o = Office::open("corrected");
        let (admin, now) = (&o.admin, clock::now());
        let (id, year) = o
            .station
            .with_registry(|r| {
                let year = r.queue_years(admin, now)?[0].birth_year;
                Ok((r.queue(admin, year, 1, now)?.remove(0).application_id, year))
            })
            .unwrap();
        let before = paper::receipt::issue(&o.station, admin, id).unwrap().verification;
        let notification = paper::queue_notification::print(&o.station, admin, id).unwrap().verification;
        let rec = o.station.with_registry(|r| r.application(admin, id, now)).unwrap();
        let corrections: crate::register::Corrections = serde_json::from_value(serde_json::json!({
            "applicant_iin": rec.applicant_iin,
            "applicant_name": format!("{} (түзетілді)", rec.applicant_name),
            "applicant_phone": rec.applicant_phone,
            "applicant_address": rec.applicant_address,
            "child_iin": rec.child_iin,
            "child_name": rec.child_name,
            "child_birth_date": rec.child_birth_date.map(|d| d.to_string()),
        }))
        .unwrap();
        crate::register::correct(&o.station, admin, id, rec.status, "Аты қате жазылған", corrections).unwrap();
        assert_eq!(o.standing(&before), Standing::Corrected { on: today(), by: admin.full_name.clone() });
        let after = paper::receipt::issue(&o.station, admin, id).unwrap().verification;
        assert_eq!(o.standing(&after), Standing::Valid);

        // The notification states the child's number; the correction changed
        // the applicant's name on it too, so it reads as corrected. Printed
        // again, it is valid until the child's place changes.
        assert!(matches!(o.standing(&notification), Standing::Corrected { .. }));
        let notification = paper::queue_notification::print(&o.station, admin, id).unwrap().verification;
        assert_eq!(o.standing(&notification), Standing::Valid);
        // Stored moments are to the second: the referral comes a second later.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let referral = o.distribute(&[year], 1).remove(0);
        assert_eq!(referral.application_id, id);
        assert_eq!(o.standing(&notification), Standing::Superseded { on: today(), newer: None });

        crate::workflow::take_step(
            &o.station,
            admin,
            id,
            rec.status,
            Command::Withdraw { reason: "Ата-анасы бас тартты".into() },
        )
        .unwrap();
        assert_eq!(o.standing(&after), Standing::Cancelled { on: today(), how: Ending::Withdrawn });
    }
}
