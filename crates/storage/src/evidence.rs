//! Whether the registry is as Kense left it: the audit chain, every sealed
//! record against the chain (see [`crate::seal`]), the queue's numbers
//! against the order they follow from, and — on SQLite — the schema with
//! the triggers that notice outside writes.
//!
//! Two depths. At start-up only what is new is looked at: the chain after
//! the workstation's last verified event, and the records the `touched`
//! triggers caught outside Kense's write path; that costs the same on a
//! registry of a thousand applications as on one of a million. The full
//! check reads everything and runs on demand and on a schedule.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::queue::positions;
use kense_domain::Error;
use serde::Serialize;

use crate::audit::{verify_from, ChainStatus, Checkpoint, Event};
use crate::queue::waiting_years;
use crate::seal::{self, Deviation, Finding};
use crate::sql::{args, Db, Engine};
use crate::{timestamp, Registry, SCHEMA_VERSION};

/// Records sealed per event when a registry from before seals is sealed.
const SEAL_CHUNK: usize = 2_000;

/// What a check of the evidence found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub chain: ChainStatus,
    /// Records that are not as the chain last vouched for them.
    pub findings: Vec<Finding>,
    /// Whether every record was read (the full check) or only the new and
    /// touched ones (start-up).
    pub full: bool,
    /// Where the chain holds up to, for the next start-up to go on from;
    /// `None` while the chain is broken.
    pub checkpoint: Option<Checkpoint>,
}

impl Evidence {
    pub fn holds(&self) -> bool {
        self.chain.first_bad.is_none() && self.findings.is_empty()
    }

    fn new(db: &Db, chain: ChainStatus, findings: Vec<Finding>, full: bool) -> Result<Evidence, Error> {
        let checkpoint =
            match (chain.first_bad, db.value_opt::<String>("SELECT hash FROM audit_events WHERE seq = 1", args![])?) {
                (None, Some(first)) => Some(Checkpoint { first, seq: chain.events, hash: chain.head.clone() }),
                _ => None,
            };
        Ok(Evidence { chain, findings, full, checkpoint })
    }
}

/// The schema against what Kense's migrations build: a dropped trigger
/// would let outside writes go unnoticed.
fn schema_holds(db: &Db) -> Result<bool, Error> {
    match db.engine() {
        Engine::Sqlite => crate::backup::schema_matches(db, SCHEMA_VERSION),
        Engine::Postgres => crate::server::schema_matches(db),
    }
}

/// Each birth year's stored numbers (of `years`, or all) against the order
/// the queue's rules give from the sealed data.
fn check_positions(
    db: &Db,
    rules: &kense_domain::queue::QueueRules,
    years: Option<Vec<i32>>,
) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    let years = match years {
        Some(y) => y,
        None => waiting_years(db)?,
    };
    for year in years {
        let computed = positions(&crate::queue::load_waiting(db, year, false)?, rules);
        for r in db.query(
            "SELECT application_id, position FROM queue_entries WHERE birth_year = ?1
               AND (position IS NOT NULL OR state = 'waiting')",
            args![year],
        )? {
            let id: i64 = r.get("application_id")?;
            let stored: Option<u32> = r.get("position")?;
            let expected = computed.get(&id).copied();
            if stored != expected {
                let deviation = Deviation::Position { stored, computed: expected };
                findings.push(Finding { table: "queue_entries".into(), key: id.to_string(), seq: None, deviation });
            }
        }
    }
    Ok(findings)
}

fn schema_finding() -> Finding {
    Finding { table: "schema".into(), key: String::new(), seq: None, deviation: Deviation::Changed { fields: vec![] } }
}

impl Registry {
    /// Seals every record written before seals existed, once: in audited
    /// events of a few thousand records each, so that from then on the
    /// registry's records are bound to the chain as they stand. Nothing to
    /// do (and cheap) once done; an interrupted run goes on where it
    /// stopped. How many records were sealed comes back.
    pub fn seal_after_upgrade(&mut self, now: DateTime<FixedOffset>) -> Result<usize, Error> {
        if self.db.value::<bool>("SELECT sealed FROM chain_head WHERE id = 1", args![])? {
            return Ok(0);
        }
        let at = timestamp(now);
        let mut total = 0;
        loop {
            let batches = seal::unsealed(&self.db, SEAL_CHUNK)?;
            if batches.is_empty() {
                self.db.transaction(|tx| Ok(tx.execute("UPDATE chain_head SET sealed = 1 WHERE id = 1", args![])?))?;
                log::info!("{total} records written before seals existed are sealed");
                return Ok(total);
            }
            for (table, keys) in batches {
                total += keys.len();
                let event = Event::new("seal_existing", "registry")
                    .by_system()
                    .id(table.table)
                    .after(serde_json::json!({ "records": keys.len() }).to_string())
                    .sealing(keys.into_iter().map(|k| (table, k)).collect());
                self.db.record(&at, event)?;
            }
        }
    }

    /// The start-up check: the schema, the chain after `since` (the last
    /// event this workstation verified; the whole chain without one), and
    /// the records written outside Kense since they were sealed.
    pub fn check_evidence(&self, since: Option<&Checkpoint>) -> Result<Evidence, Error> {
        let chain = verify_from(&self.db, since, SCHEMA_VERSION)?;
        let (mut findings, numbered) = seal::check_touched(&self.db)?;
        if !numbered.is_empty() {
            let mut years = Vec::new();
            for id in numbered {
                let year: Option<i32> =
                    self.db.value_opt("SELECT birth_year FROM queue_entries WHERE application_id = ?1", args![id])?;
                years.extend(year.filter(|y| !years.contains(y)));
            }
            findings.extend(check_positions(&self.db, &self.queue_rules()?, Some(years))?);
        }
        if !schema_holds(&self.db)? {
            findings.insert(0, schema_finding());
        }
        Evidence::new(&self.db, chain, findings, false)
    }

    /// Everything: the whole chain, every record against its seal and every
    /// seal against its event, and the queue's numbers. `progress` is told
    /// how many records were read and answers whether to go on.
    pub fn verify_evidence(&self, progress: &mut dyn FnMut(u64) -> bool) -> Result<Evidence, Error> {
        self.db.snapshot(|db| {
            let chain = verify_from(db, None, SCHEMA_VERSION)?;
            let mut findings = Vec::new();
            if !schema_holds(db)? {
                findings.push(schema_finding());
            }
            findings.extend(seal::check_all(db, progress)?);
            findings.extend(check_positions(db, &self.queue_rules()?, None)?);
            Evidence::new(db, chain, findings, true)
        })
    }

    /// A second connection to the same registry, for a long read (the full
    /// check) that must not hold up this one's writers: on SQLite a
    /// read-only connection to the file, which in WAL mode neither waits for
    /// nor blocks the clerk's writes.
    pub fn reader(&self) -> Result<Registry, Error> {
        match &self.location {
            crate::Location::File(path) => Registry::open_read_only(path),
            crate::Location::Server(settings) => Registry::open_server(settings),
        }
    }

    /// Checks the records of one application (its row, checklist,
    /// versions, results, hand-over, prints, queue entry and referrals)
    /// against their seals: what the verify screen needs to tell a record
    /// changed behind Kense's back from one corrected through it.
    pub fn outside_edits_of(&self, application_id: i64) -> Result<Vec<Finding>, Error> {
        seal::check_application(&self.db, application_id)
    }

    /// Audits the outcome of a full check made on a [`Registry::reader`]
    /// by someone allowed to ask for it.
    pub fn record_verification(
        &mut self,
        actor: &Actor,
        evidence: &Evidence,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        let action = if evidence.holds() { "verify_audit:ok" } else { "verify_audit:broken" };
        let mut event = Event::new(action, "audit").by(actor.user_id, None);
        if let Some(seq) = evidence.chain.first_bad {
            event = event.id(seq);
        }
        if !evidence.findings.is_empty() {
            event = event.after(serde_json::json!({ "findings": evidence.findings.len() }).to_string());
        }
        self.db.record(&at, event)
    }

    /// Checks the right to the full check; a refusal is audited.
    pub fn authorize_verification(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<(), Error> {
        self.authorize_plain(actor, Action::VerifyAudit, "verify_audit", &timestamp(now)).map(|_| ())
    }

    /// The full check asked for by someone allowed to; it is audited with
    /// its outcome.
    pub fn verify_evidence_as(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Evidence, Error> {
        self.authorize_verification(actor, now)?;
        let evidence = self.verify_evidence(progress)?;
        self.record_verification(actor, &evidence, now)?;
        Ok(evidence)
    }

    /// An administrator takes the records found changed outside Kense as
    /// they now stand (after checking them against the paper, say): each is
    /// sealed anew in one audited event that names them and gives the
    /// reason. The chain itself cannot be accepted: a broken chain is
    /// answered by restoring a backup.
    pub fn accept_findings(
        &mut self,
        actor: &Actor,
        findings: &[Finding],
        reason: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::VerifyAudit, "accept_findings", &at)?;
        let reason = kense_domain::application::required_text(kense_domain::Field::Comment, reason, 1000)?;
        let rules = &self.rules_in_force()?;
        self.db.audited(&at, |tx| {
            let mut records = Vec::new();
            let mut years = std::collections::BTreeSet::new();
            for f in findings {
                match (&f.deviation, seal::sealed(&f.table)) {
                    (Deviation::Position { .. }, _) => {
                        let id: i64 = f.key.parse().map_err(|_| Error::NotFound)?;
                        tx.execute("DELETE FROM touched WHERE tbl = ?1 AND key = ?2", args![seal::POSITIONS, f.key])?;
                        years.insert(tx.value::<i32>(
                            "SELECT birth_year FROM queue_entries WHERE application_id = ?1",
                            args![id],
                        )?);
                    }
                    (_, Some(s)) if !f.key.is_empty() => records.push((s, f.key.clone())),
                    // The schema or a row outside every sealed range: only a
                    // restore answers those.
                    _ => return Err(Error::InvalidState),
                }
            }
            for year in years {
                crate::queue::reorder(tx, rules, year, crate::queue::Moved::corrected(), &at)?;
            }
            let keys: Vec<String> = findings.iter().map(|f| format!("{}:{}", f.table, f.key)).collect();
            let event = Event::new("accept_findings", "registry")
                .by(actor.user_id, Some(role))
                .after(serde_json::json!({ "records": keys }).to_string())
                .reason(reason.clone())
                .sealing(records);
            Ok(((), event))
        })
    }
}
