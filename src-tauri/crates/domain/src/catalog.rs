//! The service catalog: which services the office gives and which documents
//! each one needs. It is data (assets/catalog/services.json), parsed here
//! into checked values; the storage keeps every installed version so that an
//! application keeps the rules it was registered under.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::lang::Bilingual;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Raised by whoever edits the file; storage refuses to install two
    /// different contents under one version.
    pub version: u32,
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    pub name: Bilingual,
    /// Whether the application is about a child (the "subject"), whose IIN,
    /// name and birth date are then required.
    pub subject: Subject,
    pub documents: Vec<DocumentRequirement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Child,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRequirement {
    pub code: String,
    pub name: Bilingual,
    pub required: bool,
}

impl Catalog {
    /// Parses and checks the catalog file. Everything a later step relies on
    /// (unique codes, no empty names) is checked here once.
    pub fn parse(json: &str) -> Result<Catalog, Error> {
        let catalog: Catalog = serde_json::from_str(json).map_err(|e| Error::Catalog(e.to_string()))?;
        catalog.check()?;
        Ok(catalog)
    }

    fn check(&self) -> Result<(), Error> {
        let bad = |what: String| Err(Error::Catalog(what));
        if self.services.is_empty() {
            return bad("no services".into());
        }
        let mut codes = std::collections::HashSet::new();
        for s in &self.services {
            if s.code.is_empty() || !codes.insert(s.code.as_str()) {
                return bad(format!("empty or repeated service code {:?}", s.code));
            }
            if s.name.kk.trim().is_empty() || s.name.ru.trim().is_empty() {
                return bad(format!("service {} has an empty name", s.code));
            }
            let mut docs = std::collections::HashSet::new();
            for d in &s.documents {
                if d.code.is_empty() || !docs.insert(d.code.as_str()) {
                    return bad(format!("service {}: empty or repeated document code {:?}", s.code, d.code));
                }
                if d.name.kk.trim().is_empty() || d.name.ru.trim().is_empty() {
                    return bad(format!("service {}: document {} has an empty name", s.code, d.code));
                }
            }
        }
        Ok(())
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../../assets/catalog/services.json");

    #[test]
    fn shipped_catalog_parses_and_has_the_preschool_queue() {
        let c = Catalog::parse(SHIPPED).expect("shipped catalog");
        let s = c.service("preschool_queue").expect("preschool service");
        assert_eq!(s.subject, Subject::Child);
        assert!(s.name.kk.contains("кезекке қою"), "{}", s.name.kk);
        assert!(s.documents.iter().any(|d| d.required));
        assert!(s.documents.iter().any(|d| !d.required));
    }

    #[test]
    fn repeated_codes_and_unknown_keys_are_refused() {
        let dup = r#"{"version":1,"services":[
            {"code":"a","name":{"kk":"А","ru":"А"},"subject":"none","documents":[]},
            {"code":"a","name":{"kk":"Б","ru":"Б"},"subject":"none","documents":[]}]}"#;
        assert!(matches!(Catalog::parse(dup), Err(Error::Catalog(_))));
        let typo = r#"{"version":1,"services":[
            {"code":"a","name":{"kk":"А","ru":"А"},"subject":"none","documents":[],"requierd":true}]}"#;
        assert!(matches!(Catalog::parse(typo), Err(Error::Catalog(_))));
    }
}
