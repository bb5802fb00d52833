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
use crate::render::{numbered_title, About, Document, Pages};
use crate::requisites::{original, Bilingual, OfficeRequisites, Signer, StampImage, Verification};
use crate::sheet::{date, fill};
use crate::signed::{self, addressee, g, or_blank, LabelSet, SignLabels, Signed, SignedParts, Template, Writer};
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

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

const FILE: &str = "reasoned_refusal.json";
const SHIPPED: &str = include_str!("../../../../assets/templates/reasoned_refusal.json");

pub(crate) fn template(fonts: &Fonts) -> Result<Template<RefusalLabels>, DocumentError> {
    Template::parse(SHIPPED, FILE, fonts)
}

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
    fn sign(&self) -> &SignLabels {
        &self.sign
    }

    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        ["{office}", "{date}", "{number}", "{service}"].into_iter().map(|k| ("body", self.body.as_str(), k)).collect()
    }
}

impl Signed for ReasonedRefusal {
    type Labels = RefusalLabels;

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
        if self.reason.kk.trim().is_empty() || self.reason.ru.trim().is_empty() {
            return Err(DocumentError::Input("a reasoned refusal states its reason in both languages".into()));
        }
        Ok(())
    }

    fn text(&self, flow: &mut Flow<'_>, t: &Template<RefusalLabels>, w: &Writer<'_>) -> Result<(), DocumentError> {
        let lb = t.labels(w.lang);
        let lang = w.lang;
        let indent = t.addressee_indent_mm.unwrap_or(0.0);
        let mut name = vec![Span::regular(or_blank(Some(&self.applicant_name), &lb.blank))];
        if !self.applicant_iin.trim().is_empty() {
            name.push(Span::regular(", "));
            name.push(g(format!("{} {}", lb.iin, self.applicant_iin)));
        }
        let address = or_blank(self.applicant_address.as_deref(), &lb.blank);
        addressee(flow, w, indent, name, address, (&lb.applicant_caption, &lb.address_caption))?;

        w.title(flow, &lb.title, format!("№ {}   {}", self.number, self.issued_at.format("%d.%m.%Y")))?;
        let body = fill(
            &lb.body,
            &[
                ("office", lang.pick(&self.office.name).trim()),
                ("date", &date(&self.registered_on)),
                ("number", &self.registration_number),
                ("service", lang.pick(&self.service_name).trim()),
            ],
        );
        flow.paragraph(&w.p(vec![Span::regular(body)]).after(w.gap()))?;
        w.field(flow, &lb.reason, vec![Span::regular(lang.pick(&self.reason).to_string())])?;
        if let Some(basis) = &self.legal_basis {
            w.field(flow, &lb.legal_basis, vec![Span::regular(lang.pick(basis).to_string())])?;
        }
        let paragraphs: Vec<&str> = self.explanation.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
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
        Ok(())
    }
}

impl Document for ReasonedRefusal {
    type Template = Template<RefusalLabels>;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.reasoned
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
            subject: &self.service_name.kk,
            created: self.issued_at,
        }
    }
}
