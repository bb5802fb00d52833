//! The office keeps its catalog, on the engine the suite runs on: the
//! administrator's own version is saved as the next one, audited, with its
//! origin; applications keep the version they were registered under; a
//! version that came into force meanwhile refuses a save made against the
//! older one; a newer shipped catalog waits behind the office's versions.

use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::catalog::{Catalog, Channel};
use kense_domain::catalog_edit::DocumentDraft;
use kense_domain::Error;
use kense_storage::{CatalogOrigin, Due};

mod common;

use common::office::{at, office, Office};
use common::CATALOG;

const NOW: &str = "2026-11-02T10:00:00+05:00";

/// The service's checklist as the editor sends it back unchanged.
fn rows(catalog: &Catalog, service: &str) -> Vec<DocumentDraft> {
    catalog.service(service).unwrap().documents.iter().map(DocumentDraft::from).collect()
}

fn with_added_document(catalog: &Catalog) -> Catalog {
    let mut rows = rows(catalog, "foster_family");
    rows.push(DocumentDraft {
        code: None,
        name_kk: "Тұрғын үй жағдайын тексеру актісі".into(),
        name_ru: "Акт обследования жилищных условий".into(),
        kind: "required".into(),
        condition_kk: String::new(),
        condition_ru: String::new(),
        channels: vec![Channel::Office],
        verified: true,
        source: "Ауданның бұйрығы".into(),
    });
    catalog.with_checklist("foster_family", rows).unwrap()
}

fn register(o: &mut Office, catalog: &Catalog, documents: Vec<String>) -> Result<i64, Error> {
    let draft = ApplicationDraft {
        service_code: "foster_family".into(),
        channel: Some(Channel::Office),
        applicant_iin: "900101300007".into(),
        applicant_name: "Отбасы Басшысы".into(),
        applicant_phone: "+7 701 000 11 22".into(),
        documents,
        consent: true,
        duplicate_reason: format!("сынақ {}", catalog.version),
        ..Default::default()
    };
    let app = NewApplication::validate(&draft, catalog, at(NOW).date_naive())?;
    Ok(o.r.register_application(&o.clerk, &app, Due::default(), at(NOW))?.id)
}

#[test]
fn the_administrators_version_comes_into_force_audited_and_old_applications_keep_theirs() {
    let mut o = office(NOW);
    let shipped = o.catalog.clone();
    let before = register(&mut o, &shipped, vec![]).unwrap();

    let next = with_added_document(&shipped);
    let preview = o.r.preview_catalog(&o.admin, shipped.version, &next, at(NOW)).unwrap();
    assert_eq!(preview.version, shipped.version + 1);
    assert_eq!(preview.changes.changed, ["foster_family"]);
    assert_eq!(preview.items.documents.len(), 1, "{:?}", preview.items.documents);
    assert_eq!(o.r.catalog().unwrap().0, shipped.version, "a preview writes nothing");

    // Not the administrator: refused, and nothing written.
    assert_eq!(
        o.r.save_catalog(&o.clerk, shipped.version, &next, CatalogOrigin::Edited, at(NOW)),
        Err(Error::Forbidden)
    );
    let saved = o.r.save_catalog(&o.admin, shipped.version, &next, CatalogOrigin::Edited, at(NOW)).unwrap();
    assert_eq!(saved, shipped.version + 1);
    assert_eq!(o.r.catalog().unwrap(), (saved, next.clone()));
    let versions = o.r.catalog_versions(&o.admin, at(NOW)).unwrap();
    assert_eq!(versions[0].origin.as_deref(), Some("edited"));
    assert_eq!(versions[1].origin, None, "the shipped one");
    assert_eq!(
        o.place.read("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1"),
        "edit_catalog",
        "audited with the change"
    );
    let detail = o.r.catalog_version(&o.admin, saved, at(NOW)).unwrap();
    assert_eq!(detail.items.documents[0].name.ru, "Акт обследования жилищных условий");

    // The new document is in the checklist an application is checked against.
    let added = next.service("foster_family").unwrap().documents.last().unwrap().code.clone();
    let after = register(&mut o, &next, vec![added]).unwrap();
    let version_of = |id: i64| o.place.read(&format!("SELECT catalog_version FROM applications WHERE id = {id}"));
    assert_eq!(version_of(before), shipped.version.to_string());
    assert_eq!(version_of(after), saved.to_string());

    // A save against the version that was in force before is stale.
    let again = with_added_document(&shipped);
    let stale = o.r.save_catalog(&o.admin, shipped.version, &again, CatalogOrigin::Edited, at(NOW));
    assert_eq!(stale, Err(Error::CatalogMovedOn { in_force: saved }));
    assert_eq!(o.r.catalog_versions(&o.admin, at(NOW)).unwrap().len(), 2);
}

#[test]
fn a_newer_shipped_catalog_waits_behind_the_offices_own_versions() {
    let mut o = office(NOW);
    let shipped = o.catalog.clone();
    let edited = with_added_document(&shipped);
    o.r.save_catalog(&o.admin, shipped.version, &edited, CatalogOrigin::Edited, at(NOW)).unwrap();

    // The next program brings versions N+1 (taken by the office) and N+2.
    for bump in [1, 2] {
        let mut file: serde_json::Value = serde_json::from_str(CATALOG).unwrap();
        file["version"] = (shipped.version + bump).into();
        file["services"][0]["notes"] = serde_json::json!(["новая редакция"]);
        let json = file.to_string();
        assert_eq!(o.r.install_catalog(&json, at(NOW)).unwrap(), edited.version, "the office's version stays in force");
        assert!(!o.r.holds_catalog(&json).unwrap(), "it waits for the administrator");
    }
    assert!(o.r.holds_catalog(CATALOG).unwrap());

    // Without the office's own versions, a newer shipped one installs as before.
    let mut plain = office(NOW);
    let mut file: serde_json::Value = serde_json::from_str(CATALOG).unwrap();
    file["version"] = (shipped.version + 1).into();
    assert_eq!(plain.r.install_catalog(&file.to_string(), at(NOW)).unwrap(), shipped.version + 1);
}
