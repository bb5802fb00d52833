//! The receipt of refusal to accept documents (құжаттарды қабылдаудан бас
//! тарту туралы қолхат / расписка об отказе в приеме документов): its input
//! ([`RefusalReceipt`]), its template
//! (`assets/templates/refusal_receipt.json`) and the text of one language
//! version. The Russian text follows the form annexed to the service
//! standards (domain research §1.3(a)) with the office, not a State
//! Corporation department, as the issuer. How the two versions share the
//! paper is [`crate::sheet`]'s job.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::layout::{Align, Flow, Fonts, Paragraph, Span};
use crate::render::{numbered_title, About, Document, Pages};
use crate::requisites::{original, Bilingual, OfficeRequisites, Verification};
use crate::sheet::{self, fill, Form, Lang, MarkTexts, Marks, PageLayout};
use crate::signed::{addressee, g, or_blank, Writer};
use crate::stamp::Stamp;
use crate::RepresentativeLine;
use crate::{DocumentError, Typesetter};

/// Everything printed on the receipt given to an applicant whose documents
/// were refused because the set was incomplete (Law "On public services",
/// art. 20 p. 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalReceipt {
    /// e.g. "01-2026-00002"
    pub registration_number: String,
    /// Office local time, to the second.
    pub registered_at: chrono::NaiveDateTime,
    /// The office refuses in its own name; its address follows its name in
    /// the legal-basis sentence.
    pub office: OfficeRequisites,
    pub service_name: Bilingual,
    /// Where the package was lodged (the office's counter, the State
    /// Corporation, the portal).
    #[serde(default)]
    pub channel: Option<Bilingual>,
    /// Full name of the person, or the name of the organisation.
    pub applicant_name: String,
    /// Who lodged the package for the applicant, with the power of
    /// attorney; the one who signs for the receipt then.
    #[serde(default)]
    pub representative: Option<RepresentativeLine>,
    /// A blank line to fill in by hand is printed when absent.
    pub applicant_address: Option<String>,
    /// What the set lacked, in checklist order; at least one.
    pub missing_documents: Vec<Bilingual>,
    /// The clerk's full name.
    pub refused_by: String,
    /// Blanks are printed for whichever is absent, as on the form.
    pub executor: Option<String>,
    pub executor_phone: Option<String>,
    /// Short hash printed small in the footer when present.
    pub audit_chain_head: Option<String>,
    /// 1 for the two originals the form requires, one for each party
    /// (each marked as such); from 2 on one copy, marked
    /// "КӨШІРМЕ / КОПИЯ № n".
    #[serde(default = "original")]
    pub copy_number: u32,
    /// QR code at the bottom right of each language version when present.
    #[serde(default)]
    pub verification: Option<Verification>,
}

const FILE: &str = "refusal_receipt.json";
const SHIPPED: &str = include_str!("../../../assets/templates/refusal_receipt.json");

/// A blank to be filled in by hand.
const SHORT_BLANK: &str = "______________";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefusalTemplate {
    #[allow(dead_code)]
    pub version: u32,
    pub layout: PageLayout,
    /// Left edge of the addressee block, from the left margin.
    pub addressee_indent_mm: f32,
    pub kk: RefusalLabels,
    pub ru: RefusalLabels,
    /// The marks of the two originals ("drawn up in 2 copies, one for each
    /// party"): the applicant's, then the office's.
    pub originals: [String; 2],
    pub marks: MarkTexts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefusalLabels {
    pub applicant_caption: String,
    pub address_caption: String,
    /// A long blank for an addressee line the input leaves empty.
    pub blank: String,
    /// One centred bold line each.
    pub title: Vec<String>,
    /// `{office}` and `{address}`; used when the office has an address.
    pub issuer_with_address: String,
    /// `{issuer}` and `{service}`.
    pub legal_basis: String,
    pub missing_documents: String,
    /// Labels of the channel line and the representative's.
    pub channel: String,
    pub representative: String,
    pub iin: String,
    pub poa: String,
    pub copies: String,
    pub employee_caption: String,
    pub signature: String,
    pub executor: String,
    pub phone: String,
    pub received: String,
    pub applicant_signature: String,
    /// `{dd}`, `{month}` and `{yyyy}`.
    pub date_line: String,
    /// Month names as the date line needs them (genitive in Russian).
    pub months: [String; 12],
}

impl RefusalTemplate {
    /// The template shipped in `assets/templates`.
    pub fn shipped() -> Result<Self, DocumentError> {
        Self::parse(SHIPPED)
    }

    pub fn parse(json: &str) -> Result<Self, DocumentError> {
        let t: Self = serde_json::from_str(json).map_err(|e| DocumentError::Template(format!("{FILE}: {e}")))?;
        t.layout.validate(FILE)?;
        let content_w = t.layout.page_width_mm - t.layout.margin_left_mm - t.layout.margin_right_mm;
        if !(0.0..=content_w - 40.0).contains(&t.addressee_indent_mm) {
            return Err(DocumentError::Template(format!(
                "{FILE}: addressee_indent_mm leaves under 40 mm for the addressee"
            )));
        }
        for (lang, labels) in [("kk", &t.kk), ("ru", &t.ru)] {
            let missing = [
                ("issuer_with_address", &labels.issuer_with_address, "{office}"),
                ("legal_basis", &labels.legal_basis, "{issuer}"),
                ("legal_basis", &labels.legal_basis, "{service}"),
                ("date_line", &labels.date_line, "{dd}"),
                ("date_line", &labels.date_line, "{month}"),
                ("date_line", &labels.date_line, "{yyyy}"),
            ]
            .into_iter()
            .find(|(_, text, key)| !text.contains(key));
            if let Some((field, _, key)) = missing {
                return Err(DocumentError::Template(format!("{FILE}: {lang}.{field} lacks {key}")));
            }
            if labels.title.is_empty() {
                return Err(DocumentError::Template(format!("{FILE}: {lang}.title is empty")));
            }
        }
        Ok(t)
    }

    fn labels(&self, lang: Lang) -> &RefusalLabels {
        match lang {
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
        }
    }

    /// The title on one line, for the PDF metadata.
    pub fn title(&self, lang: Lang) -> String {
        self.labels(lang).title.join(" ")
    }
}

impl Form for RefusalTemplate {
    fn page(&self) -> &PageLayout {
        &self.layout
    }
}

/// The list item with the form's punctuation: ";" after each, "." after the
/// last, replacing whatever the catalogue entry ended with.
fn list_item(text: &str, last: bool) -> String {
    let core = text.trim().trim_end_matches([';', '.', ',', ':']).trim_end();
    format!("{core}{}", if last { '.' } else { ';' })
}

/// Writes one language version at the cursor; the closing lines keep
/// `tail_inset` mm free on the right for the QR.
#[allow(clippy::too_many_arguments)]
fn part(
    flow: &mut Flow<'_>,
    t: &RefusalTemplate,
    lang: Lang,
    r: &RefusalReceipt,
    body: f32,
    tail_inset: f32,
) -> Result<(), DocumentError> {
    let l = &t.layout;
    let labels = t.labels(lang);
    let ls = l.line_spacing;
    let gap = l.block_gap_mm;
    let small = body + l.small_delta_pt;
    let p = |spans: Vec<Span>, size: f32| Paragraph::new(spans, size).spacing(ls);

    let name = vec![Span::regular(or_blank(Some(&r.applicant_name), &labels.blank))];
    let address = or_blank(r.applicant_address.as_deref(), &labels.blank);
    let w = Writer { l, lang, body };
    addressee(flow, &w, t.addressee_indent_mm, name, address, (&labels.applicant_caption, &labels.address_caption))?;

    for line in &labels.title {
        flow.paragraph(&p(vec![Span::bold(line.as_str())], body + l.title_delta_pt).align(Align::Center))?;
    }
    let number_line = format!("№ {}   {}", r.registration_number, r.registered_at.format("%d.%m.%Y %H:%M:%S"));
    flow.paragraph(&p(vec![Span::bold(number_line)], body).align(Align::Center).after(gap * 2.0))?;
    if let Some(channel) = &r.channel {
        let spans = vec![Span::bold(labels.channel.as_str()), Span::regular(format!(" {}", lang.pick(channel)))];
        flow.paragraph(&p(spans, body).after(gap / 2.0))?;
    }
    if let Some(rep) = &r.representative {
        w.field(flow, &labels.representative, rep.spans(&labels.iin, &labels.poa))?;
    }

    let office = lang.pick(&r.office.name).trim();
    let office_address = lang.pick(&r.office.address).trim();
    let issuer = if office_address.is_empty() {
        office.to_string()
    } else {
        fill(&labels.issuer_with_address, &[("office", office), ("address", office_address)])
    };
    let legal = fill(&labels.legal_basis, &[("issuer", &issuer), ("service", lang.pick(&r.service_name).trim())]);
    flow.paragraph(&p(vec![Span::regular(legal)], body).after(gap))?;

    // Widen the hanging indent if the longest marker would touch the text.
    let n = r.missing_documents.len();
    let widest = flow.measure(crate::layout::Style::Regular, body, &format!("{n})"))?;
    let hang = l.list_hang_mm.max(widest + 2.0);
    let items: Vec<Paragraph> = r
        .missing_documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            p(vec![Span::regular(list_item(lang.pick(d), i + 1 == n))], body).marker(format!("{})", i + 1), hang)
        })
        .collect();
    let heading = p(vec![Span::bold(labels.missing_documents.as_str())], body);
    // The heading never ends a page without its first item.
    let first = items.first().map(|x| flow.height_of(x)).transpose()?;
    flow.keep_together(flow.height_of(&heading)? + first.unwrap_or(0.0));
    flow.paragraph(&heading)?;
    for item in &items {
        flow.paragraph(item)?;
    }

    flow.paragraph(&p(vec![Span::regular(labels.copies.as_str())], body).before(gap * 1.5).after(gap))?;

    let tail = |spans: Vec<Span>, size: f32| p(spans, size).inset_right(tail_inset);
    let d = r.registered_at.date();
    let month = labels.months.get(d.month0() as usize).map(String::as_str).unwrap_or_default();
    let date_line = fill(
        &labels.date_line,
        &[("dd", &format!("{:02}", d.day())), ("month", month), ("yyyy", &d.year().to_string())],
    );
    // Signatures, executor, receipt and date: one block that a page break
    // must not split, or the applicant would sign a page without the text.
    let closing = [
        tail(
            vec![
                Span::regular(or_blank(Some(&r.refused_by), SHORT_BLANK)),
                Span::regular(" "),
                g(format!("{SHORT_BLANK} {}", labels.signature)),
            ],
            body,
        )
        .before(gap * 2.0),
        tail(vec![Span::regular(labels.employee_caption.as_str())], small),
        tail(
            vec![
                Span::bold(labels.executor.as_str()),
                Span::regular(format!(" {}", or_blank(r.executor.as_deref(), SHORT_BLANK))),
                // Glued, so the wide gap survives and the phone stays whole.
                g(format!("    {} {}", labels.phone, or_blank(r.executor_phone.as_deref(), SHORT_BLANK))),
            ],
            body,
        )
        .before(gap * 1.5),
        tail(
            vec![
                Span::bold(labels.received.as_str()),
                // The one at the counter signs for it: the representative, if any.
                Span::regular(format!(
                    " {} / ",
                    or_blank(Some(r.representative.as_ref().map_or(&r.applicant_name, |rep| &rep.name)), SHORT_BLANK)
                )),
                g(format!("{SHORT_BLANK} {}", labels.applicant_signature)),
            ],
            body,
        )
        .before(gap * 1.5),
        tail(vec![Span::regular(date_line)], body).before(gap),
    ];
    let mut h = 0.0;
    for para in &closing {
        h += flow.height_of(para)?;
    }
    flow.keep_together(h);
    for para in &closing {
        flow.paragraph(para)?;
    }
    Ok(())
}

impl Document for RefusalReceipt {
    type Template = RefusalTemplate;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.refusal
    }

    fn verification(&self) -> Option<&Verification> {
        self.verification.as_ref()
    }

    fn layout(&self, fonts: &Fonts, t: &RefusalTemplate, _: Option<&Stamp>) -> Result<Pages, DocumentError> {
        if self.missing_documents.is_empty() {
            return Err(DocumentError::Input("a refusal receipt names at least one missing document".into()));
        }
        let marks =
            Marks::new(&t.marks, self.audit_chain_head.as_deref(), self.copy_number, self.verification.as_ref())?;
        let mut write = |flow: &mut Flow<'_>, lang: Lang, body: f32, inset: f32| part(flow, t, lang, self, body, inset);
        if self.copy_number > 1 {
            return sheet::bilingual_pages(fonts, &t.layout, &marks, &mut write);
        }
        // Two originals, one after the other, each marked whose it is.
        let mut pages = Vec::new();
        for mark in &t.originals {
            pages.extend(sheet::bilingual_pages(fonts, &t.layout, &marks.marked(mark), &mut write)?);
        }
        Ok(pages)
    }

    fn about(&self, t: &RefusalTemplate) -> About<'_> {
        About {
            title: numbered_title(&t.title(Lang::Kk), &t.title(Lang::Ru), &self.registration_number),
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
    fn shipped_template_parses_and_is_covered_by_the_fonts() {
        let t = RefusalTemplate::parse(SHIPPED).expect("shipped template");
        assert_eq!(t.title(Lang::Ru), "Расписка об отказе в приеме документов");
        assert_eq!(t.title(Lang::Kk), "Құжаттарды қабылдаудан бас тарту туралы қолхат");
        let fonts = Fonts::embedded().expect("fonts");
        fonts.regular.check(SHIPPED).expect("regular covers the template");
        fonts.bold.check(SHIPPED).expect("bold covers the template");
    }

    #[test]
    fn broken_template_is_a_template_error() {
        for bad in [
            "{}".to_string(),
            SHIPPED.replace("{service}", "{servise}"),
            SHIPPED.replace("\"addressee_indent_mm\": 88.0", "\"addressee_indent_mm\": 160.0"),
            SHIPPED.replace("\"qr_size_mm\": 24.0", "\"qr_size_mm\": 4.0"),
            SHIPPED.replace("\"желтоқсан\"", "\"желтоқсан\", \"тринадцатый\""),
        ] {
            assert!(
                matches!(RefusalTemplate::parse(&bad), Err(DocumentError::Template(_))),
                "accepted a broken template"
            );
        }
    }

    #[test]
    fn fill_is_single_pass() {
        assert_eq!(fill("a {x} b {y} {z}", &[("x", "{y}"), ("y", "Y")]), "a {y} b Y {z}");
        assert_eq!(fill("{", &[("x", "1")]), "{");
        assert_eq!(fill("«{x}»", &[("x", "Ә")]), "«Ә»");
    }

    #[test]
    fn list_punctuation_follows_the_form() {
        assert_eq!(list_item(" Заявление; ", false), "Заявление;");
        assert_eq!(list_item("Справка.", true), "Справка.");
        assert_eq!(list_item("Справка", true), "Справка.");
    }
}
