//! Installed versions of the service catalog.

use kense_domain::audit::hex;
use kense_domain::catalog::Catalog;
use kense_domain::Error;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::audit::{append, Entry};
use crate::{db_err, timestamp, Registry};

impl Registry {
    /// Installs the shipped catalog if its version is new. Re-installing the
    /// same version with different content is refused: an application points
    /// at a version, and that version's rules must never change under it.
    pub fn install_catalog(&mut self, json: &str, now: chrono::DateTime<chrono::FixedOffset>) -> Result<u32, Error> {
        let catalog = Catalog::parse(json)?;
        let sha = hex(&Sha256::digest(json.as_bytes()));
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let existing: Option<String> = tx
            .query_row("SELECT sha256 FROM catalog_versions WHERE version = ?1", [catalog.version], |r| r.get(0))
            .optional()
            .map_err(db_err)?;
        match existing {
            Some(s) if s == sha => return Ok(catalog.version),
            Some(_) => {
                return Err(Error::Catalog(format!(
                    "catalog version {} is installed with other content; raise the version",
                    catalog.version
                )))
            }
            None => {}
        }
        let at = timestamp(now);
        tx.execute(
            "INSERT INTO catalog_versions (version, content, sha256, installed_at) VALUES (?1, ?2, ?3, ?4)",
            params![catalog.version, json, sha, at],
        )
        .map_err(db_err)?;
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: None,
                actor_role: None,
                action: "install_catalog",
                entity: "catalog",
                entity_id: Some(catalog.version.to_string()),
                before: None,
                after: Some(sha),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(catalog.version)
    }

    /// The newest installed catalog and its version.
    pub fn catalog(&self) -> Result<(u32, Catalog), Error> {
        let (version, json): (u32, String) = self
            .conn
            .query_row("SELECT version, content FROM catalog_versions ORDER BY version DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(db_err)?
            .ok_or_else(|| Error::Catalog("no catalog installed".into()))?;
        Ok((version, Catalog::parse(&json)?))
    }
}
