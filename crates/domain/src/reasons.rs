//! The controlled lists of grounds for a reasoned refusal (data:
//! assets/catalog/refusal_reasons.json). An executor picks one; free text
//! only explains it.

use std::collections::BTreeMap;

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
    /// The grounds shipped in `assets/catalog/refusal_reasons.json`.
    pub fn shipped() -> Result<RefusalReasons, Error> {
        RefusalReasons::parse(include_str!("../../../assets/catalog/refusal_reasons.json"))
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
        self.services.get(service_code).into_iter().flatten().chain(&self.default).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_reasons_parse_and_combine() {
        let r = RefusalReasons::parse(include_str!("../../../assets/catalog/refusal_reasons.json")).unwrap();
        let pq: Vec<_> = r.for_service("preschool_queue").iter().map(|r| r.code.as_str()).collect();
        assert_eq!(pq.first(), Some(&"already_queued"));
        assert!(pq.contains(&"unreliable_documents"));
        assert!(r.for_service("free_meals").len() >= 4);
    }
}
