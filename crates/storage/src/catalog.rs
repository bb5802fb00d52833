//! Installed versions of the service catalog.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::audit::hex;
use kense_domain::catalog::{Catalog, CatalogChanges, Channel, ResultKind};
use kense_domain::{Bilingual, Error};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;
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

    /// An installed catalog version, as the applications registered under
    /// it were.
    pub fn installed_catalog(&self, version: u32) -> Result<Arc<Catalog>, Error> {
        if let Some(parsed) = self.catalogs.0.try_borrow().ok().and_then(|m| m.get(&version).cloned()) {
            return Ok(parsed);
        }
        let json: String = self
            .conn
            .query_row("SELECT content FROM catalog_versions WHERE version = ?1", [version], |r| r.get(0))
            .optional()
            .map_err(db_err)?
            .ok_or_else(|| Error::Catalog(format!("catalog version {version} is not installed")))?;
        let parsed = Arc::new(Catalog::parse(&json)?);
        if let Ok(mut m) = self.catalogs.0.try_borrow_mut() {
            m.insert(version, parsed.clone());
        }
        Ok(parsed)
    }

    /// The newest installed catalog and its version.
    pub fn catalog(&self) -> Result<(u32, Catalog), Error> {
        let version: u32 = self
            .conn
            .query_row("SELECT max(version) FROM catalog_versions", [], |r| r.get::<_, Option<u32>>(0))
            .map_err(db_err)?
            .ok_or_else(|| Error::Catalog("no catalog installed".into()))?;
        Ok((version, Catalog::clone(&*self.installed_catalog(version)?)))
    }
}

/// Catalog versions parsed so far, by version. Only ever added to: an
/// installed version's content never changes (`install_catalog` refuses).
#[derive(Default)]
pub(crate) struct Parsed(RefCell<HashMap<u32, Arc<Catalog>>>);

/// An installed catalog version, as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogVersion {
    pub version: u32,
    pub installed_at: String,
    pub sha256: String,
    pub services: usize,
    /// Applications registered under this version: their rules stay these.
    pub applications: i64,
    /// The newest version: new applications are registered under it.
    pub in_force: bool,
}

/// One service of a version, in a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogService {
    pub code: String,
    pub name: Bilingual,
    pub channels: Vec<Channel>,
    pub required_documents: usize,
    pub results: Vec<ResultKind>,
    pub regulation: String,
    pub applications: i64,
}

/// One version in full, with what it changed against the version before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogVersionDetail {
    pub version: u32,
    pub services: Vec<CatalogService>,
    /// `None` for the first version installed.
    pub changes: Option<CatalogChanges>,
}

impl Registry {
    /// Every installed catalog version, newest first.
    pub fn catalog_versions(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<CatalogVersion>, Error> {
        self.authorize_plain(actor, Action::ManageOffice, "catalog_versions", &timestamp(now))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT v.version, v.installed_at, v.sha256, v.content,
                        (SELECT count(*) FROM applications a WHERE a.catalog_version = v.version)
                 FROM catalog_versions v ORDER BY v.version DESC",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get(4)?,
                ))
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        rows.into_iter()
            .enumerate()
            .map(|(i, (version, installed_at, sha256, content, applications))| {
                Ok(CatalogVersion {
                    version,
                    installed_at,
                    sha256,
                    services: Catalog::parse(&content)?.services.len(),
                    applications,
                    in_force: i == 0,
                })
            })
            .collect()
    }

    /// One installed version's services and its changes against the
    /// version installed before it.
    pub fn catalog_version(
        &mut self,
        actor: &Actor,
        version: u32,
        now: DateTime<FixedOffset>,
    ) -> Result<CatalogVersionDetail, Error> {
        self.authorize_plain(actor, Action::ManageOffice, "catalog_version", &timestamp(now))?;
        let content = |v: u32, older: bool| -> Result<Option<String>, Error> {
            let sql = if older {
                "SELECT content FROM catalog_versions WHERE version < ?1 ORDER BY version DESC LIMIT 1"
            } else {
                "SELECT content FROM catalog_versions WHERE version = ?1"
            };
            self.conn.query_row(sql, [v], |r| r.get(0)).optional().map_err(db_err)
        };
        let catalog = Catalog::parse(&content(version, false)?.ok_or(Error::NotFound)?)?;
        let changes = match content(version, true)? {
            Some(older) => Some(CatalogChanges::between(&Catalog::parse(&older)?, &catalog)),
            None => None,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT service_code, count(*) FROM applications WHERE catalog_version = ?1 GROUP BY service_code")
            .map_err(db_err)?;
        let counts: HashMap<String, i64> = stmt
            .query_map([version], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db_err)?
            .collect::<Result<_, _>>()
            .map_err(db_err)?;
        let services = catalog
            .services
            .iter()
            .map(|s| CatalogService {
                code: s.code.clone(),
                name: s.name.clone(),
                channels: s.channels.clone(),
                required_documents: s.documents.iter().filter(|d| d.required).count(),
                results: s.results.iter().map(|r| r.kind).collect(),
                regulation: s.source.regulation.clone(),
                applications: counts.get(&s.code).copied().unwrap_or(0),
            })
            .collect();
        Ok(CatalogVersionDetail { version, services, changes })
    }
}
