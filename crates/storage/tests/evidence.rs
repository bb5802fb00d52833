//! Evidence that holds: every record that carries legal weight is bound to
//! the audit chain, so an edit, an insertion or a deletion made with plain
//! SQL behind Kense's back is found — at start-up (cheaply, from what the
//! triggers caught) and by the full check — with the record, the field and
//! the event that vouches for the last lawful state named; a correction
//! made through Kense is not flagged.

use std::path::Path;

use kense_domain::workflow::Status;
use kense_storage::{Deviation, Evidence, Finding, Registry};
use rusqlite::types::Value;
use rusqlite::Connection;

mod common;

use common::office::{at, office};

/// A registry with a record in every sealed table, its file and the
/// guardianship application's id.
fn template(dir: &Path) -> (std::path::PathBuf, i64) {
    let mut o = office("2026-11-02T09:00:00+05:00");
    let id = o.populated();
    let path = dir.join("template.sqlite");
    // One self-contained file (the live one has its log beside it).
    Connection::open(o.r.path().unwrap()).unwrap().execute("VACUUM INTO ?1", [path.to_str().unwrap()]).unwrap();
    (path, id)
}

fn checks(path: &Path) -> (Evidence, Evidence) {
    let r = Registry::open(path).unwrap();
    let start = r.check_evidence(None).unwrap();
    let full = r.verify_evidence(&mut |_| true).unwrap();
    (start, full)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Edit {
    Update,
    Insert,
    Delete,
}

/// A connection as the `sqlite3` tool would open it: no foreign keys.
fn outside(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    conn
}

/// The primary key columns of a table, in order.
fn key_columns(conn: &Connection, table: &str) -> Vec<String> {
    let mut cols: Vec<(i64, String)> = conn
        .prepare(&format!("PRAGMA table_info({table})"))
        .unwrap()
        .query_map([], |r| Ok((r.get::<_, i64>(5)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .filter(|(pk, _)| *pk > 0)
        .collect();
    cols.sort();
    cols.into_iter().map(|(_, c)| c).collect()
}

fn first_row(conn: &Connection, table: &str) -> Vec<(String, Value)> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid LIMIT 1")).unwrap();
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    stmt.query_row([], |r| {
        Ok(names.iter().enumerate().map(|(i, n)| (n.clone(), r.get::<_, Value>(i).unwrap())).collect())
    })
    .unwrap_or_else(|e| panic!("{table} has no row to edit: {e}"))
}

fn key_text(row: &[(String, Value)], keys: &[String]) -> String {
    keys.iter()
        .map(|k| match &row.iter().find(|(n, _)| n == k).unwrap().1 {
            Value::Integer(i) => i.to_string(),
            Value::Text(t) => t.clone(),
            other => panic!("key {k} is {other:?}"),
        })
        .collect::<Vec<_>>()
        .join(":")
}

fn changed(v: &Value) -> Option<Value> {
    match v {
        Value::Integer(i) => Some(Value::Integer(i + 100_000)),
        Value::Text(t) => Some(Value::Text(format!("{t}ә"))),
        Value::Blob(b) => Some(Value::Blob([b.as_slice(), b"x"].concat())),
        Value::Null | Value::Real(_) => None,
    }
}

fn where_key(keys: &[String]) -> String {
    keys.iter().map(|k| format!("{k} = :{k}")).collect::<Vec<_>>().join(" AND ")
}

/// Drops whatever trigger refuses an outside write (the append-only ones):
/// a determined editor can, and the schema check then says so.
fn drop_guards(conn: &Connection, table: &str) -> bool {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 AND sql LIKE '%RAISE%'")
        .unwrap()
        .query_map([table], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for n in &names {
        conn.execute_batch(&format!("DROP TRIGGER {n}")).unwrap();
    }
    !names.is_empty()
}

/// Makes `edit` to the first row of `table` with plain SQL; the key and,
/// for an update, the column come back. `None` when the schema forbids it
/// (a one-row table cannot gain a row).
fn tamper(path: &Path, table: &str, edit: Edit) -> Option<(String, Option<String>, bool)> {
    let conn = outside(path);
    let keys = key_columns(&conn, table);
    let row = first_row(&conn, table);
    let key = key_text(&row, &keys);
    let bind = |stmt: &mut rusqlite::Statement<'_>, values: &[(String, Value)]| {
        for (n, v) in values {
            if let Some(i) = stmt.parameter_index(&format!(":{n}")).unwrap() {
                stmt.raw_bind_parameter(i, v).unwrap();
            }
        }
    };
    let mut guards_dropped = false;
    match edit {
        Edit::Update => {
            for (col, v) in row.iter().filter(|(n, _)| !keys.contains(n) && n != "position") {
                let Some(new) = changed(v) else { continue };
                let sql = format!("UPDATE {table} SET {col} = :new_value WHERE {}", where_key(&keys));
                let mut stmt = conn.prepare(&sql).unwrap();
                bind(&mut stmt, &row);
                stmt.raw_bind_parameter(stmt.parameter_index(":new_value").unwrap().unwrap(), &new).unwrap();
                let done = stmt.raw_execute();
                if let Err(e) = done {
                    if e.to_string().contains("CHECK") {
                        // A value the schema refuses: a flag flipped instead
                        // (every column of the checklist marks is checked),
                        // else another column.
                        drop(stmt);
                        let Value::Integer(flag @ (0 | 1)) = v else { continue };
                        let mut stmt = conn.prepare(&sql).unwrap();
                        bind(&mut stmt, &row);
                        let flipped = Value::Integer(1 - flag);
                        stmt.raw_bind_parameter(stmt.parameter_index(":new_value").unwrap().unwrap(), &flipped)
                            .unwrap();
                        if stmt.raw_execute().is_err() {
                            continue;
                        }
                        return Some((key, Some(col.clone()), guards_dropped));
                    }
                    drop(stmt);
                    guards_dropped = drop_guards(&conn, table);
                    let mut stmt = conn.prepare(&sql).unwrap();
                    bind(&mut stmt, &row);
                    stmt.raw_bind_parameter(stmt.parameter_index(":new_value").unwrap().unwrap(), &new).unwrap();
                    if stmt.raw_execute().is_err() {
                        continue;
                    }
                }
                return Some((key, Some(col.clone()), guards_dropped));
            }
            panic!("no column of {table} could be changed");
        }
        Edit::Insert => {
            let unique: Vec<String> = {
                let indexes: Vec<String> = conn
                    .prepare(&format!("PRAGMA index_list({table})"))
                    .unwrap()
                    .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .filter(|(_, u)| *u == 1)
                    .map(|(n, _)| n)
                    .collect();
                indexes
                    .iter()
                    .flat_map(|i| {
                        conn.prepare(&format!("PRAGMA index_info({i})"))
                            .unwrap()
                            .query_map([], |r| r.get::<_, String>(2))
                            .unwrap()
                            .map(Result::unwrap)
                            .collect::<Vec<_>>()
                    })
                    .collect()
            };
            let values: Vec<(String, Value)> = row
                .iter()
                .map(|(n, v)| {
                    let must_differ = keys.contains(n) || unique.contains(n);
                    (n.clone(), if must_differ { changed(v).unwrap_or(v.clone()) } else { v.clone() })
                })
                .collect();
            let cols: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
            let marks: Vec<String> = cols.iter().map(|c| format!(":{c}")).collect();
            let sql = format!("INSERT INTO {table} ({}) VALUES ({})", cols.join(", "), marks.join(", "));
            let mut stmt = conn.prepare(&sql).unwrap();
            bind(&mut stmt, &values);
            match stmt.raw_execute() {
                Ok(_) => Some((key_text(&values, &keys), None, false)),
                Err(e) => {
                    assert!(e.to_string().contains("CHECK"), "{table}: {e}");
                    None
                }
            }
        }
        Edit::Delete => {
            let sql = format!("DELETE FROM {table} WHERE {}", where_key(&keys));
            let mut stmt = conn.prepare(&sql).unwrap();
            bind(&mut stmt, &row);
            if stmt.raw_execute().is_err() {
                drop(stmt);
                guards_dropped = drop_guards(&conn, table);
                let mut stmt = conn.prepare(&sql).unwrap();
                bind(&mut stmt, &row);
                stmt.raw_execute().unwrap();
            }
            Some((key, None, guards_dropped))
        }
    }
}

fn names(found: &[Finding], table: &str) -> Vec<Finding> {
    found.iter().filter(|f| f.table == table).cloned().collect()
}

#[test]
fn every_outside_update_insert_and_delete_is_found_named_and_the_two_checks_agree() {
    let dir = tempfile::tempdir().unwrap();
    let (template, _) = template(dir.path());
    let (start, full) = checks(&template);
    assert!(start.holds() && full.holds(), "a registry Kense alone wrote holds: {start:?} {full:?}");

    let mut cases = 0;
    for table in kense_storage::sealed_tables() {
        for edit in [Edit::Update, Edit::Insert, Edit::Delete] {
            let case = dir.path().join(format!("{table}-{edit:?}.sqlite"));
            std::fs::copy(&template, &case).unwrap();
            let Some((key, column, guards_dropped)) = tamper(&case, table, edit) else { continue };
            cases += 1;
            let (start, full) = checks(&case);
            let what = format!("{edit:?} of {table} {key}");
            assert!(start.chain.first_bad.is_none(), "{what}: the chain itself is untouched");
            let (at_start, in_full) = (names(&start.findings, table), names(&full.findings, table));
            assert!(!in_full.is_empty(), "{what} not found by the full check: {:?}", full.findings);
            assert_eq!(at_start, in_full, "{what}: start-up and full check disagree");
            assert_eq!(
                start.findings.iter().any(|f| f.table == "schema"),
                guards_dropped,
                "{what}: a dropped trigger is reported, and only then"
            );
            let f = &in_full[0];
            if table == "position_changes" {
                continue; // a log: its range is named, see below
            }
            assert_eq!(f.key, key, "{what}: the record is named");
            match edit {
                Edit::Update => {
                    assert_eq!(f.deviation, Deviation::Changed { fields: vec![column.clone().unwrap()] }, "{what}");
                    assert!(f.seq.is_some(), "{what}: the vouching event is named");
                }
                Edit::Insert => assert_eq!(f.deviation, Deviation::Inserted, "{what}"),
                Edit::Delete => assert_eq!(f.deviation, Deviation::Deleted, "{what}"),
            }
        }
    }
    assert!(cases >= 3 * 20, "only {cases} cases ran");
}

#[test]
fn the_log_of_numbers_and_the_numbers_themselves_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (template, _) = template(dir.path());
    let case = dir.path().join("positions.sqlite");
    std::fs::copy(&template, &case).unwrap();
    let conn = outside(&case);
    conn.execute("UPDATE queue_entries SET position = position + 5 WHERE position IS NOT NULL", []).unwrap();
    conn.execute(
        "UPDATE position_changes SET cause = 'withdrawn' WHERE id = (SELECT MIN(id) FROM position_changes)",
        [],
    )
    .unwrap();
    drop(conn);
    let (start, full) = checks(&case);
    for e in [&start, &full] {
        assert!(
            e.findings.iter().any(|f| matches!(f.deviation, Deviation::Position { .. })),
            "a number written outside Kense: {:?}",
            e.findings
        );
        let log = names(&e.findings, "position_changes");
        assert!(matches!(log.as_slice(), [Finding { deviation: Deviation::Changed { .. }, .. }]), "{log:?}");
        assert!(log[0].key.contains(".."), "the range of the log is named: {}", log[0].key);
    }
}

#[test]
fn corrections_through_kense_are_not_flagged_and_later_writes_do_not_launder_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (template, id) = template(dir.path());
    let conn = outside(&template);
    conn.execute("UPDATE applications SET applicant_name = 'Жалған Есім' WHERE id = ?1", [id]).unwrap();
    drop(conn);
    let mut r = Registry::open(&template).unwrap();
    // Kense goes on writing (log-ins, a registration's steps): its write
    // path seals only what its own transaction touched.
    r.log_in("clerk", common::office::PW, at("2026-11-03T09:00:00+05:00")).unwrap();
    let found = r.check_evidence(None).unwrap();
    let f = names(&found.findings, "applications");
    assert_eq!(f.len(), 1, "{:?}", found.findings);
    assert_eq!(f[0].deviation, Deviation::Changed { fields: vec!["applicant_name".into()] });
    let full = r.verify_evidence(&mut |_| true).unwrap();
    assert_eq!(names(&full.findings, "applications"), f);

    // An administrator accepts it (having checked the paper): sealed anew,
    // with the reason, and nothing is reported any more.
    let admin = r.log_in("admin", common::office::PW, at("2026-11-03T09:05:00+05:00")).unwrap();
    let clerk = r.log_in("clerk", common::office::PW, at("2026-11-03T09:05:00+05:00")).unwrap();
    assert!(r.accept_findings(&clerk, &f, "тексерілді", at("2026-11-03T09:06:00+05:00")).is_err(), "a clerk may not");
    r.accept_findings(&admin, &f, "қағазбен салыстырылды", at("2026-11-03T09:06:00+05:00")).unwrap();
    assert!(r.check_evidence(None).unwrap().holds());
    assert!(r.verify_evidence(&mut |_| true).unwrap().holds());

    // The record now reads as accepted, and the correction made through
    // Kense before (its version kept) was never an outside edit.
    let rec = r.application(&clerk, id, at("2026-11-03T09:07:00+05:00")).unwrap();
    assert_eq!((rec.status, rec.corrections, rec.applicant_name.as_str()), (Status::Issued, 1, "Жалған Есім"));
    assert!(r.check_evidence(None).unwrap().holds());
}

#[test]
fn a_registry_written_before_seals_is_sealed_once_as_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema9.sqlite");
    // A registry as Kense wrote it before seals: schema 9, records, no seals.
    let conn = Connection::open(&path).unwrap();
    for n in 1..=9 {
        let file = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{n:04}_")))
            .unwrap();
        conn.execute_batch(&std::fs::read_to_string(file).unwrap()).unwrap();
    }
    // The catalog it was registered under (the queue's rules are read from
    // the catalog in force).
    conn.execute(
        "INSERT INTO catalog_versions VALUES (1, ?1, 'ab', '2025-01-10T09:00:00+05:00')",
        rusqlite::params![common::CATALOG],
    )
    .unwrap();
    conn.execute_batch(
        "PRAGMA user_version = 9;
         INSERT INTO users (id, login, full_name, password_hash, roles, created_at)
             VALUES (1, 'admin', 'Әкімші', 'x', 'administrator', '2025-01-10T09:00:00+05:00');
         INSERT INTO number_series VALUES ('01', 2025, 2);
         INSERT INTO applications (id, number, series, year, seq, registered_at, registered_by, catalog_version,
                 service_code, service_name_kk, service_name_ru, channel, status, applicant_iin, applicant_name,
                 applicant_phone, applicant_address, consent, notes)
             VALUES (1, '01-2025-00001', '01', 2025, 1, '2025-01-10T10:00:00+05:00', 1, 1, 'free_meals', 'Тамақ',
                     'Питание', 'office', 'accepted', '900101300007', 'Өтініш Беруші', '', '', 1, '');
         INSERT INTO position_changes (application_id, at, from_position, to_position, cause, subject_id)
             VALUES (1, '2025-01-10T10:00:00+05:00', NULL, 1, 'registered', 1);",
    )
    .unwrap();
    drop(conn);
    let mut r = Registry::open(&path).unwrap();
    assert!(!r.verify_evidence(&mut |_| true).unwrap().holds(), "unsealed records are reported until sealed");
    let sealed = r.seal_after_upgrade(at("2026-11-04T09:00:00+05:00")).unwrap();
    assert_eq!(sealed, 6, "office, user, catalog, series, application, the log's one range");
    assert_eq!(r.seal_after_upgrade(at("2026-11-04T09:01:00+05:00")).unwrap(), 0, "once");
    let full = r.verify_evidence(&mut |_| true).unwrap();
    assert!(full.holds(), "{full:?}");
    assert!(r.check_evidence(None).unwrap().holds());
    // From here on an outside edit of those old records is found.
    drop(r);
    outside(&path).execute("UPDATE applications SET applicant_name = 'Басқа' WHERE id = 1", []).unwrap();
    let (start, full) = checks(&path);
    assert_eq!(names(&start.findings, "applications"), names(&full.findings, "applications"));
    assert_eq!(names(&full.findings, "applications").len(), 1);
}

#[test]
fn a_paper_owed_then_filed_leaves_the_registry_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (template, id) = template(dir.path());
    let mut r = Registry::open(&template).unwrap();
    let clerk = r.log_in("clerk", common::office::PW, at("2026-11-03T09:00:00+05:00")).unwrap();
    let owed = r.owed_papers().unwrap();
    assert!(owed.len() >= 2, "the queue's registrations owe their papers: {owed:?}");
    for (application_id, kind) in &owed {
        let printed = kense_storage::Printed {
            application_id: *application_id,
            kind,
            copy: 1,
            sha256: "ab",
            verification: "",
            file_name: "x.pdf",
        };
        let action = if kind == "queue-notification" {
            kense_domain::access::Action::ViewQueue
        } else {
            kense_domain::access::Action::PrintDocument
        };
        r.record_printed(&clerk, action, &printed, at("2026-11-03T09:01:00+05:00")).unwrap();
    }
    assert!(r.owed_papers().unwrap().is_empty(), "filed papers are struck off");
    assert!(r.check_evidence(None).unwrap().holds());
    let full = r.verify_evidence(&mut |_| true).unwrap();
    assert!(full.holds(), "{full:?}");
    let _ = id;
}
