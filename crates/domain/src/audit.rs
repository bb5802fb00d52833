//! The audit chain: every change to the registry appends an event whose hash
//! covers the previous event's hash, so that an edit, deletion or insertion
//! made outside the program breaks the chain at the first bad event.
//!
//! Canonical encoding: each field in a fixed order, as a one-byte tag
//! (0 = absent, 1 = present) followed, when present, by the value's length as
//! a big-endian u64 and its UTF-8 bytes. SHA-256 over
//! `prev_hash || encoding`, written as lower-case hex.
//!
//! Since schema 10 an event also seals the records it changed: `records`
//! lists each record's content hash as the change left it (see
//! `kense-storage`'s seals), so the chain vouches for the records
//! themselves, not only for its own table. The field is encoded after the
//! ten others only when present, so every event written before keeps its
//! hash.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event as it is hashed and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    /// RFC 3339 with offset, to the second.
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_role: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    /// The records this event sealed, one `table<TAB>key<TAB>hash` line each,
    /// sorted; `None` for an event that changed no record.
    pub records: Option<String>,
}

impl AuditEvent {
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        h.update(prev_hash.as_bytes());
        let seq = self.seq.to_string();
        let actor = self.actor_id.map(|a| a.to_string());
        let fields: [Option<&str>; 10] = [
            Some(&seq),
            Some(&self.at),
            actor.as_deref(),
            self.actor_role.as_deref(),
            Some(&self.action),
            Some(&self.entity),
            self.entity_id.as_deref(),
            self.before.as_deref(),
            self.after.as_deref(),
            self.reason.as_deref(),
        ];
        let sealed = self.records.as_deref().map(|r| [Some(r)]);
        for f in fields.into_iter().chain(sealed.into_iter().flatten()) {
            match f {
                None => h.update([0u8]),
                Some(v) => {
                    h.update([1u8]);
                    h.update((v.len() as u64).to_be_bytes());
                    h.update(v.as_bytes());
                }
            }
        }
        hex(&h.finalize())
    }
}

/// The short form of a chain head printed on documents and journals.
pub fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> AuditEvent {
        AuditEvent {
            seq: 1,
            at: "2026-11-24T10:00:00+05:00".into(),
            actor_id: Some(1),
            actor_role: Some("clerk".into()),
            action: "register".into(),
            entity: "application".into(),
            entity_id: Some("1".into()),
            before: None,
            after: Some("{}".into()),
            reason: None,
            records: None,
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_count() {
        let base = event().hash(GENESIS);
        assert_eq!(base.len(), 64);
        assert_eq!(base, event().hash(GENESIS), "deterministic");
        assert_ne!(base, event().hash(&"1".repeat(64)));
        let mut e = event();
        e.after = None;
        assert_ne!(base, e.hash(GENESIS), "absent differs from present");
        let mut e = event();
        e.reason = Some(String::new());
        assert_ne!(base, e.hash(GENESIS), "empty differs from absent");
        let mut e = event();
        e.action = "registe".into();
        e.entity = "rapplication".into();
        assert_ne!(base, e.hash(GENESIS), "length prefixes stop fields sliding into each other");
    }

    #[test]
    fn sealed_records_count_and_an_event_without_them_hashes_as_before() {
        // The hash of `event()` as every version before schema 10 computed it.
        assert_eq!(event().hash(GENESIS), "e4c988505f36b82a6eb1623da77153cd7d7c5771fd466baa2389fd415b4fff8d");
        let mut e = event();
        e.records = Some("applications\t1\tab".into());
        assert_ne!(e.hash(GENESIS), event().hash(GENESIS));
        let mut f = e.clone();
        f.records = Some("applications\t1\tac".into());
        assert_ne!(e.hash(GENESIS), f.hash(GENESIS));
    }
}
