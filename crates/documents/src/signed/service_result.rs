//! The positive result of the office's other services — certificates,
//! decisions, notifications — in one layout driven by data
//! (`assets/templates/service_result.json`): the caller gives the title,
//! the per-service fields and the body text in both languages.

use serde::{Deserialize, Serialize};

use crate::layout::{Flow, Fonts, Span};
use crate::requisites::{original, Bilingual, OfficeRequisites, Signer, StampImage, Verification};
use crate::sheet::{self, date, fill, Lang, Marks};
use crate::signed::{enumeration, g, office_header, signature_block, LabelSet, SignLabels, Template, Writer};
use crate::stamp::Stamp;
use crate::DocumentError;

/// One per-service line of a [`ServiceResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultField {
    pub label: Bilingual,
    pub value: String,
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
}

pub(crate) const FILE: &str = "service_result.json";

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
    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        vec![
            ("application_value", &self.application_value, "{date}"),
            ("application_value", &self.application_value, "{number}"),
        ]
    }
}

fn part(
    flow: &mut Flow<'_>,
    t: &Template<ResultLabels>,
    w: &Writer<'_>,
    r: &ServiceResult,
    stamp: Option<&Stamp>,
    inset: f32,
) -> Result<(), DocumentError> {
    let lb = t.labels(w.lang);
    let lang = w.lang;
    office_header(flow, w.l, (&lb.sign.address, &lb.sign.phone), lang, &r.office, w.body)?;
    w.title(flow, lang.pick(&r.title), format!("№ {}   {}", r.number, r.issued_at.format("%d.%m.%Y")))?;
    w.field(flow, &lb.service, vec![Span::regular(lang.pick(&r.service_name).to_string())])?;
    let application =
        fill(&lb.application_value, &[("date", &date(&r.registered_on)), ("number", &r.registration_number)]);
    w.field(flow, &lb.application, vec![Span::regular(application)])?;
    let mut applicant = vec![Span::regular(r.applicant_name.clone())];
    if !r.applicant_iin.trim().is_empty() {
        applicant.push(g(format!("{} {}", lb.iin, r.applicant_iin)));
    }
    w.field(flow, &lb.applicant, enumeration(applicant))?;
    let mut subject = Vec::new();
    if let Some(n) = r.subject_name.as_deref().filter(|n| !n.trim().is_empty()) {
        subject.push(Span::regular(n.to_string()));
    }
    if let Some(i) = r.subject_iin.as_deref().filter(|i| !i.trim().is_empty()) {
        subject.push(g(format!("{} {i}", lb.iin)));
    }
    if !subject.is_empty() {
        w.field(flow, &lb.subject, enumeration(subject))?;
    }
    for f in &r.fields {
        let label = lang.pick(&f.label).trim().trim_end_matches(':').to_string();
        w.field(flow, &format!("{label}:"), vec![Span::regular(f.value.clone())])?;
    }
    if let Some(text) = &r.text {
        for para in lang.pick(text).lines().filter(|l| !l.trim().is_empty()) {
            flow.paragraph(&w.p(vec![Span::regular(para.to_string())]).before(w.gap()))?;
        }
    }
    signature_block(flow, w, &lb.sign, &r.signer, stamp, inset, w.gap() * 3.0)
}

pub(crate) fn layout_result(
    fonts: &Fonts,
    t: &Template<ResultLabels>,
    r: &ServiceResult,
    stamp: Option<&Stamp>,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    if r.title.kk.trim().is_empty() || r.title.ru.trim().is_empty() {
        return Err(DocumentError::Input("a service result needs a title in both languages".into()));
    }
    let marks = Marks::new(&t.marks, r.audit_chain_head.as_deref(), r.copy_number, r.verification.as_ref())?;
    let mut write = |flow: &mut Flow<'_>, lang: Lang, body: f32, inset: f32| {
        let w = Writer { l: &t.layout, lang, body };
        part(flow, t, &w, r, stamp, inset)
    };
    sheet::bilingual_pages(fonts, &t.layout, &marks, &mut write)
}
