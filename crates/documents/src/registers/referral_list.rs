//! The referrals issued by one distribution of free places, with the count
//! per kindergarten (`assets/templates/referral_list.json`).

use serde::{Deserialize, Serialize};

use crate::layout::{Cell, Flow, Fonts};
use crate::registers::{finish, heading, printed_by, totals, TableTemplate};
use crate::render::{numbered_title, About, Document, Pages};
use crate::requisites::{Bilingual, OfficeRequisites, Signer};
use crate::sheet::{date, fill};
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

/// One referral of a distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralListRow {
    pub referral_number: String,
    pub child_name: String,
    pub child_birth_date: chrono::NaiveDate,
    pub kindergarten: Bilingual,
    pub group: Option<Bilingual>,
    pub valid_until: chrono::NaiveDate,
}

/// The referrals issued by one distribution of free places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralList {
    pub office: OfficeRequisites,
    /// e.g. "Б-2026-014".
    pub distribution_number: String,
    pub generated_at: chrono::NaiveDateTime,
    pub rows: Vec<ReferralListRow>,
    pub signer: Signer,
}

const FILE: &str = "referral_list.json";
const SHIPPED: &str = include_str!("../../../../assets/templates/referral_list.json");
/// The columns a referral list template may show.
const KEYS: &[&str] =
    &["seq", "referral_number", "child_name", "child_birth_date", "kindergarten", "group", "valid_until"];

pub(crate) fn template(fonts: &Fonts) -> Result<TableTemplate, DocumentError> {
    TableTemplate::parse(SHIPPED, FILE, KEYS, &["{number}"], fonts)
}

impl Document for ReferralList {
    type Template = TableTemplate;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.list
    }

    fn layout(&self, fonts: &Fonts, t: &TableTemplate, _: Option<&Stamp>) -> Result<Pages, DocumentError> {
        layout_list(fonts, t, self)
    }

    fn about(&self, t: &TableTemplate) -> About<'_> {
        About {
            title: numbered_title(&t.kk.title, &t.ru.title, &self.distribution_number),
            office: &self.office,
            subject: "",
            created: self.generated_at,
        }
    }
}

fn layout_list(fonts: &Fonts, t: &TableTemplate, l: &ReferralList) -> Result<Pages, DocumentError> {
    let mut flow = Flow::new(fonts, t.layout.geometry());
    heading(
        &mut flow,
        t,
        &l.office,
        (&t.kk.title, &t.ru.title),
        (
            fill(&t.kk.subtitle, &[("number", &l.distribution_number)]),
            fill(&t.ru.subtitle, &[("number", &l.distribution_number)]),
        ),
        &l.generated_at,
    )?;
    let none = Bilingual { kk: t.kk.none.clone(), ru: t.ru.none.clone() };
    let rows: Vec<Vec<Cell>> = l
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            t.columns
                .iter()
                .map(|c| match c.key.as_str() {
                    "seq" => t.centred((i + 1).to_string()),
                    "referral_number" => t.plain(r.referral_number.clone()),
                    "child_name" => t.plain(r.child_name.clone()),
                    "child_birth_date" => t.centred(date(&r.child_birth_date)),
                    "kindergarten" => t.bilingual(&r.kindergarten),
                    "group" => t.bilingual(r.group.as_ref().unwrap_or(&none)),
                    _ => t.centred(date(&r.valid_until)),
                })
                .collect()
        })
        .collect();
    flow.table(&t.table(), &rows)?;
    // Per kindergarten, in order of first appearance, so that the block
    // reads in the same order as the list.
    let mut by: Vec<(Bilingual, u32)> = Vec::new();
    for r in &l.rows {
        match by.iter_mut().find(|(k, _)| *k == r.kindergarten) {
            Some((_, n)) => *n += 1,
            None => by.push((r.kindergarten.clone(), 1)),
        }
    }
    totals(&mut flow, t, l.rows.len(), &by, Some(t.both(|l| &l.totals_by)))?;
    printed_by(&mut flow, t, &l.signer)?;
    finish(fonts, t, flow)
}
