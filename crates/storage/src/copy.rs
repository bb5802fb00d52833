//! A whole registry copied from one engine to the other, row by row, its ids
//! and its audit chain as they are: an office's file moved onto the server,
//! the server exported into a Kense backup file (which is a SQLite registry),
//! a backup restored onto an empty server database.
//!
//! Both engines store the same integers, text and bytes, so a copy is the
//! same registry: every table's digest is compared after copying, and the
//! chain verifies to the same head on both sides (it hashes the stored text,
//! never an engine's own types).

use std::collections::BTreeMap;

use kense_domain::audit::hex;
use kense_domain::Error;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::backup::{Progress, Report, Stage};
use crate::sql::{args, Db, Engine, Row, ToValue, Tx, Value};

/// Every table of a registry, in the order a copy fills them (a table after
/// those it refers to), with the columns it is read in order of.
pub(crate) const TABLES: &[(&str, &[&str])] = &[
    ("office", &["id"]),
    ("users", &["id"]),
    ("catalog_versions", &["version"]),
    ("number_series", &["series", "year"]),
    ("calendar_years", &["year"]),
    ("verification_secret", &["id"]),
    ("applications", &["id"]),
    ("application_documents", &["application_id", "position"]),
    ("application_document_marks", &["application_id", "position"]),
    ("application_versions", &["application_id", "version"]),
    ("workflow_events", &["id"]),
    ("results", &["application_id", "version"]),
    ("issuances", &["application_id"]),
    ("issued_documents", &["id"]),
    ("result_signatures", &["application_id", "version"]),
    ("trust_files", &["id"]),
    ("kindergartens", &["id"]),
    ("kindergarten_groups", &["id"]),
    ("place_declarations", &["id"]),
    ("places", &["id"]),
    ("queue_entries", &["application_id"]),
    ("queue_preferences", &["application_id", "rank"]),
    ("distributions", &["id"]),
    ("position_changes", &["id"]),
    ("referrals", &["id"]),
    ("papers_owed", &["application_id", "kind"]),
    ("import_batches", &["id"]),
    ("imported_applications", &["application_id"]),
    ("survey_responses", &["id"]),
    ("audit_events", &["seq"]),
    ("record_seals", &["tbl", "key"]),
];

/// Tables whose ids the server generates: after a copy each identity goes
/// on from the largest id copied.
const IDENTITIES: &[&str] = &[
    "users",
    "applications",
    "workflow_events",
    "issued_documents",
    "kindergartens",
    "kindergarten_groups",
    "place_declarations",
    "places",
    "distributions",
    "position_changes",
    "referrals",
    "import_batches",
    "survey_responses",
    "trust_files",
];

/// Rows read per statement.
const BATCH: i64 = 2_000;

/// What a copy carried, table by table, with each table's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copied {
    pub rows: BTreeMap<String, i64>,
    pub digests: BTreeMap<String, String>,
}

/// The rows of `table` in key order, a batch at a time, handed to `each`.
fn each_row(db: &Db, table: &str, key: &[&str], mut each: impl FnMut(&Row) -> Result<(), Error>) -> Result<(), Error> {
    let order = key.join(", ");
    let mut after: Option<Vec<Value>> = None;
    loop {
        let rows = match &after {
            None => db.query(&format!("SELECT * FROM {table} ORDER BY {order} LIMIT ?1"), args![BATCH])?,
            Some(last) => {
                let marks: Vec<String> = (1..=last.len()).map(|i| format!("?{i}")).collect();
                let sql = format!(
                    "SELECT * FROM {table} WHERE ({order}) > ({}) ORDER BY {order} LIMIT ?{}",
                    marks.join(", "),
                    last.len() + 1
                );
                let batch = Value::Int(BATCH);
                let mut refs: Vec<&dyn ToValue> = last.iter().map(|v| v as &dyn ToValue).collect();
                refs.push(&batch);
                db.query(&sql, &refs)?
            }
        };
        let Some(final_row) = rows.last() else { return Ok(()) };
        after = Some(key.iter().map(|k| final_row.get::<Value>(k)).collect::<Result<_, _>>()?);
        for r in &rows {
            each(r)?;
        }
    }
}

/// One table's rows as one digest: every column, by name, in key order.
/// Equal digests on two engines mean equal rows.
pub(crate) fn table_digest(db: &Db, table: &str, key: &[&str]) -> Result<(i64, String), Error> {
    let mut h = Sha256::new();
    let mut n = 0;
    each_row(db, table, key, |r| {
        let mut fields = BTreeMap::new();
        for (name, v) in r.columns().iter().zip(r.values()) {
            if name == "txid" {
                continue; // the server's own note of who touched it
            }
            let v = match v {
                Value::Null => serde_json::Value::Null,
                Value::Int(i) => (*i).into(),
                Value::Real(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
                Value::Text(t) => t.clone().into(),
                Value::Blob(b) => hex(b).into(),
            };
            fields.insert(name.clone(), v);
        }
        h.update(serde_json::Value::Object(fields.into_iter().collect()).to_string().as_bytes());
        h.update(b"\n");
        n += 1;
        Ok(())
    })?;
    Ok((n, hex(&h.finalize())))
}

/// Every table's row count and digest.
pub(crate) fn digests(db: &Db) -> Result<Copied, Error> {
    let mut copied = Copied { rows: BTreeMap::new(), digests: BTreeMap::new() };
    for (table, key) in TABLES {
        let (n, d) = table_digest(db, table, key)?;
        copied.rows.insert((*table).to_owned(), n);
        copied.digests.insert((*table).to_owned(), d);
    }
    Ok(copied)
}

/// Copies every row of `from` into the freshly migrated registry `to` (in
/// the caller's transaction), the chain's head with it, and what `from`'s
/// triggers had noted as touched outside Kense. `report` is told the rows
/// copied so far.
pub(crate) fn copy_all(from: &Db, to: &Tx<'_>, report: &mut Report<'_>) -> Result<(), Error> {
    let total: i64 = TABLES
        .iter()
        .map(|(t, _)| from.value::<i64>(&format!("SELECT COUNT(*) AS n FROM {t}"), args![]))
        .sum::<Result<i64, Error>>()?;
    let total = u64::try_from(total).unwrap_or(0);
    let mut done = 0u64;
    // The migration's own first rows give way to the copied ones.
    to.execute("DELETE FROM office", args![])?;
    for (table, key) in TABLES {
        let mut insert: Option<String> = None;
        each_row(from, table, key, |r| {
            let sql = insert.get_or_insert_with(|| {
                let marks: Vec<String> = (1..=r.columns().len()).map(|i| format!("?{i}")).collect();
                format!("INSERT INTO {table} ({}) VALUES ({})", r.columns().join(", "), marks.join(", "))
            });
            let refs: Vec<&dyn ToValue> = r.values().iter().map(|v| v as &dyn ToValue).collect();
            to.execute(sql, &refs)?;
            done += 1;
            if done.is_multiple_of(1_000) && !report(Progress { stage: Stage::Copy, done, total }) {
                return Err(Error::Cancelled);
            }
            Ok(())
        })?;
    }
    let head = from.query_one("SELECT seq, hash, sealed FROM chain_head WHERE id = 1", args![])?;
    to.execute(
        "UPDATE chain_head SET seq = ?1, hash = ?2, sealed = ?3 WHERE id = 1",
        args![head.get::<i64>("seq")?, head.get::<String>("hash")?, head.get::<i64>("sealed")?],
    )?;
    // The copy's own inserts were noted by the target's triggers; what the
    // source had noted (writes outside Kense) goes with the registry.
    to.execute("DELETE FROM touched", args![])?;
    for r in from.query("SELECT tbl, key FROM touched ORDER BY id", args![])? {
        to.execute(
            "INSERT INTO touched (tbl, key) VALUES (?1, ?2)",
            args![r.get::<String>("tbl")?, r.get::<String>("key")?],
        )?;
    }
    if to.engine() == Engine::Postgres {
        for table in IDENTITIES {
            to.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1)) AS at"
                ),
                args![],
            )?;
        }
    }
    let _ = report(Progress { stage: Stage::Copy, done: total, total });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_of_the_schema_is_copied_and_every_sealed_one_with_it() {
        let sql = crate::migrations::SQLITE.iter().map(|m| m.sql).collect::<Vec<_>>().join("\n");
        let mut created: Vec<&str> = sql
            .split("CREATE TABLE ")
            .skip(1)
            .filter_map(|rest| rest.split_whitespace().next())
            .filter(|t| !matches!(*t, "chain_head" | "touched"))
            // A table rebuilt under a new name and renamed back (SQLite
            // changes a CHECK so) is the one it replaces.
            .filter(|t| !sql.contains(&format!("ALTER TABLE {t} RENAME TO")))
            .collect();
        created.sort_unstable();
        let mut copied: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
        copied.sort_unstable();
        assert_eq!(created, copied, "a table the copy would miss");
        for s in crate::seal::SEALED {
            assert!(TABLES.iter().any(|(t, _)| *t == s.table), "{}", s.table);
        }
    }
}
