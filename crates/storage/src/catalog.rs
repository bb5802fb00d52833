//! Installed versions of the service catalog.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::audit::hex;
use kense_domain::catalog::{Catalog, CatalogChanges, Channel, DocumentKind, ResultKind};
use kense_domain::catalog_edit::ItemChanges;
use kense_domain::reasons::Reason;
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
    ///
    /// Once the office has made its own versions (edited or imported), a
    /// newer shipped catalog does not replace them in force: it is left
    /// for the administrator, who sees it waiting and adopts it or not
    /// (`Registry::save_catalog`). Returns the version in force.
    pub fn install_catalog(&mut self, json: &str, now: chrono::DateTime<chrono::FixedOffset>) -> Result<u32, Error> {
        let catalog = Catalog::parse(json)?;
        let sha = hex(&Sha256::digest(json.as_bytes()));
        let at = timestamp(now);
        let after = crate::queue::RulesOfVersion { version: catalog.version, rules: catalog.queue_rules()? };
        let installed = self.db.audited(&at, |tx| {
            let existing =
                tx.query_opt("SELECT sha256, origin FROM catalog_versions WHERE version = ?1", args![catalog.version])?;
            match existing {
                // Nothing to install: the rollback of an empty transaction.
                Some(r) if r.get::<String>("sha256")? == sha => return Err(Error::AlreadyInitialised),
                Some(r) if r.get::<Option<String>>("origin")?.is_some() => return Err(Error::AlreadyInitialised),
                Some(_) => {
                    return Err(Error::Catalog(format!(
                        "catalog version {} is installed with other content; raise the version",
                        catalog.version
                    )))
                }
                None => {}
            }
            let office_ahead: Option<u32> = tx.value(
                "SELECT max(version) AS newest FROM catalog_versions WHERE origin IS NOT NULL
                   AND version > (SELECT coalesce(max(version), 0) FROM catalog_versions WHERE origin IS NULL)",
                args![],
            )?;
            if office_ahead.is_some() {
                return Err(Error::AlreadyInitialised);
            }
            // The queue's rules it replaces, read in the transaction: another
            // desk may be starting the same update. Rules that cannot be
            // read count as different: numbers put right under the new
            // ones are right whatever the old ones were.
            let before = tx
                .query_opt("SELECT content FROM catalog_versions ORDER BY version DESC LIMIT 1", args![])?
                .map(|r| r.get::<String>("content").and_then(|c| Catalog::parse(&c)?.queue_rules()));
            tx.execute(
                "INSERT INTO catalog_versions (version, content, sha256, installed_at) VALUES (?1, ?2, ?3, ?4)",
                args![catalog.version, json, sha, at],
            )?;
            if before.is_some_and(|rules| rules.as_ref().ok() != Some(&after.rules)) {
                crate::queue::follow_rules(tx, &after, &at)?;
            }
            Ok(((), Event::new("install_catalog", "catalog").id(catalog.version).after(sha.clone())))
        });
        match installed {
            Ok(()) | Err(Error::AlreadyInitialised) => Ok(self.catalog()?.0),
            Err(e) => Err(e),
        }
    }

    /// Whether the shipped catalog (its file) is installed as some version;
    /// `false` while it waits for the administrator behind the office's own.
    pub fn holds_catalog(&self, json: &str) -> Result<bool, Error> {
        let sha = hex(&Sha256::digest(json.as_bytes()));
        Ok(self.db.value_opt::<u32>("SELECT version FROM catalog_versions WHERE sha256 = ?1", args![sha])?.is_some())
    }

    /// What `next` would change against the version in force, which the
    /// administrator had open as `based_on`; nothing is written.
    pub fn preview_catalog(
        &mut self,
        actor: &Actor,
        based_on: u32,
        next: &Catalog,
        now: DateTime<FixedOffset>,
    ) -> Result<CatalogPreview, Error> {
        self.authorize_plain(actor, Action::ManageOffice, "preview_catalog", &timestamp(now))?;
        let (in_force, current) = self.catalog_in_force()?;
        if in_force != based_on {
            return Err(Error::CatalogMovedOn { in_force });
        }
        let rules = next.queue_rules()?;
        let queue_moves =
            if rules == current.queue_rules()? { 0 } else { crate::queue::moves_under(&self.db, &rules)? };
        Ok(CatalogPreview {
            version: next.version,
            changes: CatalogChanges::between(&current, next),
            items: ItemChanges::between(&current, next),
            queue_moves,
        })
    }

    /// Installs the office's own next version (a checklist edited in the
    /// window, a file imported, the shipped one adopted), audited with its
    /// author; refused if another version came into force since the
    /// administrator opened `based_on`.
    pub fn save_catalog(
        &mut self,
        actor: &Actor,
        based_on: u32,
        next: &Catalog,
        origin: CatalogOrigin,
        now: DateTime<FixedOffset>,
    ) -> Result<u32, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "save_catalog", &at)?;
        if next.version != based_on + 1 {
            return Err(Error::MalformedRequest("catalog version".into()));
        }
        let json = next.to_json();
        let sha = hex(&Sha256::digest(json.as_bytes()));
        // The version it replaces is `based_on` or the save is refused below.
        let before = self.installed_catalog(based_on)?.queue_rules()?;
        let after = crate::queue::RulesOfVersion { version: next.version, rules: next.queue_rules()? };
        self.db.audited(&at, |tx| {
            // Read in the transaction: two administrators' desks on the
            // office server cannot both save "the next" version.
            let in_force: u32 = tx
                .value::<Option<u32>>("SELECT max(version) AS newest FROM catalog_versions", args![])?
                .ok_or_else(|| Error::Catalog("no catalog installed".into()))?;
            if in_force != based_on {
                return Err(Error::CatalogMovedOn { in_force });
            }
            tx.execute(
                "INSERT INTO catalog_versions (version, content, sha256, installed_at, origin) VALUES (?1, ?2, ?3, ?4, ?5)",
                args![next.version, json, sha, at, origin.code()],
            )?;
            if after.rules != before {
                crate::queue::follow_rules(tx, &after, &at)?;
            }
            let event = Event::new(origin.action(), "catalog")
                .by(actor.user_id, Some(role))
                .id(next.version)
                .before(based_on.to_string())
                .after(sha.clone());
            Ok((next.version, event))
        })
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
        let (version, catalog) = self.catalog_in_force()?;
        Ok((version, Catalog::clone(&catalog)))
    }

    pub(crate) fn catalog_in_force(&self) -> Result<(u32, Arc<Catalog>), Error> {
        let version: u32 = self
            .db
            .value::<Option<u32>>("SELECT max(version) AS newest FROM catalog_versions", args![])?
            .ok_or_else(|| Error::Catalog("no catalog installed".into()))?;
        Ok((version, self.installed_catalog(version)?))
    }

    /// The grounds a reasoned refusal of `service` may cite now: those of
    /// the catalog in force, whatever version the application was
    /// registered under, because a refusal is decided on the law of the
    /// day it is made (its wording is stored with it).
    pub fn refusal_grounds(&self, service: &str) -> Result<Vec<Reason>, Error> {
        Ok(self.catalog_in_force()?.1.grounds_for(service))
    }
}

/// Catalog versions parsed so far, by version. Only ever added to: an
/// installed version's content never changes (`install_catalog` refuses).
#[derive(Default)]
pub(crate) struct Parsed(RefCell<HashMap<u32, Arc<Catalog>>>);

/// Who made a catalog version the office installed itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogOrigin {
    /// A checklist edited in the administrator's window.
    Edited,
    /// A catalog file the administrator brought in.
    Imported,
    /// The program's catalog, which waited behind the office's own
    /// versions, taken by the administrator.
    Adopted,
}

impl CatalogOrigin {
    fn code(self) -> &'static str {
        match self {
            CatalogOrigin::Edited => "edited",
            CatalogOrigin::Imported => "imported",
            CatalogOrigin::Adopted => "adopted",
        }
    }

    fn action(self) -> &'static str {
        match self {
            CatalogOrigin::Edited => "edit_catalog",
            CatalogOrigin::Imported => "import_catalog",
            CatalogOrigin::Adopted => "adopt_catalog",
        }
    }
}

/// What a version about to be saved changes, for the administrator to read
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogPreview {
    /// The number it will be saved under.
    pub version: u32,
    pub changes: CatalogChanges,
    /// Document by document, ground by ground, fact by fact, norm by norm.
    #[serde(flatten)]
    pub items: ItemChanges,
    /// How many waiting children's numbers its queue rules would change
    /// (they are changed when it is saved, each recorded as the rules').
    pub queue_moves: usize,
}

/// An installed catalog version, as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogVersion {
    pub version: u32,
    /// `None` for a version shipped with the program; else `edited`,
    /// `imported` or `adopted`.
    pub origin: Option<String>,
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
    /// Item by item, what it changed (nothing for the first version).
    #[serde(flatten)]
    pub items: ItemChanges,
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
            "SELECT v.version, v.installed_at, v.sha256, v.content, v.origin,
                    (SELECT count(*) FROM applications a WHERE a.catalog_version = v.version) AS applications
             FROM catalog_versions v ORDER BY v.version DESC",
            args![],
        )?;
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| {
                Ok(CatalogVersion {
                    version: r.get("version")?,
                    origin: r.get("origin")?,
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
        let (changes, items) = match content(version, true)? {
            Some(older) => {
                let older = Catalog::parse(&older)?;
                (Some(CatalogChanges::between(&older, &catalog)), ItemChanges::between(&older, &catalog))
            }
            None => (None, ItemChanges::default()),
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
        Ok(CatalogVersionDetail { version, services, changes, items })
    }
}
