//! Installed catalog versions as the administrator reviews them: every
//! version with how many applications were registered under it, and what a
//! version changed against the one before.

mod common;

use common::*;
use kense_domain::access::Role;
use kense_domain::Error;

#[test]
fn the_administrator_sees_each_version_its_applications_and_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("registry.sqlite");
    let (mut r, admin) = fresh(&live);
    register(&mut r, &admin, 0).unwrap();

    // An update brings the next version: one title changed, one service gone.
    let mut next: serde_json::Value = serde_json::from_str(CATALOG).unwrap();
    let shipped = next["version"].as_u64().unwrap() as u32;
    next["version"] = (shipped + 1).into();
    let services = next["services"].as_array_mut().unwrap();
    let gone = services.pop().unwrap()["code"].as_str().unwrap().to_owned();
    let renamed = services[0]["code"].as_str().unwrap().to_owned();
    let title = services[0]["name"]["ru"].as_str().unwrap().to_owned();
    services[0]["name"]["ru"] = format!("{title} (ред.)").into();
    r.install_catalog(&next.to_string(), later(5)).unwrap();
    register(&mut r, &admin, 1).unwrap();
    register(&mut r, &admin, 2).unwrap();

    let versions = r.catalog_versions(&admin, now()).unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [shipped + 1, shipped]);
    assert!(versions[0].in_force && !versions[1].in_force);
    assert_eq!((versions[0].applications, versions[1].applications), (2, 1));
    assert_eq!(versions[1].services, versions[0].services + 1);
    assert_eq!(versions[0].sha256.len(), 64);

    let detail = r.catalog_version(&admin, shipped + 1, now()).unwrap();
    let changes = detail.changes.unwrap();
    assert_eq!(changes.removed, [gone]);
    assert_eq!(changes.changed, std::slice::from_ref(&renamed));
    assert!(changes.added.is_empty());
    let first = detail.services.iter().find(|s| s.code == renamed).unwrap();
    assert!(first.name.ru.ends_with("(ред.)"));
    assert_eq!(detail.services.iter().map(|s| s.applications).sum::<i64>(), 2);
    assert!(r.catalog_version(&admin, shipped, now()).unwrap().changes.is_none(), "the first has nothing before it");
    assert_eq!(r.catalog_version(&admin, 999, now()).unwrap_err(), Error::NotFound);

    let clerk = someone(&mut r, &admin, "clerk1", Role::Clerk);
    assert_eq!(r.catalog_versions(&clerk, now()).unwrap_err(), Error::Forbidden);
    assert_eq!(last_event(&live).0, "denied:catalog_versions");
}
