//! The referral of a child to a preschool organisation (жолдама /
//! направление, `assets/templates/referral.json`), one of the two results
//! of the preschool queue service. The official form was not available
//! (domain research §1.3(c), §5): the contents follow the minimum referral
//! data of the 2017 methodological recommendations, the wording is ours.

use serde::{Deserialize, Serialize};

use crate::layout::{Flow, Fonts, Span};
use crate::render::{numbered_title, About, Document, Pages};
use crate::requisites::{original, Bilingual, OfficeRequisites, Signer, StampImage, Verification};
use crate::sheet::{date, fill};
use crate::signed::{self, g, person, LabelSet, SignLabels, Signed, SignedParts, Template, Writer};
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

/// The referral (жолдама / направление) of a child to a preschool
/// organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// e.g. "Ж-2026-00001"
    pub number: String,
    /// Office local time.
    pub issued_at: chrono::NaiveDateTime,
    /// Last day on which the kindergarten accepts it.
    pub valid_until: chrono::NaiveDate,
    pub office: OfficeRequisites,
    pub child_name: String,
    pub child_iin: String,
    pub child_birth_date: chrono::NaiveDate,
    /// e.g. "2022 жылы туған балалар" / "дети 2022 года рождения".
    pub age_group: Bilingual,
    pub kindergarten: Bilingual,
    pub kindergarten_address: Bilingual,
    /// Group name and language, when the distribution assigned one.
    pub group: Option<Bilingual>,
    pub applicant_name: String,
    pub applicant_iin: String,
    /// The queue application's registration number.
    pub registration_number: String,
    pub signer: Signer,
    #[serde(default)]
    pub stamp: Option<StampImage>,
    /// 1 for the original; from 2 on the page says "КӨШІРМЕ / КОПИЯ № n".
    #[serde(default = "original")]
    pub copy_number: u32,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub audit_chain_head: Option<String>,
}

const FILE: &str = "referral.json";
const SHIPPED: &str = include_str!("../../../../assets/templates/referral.json");

pub(crate) fn template(fonts: &Fonts) -> Result<Template<ReferralLabels>, DocumentError> {
    Template::parse(SHIPPED, FILE, fonts)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReferralLabels {
    pub sign: SignLabels,
    pub title: String,
    pub kindergarten: String,
    pub kindergarten_address: String,
    pub group: String,
    pub child: String,
    pub iin: String,
    pub birth_date: String,
    pub age_group: String,
    pub applicant: String,
    pub registration: String,
    /// `{date}`: the last valid day.
    pub validity: String,
    pub present: String,
}

impl LabelSet for ReferralLabels {
    fn sign(&self) -> &SignLabels {
        &self.sign
    }

    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        vec![("validity", &self.validity, "{date}")]
    }
}

impl Signed for Referral {
    type Labels = ReferralLabels;

    fn parts(&self) -> SignedParts<'_> {
        SignedParts {
            office: &self.office,
            signer: &self.signer,
            stamp: self.stamp.as_ref(),
            audit_chain_head: self.audit_chain_head.as_deref(),
            copy_number: self.copy_number,
            verification: self.verification.as_ref(),
        }
    }

    fn check(&self) -> Result<(), DocumentError> {
        if self.valid_until < self.issued_at.date() {
            return Err(DocumentError::Input("a referral cannot expire before it is issued".into()));
        }
        Ok(())
    }

    fn text(&self, flow: &mut Flow<'_>, t: &Template<ReferralLabels>, w: &Writer<'_>) -> Result<(), DocumentError> {
        let lb = t.labels(w.lang);
        let lang = w.lang;
        w.title(flow, &lb.title, format!("№ {}   {}", self.number, self.issued_at.format("%d.%m.%Y %H:%M")))?;
        w.field(flow, &lb.kindergarten, vec![Span::bold(lang.pick(&self.kindergarten).to_string())])?;
        let address = lang.pick(&self.kindergarten_address);
        if !address.trim().is_empty() {
            w.field(flow, &lb.kindergarten_address, vec![Span::regular(address.to_string())])?;
        }
        if let Some(group) = &self.group {
            w.field(flow, &lb.group, vec![Span::regular(lang.pick(group).to_string())])?;
        }
        let birth = date(&self.child_birth_date);
        w.field(flow, &lb.child, person(&lb.iin, &self.child_name, &self.child_iin, Some((&lb.birth_date, &birth))))?;
        w.field(flow, &lb.age_group, vec![Span::regular(lang.pick(&self.age_group).to_string())])?;
        w.field(flow, &lb.applicant, person(&lb.iin, &self.applicant_name, &self.applicant_iin, None))?;
        w.field(flow, &lb.registration, vec![g(self.registration_number.clone())])?;
        let validity = fill(&lb.validity, &[("date", &date(&self.valid_until))]);
        flow.paragraph(
            &w.p(vec![Span::bold(validity), Span::regular(" "), Span::regular(lb.present.as_str())]).before(w.gap()),
        )?;
        Ok(())
    }
}

impl Document for Referral {
    type Template = Template<ReferralLabels>;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.referral
    }

    fn stamp(&self) -> Option<&StampImage> {
        self.stamp.as_ref()
    }

    fn verification(&self) -> Option<&Verification> {
        self.verification.as_ref()
    }

    fn layout(&self, fonts: &Fonts, t: &Self::Template, stamp: Option<&Stamp>) -> Result<Pages, DocumentError> {
        signed::pages(fonts, t, self, stamp)
    }

    fn about(&self, t: &Self::Template) -> About<'_> {
        About {
            title: numbered_title(&t.kk.title, &t.ru.title, &self.number),
            office: &self.office,
            subject: &self.kindergarten.kk,
            created: self.issued_at,
        }
    }
}
