//! Whether the registry is as Kense left it, as this desk sees it.
//!
//! At start-up (and after a restore) the cheap check runs before anyone can
//! log in: the chain after the last event this desk verified — kept in the
//! data folder, so each workstation goes on from its own last check — and
//! the records the registry's triggers saw written outside Kense. The full
//! check (every record against the chain) runs on demand from the
//! administrator's desk and once a day on the schedule, on a second
//! connection so that nobody's work waits for it.
//!
//! What a check finds wrong becomes the desk's alarm, shown on every desk
//! until an administrator acts: accepts the records as they stand (after
//! comparing them with the paper), with a reason, or restores a backup.

use std::path::{Path, PathBuf};

use kense_domain::access::Actor;
use kense_domain::Error;
use kense_storage::{Checkpoint, Evidence, Finding, Progress, Registry, Stage};
use serde::Serialize;

use crate::{clock, paths, Workstation};

/// What the last check found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// The first audit event that does not hold, if the chain is broken.
    pub chain_broken_at: Option<i64>,
    /// Records not as the chain last vouched for them.
    pub findings: Vec<Finding>,
    /// Found by the full check (else by the start-up check).
    pub full: bool,
    /// When it was found (office time).
    pub found_at: String,
}

/// Where this desk's last verified event is kept.
fn checkpoint_file(data_dir: &Path) -> PathBuf {
    data_dir.join("verified.json")
}

fn read_checkpoint(data_dir: &Path) -> Option<Checkpoint> {
    let text = std::fs::read_to_string(checkpoint_file(data_dir)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Forgets the checkpoint: a restored registry is verified from its start.
pub(crate) fn forget_checkpoint(station: &Workstation) {
    if let Ok(dir) = station.data_dir() {
        let _ = std::fs::remove_file(checkpoint_file(dir));
    }
}

/// Keeps the outcome of a check: the checkpoint to go on from (while the
/// chain holds), and the alarm, or none.
fn keep(station: &Workstation, evidence: &Evidence) {
    if let (Some(c), Ok(dir)) = (&evidence.checkpoint, station.data_dir()) {
        match serde_json::to_vec(c) {
            Ok(bytes) => {
                if let Err(e) = paths::write_atomically(&checkpoint_file(dir), &bytes) {
                    log::warn!("the verified checkpoint was not kept: {e}");
                }
            }
            Err(e) => log::warn!("the verified checkpoint was not kept: {e}"),
        }
    }
    if evidence.holds() {
        log::info!(
            "evidence holds: chain of {} events{}",
            evidence.chain.events,
            if evidence.full { ", every record checked" } else { "" }
        );
        station.set_alarm(None);
        return;
    }
    match evidence.chain.first_bad {
        Some(seq) => log::error!("audit chain broken at event {seq}"),
        None => log::error!("{} records are not as the audit chain vouches for them", evidence.findings.len()),
    }
    for f in evidence.findings.iter().take(20) {
        // Table, key and field names only: no person's data in the log.
        log::error!("  {} {}: {:?} (event {:?})", f.table, f.key, f.deviation, f.seq);
    }
    station.set_alarm(Some(Alarm {
        chain_broken_at: evidence.chain.first_bad,
        findings: evidence.findings.clone(),
        full: evidence.full,
        found_at: clock::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
    }));
}

/// The start-up check of a freshly opened registry (see the module's doc).
/// A registry written before records were sealed is sealed first, once.
pub(crate) fn at_start(station: &Workstation, registry: &mut Registry) -> Result<(), Error> {
    let sealed = registry.seal_after_upgrade(clock::now())?;
    if sealed > 0 {
        log::info!("{sealed} records written before seals existed were sealed");
    }
    let since = station.data_dir().ok().and_then(|d| read_checkpoint(d));
    let evidence = registry.check_evidence(since.as_ref())?;
    keep(station, &evidence);
    Ok(())
}

/// What the desks are told: the alarm, if any.
pub fn alarm(station: &Workstation) -> Option<Alarm> {
    station.alarm()
}

/// The full check, asked for by an administrator (audited), on a second
/// connection; `report` is told how many records were read and answers
/// whether to go on.
pub fn verify(station: &Workstation, actor: &Actor) -> Result<Evidence, Error> {
    station.with_registry(|r| r.authorize_verification(actor, clock::now()))?;
    let job = station.begin_job(false)?;
    let reader = station.with_registry(|r| r.reader())?;
    let evidence =
        reader.verify_evidence(&mut |read| job.report(Progress { stage: Stage::Records, done: read, total: 0 }))?;
    drop(job);
    station.with_registry(|r| r.record_verification(actor, &evidence, clock::now()))?;
    keep(station, &evidence);
    Ok(evidence)
}

/// The schedule's full check: the same, by nobody, not audited (it reads
/// no person's data for anyone).
pub(crate) fn scheduled(station: &Workstation) {
    let reader = match station.with_registry(|r| r.reader()) {
        Ok(r) => r,
        Err(e) => {
            log::warn!("scheduled verification skipped: {e}");
            return;
        }
    };
    match reader.verify_evidence(&mut |_| true) {
        Ok(evidence) => keep(station, &evidence),
        Err(e) => log::error!("scheduled verification failed: {e}"),
    }
}

/// An administrator takes the records the last check found as they now
/// stand, with a reason (what was compared, with what): they are sealed
/// anew in one audited event, and the check runs again. A broken chain
/// stays: only a restore answers it.
pub fn accept(station: &Workstation, actor: &Actor, reason: &str) -> Result<Option<Alarm>, Error> {
    let alarm = station.alarm().ok_or(Error::InvalidState)?;
    if alarm.findings.is_empty() {
        return Err(Error::InvalidState);
    }
    station.with_registry(|r| r.accept_findings(actor, &alarm.findings, reason, clock::now()))?;
    let evidence = if alarm.full {
        station.with_registry(|r| r.reader())?.verify_evidence(&mut |_| true)?
    } else {
        station.with_registry(|r| r.check_evidence(None))?
    };
    keep(station, &evidence);
    Ok(station.alarm())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_office_holds() {
        let dir = std::env::temp_dir().join(format!("kense-evidence-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let station = Workstation::start(Ok(dir.clone()), false);
        assert_eq!(station.alarm(), None);
        let e = station.with_registry(|r| r.verify_evidence(&mut |_| true)).unwrap();
        assert!(e.holds(), "{e:?}");
        drop(station);
        let station = Workstation::start(Ok(dir.clone()), false);
        assert_eq!(station.alarm(), None);
        crate::session::create_administrator(&station, "admin", "Әкімші Бақыт", "құпия сөз 2026", "құпия сөз 2026")
            .unwrap();
        crate::session::log_in(&station, "admin", "құпия сөз 2026").unwrap();
        let actor = station.actor().unwrap();
        let draft = kense_domain::application::ApplicationDraft {
            service_code: "preschool_queue".into(),
            applicant_iin: "900101300007".into(),
            applicant_name: "Ата-ана".into(),
            applicant_phone: "+7 701 000 11 22".into(),
            child_iin: "220315500605".into(),
            child_name: "Бала".into(),
            child_birth_date: "2022-03-15".into(),
            documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
            consent: true,
            ..Default::default()
        };
        let done = crate::register::register(&station, &actor, &draft).unwrap();
        assert_eq!(done.filed.papers.len(), 2, "{:?}", done.filed.owed);
        crate::session::log_out(&station).unwrap();
        drop(station);
        let station = Workstation::start(Ok(dir.clone()), false);
        assert_eq!(station.alarm(), None, "a registration with its papers holds");
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
