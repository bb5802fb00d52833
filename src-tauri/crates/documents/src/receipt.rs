//! The acceptance receipt (қолхат / расписка о приеме документов): its
//! template (labels and layout numbers from
//! `assets/templates/acceptance_receipt.json`) and its page layout.
//!
//! The state language comes first: the Kazakh version fills the top half of
//! the page, the Russian version the bottom half, below a dashed cut line, at
//! the same font size and with the same number and date. When the content
//! does not fit the halves even at the template's minimum size, each language
//! starts on its own page and flows over as many pages as needed.

use serde::Deserialize;

use crate::layout::{Align, Flow, Fonts, PageGeometry, Paragraph, RuleStyle, Span, Style};
use crate::{AcceptanceReceipt, DocumentError};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReceiptTemplate {
    #[allow(dead_code)]
    pub version: u32,
    pub layout: ReceiptLayout,
    pub kk: Labels,
    pub ru: Labels,
    /// `{hash}` is replaced by the audit chain head.
    pub audit_footer: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReceiptLayout {
    pub page_width_mm: f32,
    pub page_height_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    /// Distance between the cut line and each half.
    pub cut_gap_mm: f32,
    pub body_size_max_pt: f32,
    pub body_size_min_pt: f32,
    pub body_size_step_pt: f32,
    pub overflow_body_size_pt: f32,
    pub line_spacing: f32,
    pub office_name_delta_pt: f32,
    pub requisites_delta_pt: f32,
    pub title_delta_pt: f32,
    pub small_delta_pt: f32,
    pub footer_size_pt: f32,
    pub list_hang_mm: f32,
    pub block_gap_mm: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Labels {
    pub title: String,
    pub address: String,
    pub phone: String,
    pub service: String,
    pub applicant: String,
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
    pub fn parse(json: &str) -> Result<Self, DocumentError> {
        let t: Self = serde_json::from_str(json)
            .map_err(|e| DocumentError::Template(format!("acceptance_receipt.json: {e}")))?;
        t.layout.validate()?;
        Ok(t)
    }

    pub fn page_size(&self) -> (f32, f32) {
        (self.layout.page_width_mm, self.layout.page_height_mm)
    }
}

impl ReceiptLayout {
    /// Rejects numbers that would make the layout meaningless (a negative
    /// content width, a zero step that never ends the size search, …).
    fn validate(&self) -> Result<(), DocumentError> {
        let bad = |what: &str| {
            Err(DocumentError::Template(format!(
                "acceptance_receipt.json: {what}"
            )))
        };
        let finite = [
            self.page_width_mm,
            self.page_height_mm,
            self.margin_left_mm,
            self.margin_right_mm,
            self.margin_top_mm,
            self.margin_bottom_mm,
            self.cut_gap_mm,
            self.body_size_max_pt,
            self.body_size_min_pt,
            self.body_size_step_pt,
            self.overflow_body_size_pt,
            self.line_spacing,
            self.office_name_delta_pt,
            self.requisites_delta_pt,
            self.title_delta_pt,
            self.small_delta_pt,
            self.footer_size_pt,
            self.list_hang_mm,
            self.block_gap_mm,
        ];
        if finite.iter().any(|v| !v.is_finite()) {
            return bad("layout numbers must be finite");
        }
        if self.page_width_mm - self.margin_left_mm - self.margin_right_mm < 50.0 {
            return bad("content width under 50 mm");
        }
        if self.page_height_mm - self.margin_top_mm - self.margin_bottom_mm < 100.0 {
            return bad("content height under 100 mm");
        }
        let smallest = self.body_size_min_pt
            + self
                .requisites_delta_pt
                .min(self.small_delta_pt)
                .min(self.office_name_delta_pt)
                .min(self.title_delta_pt)
                .min(0.0);
        if smallest < 5.0 || self.footer_size_pt < 4.0 || self.overflow_body_size_pt < 5.0 {
            return bad("font sizes below 5 pt");
        }
        if self.body_size_min_pt > self.body_size_max_pt {
            return bad("body_size_min_pt > body_size_max_pt");
        }
        if self.body_size_step_pt < 0.1 {
            return bad("body_size_step_pt must be at least 0.1");
        }
        if self.line_spacing < 1.0 || self.line_spacing > 3.0 {
            return bad("line_spacing must be within 1..3");
        }
        Ok(())
    }

    fn geometry(&self) -> PageGeometry {
        PageGeometry {
            width: self.page_width_mm,
            height: self.page_height_mm,
            margin_left: self.margin_left_mm,
            margin_right: self.margin_right_mm,
            margin_top: self.margin_top_mm,
            margin_bottom: self.margin_bottom_mm,
        }
    }

    /// Candidate body sizes, largest first.
    fn body_sizes(&self) -> Vec<f32> {
        let mut sizes = Vec::new();
        let mut i = 0u32;
        loop {
            let s = self.body_size_max_pt - self.body_size_step_pt * i as f32;
            if s < self.body_size_min_pt - 1e-3 || i > 100 {
                break;
            }
            sizes.push(s);
            i += 1;
        }
        sizes
    }
}

fn date(d: &chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Picks the language's variant of a bilingual field.
#[derive(Clone, Copy)]
enum Lang {
    Kk,
    Ru,
}

impl Lang {
    fn pick(self, b: &crate::Bilingual) -> &str {
        match self {
            Lang::Kk => &b.kk,
            Lang::Ru => &b.ru,
        }
    }
}

/// "Label: a, b, c" with the comma kept inside glued parts, so a line never
/// starts with a comma.
fn enumeration(label: &str, parts: Vec<Span>) -> Vec<Span> {
    let mut spans = vec![Span::bold(label)];
    let n = parts.len();
    for (i, mut part) in parts.into_iter().enumerate() {
        spans.push(Span::regular(" "));
        if i + 1 < n {
            part.text.push(',');
        }
        spans.push(part);
    }
    spans
}

/// Writes one language version at the cursor.
fn half(
    flow: &mut Flow<'_>,
    l: &ReceiptLayout,
    labels: &Labels,
    lang: Lang,
    r: &AcceptanceReceipt,
    body: f32,
) -> Result<(), DocumentError> {
    let ls = l.line_spacing;
    let gap = l.block_gap_mm;
    let p = |spans: Vec<Span>, size: f32| Paragraph::new(spans, size).spacing(ls);
    let labelled =
        |label: &str, value: String| vec![Span::bold(label), Span::regular(format!(" {value}"))];

    flow.paragraph(
        &p(
            vec![Span::bold(lang.pick(&r.office.name))],
            body + l.office_name_delta_pt,
        )
        .align(Align::Center),
    )?;
    // An office that has not entered its phone yet gets no empty "тел.:".
    let mut requisites = format!("{} {}", labels.address, lang.pick(&r.office.address));
    if !r.office.phone.trim().is_empty() {
        requisites.push_str(&format!("; {} {}", labels.phone, r.office.phone));
    }
    flow.paragraph(
        &p(
            vec![Span::regular(requisites)],
            body + l.requisites_delta_pt,
        )
        .align(Align::Center),
    )?;
    flow.rule(RuleStyle::Solid, 0.6, 1.0, gap + 0.5);

    flow.paragraph(
        &p(
            vec![Span::bold(labels.title.as_str())],
            body + l.title_delta_pt,
        )
        .align(Align::Center),
    )?;
    let number_line = format!(
        "№ {}   {}",
        r.registration_number,
        r.registered_at.format("%d.%m.%Y %H:%M:%S")
    );
    flow.paragraph(
        &p(vec![Span::bold(number_line)], body)
            .align(Align::Center)
            .after(gap),
    )?;

    flow.paragraph(
        &p(
            labelled(&labels.service, lang.pick(&r.service_name).to_string()),
            body,
        )
        .after(gap / 2.0),
    )?;

    let g = |text: String| Span::regular(text).glued();
    let mut applicant = vec![Span::regular(r.applicant_name.clone())];
    if !r.applicant_iin.trim().is_empty() {
        applicant.push(g(format!("{} {}", labels.iin, r.applicant_iin)));
    }
    if !r.applicant_phone.trim().is_empty() {
        applicant.push(g(format!("{} {}", labels.phone, r.applicant_phone)));
    }
    flow.paragraph(&p(enumeration(&labels.applicant, applicant), body).after(gap / 2.0))?;

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
        flow.paragraph(&p(enumeration(&labels.child, child), body).after(gap / 2.0))?;
    }

    if r.documents.is_empty() {
        flow.paragraph(
            &p(
                labelled(&labels.documents, labels.no_documents.clone()),
                body,
            )
            .after(gap / 2.0),
        )?;
    } else {
        flow.paragraph(&p(vec![Span::bold(labels.documents.as_str())], body))?;
        // Widen the hanging indent if the longest marker would touch the text.
        let widest = flow.measure(Style::Regular, body, &format!("{})", r.documents.len()))?;
        let hang = l.list_hang_mm.max(widest + 2.0);
        for (i, d) in r.documents.iter().enumerate() {
            flow.paragraph(
                &p(vec![Span::regular(lang.pick(d))], body).marker(format!("{})", i + 1), hang),
            )?;
        }
        flow.space(gap / 2.0);
    }

    if let Some(d) = &r.expected_result_date {
        flow.paragraph(&p(labelled(&labels.result_date, date(d)), body))?;
    }
    let executor = match (&r.executor, &r.executor_phone) {
        (Some(e), Some(ph)) => Some(vec![
            Span::regular(format!(" {e}, ")),
            g(format!("{} {ph}", labels.phone)),
        ]),
        (Some(e), None) => Some(vec![Span::regular(format!(" {e}"))]),
        (None, Some(ph)) => Some(vec![
            Span::regular(" "),
            g(format!("{} {ph}", labels.phone)),
        ]),
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
    let placed = flow.paragraph(&p(accepted, body).before(gap * 2.0))?;
    // The seal place goes to the right of the clerk's signature when the line
    // leaves room for it, else on a line of its own.
    let seal_size = body + l.small_delta_pt;
    let seal_w = flow.measure(Style::Regular, seal_size, &labels.seal)?;
    let right = l.page_width_mm - l.margin_right_mm;
    let first_w = placed.lines.first().map(|x| x.width_mm).unwrap_or(0.0);
    if placed.left + first_w + 8.0 + seal_w <= right {
        flow.text_at(
            Style::Regular,
            seal_size,
            right - seal_w,
            placed.first_baseline,
            &labels.seal,
        )?;
    } else {
        flow.paragraph(
            &p(vec![Span::regular(labels.seal.as_str())], seal_size).align(Align::Right),
        )?;
    }

    let received = vec![
        Span::bold(labels.received.as_str()),
        Span::regular(" "),
        g(format!("______________ {}", labels.applicant_signature)),
        Span::regular("   "),
        g(labels.date_blank.clone()),
    ];
    flow.paragraph(&p(received, body).before(gap))?;
    Ok(())
}

/// Lays out the whole receipt; returns the `Op`s of each page.
pub(crate) fn layout_receipt(
    fonts: &Fonts,
    t: &ReceiptTemplate,
    r: &AcceptanceReceipt,
) -> Result<Vec<Vec<printpdf::Op>>, DocumentError> {
    let l = &t.layout;
    let geo = l.geometry();
    let mid = l.page_height_mm / 2.0;
    let top_region = (l.margin_top_mm, mid - l.cut_gap_mm);
    let bottom_region = (mid + l.cut_gap_mm, l.page_height_mm - l.margin_bottom_mm);

    let footer = r
        .audit_chain_head
        .as_ref()
        .map(|h| t.audit_footer.replace("{hash}", h));
    let with_footer = |flow: &mut Flow<'_>| -> Result<(), DocumentError> {
        if let Some(text) = &footer {
            let baseline = l.page_height_mm - l.margin_bottom_mm / 2.0;
            flow.set_footer(
                Style::Regular,
                l.footer_size_pt,
                l.margin_left_mm,
                baseline,
                text,
            )?;
        }
        Ok(())
    };

    let two_halves = |body: f32| -> Result<Flow<'_>, DocumentError> {
        let mut flow = Flow::new(fonts, geo);
        with_footer(&mut flow)?;
        flow.set_region(top_region.0, top_region.1, false);
        half(&mut flow, l, &t.kk, Lang::Kk, r, body)?;
        flow.set_region(bottom_region.0, bottom_region.1, false);
        half(&mut flow, l, &t.ru, Lang::Ru, r, body)?;
        // The cut line runs almost edge to edge, as scissors expect.
        flow.line_at(10.0, l.page_width_mm - 10.0, mid, 0.5, RuleStyle::Dashed);
        Ok(flow)
    };

    // Layout is cheap next to PDF serialisation, so trying sizes is fine.
    for body in l.body_sizes() {
        let flow = two_halves(body)?;
        if !flow.overflowed() {
            return Ok(flow.finish());
        }
    }

    let mut flow = Flow::new(fonts, geo);
    with_footer(&mut flow)?;
    half(&mut flow, l, &t.kk, Lang::Kk, r, l.overflow_body_size_pt)?;
    flow.new_page();
    half(&mut flow, l, &t.ru, Lang::Ru, r, l.overflow_body_size_pt)?;
    Ok(flow.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../../assets/templates/acceptance_receipt.json");

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
        let fonts = crate::load_fonts().expect("fonts");
        let all =
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(SHIPPED).unwrap())
                .unwrap();
        fonts.regular.check(&all).unwrap();
        fonts.bold.check(&all).unwrap();
        assert!(t.audit_footer.contains("{hash}"));
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
