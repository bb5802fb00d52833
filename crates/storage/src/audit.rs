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

use crate::sql::{args, Db, Row, Tx};
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
}

impl Db {
    /// The write path: runs `change` in one transaction, appends the event
    /// it describes itself with, and commits both — or nothing.
    pub(crate) fn audited<T>(
        &mut self,
        at: &str,
        change: impl FnOnce(&Tx<'_>) -> Result<(T, Event), Error>,
    ) -> Result<T, Error> {
        self.transaction(|tx| {
            let (out, event) = change(tx)?;
            append(tx, at, event)?;
            Ok(out)
        })
    }

    /// An event that changes nothing else: a log-in, a refusal, a view of
    /// personal data.
    pub(crate) fn record(&mut self, at: &str, event: Event) -> Result<(), Error> {
        self.audited(at, |_| Ok(((), event)))
    }
}

/// Appends an event inside the caller's transaction; its hash comes back.
fn append(tx: &Tx<'_>, at: &str, e: Event) -> Result<String, Error> {
    let last = tx.query_opt("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", args![])?;
    let (seq, prev) = match last {
        Some(r) => (r.get::<i64>("seq")? + 1, r.get::<String>("hash")?),
        None => (1, GENESIS.to_owned()),
    };
    let event = AuditEvent {
        seq,
        at: at.to_owned(),
        actor_id: e.actor_id,
        actor_role: e.actor_role.map(str::to_owned),
        action: e.action,
        entity: e.entity.to_owned(),
        entity_id: e.entity_id,
        before: e.before,
        after: e.after,
        reason: e.reason,
    };
    let hash = event.hash(&prev);
    tx.execute(
        "INSERT INTO audit_events (seq, at, actor_id, actor_role, action, entity, entity_id, before, after, reason,
                                   prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
            prev,
            hash
        ],
    )?;
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
        },
        r.get("prev_hash")?,
        r.get("hash")?,
    ))
}

/// Recomputes the whole chain of `db`.
pub(crate) fn verify(db: &Db) -> Result<ChainStatus, Error> {
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut events = 0;
    loop {
        let rows = db.query(
            "SELECT seq, at, actor_id, actor_role, action, entity, entity_id, before, after, reason, prev_hash, hash
             FROM audit_events WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
            args![expected_seq, VERIFY_BATCH],
        )?;
        if rows.is_empty() {
            return Ok(ChainStatus { events, head: prev, first_bad: None });
        }
        for r in &rows {
            let (event, stored_prev, stored_hash) = stored_event(r)?;
            if event.seq != expected_seq || stored_prev != prev || event.hash(&prev) != stored_hash {
                return Ok(ChainStatus { events, head: prev, first_bad: Some(event.seq.min(expected_seq)) });
            }
            prev = stored_hash;
            expected_seq += 1;
            events += 1;
        }
    }
}

impl Registry {
    /// Recomputes the whole chain. A deleted, edited or inserted row is
    /// reported as the first event that no longer fits.
    pub fn verify_audit_chain(&self) -> Result<ChainStatus, Error> {
        verify(&self.db)
    }

    /// Verification asked for from the window, by someone allowed to; the
    /// check itself is audited with its outcome.
    pub fn verify_audit_chain_as(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<ChainStatus, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::VerifyAudit, "verify_audit", &at)?;
        let status = verify(&self.db)?;
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
