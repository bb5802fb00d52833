//! The notification of registration in the preschool queue with its
//! tear-off registration ticket (тіркеу талоны / талон о регистрации,
//! `assets/templates/queue_notification.json`), the other result of the
//! preschool queue service. The official form was not available (domain
//! research §1.3(d), §5); the wording is ours.

use serde::{Deserialize, Serialize};

use crate::layout::{Align, Flow, Fonts, Span, Style};
use crate::render::{numbered_title, About, Document, Pages};
use crate::requisites::{original, Bilingual, OfficeRequisites, Signer, StampImage, Verification};
use crate::sheet::{date, fill, Lang};
use crate::signed::{self, enumeration, g, person, LabelSet, SignLabels, Signed, SignedParts, Template, Writer};
use crate::stamp::Stamp;
use crate::{DocumentError, Typesetter};

/// The notification of registration in the preschool queue, with the
/// tear-off registration ticket (тіркеу талоны / талон о регистрации).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueNotification {
    pub registration_number: String,
    pub registered_at: chrono::NaiveDateTime,
    pub office: OfficeRequisites,
    pub child_name: String,
    pub child_iin: String,
    pub child_birth_date: chrono::NaiveDate,
    /// The queue the child stands in.
    pub birth_year: i32,
    /// e.g. "жалпы кезек" / "общая очередь".
    pub category: Bilingual,
    /// The child's number in its birth-year queue at the time of printing.
    pub position: u32,
    /// Chosen kindergartens, in order of preference; may be empty.
    pub preferences: Vec<Bilingual>,
    pub desired_start: Option<chrono::NaiveDate>,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub applicant_phone: String,
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

const FILE: &str = "queue_notification.json";
const SHIPPED: &str = include_str!("../../../../assets/templates/queue_notification.json");

pub(crate) fn template(fonts: &Fonts) -> Result<Template<NotificationLabels>, DocumentError> {
    Template::parse(SHIPPED, FILE, fonts)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NotificationLabels {
    pub sign: SignLabels,
    pub title: String,
    pub intro: String,
    pub child: String,
    pub iin: String,
    pub birth_date: String,
    pub queue: String,
    /// `{year}`.
    pub birth_year_queue: String,
    pub category: String,
    pub position: String,
    pub preferences: String,
    pub no_preferences: String,
    pub desired_start: String,
    pub applicant: String,
    pub phone: String,
    pub note: String,
    pub ticket_title: String,
    pub ticket_number: String,
    pub ticket_registered: String,
    pub ticket_child: String,
    pub ticket_birth_year: String,
    pub ticket_position: String,
    pub ticket_check: String,
    pub ticket_phone: String,
}

impl LabelSet for NotificationLabels {
    fn sign(&self) -> &SignLabels {
        &self.sign
    }

    fn placeholders(&self) -> Vec<(&'static str, &str, &'static str)> {
        vec![("birth_year_queue", &self.birth_year_queue, "{year}")]
    }
}

impl Signed for QueueNotification {
    type Labels = NotificationLabels;

    const SIGNATURE_GAPS: f32 = 2.0;
    const TEAR_OFF: bool = true;

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

    fn text(&self, flow: &mut Flow<'_>, t: &Template<NotificationLabels>, w: &Writer<'_>) -> Result<(), DocumentError> {
        let lb = t.labels(w.lang);
        let lang = w.lang;
        w.title(
            flow,
            &lb.title,
            format!("№ {}   {}", self.registration_number, self.registered_at.format("%d.%m.%Y %H:%M:%S")),
        )?;
        flow.paragraph(&w.p(vec![Span::regular(lb.intro.as_str())]).after(w.gap()))?;
        let birth = date(&self.child_birth_date);
        w.field(flow, &lb.child, person(&lb.iin, &self.child_name, &self.child_iin, Some((&lb.birth_date, &birth))))?;
        let queue = fill(&lb.birth_year_queue, &[("year", &self.birth_year.to_string())]);
        w.field(flow, &lb.queue, vec![Span::regular(queue)])?;
        w.field(flow, &lb.category, vec![Span::regular(lang.pick(&self.category).to_string())])?;
        flow.paragraph(
            &w.sized(
                vec![Span::bold(lb.position.as_str()), Span::regular(" "), Span::bold(self.position.to_string())],
                w.body + w.l.title_delta_pt,
            )
            .after(w.gap() / 2.0),
        )?;
        if self.preferences.is_empty() {
            w.field(flow, &lb.preferences, vec![Span::regular(lb.no_preferences.as_str())])?;
        } else {
            flow.paragraph(&w.p(vec![Span::bold(lb.preferences.as_str())]))?;
            let count = self.preferences.len();
            let widest = flow.measure(Style::Regular, w.body, &format!("{count})"))?;
            let hang = w.l.list_hang_mm.max(widest + 2.0);
            for (i, k) in self.preferences.iter().enumerate() {
                flow.paragraph(
                    &w.p(vec![Span::regular(lang.pick(k).to_string())]).marker(format!("{})", i + 1), hang),
                )?;
            }
            flow.space(w.gap() / 2.0);
        }
        if let Some(d) = &self.desired_start {
            w.field(flow, &lb.desired_start, vec![Span::regular(date(d))])?;
        }
        let mut applicant = vec![Span::regular(self.applicant_name.clone())];
        if !self.applicant_iin.trim().is_empty() {
            applicant.push(g(format!("{} {}", lb.iin, self.applicant_iin)));
        }
        if !self.applicant_phone.trim().is_empty() {
            applicant.push(g(format!("{} {}", lb.phone, self.applicant_phone)));
        }
        w.field(flow, &lb.applicant, enumeration(applicant))?;
        flow.paragraph(&w.sized(vec![Span::regular(lb.note.as_str())], w.small()).before(w.gap() / 2.0))?;
        Ok(())
    }

    /// The ticket: one block in both languages ("kk / ru" labels), since it
    /// is cut off and kept by the parent as a single slip.
    fn tear_off(&self, flow: &mut Flow<'_>, t: &Template<NotificationLabels>, body: f32) -> Result<(), DocumentError> {
        let w = Writer { l: &t.layout, lang: Lang::Kk, body: body - 1.0 };
        let (kk, ru) = (&t.kk, &t.ru);
        flow.paragraph(
            &w.p(vec![Span::bold(format!("{} / {}", kk.ticket_title, ru.ticket_title))]).align(Align::Center),
        )?;
        flow.paragraph(
            &w.sized(vec![Span::regular(self.office.name.kk.clone())], w.small()).align(Align::Center).after(w.gap()),
        )?;
        let line = |flow: &mut Flow<'_>, k: &str, r: &str, value: Span| {
            flow.paragraph(&w.p(vec![Span::regular(format!("{k} / {r}:")), Span::regular(" "), value])).map(|_| ())
        };
        line(flow, &kk.ticket_number, &ru.ticket_number, Span::bold(self.registration_number.clone()).glued())?;
        line(
            flow,
            &kk.ticket_registered,
            &ru.ticket_registered,
            g(self.registered_at.format("%d.%m.%Y %H:%M:%S").to_string()),
        )?;
        line(flow, &kk.ticket_child, &ru.ticket_child, Span::regular(self.child_name.clone()))?;
        line(flow, &kk.ticket_birth_year, &ru.ticket_birth_year, g(self.birth_year.to_string()))?;
        line(flow, &kk.ticket_position, &ru.ticket_position, Span::bold(self.position.to_string()))?;
        let mut check =
            vec![Span::regular(kk.ticket_check.as_str()), Span::regular(" "), Span::regular(ru.ticket_check.as_str())];
        if !self.office.phone.trim().is_empty() {
            check.push(Span::regular(" "));
            check.push(g(format!("{} / {}: {}", kk.ticket_phone, ru.ticket_phone, self.office.phone)));
        }
        flow.paragraph(&w.sized(check, w.small()).before(w.gap()))?;
        Ok(())
    }
}

impl Document for QueueNotification {
    type Template = Template<NotificationLabels>;

    fn template(ts: &Typesetter) -> &Self::Template {
        &ts.notification
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
            title: numbered_title(&t.kk.title, &t.ru.title, &self.registration_number),
            office: &self.office,
            subject: &self.child_name,
            created: self.registered_at,
        }
    }
}
