//! The audit chain and the one write path that feeds it.
//!
//! Every change to the registry goes through [`Db::audited`]: one
//! transaction in which the change is made, its [`Event`] is appended to
//! the chain, and both commit together — or neither does. The hashing is
//! the domain's ([`AuditEvent::hash`]); this module stores and verifies it.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::audit::{AuditEvent, GENESIS};
use kense_domain::Error;
use serde::Serialize;

use crate::seal;
use crate::sql::{args, Db, Engine, Row, Tx};
use crate::{timestamp, Registry};

/// What an audit event says, before it gets its place in the chain.
#[derive(Debug, Clone, Default)]
pub(crate) struct Event {
    actor_id: Option<i64>,
    actor_role: Option<&'static str>,
    action: String,
    entity: &'static str,
    entity_id: Option<String>,
    before: Option<String>,
    after: Option<String>,
    reason: Option<String>,
    /// Records to seal as they stand besides those found touched: the first
    /// sealing of a registry written before seals existed, or records an
    /// administrator accepts as they are.
    to_seal: Vec<(&'static seal::Sealed, String)>,
}

impl Event {
    /// `action` done to an `entity` (a table's sense, e.g. "application").
    pub(crate) fn new(action: impl Into<String>, entity: &'static str) -> Event {
        Event { action: action.into(), entity, ..Event::default() }
    }

    /// Who did it, in which of their roles (`None`: no role was needed).
    pub(crate) fn by(mut self, actor_id: i64, role: Option<&'static str>) -> Event {
        self.actor_id = Some(actor_id);
        self.actor_role = role;
        self
    }

    /// Done by the program itself (the office clock, the backup schedule).
    pub(crate) fn by_system(mut self) -> Event {
        self.actor_role = Some("system");
        self
    }

    pub(crate) fn id(mut self, id: impl ToString) -> Event {
        self.entity_id = Some(id.to_string());
        self
    }

    pub(crate) fn before(mut self, text: impl Into<String>) -> Event {
        self.before = Some(text.into());
        self
    }

    pub(crate) fn after(mut self, text: impl Into<String>) -> Event {
        self.after = Some(text.into());
        self
    }

    pub(crate) fn reason(mut self, text: impl Into<String>) -> Event {
        self.reason = Some(text.into());
        self
    }

    pub(crate) fn reason_opt(mut self, text: Option<String>) -> Event {
        self.reason = text;
        self
    }

    pub(crate) fn sealing(mut self, records: Vec<(&'static seal::Sealed, String)>) -> Event {
        self.to_seal = records;
        self
    }
}

/// The chain's newest event, as a write transaction finds it.
pub(crate) struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Reads the chain head at the start of a write transaction. On the office
/// server the row is locked until commit: every writer of the office waits
/// here, so the chain stays one chain and numbers stay gap-free, as SQLite's
/// write lock ensures on one PC.
pub(crate) fn head(tx: &Tx<'_>) -> Result<Head, Error> {
    let sql = match tx.engine() {
        Engine::Sqlite => "SELECT seq, hash FROM chain_head WHERE id = 1",
        Engine::Postgres => "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE",
    };
    let r = tx.query_one(sql, args![])?;
    Ok(Head { seq: r.get("seq")?, hash: r.get("hash")? })
}

impl Db {
    /// The write path: runs `change` in one transaction, seals every record
    /// it touched, appends the event it describes itself with (listing those
    /// seals), and commits all of it — or nothing.
    pub(crate) fn audited<T>(
        &mut self,
        at: &str,
        mut change: impl FnMut(&Tx<'_>) -> Result<(T, Event), Error>,
    ) -> Result<T, Error> {
        self.transaction(|tx| {
            let head = head(tx)?;
            let mark = seal::mark(tx)?;
            let (out, mut event) = change(tx)?;
            let seq = head.seq + 1;
            let mut sealed = seal::seal_given(tx, &std::mem::take(&mut event.to_seal), seq)?;
            sealed.extend(seal::seal_touched(tx, mark, seq)?);
            sealed.sort();
            sealed.dedup();
            append(tx, &head, at, event, sealed)?;
            if tx.engine() == Engine::Postgres {
                // The other desks hear of it on commit (never before, never
                // for a rolled-back change); the payload is the event's
                // number, no person's data.
                tx.execute("SELECT pg_notify('kense', ?1) AS sent", args![seq.to_string()])?;
            }
            Ok(out)
        })
    }

    /// An event that changes nothing else: a log-in, a refusal, a view of
    /// personal data.
    pub(crate) fn record(&mut self, at: &str, event: Event) -> Result<(), Error> {
        self.audited(at, |_| Ok(((), event.clone())))
    }
}

/// Appends an event after `head` inside the caller's transaction and moves
/// the head to it; its hash comes back.
fn append(tx: &Tx<'_>, head: &Head, at: &str, e: Event, sealed: Vec<String>) -> Result<String, Error> {
    let event = AuditEvent {
        seq: head.seq + 1,
        at: at.to_owned(),
        actor_id: e.actor_id,
        actor_role: e.actor_role.map(str::to_owned),
        action: e.action,
        entity: e.entity.to_owned(),
        entity_id: e.entity_id,
        before: e.before,
        after: e.after,
        reason: e.reason,
        records: (!sealed.is_empty()).then(|| sealed.join("\n")),
    };
    let hash = event.hash(&head.hash);
    tx.execute(
        "INSERT INTO audit_events (seq, at, actor_id, actor_role, action, entity, entity_id, before, after, reason,
                                   records, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        args![
            event.seq,
            event.at,
            event.actor_id,
            event.actor_role,
            event.action,
            event.entity,
            event.entity_id,
            event.before,
            event.after,
            event.reason,
            event.records,
            head.hash,
            hash
        ],
    )?;
    tx.execute("UPDATE chain_head SET seq = ?1, hash = ?2 WHERE id = 1", args![event.seq, hash])?;
    Ok(hash)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStatus {
    pub events: i64,
    pub head: String,
    /// The first event whose stored hash, link or sequence does not hold.
    pub first_bad: Option<i64>,
}

/// Events read per statement while verifying: the chain of a large registry
/// is never held in memory at once.
const VERIFY_BATCH: i64 = 10_000;

fn stored_event(r: &Row) -> Result<(AuditEvent, String, String), Error> {
    Ok((
        AuditEvent {
            seq: r.get("seq")?,
            at: r.get("at")?,
            actor_id: r.get("actor_id")?,
            actor_role: r.get("actor_role")?,
            action: r.get("action")?,
            entity: r.get("entity")?,
            entity_id: r.get("entity_id")?,
            before: r.get("before")?,
            after: r.get("after")?,
            reason: r.get("reason")?,
            records: r.get("records")?,
        },
        r.get("prev_hash")?,
        r.get("hash")?,
    ))
}

/// A place in the chain that was verified before: the event's number and
/// hash, and the hash of the chain's first event, which tells one registry
/// from another. Verification can go on from there instead of from the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub first: String,
    pub seq: i64,
    pub hash: String,
}

/// The schema version from which events seal records and the chain has its
/// head row.
pub(crate) const SEALS_SINCE: i64 = 10;

/// Recomputes the whole chain of `db`, a registry at `schema` version.
pub(crate) fn verify(db: &Db, schema: i64) -> Result<ChainStatus, Error> {
    verify_from(db, None, schema)
}

/// Recomputes the chain after `from` (the whole chain without one): each
/// event's link and hash, then that the chain's head row names the last
/// event, so that events cut off the end are found too. An event at `from`
/// that no longer has its hash is reported as broken there.
pub(crate) fn verify_from(db: &Db, from: Option<&Checkpoint>, schema: i64) -> Result<ChainStatus, Error> {
    let records = if schema >= SEALS_SINCE { "records" } else { "NULL AS records" };
    // A checkpoint of another registry (a data folder reused, a restore)
    // says nothing about this one: the whole chain is verified.
    let first: Option<String> = db.value_opt("SELECT hash FROM audit_events WHERE seq = 1", args![])?;
    let from = from.filter(|c| first.as_deref() == Some(c.first.as_str()));
    let (mut prev, mut expected_seq) = match from {
        Some(c) => {
            let stored: Option<String> = db.value_opt("SELECT hash FROM audit_events WHERE seq = ?1", args![c.seq])?;
            if stored.as_deref() != Some(c.hash.as_str()) {
                return Ok(ChainStatus { events: c.seq, head: c.hash.clone(), first_bad: Some(c.seq.max(1)) });
            }
            (c.hash.clone(), c.seq + 1)
        }
        None => (GENESIS.to_owned(), 1),
    };
    loop {
        let rows = db.query(
            &format!(
                "SELECT seq, at, actor_id, actor_role, action, entity, entity_id, before, after, reason, {records},
                        prev_hash, hash
                 FROM audit_events WHERE seq >= ?1 ORDER BY seq LIMIT ?2"
            ),
            args![expected_seq, VERIFY_BATCH],
        )?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let (event, stored_prev, stored_hash) = stored_event(r)?;
            if event.seq != expected_seq || stored_prev != prev || event.hash(&prev) != stored_hash {
                let events = expected_seq - 1;
                return Ok(ChainStatus { events, head: prev, first_bad: Some(event.seq.min(expected_seq)) });
            }
            prev = stored_hash;
            expected_seq += 1;
        }
    }
    let events = expected_seq - 1;
    if schema < SEALS_SINCE {
        return Ok(ChainStatus { events, head: prev, first_bad: None });
    }
    let head = db.query_opt("SELECT seq, hash FROM chain_head WHERE id = 1", args![])?;
    let head_holds = match &head {
        Some(h) => h.get::<i64>("seq")? == events && h.get::<String>("hash")? == prev,
        None => false,
    };
    let first_bad = (!head_holds).then_some(events + 1);
    Ok(ChainStatus { events, head: prev, first_bad })
}

impl Registry {
    /// Recomputes the whole chain. A deleted, edited or inserted row is
    /// reported as the first event that no longer fits.
    pub fn verify_audit_chain(&self) -> Result<ChainStatus, Error> {
        verify(&self.db, crate::SCHEMA_VERSION)
    }

    /// Verification asked for from the window, by someone allowed to; the
    /// check itself is audited with its outcome.
    pub fn verify_audit_chain_as(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<ChainStatus, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::VerifyAudit, "verify_audit", &at)?;
        let status = verify(&self.db, crate::SCHEMA_VERSION)?;
        let action = if status.first_bad.is_none() { "verify_audit:ok" } else { "verify_audit:broken" };
        let mut event = Event::new(action, "audit").by(actor.user_id, None);
        if let Some(seq) = status.first_bad {
            event = event.id(seq);
        }
        self.db.record(&at, event)?;
        Ok(status)
    }

    /// The hash of the newest event (GENESIS for an empty registry).
    pub fn audit_head(&self) -> Result<String, Error> {
        Ok(self
            .db
            .value_opt("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1", args![])?
            .unwrap_or_else(|| GENESIS.to_owned()))
    }
}
