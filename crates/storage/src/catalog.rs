//! Installed versions of the service catalog.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::audit::hex;
use kense_domain::catalog::{Catalog, CatalogChanges, Channel, DocumentKind, ResultKind};
use kense_domain::{Bilingual, Error};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::Event;
use crate::sql::args;
use crate::{timestamp, Registry};

impl Registry {
    /// Installs the shipped catalog if its version is new. Re-installing the
    /// same version with different content is refused: an application points
    /// at a version, and that version's rules must never change under it.
    pub fn install_catalog(&mut self, json: &str, now: chrono::DateTime<chrono::FixedOffset>) -> Result<u32, Error> {
        let catalog = Catalog::parse(json)?;
        let sha = hex(&Sha256::digest(json.as_bytes()));
        let at = timestamp(now);
        let installed = self.db.audited(&at, |tx| {
            let existing: Option<String> =
                tx.value_opt("SELECT sha256 FROM catalog_versions WHERE version = ?1", args![catalog.version])?;
            match existing {
                // Nothing to install: the rollback of an empty transaction.
                Some(s) if s == sha => return Err(Error::AlreadyInitialised),
                Some(_) => {
                    return Err(Error::Catalog(format!(
                        "catalog version {} is installed with other content; raise the version",
                        catalog.version
                    )))
                }
                None => {}
            }
            tx.execute(
                "INSERT INTO catalog_versions (version, content, sha256, installed_at) VALUES (?1, ?2, ?3, ?4)",
                args![catalog.version, json, sha, at],
            )?;
            Ok(((), Event::new("install_catalog", "catalog").id(catalog.version).after(sha.clone())))
        });
        match installed {
            Ok(()) | Err(Error::AlreadyInitialised) => Ok(catalog.version),
            Err(e) => Err(e),
        }
    }

    /// An installed catalog version, as the applications registered under
    /// it were.
    pub fn installed_catalog(&self, version: u32) -> Result<Arc<Catalog>, Error> {
        if let Some(parsed) = self.catalogs.0.try_borrow().ok().and_then(|m| m.get(&version).cloned()) {
            return Ok(parsed);
        }
        let json: String = self
            .db
            .value_opt("SELECT content FROM catalog_versions WHERE version = ?1", args![version])?
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
            .db
            .value::<Option<u32>>("SELECT max(version) AS newest FROM catalog_versions", args![])?
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
    /// Documents always required (the kind `required`), and those the
    /// package needs in some cases (unless in an IS, or conditional).
    pub required_documents: usize,
    pub documents: usize,
    /// Documents whose wording is not yet confirmed against the act: the
    /// administrator's list marks the service until they are.
    pub unverified_documents: usize,
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
        let rows = self.db.query(
            "SELECT v.version, v.installed_at, v.sha256, v.content,
                    (SELECT count(*) FROM applications a WHERE a.catalog_version = v.version) AS applications
             FROM catalog_versions v ORDER BY v.version DESC",
            args![],
        )?;
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| {
                Ok(CatalogVersion {
                    version: r.get("version")?,
                    installed_at: r.get("installed_at")?,
                    sha256: r.get("sha256")?,
                    services: Catalog::parse(&r.get::<String>("content")?)?.services.len(),
                    applications: r.get("applications")?,
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
            self.db.value_opt(sql, args![v])
        };
        let catalog = Catalog::parse(&content(version, false)?.ok_or(Error::NotFound)?)?;
        let changes = match content(version, true)? {
            Some(older) => Some(CatalogChanges::between(&Catalog::parse(&older)?, &catalog)),
            None => None,
        };
        let counts: HashMap<String, i64> = self
            .db
            .query(
                "SELECT service_code, count(*) AS n FROM applications WHERE catalog_version = ?1 GROUP BY service_code",
                args![version],
            )?
            .iter()
            .map(|r| Ok((r.get("service_code")?, r.get("n")?)))
            .collect::<Result<_, Error>>()?;
        let services = catalog
            .services
            .iter()
            .map(|s| CatalogService {
                code: s.code.clone(),
                name: s.name.clone(),
                channels: s.channels.clone(),
                required_documents: s.documents.iter().filter(|d| d.kind == DocumentKind::Required).count(),
                documents: s.documents.len(),
                unverified_documents: s.documents.iter().filter(|d| !d.verified).count(),
                results: s.results.iter().map(|r| r.kind).collect(),
                regulation: s.source.regulation.clone(),
                applications: counts.get(&s.code).copied().unwrap_or(0),
            })
            .collect();
        Ok(CatalogVersionDetail { version, services, changes })
    }
}
