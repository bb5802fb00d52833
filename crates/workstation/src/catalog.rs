//! The office keeps its catalog: the administrator edits a service's
//! checklist, brings in a catalog file, adopts the program's newer catalog
//! or writes the one in force to a file. Each change is previewed (the
//! list of what it changes) and then saved as the next version, audited;
//! applications keep the version they were registered under.

use kense_domain::access::{authorize, Action, Actor};
use kense_domain::catalog::{Catalog, Service};
use kense_domain::catalog_edit::DocumentDraft;
use kense_domain::{Bilingual, Error};
use kense_storage::{CatalogOrigin, CatalogPreview};
use serde::Serialize;

use crate::{clock, Workstation, CATALOG_JSON};

/// One service of an installed version in full, as the checklist editor
/// opens it.
pub fn service(station: &Workstation, actor: &Actor, version: u32, code: &str) -> Result<Service, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    station.with_registry(|reg| {
        reg.installed_catalog(version)?.service(code).cloned().ok_or_else(|| Error::UnknownService(code.into()))
    })
}

/// The version in force with one service's checklist replaced, checked as
/// the shipped catalog is and for what the paper cannot print.
fn with_checklist(
    station: &Workstation,
    based_on: u32,
    service: &str,
    rows: Vec<DocumentDraft>,
) -> Result<Catalog, Error> {
    let next = station.with_registry(|reg| reg.installed_catalog(based_on))?.with_checklist(service, rows)?;
    printable(station, &next)?;
    Ok(next)
}

/// What saving the edited checklist would change; nothing is written.
pub fn preview_checklist(
    station: &Workstation,
    actor: &Actor,
    based_on: u32,
    service: &str,
    rows: Vec<DocumentDraft>,
) -> Result<CatalogPreview, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let next = with_checklist(station, based_on, service, rows)?;
    station.with_registry(|reg| reg.preview_catalog(actor, based_on, &next, clock::now()))
}

/// Saves the edited checklist as the next catalog version.
pub fn save_checklist(
    station: &Workstation,
    actor: &Actor,
    based_on: u32,
    service: &str,
    rows: Vec<DocumentDraft>,
) -> Result<u32, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let next = with_checklist(station, based_on, service, rows)?;
    station.with_registry(|reg| reg.save_catalog(actor, based_on, &next, CatalogOrigin::Edited, clock::now()))
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
    let origin = if shipped.services == next.services { CatalogOrigin::Adopted } else { CatalogOrigin::Imported };
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
            if reg.installed_catalog(v.version)?.services == shipped.services {
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
/// names and conditions, result names, field labels) must be drawable by
/// the paper's font.
fn printable(station: &Workstation, catalog: &Catalog) -> Result<(), Error> {
    let typesetter = station.typesetter()?;
    for s in &catalog.services {
        let documents = s.documents.iter().flat_map(|d| std::iter::once(&d.name).chain(d.kind.condition()));
        let results = s.results.iter().flat_map(|r| std::iter::once(&r.name).chain(r.fields.iter().map(|f| &f.label)));
        for text in std::iter::once(&s.name).chain(documents).chain(results) {
            for t in [&text.kk, &text.ru] {
                if let Some(ch) = typesetter.undrawable(t) {
                    return Err(Error::Undrawable { label: Bilingual::clone(text), ch });
                }
            }
        }
    }
    Ok(())
}
