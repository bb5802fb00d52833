//! The service catalog: which services the office gives, through which
//! channels, which documents each channel needs, what the results are, and
//! the procedure (steps with their time norms) the regulation sets for each
//! channel. It is data (assets/catalog/services.json), parsed here into
//! checked values; the storage keeps every installed version so that an
//! application keeps the rules it was registered under.
//!
//! Everything in the file is meant to be traceable to a regulation
//! (seeds-digest §3, §5). Where the regulation is garbled or ambiguous the
//! file keeps the stricter reading and says so in a `notes` field.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub use crate::deadline::Norm;
use crate::error::Error;
use crate::lang::Bilingual;
use crate::queue::{QueueRules, QUEUE_SERVICE};
use crate::reasons::{Reason, RefusalReasons};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Raised by whoever edits the file; storage refuses to install two
    /// different contents under one version.
    pub version: u32,
    pub services: Vec<Service>,
    /// The grounds of a reasoned refusal for every service (the Law on
    /// public services, art. 19-1). `None` in a catalog written before
    /// version 6, which refuses on the grounds Kense shipped then
    /// ([`RefusalReasons::before_catalog_6`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal_grounds: Option<Vec<Reason>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Stable snake_case code; applications store it.
    pub code: String,
    /// The Kazakh title exactly as the regulation gives it (whitespace
    /// normalised, Latin "i" typed for "і" corrected and noted).
    pub name: Bilingual,
    /// Whether the Russian title is the official one or our rendering.
    pub ru_source: RuSource,
    /// Whether the application is about a child (the "subject"), whose IIN,
    /// name and birth date are then required.
    pub subject: Subject,
    /// The provider (көрсетілетін қызметті беруші) as the regulation names it.
    pub provider: Bilingual,
    /// Where applications are accepted and results handed out.
    pub channels: Vec<Channel>,
    /// The checklist; each document says on which channels it is asked for.
    pub documents: Vec<DocumentRequirement>,
    pub results: Vec<ResultSpec>,
    /// Grounds of a reasoned refusal this service has besides the general
    /// ones (the preschool queue's age limit, say); offered first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refusal_grounds: Vec<Reason>,
    /// The preschool queue's rules (shares, age limit, categories, spans);
    /// only that service has them. A catalog written before version 7 has
    /// none and keeps the ones Kense shipped then (`QueueRules::shipped`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueRules>,
    /// One entry per channel: how acceptance is acknowledged and which
    /// Standard form a refusal to accept is issued on.
    pub intake: Vec<Intake>,
    /// The procedure per channel (several per channel only with `variant`).
    pub paths: Vec<Path>,
    pub source: Source,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Child,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuSource {
    /// Taken from an official Russian edition (domain-research §1.2).
    Official,
    /// Only the Kazakh title is in the sources; the Russian is ours.
    Translation,
}

/// Where an application can be lodged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The provider's own office (кеңсе).
    Office,
    /// State Corporation "Government for Citizens" (ХҚКО / ЦОН).
    StateCorporation,
    /// The e-government portal www.egov.kz.
    Portal,
}

/// One document of a service's checklist.
///
/// In the file it is written with `kind` (and `condition` for a conditional
/// one), `verified` and `source`. Catalog versions 1 and 2, which registries
/// keep installed (an application keeps the version it was registered
/// under), wrote only `required: true|false`; that form still parses, as
/// `required` or `optional`, and is refused from version 3 on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DocumentInFile", into = "DocumentInFile")]
pub struct DocumentRequirement {
    pub code: String,
    pub name: Bilingual,
    /// When the document must be presented.
    pub kind: DocumentKind,
    /// The channels on which this document is asked for; never empty.
    pub channels: Vec<Channel>,
    /// Standard forms the document is drawn up on ("Std app. 2"); empty when
    /// the regulation names none.
    pub forms: Vec<String>,
    /// False while the wording comes from a secondary source (an egov.kz
    /// passport, a school's page) and not from the act itself: the
    /// administrator sees it marked until someone confirms it against
    /// Adilet.
    pub verified: bool,
    /// Where the item was found (act and paragraph, or the page); `None`
    /// only in catalogs before version 3.
    pub source: Option<String>,
    pub notes: Vec<String>,
}

/// When a checklist document must be presented for the package to be
/// complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DocumentKind {
    /// Always.
    Required,
    /// Unless the data are in a state information system (the civil
    /// registry, the identity documents' database): the clerk then ticks
    /// "found in the IS" instead of taking the paper.
    RequiredUnlessInIs,
    /// Only when the condition, written out for the clerk, applies to this
    /// applicant ("if married"); the clerk says whether it does.
    Conditional { condition: Bilingual },
    /// Never required ("if any").
    Optional,
}

impl DocumentKind {
    /// The code the registry stores and the window receives.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentKind::Required => "required",
            DocumentKind::RequiredUnlessInIs => "required_unless_in_is",
            DocumentKind::Conditional { .. } => "conditional",
            DocumentKind::Optional => "optional",
        }
    }

    /// Back from the stored code; a conditional kind needs its condition.
    pub fn from_code(code: &str, condition: Option<Bilingual>) -> Option<DocumentKind> {
        match (code, condition) {
            ("required", None) => Some(DocumentKind::Required),
            ("required_unless_in_is", None) => Some(DocumentKind::RequiredUnlessInIs),
            ("conditional", Some(condition)) => Some(DocumentKind::Conditional { condition }),
            ("optional", None) => Some(DocumentKind::Optional),
            _ => None,
        }
    }

    pub fn condition(&self) -> Option<&Bilingual> {
        match self {
            DocumentKind::Conditional { condition } => Some(condition),
            _ => None,
        }
    }
}

/// The kinds' codes as the file writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindInFile {
    Required,
    RequiredUnlessInIs,
    Conditional,
    Optional,
}

/// A checklist document as the file writes it, in either form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentInFile {
    code: String,
    name: Bilingual,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<KindInFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    condition: Option<Bilingual>,
    /// The form of versions 1 and 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    required: Option<bool>,
    channels: Vec<Channel>,
    forms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

impl TryFrom<DocumentInFile> for DocumentRequirement {
    type Error = String;

    fn try_from(d: DocumentInFile) -> Result<Self, String> {
        let (kind, verified) = match (d.required, d.kind, d.condition) {
            (Some(_), Some(_), _) => return Err(format!("document {:?}: both `required` and `kind`", d.code)),
            (Some(required), None, None) => {
                if d.verified.is_some() || d.source.is_some() {
                    return Err(format!(
                        "document {:?}: `required` is the old form, without `verified` and `source`; write `kind`",
                        d.code
                    ));
                }
                // The old form's lists came from the seeded regulations.
                (if required { DocumentKind::Required } else { DocumentKind::Optional }, true)
            }
            (None, Some(kind), condition) => {
                let kind = match (kind, condition) {
                    (KindInFile::Conditional, Some(condition)) => DocumentKind::Conditional { condition },
                    (KindInFile::Conditional, None) => {
                        return Err(format!("document {:?}: a conditional document needs its `condition`", d.code))
                    }
                    (_, Some(_)) => {
                        return Err(format!("document {:?}: only a conditional document has a `condition`", d.code))
                    }
                    (KindInFile::Required, None) => DocumentKind::Required,
                    (KindInFile::RequiredUnlessInIs, None) => DocumentKind::RequiredUnlessInIs,
                    (KindInFile::Optional, None) => DocumentKind::Optional,
                };
                let verified = d.verified.ok_or_else(|| format!("document {:?}: missing field `verified`", d.code))?;
                (kind, verified)
            }
            (Some(_), None, Some(_)) | (None, None, _) => {
                return Err(format!("document {:?}: missing field `kind`", d.code))
            }
        };
        Ok(DocumentRequirement {
            code: d.code,
            name: d.name,
            kind,
            channels: d.channels,
            forms: d.forms,
            verified,
            source: d.source,
            notes: d.notes,
        })
    }
}

impl From<DocumentRequirement> for DocumentInFile {
    fn from(d: DocumentRequirement) -> Self {
        let (kind, condition) = match d.kind {
            DocumentKind::Required => (KindInFile::Required, None),
            DocumentKind::RequiredUnlessInIs => (KindInFile::RequiredUnlessInIs, None),
            DocumentKind::Conditional { condition } => (KindInFile::Conditional, Some(condition)),
            DocumentKind::Optional => (KindInFile::Optional, None),
        };
        DocumentInFile {
            code: d.code,
            name: d.name,
            kind: Some(kind),
            condition,
            required: None,
            channels: d.channels,
            forms: d.forms,
            verified: Some(d.verified),
            source: d.source,
            notes: d.notes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    pub kind: ResultKind,
    pub name: Bilingual,
    /// The Standard form ("Std app. 1"), or null when none is cited.
    pub form: Option<String>,
    /// The channels on which this result is handed out.
    pub channels: Vec<Channel>,
    /// The facts the paper states besides the parties (an amount and its
    /// period, a school, a camp's shift…), filled in by the executor.
    #[serde(default)]
    pub fields: Vec<crate::result_fields::FieldSpec>,
    /// Documents issued together with this one, signed at once (service
    /// 11: the order with the contract and the decision): each prints as
    /// its own document, stating the facts it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub together: Vec<ResultPart>,
}

/// A document issued together with a result (see [`ResultSpec::together`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultPart {
    pub kind: ResultKind,
    pub name: Bilingual,
    /// The Standard form ("Std app. 1"), or null when none is cited.
    pub form: Option<String>,
    /// Keys of the result's fields this document states (and its own page
    /// only); the result's page states the others.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    /// Notice of placement in the queue with the queue number.
    QueueNotification,
    /// Referral (жолдама): to a preschool organisation, to a camp.
    Referral,
    /// Certificate (анықтама).
    Certificate,
    /// Decision (шешім) of the provider.
    Decision,
    /// Resolution (қаулы) of the akimat.
    Resolution,
    /// Contract (шарт).
    Contract,
    /// Conclusion (қорытынды).
    Conclusion,
    /// Permission (рұқсат).
    Permission,
    /// Order (бұйрық).
    Order,
    /// Notification (хабарлама) given as, or instead of, the result.
    Notification,
    /// Reasoned refusal (дәлелді бас тарту).
    ReasonedRefusal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    pub channel: Channel,
    /// What the applicant gets when the package is accepted; null when the
    /// regulation names nothing for this channel.
    pub acceptance: Option<Acceptance>,
    /// The Standard form of the receipt of refusal to accept ("Std app. 3"),
    /// or null when the regulation names none for this channel.
    pub refusal_receipt: Option<String>,
    /// Whether the regulation's path on this channel contains the clause on
    /// obtaining consent to use legally protected secrets. Its absence does
    /// not waive consent under the law on personal data.
    pub consent_clause: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// Receipt of acceptance (қолхат).
    Receipt,
    /// A copy of the application with date, acceptor's name and time.
    ApplicationCopy,
    /// A notification of acceptance in the portal's personal cabinet.
    CabinetNotification,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Path {
    pub channel: Channel,
    /// Distinguishes several paths on one channel ("data_in_is").
    #[serde(default)]
    pub variant: Option<String>,
    /// How the clerk recognises the variant ("the data are in the state
    /// information system"); required with a variant from version 5 on,
    /// when the clerk started choosing it at registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_name: Option<Bilingual>,
    pub steps: Vec<Step>,
    /// The total term when the source states one; null otherwise (then only
    /// the sum of the steps is known).
    pub stated_total: Option<Norm>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The step's label as the regulation numbers it: "1", "2a", "2'",
    /// "process 3", "condition 1".
    pub n: String,
    pub role: Role,
    /// What the step does (a condensed rendering of the regulation's text).
    pub action: Bilingual,
    /// The step's norm; null when the regulation gives none or when the
    /// norm is split into `parts`.
    pub norm: Option<Norm>,
    /// Several norms stated within one step (inspection act, then draft).
    #[serde(default)]
    pub parts: Vec<NormPart>,
    #[serde(default)]
    pub when: Branch,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormPart {
    pub what: Bilingual,
    pub norm: Norm,
    #[serde(default)]
    pub when: Branch,
}

/// Who does a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    /// The provider's office clerk (кеңсе қызметкері).
    Clerk,
    Head,
    Executor,
    /// The provider as a body, where the regulation names no officer.
    Provider,
    ScEmployee,
    /// The SC accumulation sector, which forwards packages.
    ScAccumulation,
    Akimat,
    /// An information system or the portal acting by itself.
    System,
}

/// On which outcome a step (or a part of its norm) happens at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Branch {
    #[default]
    Always,
    /// Only when the service is granted.
    Granted,
    /// Only when a reasoned refusal is prepared.
    Refused,
    /// Only when the package is not accepted (an alternative to intake).
    NotAccepted,
}

/// Where the service's rules come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Seed ids of seeds-digest (000…004).
    pub seeds: Vec<String>,
    pub regulation: String,
    pub standard: String,
}

/// The sum of a path's norms, each unit kept apart: minutes and hours run
/// in working time and add up; working and calendar days do not mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Total {
    pub minutes: u32,
    pub working_days: u32,
    pub calendar_days: u32,
}

impl Total {
    pub fn add(&mut self, norm: Norm) {
        match norm {
            Norm::Minutes(m) => self.minutes += m,
            Norm::Hours(h) => self.minutes += h * 60,
            Norm::WorkingDays(d) => self.working_days += d,
            Norm::CalendarDays(d) => self.calendar_days += d,
        }
    }

    pub fn of(norm: Norm) -> Total {
        let mut t = Total::default();
        t.add(norm);
        t
    }
}

/// The outcome a sum is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Granted,
    Refused,
}

impl Branch {
    fn applies(self, outcome: Outcome) -> bool {
        match self {
            Branch::Always => true,
            Branch::Granted => outcome == Outcome::Granted,
            Branch::Refused => outcome == Outcome::Refused,
            Branch::NotAccepted => false,
        }
    }
}

impl Path {
    /// The sum of the norms of the steps (and parts) that happen for
    /// `outcome` once the package is accepted, taken in sequence.
    pub fn total(&self, outcome: Outcome) -> Total {
        let mut t = Total::default();
        for s in self.steps.iter().filter(|s| s.when.applies(outcome)) {
            if let Some(n) = s.norm {
                t.add(n);
            }
            for p in s.parts.iter().filter(|p| p.when.applies(outcome)) {
                t.add(p.norm);
            }
        }
        t
    }
}

impl Service {
    pub fn offered_at(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }

    /// The checklist for one channel.
    pub fn documents_for(&self, channel: Channel) -> impl Iterator<Item = &DocumentRequirement> {
        self.documents.iter().filter(move |d| d.channels.contains(&channel))
    }

    pub fn intake_at(&self, channel: Channel) -> Option<&Intake> {
        self.intake.iter().find(|i| i.channel == channel)
    }

    /// Whether the positive act is the akimat's (a path has its step):
    /// the office prepares and approves the draft, the akimat adopts it.
    pub fn akimat_decides(&self) -> bool {
        self.paths.iter().any(|p| p.steps.iter().any(|s| s.role == Role::Akimat))
    }

    /// The paths on `channel` the office itself takes part in (its clerk or
    /// executor has a step): an application registered in Kense takes one
    /// of them, and where there are several the clerk says which.
    pub fn office_paths(&self, channel: Channel) -> impl Iterator<Item = &Path> {
        self.paths_for(channel).filter(|p| p.steps.iter().any(|s| matches!(s.role, Role::Clerk | Role::Executor)))
    }

    pub fn paths_for(&self, channel: Channel) -> impl Iterator<Item = &Path> {
        self.paths.iter().filter(move |p| p.channel == channel)
    }

    /// The positive results an executor may prepare, in catalog order: a
    /// prepared result names one by its index here. Every form but the
    /// reasoned refusal, except for the preschool queue, whose referral
    /// comes from a distribution and never from the workflow.
    pub fn workflow_results(&self) -> Vec<&ResultSpec> {
        let positive = self.results.iter().filter(|r| r.kind != ResultKind::ReasonedRefusal);
        if self.code == crate::queue::QUEUE_SERVICE {
            positive.take(1).collect()
        } else {
            positive.collect()
        }
    }
}

impl Catalog {
    /// Parses and checks the catalog file. Everything a later step relies on
    /// (unique codes, no empty names, channels that agree) is checked here
    /// once.
    pub fn parse(json: &str) -> Result<Catalog, Error> {
        let catalog: Catalog = serde_json::from_str(json).map_err(|e| Error::Catalog(e.to_string()))?;
        catalog.check()?;
        Ok(catalog)
    }

    fn check(&self) -> Result<(), Error> {
        if self.services.is_empty() {
            return Err(bad("no services".into()));
        }
        let mut codes = HashSet::new();
        for s in &self.services {
            if !is_code(&s.code) || !codes.insert(s.code.as_str()) {
                return Err(bad(format!("empty, malformed or repeated service code {:?}", s.code)));
            }
            check_service(s, self.version).map_err(|e| bad(format!("service {}: {e}", s.code)))?;
        }
        if self.refusal_grounds.as_ref().is_some_and(Vec::is_empty) {
            return Err(bad("no general refusal grounds".into()));
        }
        let general = self.refusal_grounds.as_deref().unwrap_or_default();
        check_grounds(general, &[]).map_err(|e| bad(format!("general refusal grounds: {e}")))?;
        for s in &self.services {
            check_grounds(&s.refusal_grounds, general)
                .map_err(|e| bad(format!("service {}: refusal grounds: {e}", s.code)))?;
            if let Some(rules) = &s.queue {
                if s.code != QUEUE_SERVICE {
                    return Err(bad(format!("service {}: queue rules belong to {QUEUE_SERVICE}", s.code)));
                }
                rules.validate()?;
            }
        }
        Ok(())
    }

    /// The preschool queue's rules this catalog puts in force.
    pub fn queue_rules(&self) -> Result<QueueRules, Error> {
        match self.service(QUEUE_SERVICE).and_then(|s| s.queue.clone()) {
            Some(rules) => Ok(rules),
            None => QueueRules::shipped(),
        }
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }

    /// The grounds a reasoned refusal of `service` may cite: the service's
    /// own first, then the general ones.
    pub fn grounds_for(&self, service: &str) -> Vec<Reason> {
        self.own_grounds(service).into_iter().chain(self.general_grounds().iter().cloned()).collect()
    }

    /// The grounds of every service: this catalog's, or for a catalog
    /// written before version 6 the ones Kense shipped then.
    pub fn general_grounds(&self) -> &[Reason] {
        match &self.refusal_grounds {
            Some(list) => list,
            None => RefusalReasons::before_catalog_6().map_or(&[], RefusalReasons::general),
        }
    }

    /// The grounds of `service` besides the general ones (for a catalog
    /// written before version 6, with the ones Kense shipped for it then).
    pub fn own_grounds(&self, service: &str) -> Vec<Reason> {
        let own = self.service(service).map_or(&[][..], |s| &s.refusal_grounds);
        let before = match (&self.refusal_grounds, RefusalReasons::before_catalog_6()) {
            (None, Some(legacy)) => legacy.own(service),
            _ => &[],
        };
        own.iter().chain(before).cloned().collect()
    }

    /// The same catalog apart from its number: what a version adopted
    /// from the program's own file has.
    pub fn same_content(&self, other: &Catalog) -> bool {
        self.services == other.services && self.refusal_grounds == other.refusal_grounds
    }
}

/// Each ground has a code (unique here and among `general`) and its
/// wording in both languages, no longer than the paper carries.
fn check_grounds(list: &[Reason], general: &[Reason]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for g in list {
        if !is_code(&g.code) || !seen.insert(g.code.as_str()) || general.iter().any(|o| o.code == g.code) {
            return Err(format!("empty, malformed or repeated code {:?}", g.code));
        }
        text(&format!("ground {}", g.code), &g.name)?;
        if [&g.name.kk, &g.name.ru].iter().any(|t| t.chars().count() > crate::catalog_edit::MAX_DOCUMENT_TEXT) {
            return Err(format!("ground {} is longer than the paper carries", g.code));
        }
    }
    Ok(())
}

/// The first catalog version whose documents carry a kind, a verified
/// flag and a source; older versions (installed in registries) wrote only
/// `required`.
pub const FIRST_WITH_KINDS: u32 = 3;

/// The first catalog version whose path variants carry the name the clerk
/// chooses them by.
pub const FIRST_WITH_VARIANT_NAMES: u32 = 5;

fn bad(what: String) -> Error {
    Error::Catalog(what)
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// "Std app. N" with N a positive number.
fn is_form(s: &str) -> bool {
    s.strip_prefix("Std app. ")
        .is_some_and(|n| !n.is_empty() && !n.starts_with('0') && n.chars().all(|c| c.is_ascii_digit()))
}

fn text(what: &str, b: &Bilingual) -> Result<(), String> {
    if b.kk.trim().is_empty() || b.ru.trim().is_empty() {
        return Err(format!("{what} has an empty text"));
    }
    if let Some(w) = b.kk.split(|c: char| !c.is_alphabetic()).find(|w| mixed_script(w)) {
        return Err(format!("{what}: Kazakh word {w:?} mixes Latin and Cyrillic letters"));
    }
    Ok(())
}

/// A word typed with both Latin and Cyrillic letters, such as "берiлген"
/// with a Latin "i" (seeds-digest §7).
pub(crate) fn mixed_script(word: &str) -> bool {
    let latin = word.chars().any(|c| c.is_ascii_alphabetic());
    let cyrillic = word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    latin && cyrillic
}

/// Channels: non-empty, no repeats, all offered by the service.
fn channel_set(what: &str, list: &[Channel], offered: &[Channel]) -> Result<(), String> {
    if list.is_empty() {
        return Err(format!("{what} lists no channel"));
    }
    let mut seen = HashSet::new();
    for c in list {
        if !seen.insert(c) {
            return Err(format!("{what} repeats channel {c:?}"));
        }
        if !offered.contains(c) {
            return Err(format!("{what} is on channel {c:?}, which the service does not offer"));
        }
    }
    Ok(())
}

fn check_service(s: &Service, version: u32) -> Result<(), String> {
    text("name", &s.name)?;
    text("provider", &s.provider)?;
    let mut seen = HashSet::new();
    if s.channels.is_empty() {
        return Err("no channels".into());
    }
    for c in &s.channels {
        if !seen.insert(c) {
            return Err(format!("channel {c:?} listed twice"));
        }
    }
    if s.notes.iter().any(|n| n.trim().is_empty()) {
        return Err("empty note".into());
    }

    let mut docs = HashSet::new();
    for d in &s.documents {
        if !is_code(&d.code) || !docs.insert(d.code.as_str()) {
            return Err(format!("empty, malformed or repeated document code {:?}", d.code));
        }
        text(&format!("document {}", d.code), &d.name)?;
        if let Some(c) = d.kind.condition() {
            text(&format!("document {} condition", d.code), c)?;
        }
        match d.source.as_deref() {
            Some(src) if src.trim().is_empty() => return Err(format!("document {}: empty source", d.code)),
            None if version >= FIRST_WITH_KINDS => {
                return Err(format!(
                    "document {}: no source (from version {FIRST_WITH_KINDS} every document names one)",
                    d.code
                ))
            }
            _ => {}
        }
        if d.notes.iter().any(|n| n.trim().is_empty()) {
            return Err(format!("document {}: empty note", d.code));
        }
        channel_set(&format!("document {}", d.code), &d.channels, &s.channels)?;
        if let Some(f) = d.forms.iter().find(|f| !is_form(f)) {
            return Err(format!("document {}: form {f:?} is not \"Std app. N\"", d.code));
        }
    }

    if s.results.is_empty() {
        return Err("no results".into());
    }
    for (i, r) in s.results.iter().enumerate() {
        text(&format!("result {i}"), &r.name)?;
        channel_set(&format!("result {i}"), &r.channels, &s.channels)?;
        if let Some(f) = r.form.as_deref().filter(|f| !is_form(f)) {
            return Err(format!("result {i}: form {f:?} is not \"Std app. N\""));
        }
        let mut keys = HashSet::new();
        for f in &r.fields {
            if !is_code(&f.key) || !keys.insert(f.key.as_str()) {
                return Err(format!("result {i}: empty, malformed or repeated field key {:?}", f.key));
            }
            text(&format!("result {i} field {}", f.key), &f.label)?;
        }
        if r.kind == ResultKind::ReasonedRefusal && !r.fields.is_empty() {
            return Err(format!("result {i}: a reasoned refusal states its ground, not fields"));
        }
        let mut claimed = HashSet::new();
        for part in &r.together {
            text(&format!("result {i} part"), &part.name)?;
            if matches!(part.kind, ResultKind::ReasonedRefusal | ResultKind::QueueNotification | ResultKind::Referral)
                || r.kind == ResultKind::ReasonedRefusal
            {
                return Err(format!("result {i}: a part of kind {:?} cannot be issued together", part.kind));
            }
            if let Some(f) = part.form.as_deref().filter(|f| !is_form(f)) {
                return Err(format!("result {i} part: form {f:?} is not \"Std app. N\""));
            }
            for key in &part.fields {
                if !keys.contains(key.as_str()) || !claimed.insert(key.as_str()) {
                    return Err(format!("result {i} part: field {key:?} unknown or stated by two parts"));
                }
            }
        }
    }

    let mut intake = HashSet::new();
    for i in &s.intake {
        channel_set("intake", &[i.channel], &s.channels)?;
        if !intake.insert(i.channel) {
            return Err(format!("intake for {:?} given twice", i.channel));
        }
        if let Some(f) = i.refusal_receipt.as_deref().filter(|f| !is_form(f)) {
            return Err(format!("refusal receipt {f:?} is not \"Std app. N\""));
        }
    }

    let mut paths = HashSet::new();
    for p in &s.paths {
        let what = format!("path {:?}/{}", p.channel, p.variant.as_deref().unwrap_or("-"));
        channel_set(&what, &[p.channel], &s.channels)?;
        if p.variant.as_deref().is_some_and(|v| !is_code(v)) {
            return Err(format!("{what}: malformed variant"));
        }
        match (&p.variant, &p.variant_name) {
            (Some(_), Some(name)) => text(&format!("{what} variant name"), name)?,
            (Some(_), None) if version >= FIRST_WITH_VARIANT_NAMES => {
                return Err(format!("{what}: a variant without its name (from version {FIRST_WITH_VARIANT_NAMES})"))
            }
            (None, Some(_)) => return Err(format!("{what}: a variant name without a variant")),
            _ => {}
        }
        if !paths.insert((p.channel, p.variant.as_deref())) {
            return Err(format!("{what} given twice"));
        }
        if p.steps.is_empty() {
            return Err(format!("{what} has no steps"));
        }
        let mut labels = HashSet::new();
        for st in &p.steps {
            if st.n.trim().is_empty() || !labels.insert(st.n.as_str()) {
                return Err(format!("{what}: empty or repeated step label {:?}", st.n));
            }
            text(&format!("{what} step {}", st.n), &st.action)?;
            if st.norm.is_some() && !st.parts.is_empty() {
                return Err(format!("{what} step {}: both a norm and parts", st.n));
            }
            let norms = st.norm.iter().chain(st.parts.iter().map(|p| &p.norm));
            if norms.clone().any(|n| norm_value(*n) == 0) {
                return Err(format!("{what} step {}: a norm of zero", st.n));
            }
            // No regulation gives more than a few weeks to a step; a bound
            // keeps due moments inside the calendar's years.
            if norms.clone().any(|n| norm_value(*n) > norm_limit(*n)) {
                return Err(format!("{what} step {}: a norm beyond any regulation's", st.n));
            }
            for part in &st.parts {
                text(&format!("{what} step {} part", st.n), &part.what)?;
            }
        }
    }

    for c in &s.channels {
        if !s.documents.iter().any(|d| d.channels.contains(c)) {
            return Err(format!("no document for channel {c:?}"));
        }
        if !s.results.iter().any(|r| r.channels.contains(c)) {
            return Err(format!("no result on channel {c:?}"));
        }
        if !intake.contains(c) {
            return Err(format!("no intake entry for channel {c:?}"));
        }
        let on_channel: Vec<&Path> = s.paths.iter().filter(|p| p.channel == *c).collect();
        if on_channel.is_empty() {
            return Err(format!("channel {c:?} has no path"));
        }
        if on_channel.len() > 1 && on_channel.iter().any(|p| p.variant.is_none()) {
            return Err(format!("channel {c:?} has several paths, not all with a variant"));
        }
    }
    Ok(())
}

pub(crate) fn norm_limit(n: Norm) -> u32 {
    match n {
        Norm::Minutes(_) => 10_000,
        Norm::Hours(_) => 500,
        Norm::WorkingDays(_) | Norm::CalendarDays(_) => 366,
    }
}

pub(crate) fn norm_value(n: Norm) -> u32 {
    match n {
        Norm::Minutes(v) | Norm::Hours(v) | Norm::WorkingDays(v) | Norm::CalendarDays(v) => v,
    }
}

/// What a catalog version changes against the one before it, by service
/// code: what an administrator checks when an update brings a new version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Present in both with any difference (title, documents, terms, …).
    pub changed: Vec<String>,
}

impl CatalogChanges {
    pub fn between(older: &Catalog, newer: &Catalog) -> CatalogChanges {
        let mut changes = CatalogChanges::default();
        for s in &newer.services {
            match older.service(&s.code) {
                None => changes.added.push(s.code.clone()),
                Some(old) if old != s => changes.changed.push(s.code.clone()),
                Some(_) => {}
            }
        }
        changes.removed =
            older.services.iter().filter(|s| newer.service(&s.code).is_none()).map(|s| s.code.clone()).collect();
        changes
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    const SHIPPED: &str = include_str!("../../../assets/catalog/services.json");

    #[test]
    fn shipped_catalog_parses_and_has_the_preschool_queue() {
        let c = Catalog::parse(SHIPPED).expect("shipped catalog");
        let s = c.service("preschool_queue").expect("preschool service");
        assert_eq!(s.subject, Subject::Child);
        assert!(s.name.kk.contains("кезекке қою"), "{}", s.name.kk);
        assert!(s.documents.iter().any(|d| d.kind == DocumentKind::Required));
        assert!(s.documents.iter().any(|d| d.kind == DocumentKind::Optional));
        assert_eq!(s.documents_for(Channel::Office).count(), 4);
    }

    /// A small valid catalog to break one rule at a time.
    fn valid() -> Value {
        let b = |t: &str| json!({"kk": t, "ru": t});
        json!({"version": 2, "services": [{
            "code": "a", "name": b("Қызмет"), "ru_source": "translation", "subject": "none",
            "provider": b("Бөлім"), "channels": ["office", "state_corporation"],
            "documents": [{"code": "pkg", "name": b("Құжаттар"), "required": true,
                           "channels": ["office", "state_corporation"], "forms": ["Std app. 2"]}],
            "results": [{"kind": "certificate", "name": b("Анықтама"), "form": "Std app. 1",
                         "channels": ["office", "state_corporation"]}],
            "intake": [{"channel": "office", "acceptance": "receipt", "refusal_receipt": null, "consent_clause": true},
                       {"channel": "state_corporation", "acceptance": "receipt", "refusal_receipt": "Std app. 3", "consent_clause": true}],
            "paths": [
                {"channel": "office", "steps": [
                    {"n": "1", "role": "clerk", "action": b("тіркейді"), "norm": {"minutes": 30}},
                    {"n": "2", "role": "executor", "action": b("дайындайды"), "norm": null, "parts": [
                        {"what": b("акт"), "norm": {"calendar_days": 10}},
                        {"what": b("шарт"), "norm": {"calendar_days": 18}, "when": "granted"},
                        {"what": b("бас тарту"), "norm": {"calendar_days": 4}, "when": "refused"}]},
                    {"n": "2'", "role": "provider", "action": b("бас тартады"), "norm": {"minutes": 15}, "when": "not_accepted"},
                    {"n": "3", "role": "head", "action": b("қол қояды"), "norm": {"hours": 1}}],
                 "stated_total": null},
                {"channel": "state_corporation", "steps": [
                    {"n": "1", "role": "sc_accumulation", "action": b("жолдайды"), "norm": {"working_days": 1}}],
                 "stated_total": null}],
            "source": {"seeds": ["001"], "regulation": "r", "standard": "s"}
        }]})
    }

    fn parse(v: &Value) -> Result<Catalog, Error> {
        Catalog::parse(&v.to_string())
    }

    fn refused(v: &Value, why: &str) {
        match parse(v) {
            Err(Error::Catalog(m)) => assert!(m.contains(why), "expected {why:?}, got {m:?}"),
            other => panic!("expected a catalog error about {why:?}, got {other:?}"),
        }
    }

    #[test]
    fn the_small_catalog_is_valid_and_sums_by_outcome() {
        let c = parse(&valid()).unwrap();
        let office = &c.services[0].paths[0];
        assert_eq!(office.total(Outcome::Granted), Total { minutes: 90, working_days: 0, calendar_days: 28 });
        assert_eq!(office.total(Outcome::Refused), Total { minutes: 90, working_days: 0, calendar_days: 14 });
    }

    #[test]
    fn repeated_codes_and_unknown_keys_are_refused() {
        let mut v = valid();
        let first = v["services"][0].clone();
        v["services"].as_array_mut().unwrap().push(first);
        refused(&v, "repeated service code");

        let mut v = valid();
        v["services"][0]["requierd"] = json!(true);
        refused(&v, "unknown field");

        let mut v = valid();
        let d = v["services"][0]["documents"][0].clone();
        v["services"][0]["documents"].as_array_mut().unwrap().push(d);
        refused(&v, "repeated document code");
    }

    #[test]
    fn a_document_on_a_channel_the_service_lacks_is_refused() {
        let mut v = valid();
        v["services"][0]["documents"][0]["channels"] = json!(["office", "portal"]);
        refused(&v, "does not offer");
    }

    #[test]
    fn a_document_without_channels_is_refused() {
        let mut v = valid();
        v["services"][0]["documents"][0]["channels"] = json!([]);
        refused(&v, "lists no channel");
        let mut v = valid();
        v["services"][0]["documents"][0].as_object_mut().unwrap().remove("channels");
        refused(&v, "missing field `channels`");
    }

    #[test]
    fn a_path_on_a_channel_the_service_lacks_is_refused() {
        let mut v = valid();
        v["services"][0]["paths"][1]["channel"] = json!("portal");
        refused(&v, "does not offer");
    }

    #[test]
    fn a_channel_without_a_path_is_refused() {
        // Offered at the office, but no office path.
        let mut v = valid();
        v["services"][0]["paths"].as_array_mut().unwrap().remove(0);
        refused(&v, "Office has no path");
    }

    #[test]
    fn a_channel_without_intake_or_result_is_refused() {
        let mut v = valid();
        v["services"][0]["intake"].as_array_mut().unwrap().remove(1);
        refused(&v, "no intake entry");
        let mut v = valid();
        v["services"][0]["results"][0]["channels"] = json!(["office"]);
        refused(&v, "no result on channel");
    }

    #[test]
    fn two_paths_on_one_channel_need_distinct_variants() {
        let mut v = valid();
        let mut p = v["services"][0]["paths"][1].clone();
        p["variant"] = json!("y");
        v["services"][0]["paths"].as_array_mut().unwrap().push(p);
        refused(&v, "not all with a variant");
        v["services"][0]["paths"][1]["variant"] = json!("x");
        v["services"][0]["paths"][2]["variant"] = json!("x");
        refused(&v, "given twice");
        v["services"][0]["paths"][2]["variant"] = json!("y");
        parse(&v).unwrap();
        // From version 5 the clerk chooses a variant by its name.
        v["version"] = json!(5);
        v["services"][0]["documents"][0] = json!({"code": "pkg", "name": {"kk": "Құжаттар", "ru": "Документы"},
            "kind": "required", "channels": ["office", "state_corporation"], "forms": [], "verified": true,
            "source": "Стандарт, 9-тармақ"});
        refused(&v, "a variant without its name");
        for i in [1, 2] {
            v["services"][0]["paths"][i]["variant_name"] = json!({"kk": "Бірінші жол", "ru": "Первый путь"});
        }
        parse(&v).unwrap();
        v["services"][0]["paths"][0]["variant_name"] = json!({"kk": "Жол", "ru": "Путь"});
        refused(&v, "a variant name without a variant");
    }

    #[test]
    fn documents_issued_together_state_the_results_own_facts_once() {
        let mut v = valid();
        v["services"][0]["results"][0]["fields"] = json!([
            {"key": "number", "label": {"kk": "Нөмірі", "ru": "Номер"}, "kind": "text"},
            {"key": "amount", "label": {"kk": "Сома", "ru": "Сумма"}, "kind": "money"}]);
        let part = |fields: Value| json!({"kind": "decision", "name": {"kk": "Шешім", "ru": "Решение"}, "form": null, "fields": fields});
        v["services"][0]["results"][0]["together"] = json!([part(json!(["amount"]))]);
        parse(&v).unwrap();
        v["services"][0]["results"][0]["together"] = json!([part(json!(["amount"])), part(json!(["amount"]))]);
        refused(&v, "stated by two parts");
        v["services"][0]["results"][0]["together"] = json!([part(json!(["nothing"]))]);
        refused(&v, "unknown");
        let mut referral = part(json!([]));
        referral["kind"] = json!("referral");
        v["services"][0]["results"][0]["together"] = json!([referral]);
        refused(&v, "cannot be issued together");
    }

    #[test]
    fn empty_names_and_mixed_script_are_refused() {
        let mut v = valid();
        v["services"][0]["name"]["ru"] = json!("  ");
        refused(&v, "empty text");
        let mut v = valid();
        // Latin "i" inside a Kazakh word (seeds-digest §7).
        v["services"][0]["name"]["kk"] = json!("Патронат тәрбиешiлерге");
        refused(&v, "mixes Latin and Cyrillic");
    }

    #[test]
    fn malformed_forms_norms_and_steps_are_refused() {
        let mut v = valid();
        v["services"][0]["results"][0]["form"] = json!("app. 1");
        refused(&v, "is not \"Std app. N\"");
        let mut v = valid();
        v["services"][0]["intake"][1]["refusal_receipt"] = json!("Std app. 03");
        refused(&v, "is not \"Std app. N\"");
        let mut v = valid();
        v["services"][0]["paths"][0]["steps"][0]["norm"] = json!({"minutes": 0});
        refused(&v, "norm of zero");
        let mut v = valid();
        v["services"][0]["paths"][0]["steps"][0]["norm"] = json!({"weeks": 1});
        refused(&v, "unknown variant");
        let mut v = valid();
        v["services"][0]["paths"][0]["steps"][1]["norm"] = json!({"hours": 1});
        refused(&v, "both a norm and parts");
        let mut v = valid();
        v["services"][0]["paths"][0]["steps"][1]["n"] = json!("1");
        refused(&v, "repeated step label");
        let mut v = valid();
        v["services"][0]["paths"][0]["steps"] = json!([]);
        refused(&v, "has no steps");
    }

    /// The small catalog in the form of version 3: kinds, verified flags
    /// and sources.
    fn with_kinds() -> Value {
        let mut v = valid();
        v["version"] = json!(3);
        let b = |t: &str| json!({"kk": t, "ru": t});
        v["services"][0]["documents"] = json!([
            {"code": "pkg", "name": b("Өтініш"), "kind": "required", "channels": ["office", "state_corporation"],
             "forms": ["Std app. 2"], "verified": true, "source": "Std para 9"},
            {"code": "birth", "name": b("Туу туралы куәлік"), "kind": "required_unless_in_is",
             "channels": ["office"], "forms": [], "verified": false, "source": "egov.kz"},
            {"code": "consent", "name": b("Жұбайының келісімі"), "kind": "conditional",
             "condition": {"kk": "некеде тұрса", "ru": "если состоит в браке"},
             "channels": ["office"], "forms": [], "verified": false, "source": "egov.kz"},
            {"code": "extra", "name": b("Анықтама"), "kind": "optional", "channels": ["office"], "forms": [],
             "verified": true, "source": "Std para 9"}]);
        v
    }

    #[test]
    fn documents_carry_their_kind_verification_and_source() {
        let c = parse(&with_kinds()).unwrap();
        let docs = &c.services[0].documents;
        assert_eq!(docs[0].kind, DocumentKind::Required);
        assert_eq!(docs[1].kind, DocumentKind::RequiredUnlessInIs);
        assert!(!docs[1].verified);
        assert_eq!(docs[2].kind.condition().map(|c| c.ru.as_str()), Some("если состоит в браке"));
        assert_eq!(docs[3].kind, DocumentKind::Optional);
        assert_eq!(docs[0].source.as_deref(), Some("Std para 9"));
        // What is written is what is read back.
        assert_eq!(parse(&serde_json::to_value(&c).unwrap()).unwrap(), c);
        // The old form of versions 1 and 2 still reads, as the registries keep them.
        let old = parse(&valid()).unwrap();
        assert_eq!(old.services[0].documents[0].kind, DocumentKind::Required);
        assert!(old.services[0].documents[0].verified);
        assert_eq!(parse(&serde_json::to_value(&old).unwrap()).unwrap(), old);
    }

    #[test]
    fn malformed_document_kinds_are_refused() {
        let mut v = with_kinds();
        v["services"][0]["documents"][2].as_object_mut().unwrap().remove("condition");
        refused(&v, "needs its `condition`");
        let mut v = with_kinds();
        v["services"][0]["documents"][0]["condition"] = json!({"kk": "а", "ru": "а"});
        refused(&v, "only a conditional document");
        let mut v = with_kinds();
        v["services"][0]["documents"][2]["condition"]["kk"] = json!(" ");
        refused(&v, "condition has an empty text");
        let mut v = with_kinds();
        v["services"][0]["documents"][0]["kind"] = json!("mandatory");
        refused(&v, "unknown variant");
        let mut v = with_kinds();
        v["services"][0]["documents"][0]["required"] = json!(true);
        refused(&v, "both `required` and `kind`");
        let mut v = with_kinds();
        v["services"][0]["documents"][0].as_object_mut().unwrap().remove("kind");
        refused(&v, "missing field `kind`");
        let mut v = with_kinds();
        v["services"][0]["documents"][0].as_object_mut().unwrap().remove("verified");
        refused(&v, "missing field `verified`");
        let mut v = with_kinds();
        v["services"][0]["documents"][0]["verified"] = json!("yes");
        refused(&v, "invalid type");
        let mut v = with_kinds();
        v["services"][0]["documents"][0]["source"] = json!("  ");
        refused(&v, "empty source");
        let mut v = with_kinds();
        v["services"][0]["documents"][0].as_object_mut().unwrap().remove("source");
        refused(&v, "no source");
        let mut v = with_kinds();
        v["services"][0]["documents"][0]["sourse"] = json!("x");
        refused(&v, "unknown field");
        // The old form is refused from version 3 on, and never mixed with the new fields.
        let mut v = valid();
        v["version"] = json!(3);
        refused(&v, "no source");
        let mut v = valid();
        v["services"][0]["documents"][0]["verified"] = json!(true);
        refused(&v, "the old form");
    }

    #[test]
    fn changes_between_versions_are_named_by_service() {
        let old = Catalog::parse(SHIPPED).unwrap();
        let mut new = old.clone();
        new.version += 1;
        let removed = new.services.remove(1).code;
        new.services[0].name.ru.push_str(" (изм.)");
        let mut added = new.services[0].clone();
        added.code = "new_service".into();
        new.services.push(added);
        let changes = CatalogChanges::between(&old, &new);
        assert_eq!(changes.added, ["new_service"]);
        assert_eq!(changes.removed, [removed]);
        assert_eq!(changes.changed, [old.services[0].code.clone()]);
        assert_eq!(CatalogChanges::between(&old, &old), CatalogChanges::default());
    }
}
