//! An administrator's change to the service catalog: a service's checklist
//! edited in the window, or a whole catalog file brought in. Either way the
//! result is the next catalog version, checked exactly as the shipped file
//! is (`Catalog::parse`), and the list of what it changes, which the
//! administrator reads before it is saved.
//!
//! The window edits the wording (kk and ru), the kind (with its condition
//! written out), the channels, the source and the "verified against the
//! act" mark of each document; forms and notes of a kept document are kept
//! as they were. It edits the grounds of a reasoned refusal the same way:
//! the general ones or a service's own, each its wording in both languages.

mod queue_rules;
mod terms;

use serde::{Deserialize, Serialize};

use crate::catalog::{mixed_script, Catalog, CatalogChanges, Channel, DocumentKind, DocumentRequirement};
use crate::error::Error;
use crate::lang::Bilingual;
use crate::reasons::Reason;

pub use queue_rules::{CategoryDraft, QueueRuleChange, QueueRulesDraft};
pub use terms::{FieldChange, FieldDraft, NormChange, NormDraft, ResultFormDraft, ResultNameChange, MAX_RESULT_FIELDS};

/// The longest document name, condition or source reference the checklist
/// and the receipts carry (the shipped catalog's longest, a list of the
/// documents proving the lack of parental care, is about 500).
pub const MAX_DOCUMENT_TEXT: usize = 600;
/// More documents than any regulation lists for one service.
pub const MAX_DOCUMENTS: usize = 60;
/// A catalog file larger than this is not a catalog (the shipped one is
/// well under a tenth of it).
pub const MAX_CATALOG_FILE: usize = 4 * 1024 * 1024;

/// One checklist row as the administrator's form sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDraft {
    /// The document's code when it is already in the catalog; `None` for a
    /// document the administrator adds (a code is made for it).
    pub code: Option<String>,
    pub name_kk: String,
    pub name_ru: String,
    /// `required`, `required_unless_in_is`, `conditional` or `optional`.
    pub kind: String,
    #[serde(default)]
    pub condition_kk: String,
    #[serde(default)]
    pub condition_ru: String,
    pub channels: Vec<Channel>,
    pub verified: bool,
    pub source: String,
}

impl From<&DocumentRequirement> for DocumentDraft {
    /// The row as the editor opens it: the document unchanged.
    fn from(d: &DocumentRequirement) -> DocumentDraft {
        DocumentDraft {
            code: Some(d.code.clone()),
            name_kk: d.name.kk.clone(),
            name_ru: d.name.ru.clone(),
            kind: d.kind.code().into(),
            condition_kk: d.kind.condition().map(|c| c.kk.clone()).unwrap_or_default(),
            condition_ru: d.kind.condition().map(|c| c.ru.clone()).unwrap_or_default(),
            channels: d.channels.clone(),
            verified: d.verified,
            source: d.source.clone().unwrap_or_default(),
        }
    }
}

/// What is wrong with one row of an edited checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistProblem {
    /// The Kazakh or the Russian name is empty.
    NameMissing,
    /// A conditional document without its condition in both languages.
    ConditionMissing,
    /// No channel ticked.
    NoChannel,
    /// Where the item comes from is not said.
    SourceMissing,
    /// A name, condition or source longer than the paper carries.
    TooLong,
    /// A Kazakh word typed with a Latin letter among Cyrillic ones.
    MixedScript,
    /// The same code twice, or a code the service does not have.
    UnknownCode,
}

fn problem(row: usize, problem: ChecklistProblem) -> Error {
    Error::ChecklistDocument { row: row + 1, problem }
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A row's wording in both languages (a ground, a result's fact, a queue
/// category), whitespace normalised and checked: present in both, no longer
/// than the paper carries, no Latin letter inside a Kazakh word.
fn wording(kk: &str, ru: &str) -> Result<Bilingual, ChecklistProblem> {
    let text = Bilingual::new(clean(kk), clean(ru));
    if text.kk.is_empty() || text.ru.is_empty() {
        Err(ChecklistProblem::NameMissing)
    } else if [&text.kk, &text.ru].iter().any(|t| t.chars().count() > MAX_DOCUMENT_TEXT) {
        Err(ChecklistProblem::TooLong)
    } else if text.kk.split(|c: char| !c.is_alphabetic()).any(mixed_script) {
        Err(ChecklistProblem::MixedScript)
    } else {
        Ok(text)
    }
}

/// The code a row of an edited list is stored under: its own when the list
/// had it (`known`), or for a new row the first `{prefix}_N` the list never
/// had nor the edit gave (`used`: the rows before it). A code the list does
/// not know, or one given twice, is refused: a removed row's code is never
/// reused within a version, so old marks keep their meaning.
fn row_code(
    given: Option<String>,
    prefix: &str,
    known: impl Fn(&str) -> bool,
    used: impl Fn(&str) -> bool,
) -> Result<String, ChecklistProblem> {
    let code = match given {
        Some(code) if known(&code) => code,
        Some(_) => return Err(ChecklistProblem::UnknownCode),
        None => (1..).map(|n| format!("{prefix}_{n}")).find(|c| !known(c) && !used(c)).unwrap_or_default(),
    };
    if used(&code) {
        return Err(ChecklistProblem::UnknownCode);
    }
    Ok(code)
}

impl Catalog {
    /// One service of this catalog to change, by its code.
    fn service_mut(&mut self, code: &str) -> Result<&mut crate::catalog::Service, Error> {
        self.services.iter_mut().find(|s| s.code == code).ok_or_else(|| Error::UnknownService(code.into()))
    }
}

impl DocumentDraft {
    /// The row as a catalog document, checked; `old` is the document it
    /// edits (its forms and notes are kept), `code` the code it is stored
    /// under.
    fn into_requirement(
        self,
        row: usize,
        code: String,
        old: Option<&DocumentRequirement>,
    ) -> Result<DocumentRequirement, Error> {
        let name = Bilingual::new(clean(&self.name_kk), clean(&self.name_ru));
        if name.kk.is_empty() || name.ru.is_empty() {
            return Err(problem(row, ChecklistProblem::NameMissing));
        }
        let condition = Bilingual::new(clean(&self.condition_kk), clean(&self.condition_ru));
        let kind = match self.kind.as_str() {
            "conditional" if condition.kk.is_empty() || condition.ru.is_empty() => {
                return Err(problem(row, ChecklistProblem::ConditionMissing))
            }
            "conditional" => DocumentKind::Conditional { condition: condition.clone() },
            other => DocumentKind::from_code(other, None).ok_or_else(|| Error::MalformedRequest("kind".into()))?,
        };
        let source = clean(&self.source);
        if source.is_empty() {
            return Err(problem(row, ChecklistProblem::SourceMissing));
        }
        if self.channels.is_empty() {
            return Err(problem(row, ChecklistProblem::NoChannel));
        }
        if [&name.kk, &name.ru, &source, &condition.kk, &condition.ru]
            .iter()
            .any(|t| t.chars().count() > MAX_DOCUMENT_TEXT)
        {
            return Err(problem(row, ChecklistProblem::TooLong));
        }
        if [&name.kk, &condition.kk].into_iter().any(|t| t.split(|c: char| !c.is_alphabetic()).any(mixed_script)) {
            return Err(problem(row, ChecklistProblem::MixedScript));
        }
        // A channel ticked twice (a forged payload) counts once.
        let mut channels: Vec<Channel> = Vec::new();
        for c in self.channels {
            if !channels.contains(&c) {
                channels.push(c);
            }
        }
        Ok(DocumentRequirement {
            code,
            name,
            kind,
            channels,
            forms: old.map(|d| d.forms.clone()).unwrap_or_default(),
            verified: self.verified,
            source: Some(source),
            notes: old.map(|d| d.notes.clone()).unwrap_or_default(),
        })
    }
}

impl Catalog {
    /// The next version: this one with the checklist of `service` replaced
    /// by `rows`, in their order, checked as a shipped file is.
    pub fn with_checklist(&self, service: &str, rows: Vec<DocumentDraft>) -> Result<Catalog, Error> {
        let mut next = self.clone();
        let s = next.service_mut(service)?;
        if rows.is_empty() {
            return Err(Error::Required(crate::Field::Documents));
        }
        if rows.len() > MAX_DOCUMENTS {
            return Err(Error::TooLong { field: crate::Field::Documents, max: MAX_DOCUMENTS });
        }
        let mut documents: Vec<DocumentRequirement> = Vec::with_capacity(rows.len());
        for (row, draft) in rows.into_iter().enumerate() {
            let known = |c: &str| s.documents.iter().any(|d| d.code == c);
            let used = |c: &str| documents.iter().any(|d| d.code == c);
            let code = row_code(draft.code.clone(), "office", known, used).map_err(|p| problem(row, p))?;
            let old = s.documents.iter().find(|d| d.code == code);
            documents.push(draft.into_requirement(row, code, old)?);
        }
        s.documents = documents;
        next.version = self.version + 1;
        next.rechecked()
    }

    /// A catalog file brought in, as the version after `in_force`: its own
    /// version number is replaced (the office's versions are numbered by
    /// the registry, one after the other).
    pub fn imported(json: &str, in_force: u32) -> Result<Catalog, Error> {
        if json.len() > MAX_CATALOG_FILE {
            return Err(Error::CatalogRejected("the file is larger than a catalog".into()));
        }
        let mut value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| Error::CatalogRejected(e.to_string()))?;
        match value.get_mut("version") {
            Some(v) => *v = (in_force + 1).into(),
            None => return Err(Error::CatalogRejected("missing field `version`".into())),
        }
        Catalog::parse(&value.to_string()).map_err(|e| match e {
            Error::Catalog(detail) => Error::CatalogRejected(detail),
            other => other,
        })
    }

    /// The catalog as the file writes it (what a version stores and an
    /// export writes), checked back: an edit that would not parse again is
    /// refused here, not found when the version is next read.
    fn rechecked(self) -> Result<Catalog, Error> {
        let again = Catalog::parse(&self.to_json()).map_err(|e| match e {
            Error::Catalog(detail) => Error::CatalogRejected(detail),
            other => other,
        })?;
        Ok(again)
    }

    /// The file form: pretty-printed, as the shipped file is written.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// More grounds than a list of refusal grounds should ever offer.
pub const MAX_GROUNDS: usize = 40;

/// One ground of a reasoned refusal as the administrator's form sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundDraft {
    /// The ground's code when it is already in the list; `None` for one the
    /// administrator adds.
    pub code: Option<String>,
    pub name_kk: String,
    pub name_ru: String,
}

impl From<&Reason> for GroundDraft {
    fn from(r: &Reason) -> GroundDraft {
        GroundDraft { code: Some(r.code.clone()), name_kk: r.name.kk.clone(), name_ru: r.name.ru.clone() }
    }
}

impl Catalog {
    /// The next version with the general grounds (`service` is `None`) or
    /// one service's own grounds replaced by `rows`, in their order. A
    /// catalog written before version 6 gets its grounds written out: the
    /// general ones it refused on, and each service's own.
    pub fn with_grounds(&self, service: Option<&str>, rows: Vec<GroundDraft>) -> Result<Catalog, Error> {
        if service.is_some_and(|code| self.service(code).is_none()) {
            return Err(Error::UnknownService(service.unwrap_or_default().into()));
        }
        let mut next = self.clone();
        if next.refusal_grounds.is_none() {
            next.refusal_grounds = Some(self.general_grounds().to_vec());
            for s in &mut next.services {
                s.refusal_grounds = self.own_grounds(&s.code);
            }
        }
        let before = match service {
            Some(code) => next.own_grounds(code),
            None => next.general_grounds().to_vec(),
        };
        if service.is_none() && rows.is_empty() {
            return Err(Error::Required(crate::Field::RefusalGrounds));
        }
        if rows.len() > MAX_GROUNDS {
            return Err(Error::TooLong { field: crate::Field::RefusalGrounds, max: MAX_GROUNDS });
        }
        let mut grounds: Vec<Reason> = Vec::with_capacity(rows.len());
        for (row, draft) in rows.into_iter().enumerate() {
            let problem = |p| Error::RefusalGround { row: row + 1, problem: p };
            let known = |c: &str| before.iter().any(|g| g.code == c);
            let used = |c: &str| grounds.iter().any(|g| g.code == c);
            let code = row_code(draft.code, "office_ground", known, used).map_err(problem)?;
            let name = wording(&draft.name_kk, &draft.name_ru).map_err(problem)?;
            grounds.push(Reason { code, name });
        }
        match service {
            Some(code) => next.service_mut(code)?.refusal_grounds = grounds,
            None => next.refusal_grounds = Some(grounds),
        }
        next.version = self.version + 1;
        next.rechecked()
    }
}

/// Item by item, what a version changes against the one before: the
/// lines the administrator reads before saving, and the version's history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemChanges {
    pub documents: Vec<DocumentChange>,
    pub grounds: Vec<GroundChange>,
    pub results: Vec<ResultNameChange>,
    pub fields: Vec<FieldChange>,
    pub norms: Vec<NormChange>,
    pub queue: Vec<QueueRuleChange>,
}

impl ItemChanges {
    pub fn between(older: &Catalog, newer: &Catalog) -> ItemChanges {
        ItemChanges {
            documents: CatalogChanges::documents(older, newer),
            grounds: CatalogChanges::grounds(older, newer),
            results: CatalogChanges::result_names(older, newer),
            fields: CatalogChanges::fields(older, newer),
            norms: CatalogChanges::norms(older, newer),
            queue: CatalogChanges::queue(older, newer),
        }
    }
}

/// One line of what a new version changes in one service's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentChange {
    pub service: String,
    pub code: String,
    /// The name in the new version (the old one for a removed document).
    pub name: Bilingual,
    pub change: DocumentChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentChangeKind {
    Added,
    Removed,
    /// Wording, kind, channels or source changed.
    Changed,
    /// Only confirmed against the act (marked verified).
    Confirmed,
}

/// One line of what a new version changes in the grounds of a reasoned
/// refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroundChange {
    /// `None` for the general grounds.
    pub service: Option<String>,
    pub code: String,
    /// The wording in the new version (the old one for a removed ground).
    pub name: Bilingual,
    /// `added`, `removed` or `changed` (never `confirmed`).
    pub change: DocumentChangeKind,
}

impl CatalogChanges {
    /// Ground by ground, what `newer` changes in the general grounds and
    /// in the own grounds of the services both versions have.
    pub fn grounds(older: &Catalog, newer: &Catalog) -> Vec<GroundChange> {
        let mut out = Vec::new();
        let lists = std::iter::once((None, older.general_grounds().to_vec(), newer.general_grounds().to_vec())).chain(
            newer
                .services
                .iter()
                .filter(|s| older.service(&s.code).is_some())
                .map(|s| (Some(s.code.clone()), older.own_grounds(&s.code), newer.own_grounds(&s.code))),
        );
        for (service, old, new) in lists {
            let line = |g: &Reason, change| GroundChange {
                service: service.clone(),
                code: g.code.clone(),
                name: g.name.clone(),
                change,
            };
            out.extend(row_changes(&old, &new, |g| &g.code, differs).map(|(g, change)| line(g, change)));
        }
        out
    }

    /// Document by document, what `newer` changes in the checklists of the
    /// services both versions have.
    pub fn documents(older: &Catalog, newer: &Catalog) -> Vec<DocumentChange> {
        let mut out = Vec::new();
        for s in &newer.services {
            let Some(old) = older.service(&s.code) else { continue };
            let line = |d: &DocumentRequirement, change| DocumentChange {
                service: s.code.clone(),
                code: d.code.clone(),
                name: d.name.clone(),
                change,
            };
            // Marked verified and nothing else: confirmed against the act.
            let confirmed = |o: &DocumentRequirement, d: &DocumentRequirement| {
                let only_confirmed =
                    !o.verified && d.verified && &DocumentRequirement { verified: false, ..d.clone() } == o;
                if only_confirmed {
                    Some(DocumentChangeKind::Confirmed)
                } else {
                    differs(o, d)
                }
            };
            out.extend(
                row_changes(&old.documents, &s.documents, |d| &d.code, confirmed).map(|(d, change)| line(d, change)),
            );
        }
        out
    }
}

/// Row by row, how list `new` differs from `old`, rows matched by `key`:
/// each row `new` adds or changes (how, `change` says: `None` for a row left
/// as it was), in `new`'s order, then each row it removes.
fn row_changes<'a, T, K: PartialEq + ?Sized>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> &K + Copy,
    change: impl Fn(&T, &T) -> Option<DocumentChangeKind>,
) -> impl Iterator<Item = (&'a T, DocumentChangeKind)> {
    let kept = new.iter().filter_map(move |n| match old.iter().find(|o| key(o) == key(n)) {
        None => Some((n, DocumentChangeKind::Added)),
        Some(o) => change(o, n).map(|c| (n, c)),
    });
    let removed = old.iter().filter(move |o| !new.iter().any(|n| key(n) == key(o)));
    kept.chain(removed.map(|o| (o, DocumentChangeKind::Removed)))
}

/// A kept row that is not as it was has changed.
fn differs<T: PartialEq>(old: &T, new: &T) -> Option<DocumentChangeKind> {
    (old != new).then_some(DocumentChangeKind::Changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../../assets/catalog/services.json");

    fn rows_of(c: &Catalog, service: &str) -> Vec<DocumentDraft> {
        c.service(service).unwrap().documents.iter().map(DocumentDraft::from).collect()
    }

    fn added(channel: Channel) -> DocumentDraft {
        DocumentDraft {
            code: None,
            name_kk: "  Тұрғылықты жерінен   анықтама ".into(),
            name_ru: "Справка с места жительства".into(),
            kind: "conditional".into(),
            condition_kk: "егер мекенжай өзгерсе".into(),
            condition_ru: "если адрес изменился".into(),
            channels: vec![channel],
            verified: false,
            source: "Бұйрық 5-тармақ".into(),
        }
    }

    #[test]
    fn an_unchanged_checklist_is_the_same_catalog_under_the_next_number() {
        let c = Catalog::parse(SHIPPED).unwrap();
        for s in &c.services {
            let next = c.with_checklist(&s.code, rows_of(&c, &s.code)).unwrap();
            assert_eq!(next.version, c.version + 1);
            assert_eq!(next.services, c.services, "{}", s.code);
        }
    }

    #[test]
    fn an_added_document_gets_a_code_and_is_listed_as_added() {
        let c = Catalog::parse(SHIPPED).unwrap();
        let service = &c.services[1].code;
        let mut rows = rows_of(&c, service);
        rows.insert(1, added(c.services[1].channels[0]));
        let next = c.with_checklist(service, rows).unwrap();
        let doc = &next.service(service).unwrap().documents[1];
        assert_eq!(doc.code, "office_1");
        assert_eq!(doc.name.kk, "Тұрғылықты жерінен анықтама", "whitespace normalised");
        assert_eq!(doc.kind.condition().unwrap().ru, "если адрес изменился");
        let changes = CatalogChanges::documents(&c, &next);
        assert_eq!(changes.len(), 1);
        assert_eq!((changes[0].code.as_str(), changes[0].change), ("office_1", DocumentChangeKind::Added));
        assert_eq!(CatalogChanges::between(&c, &next).changed, std::slice::from_ref(service));
    }

    #[test]
    fn confirming_removing_and_rewording_are_told_apart() {
        let c = Catalog::parse(SHIPPED).unwrap();
        let (service, unverified) = c
            .services
            .iter()
            .find_map(|s| s.documents.iter().position(|d| !d.verified).map(|i| (s.code.clone(), i)))
            .expect("the shipped catalog has unverified items");
        let mut rows = rows_of(&c, &service);
        rows[unverified].verified = true;
        let other = if unverified == 0 { 1 } else { 0 };
        rows[other].name_ru.push_str(" (нотариально)");
        // A row whose channels stay covered by the others goes.
        let covered = |i: usize| {
            rows[i].channels.iter().all(|ch| rows.iter().enumerate().any(|(j, r)| j != i && r.channels.contains(ch)))
        };
        let last = (0..rows.len()).rev().find(|&i| i != unverified && i != other && covered(i)).unwrap();
        let gone = rows.remove(last).code.unwrap();
        let next = c.with_checklist(&service, rows).unwrap();
        let mut kinds: Vec<_> = CatalogChanges::documents(&c, &next).into_iter().map(|d| (d.code, d.change)).collect();
        kinds.sort();
        let docs = &c.service(&service).unwrap().documents;
        let mut expected = vec![
            (docs[unverified].code.clone(), DocumentChangeKind::Confirmed),
            (docs[other].code.clone(), DocumentChangeKind::Changed),
            (gone, DocumentChangeKind::Removed),
        ];
        expected.sort();
        assert_eq!(kinds, expected);
    }

    #[test]
    fn a_bad_row_is_named_by_its_number_and_changes_nothing() {
        let c = Catalog::parse(SHIPPED).unwrap();
        let service = c.services[0].code.clone();
        let try_row = |edit: fn(&mut DocumentDraft)| {
            let mut rows = rows_of(&c, &service);
            let mut row = added(c.services[0].channels[0]);
            edit(&mut row);
            rows.push(row);
            let n = rows.len();
            match c.with_checklist(&service, rows) {
                Err(Error::ChecklistDocument { row, problem }) => {
                    assert_eq!(row, n);
                    problem
                }
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(try_row(|r| r.name_ru = " ".into()), ChecklistProblem::NameMissing);
        assert_eq!(try_row(|r| r.condition_kk.clear()), ChecklistProblem::ConditionMissing);
        assert_eq!(try_row(|r| r.channels.clear()), ChecklistProblem::NoChannel);
        assert_eq!(try_row(|r| r.source.clear()), ChecklistProblem::SourceMissing);
        assert_eq!(try_row(|r| r.source = "а".repeat(MAX_DOCUMENT_TEXT + 1)), ChecklistProblem::TooLong);
        assert_eq!(try_row(|r| r.name_kk = "берiлген анықтама".into()), ChecklistProblem::MixedScript);
        assert_eq!(try_row(|r| r.code = Some("no_such".into())), ChecklistProblem::UnknownCode);
        // A channel the service does not offer fails the catalog's own check.
        let mut rows = rows_of(&c, "foster_family");
        rows[0].channels = vec![Channel::Portal];
        assert!(matches!(c.with_checklist("foster_family", rows), Err(Error::CatalogRejected(_))));
        assert_eq!(c.with_checklist("foster_family", vec![]).unwrap_err(), Error::Required(crate::Field::Documents));
        assert!(matches!(c.with_checklist("nope", vec![added(Channel::Office)]), Err(Error::UnknownService(_))));
    }

    fn ground(kk: &str, ru: &str) -> GroundDraft {
        GroundDraft { code: None, name_kk: kk.into(), name_ru: ru.into() }
    }

    #[test]
    fn grounds_are_edited_generally_or_per_service_and_listed() {
        let c = Catalog::parse(SHIPPED).unwrap();
        assert_eq!(c.grounds_for("preschool_queue")[0].code, "already_queued", "a service's own come first");
        let mut general: Vec<GroundDraft> = c.general_grounds().iter().map(GroundDraft::from).collect();
        general[0].name_ru.push_str(" (в редакции 2026 года)");
        let removed = general.pop().unwrap().code.unwrap();
        let next = c.with_grounds(None, general).unwrap();
        assert_eq!(next.version, c.version + 1);
        let own = vec![ground(" Баланың жасы  сәйкес келмейді", "Возраст ребёнка не соответствует")];
        let next = next.with_grounds(Some("free_meals"), own).unwrap();
        let meals = next.grounds_for("free_meals");
        assert_eq!(
            (meals[0].code.as_str(), meals[0].name.kk.as_str()),
            ("office_ground_1", "Баланың жасы сәйкес келмейді")
        );
        assert_eq!(meals.len(), c.general_grounds().len(), "one own added, one general removed");
        let mut changes: Vec<_> =
            CatalogChanges::grounds(&c, &next).into_iter().map(|g| (g.service, g.code, g.change)).collect();
        changes.sort();
        let mut expected = vec![
            (None, c.general_grounds()[0].code.clone(), DocumentChangeKind::Changed),
            (None, removed, DocumentChangeKind::Removed),
            (Some("free_meals".to_owned()), "office_ground_1".to_owned(), DocumentChangeKind::Added),
        ];
        expected.sort();
        assert_eq!(changes, expected);
        assert_eq!(Catalog::parse(&next.to_json()).unwrap(), next, "the edited grounds read back");
    }

    #[test]
    fn a_catalog_before_grounds_refuses_on_the_old_list_and_writes_it_out_when_edited() {
        let mut value: serde_json::Value = serde_json::from_str(SHIPPED).unwrap();
        value.as_object_mut().unwrap().remove("refusal_grounds");
        for s in value["services"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("refusal_grounds");
        }
        let old = Catalog::parse(&value.to_string()).unwrap();
        let shipped = Catalog::parse(SHIPPED).unwrap();
        for s in &shipped.services {
            assert_eq!(old.grounds_for(&s.code), shipped.grounds_for(&s.code), "{}", s.code);
        }
        let rows: Vec<GroundDraft> = old.own_grounds("preschool_queue").iter().map(GroundDraft::from).collect();
        let next = old.with_grounds(Some("preschool_queue"), rows).unwrap();
        assert!(next.same_content(&Catalog { version: next.version, ..shipped.clone() }), "the old list written out");
        assert!(CatalogChanges::grounds(&old, &next).is_empty());
    }

    #[test]
    fn a_bad_ground_is_named_by_its_number_and_changes_nothing() {
        let c = Catalog::parse(SHIPPED).unwrap();
        let try_row = |edit: fn(&mut GroundDraft)| {
            let mut rows: Vec<GroundDraft> = c.general_grounds().iter().map(GroundDraft::from).collect();
            let mut row = ground("Жаңа негіз", "Новое основание");
            edit(&mut row);
            rows.push(row);
            let n = rows.len();
            match c.with_grounds(None, rows) {
                Err(Error::RefusalGround { row, problem }) => {
                    assert_eq!(row, n);
                    problem
                }
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(try_row(|r| r.name_kk = "  ".into()), ChecklistProblem::NameMissing);
        assert_eq!(try_row(|r| r.name_ru = "я".repeat(MAX_DOCUMENT_TEXT + 1)), ChecklistProblem::TooLong);
        assert_eq!(try_row(|r| r.name_kk = "негiз".into()), ChecklistProblem::MixedScript);
        assert_eq!(try_row(|r| r.code = Some("already_queued".into())), ChecklistProblem::UnknownCode);
        assert_eq!(c.with_grounds(None, vec![]).unwrap_err(), Error::Required(crate::Field::RefusalGrounds));
        assert!(c.with_grounds(Some("free_meals"), vec![]).is_ok(), "a service may have no own grounds");
        assert!(matches!(c.with_grounds(Some("nope"), vec![]), Err(Error::UnknownService(_))));
        // A service's own ground may not take a general ground's code.
        let mut rows = vec![ground("а", "б")];
        rows[0].code = Some(c.general_grounds()[0].code.clone());
        assert!(matches!(
            c.with_grounds(Some("preschool_queue"), rows),
            Err(Error::RefusalGround { row: 1, problem: ChecklistProblem::UnknownCode })
        ));
    }

    #[test]
    fn an_imported_file_is_numbered_after_the_version_in_force() {
        let c = Catalog::imported(SHIPPED, 7).unwrap();
        assert_eq!(c.version, 8);
        assert!(matches!(Catalog::imported("{\"version\": 1}", 7), Err(Error::CatalogRejected(_))));
        assert!(matches!(Catalog::imported("not json", 7), Err(Error::CatalogRejected(_))));
        let exported = Catalog::parse(SHIPPED).unwrap().to_json();
        assert_eq!(Catalog::parse(&exported).unwrap(), Catalog::parse(SHIPPED).unwrap(), "an export reads back");
    }
}
