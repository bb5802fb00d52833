//! The administrator's edit of a service's result forms (the name and the
//! facts each result states) and of its time norms, each as the next catalog version,
//! and the lists of what such a version changes.
//!
//! A form's fields keep their keys (stored values are keyed by them); a
//! field added gets a new key, and a field taken out is taken out of the
//! documents issued together with the result too. Norms are edited where
//! the regulation gives one (a step's, a part's of a split step, a path's
//! stated total): an office follows an amended regulation by changing a
//! value or its unit, not by inventing steps.

use serde::{Deserialize, Serialize};

use super::{differs, row_changes, row_code, wording, DocumentChangeKind};
use crate::catalog::{norm_limit, norm_value, Catalog, CatalogChanges, Channel, Norm, ResultKind, ResultSpec};
use crate::error::Error;
use crate::lang::Bilingual;
use crate::result_fields::{FieldSpec, ValueKind};

/// More facts than any result form states.
pub const MAX_RESULT_FIELDS: usize = 30;

/// One fact of a result form as the administrator's form sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDraft {
    /// The field's key when the form already has it; `None` for a field
    /// the administrator adds.
    pub key: Option<String>,
    pub label_kk: String,
    pub label_ru: String,
    pub kind: ValueKind,
    pub required: bool,
}

impl From<&FieldSpec> for FieldDraft {
    fn from(f: &FieldSpec) -> FieldDraft {
        FieldDraft {
            key: Some(f.key.clone()),
            label_kk: f.label.kk.clone(),
            label_ru: f.label.ru.clone(),
            kind: f.kind,
            required: f.required,
        }
    }
}

/// One time norm as the administrator's form sends it: where it is (the
/// path and step by their positions in the service, the part of a split
/// step; no step for the path's stated total) and its new value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormDraft {
    pub path: usize,
    pub step: Option<usize>,
    #[serde(default)]
    pub part: Option<usize>,
    pub norm: Norm,
}

/// A result form as the administrator's form sends it: its name (which the
/// executor picks it by and its paper states) and the facts it states, in
/// order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultFormDraft {
    pub name_kk: String,
    pub name_ru: String,
    pub fields: Vec<FieldDraft>,
}

impl From<&ResultSpec> for ResultFormDraft {
    /// The form as the editor opens it: unchanged.
    fn from(r: &ResultSpec) -> ResultFormDraft {
        ResultFormDraft {
            name_kk: r.name.kk.clone(),
            name_ru: r.name.ru.clone(),
            fields: r.fields.iter().map(FieldDraft::from).collect(),
        }
    }
}

impl Catalog {
    /// The next version with result `result` (its position among the
    /// service's results) renamed and its facts replaced by the draft's,
    /// in order. The documents issued together with it keep their own
    /// names: each is an act of its own form. Applications registered
    /// under an earlier version keep its names, as they keep its facts.
    pub fn with_result_form(&self, service: &str, result: usize, draft: ResultFormDraft) -> Result<Catalog, Error> {
        let mut next = self.clone();
        let spec = next
            .service_mut(service)?
            .results
            .get_mut(result)
            .filter(|r| r.kind != ResultKind::ReasonedRefusal)
            .ok_or_else(|| Error::MalformedRequest("result".into()))?;
        let rows = draft.fields;
        if rows.len() > MAX_RESULT_FIELDS {
            return Err(Error::TooLong { field: crate::Field::ResultFields, max: MAX_RESULT_FIELDS });
        }
        spec.name = wording(&draft.name_kk, &draft.name_ru).map_err(|problem| Error::ResultName { problem })?;
        let before = std::mem::take(&mut spec.fields);
        let mut fields: Vec<FieldSpec> = Vec::with_capacity(rows.len());
        for (row, draft) in rows.into_iter().enumerate() {
            let problem = |p| Error::ResultFieldRow { row: row + 1, problem: p };
            let known = |k: &str| before.iter().any(|f| f.key == k);
            let used = |k: &str| fields.iter().any(|f| f.key == k);
            let key = row_code(draft.key, "office_field", known, used).map_err(problem)?;
            let label = wording(&draft.label_kk, &draft.label_ru).map_err(problem)?;
            fields.push(FieldSpec { key, label, kind: draft.kind, required: draft.required });
        }
        // A fact taken out is no longer stated by the documents issued with it.
        for part in &mut spec.together {
            part.fields.retain(|k| fields.iter().any(|f| &f.key == k));
        }
        spec.fields = fields;
        next.version = self.version + 1;
        next.rechecked()
    }

    /// The next version with the norms `rows` name set to their values.
    pub fn with_norms(&self, service: &str, rows: Vec<NormDraft>) -> Result<Catalog, Error> {
        let mut next = self.clone();
        let s = next.service_mut(service)?;
        for (row, d) in rows.into_iter().enumerate() {
            let path = s.paths.get_mut(d.path);
            // Only where the regulation gives a norm; the window offers no other.
            let slot = match (path, d.step, d.part) {
                (Some(p), None, None) => p.stated_total.as_mut(),
                (Some(p), Some(i), None) => p.steps.get_mut(i).and_then(|st| st.norm.as_mut()),
                (Some(p), Some(i), Some(j)) => {
                    p.steps.get_mut(i).and_then(|st| st.parts.get_mut(j)).map(|x| &mut x.norm)
                }
                _ => None,
            }
            .ok_or_else(|| Error::MalformedRequest("norm".into()))?;
            let max = norm_limit(d.norm);
            if !(1..=max).contains(&norm_value(d.norm)) {
                return Err(Error::NormOutOfRange { row: row + 1, max });
            }
            *slot = d.norm;
        }
        next.version = self.version + 1;
        next.rechecked()
    }
}

/// One line of what a new version changes in a result form's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub service: String,
    /// The result's name.
    pub result: Bilingual,
    pub key: String,
    /// The label in the new version (the old one for a removed fact).
    pub label: Bilingual,
    /// `added`, `removed` or `changed` (label, kind or whether required).
    pub change: DocumentChangeKind,
}

/// A result form a new version retitles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultNameChange {
    pub service: String,
    pub before: Bilingual,
    pub after: Bilingual,
}

/// One norm a new version changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormChange {
    pub service: String,
    pub channel: Channel,
    /// The path's variant name, where the channel has several paths.
    pub variant: Option<Bilingual>,
    /// The step's label; `None` for the path's stated total.
    pub step: Option<String>,
    /// What the step (or the part of it) does.
    pub what: Option<Bilingual>,
    pub before: Norm,
    pub after: Norm,
}

impl CatalogChanges {
    /// Fact by fact, what `newer` changes in the result forms of the
    /// services both versions have (results matched by position and kind).
    pub fn fields(older: &Catalog, newer: &Catalog) -> Vec<FieldChange> {
        let mut out = Vec::new();
        for s in &newer.services {
            let Some(old) = older.service(&s.code) else { continue };
            for (r, o) in s.results.iter().zip(&old.results).filter(|(r, o)| r.kind == o.kind) {
                let line = |f: &FieldSpec, change| FieldChange {
                    service: s.code.clone(),
                    result: r.name.clone(),
                    key: f.key.clone(),
                    label: f.label.clone(),
                    change,
                };
                out.extend(row_changes(&o.fields, &r.fields, |f| &f.key, differs).map(|(f, change)| line(f, change)));
            }
        }
        out
    }

    /// The result forms `newer` retitles in the services both versions
    /// have (results matched by position and kind, as their facts are).
    pub fn result_names(older: &Catalog, newer: &Catalog) -> Vec<ResultNameChange> {
        let mut out = Vec::new();
        for s in &newer.services {
            let Some(old) = older.service(&s.code) else { continue };
            for (r, o) in s.results.iter().zip(&old.results).filter(|(r, o)| r.kind == o.kind && r.name != o.name) {
                out.push(ResultNameChange { service: s.code.clone(), before: o.name.clone(), after: r.name.clone() });
            }
        }
        out
    }

    /// Norm by norm, what `newer` changes on the paths both versions have
    /// (paths matched by channel and variant, steps by label).
    pub fn norms(older: &Catalog, newer: &Catalog) -> Vec<NormChange> {
        let mut out = Vec::new();
        for s in &newer.services {
            let Some(old) = older.service(&s.code) else { continue };
            for p in &s.paths {
                let Some(o) = old.paths.iter().find(|o| o.channel == p.channel && o.variant == p.variant) else {
                    continue;
                };
                let mut line =
                    |step: Option<&str>, what: Option<&Bilingual>, before: Option<Norm>, after: Option<Norm>| {
                        if let (Some(before), Some(after)) = (before, after) {
                            if before != after {
                                out.push(NormChange {
                                    service: s.code.clone(),
                                    channel: p.channel,
                                    variant: p.variant_name.clone(),
                                    step: step.map(str::to_owned),
                                    what: what.cloned(),
                                    before,
                                    after,
                                });
                            }
                        }
                    };
                line(None, None, o.stated_total, p.stated_total);
                for st in &p.steps {
                    let Some(ost) = o.steps.iter().find(|x| x.n == st.n) else { continue };
                    line(Some(&st.n), Some(&st.action), ost.norm, st.norm);
                    for (part, opart) in st.parts.iter().zip(&ost.parts) {
                        line(Some(&st.n), Some(&part.what), Some(opart.norm), Some(part.norm));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_edit::ChecklistProblem;

    const SHIPPED: &str = include_str!("../../../../assets/catalog/services.json");

    fn shipped() -> Catalog {
        Catalog::parse(SHIPPED).unwrap()
    }

    fn form(c: &Catalog, service: &str, result: usize) -> ResultFormDraft {
        ResultFormDraft::from(&c.service(service).unwrap().results[result])
    }

    #[test]
    fn a_result_form_is_retitled_reworded_extended_and_cut_keeping_its_keys() {
        let c = shipped();
        // The foster family's order states facts its contract and decision share.
        let s = c.service("foster_family").unwrap();
        let r = s.results.iter().position(|r| !r.together.is_empty()).unwrap();
        let mut draft = form(&c, "foster_family", r);
        draft.name_ru.push_str("  (приказ)");
        let fields = &mut draft.fields;
        let shared = s.results[r].together[0].fields[0].clone();
        fields.retain(|f| f.key.as_deref() != Some(shared.as_str()));
        fields[0].label_ru.push_str(" (прописью)");
        fields.push(FieldDraft {
            key: None,
            label_kk: " Төлем  шоты ".into(),
            label_ru: "Счёт для выплаты".into(),
            kind: ValueKind::Text,
            required: false,
        });
        let next = c.with_result_form("foster_family", r, draft).unwrap();
        assert_eq!(next.version, c.version + 1);
        let spec = &next.service("foster_family").unwrap().results[r];
        assert_eq!(spec.name.ru, format!("{} (приказ)", s.results[r].name.ru), "whitespace normalised");
        assert_eq!(
            spec.together,
            s.results[r]
                .together
                .iter()
                .cloned()
                .map(|mut p| {
                    p.fields.retain(|k| k != &shared);
                    p
                })
                .collect::<Vec<_>>(),
            "the parts keep their titles"
        );
        let renamed = CatalogChanges::result_names(&c, &next);
        assert_eq!(renamed.len(), 1);
        assert_eq!(
            (renamed[0].before.clone(), renamed[0].after.clone()),
            (s.results[r].name.clone(), spec.name.clone())
        );
        let added = spec.fields.last().unwrap();
        assert_eq!((added.key.as_str(), added.label.kk.as_str()), ("office_field_1", "Төлем шоты"));
        assert!(spec.together.iter().all(|p| !p.fields.contains(&shared)), "the part no longer states it");
        let mut changes: Vec<_> = CatalogChanges::fields(&c, &next).into_iter().map(|f| (f.key, f.change)).collect();
        changes.sort();
        let mut expected = vec![
            (s.results[r].fields.iter().find(|f| f.key != shared).unwrap().key.clone(), DocumentChangeKind::Changed),
            (shared, DocumentChangeKind::Removed),
            ("office_field_1".to_owned(), DocumentChangeKind::Added),
        ];
        expected.sort();
        assert_eq!(changes, expected);
        assert!(CatalogChanges::norms(&c, &next).is_empty());
    }

    #[test]
    fn a_bad_title_or_fact_is_named_and_a_refusal_states_none() {
        let c = shipped();
        let (service, r) = c
            .services
            .iter()
            .find_map(|s| s.results.iter().position(|r| !r.fields.is_empty()).map(|r| (s.code.clone(), r)))
            .unwrap();
        let try_row = |edit: fn(&mut FieldDraft)| {
            let mut draft = form(&c, &service, r);
            edit(&mut draft.fields[0]);
            match c.with_result_form(&service, r, draft) {
                Err(Error::ResultFieldRow { row: 1, problem }) => problem,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(try_row(|f| f.label_ru = " ".into()), ChecklistProblem::NameMissing);
        assert_eq!(try_row(|f| f.label_kk = "сомаcы".into()), ChecklistProblem::MixedScript);
        assert_eq!(try_row(|f| f.key = Some("no_such".into())), ChecklistProblem::UnknownCode);
        let refusal = c.service(&service).unwrap().results.iter().position(|r| r.kind == ResultKind::ReasonedRefusal);
        if let Some(refusal) = refusal {
            let draft =
                ResultFormDraft { name_kk: "Бас тарту".into(), name_ru: "Отказ".into(), fields: vec![] };
            assert!(matches!(c.with_result_form(&service, refusal, draft), Err(Error::MalformedRequest(_))));
        }
        let untitled = ResultFormDraft { name_kk: String::new(), ..form(&c, &service, r) };
        assert_eq!(
            c.with_result_form(&service, r, untitled).unwrap_err(),
            Error::ResultName { problem: ChecklistProblem::NameMissing }
        );
        let many: Vec<FieldDraft> = (0..=MAX_RESULT_FIELDS)
            .map(|i| FieldDraft {
                key: None,
                label_kk: format!("Өріс {i}"),
                label_ru: format!("Поле {i}"),
                kind: ValueKind::Text,
                required: true,
            })
            .collect();
        let many = ResultFormDraft { fields: many, ..form(&c, &service, r) };
        assert!(matches!(c.with_result_form(&service, r, many), Err(Error::TooLong { .. })));
    }

    #[test]
    fn norms_change_where_the_regulation_gives_one() {
        let c = shipped();
        // A split step (its parts' norms) and a path's stated total.
        let (service, path, step) = c
            .services
            .iter()
            .find_map(|s| {
                s.paths.iter().enumerate().find_map(|(p, path)| {
                    path.steps.iter().position(|st| !st.parts.is_empty()).map(|st| (s.code.clone(), p, st))
                })
            })
            .unwrap();
        let normed = c.service(&service).unwrap().paths[path].steps.iter().position(|st| st.norm.is_some()).unwrap();
        let rows = vec![
            NormDraft { path, step: Some(normed), part: None, norm: Norm::WorkingDays(2) },
            NormDraft { path, step: Some(step), part: Some(0), norm: Norm::CalendarDays(9) },
        ];
        let next = c.with_norms(&service, rows).unwrap();
        let p = &next.service(&service).unwrap().paths[path];
        assert_eq!(p.steps[normed].norm, Some(Norm::WorkingDays(2)));
        assert_eq!(p.steps[step].parts[0].norm, Norm::CalendarDays(9));
        let changes = CatalogChanges::norms(&c, &next);
        assert!(changes
            .iter()
            .any(|n| n.after == Norm::CalendarDays(9) && n.what == Some(p.steps[step].parts[0].what.clone())));
        assert!(changes.len() <= 2 && !changes.is_empty(), "{changes:?}");

        let one = |d: NormDraft| c.with_norms(&service, vec![d]);
        let zero = NormDraft { path, step: Some(normed), part: None, norm: Norm::Hours(0) };
        assert_eq!(one(zero).unwrap_err(), Error::NormOutOfRange { row: 1, max: 500 });
        let long = NormDraft { path, step: Some(normed), part: None, norm: Norm::WorkingDays(367) };
        assert_eq!(one(long).unwrap_err(), Error::NormOutOfRange { row: 1, max: 366 });
        // The split step has no norm of its own, and no path 99 exists.
        let own = NormDraft { path, step: Some(step), part: None, norm: Norm::WorkingDays(1) };
        assert!(matches!(one(own), Err(Error::MalformedRequest(_))));
        let nowhere = NormDraft { path: 99, step: None, part: None, norm: Norm::WorkingDays(1) };
        assert!(matches!(one(nowhere), Err(Error::MalformedRequest(_))));

        // A stated total, where a path has one.
        let total = c
            .services
            .iter()
            .find_map(|s| s.paths.iter().position(|p| p.stated_total.is_some()).map(|p| (s.code.clone(), p)));
        if let Some((service, path)) = total {
            let next = c
                .with_norms(&service, vec![NormDraft { path, step: None, part: None, norm: Norm::CalendarDays(40) }])
                .unwrap();
            let changes = CatalogChanges::norms(&c, &next);
            assert!(changes.iter().any(|n| n.step.is_none() && n.after == Norm::CalendarDays(40)), "{changes:?}");
        }
    }
}
