//! The office keeps its catalog: the administrator edits a service's
//! checklist or the grounds of a reasoned refusal, brings in a catalog file, adopts the program's newer catalog
//! or writes the one in force to a file. Each change is previewed (the
//! list of what it changes) and then saved as the next version, audited;
//! applications keep the version they were registered under.

use kense_domain::access::{authorize, Action, Actor};
use kense_domain::catalog::{Catalog, Service};
use kense_domain::catalog_edit::{DocumentDraft, FieldDraft, GroundDraft, NormDraft, QueueRulesDraft, ResultFormDraft};
use kense_domain::queue::QUEUE_SERVICE;
use kense_domain::reasons::Reason;
use kense_domain::{Bilingual, Error};
use kense_storage::{CatalogOrigin, CatalogPreview};
use serde::{Deserialize, Serialize};

use crate::{clock, Workstation, CATALOG_JSON};

/// One service of an installed version in full, as the editors open it:
/// the preschool queue with the rules the version puts in force, written
/// out where a version before 7 did not carry them.
pub fn service(station: &Workstation, actor: &Actor, version: u32, code: &str) -> Result<Service, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    station.with_registry(|reg| {
        let catalog = reg.installed_catalog(version)?;
        let mut service = catalog.service(code).cloned().ok_or_else(|| Error::UnknownService(code.into()))?;
        if service.code == QUEUE_SERVICE {
            service.queue = Some(catalog.queue_rules()?);
        }
        Ok(service)
    })
}

/// What the administrator changed in the window, as the page sends it:
/// one service's checklist, the grounds of a reasoned refusal (the general
/// ones when `service` is `None`), one result form's title and facts, the
/// service's time norms, or the preschool queue's rules.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CatalogEdit {
    Checklist { service: String, documents: Vec<DocumentDraft> },
    Grounds { service: Option<String>, grounds: Vec<GroundDraft> },
    ResultForm { service: String, result: usize, name_kk: String, name_ru: String, fields: Vec<FieldDraft> },
    Norms { service: String, norms: Vec<NormDraft> },
    QueueRules { rules: QueueRulesDraft },
}

/// The version `based_on` with the edit made, checked as the shipped
/// catalog is and for what the paper cannot print.
fn edited(station: &Workstation, based_on: u32, edit: CatalogEdit) -> Result<Catalog, Error> {
    let current = station.with_registry(|reg| reg.installed_catalog(based_on))?;
    let next = match edit {
        CatalogEdit::Checklist { service, documents } => current.with_checklist(&service, documents)?,
        CatalogEdit::Grounds { service, grounds } => current.with_grounds(service.as_deref(), grounds)?,
        CatalogEdit::ResultForm { service, result, name_kk, name_ru, fields } => {
            current.with_result_form(&service, result, ResultFormDraft { name_kk, name_ru, fields })?
        }
        CatalogEdit::Norms { service, norms } => current.with_norms(&service, norms)?,
        CatalogEdit::QueueRules { rules } => current.with_queue_rules(rules)?,
    };
    printable(station, &next)?;
    Ok(next)
}

/// What saving the edit would change; nothing is written.
pub fn preview_edit(
    station: &Workstation,
    actor: &Actor,
    based_on: u32,
    edit: CatalogEdit,
) -> Result<CatalogPreview, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let next = edited(station, based_on, edit)?;
    station.with_registry(|reg| reg.preview_catalog(actor, based_on, &next, clock::now()))
}

/// Saves the edit as the next catalog version.
pub fn save_edit(station: &Workstation, actor: &Actor, based_on: u32, edit: CatalogEdit) -> Result<u32, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let next = edited(station, based_on, edit)?;
    station.with_registry(|reg| reg.save_catalog(actor, based_on, &next, CatalogOrigin::Edited, clock::now()))
}

/// The grounds of a reasoned refusal in an installed version, as the
/// grounds editor opens them: the general ones, and each service's own.
#[derive(Debug, Serialize)]
pub struct GroundLists {
    pub general: Vec<Reason>,
    pub services: Vec<ServiceGrounds>,
}

#[derive(Debug, Serialize)]
pub struct ServiceGrounds {
    pub code: String,
    pub name: Bilingual,
    pub own: Vec<Reason>,
}

pub fn grounds(station: &Workstation, actor: &Actor, version: u32) -> Result<GroundLists, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let c = station.with_registry(|reg| reg.installed_catalog(version))?;
    Ok(GroundLists {
        general: c.general_grounds().to_vec(),
        services: c
            .services
            .iter()
            .map(|s| ServiceGrounds { code: s.code.clone(), name: s.name.clone(), own: c.own_grounds(&s.code) })
            .collect(),
    })
}

/// A catalog file read, checked and compared with the version in force,
/// for the administrator to read before saving it.
#[derive(Debug, Serialize)]
pub struct CatalogFile {
    pub based_on: u32,
    pub preview: CatalogPreview,
    /// The file's text, sent back with the decision to save (checked
    /// again then: the window is not trusted with it).
    pub content: String,
}

/// A catalog file the administrator picked (or, with `None`, the
/// program's own catalog) as the next version: checked and previewed.
pub fn read_catalog(station: &Workstation, actor: &Actor, content: Option<String>) -> Result<CatalogFile, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let content = content.unwrap_or_else(|| CATALOG_JSON.to_owned());
    let based_on = station.with_registry(|reg| Ok(reg.catalog()?.0))?;
    let next = Catalog::imported(&content, based_on)?;
    printable(station, &next)?;
    let preview = station.with_registry(|reg| reg.preview_catalog(actor, based_on, &next, clock::now()))?;
    Ok(CatalogFile { based_on, preview, content })
}

/// Saves a catalog file read before as the next version: `adopted` when
/// it is the program's own catalog, else `imported`.
pub fn save_catalog(station: &Workstation, actor: &Actor, based_on: u32, content: &str) -> Result<u32, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let next = Catalog::imported(content, based_on)?;
    printable(station, &next)?;
    let shipped = Catalog::parse(CATALOG_JSON)?;
    let origin = if shipped.same_content(&next) { CatalogOrigin::Adopted } else { CatalogOrigin::Imported };
    station.with_registry(|reg| reg.save_catalog(actor, based_on, &next, origin, clock::now()))
}

/// The program's catalog when it waits behind the office's own versions:
/// its number in the file. Not waiting once installed as shipped, or once
/// some version has its services (adopted, which renumbers and rewrites it).
pub fn shipped_waiting(station: &Workstation, actor: &Actor) -> Result<Option<u32>, Error> {
    let shipped = Catalog::parse(CATALOG_JSON)?;
    station.with_registry(|reg| {
        if reg.holds_catalog(CATALOG_JSON)? {
            return Ok(None);
        }
        for v in reg.catalog_versions(actor, clock::now())? {
            if reg.installed_catalog(v.version)?.same_content(&shipped) {
                return Ok(None);
            }
        }
        Ok(Some(shipped.version))
    })
}

/// An installed version written as a catalog file, in the shipped file's form.
pub fn export(station: &Workstation, actor: &Actor, version: u32, path: &std::path::Path) -> Result<(), Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let json = station.with_registry(|reg| Ok(reg.installed_catalog(version)?.to_json()))?;
    std::fs::write(path, json).map_err(|e| Error::Io(e.to_string()))
}

/// Every text of the catalog that is printed (service titles, document
/// names and conditions, result names, field labels, refusal grounds, the
/// queue's categories) must be drawable by the paper's font.
fn printable(station: &Workstation, catalog: &Catalog) -> Result<(), Error> {
    let typesetter = station.typesetter()?;
    let rules = catalog.queue_rules()?;
    let categories = rules.categories.iter().map(|c| &c.name);
    let services = catalog.services.iter().flat_map(|s| {
        let documents = s.documents.iter().flat_map(|d| std::iter::once(&d.name).chain(d.kind.condition()));
        let results = s.results.iter().flat_map(|r| std::iter::once(&r.name).chain(r.fields.iter().map(|f| &f.label)));
        let grounds = s.refusal_grounds.iter().map(|g| &g.name);
        std::iter::once(&s.name).chain(documents).chain(results).chain(grounds)
    });
    for text in catalog.general_grounds().iter().map(|g| &g.name).chain(categories).chain(services) {
        for t in [&text.kk, &text.ru] {
            if let Some(ch) = typesetter.undrawable(t) {
                return Err(Error::Undrawable { label: Bilingual::clone(text), ch });
            }
        }
    }
    Ok(())
}
