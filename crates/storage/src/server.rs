//! The office server: the registry in a PostgreSQL database shared by every
//! workstation of the office.
//!
//! Two accounts. The owner (created by whoever runs the server, as
//! PostgreSQL's documentation says) builds the schema once, runs later
//! migrations, and creates the workstations' account; Kense never keeps
//! the owner's password. The workstations' account may read, add and update
//! what Kense updates — but never update, delete or truncate the evidence
//! (the audit chain, the workflow's history, corrections, the history of
//! queue numbers, the verification secret): privileges refuse it, triggers
//! refuse it a second time. A workstation never migrates; it refuses a
//! schema other than its own.

use std::collections::BTreeSet;

use kense_domain::Error;
use serde::Serialize;

use crate::audit::Event;
use crate::sql::{args, Db, PgDb, ServerSettings};
use crate::{migrations, Location, Registry, SCHEMA_VERSION};

/// Tables the workstations' account may only read and add to.
const EVIDENCE: &[&str] =
    &["audit_events", "workflow_events", "application_versions", "verification_secret", "position_changes"];

/// Tables whose rows Kense changes after writing them.
const UPDATED: &[&str] = &[
    "office",
    "users",
    "number_series",
    "applications",
    "results",
    "queue_entries",
    "kindergarten_groups",
    "places",
    "referrals",
    "calendar_years",
    "chain_head",
];

/// Tables Kense also deletes from: working lists, not evidence.
const DELETED: &[&str] = &["touched", "record_seals", "papers_owed"];

/// What setting up the server did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerSetup {
    /// The schema version the database is at now.
    pub schema_version: i64,
    /// Whether this run built the schema (else it was there already).
    pub created: bool,
    /// The workstations' account.
    pub workstation_user: String,
}

/// A PostgreSQL role name Kense will create: lower-case letters, digits and
/// `_`, starting with a letter; nothing to quote, nothing to inject.
fn role_name(name: &str) -> Result<&str, Error> {
    let ok = (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(Error::MalformedRequest(format!("role name {name:?}")))
    }
}

/// A string literal for a statement that takes no parameters (CREATE ROLE):
/// quotes doubled, standard-conforming strings assumed (PostgreSQL's
/// default since 9.1), no control characters.
fn literal(text: &str) -> Result<String, Error> {
    if text.chars().any(char::is_control) || text.contains('\\') {
        return Err(Error::MalformedRequest("a password with control characters or backslashes".into()));
    }
    Ok(format!("'{}'", text.replace('\'', "''")))
}

impl Registry {
    /// Opens the registry on the office server as a workstation: the schema
    /// must be exactly this binary's (a workstation never migrates; an older
    /// one is the owner's to bring up with `kense server setup`).
    pub fn open_server(settings: &ServerSettings) -> Result<Registry, Error> {
        let db = Db::Postgres(PgDb::connect(settings)?);
        let found = migrations::current_version(&db)?;
        if found > SCHEMA_VERSION {
            return Err(Error::DatabaseNewer { found, supported: SCHEMA_VERSION });
        }
        if found < SCHEMA_VERSION {
            return Err(Error::ServerNotReady { found, needed: SCHEMA_VERSION });
        }
        Registry::over(db, Location::Server(settings.clone()), false)
    }

    /// As the owner of an empty (or older) database: builds or migrates
    /// Kense's schema and creates (or updates the password of) the
    /// workstations' account with the rights described in the module's doc.
    pub fn set_up_server(
        owner: &ServerSettings,
        workstation_user: &str,
        workstation_password: &str,
    ) -> Result<ServerSetup, Error> {
        let user = role_name(workstation_user)?;
        kense_domain::user::check_new_password(workstation_password, workstation_password)?;
        let password = literal(workstation_password)?;
        let mut db = Db::Postgres(PgDb::connect(owner)?);
        let before = migrations::current_version(&db)?;
        migrations::migrate(&mut db, migrations::POSTGRES)?;
        let exists: bool =
            db.value("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1) AS present", args![user])?;
        let database: String = db.value("SELECT current_database() AS name", args![])?;
        let quoted_db = format!("\"{}\"", database.replace('"', "\"\""));
        db.transaction(|tx| {
            let verb = if exists { "ALTER" } else { "CREATE" };
            tx.execute_script(&format!("{verb} ROLE {user} LOGIN PASSWORD {password}"))?;
            tx.execute_script(&format!(
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {user};
                 GRANT CONNECT ON DATABASE {quoted_db} TO {user};
                 GRANT USAGE ON SCHEMA public TO {user};
                 GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {user};
                 GRANT UPDATE ON {} TO {user};
                 GRANT UPDATE, DELETE ON {} TO {user};
                 GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {user};
                 REVOKE INSERT ON schema_version FROM {user};
                 REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {user};",
                UPDATED.join(", "),
                DELETED.join(", "),
                EVIDENCE.join(", ")
            ))?;
            Ok(())
        })?;
        log::info!("office server set up at schema {SCHEMA_VERSION} (was {before}); workstation account {user}");
        Ok(ServerSetup { schema_version: SCHEMA_VERSION, created: before == 0, workstation_user: user.to_owned() })
    }
}

/// The server's schema against what the migration builds: every trigger
/// there and enabled (an owner could disable one, and outside writes would
/// then go unnoticed), and the functions they call unchanged.
pub(crate) fn schema_matches(db: &Db) -> Result<bool, Error> {
    let sql = migrations::POSTGRES.iter().map(|m| m.sql).collect::<Vec<_>>().join("\n");
    let expected: BTreeSet<String> = sql
        .split("CREATE TRIGGER ")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next().map(str::to_owned))
        .collect();
    let live: BTreeSet<String> = db
        .query("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'", args![])?
        .iter()
        .map(|r| r.get("tgname"))
        .collect::<Result<_, _>>()?;
    if expected != live {
        return Ok(false);
    }
    for function in ["kense_refuse", "kense_refuse_identity", "kense_key", "kense_touched"] {
        let body: Option<String> = db.value_opt("SELECT prosrc FROM pg_proc WHERE proname = ?1", args![function])?;
        let shipped =
            sql.split(&format!("CREATE FUNCTION {function}(")).nth(1).and_then(|rest| rest.split("$$").nth(1));
        let same = |a: &str, b: &str| a.split_whitespace().eq(b.split_whitespace());
        match (body, shipped) {
            (Some(live), Some(shipped)) if same(&live, shipped) => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Whether the owner's database holds nothing yet (no table in its schema).
pub(crate) fn is_empty(db: &Db) -> Result<bool, Error> {
    let tables: i64 =
        db.value("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()", args![])?;
    Ok(tables == 0)
}

/// The audit event of a registry moved onto the server.
pub(crate) fn moved_event(source: &str, sha256: &str, events: i64, head: &str) -> Event {
    Event::new("moved_to_server", "registry")
        .by_system()
        .id(source)
        .after(serde_json::json!({ "source": source, "sha256": sha256, "events": events, "head": head }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_and_literals_cannot_inject() {
        assert!(role_name("kense_desk").is_ok());
        for bad in ["", "Kense", "1desk", "desk;drop", "desk name", "dësk", &"a".repeat(64)] {
            assert!(role_name(bad).is_err(), "{bad}");
        }
        assert_eq!(literal("it's").unwrap(), "'it''s'");
        assert!(literal("a\\b").is_err());
        assert!(literal("a\nb").is_err());
    }

    #[test]
    fn the_evidence_tables_are_never_updated_or_deleted() {
        for t in EVIDENCE {
            assert!(!UPDATED.contains(t) && !DELETED.contains(t), "{t}");
        }
    }
}

/// What moving a registry onto the server did, for the person who moved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub source: String,
    pub source_sha256: String,
    /// The audit chain as it stood in the file, and goes on on the server.
    pub events: i64,
    pub head: String,
    pub rows: std::collections::BTreeMap<String, i64>,
}

impl Registry {
    /// A verified backup of the registry on the server, exported into a
    /// Kense backup file (a SQLite registry) through one consistent read:
    /// the same file a one-PC office's backup is, checked the same way, and
    /// restorable on either engine.
    pub(crate) fn export_backup(
        &self,
        dir: &std::path::Path,
        now: chrono::DateTime<chrono::FixedOffset>,
        progress: &mut crate::backup::Report<'_>,
    ) -> Result<crate::backup::BackupRecord, Error> {
        crate::backup::take_with(dir, now, progress, |part, progress| {
            let mut file = Db::Sqlite(crate::sql::SqliteDb::open(part)?);
            migrations::migrate(&mut file, migrations::SQLITE)?;
            let (source, copy) = self.db.snapshot(|src| {
                file.transaction(|tx| crate::copy::copy_all(src, tx, progress))?;
                Ok((crate::copy::digests(src)?, crate::copy::digests(&file)?))
            })?;
            if source != copy {
                return Err(Error::Storage("the exported backup differs from the server's registry".into()));
            }
            let Db::Sqlite(file) = file else { return Err(Error::InvalidState) };
            crate::backup::finish_copy(file.into_connection(), part)
        })
    }

    /// Moves an office's registry — a file, or a backup of one — onto the
    /// server: into an empty database only (nothing there is overwritten),
    /// with its whole history and its audit chain, which goes on across the
    /// move; the move itself is the first event on the server, naming the
    /// file's SHA-256. The file is checked as a restore checks it and
    /// brought to this binary's schema on a copy first; afterwards every
    /// table's rows and digest, and the chain's head, are compared on both
    /// sides. The workstations' account is set up as `set_up_server` does.
    pub fn move_to_server(
        source: &std::path::Path,
        staging: &std::path::Path,
        owner: &ServerSettings,
        workstation: (&str, &str),
        now: chrono::DateTime<chrono::FixedOffset>,
        progress: &mut crate::backup::Report<'_>,
    ) -> Result<Moved, Error> {
        let staged = crate::backup::stage_restore(source, staging, progress)?;
        let (source_name, source_sha256) = (staged.source.clone(), staged.sha256.clone());
        let moved = (|| {
            let mut file = Registry::open(staging)?;
            file.seal_after_upgrade(now)?;
            let chain = file.verify_audit_chain()?;
            if chain.first_bad.is_some() {
                return Err(Error::BackupRejected(kense_domain::BackupFault::AuditChain {
                    first_bad: chain.first_bad.unwrap_or(0),
                }));
            }
            let mut server = Db::Postgres(PgDb::connect(owner)?);
            if !is_empty(&server)? {
                return Err(Error::ServerNotEmpty);
            }
            migrations::migrate(&mut server, migrations::POSTGRES)?;
            server.transaction(|tx| crate::copy::copy_all(&file.db, tx, progress))?;
            let (here, there) = (crate::copy::digests(&file.db)?, crate::copy::digests(&server)?);
            if here != there {
                return Err(Error::Storage(
                    "the registry on the server differs from the file it was moved from".into(),
                ));
            }
            let moved = Moved {
                source: source_name.clone(),
                source_sha256: source_sha256.clone(),
                events: chain.events,
                head: chain.head.clone(),
                rows: here.rows,
            };
            let mut registry = Registry::over(server, Location::Server(owner.clone()), false)?;
            registry.db.record(
                &crate::timestamp(now),
                moved_event(&moved.source, &moved.source_sha256, moved.events, &moved.head),
            )?;
            let after = registry.verify_audit_chain()?;
            if after.first_bad.is_some() || after.events != chain.events + 1 {
                return Err(Error::Storage("the chain does not go on across the move".into()));
            }
            Ok(moved)
        })();
        staged.discard();
        let moved = moved?;
        Registry::set_up_server(owner, workstation.0, workstation.1)?;
        log::warn!("registry {} moved onto the office server ({} events)", moved.source, moved.events);
        Ok(moved)
    }
}
