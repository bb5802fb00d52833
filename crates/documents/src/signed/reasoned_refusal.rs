//! The reasoned refusal to provide a service (дәлелді бас тарту /
//! мотивированный отказ, `assets/templates/reasoned_refusal.json`): the
//! addressee block as on the refusal receipt, the decision, the reason from
//! the controlled list, the legal basis, the executor's explanation (free
//! text of any length, flowing over pages) and the appeal sentence. The
//! official form was not available (domain research §1.3(e)); the appeal
//! sentence names the Law "On public services" art. 25 and the court in
//! general terms and is to be checked against the current Rules.

use serde::{Deserialize, Serialize};

use crate::layout::{Align, Flow, Fonts, Span};
use crate::requisites::{original, Bilingual, OfficeRequisites, Signer, StampImage, Verification};
use crate::sheet::{self, date, fill, Lang, Marks};
use crate::signed::{g, signature_block, LabelSet, SignLabels, Template, Writer};
use crate::stamp::Stamp;
use crate::DocumentError;

/// The reasoned refusal to provide a service (дәлелді бас тарту /
/// мотивированный отказ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonedRefusal {
    pub number: String,
    pub issued_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    pub service_name: Bilingual,
    pub registration_number: String,
    pub registered_on: chrono::NaiveDate,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub applicant_address: Option<String>,
    /// The controlled text from the reasons list.
    pub reason: Bilingual,
    pub legal_basis: Option<Bilingual>,
    /// The executor's own words; may be long, line breaks start paragraphs.
    pub explanation: String,
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

pub(crate) const FILE: &str = "reasoned_refusal.json";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefusalLabels {
    pub sign: SignLabels,
    pub applicant_caption: String,
    pub address_caption: String,
    /// A long blank for an addressee line the input leaves empty.
    pub blank: String,
    pub iin: String,
    pub title: String,
    /// `{office}`, `{date}`, `{number}` and `{service}`.
    pub body: String,
    pub reason: String,
    pub legal_basis: String,
    pub explanation: String,
    pub appeal: String,
}

impl LabelSet for RefusalLabels {
    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        ["{office}", "{date}", "{number}", "{service}"].into_iter().map(|k| ("body", self.body.as_str(), k)).collect()
    }
}

fn or_blank(value: Option<&str>, blank: &str) -> String {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => blank.to_string(),
    }
}

fn part(
    flow: &mut Flow<'_>,
    t: &Template<RefusalLabels>,
    w: &Writer<'_>,
    r: &ReasonedRefusal,
    stamp: Option<&Stamp>,
    inset: f32,
) -> Result<(), DocumentError> {
    let lb = t.labels(w.lang);
    let lang = w.lang;
    crate::signed::office_header(flow, w.l, (&lb.sign.address, &lb.sign.phone), lang, &r.office, w.body)?;

    let indent = t.addressee_indent_mm.unwrap_or(0.0);
    let mut name = vec![Span::regular(or_blank(Some(&r.applicant_name), &lb.blank))];
    if !r.applicant_iin.trim().is_empty() {
        name.push(Span::regular(", "));
        name.push(g(format!("{} {}", lb.iin, r.applicant_iin)));
    }
    flow.paragraph(&w.p(name).indent(indent))?;
    flow.paragraph(
        &w.sized(vec![Span::regular(lb.applicant_caption.as_str())], w.small()).indent(indent).after(w.gap()),
    )?;
    let address = or_blank(r.applicant_address.as_deref(), &lb.blank);
    flow.paragraph(&w.p(vec![Span::regular(address)]).indent(indent))?;
    flow.paragraph(
        &w.sized(vec![Span::regular(lb.address_caption.as_str())], w.small()).indent(indent).after(w.gap() * 2.0),
    )?;

    w.title(flow, &lb.title, format!("№ {}   {}", r.number, r.issued_at.format("%d.%m.%Y")))?;
    let body = fill(
        &lb.body,
        &[
            ("office", lang.pick(&r.office.name).trim()),
            ("date", &date(&r.registered_on)),
            ("number", &r.registration_number),
            ("service", lang.pick(&r.service_name).trim()),
        ],
    );
    flow.paragraph(&w.p(vec![Span::regular(body)]).after(w.gap()))?;
    w.field(flow, &lb.reason, vec![Span::regular(lang.pick(&r.reason).to_string())])?;
    if let Some(basis) = &r.legal_basis {
        w.field(flow, &lb.legal_basis, vec![Span::regular(lang.pick(basis).to_string())])?;
    }
    let paragraphs: Vec<&str> = r.explanation.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if !paragraphs.is_empty() {
        let heading = w.p(vec![Span::bold(lb.explanation.as_str())]);
        let first = w.p(vec![Span::regular(paragraphs[0].to_string())]);
        // The heading never ends a page without the text under it.
        flow.keep_together(flow.height_of(&heading)? + flow.height_of(&first)?.min(20.0));
        flow.paragraph(&heading)?;
        for para in paragraphs {
            flow.paragraph(&w.p(vec![Span::regular(para.to_string())]).align(Align::Left).after(w.gap() / 2.0))?;
        }
    }
    flow.paragraph(&w.p(vec![Span::regular(lb.appeal.as_str())]).before(w.gap()))?;
    signature_block(flow, w, &lb.sign, &r.signer, stamp, inset, w.gap() * 3.0)
}

pub(crate) fn layout_reasoned_refusal(
    fonts: &Fonts,
    t: &Template<RefusalLabels>,
    r: &ReasonedRefusal,
    stamp: Option<&Stamp>,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    if r.reason.kk.trim().is_empty() || r.reason.ru.trim().is_empty() {
        return Err(DocumentError::Input("a reasoned refusal states its reason in both languages".into()));
    }
    let marks = Marks::new(&t.marks, r.audit_chain_head.as_deref(), r.copy_number, r.verification.as_ref())?;
    let mut write = |flow: &mut Flow<'_>, lang: Lang, body: f32, inset: f32| {
        let w = Writer { l: &t.layout, lang, body };
        part(flow, t, &w, r, stamp, inset)
    };
    sheet::bilingual_pages(fonts, &t.layout, &marks, &mut write)
}
