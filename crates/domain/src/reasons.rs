//! The grounds of a reasoned refusal. An executor picks one; free text only
//! explains it. Since catalog version 6 they are catalog data (general ones
//! for every service and a service's own, `Catalog::grounds_for`), edited
//! and versioned with it; this module keeps the list Kense shipped before,
//! which a catalog without grounds of its own still refuses on.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::lang::Bilingual;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub code: String,
    pub name: Bilingual,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalReasons {
    #[serde(default)]
    pub comment: String,
    default: Vec<Reason>,
    #[serde(default)]
    services: BTreeMap<String, Vec<Reason>>,
}

impl RefusalReasons {
    /// The grounds of every catalog written before version 6 (data:
    /// assets/catalog/refusal_grounds_before_catalog_6.json, never edited).
    /// `None` only if that compiled-in file failed to parse, which a test
    /// rules out.
    pub fn before_catalog_6() -> Option<&'static RefusalReasons> {
        static LEGACY: OnceLock<Option<RefusalReasons>> = OnceLock::new();
        LEGACY
            .get_or_init(|| {
                RefusalReasons::parse(include_str!("../../../assets/catalog/refusal_grounds_before_catalog_6.json"))
                    .ok()
            })
            .as_ref()
    }

    pub fn parse(json: &str) -> Result<RefusalReasons, Error> {
        let r: RefusalReasons =
            serde_json::from_str(json).map_err(|e| Error::Catalog(format!("refusal reasons: {e}")))?;
        for list in std::iter::once(&r.default).chain(r.services.values()) {
            for reason in list {
                if reason.code.is_empty() || reason.name.kk.trim().is_empty() || reason.name.ru.trim().is_empty() {
                    return Err(Error::Catalog(format!("refusal reason {:?} is incomplete", reason.code)));
                }
            }
        }
        Ok(r)
    }

    /// The service's own grounds first, then the general ones.
    pub fn for_service(&self, service_code: &str) -> Vec<&Reason> {
        self.own(service_code).iter().chain(&self.default).collect()
    }

    /// The grounds of one service only.
    pub fn own(&self, service_code: &str) -> &[Reason] {
        self.services.get(service_code).map_or(&[], Vec::as_slice)
    }

    /// The grounds of every service.
    pub fn general(&self) -> &[Reason] {
        &self.default
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grounds_before_catalog_6_parse_and_combine() {
        let r = RefusalReasons::before_catalog_6().expect("the compiled-in list parses");
        let pq: Vec<_> = r.for_service("preschool_queue").iter().map(|r| r.code.as_str()).collect();
        assert_eq!(pq.first(), Some(&"already_queued"));
        assert!(pq.contains(&"unreliable_documents"));
        assert!(r.for_service("free_meals").len() >= 4);
    }
}
