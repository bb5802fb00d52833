//! Embedded, ordered migrations per engine, applied all-or-nothing.
//!
//! On SQLite the schema version is `user_version`, which lives in the file
//! header and so commits or rolls back with the migration's transaction.

use kense_domain::Error;

use crate::sql::{args, Db, Engine};

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migration {
    ($engine:literal, $version:literal, $name:literal, $file:literal) => {
        Migration { version: $version, name: $name, sql: include_str!(concat!("../migrations/", $engine, "/", $file)) }
    };
}

pub(crate) const SQLITE: &[Migration] = &[
    migration!("sqlite", 1, "registry", "0001_registry.sql"),
    migration!("sqlite", 2, "workflow", "0002_workflow.sql"),
    migration!("sqlite", 3, "corrections", "0003_corrections.sql"),
    migration!("sqlite", 4, "calendar", "0004_calendar.sql"),
    migration!("sqlite", 5, "verification", "0005_verification.sql"),
    migration!("sqlite", 6, "queue", "0006_queue.sql"),
    migration!("sqlite", 7, "stamp", "0007_stamp.sql"),
    migration!("sqlite", 8, "verification_secret", "0008_verification_secret.sql"),
    migration!("sqlite", 9, "result_form", "0009_result_form.sql"),
    migration!("sqlite", 10, "evidence", "0010_evidence.sql"),
    migration!("sqlite", 11, "search", "0011_search.sql"),
    migration!("sqlite", 12, "result_wording", "0012_result_wording.sql"),
    migration!("sqlite", 13, "import", "0013_import.sql"),
    migration!("sqlite", 14, "checklists", "0014_checklists.sql"),
    migration!("sqlite", 15, "signatures", "0015_signatures.sql"),
    migration!("sqlite", 16, "result_fields", "0016_result_fields.sql"),
    migration!("sqlite", 17, "catalog_origin", "0017_catalog_origin.sql"),
    migration!("sqlite", 18, "path_variant", "0018_path_variant.sql"),
    migration!("sqlite", 19, "akimat_act", "0019_akimat_act.sql"),
    migration!("sqlite", 20, "portal_handover", "0020_portal_handover.sql"),
];

/// The office server's schema begins at version 10, the first that ran on
/// PostgreSQL; later versions follow SQLite's numbering one for one.
pub(crate) const POSTGRES: &[Migration] = &[
    migration!("postgres", 10, "registry", "0010_registry.sql"),
    migration!("postgres", 11, "search", "0011_search.sql"),
    migration!("postgres", 12, "result_wording", "0012_result_wording.sql"),
    migration!("postgres", 13, "import", "0013_import.sql"),
    migration!("postgres", 14, "checklists", "0014_checklists.sql"),
    migration!("postgres", 15, "signatures", "0015_signatures.sql"),
    migration!("postgres", 16, "result_fields", "0016_result_fields.sql"),
    migration!("postgres", 17, "catalog_origin", "0017_catalog_origin.sql"),
    migration!("postgres", 18, "path_variant", "0018_path_variant.sql"),
    migration!("postgres", 19, "akimat_act", "0019_akimat_act.sql"),
    migration!("postgres", 20, "portal_handover", "0020_portal_handover.sql"),
];

/// The migrations of an engine.
pub(crate) fn of(engine: Engine) -> &'static [Migration] {
    match engine {
        Engine::Sqlite => SQLITE,
        Engine::Postgres => POSTGRES,
    }
}

/// The newest schema this binary knows.
pub(crate) fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

pub(crate) fn current_version(db: &Db) -> Result<i64, Error> {
    match db.engine() {
        Engine::Sqlite => db.value("PRAGMA user_version", args![]),
        Engine::Postgres => {
            let exists: bool = db.value("SELECT to_regclass('schema_version') IS NOT NULL AS present", args![])?;
            if !exists {
                return Ok(0);
            }
            Ok(db.value_opt("SELECT version FROM schema_version", args![])?.unwrap_or(0))
        }
    }
}

/// Brings the schema to the newest version in one transaction: either every
/// pending migration is applied or none is. A database written by a newer
/// Kense is refused, never downgraded.
pub(crate) fn migrate(db: &mut Db, migrations: &[Migration]) -> Result<(), Error> {
    if migrations.windows(2).any(|w| w[0].version >= w[1].version) {
        return Err(Error::Storage("migrations are not in ascending order".into()));
    }
    let current = current_version(db)?;
    let supported = latest(migrations);
    if current > supported {
        return Err(Error::DatabaseNewer { found: current, supported });
    }
    if current == supported {
        return Ok(());
    }
    let first = migrations.first().map_or(0, |m| m.version);
    if current > 0 && current < first {
        // A server schema older than the engine's first migration cannot
        // be brought up by this binary.
        return Err(Error::Storage(format!("schema {current} is older than this binary can migrate ({first})")));
    }
    db.transaction(|tx| {
        for m in migrations.iter().filter(|m| m.version > current) {
            tx.execute_script(m.sql)
                .map_err(|e| Error::Storage(format!("migration {} ({}) failed: {e}", m.version, m.name)))?;
        }
        match tx.engine() {
            // A pragma takes no parameters; the number is ours, not input.
            Engine::Sqlite => tx.execute_script(&format!("PRAGMA user_version = {supported}"))?,
            Engine::Postgres => {
                tx.execute(
                    "INSERT INTO schema_version (only_row, version) VALUES (1, ?1)
                     ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
                    args![supported],
                )?;
            }
        }
        Ok(())
    })?;
    log::info!("registry schema migrated from {current} to {supported}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::SqliteDb;

    #[test]
    fn a_broken_migration_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::Sqlite(SqliteDb::open(&dir.path().join("r.sqlite")).unwrap());
        let broken = [
            Migration { version: 1, name: "good", sql: "CREATE TABLE first (x INTEGER);" },
            Migration { version: 2, name: "bad", sql: "CREATE TABLE second (y INTEGER); THIS IS NOT SQL;" },
        ];
        let err = migrate(&mut db, &broken).unwrap_err();
        assert!(matches!(err, Error::Storage(ref m) if m.contains("migration 2")), "{err:?}");
        assert_eq!(current_version(&db).unwrap(), 0, "version not advanced");
        let n: i64 =
            db.value("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('first', 'second')", args![]).unwrap();
        assert_eq!(n, 0, "the good migration was rolled back with the bad one");
    }

    #[test]
    fn migrations_are_in_order() {
        assert!(SQLITE.windows(2).all(|w| w[0].version + 1 == w[1].version));
        assert!(POSTGRES.windows(2).all(|w| w[0].version + 1 == w[1].version));
    }

    #[test]
    fn the_server_follows_the_file_one_for_one() {
        // Every server version is the file's of the same number and name.
        for m in POSTGRES.iter().skip(1) {
            let file = SQLITE.iter().find(|s| s.version == m.version);
            assert_eq!(file.map(|s| s.name), Some(m.name), "server migration {} has no file twin", m.version);
        }
        assert_eq!(latest(SQLITE), latest(POSTGRES));
    }
}
