//! An application (өтініш) as the clerk registers it: the typed draft, the
//! checks that turn it into a [`NewApplication`], and the intake decision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, DocumentKind, Subject};
use crate::error::{Error, Field};
use crate::iin::Iin;
use crate::lang::Bilingual;

pub const MAX_NAME: usize = 200;
pub const MAX_ADDRESS: usize = 300;
pub const MAX_NOTES: usize = 2000;
pub const MAX_EXTRA_DOCUMENTS: usize = 20;
pub const MAX_EXTRA_DOCUMENT: usize = 300;
const MAX_PHONE_INPUT: usize = 32;

/// What the clerk typed, as it arrives from the window. Nothing in it is
/// trusted; [`NewApplication::validate`] decides.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDraft {
    pub service_code: String,
    /// Where the application came from; the office counter when absent.
    #[serde(default)]
    pub channel: Option<Channel>,
    pub applicant_iin: String,
    pub applicant_name: String,
    pub applicant_phone: String,
    #[serde(default)]
    pub applicant_address: String,
    #[serde(default)]
    pub child_iin: String,
    #[serde(default)]
    pub child_name: String,
    /// ISO date (`YYYY-MM-DD`), as an `<input type=date>` gives it.
    #[serde(default)]
    pub child_birth_date: String,
    /// Codes of the catalog documents the applicant presented.
    #[serde(default)]
    pub documents: Vec<String>,
    /// Codes of the `required_unless_in_is` documents whose data the clerk
    /// found in the state information system instead.
    #[serde(default)]
    pub found_in_is: Vec<String>,
    /// Codes of the conditional documents whose condition the clerk marks
    /// as applying to this applicant.
    #[serde(default)]
    pub conditions_apply: Vec<String>,
    /// Codes of presented documents whose validity has run out: a ground to
    /// refuse the package as an incomplete one.
    #[serde(default)]
    pub expired: Vec<String>,
    /// Documents presented beyond the checklist, in the clerk's words.
    #[serde(default)]
    pub extra_documents: Vec<String>,
    #[serde(default)]
    pub consent: bool,
    #[serde(default)]
    pub notes: String,
    /// A representative acting under a power of attorney: all four or none.
    #[serde(default)]
    pub representative_iin: String,
    #[serde(default)]
    pub representative_name: String,
    #[serde(default)]
    pub poa_number: String,
    /// ISO date or ДД.ММ.ГГГГ.
    #[serde(default)]
    pub poa_date: String,
    /// Why a second open application for the same child and service is
    /// registered anyway; asked for only when the registry finds one.
    #[serde(default)]
    pub duplicate_reason: String,
    /// Where the channel has several paths (service 15: the office's own
    /// student or another organisation's; service 1: the data in the state
    /// information system or not), the one this application takes: its
    /// terms follow it.
    #[serde(default)]
    pub variant: String,
    /// The preschool queue's part of the form; see [`crate::queue::QueueClaim`].
    #[serde(default)]
    pub queue: Option<crate::queue::QueueClaimDraft>,
    /// The window's name for this one act of registering, kept with the
    /// application: sent again after an answer lost with the connection, it
    /// finds the registration that committed instead of making a second.
    #[serde(default)]
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub iin: Iin,
    pub name: String,
    pub phone: String,
    pub address: String,
}

/// Someone applying for the applicant under a power of attorney.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Representative {
    pub iin: Iin,
    pub name: String,
    pub poa_number: String,
    pub poa_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Child {
    pub iin: Iin,
    pub name: String,
    pub birth_date: NaiveDate,
}

/// One line of the service's checklist with the clerk's marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PresentedDocument {
    pub code: String,
    pub name: Bilingual,
    /// The kind the catalog version gave it (serialised as `kind` and, for
    /// a conditional one, `condition`).
    #[serde(flatten)]
    pub kind: DocumentKind,
    /// Whether this application needed it: its kind applied to the marks
    /// below ([`PresentedDocument::needed`]). Stored, because a paper
    /// registered before kinds existed knows only this.
    pub required: bool,
    pub presented: bool,
    /// A `required_unless_in_is` document whose data the clerk found in
    /// the information system.
    pub found_in_is: bool,
    /// A conditional document whose condition applies to this applicant.
    pub condition_applies: bool,
    /// Presented, but no longer valid.
    pub expired: bool,
}

impl PresentedDocument {
    /// Whether the package needs this document, from its kind and the
    /// clerk's marks.
    pub fn needed(kind: &DocumentKind, found_in_is: bool, condition_applies: bool) -> bool {
        match kind {
            DocumentKind::Required => true,
            DocumentKind::RequiredUnlessInIs => !found_in_is,
            DocumentKind::Conditional { .. } => condition_applies,
            DocumentKind::Optional => false,
        }
    }

    /// The line the receipt of refusal to accept gives this document: its
    /// name, and for an expired one that its term has run out.
    pub fn refusal_line(&self) -> Option<Bilingual> {
        match self.ground()? {
            MissingGround::Missing => Some(self.name.clone()),
            MissingGround::Expired => Some(Bilingual::new(
                format!("{} (қолданылу мерзімі өткен)", self.name.kk),
                format!("{} (истёк срок действия)", self.name.ru),
            )),
        }
    }

    /// Why this document makes the package incomplete, if it does.
    pub fn ground(&self) -> Option<MissingGround> {
        if self.expired {
            Some(MissingGround::Expired)
        } else if self.required && !self.presented {
            Some(MissingGround::Missing)
        } else {
            None
        }
    }
}

/// Why a checklist document is a ground to refuse the package at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingGround {
    /// Needed and not presented.
    Missing,
    /// Presented with its validity run out (Law on public services art. 20
    /// p. 2: documents with an expired term are refused like missing ones).
    Expired,
}

pub use crate::catalog::Channel;

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Office, Channel::StateCorporation, Channel::Portal];

    /// The code stored in the registry and sent to the window.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Office => "office",
            Channel::StateCorporation => "state_corporation",
            Channel::Portal => "portal",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }

    /// What a person reads (as the window words it).
    pub fn name(self) -> crate::lang::Bilingual {
        let (kk, ru) = match self {
            Channel::Office => ("Кеңсе", "Отдел"),
            Channel::StateCorporation => ("Мемлекеттік корпорация", "Госкорпорация"),
            Channel::Portal => ("Портал", "Портал"),
        };
        crate::lang::Bilingual::new(kk, ru)
    }
}

pub use crate::workflow::Status;

/// A checked application, ready to be registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewApplication {
    pub service_code: String,
    pub channel: Channel,
    pub applicant: Person,
    pub representative: Option<Representative>,
    pub child: Option<Child>,
    pub documents: Vec<PresentedDocument>,
    /// The path's variant on the channel, when it has several.
    pub variant: Option<String>,
    pub notes: String,
    pub duplicate_reason: Option<String>,
    /// Set by [`crate::queue::QueueClaim::for_application`] for a complete
    /// preschool queue application; `None` otherwise.
    pub queue: Option<crate::queue::QueueClaim>,
    /// See [`ApplicationDraft::request_id`]; `None` when the window sent none.
    pub request_id: Option<String>,
}

/// A request id as the window makes it (a UUID): letters, digits and `-`,
/// at most 64; empty means none.
fn request_id(text: &str) -> Result<Option<String>, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.len() > 64 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::MalformedRequest("request_id".into()));
    }
    Ok(Some(t.to_owned()))
}

impl NewApplication {
    /// Checks a draft against the catalog. `today` is the office's date, used
    /// to refuse a birth date in the future.
    ///
    /// The first problem found is reported, in form order, so that the window
    /// can focus that field.
    pub fn validate(draft: &ApplicationDraft, catalog: &Catalog, today: NaiveDate) -> Result<Self, Error> {
        let service = catalog
            .service(draft.service_code.trim())
            .ok_or_else(|| Error::UnknownService(draft.service_code.clone()))?;
        let channel = draft.channel.unwrap_or(Channel::Office);
        if !service.channels.contains(&channel) {
            return Err(Error::ChannelNotOffered);
        }

        let applicant = Person {
            iin: Iin::parse(Field::ApplicantIin, &draft.applicant_iin)?,
            name: required_text(Field::ApplicantName, &draft.applicant_name, MAX_NAME)?,
            phone: phone(Field::ApplicantPhone, &draft.applicant_phone)?,
            address: optional_text(Field::ApplicantAddress, &draft.applicant_address, MAX_ADDRESS)?,
        };

        // Several paths the office takes part in: the clerk says which one
        // this is; with one, it is that one.
        let variants: Vec<&str> = service.office_paths(channel).filter_map(|p| p.variant.as_deref()).collect();
        let variant = match (draft.variant.trim(), variants.as_slice()) {
            ("", []) => None,
            ("", [only]) => Some((*only).to_owned()),
            ("", _) => return Err(Error::Required(Field::Variant)),
            (v, _) if variants.contains(&v) => Some(v.to_owned()),
            (v, _) => return Err(Error::MalformedRequest(format!("variant {v:?}"))),
        };

        let representative = representative(draft, today)?;
        let child = match service.subject {
            Subject::Child => Some(Child {
                iin: Iin::parse(Field::ChildIin, &draft.child_iin)?,
                name: required_text(Field::ChildName, &draft.child_name, MAX_NAME)?,
                birth_date: past_date(Field::ChildBirthDate, &draft.child_birth_date, today)?,
            }),
            Subject::None => None,
        };

        let checklist: Vec<_> = service.documents_for(channel).collect();
        let known = |codes: &[String], fits: &dyn Fn(&DocumentKind) -> bool, what: &str| -> Result<(), Error> {
            for code in codes {
                match checklist.iter().find(|d| &d.code == code) {
                    None => return Err(Error::UnknownDocument(code.clone())),
                    // The window offers the tick only where it applies.
                    Some(d) if !fits(&d.kind) => return Err(Error::MalformedRequest(what.into())),
                    Some(_) => {}
                }
            }
            Ok(())
        };
        known(&draft.documents, &|_| true, "documents")?;
        known(&draft.found_in_is, &|k| *k == DocumentKind::RequiredUnlessInIs, "found_in_is")?;
        known(&draft.conditions_apply, &|k| matches!(k, DocumentKind::Conditional { .. }), "conditions_apply")?;
        known(&draft.expired, &|_| true, "expired")?;
        if let Some(code) = draft.expired.iter().find(|c| !draft.documents.contains(c)) {
            // Only a presented paper can have run out.
            return Err(Error::MalformedRequest(format!("expired {code}")));
        }
        let mut documents: Vec<PresentedDocument> = checklist
            .into_iter()
            .map(|d| {
                let found_in_is = draft.found_in_is.contains(&d.code);
                let condition_applies = draft.conditions_apply.contains(&d.code);
                PresentedDocument {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    kind: d.kind.clone(),
                    required: PresentedDocument::needed(&d.kind, found_in_is, condition_applies),
                    presented: draft.documents.contains(&d.code),
                    found_in_is,
                    condition_applies,
                    expired: draft.expired.contains(&d.code),
                }
            })
            .collect();
        let extras: Vec<String> = draft
            .extra_documents
            .iter()
            .map(|e| optional_text(Field::ExtraDocuments, e, MAX_EXTRA_DOCUMENT))
            .filter(|e| !matches!(e, Ok(t) if t.is_empty()))
            .collect::<Result<_, _>>()?;
        if extras.len() > MAX_EXTRA_DOCUMENTS {
            return Err(Error::TooLong { field: Field::ExtraDocuments, max: MAX_EXTRA_DOCUMENTS });
        }
        // An extra document is named once, as the clerk wrote it, for both languages.
        documents.extend(extras.into_iter().enumerate().map(|(i, text)| PresentedDocument {
            code: format!("extra-{}", i + 1),
            name: Bilingual::new(text.clone(), text),
            kind: DocumentKind::Optional,
            required: false,
            presented: true,
            found_in_is: false,
            condition_applies: false,
            expired: false,
        }));

        let notes = optional_text(Field::Notes, &draft.notes, MAX_NOTES)?;
        let duplicate_reason = optional_text(Field::DuplicateReason, &draft.duplicate_reason, MAX_NOTES)?;
        if !draft.consent {
            return Err(Error::ConsentRequired);
        }

        Ok(NewApplication {
            service_code: service.code.clone(),
            channel,
            applicant,
            representative,
            child,
            documents,
            variant,
            notes,
            duplicate_reason: (!duplicate_reason.is_empty()).then_some(duplicate_reason),
            queue: None,
            request_id: request_id(&draft.request_id)?,
        })
    }

    /// Law on public services art. 20 p. 2: an incomplete package is refused
    /// at intake, and the refusal is itself registered.
    pub fn intake(&self) -> Status {
        if self.missing_documents().next().is_some() {
            Status::RefusedAtIntake
        } else {
            Status::Accepted
        }
    }

    /// The documents that make the package incomplete: needed and not
    /// presented, or presented with their validity run out.
    pub fn missing_documents(&self) -> impl Iterator<Item = &PresentedDocument> {
        self.documents.iter().filter(|d| d.ground().is_some())
    }
}

/// The representative block is all or nothing: a name without a power of
/// attorney is not a representative the office may accept.
fn representative(d: &ApplicationDraft, today: NaiveDate) -> Result<Option<Representative>, Error> {
    let given = [&d.representative_iin, &d.representative_name, &d.poa_number, &d.poa_date];
    if given.iter().all(|v| v.trim().is_empty()) {
        return Ok(None);
    }
    Ok(Some(Representative {
        iin: Iin::parse(Field::RepresentativeIin, &d.representative_iin)?,
        name: required_text(Field::RepresentativeName, &d.representative_name, MAX_NAME)?,
        poa_number: required_text(Field::PoaNumber, &d.poa_number, 100)?,
        poa_date: past_date(Field::PoaDate, &d.poa_date, today)?,
    }))
}

/// Invisible formatting characters (bidirectional overrides, zero-width
/// characters, the byte-order mark): they would make a name on paper read
/// differently from the name in the registry.
pub(crate) fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// Trims and collapses runs of whitespace: what a person means by the text.
pub fn normalise(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn required_text(field: Field, raw: &str, max: usize) -> Result<String, Error> {
    let s = optional_text(field, raw, max)?;
    if s.is_empty() {
        return Err(Error::Required(field));
    }
    Ok(s)
}

pub fn optional_text(field: Field, raw: &str, max: usize) -> Result<String, Error> {
    let s = normalise(raw);
    if s.chars().count() > max {
        return Err(Error::TooLong { field, max });
    }
    if s.chars().any(|c| c.is_control() || is_invisible_format(c)) {
        return Err(Error::HiddenCharacters(field));
    }
    Ok(s)
}

/// A Kazakhstan phone number, kept as `+7 XXX XXX XX XX`. The 11-digit
/// national form (8…) and the international one (+7…) are both accepted
/// because clerks type both.
pub fn phone(field: Field, raw: &str) -> Result<String, Error> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::Required(field));
    }
    if raw.len() > MAX_PHONE_INPUT || !raw.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return Err(Error::PhoneFormat(field));
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = match (digits.len(), digits.as_bytes().first()) {
        (11, Some(b'7' | b'8')) => &digits[1..],
        (10, _) => &digits[..],
        _ => return Err(Error::PhoneFormat(field)),
    };
    Ok(format!("+7 {} {} {} {}", &national[0..3], &national[3..6], &national[6..8], &national[8..10]))
}

fn past_date(field: Field, raw: &str, today: NaiveDate) -> Result<NaiveDate, Error> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::Required(field));
    }
    let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d.%m.%Y"))
        .map_err(|_| Error::DateFormat(field))?;
    if d > today {
        return Err(Error::DateInFuture(field));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::parse(include_str!("../../../assets/catalog/services.json")).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn the_path_variant_is_chosen_where_the_office_takes_part_in_several() {
        let c = catalog();
        let fifteen = |variant: &str| ApplicationDraft {
            service_code: "health_insurance_update".into(),
            child_iin: String::new(),
            child_name: String::new(),
            child_birth_date: String::new(),
            documents: vec![],
            variant: variant.into(),
            ..complete()
        };
        let v = |d: &ApplicationDraft| NewApplication::validate(d, &c, today()).map(|a| a.variant);
        assert_eq!(v(&fifteen("")), Err(Error::Required(Field::Variant)));
        assert_eq!(v(&fifteen("other_organisation")), Ok(Some("other_organisation".into())));
        assert!(matches!(v(&fifteen("data_in_is")), Err(Error::MalformedRequest(_))));
        // At the State Corporation the office only sees the certificates
        // whose data are not in the information system: no choice to make.
        let certificate = ApplicationDraft {
            service_code: "guardianship_certificate".into(),
            channel: Some(Channel::StateCorporation),
            documents: vec![],
            ..complete()
        };
        assert_eq!(v(&certificate), Ok(Some("data_not_in_is".into())));
        assert_eq!(v(&complete()), Ok(None), "one path, no variant");
    }

    fn complete() -> ApplicationDraft {
        ApplicationDraft {
            service_code: "preschool_queue".into(),
            applicant_iin: "900101300007".into(),
            applicant_name: "  Әбілқайыр   Нұрлан Ғалымұлы ".into(),
            applicant_phone: "8 (701) 123-45-67".into(),
            child_iin: "150315500015".into(),
            child_name: "Әбілқайыр Айгүл".into(),
            child_birth_date: "2023-03-15".into(),
            documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
            consent: true,
            ..Default::default()
        }
    }

    #[test]
    fn complete_draft_is_accepted() {
        let a = NewApplication::validate(&complete(), &catalog(), today()).unwrap();
        assert_eq!(a.applicant.name, "Әбілқайыр Нұрлан Ғалымұлы");
        assert_eq!(a.applicant.phone, "+7 701 123 45 67");
        assert_eq!(a.intake(), Status::Accepted);
        assert_eq!(a.documents.len(), 4, "the whole checklist is kept, presented or not");
    }

    /// Service 13 (school meals) at the office: application and identity
    /// (required), birth certificate (unless in the IS), three conditional
    /// category proofs.
    fn meals(documents: &[&str]) -> ApplicationDraft {
        ApplicationDraft {
            service_code: "free_meals".into(),
            documents: documents.iter().map(|c| c.to_string()).collect(),
            ..complete()
        }
    }

    fn missing(d: &ApplicationDraft) -> Vec<String> {
        let a = NewApplication::validate(d, &catalog(), today()).unwrap();
        assert_eq!(a.intake() == Status::Accepted, a.missing_documents().next().is_none());
        a.missing_documents().map(|m| m.code.clone()).collect()
    }

    #[test]
    fn completeness_follows_each_documents_kind() {
        // Required: application and identity; the birth certificate unless found in the IS.
        assert_eq!(missing(&meals(&["application"])), ["identity_document", "birth_certificate"]);
        assert_eq!(missing(&meals(&["application", "identity_document", "birth_certificate"])), Vec::<String>::new());
        let mut in_is = meals(&["application", "identity_document"]);
        in_is.found_in_is = vec!["birth_certificate".into()];
        assert_eq!(missing(&in_is), Vec::<String>::new());
        // Conditional: needed only when the clerk marks the condition as applying.
        let mut asp = in_is.clone();
        asp.conditions_apply = vec!["asp_certificate".into()];
        assert_eq!(missing(&asp), ["asp_certificate"]);
        asp.documents.push("asp_certificate".into());
        assert_eq!(missing(&asp), Vec::<String>::new());
        // Expired: a ground of refusal although presented.
        let mut expired = asp.clone();
        expired.expired = vec!["identity_document".into()];
        let a = NewApplication::validate(&expired, &catalog(), today()).unwrap();
        assert_eq!(a.intake(), Status::RefusedAtIntake);
        let lines: Vec<Bilingual> = a.documents.iter().filter_map(|d| d.refusal_line()).collect();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].kk.ends_with("(қолданылу мерзімі өткен)") && lines[0].ru.ends_with("(истёк срок действия)"));
        // Optional (the preschool priority right) never makes a package incomplete.
        assert_eq!(missing(&complete()), Vec::<String>::new());
    }

    #[test]
    fn marks_only_where_the_kind_has_them() {
        // "Found in the IS" on an always-required document, a condition on
        // one without a condition, "expired" on one not presented: the
        // window never sends them, and they are refused, not ignored.
        let mut d = meals(&["application", "identity_document", "birth_certificate"]);
        d.found_in_is = vec!["identity_document".into()];
        assert!(matches!(NewApplication::validate(&d, &catalog(), today()), Err(Error::MalformedRequest(_))));
        let mut d = meals(&["application", "identity_document", "birth_certificate"]);
        d.conditions_apply = vec!["birth_certificate".into()];
        assert!(matches!(NewApplication::validate(&d, &catalog(), today()), Err(Error::MalformedRequest(_))));
        let mut d = meals(&["application", "identity_document"]);
        d.expired = vec!["birth_certificate".into()];
        assert!(matches!(NewApplication::validate(&d, &catalog(), today()), Err(Error::MalformedRequest(_))));
        let mut d = meals(&["application"]);
        d.found_in_is = vec!["no_such_document".into()];
        assert!(matches!(NewApplication::validate(&d, &catalog(), today()), Err(Error::UnknownDocument(_))));
    }

    #[test]
    fn missing_required_document_means_refusal_at_intake() {
        let mut d = complete();
        d.documents.retain(|c| c != "birth_certificate");
        let a = NewApplication::validate(&d, &catalog(), today()).unwrap();
        assert_eq!(a.intake(), Status::RefusedAtIntake);
        let missing: Vec<_> = a.missing_documents().map(|d| d.code.as_str()).collect();
        assert_eq!(missing, ["birth_certificate"]);
    }

    #[test]
    fn each_required_field_is_reported_by_name() {
        type Blank = fn(&mut ApplicationDraft);
        let cases: [(Blank, Error); 7] = [
            (|d| d.applicant_iin.clear(), Error::Required(Field::ApplicantIin)),
            (|d| d.applicant_name = "   ".into(), Error::Required(Field::ApplicantName)),
            (|d| d.applicant_phone.clear(), Error::Required(Field::ApplicantPhone)),
            (|d| d.child_iin.clear(), Error::Required(Field::ChildIin)),
            (|d| d.child_name.clear(), Error::Required(Field::ChildName)),
            (|d| d.child_birth_date.clear(), Error::Required(Field::ChildBirthDate)),
            (|d| d.consent = false, Error::ConsentRequired),
        ];
        for (blank, expected) in cases {
            let mut d = complete();
            blank(&mut d);
            assert_eq!(NewApplication::validate(&d, &catalog(), today()), Err(expected));
        }
    }

    #[test]
    fn bad_values_are_refused() {
        let c = catalog();
        let mut d = complete();
        d.child_iin = "150315500609".into();
        assert_eq!(NewApplication::validate(&d, &c, today()), Err(Error::IinCheckDigit(Field::ChildIin)));
        let mut d = complete();
        d.applicant_name = "Ә".repeat(MAX_NAME + 1);
        assert_eq!(
            NewApplication::validate(&d, &c, today()),
            Err(Error::TooLong { field: Field::ApplicantName, max: MAX_NAME })
        );
        let mut d = complete();
        d.applicant_phone = "12345".into();
        assert_eq!(NewApplication::validate(&d, &c, today()), Err(Error::PhoneFormat(Field::ApplicantPhone)));
        let mut d = complete();
        d.child_birth_date = "2027-01-01".into();
        assert_eq!(NewApplication::validate(&d, &c, today()), Err(Error::DateInFuture(Field::ChildBirthDate)));
        let mut d = complete();
        d.service_code = "no_such".into();
        assert!(matches!(NewApplication::validate(&d, &c, today()), Err(Error::UnknownService(_))));
        let mut d = complete();
        d.documents.push("forged".into());
        assert!(matches!(NewApplication::validate(&d, &c, today()), Err(Error::UnknownDocument(_))));
    }

    #[test]
    fn a_representative_is_all_or_nothing() {
        let mut d = complete();
        d.representative_name = "Сенімді Өкіл".into();
        assert_eq!(NewApplication::validate(&d, &catalog(), today()), Err(Error::Required(Field::RepresentativeIin)));
        d.representative_iin = "900101300007".into();
        d.poa_number = "№ 123".into();
        d.poa_date = "01.11.2026".into();
        let a = NewApplication::validate(&d, &catalog(), today()).unwrap();
        assert_eq!(a.representative.unwrap().poa_date, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    }

    #[test]
    fn extra_documents_are_kept_in_the_clerks_words() {
        let mut d = complete();
        d.extra_documents = vec!["  Анықтама   № 5 ".into(), "".into()];
        let a = NewApplication::validate(&d, &catalog(), today()).unwrap();
        let extra = a.documents.last().unwrap();
        assert_eq!((extra.code.as_str(), extra.name.kk.as_str(), extra.presented), ("extra-1", "Анықтама № 5", true));
        assert_eq!(a.intake(), Status::Accepted);
        d.extra_documents = vec!["x".into(); MAX_EXTRA_DOCUMENTS + 1];
        assert!(matches!(NewApplication::validate(&d, &catalog(), today()), Err(Error::TooLong { .. })));
    }

    #[test]
    fn phone_forms() {
        assert_eq!(phone(Field::ApplicantPhone, "+77011234567").unwrap(), "+7 701 123 45 67");
        assert_eq!(phone(Field::ApplicantPhone, "7011234567").unwrap(), "+7 701 123 45 67");
        assert!(phone(Field::ApplicantPhone, "+7701123456a").is_err());
        assert!(phone(Field::ApplicantPhone, "5 701 123 45 67").is_err());
    }
}

/// The form of a name that search compares: lower case, with the Kazakh
/// letters folded onto their nearest Russian ones, because a clerk types
/// "Нурлан" for "Нұрлан" and either keyboard layout must find the person.
pub fn search_key(text: &str) -> String {
    normalise(text)
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ә' => 'а',
            'ғ' => 'г',
            'қ' => 'к',
            'ң' => 'н',
            'ө' => 'о',
            'ұ' | 'ү' => 'у',
            'һ' => 'х',
            'і' => 'и',
            'ё' => 'е',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod search_tests {
    use super::search_key;

    #[test]
    fn kazakh_letters_and_case_fold() {
        assert_eq!(search_key("  НҰРЛАН   Әбілқайыр "), "нурлан абилкайыр");
        assert_eq!(search_key("Нурлан"), search_key("Нұрлан"));
        assert_eq!(search_key("ҒАЛЫМ"), search_key("галым"));
        assert_eq!(search_key("Өтеген Үмбет Һ"), "отеген умбет х");
    }
}
