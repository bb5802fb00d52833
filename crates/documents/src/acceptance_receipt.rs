//! The acceptance receipt (қолхат / расписка о приеме документов): its
//! input ([`AcceptanceReceipt`]), its template (labels and layout numbers
//! from `assets/templates/acceptance_receipt.json`) and the text of one
//! language version. How the two versions share the paper is
//! [`crate::sheet`]'s job.

use serde::{Deserialize, Serialize};

use crate::layout::{Align, Flow, Fonts, Paragraph, Span, Style};
use crate::render::{numbered_title, About, Document, Pages};
use crate::requisites::{original, Bilingual, OfficeRequisites, Verification};
use crate::sheet::{self, date, Form, Lang, MarkTexts, Marks, PageLayout};
use crate::signed::{enumeration, g, Writer};
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

/// Everything printed on the receipt given to an applicant whose documents
/// were accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceReceipt {
    /// e.g. "01-2026-00001"
    pub registration_number: String,
    /// Office local time, to the second.
    pub registered_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    pub service_name: Bilingual,
    /// Where the application was lodged (the office, the State
    /// Corporation, the portal).
    #[serde(default)]
    pub channel: Option<Bilingual>,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub applicant_phone: String,
    /// Who lodged it for the applicant, under which power of attorney.
    #[serde(default)]
    pub representative: Option<RepresentativeLine>,
    /// Who gave the consent to the use of personal data: the applicant, or
    /// the representative who lodged the application.
    #[serde(default)]
    pub consent_by: Option<Bilingual>,
    pub subject_name: Option<String>,
    pub subject_iin: Option<String>,
    pub subject_birth_date: Option<chrono::NaiveDate>,
    /// The accepted documents, in checklist order.
    pub documents: Vec<Bilingual>,
    pub expected_result_date: Option<chrono::NaiveDate>,
    /// The clerk's full name.
    pub accepted_by: String,
    pub executor: Option<String>,
    pub executor_phone: Option<String>,
    /// Short hash printed small in the footer when present.
    pub audit_chain_head: Option<String>,
    /// 1 for the original; from 2 on the page says "КӨШІРМЕ / КОПИЯ № n".
    #[serde(default = "original")]
    pub copy_number: u32,
    /// QR code at the bottom right of each language version when present.
    #[serde(default)]
    pub verification: Option<Verification>,
}

/// A representative as a receipt names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepresentativeLine {
    pub name: String,
    pub iin: String,
    pub poa_number: String,
    /// As the clerk typed it (dd.mm.yyyy).
    pub poa_date: String,
}

impl RepresentativeLine {
    /// "Name, ЖСН: …, сенімхат № … date", as both receipts write it.
    pub(crate) fn spans(&self, iin_label: &str, poa_label: &str) -> Vec<Span> {
        enumeration(vec![
            Span::regular(self.name.clone()),
            g(format!("{iin_label} {}", self.iin)),
            g(format!("{poa_label} № {} {}", self.poa_number, self.poa_date)),
        ])
    }
}

const FILE: &str = "acceptance_receipt.json";
const SHIPPED: &str = include_str!("../../../assets/templates/acceptance_receipt.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReceiptTemplate {
    #[allow(dead_code)]
    pub version: u32,
    pub layout: PageLayout,
    pub kk: Labels,
    pub ru: Labels,
    pub marks: MarkTexts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Labels {
    pub title: String,
    pub address: String,
    pub phone: String,
    pub service: String,
    pub channel: String,
    pub applicant: String,
    pub representative: String,
    pub poa: String,
    pub consent: String,
    pub iin: String,
    pub child: String,
    pub birth_date: String,
    pub documents: String,
    pub no_documents: String,
    pub result_date: String,
    pub executor: String,
    pub accepted_by: String,
    pub signature: String,
    pub received: String,
    pub applicant_signature: String,
    pub date_blank: String,
    pub seal: String,
}

impl ReceiptTemplate {
    /// The template shipped in `assets/templates`.
    pub fn shipped() -> Result<Self, DocumentError> {
        Self::parse(SHIPPED)
    }

    pub fn parse(json: &str) -> Result<Self, DocumentError> {
        let t: Self = serde_json::from_str(json).map_err(|e| DocumentError::Template(format!("{FILE}: {e}")))?;
        t.layout.validate(FILE)?;
        Ok(t)
    }
}

impl Form for ReceiptTemplate {
    fn page(&self) -> &PageLayout {
        &self.layout
    }
}

/// Writes one language version at the cursor; the closing signature lines
/// keep `tail_inset` mm free on the right for the QR.
#[allow(clippy::too_many_arguments)]
fn half(
    flow: &mut Flow<'_>,
    l: &PageLayout,
    labels: &Labels,
    lang: Lang,
    r: &AcceptanceReceipt,
    body: f32,
    tail_inset: f32,
) -> Result<(), DocumentError> {
    let ls = l.line_spacing;
    let gap = l.block_gap_mm;
    let p = |spans: Vec<Span>, size: f32| Paragraph::new(spans, size).spacing(ls);
    let w = Writer { l, lang, body };
    let labelled = |label: &str, value: String| vec![Span::bold(label), Span::regular(format!(" {value}"))];

    crate::signed::office_header(flow, l, (&labels.address, &labels.phone), lang, &r.office, body)?;

    flow.paragraph(&p(vec![Span::bold(labels.title.as_str())], body + l.title_delta_pt).align(Align::Center))?;
    let number_line = format!("№ {}   {}", r.registration_number, r.registered_at.format("%d.%m.%Y %H:%M:%S"));
    flow.paragraph(&p(vec![Span::bold(number_line)], body).align(Align::Center).after(gap))?;

    flow.paragraph(&p(labelled(&labels.service, lang.pick(&r.service_name).to_string()), body).after(gap / 2.0))?;
    if let Some(channel) = &r.channel {
        flow.paragraph(&p(labelled(&labels.channel, lang.pick(channel).to_string()), body).after(gap / 2.0))?;
    }

    let mut applicant = vec![Span::regular(r.applicant_name.clone())];
    if !r.applicant_iin.trim().is_empty() {
        applicant.push(g(format!("{} {}", labels.iin, r.applicant_iin)));
    }
    if !r.applicant_phone.trim().is_empty() {
        applicant.push(g(format!("{} {}", labels.phone, r.applicant_phone)));
    }
    w.field(flow, &labels.applicant, enumeration(applicant))?;
    if let Some(rep) = &r.representative {
        w.field(flow, &labels.representative, rep.spans(&labels.iin, &labels.poa))?;
    }

    let mut child = Vec::new();
    if let Some(n) = &r.subject_name {
        child.push(Span::regular(n.clone()));
    }
    if let Some(i) = &r.subject_iin {
        child.push(g(format!("{} {i}", labels.iin)));
    }
    if let Some(d) = &r.subject_birth_date {
        child.push(g(format!("{} {}", labels.birth_date, date(d))));
    }
    if !child.is_empty() {
        w.field(flow, &labels.child, enumeration(child))?;
    }

    if r.documents.is_empty() {
        flow.paragraph(&p(labelled(&labels.documents, labels.no_documents.clone()), body).after(gap / 2.0))?;
    } else {
        flow.paragraph(&p(vec![Span::bold(labels.documents.as_str())], body))?;
        // Widen the hanging indent if the longest marker would touch the text.
        let widest = flow.measure(Style::Regular, body, &format!("{})", r.documents.len()))?;
        let hang = l.list_hang_mm.max(widest + 2.0);
        for (i, d) in r.documents.iter().enumerate() {
            flow.paragraph(&p(vec![Span::regular(lang.pick(d))], body).marker(format!("{})", i + 1), hang))?;
        }
        flow.space(gap / 2.0);
    }

    if let Some(who) = &r.consent_by {
        flow.paragraph(&p(labelled(&labels.consent, lang.pick(who).to_string()), body).after(gap / 2.0))?;
    }
    if let Some(d) = &r.expected_result_date {
        flow.paragraph(&p(labelled(&labels.result_date, date(d)), body))?;
    }
    let executor = match (&r.executor, &r.executor_phone) {
        (Some(e), Some(ph)) => Some(vec![Span::regular(format!(" {e}, ")), g(format!("{} {ph}", labels.phone))]),
        (Some(e), None) => Some(vec![Span::regular(format!(" {e}"))]),
        (None, Some(ph)) => Some(vec![Span::regular(" "), g(format!("{} {ph}", labels.phone))]),
        (None, None) => None,
    };
    if let Some(spans) = executor {
        let mut all = vec![Span::bold(labels.executor.as_str())];
        all.extend(spans);
        flow.paragraph(&p(all, body))?;
    }

    let accepted = vec![
        Span::bold(labels.accepted_by.as_str()),
        Span::regular(format!(" {} ", r.accepted_by)),
        g(format!("______________ {}", labels.signature)),
    ];
    let placed = flow.paragraph(&p(accepted, body).before(gap * 2.0).inset_right(tail_inset))?;
    // The seal place goes to the right of the clerk's signature when the line
    // leaves room for it, else on a line of its own.
    let seal_size = body + l.small_delta_pt;
    let seal_w = flow.measure(Style::Regular, seal_size, &labels.seal)?;
    let right = l.page_width_mm - l.margin_right_mm - tail_inset;
    let first_w = placed.lines.first().map(|x| x.width_mm).unwrap_or(0.0);
    if placed.left + first_w + 8.0 + seal_w <= right {
        flow.text_at(Style::Regular, seal_size, right - seal_w, placed.first_baseline, &labels.seal)?;
    } else {
        flow.paragraph(
            &p(vec![Span::regular(labels.seal.as_str())], seal_size).align(Align::Right).inset_right(tail_inset),
        )?;
    }

    let received = vec![
        Span::bold(labels.received.as_str()),
        Span::regular(" "),
        g(format!("______________ {}", labels.applicant_signature)),
        Span::regular("   "),
        g(labels.date_blank.clone()),
    ];
    flow.paragraph(&p(received, body).before(gap).inset_right(tail_inset))?;
    Ok(())
}

impl Document for AcceptanceReceipt {
    type Template = ReceiptTemplate;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.receipt
    }

    fn verification(&self) -> Option<&Verification> {
        self.verification.as_ref()
    }

    fn layout(&self, fonts: &Fonts, t: &ReceiptTemplate, _: Option<&Stamp>) -> Result<Pages, DocumentError> {
        let marks =
            Marks::new(&t.marks, self.audit_chain_head.as_deref(), self.copy_number, self.verification.as_ref())?;
        let mut write = |flow: &mut Flow<'_>, lang: Lang, body: f32, inset: f32| {
            let labels = match lang {
                Lang::Kk => &t.kk,
                Lang::Ru => &t.ru,
            };
            half(flow, &t.layout, labels, lang, self, body, inset)
        };
        sheet::bilingual_pages(fonts, &t.layout, &marks, &mut write)
    }

    fn about(&self, t: &ReceiptTemplate) -> About<'_> {
        About {
            title: numbered_title(&t.kk.title, &t.ru.title, &self.registration_number),
            office: &self.office,
            subject: &self.service_name.kk,
            created: self.registered_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_template_parses() {
        let t = ReceiptTemplate::parse(SHIPPED).expect("shipped template");
        assert_eq!(t.kk.title, "Құжаттарды қабылдау туралы қолхат");
        assert_eq!(t.ru.title, "Расписка о приеме документов");
        assert!(!t.layout.body_sizes().is_empty());
        assert!(t.layout.margin_left_mm >= 30.0);
    }

    #[test]
    fn shipped_labels_are_covered_by_the_fonts() {
        let t = ReceiptTemplate::parse(SHIPPED).expect("shipped template");
        let fonts = Fonts::embedded().expect("fonts");
        let all = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(SHIPPED).unwrap()).unwrap();
        fonts.regular.check(&all).unwrap();
        fonts.bold.check(&all).unwrap();
        assert!(t.marks.audit_footer.contains("{hash}"));
        assert!(t.marks.copy_mark.contains("{n}"));
    }

    #[test]
    fn broken_template_is_a_template_error() {
        for bad in [
            "",
            "{",
            "{\"version\": 1}",
            &SHIPPED.replace("\"body_size_step_pt\": 0.5", "\"body_size_step_pt\": 0.0"),
            &SHIPPED.replace("\"margin_right_mm\": 12.0", "\"margin_right_mm\": 190.0"),
            &SHIPPED.replace("\"title\": \"Расписка", "\"titel\": \"Расписка"),
        ] {
            match ReceiptTemplate::parse(bad) {
                Err(DocumentError::Template(_)) => {}
                other => panic!("expected a Template error, got {other:?}"),
            }
        }
    }
}
