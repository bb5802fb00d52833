//! Records bound to the audit chain ("seals").
//!
//! Each record that carries legal weight — an application and its checklist,
//! versions, results, hand-over and prints; queue entries, preferences,
//! referrals, places; accounts; the office's requisites, stamp and secret;
//! the catalog and calendar the office runs on — is sealed: its canonical
//! content is hashed, the hash is listed in the audit event of the change
//! that left it so (and so is covered by the chain), and `record_seals`
//! keeps the content with the event that vouches for it.
//!
//! The write path does not have to say what it changed: a trigger on every
//! sealed table writes each touched key into `touched`, and [`seal_touched`]
//! seals exactly those before the event is appended. Whatever is left in
//! `touched` afterwards was written by someone else.
//!
//! Verification compares every current record with its seal and every seal
//! with the event that lists it, and names what differs: the record, the
//! field, and the event that vouches for the last lawful state. A queue
//! entry's number is not sealed (it is recomputed: the order is a pure
//! function of sealed data), and the history of numbers is sealed by ranges
//! of rows, one range per event, as the log it is.

use std::collections::{BTreeMap, BTreeSet};

use kense_domain::audit::hex;
use kense_domain::Error;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::sql::{args, Db, Engine, Row, ToValue, Tx, Value};

/// A sealed table: its name, its key columns, and the columns left out of
/// the seal (derived data verified otherwise).
#[derive(Debug)]
pub(crate) struct Sealed {
    pub table: &'static str,
    pub key: &'static [&'static str],
    pub unsealed: &'static [&'static str],
    /// Columns a later migration added: left out of the content while they
    /// are NULL, so that a record sealed before its table grew the column
    /// still matches its seal (the migration adds it NULL everywhere), and
    /// sealed like any other column once a value is written. A column
    /// added to a sealed table must be listed here.
    pub late: &'static [&'static str],
    /// An append-only log sealed by ranges of ids rather than row by row.
    pub log: bool,
}

const fn record(table: &'static str, key: &'static [&'static str]) -> Sealed {
    Sealed { table, key, unsealed: &[], late: &[], log: false }
}

/// Every sealed table. Each has the `touched` triggers of migration 10 (or of
/// the migration that added it: 14 for the checklist marks, 15 for the
/// signatures and trust files);
/// a test checks the two lists agree.
pub(crate) const SEALED: &[Sealed] = &[
    // bin: migration 15.
    Sealed { table: "office", key: &["id"], unsealed: &[], late: &["bin"], log: false },
    // iin: migration 15.
    Sealed { table: "users", key: &["id"], unsealed: &[], late: &["iin"], log: false },
    // origin: migration 17.
    Sealed { table: "catalog_versions", key: &["version"], unsealed: &[], late: &["origin"], log: false },
    record("number_series", &["series", "year"]),
    // request_id: migration 11; path_variant: 18.
    Sealed { table: "applications", key: &["id"], unsealed: &[], late: &["request_id", "path_variant"], log: false },
    record("application_documents", &["application_id", "position"]),
    record("application_document_marks", &["application_id", "position"]),
    record("application_versions", &["application_id", "version"]),
    record("workflow_events", &["id"]),
    // reason_kk, reason_ru: migration 12; fields: 16; akimat_act_*: 19.
    Sealed {
        table: "results",
        key: &["application_id", "version"],
        unsealed: &[],
        late: &["reason_kk", "reason_ru", "fields", "akimat_act_number", "akimat_act_date"],
        log: false,
    },
    record("issuances", &["application_id"]),
    record("issued_documents", &["id"]),
    record("result_signatures", &["application_id", "version"]),
    record("trust_files", &["id"]),
    record("calendar_years", &["year"]),
    record("verification_secret", &["id"]),
    record("kindergartens", &["id"]),
    record("kindergarten_groups", &["id"]),
    record("place_declarations", &["id"]),
    record("places", &["id"]),
    Sealed { table: "queue_entries", key: &["application_id"], unsealed: &["position"], late: &[], log: false },
    record("queue_preferences", &["application_id", "rank"]),
    record("distributions", &["id"]),
    record("referrals", &["id"]),
    record("papers_owed", &["application_id", "kind"]),
    Sealed { table: "position_changes", key: &["id"], unsealed: &[], late: &[], log: true },
];

pub(crate) fn sealed(table: &str) -> Option<&'static Sealed> {
    SEALED.iter().find(|s| s.table == table)
}

/// What `touched` calls a queue number written: not sealed, recomputed.
pub(crate) const POSITIONS: &str = "queue_positions";

/// The hash a deleted record is listed with.
const GONE: &str = "-";

/// A record's content as it is sealed: its columns by name, in name order,
/// blobs by their SHA-256 (a stamp or a key never sits in a seal). The same
/// text on every engine, because both store the same integers and text.
fn content(s: &Sealed, row: &Row) -> String {
    let mut fields = BTreeMap::new();
    for (name, value) in row.columns().iter().zip(row.values()) {
        if s.unsealed.contains(&name.as_str()) || (matches!(value, Value::Null) && s.late.contains(&name.as_str())) {
            continue;
        }
        let v = match value {
            Value::Null => serde_json::Value::Null,
            Value::Int(i) => (*i).into(),
            Value::Real(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
            Value::Text(t) => t.clone().into(),
            Value::Blob(b) => format!("sha256:{}", hex(&Sha256::digest(b))).into(),
        };
        fields.insert(name.clone(), v);
    }
    serde_json::Value::Object(fields.into_iter().collect()).to_string()
}

fn digest(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The key as `touched` and the seals write it: the key columns' values
/// joined by `:`.
fn key_of(s: &Sealed, row: &Row) -> Result<String, Error> {
    let mut parts = Vec::with_capacity(s.key.len());
    for k in s.key {
        parts.push(match row.get::<Value>(k)? {
            Value::Int(i) => i.to_string(),
            Value::Text(t) => t,
            other => return Err(Error::Storage(format!("{}.{k} is {other:?}", s.table))),
        });
    }
    Ok(parts.join(":"))
}

/// The statement's values for a key written as text: integers where the
/// key column is one (every key column but a series name or a paper's kind).
fn key_args(s: &Sealed, key: &str) -> Result<Vec<Value>, Error> {
    let parts: Vec<&str> = key.splitn(s.key.len(), ':').collect();
    if parts.len() != s.key.len() {
        return Err(Error::Storage(format!("key {key:?} of {}", s.table)));
    }
    Ok(s.key
        .iter()
        .zip(parts)
        .map(|(col, part)| match (*col, part.parse::<i64>()) {
            ("series" | "kind", _) | (_, Err(_)) => Value::Text(part.to_owned()),
            (_, Ok(i)) => Value::Int(i),
        })
        .collect())
}

fn where_key(s: &Sealed) -> String {
    s.key.iter().enumerate().map(|(i, k)| format!("{k} = ?{}", i + 1)).collect::<Vec<_>>().join(" AND ")
}

/// One record by its key, if it is there.
fn load(db: &Db, s: &Sealed, key: &str) -> Result<Option<Row>, Error> {
    let values = key_args(s, key)?;
    let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
    Ok(db.query_opt(&format!("SELECT * FROM {} WHERE {}", s.table, where_key(s)), &refs)?)
}

/// The rows of a log's id range, as one sealed content.
fn range_content(db: &Db, s: &Sealed, first: i64, last: i64) -> Result<(String, usize), Error> {
    let rows =
        db.query(&format!("SELECT * FROM {} WHERE id >= ?1 AND id <= ?2 ORDER BY id", s.table), args![first, last])?;
    let items: Vec<String> = rows.iter().map(|r| content(s, r)).collect();
    Ok((format!("[{}]", items.join(",")), rows.len()))
}

/// A line of an event's `records`.
fn line(table: &str, key: &str, hash: &str) -> String {
    format!("{table}\t{key}\t{hash}")
}

/// One event's sealed records, read back.
fn lines(records: &str) -> impl Iterator<Item = (&str, &str, &str)> {
    records.lines().filter_map(|l| {
        let mut parts = l.splitn(3, '\t');
        Some((parts.next()?, parts.next()?, parts.next()?))
    })
}

fn upsert(tx: &Tx<'_>, table: &str, key: &str, seq: i64, hash: &str, content: &str) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO record_seals (tbl, key, seq, hash, content) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (tbl, key) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, content = excluded.content",
        args![table, key, seq, hash, content],
    )?;
    Ok(())
}

/// Where this transaction's own `touched` rows begin: everything up to the
/// mark was there before it (another writer's, left for verification). On
/// the office server the rows carry their transaction instead, since
/// another session's may commit while this one runs.
pub(crate) fn mark(tx: &Tx<'_>) -> Result<i64, Error> {
    match tx.engine() {
        Engine::Sqlite => tx.value("SELECT COALESCE(MAX(id), 0) AS mark FROM touched", args![]),
        Engine::Postgres => Ok(0),
    }
}

/// Runs `select` (a statement on `touched`) over this transaction's own
/// rows (see [`mark`]).
fn own_rows(tx: &Tx<'_>, select: &str, mark: i64) -> Result<Vec<crate::sql::Row>, Error> {
    Ok(match tx.engine() {
        Engine::Sqlite => tx.query(&format!("{select} WHERE id > ?1"), args![mark])?,
        Engine::Postgres => tx.query(&format!("{select} WHERE txid = txid_current()"), args![])?,
    })
}

/// Seals what this transaction touched (the `touched` rows after `mark`)
/// as event `seq` will vouch for it, and clears those rows. Only records
/// whose content changed are listed; the lines come back sorted.
pub(crate) fn seal_touched(tx: &Tx<'_>, mark: i64, seq: i64) -> Result<Vec<String>, Error> {
    // Made distinct here: asked for DISTINCT, SQLite would walk the whole
    // (tbl, key) index, which outside writes can make long.
    let rows = own_rows(tx, "SELECT tbl, key FROM touched", mark)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut touched = BTreeSet::new();
    for t in &rows {
        touched.insert((t.get::<String>("tbl")?, t.get::<String>("key")?));
    }
    let mut out = Vec::new();
    let mut log_ids: BTreeMap<&'static str, BTreeSet<i64>> = BTreeMap::new();
    for (table, key) in touched {
        if table == POSITIONS {
            // Kense's own reorder: the numbers follow from what is sealed.
            continue;
        }
        let s = sealed(&table).ok_or_else(|| Error::Storage(format!("touched names unknown table {table}")))?;
        if s.log {
            let id = key.parse().map_err(|_| Error::Storage(format!("touched {table} key {key:?}")))?;
            log_ids.entry(s.table).or_default().insert(id);
            continue;
        }
        let sealed_hash: Option<String> =
            tx.value_opt("SELECT hash FROM record_seals WHERE tbl = ?1 AND key = ?2", args![table, key])?;
        match load(tx, s, &key)? {
            Some(row) => {
                let c = content(s, &row);
                let h = digest(&c);
                if sealed_hash.as_deref() != Some(h.as_str()) {
                    upsert(tx, s.table, &key, seq, &h, &c)?;
                    out.push(line(s.table, &key, &h));
                }
            }
            None if sealed_hash.is_some() => {
                tx.execute("DELETE FROM record_seals WHERE tbl = ?1 AND key = ?2", args![table, key])?;
                out.push(line(s.table, &key, GONE));
            }
            None => {}
        }
    }
    for (table, ids) in log_ids {
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else { continue };
        let s = sealed(table).ok_or_else(|| Error::Storage(format!("no log {table}")))?;
        out.push(seal_range(tx, s, first, last, seq)?);
    }
    match tx.engine() {
        Engine::Sqlite => tx.execute("DELETE FROM touched WHERE id > ?1", args![mark])?,
        Engine::Postgres => tx.execute("DELETE FROM touched WHERE txid = txid_current()", args![])?,
    };
    out.sort();
    Ok(out)
}

fn seal_range(tx: &Tx<'_>, s: &Sealed, first: i64, last: i64, seq: i64) -> Result<String, Error> {
    let (c, _) = range_content(tx, s, first, last)?;
    let h = digest(&c);
    let key = format!("{first}..{last}");
    upsert(tx, s.table, &key, seq, &h, &c)?;
    Ok(line(s.table, &key, &h))
}

fn range_of(key: &str) -> Option<(i64, i64)> {
    let (a, b) = key.split_once("..")?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The key of a sealed table's row as SQL text, for finding rows that
/// have no seal.
fn key_expression(s: &Sealed, alias: &str) -> String {
    s.key.iter().map(|k| format!("CAST({alias}.{k} AS TEXT)")).collect::<Vec<_>>().join(" || ':' || ")
}

/// What has no seal yet, in chunks of at most `chunk` records per table:
/// the records of a registry written before seals existed (schema 9).
pub(crate) fn unsealed(db: &Db, chunk: usize) -> Result<Vec<(&'static Sealed, Vec<String>)>, Error> {
    let mut out = Vec::new();
    for s in SEALED {
        if s.log {
            let last_sealed: i64 = db
                .query("SELECT key FROM record_seals WHERE tbl = ?1", args![s.table])?
                .iter()
                .filter_map(|r| r.get::<String>("key").ok().and_then(|k| range_of(&k)).map(|(_, b)| b))
                .max()
                .unwrap_or(0);
            let ids: Vec<i64> = db
                .query(
                    &format!("SELECT id FROM {} WHERE id > ?1 ORDER BY id LIMIT ?2", s.table),
                    args![last_sealed, chunk],
                )?
                .iter()
                .map(|r| r.get("id"))
                .collect::<Result<_, _>>()?;
            if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
                out.push((s, vec![format!("{first}..{last}")]));
            }
            continue;
        }
        let sql = format!(
            "SELECT {key} AS k FROM {t} r WHERE NOT EXISTS (SELECT 1 FROM record_seals s WHERE s.tbl = ?1 AND s.key = {key}) LIMIT ?2",
            key = key_expression(s, "r"),
            t = s.table
        );
        let keys: Vec<String> =
            db.query(&sql, args![s.table, chunk])?.iter().map(|r| r.get("k")).collect::<Result<_, _>>()?;
        if !keys.is_empty() {
            out.push((s, keys));
        }
    }
    Ok(out)
}

/// Seals the given records (or log ranges) as they stand, as event `seq`
/// vouches for them; a record that is gone loses its seal. Their `touched`
/// rows are cleared: they are sealed now.
pub(crate) fn seal_given(tx: &Tx<'_>, records: &[(&'static Sealed, String)], seq: i64) -> Result<Vec<String>, Error> {
    let mut out = Vec::with_capacity(records.len());
    for (s, key) in records {
        if s.log {
            let (first, last) = range_of(key).ok_or_else(|| Error::Storage(format!("range {key}")))?;
            out.push(seal_range(tx, s, first, last, seq)?);
            continue;
        }
        match load(tx, s, key)? {
            Some(row) => {
                let c = content(s, &row);
                let h = digest(&c);
                upsert(tx, s.table, key, seq, &h, &c)?;
                out.push(line(s.table, key, &h));
            }
            None => {
                if tx.execute("DELETE FROM record_seals WHERE tbl = ?1 AND key = ?2", args![s.table, key])? > 0 {
                    out.push(line(s.table, key, GONE));
                }
            }
        }
        tx.execute("DELETE FROM touched WHERE tbl = ?1 AND key = ?2", args![s.table, key])?;
    }
    Ok(out)
}

/// What verification found wrong with one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deviation {
    /// The record differs from its seal in these fields.
    Changed { fields: Vec<String> },
    /// A record no event sealed.
    Inserted,
    /// A sealed record that is not there any more.
    Deleted,
    /// The seal does not match the event that is said to vouch for it.
    SealAltered,
    /// A child's stored number differs from the one the queue order gives.
    Position { stored: Option<u32>, computed: Option<u32> },
}

/// A record that is not as the audit chain last vouched for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub table: String,
    pub key: String,
    /// The event that vouches for the record's last lawful state, if any.
    pub seq: Option<i64>,
    pub deviation: Deviation,
}

impl Finding {
    fn new(table: &str, key: &str, seq: Option<i64>, deviation: Deviation) -> Finding {
        Finding { table: table.to_owned(), key: key.to_owned(), seq, deviation }
    }
}

/// The fields in which two sealed contents differ.
fn changed_fields(sealed: &str, now: &str) -> Vec<String> {
    let parse = |t: &str| serde_json::from_str::<BTreeMap<String, serde_json::Value>>(t).unwrap_or_default();
    let (a, b) = (parse(sealed), parse(now));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names.into_iter().filter(|n| a.get(*n) != b.get(*n)).cloned().collect()
}

/// Checks one record (or log range) against its seal.
fn check_record(db: &Db, s: &Sealed, key: &str) -> Result<Option<Finding>, Error> {
    let seal =
        db.query_opt("SELECT seq, hash, content FROM record_seals WHERE tbl = ?1 AND key = ?2", args![s.table, key])?;
    let (seq, hash, sealed_content) = match &seal {
        Some(r) => (Some(r.get::<i64>("seq")?), r.get::<String>("hash")?, r.get::<String>("content")?),
        None => (None, String::new(), String::new()),
    };
    if seal.is_some() && digest(&sealed_content) != hash {
        return Ok(Some(Finding::new(s.table, key, seq, Deviation::SealAltered)));
    }
    let now = if s.log {
        let (first, last) = range_of(key).ok_or_else(|| Error::Storage(format!("range {key}")))?;
        Some(range_content(db, s, first, last)?.0)
    } else {
        load(db, s, key)?.map(|row| content(s, &row))
    };
    Ok(match (now, seal.is_some()) {
        (None, false) => None,
        (None, true) => Some(Finding::new(s.table, key, seq, Deviation::Deleted)),
        (Some(_), false) => Some(Finding::new(s.table, key, None, Deviation::Inserted)),
        (Some(c), true) if digest(&c) == hash => None,
        (Some(c), true) => {
            let fields = if s.log { vec!["rows".to_owned()] } else { changed_fields(&sealed_content, &c) };
            Some(Finding::new(s.table, key, seq, Deviation::Changed { fields }))
        }
    })
}

/// The records written outside Kense's write path since they were last
/// sealed: what the `touched` triggers caught, each checked against its
/// seal. Cheap: it reads only what was touched. The queue entries whose
/// numbers were written come back apart, for their years to be recomputed.
pub(crate) fn check_touched(db: &Db) -> Result<(Vec<Finding>, Vec<i64>), Error> {
    let touched = db.query("SELECT DISTINCT tbl, key FROM touched ORDER BY tbl, key", args![])?;
    let mut findings = Vec::new();
    let mut positions = Vec::new();
    let mut log_ids: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
    for t in &touched {
        let (table, key): (String, String) = (t.get("tbl")?, t.get("key")?);
        if table == POSITIONS {
            positions.extend(key.parse::<i64>().ok());
            continue;
        }
        let Some(s) = sealed(&table) else {
            findings.push(Finding::new(&table, &key, None, Deviation::Inserted));
            continue;
        };
        if s.log {
            log_ids.entry(s.table).or_default().push(key.parse().unwrap_or(0));
            continue;
        }
        // Touched and still as sealed: written and put back, or written
        // identically; either way nothing to report.
        if let Some(f) = check_record(db, s, &key)? {
            findings.push(f);
        }
    }
    for (table, ids) in log_ids {
        let s = sealed(table).ok_or_else(|| Error::Storage(format!("no log {table}")))?;
        let ranges = log_ranges(db, s)?;
        for id in ids {
            match ranges.iter().find(|(a, b)| *a <= id && id <= *b) {
                Some((a, b)) => {
                    if let Some(f) = check_record(db, s, &format!("{a}..{b}"))? {
                        findings.push(f);
                    }
                }
                None => findings.push(Finding::new(table, &id.to_string(), None, Deviation::Inserted)),
            }
        }
    }
    findings.dedup();
    Ok((findings, positions))
}

fn log_ranges(db: &Db, s: &Sealed) -> Result<Vec<(i64, i64)>, Error> {
    Ok(db
        .query("SELECT key FROM record_seals WHERE tbl = ?1", args![s.table])?
        .iter()
        .filter_map(|r| r.get::<String>("key").ok().and_then(|k| range_of(&k)))
        .collect())
}

/// The records of one application against their seals: every sealed table
/// that has an `application_id` column (and the application itself).
pub(crate) fn check_application(db: &Db, application_id: i64) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    for s in SEALED.iter().filter(|s| !s.log) {
        let column = match s.table {
            "applications" => "id",
            "application_documents"
            | "application_document_marks"
            | "application_versions"
            | "results"
            | "issuances"
            | "issued_documents"
            | "queue_entries"
            | "queue_preferences"
            | "referrals"
            | "workflow_events" => "application_id",
            _ => continue,
        };
        let rows = db.query(&format!("SELECT * FROM {} WHERE {column} = ?1", s.table), args![application_id])?;
        for row in &rows {
            findings.extend(check_record(db, s, &key_of(s, row)?)?);
        }
        // A sealed record of this application that is gone.
        if s.key.len() == 1 && s.key[0] == column && rows.is_empty() {
            findings.extend(check_record(db, s, &application_id.to_string())?);
        }
    }
    Ok(findings)
}

/// Rows read per statement by the full check.
const BATCH: i64 = 5_000;

/// Every record of every sealed table against its seal, and every seal
/// against the event that lists it. `progress` is told how many records
/// were checked, table by table, and answers whether to go on.
pub(crate) fn check_all(db: &Db, progress: &mut dyn FnMut(u64) -> bool) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    let mut checked = 0u64;
    for s in SEALED {
        let seals: i64 = db.value("SELECT COUNT(*) AS n FROM record_seals WHERE tbl = ?1", args![s.table])?;
        let mut matched = 0i64;
        if s.log {
            let mut covered = 0i64;
            for (a, b) in log_ranges(db, s)? {
                findings.extend(check_record(db, s, &format!("{a}..{b}"))?);
                covered += db.value::<i64>(
                    &format!("SELECT COUNT(*) AS n FROM {} WHERE id >= ?1 AND id <= ?2", s.table),
                    args![a, b],
                )?;
            }
            let rows: i64 = db.value(&format!("SELECT COUNT(*) AS n FROM {}", s.table), args![])?;
            if rows > covered {
                // Rows outside every sealed range: named one by one.
                let mut ranges = log_ranges(db, s)?;
                ranges.sort_unstable();
                for r in db.query(&format!("SELECT id FROM {} ORDER BY id", s.table), args![])? {
                    let id: i64 = r.get("id")?;
                    let i = ranges.partition_point(|(a, _)| *a <= id);
                    if i == 0 || ranges[i - 1].1 < id {
                        findings.push(Finding::new(s.table, &id.to_string(), None, Deviation::Inserted));
                    }
                }
            }
            checked += u64::try_from(rows).unwrap_or(0);
            if !progress(checked) {
                return Err(Error::Cancelled);
            }
            continue;
        }
        // Rows in key order, a batch at a time (keyset pagination, so a big
        // table costs one index walk).
        let order = s.key.join(", ");
        let mut after: Option<Vec<Value>> = None;
        loop {
            let rows = match &after {
                None => db.query(&format!("SELECT * FROM {} ORDER BY {order} LIMIT ?1", s.table), args![BATCH])?,
                Some(last) => {
                    let cols = format!("({order})");
                    let marks: Vec<String> = (1..=last.len()).map(|i| format!("?{i}")).collect();
                    let sql = format!(
                        "SELECT * FROM {} WHERE {cols} > ({}) ORDER BY {order} LIMIT ?{}",
                        s.table,
                        marks.join(", "),
                        last.len() + 1
                    );
                    let batch = Value::Int(BATCH);
                    let mut refs: Vec<&dyn ToValue> = last.iter().map(|v| v as &dyn ToValue).collect();
                    refs.push(&batch);
                    db.query(&sql, &refs)?
                }
            };
            let Some(final_row) = rows.last() else { break };
            after = Some(s.key.iter().map(|k| final_row.get::<Value>(k)).collect::<Result<_, _>>()?);
            for row in &rows {
                let key = key_of(s, row)?;
                let seal = db.query_opt(
                    "SELECT seq, hash, content FROM record_seals WHERE tbl = ?1 AND key = ?2",
                    args![s.table, key],
                )?;
                let c = content(s, row);
                match seal {
                    None => findings.push(Finding::new(s.table, &key, None, Deviation::Inserted)),
                    Some(seal) => {
                        matched += 1;
                        let (seq, hash, sealed_content): (i64, String, String) =
                            (seal.get("seq")?, seal.get("hash")?, seal.get("content")?);
                        if digest(&sealed_content) != hash {
                            findings.push(Finding::new(s.table, &key, Some(seq), Deviation::SealAltered));
                        } else if digest(&c) != hash {
                            let fields = changed_fields(&sealed_content, &c);
                            findings.push(Finding::new(s.table, &key, Some(seq), Deviation::Changed { fields }));
                        }
                    }
                }
            }
            checked += rows.len() as u64;
            if !progress(checked) {
                return Err(Error::Cancelled);
            }
        }
        if matched < seals {
            // Seals whose record is gone: found by walking the seals.
            for r in db.query("SELECT key, seq FROM record_seals WHERE tbl = ?1", args![s.table])? {
                let key: String = r.get("key")?;
                if load(db, s, &key)?.is_none() {
                    findings.push(Finding::new(s.table, &key, Some(r.get("seq")?), Deviation::Deleted));
                }
            }
        }
    }
    findings.extend(check_seals_against_chain(db)?);
    Ok(findings)
}

/// Every seal must be listed, with its hash, by the event it names, and no
/// later event may list the record: a seal put back to an earlier lawful
/// state is as wrong as a forged one.
fn check_seals_against_chain(db: &Db) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    // Listed records that have no seal: lawful only if a later event lists
    // them as gone (a paper owed, then filed).
    let mut unsealed: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut vouched = 0i64;
    let mut from = 0i64;
    loop {
        let events = db.query(
            "SELECT seq, records FROM audit_events WHERE seq > ?1 AND records IS NOT NULL ORDER BY seq LIMIT ?2",
            args![from, BATCH],
        )?;
        let Some(last) = events.last() else { break };
        from = last.get("seq")?;
        for e in &events {
            let (seq, records): (i64, String) = (e.get("seq")?, e.get("records")?);
            for (table, key, hash) in lines(&records) {
                let seal =
                    db.query_opt("SELECT seq, hash FROM record_seals WHERE tbl = ?1 AND key = ?2", args![table, key])?;
                match seal {
                    Some(s) if s.get::<i64>("seq")? == seq => {
                        vouched += 1;
                        if s.get::<String>("hash")? != hash {
                            findings.push(Finding::new(table, key, Some(seq), Deviation::SealAltered));
                        }
                    }
                    Some(s) if s.get::<i64>("seq")? < seq => {
                        findings.push(Finding::new(table, key, Some(seq), Deviation::SealAltered));
                    }
                    Some(_) => {}
                    None if hash == GONE => {
                        unsealed.remove(&(table.to_owned(), key.to_owned()));
                    }
                    None => {
                        unsealed.insert((table.to_owned(), key.to_owned()), seq);
                    }
                }
            }
        }
    }
    for ((table, key), seq) in unsealed {
        findings.push(Finding::new(&table, &key, Some(seq), Deviation::Deleted));
    }
    let seals: i64 = db.value("SELECT COUNT(*) AS n FROM record_seals", args![])?;
    if vouched < seals {
        // A seal naming an event that does not list it.
        for r in db.query("SELECT tbl, key, seq FROM record_seals", args![])? {
            let (table, key, seq): (String, String, i64) = (r.get("tbl")?, r.get("key")?, r.get("seq")?);
            let records: Option<String> =
                db.value_opt("SELECT records FROM audit_events WHERE seq = ?1", args![seq])?.flatten();
            let listed = records.as_deref().is_some_and(|rec| lines(rec).any(|(t, k, _)| t == table && k == key));
            if !listed {
                findings.push(Finding::new(&table, &key, Some(seq), Deviation::SealAltered));
            }
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sealed_table_has_its_triggers_in_migration_10() {
        // Migration 10 and the tables sealed since (checklist marks, 14;
        // signatures and trust files, 15).
        let sql = [
            include_str!("../migrations/sqlite/0010_evidence.sql"),
            include_str!("../migrations/sqlite/0014_checklists.sql"),
            include_str!("../migrations/sqlite/0015_signatures.sql"),
        ]
        .concat();
        for s in SEALED {
            for op in ["insert", "update", "delete"] {
                assert!(sql.contains(&format!("CREATE TRIGGER {}_touched_{op}", s.table)), "{} {op}", s.table);
            }
        }
        assert_eq!(
            sql.matches("_touched_insert AFTER INSERT").count(),
            SEALED.len(),
            "no trigger for an unsealed table"
        );
        assert!(sql.contains(&format!("VALUES ('{POSITIONS}', NEW.application_id)")));
    }

    /// A record sealed before its table grew a column reads the same while
    /// the column is NULL; a value written into it is sealed.
    #[test]
    fn a_late_column_left_null_keeps_an_old_seal() {
        let applications = sealed("applications").unwrap();
        let row = |cols: &[&str], values: Vec<Value>| {
            Row::new(cols.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>().into(), values)
        };
        let before = row(&["id", "status"], vec![Value::Int(1), Value::Text("accepted".into())]);
        let after =
            |v: Value| row(&["id", "request_id", "status"], vec![Value::Int(1), v, Value::Text("accepted".into())]);
        assert_eq!(content(applications, &before), content(applications, &after(Value::Null)));
        assert_ne!(content(applications, &before), content(applications, &after(Value::Text("desk-a:1".into()))));
    }

    /// Every column a migration after 10 adds to a sealed table is listed
    /// as late, or every record sealed before would read as changed.
    #[test]
    fn every_column_added_to_a_sealed_table_is_late() {
        let engines = [(crate::migrations::SQLITE, "sqlite"), (crate::migrations::POSTGRES, "postgres")];
        for (m, engine) in
            engines.iter().flat_map(|(ms, e)| ms.iter().map(move |m| (m, *e))).filter(|(m, _)| m.version > 10)
        {
            let sql: String =
                m.sql.to_lowercase().lines().map(|l| l.split("--").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
            let mut seen = 0;
            for statement in sql.split(';') {
                let words: Vec<&str> = statement.split_whitespace().collect();
                if let ["alter", "table", table, "add", "column", column, ..] = words.as_slice() {
                    if let Some(s) = sealed(table) {
                        assert!(s.late.contains(column), "{}: {table}.{column} is not listed as late", m.name);
                        seen += 1;
                    }
                }
            }
            if (m.version, engine) == (11, "sqlite") {
                assert_eq!(seen, 1, "the file's migration 11 adds applications.request_id");
            }
        }
    }

    #[test]
    fn changed_fields_are_named() {
        let a = r#"{"applicant_name":"Әлия","id":1,"status":"accepted"}"#;
        let b = r#"{"applicant_name":"Әлиә","id":1,"status":"accepted"}"#;
        assert_eq!(changed_fields(a, b), vec!["applicant_name".to_owned()]);
    }

    #[test]
    fn record_lines_read_back() {
        let text = "applications\t1\tab\nposition_changes\t3..9\tcd";
        assert_eq!(
            lines(text).collect::<Vec<_>>(),
            vec![("applications", "1", "ab"), ("position_changes", "3..9", "cd")]
        );
        assert_eq!(range_of("3..9"), Some((3, 9)));
    }
}
