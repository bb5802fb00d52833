//! The positive result of the office's other services — certificates,
//! decisions, notifications — in one layout driven by data
//! (`assets/templates/service_result.json`): the caller gives the title,
//! the per-service fields and the body text in both languages.

use serde::{Deserialize, Serialize};

use crate::layout::{Flow, Fonts, Span};
use crate::render::{numbered_title, About, Document, Pages};
use crate::requisites::{original, Bilingual, OfficeRequisites, Signer, StampImage, Verification};
use crate::sheet::{date, fill};
use crate::signed::{self, enumeration, g, LabelSet, SignLabels, Signed, SignedParts, Template, Writer};
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

/// One per-service line of a [`ServiceResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultField {
    pub label: Bilingual,
    pub value: String,
}

/// A document issued together with a result and signed with it (service
/// 11: the contract and the decision beside the order): it prints after the
/// result as a document of its own, with the result's number, parties and
/// signer, and its own title, text and facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTogether {
    pub title: Bilingual,
    pub text: Option<Bilingual>,
    pub fields: Vec<ResultField>,
}

/// The positive result of the office's other services (certificates,
/// decisions, notifications) in one layout driven by data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceResult {
    pub number: String,
    pub issued_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    /// e.g. "Анықтама" / "Справка".
    pub title: Bilingual,
    pub service_name: Bilingual,
    pub registration_number: String,
    pub registered_on: chrono::NaiveDate,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub subject_name: Option<String>,
    pub subject_iin: Option<String>,
    pub fields: Vec<ResultField>,
    /// The body paragraph, when the result has one.
    pub text: Option<Bilingual>,
    pub signer: Signer,
    #[serde(default)]
    pub stamp: Option<StampImage>,
    #[serde(default = "original")]
    pub copy_number: u32,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub audit_chain_head: Option<String>,
    /// The documents issued together with it, in order.
    #[serde(default)]
    pub together: Vec<IssuedTogether>,
}

const FILE: &str = "service_result.json";
const SHIPPED: &str = include_str!("../../../../assets/templates/service_result.json");

pub(crate) fn template(fonts: &Fonts) -> Result<Template<ResultLabels>, DocumentError> {
    Template::parse(SHIPPED, FILE, fonts)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResultLabels {
    pub sign: SignLabels,
    pub service: String,
    pub application: String,
    /// `{date}` and `{number}` of the application.
    pub application_value: String,
    pub applicant: String,
    pub subject: String,
    pub iin: String,
}

impl LabelSet for ResultLabels {
    fn sign(&self) -> &SignLabels {
        &self.sign
    }

    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        vec![
            ("application_value", &self.application_value, "{date}"),
            ("application_value", &self.application_value, "{number}"),
        ]
    }
}

impl Signed for ServiceResult {
    type Labels = ResultLabels;

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
        if self.title.kk.trim().is_empty() || self.title.ru.trim().is_empty() {
            return Err(DocumentError::Input("a service result needs a title in both languages".into()));
        }
        Ok(())
    }

    fn text(&self, flow: &mut Flow<'_>, t: &Template<ResultLabels>, w: &Writer<'_>) -> Result<(), DocumentError> {
        let lb = t.labels(w.lang);
        let lang = w.lang;
        w.title(flow, lang.pick(&self.title), format!("№ {}   {}", self.number, self.issued_at.format("%d.%m.%Y")))?;
        w.field(flow, &lb.service, vec![Span::regular(lang.pick(&self.service_name).to_string())])?;
        let application =
            fill(&lb.application_value, &[("date", &date(&self.registered_on)), ("number", &self.registration_number)]);
        w.field(flow, &lb.application, vec![Span::regular(application)])?;
        let mut applicant = vec![Span::regular(self.applicant_name.clone())];
        if !self.applicant_iin.trim().is_empty() {
            applicant.push(g(format!("{} {}", lb.iin, self.applicant_iin)));
        }
        w.field(flow, &lb.applicant, enumeration(applicant))?;
        let mut subject = Vec::new();
        if let Some(n) = self.subject_name.as_deref().filter(|n| !n.trim().is_empty()) {
            subject.push(Span::regular(n.to_string()));
        }
        if let Some(i) = self.subject_iin.as_deref().filter(|i| !i.trim().is_empty()) {
            subject.push(g(format!("{} {i}", lb.iin)));
        }
        if !subject.is_empty() {
            w.field(flow, &lb.subject, enumeration(subject))?;
        }
        for f in &self.fields {
            let label = lang.pick(&f.label).trim().trim_end_matches(':').to_string();
            w.field(flow, &format!("{label}:"), vec![Span::regular(f.value.clone())])?;
        }
        if let Some(text) = &self.text {
            for para in lang.pick(text).lines().filter(|l| !l.trim().is_empty()) {
                flow.paragraph(&w.p(vec![Span::regular(para.to_string())]).before(w.gap()))?;
            }
        }
        Ok(())
    }
}

impl Document for ServiceResult {
    type Template = Template<ResultLabels>;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.result
    }

    fn stamp(&self) -> Option<&StampImage> {
        self.stamp.as_ref()
    }

    fn verification(&self) -> Option<&Verification> {
        self.verification.as_ref()
    }

    fn layout(&self, fonts: &Fonts, t: &Self::Template, stamp: Option<&Stamp>) -> Result<Pages, DocumentError> {
        let mut pages = signed::pages(fonts, t, self, stamp)?;
        for part in &self.together {
            let doc = ServiceResult {
                title: part.title.clone(),
                text: part.text.clone(),
                fields: part.fields.clone(),
                together: Vec::new(),
                ..self.clone()
            };
            pages.extend(signed::pages(fonts, t, &doc, stamp)?);
        }
        Ok(pages)
    }

    fn about(&self, _: &Self::Template) -> About<'_> {
        About {
            title: numbered_title(&self.title.kk, &self.title.ru, &self.number),
            office: &self.office,
            subject: &self.service_name.kk,
            created: self.issued_at,
        }
    }
}
