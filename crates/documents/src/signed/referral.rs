//! The referral of a child to a preschool organisation (жолдама /
//! направление, `assets/templates/referral.json`), one of the two results
//! of the preschool queue service. The official form was not available
//! (domain research §1.3(c), §5): the contents follow the minimum referral
//! data of the 2017 methodological recommendations, the wording is ours.

use serde::{Deserialize, Serialize};

use crate::layout::{Flow, Fonts, Span};
use crate::requisites::{original, Bilingual, OfficeRequisites, Signer, StampImage, Verification};
use crate::sheet::{self, date, fill, Lang, Marks};
use crate::signed::{g, office_header, person, signature_block, LabelSet, SignLabels, Template, Writer};
use crate::stamp::Stamp;
use crate::DocumentError;

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

pub(crate) const FILE: &str = "referral.json";

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
    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        vec![("validity", &self.validity, "{date}")]
    }
}

fn referral_part(
    flow: &mut Flow<'_>,
    t: &Template<ReferralLabels>,
    w: &Writer<'_>,
    r: &Referral,
    stamp: Option<&Stamp>,
    inset: f32,
) -> Result<(), DocumentError> {
    let lb = t.labels(w.lang);
    let lang = w.lang;
    office_header(flow, w.l, (&lb.sign.address, &lb.sign.phone), lang, &r.office, w.body)?;
    w.title(flow, &lb.title, format!("№ {}   {}", r.number, r.issued_at.format("%d.%m.%Y %H:%M")))?;
    w.field(flow, &lb.kindergarten, vec![Span::bold(lang.pick(&r.kindergarten).to_string())])?;
    let address = lang.pick(&r.kindergarten_address);
    if !address.trim().is_empty() {
        w.field(flow, &lb.kindergarten_address, vec![Span::regular(address.to_string())])?;
    }
    if let Some(group) = &r.group {
        w.field(flow, &lb.group, vec![Span::regular(lang.pick(group).to_string())])?;
    }
    let birth = date(&r.child_birth_date);
    w.field(flow, &lb.child, person(&lb.iin, &r.child_name, &r.child_iin, Some((&lb.birth_date, &birth))))?;
    w.field(flow, &lb.age_group, vec![Span::regular(lang.pick(&r.age_group).to_string())])?;
    w.field(flow, &lb.applicant, person(&lb.iin, &r.applicant_name, &r.applicant_iin, None))?;
    w.field(flow, &lb.registration, vec![g(r.registration_number.clone())])?;
    let validity = fill(&lb.validity, &[("date", &date(&r.valid_until))]);
    flow.paragraph(
        &w.p(vec![Span::bold(validity), Span::regular(" "), Span::regular(lb.present.as_str())]).before(w.gap()),
    )?;
    signature_block(flow, w, &lb.sign, &r.signer, stamp, inset, w.gap() * 3.0)
}

pub(crate) fn layout_referral(
    fonts: &Fonts,
    t: &Template<ReferralLabels>,
    r: &Referral,
    stamp: Option<&Stamp>,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    if r.valid_until < r.issued_at.date() {
        return Err(DocumentError::Input("a referral cannot expire before it is issued".into()));
    }
    let marks = Marks::new(&t.marks, r.audit_chain_head.as_deref(), r.copy_number, r.verification.as_ref())?;
    let mut write = |flow: &mut Flow<'_>, lang: Lang, body: f32, inset: f32| {
        let w = Writer { l: &t.layout, lang, body };
        referral_part(flow, t, &w, r, stamp, inset)
    };
    sheet::bilingual_pages(fonts, &t.layout, &marks, &mut write)
}
