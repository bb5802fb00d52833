//! Embedded, ordered migrations, applied all-or-nothing.
//!
//! The schema version is SQLite's `user_version`, which lives in the file
//! header and so commits or rolls back with the migration's transaction.

use kense_domain::Error;
use rusqlite::{Connection, TransactionBehavior};

use crate::db_err;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "registry", sql: include_str!("../migrations/0001_registry.sql") },
    Migration { version: 2, name: "workflow", sql: include_str!("../migrations/0002_workflow.sql") },
    Migration { version: 3, name: "corrections", sql: include_str!("../migrations/0003_corrections.sql") },
    Migration { version: 4, name: "calendar", sql: include_str!("../migrations/0004_calendar.sql") },
    Migration { version: 5, name: "verification", sql: include_str!("../migrations/0005_verification.sql") },
    Migration { version: 6, name: "queue", sql: include_str!("../migrations/0006_queue.sql") },
    Migration { version: 7, name: "stamp", sql: include_str!("../migrations/0007_stamp.sql") },
    Migration {
        version: 8,
        name: "verification_secret",
        sql: include_str!("../migrations/0008_verification_secret.sql"),
    },
    Migration { version: 9, name: "result_form", sql: include_str!("../migrations/0009_result_form.sql") },
];

/// The newest schema this binary knows.
pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

pub fn current_version(conn: &Connection) -> Result<i64, Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_err)
}

/// Brings the schema to the newest version in one transaction: either every
/// pending migration is applied or none is.
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<(), Error> {
    if migrations.windows(2).any(|w| w[0].version >= w[1].version) {
        return Err(Error::Storage("migrations are not in ascending order".into()));
    }
    let current = current_version(conn)?;
    let supported = latest(migrations);
    if current > supported {
        return Err(Error::DatabaseNewer { found: current, supported });
    }
    if current == supported {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
    for m in migrations.iter().filter(|m| m.version > current) {
        tx.execute_batch(m.sql)
            .map_err(|e| Error::Storage(format!("migration {} ({}) failed: {e}", m.version, m.name)))?;
    }
    tx.pragma_update(None, "user_version", supported).map_err(db_err)?;
    tx.commit().map_err(db_err)?;
    log::info!("registry schema migrated from {current} to {supported}");
    Ok(())
}
