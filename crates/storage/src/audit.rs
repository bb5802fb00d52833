//! Appending to and verifying the audit chain (hashing is the domain's).

use kense_domain::audit::{AuditEvent, GENESIS};
use kense_domain::Error;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::{db_err, Registry};

/// What an audit event says, before it gets its place in the chain.
pub(crate) struct Entry<'a> {
    pub at: &'a str,
    pub actor_id: Option<i64>,
    pub actor_role: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
}

/// Appends an event inside the caller's transaction, so the event commits
/// or rolls back with the change it describes.
pub(crate) fn append(tx: &Connection, e: Entry<'_>) -> Result<String, Error> {
    let last: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_err)?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let event = AuditEvent {
        seq,
        at: e.at.to_owned(),
        actor_id: e.actor_id,
        actor_role: e.actor_role.map(str::to_owned),
        action: e.action.to_owned(),
        entity: e.entity.to_owned(),
        entity_id: e.entity_id,
        before: e.before,
        after: e.after,
        reason: e.reason,
    };
    let hash = event.hash(&prev);
    tx.execute(
        "INSERT INTO audit_events (seq, at, actor_id, actor_role, action, entity, entity_id, before, after, reason, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            event.seq, event.at, event.actor_id, event.actor_role, event.action, event.entity,
            event.entity_id, event.before, event.after, event.reason, prev, hash
        ],
    )
    .map_err(db_err)?;
    Ok(hash)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStatus {
    pub events: i64,
    pub head: String,
    /// The first event whose stored hash, link or sequence does not hold.
    pub first_bad: Option<i64>,
}

pub(crate) fn verify(conn: &Connection) -> Result<ChainStatus, Error> {
    let mut stmt = conn
        .prepare(
            "SELECT seq, at, actor_id, actor_role, action, entity, entity_id, before, after, reason, prev_hash, hash
             FROM audit_events ORDER BY seq",
        )
        .map_err(db_err)?;
    let mut rows = stmt.query([]).map_err(db_err)?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut events = 0;
    while let Some(r) = rows.next().map_err(db_err)? {
        let event = AuditEvent {
            seq: r.get(0).map_err(db_err)?,
            at: r.get(1).map_err(db_err)?,
            actor_id: r.get(2).map_err(db_err)?,
            actor_role: r.get(3).map_err(db_err)?,
            action: r.get(4).map_err(db_err)?,
            entity: r.get(5).map_err(db_err)?,
            entity_id: r.get(6).map_err(db_err)?,
            before: r.get(7).map_err(db_err)?,
            after: r.get(8).map_err(db_err)?,
            reason: r.get(9).map_err(db_err)?,
        };
        let stored_prev: String = r.get(10).map_err(db_err)?;
        let stored_hash: String = r.get(11).map_err(db_err)?;
        if event.seq != expected_seq || stored_prev != prev || event.hash(&prev) != stored_hash {
            return Ok(ChainStatus { events, head: prev, first_bad: Some(event.seq.min(expected_seq)) });
        }
        prev = stored_hash;
        expected_seq += 1;
        events += 1;
    }
    Ok(ChainStatus { events, head: prev, first_bad: None })
}

impl Registry {
    /// Recomputes the whole chain. A deleted, edited or inserted row is
    /// reported as the first event that no longer fits.
    pub fn verify_audit_chain(&self) -> Result<ChainStatus, Error> {
        verify(&self.conn)
    }

    /// Verification asked for from the window, by someone allowed to; the
    /// check itself is audited with its outcome.
    pub fn verify_audit_chain_as(
        &mut self,
        actor: &kense_domain::access::Actor,
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<ChainStatus, Error> {
        let at = crate::timestamp(now);
        self.authorize_plain(actor, kense_domain::access::Action::VerifyAudit, "verify_audit", &at)?;
        let status = verify(&self.conn)?;
        let action = if status.first_bad.is_none() { "verify_audit:ok" } else { "verify_audit:broken" };
        self.audit_only(action, Some(actor.user_id), "audit", status.first_bad.map(|s| s.to_string()), &at)?;
        Ok(status)
    }

    /// The hash of the newest event (GENESIS for an empty registry).
    pub fn audit_head(&self) -> Result<String, Error> {
        self.conn
            .query_row("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
            .optional()
            .map_err(db_err)
            .map(|h| h.unwrap_or_else(|| GENESIS.to_owned()))
    }
}
