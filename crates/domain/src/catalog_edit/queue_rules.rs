//! The administrator's edit of the preschool queue's rules, as the next
//! catalog version: the age limit, the shares in which priority and general
//! children are taken, how many kindergartens a parent may name, how long a
//! referral and the stop list last, whether refusing a referral removes the
//! child, and each category's wording and how long its evidence stays
//! valid. The categories themselves (their codes and tiers) come from the
//! Rules and are not added or removed here; a rule change that moves
//! children is put into effect by the registry when the version is saved.

use serde::{Deserialize, Serialize};

use super::wording;
use crate::catalog::{Catalog, CatalogChanges};
use crate::error::{Error, Field};
use crate::lang::Bilingual;
use crate::queue::{QueueRules, Tier, MAX_SPAN_DAYS, QUEUE_SERVICE};

/// The queue's rules as the administrator's form sends them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueRulesDraft {
    pub upper_age: i64,
    pub mixing_priority: i64,
    pub mixing_general: i64,
    pub max_preferences: i64,
    pub referral_valid_working_days: i64,
    pub stop_list_days: i64,
    pub parent_refusal_removes: bool,
    pub categories: Vec<CategoryDraft>,
}

/// One category's wording and evidence validity; `code` names which.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDraft {
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    /// Days; `None` where the evidence does not expire.
    pub evidence_valid_days: Option<i64>,
}

impl From<&QueueRules> for QueueRulesDraft {
    /// The rules as the editor opens them: unchanged.
    fn from(r: &QueueRules) -> QueueRulesDraft {
        QueueRulesDraft {
            upper_age: i64::from(r.upper_age),
            mixing_priority: i64::from(r.mixing_priority),
            mixing_general: i64::from(r.mixing_general),
            max_preferences: r.max_preferences as i64,
            referral_valid_working_days: i64::from(r.referral_valid_working_days),
            stop_list_days: i64::from(r.stop_list_days),
            parent_refusal_removes: r.parent_refusal_removes,
            categories: r
                .categories
                .iter()
                .map(|c| CategoryDraft {
                    code: c.code.clone(),
                    name_kk: c.name.kk.clone(),
                    name_ru: c.name.ru.clone(),
                    evidence_valid_days: c.evidence_valid_days.map(i64::from),
                })
                .collect(),
        }
    }
}

/// A value in its range, or the field's translated range error.
fn within(value: i64, field: Field, min: i64, max: i64) -> Result<i64, Error> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::OutOfRange { field, min, max })
    }
}

impl Catalog {
    /// The next version with the queue's rules as `draft` gives them,
    /// checked as the shipped rules are.
    pub fn with_queue_rules(&self, draft: QueueRulesDraft) -> Result<Catalog, Error> {
        let mut rules = self.queue_rules()?;
        let span = i64::from(MAX_SPAN_DAYS);
        // The ranges `QueueRules` holds to, named by field.
        rules.upper_age = within(draft.upper_age, Field::QueueUpperAge, 1, 7)? as i32;
        rules.mixing_priority = within(draft.mixing_priority, Field::QueueMixingPriority, 1, 50)? as u32;
        rules.mixing_general = within(draft.mixing_general, Field::QueueMixingGeneral, 1, 50)? as u32;
        rules.max_preferences = within(draft.max_preferences, Field::QueueMaxPreferences, 1, 10)? as usize;
        rules.referral_valid_working_days =
            within(draft.referral_valid_working_days, Field::QueueReferralDays, 1, 30)? as u32;
        rules.stop_list_days = within(draft.stop_list_days, Field::QueueStopListDays, 0, span)? as u32;
        rules.parent_refusal_removes = draft.parent_refusal_removes;
        if draft.categories.len() != rules.categories.len() {
            return Err(Error::MalformedRequest("categories".into()));
        }
        for (row, d) in draft.categories.into_iter().enumerate() {
            let problem = |p| Error::QueueCategory { row: row + 1, problem: p };
            let c = rules
                .categories
                .iter_mut()
                .find(|c| c.code == d.code)
                .ok_or_else(|| Error::MalformedRequest("category".into()))?;
            c.name = wording(&d.name_kk, &d.name_ru).map_err(problem)?;
            // The general queue needs no evidence, whatever the form says.
            c.evidence_valid_days = match (c.tier, d.evidence_valid_days) {
                (Tier::General, _) | (_, None) => None,
                (_, Some(days)) => Some(within(days, Field::QueueEvidenceDays, 1, span)? as u32),
            };
        }
        let mut next = self.clone();
        next.service_mut(QUEUE_SERVICE)?.queue = Some(rules);
        next.version = self.version + 1;
        next.rechecked()
    }
}

/// One rule a new version changes, with its values before and after as
/// the window shows them (a number, `true`/`false`, a category's wording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueRuleChange {
    /// The rule's key (`upper_age`, …; `name`, `evidence_valid_days` for a
    /// category's).
    pub rule: String,
    /// The category's wording in the new version, for a category's rule.
    pub category: Option<Bilingual>,
    pub before: String,
    pub after: String,
}

impl CatalogChanges {
    /// Rule by rule, what `newer` changes in the queue's rules.
    pub fn queue(older: &Catalog, newer: &Catalog) -> Vec<QueueRuleChange> {
        let (Ok(old), Ok(new)) = (older.queue_rules(), newer.queue_rules()) else { return Vec::new() };
        let mut out = Vec::new();
        let mut line = |rule: &str, category: Option<&Bilingual>, before: String, after: String| {
            if before != after {
                out.push(QueueRuleChange { rule: rule.into(), category: category.cloned(), before, after });
            }
        };
        line("upper_age", None, old.upper_age.to_string(), new.upper_age.to_string());
        line("mixing_priority", None, old.mixing_priority.to_string(), new.mixing_priority.to_string());
        line("mixing_general", None, old.mixing_general.to_string(), new.mixing_general.to_string());
        line("max_preferences", None, old.max_preferences.to_string(), new.max_preferences.to_string());
        let referral = |r: &QueueRules| r.referral_valid_working_days.to_string();
        line("referral_valid_working_days", None, referral(&old), referral(&new));
        line("stop_list_days", None, old.stop_list_days.to_string(), new.stop_list_days.to_string());
        let removes = |r: &QueueRules| r.parent_refusal_removes.to_string();
        line("parent_refusal_removes", None, removes(&old), removes(&new));
        for c in &new.categories {
            let Some(o) = old.category(&c.code) else { continue };
            let days = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_default();
            line("name_kk", Some(&c.name), o.name.kk.clone(), c.name.kk.clone());
            line("name_ru", Some(&c.name), o.name.ru.clone(), c.name.ru.clone());
            line("evidence_valid_days", Some(&c.name), days(o.evidence_valid_days), days(c.evidence_valid_days));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_edit::ChecklistProblem;

    const SHIPPED: &str = include_str!("../../../../assets/catalog/services.json");

    fn draft(r: &QueueRules) -> QueueRulesDraft {
        QueueRulesDraft::from(r)
    }

    #[test]
    fn the_shipped_catalog_carries_the_shipped_rules() {
        let c = Catalog::parse(SHIPPED).unwrap();
        assert_eq!(c.queue_rules().unwrap(), QueueRules::shipped().unwrap());
    }

    #[test]
    fn the_rules_are_edited_as_the_next_version_and_listed_rule_by_rule() {
        let c = Catalog::parse(SHIPPED).unwrap();
        let rules = c.queue_rules().unwrap();
        let unchanged = c.with_queue_rules(draft(&rules)).unwrap();
        assert!(unchanged.same_content(&Catalog { version: unchanged.version, ..c.clone() }));
        let mut d = draft(&rules);
        d.referral_valid_working_days = 7;
        d.mixing_general = 4;
        let military = d.categories.iter().position(|c| c.code == "military").unwrap();
        d.categories[military].name_ru.push_str(" (в том числе срочной службы)");
        d.categories[military].evidence_valid_days = Some(60);
        let general = d.categories.iter().position(|c| c.code == "general").unwrap();
        d.categories[general].evidence_valid_days = Some(5);
        let next = c.with_queue_rules(d).unwrap();
        assert_eq!(next.version, c.version + 1);
        let new = next.queue_rules().unwrap();
        assert_eq!((new.referral_valid_working_days, new.mixing_general), (7, 4));
        assert_eq!(new.category("general").unwrap().evidence_valid_days, None, "the general queue needs none");
        let changes: Vec<(String, String, String)> =
            CatalogChanges::queue(&c, &next).into_iter().map(|q| (q.rule, q.before, q.after)).collect();
        assert_eq!(
            changes,
            [
                ("mixing_general".into(), "3".into(), "4".into()),
                ("referral_valid_working_days".into(), "5".into(), "7".into()),
                (
                    "name_ru".into(),
                    "Дети военнослужащих".into(),
                    "Дети военнослужащих (в том числе срочной службы)".into()
                ),
                ("evidence_valid_days".into(), "30".into(), "60".into()),
            ]
        );
        assert_eq!(CatalogChanges::between(&c, &next).changed, [QUEUE_SERVICE]);
    }

    #[test]
    fn a_rule_out_of_range_names_its_field_and_a_bad_category_its_row() {
        let c = Catalog::parse(SHIPPED).unwrap();
        let rules = c.queue_rules().unwrap();
        let try_draft = |edit: fn(&mut QueueRulesDraft)| {
            let mut d = draft(&rules);
            edit(&mut d);
            c.with_queue_rules(d).unwrap_err()
        };
        assert_eq!(try_draft(|d| d.upper_age = 8), Error::OutOfRange { field: Field::QueueUpperAge, min: 1, max: 7 });
        assert_eq!(
            try_draft(|d| d.mixing_priority = 0),
            Error::OutOfRange { field: Field::QueueMixingPriority, min: 1, max: 50 }
        );
        assert_eq!(
            try_draft(|d| d.referral_valid_working_days = -1),
            Error::OutOfRange { field: Field::QueueReferralDays, min: 1, max: 30 }
        );
        assert_eq!(
            try_draft(|d| d.categories[0].evidence_valid_days = Some(0)),
            Error::OutOfRange { field: Field::QueueEvidenceDays, min: 1, max: 3653 }
        );
        assert_eq!(
            try_draft(|d| d.categories[1].name_kk = " ".into()),
            Error::QueueCategory { row: 2, problem: ChecklistProblem::NameMissing }
        );
        assert!(matches!(try_draft(|d| d.categories[0].code = "no_such".into()), Error::MalformedRequest(_)));
        assert!(matches!(
            try_draft(|d| {
                d.categories.pop();
            }),
            Error::MalformedRequest(_)
        ));
    }
}
