//! The preschool queue: who stands ahead of whom, who receives a free place,
//! how a referral lives and ends, and why a child's number changed.
//!
//! One queue per birth year. Inside it, children are ordered by their
//! effective tier (extraordinary, then first priority mixed with the general
//! queue `priority : general`, 1:3 by default) and, inside a tier, by the
//! immutable moment of application to the second, then by the application's
//! id (the registry's insertion order) — so two applications in the same
//! second keep the order in which the office registered them.
//!
//! Everything that varies by year or region is data ([`QueueRules`], loaded
//! from `assets/queue/rules.json`). Where the rules are unclear the stricter
//! reading is taken and written next to the code:
//! - the age limit counts by calendar year and excludes the limit itself
//!   (`year - birth_year < upper_age`, 6 by default: a child who turns 6 this
//!   year goes to school preparation, not to a kindergarten group);
//! - claimed priority counts only once an officer confirmed the evidence,
//!   and only until the evidence expires; otherwise the child stands in the
//!   general queue;
//! - a referral presented at the kindergarten no longer expires; one that was
//!   not presented expires after its last valid day.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::error::Error;
use crate::lang::Bilingual;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Extraordinary,
    First,
    General,
}

impl Tier {
    pub fn code(self) -> &'static str {
        match self {
            Tier::Extraordinary => "extraordinary",
            Tier::First => "first",
            Tier::General => "general",
        }
    }

    pub fn parse(code: &str) -> Option<Tier> {
        [Tier::Extraordinary, Tier::First, Tier::General].into_iter().find(|t| t.code() == code)
    }
}

/// A priority category as the rules list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub tier: Tier,
    pub name: Bilingual,
    /// How long the evidence (e.g. a work certificate) stays valid after its
    /// issue; `None` when it does not expire (an orphan's status).
    pub evidence_valid_days: Option<u32>,
}

/// The months and days (inclusive) when no distribution runs, e.g. the
/// August group transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freeze {
    pub from: (u32, u32),
    pub to: (u32, u32),
}

impl Freeze {
    pub fn covers(&self, d: NaiveDate) -> bool {
        let md = (d.month(), d.day());
        if self.from <= self.to {
            self.from <= md && md <= self.to
        } else {
            md >= self.from || md <= self.to
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRules {
    pub version: u32,
    /// Eligible while `year - birth_year < upper_age`.
    pub upper_age: i32,
    /// Priority children taken per `general` general-queue children.
    pub mixing_priority: u32,
    pub mixing_general: u32,
    pub max_preferences: usize,
    pub referral_valid_working_days: u32,
    pub stop_list_days: u32,
    /// Whether a parent's refusal of a referral removes the child from the
    /// queue (the voucher model) or returns it to its place.
    pub parent_refusal_removes: bool,
    pub freeze: Option<Freeze>,
    pub categories: Vec<Category>,
}

pub const GENERAL: &str = "general";

/// Ten years, in days: the longest evidence validity or stop list the rules
/// may set.
pub const MAX_SPAN_DAYS: u32 = 3653;

impl QueueRules {
    /// The rules shipped in `assets/queue/rules.json`: those of a catalog
    /// written before version 7, which did not carry them
    /// (`Catalog::queue_rules`); the shipped catalog carries the same.
    pub fn shipped() -> Result<QueueRules, Error> {
        QueueRules::parse(include_str!("../../../assets/queue/rules.json"))
    }

    pub fn parse(json: &str) -> Result<QueueRules, Error> {
        let rules: QueueRules = serde_json::from_str(json).map_err(|e| Error::Catalog(format!("queue rules: {e}")))?;
        rules.validate()?;
        Ok(rules)
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let bad = |m: &str| Err(Error::Catalog(format!("queue rules: {m}")));
        if self.version != 1 {
            return bad("unknown version");
        }
        if !(1..=7).contains(&self.upper_age) {
            return bad("upper_age must be 1..=7");
        }
        if self.mixing_priority == 0 || self.mixing_general == 0 {
            return bad("mixing shares must be positive");
        }
        if !(1..=10).contains(&self.max_preferences) || !(1..=30).contains(&self.referral_valid_working_days) {
            return bad("max_preferences or referral validity out of range");
        }
        // Longer spans mean nothing to an office and would carry dates past
        // what the registry stores.
        if self.stop_list_days > MAX_SPAN_DAYS
            || self.categories.iter().any(|c| c.evidence_valid_days.is_some_and(|d| d > MAX_SPAN_DAYS))
        {
            return bad("stop list or evidence validity longer than ten years");
        }
        let mut seen = BTreeSet::new();
        for c in &self.categories {
            if !seen.insert(c.code.as_str()) || c.name.kk.trim().is_empty() || c.name.ru.trim().is_empty() {
                return bad("category codes must be unique and named in both languages");
            }
        }
        match self.category(GENERAL) {
            Some(c) if c.tier == Tier::General && c.evidence_valid_days.is_none() => Ok(()),
            _ => bad("the general category must exist, be general and need no evidence"),
        }
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// Whether a child born in `birth_year` may be queued or placed in the
    /// calendar year of `on`.
    pub fn age_allows(&self, birth_year: i32, on: NaiveDate) -> bool {
        // Checked: the year may come from a request, not only from a date.
        on.year().checked_sub(birth_year).is_some_and(|age| (0..self.upper_age).contains(&age))
    }

    /// The tier a child stands in: the claimed category's, while its
    /// evidence is confirmed and valid on `on`; general otherwise.
    pub fn effective_tier(&self, category: &str, evidence: Option<&Evidence>, on: NaiveDate) -> Tier {
        let Some(c) = self.category(category) else { return Tier::General };
        if c.tier == Tier::General {
            return Tier::General;
        }
        match evidence {
            Some(e) if e.valid_until.is_none_or(|until| on <= until) => c.tier,
            _ => Tier::General,
        }
    }

    /// The last day the evidence counts: its issue date plus the category's
    /// validity, but never later than the officer's own reading of it.
    pub fn evidence_until(&self, category: &str, issued_on: NaiveDate) -> Option<NaiveDate> {
        self.category(category)
            .and_then(|c| c.evidence_valid_days)
            // A typed issue date can lie at the end of the calendar; the
            // evidence then counts to that end instead of overflowing.
            .map(|days| issued_on.checked_add_signed(Duration::days(i64::from(days))).unwrap_or(NaiveDate::MAX))
    }

    /// The last day a referral issued at `issued_at` may be presented.
    pub fn referral_valid_until(&self, cal: &WorkingCalendar, issued_at: NaiveDateTime) -> NaiveDate {
        cal.add_working_days(issued_at, self.referral_valid_working_days).date()
    }

    /// The last day of the stop list after a referral expired at the end of
    /// `valid_until`; the child is back in the queue the day after.
    pub fn stop_list_until(&self, valid_until: NaiveDate) -> NaiveDate {
        valid_until.checked_add_signed(Duration::days(i64::from(self.stop_list_days))).unwrap_or(NaiveDate::MAX)
    }
}

/// The catalog code of the preschool queue service.
pub const QUEUE_SERVICE: &str = "preschool_queue";
const MAX_COMMISSION_DECISION: usize = 200;

/// The queue's part of the registration form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueClaimDraft {
    /// A category code; empty means the general queue.
    #[serde(default)]
    pub category: String,
    /// Kindergarten ids in the parent's order.
    #[serde(default)]
    pub preferences: Vec<i64>,
    /// ISO date, or empty.
    #[serde(default)]
    pub desired_start: String,
    /// Number and date of the commission's decision, for special groups.
    #[serde(default)]
    pub commission_decision: String,
}

/// A checked queue claim. The category is what the parent claims; it counts
/// only after an officer confirms the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueClaim {
    pub category: String,
    pub preferences: Vec<i64>,
    pub desired_start: Option<NaiveDate>,
    pub commission_decision: Option<String>,
}

impl QueueClaim {
    /// The claim of a complete preschool queue application, checked against
    /// the rules; `None` for other services and for a package refused at
    /// intake (nothing is queued then). A claim sent with another service is
    /// refused rather than silently dropped.
    pub fn for_application(
        app: &crate::application::NewApplication,
        draft: Option<&QueueClaimDraft>,
        rules: &QueueRules,
        today: NaiveDate,
    ) -> Result<Option<QueueClaim>, Error> {
        use crate::error::Field;
        if app.service_code != QUEUE_SERVICE {
            return match draft {
                Some(_) => Err(Error::NotQueueService),
                None => Ok(None),
            };
        }
        if app.intake() != crate::workflow::Status::Accepted {
            return Ok(None);
        }
        let Some(child) = &app.child else { return Err(Error::Required(Field::ChildIin)) };
        if !rules.age_allows(child.birth_date.year(), today) {
            return Err(Error::AgeLimit { upper: rules.upper_age });
        }
        let empty = QueueClaimDraft::default();
        let d = draft.unwrap_or(&empty);
        let category = match d.category.trim() {
            "" => GENERAL.to_owned(),
            c if rules.category(c).is_some() => c.to_owned(),
            c => return Err(Error::UnknownCategory(c.chars().take(40).collect())),
        };
        let unique: BTreeSet<i64> = d.preferences.iter().copied().collect();
        if d.preferences.len() > rules.max_preferences || unique.len() != d.preferences.len() {
            return Err(Error::TooManyPreferences { max: rules.max_preferences });
        }
        if d.preferences.iter().any(|id| *id <= 0) {
            return Err(Error::UnknownKindergarten);
        }
        let desired_start = match d.desired_start.trim() {
            "" => None,
            s => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::DateFormat(Field::DesiredStart))?),
        };
        let decision = crate::application::optional_text(
            Field::CommissionDecision,
            &d.commission_decision,
            MAX_COMMISSION_DECISION,
        )?;
        Ok(Some(QueueClaim {
            category,
            preferences: d.preferences.clone(),
            desired_start,
            commission_decision: (!decision.is_empty()).then_some(decision),
        }))
    }
}

/// Confirmed priority evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum EntryState {
    Waiting,
    /// Holding a live referral.
    Referred,
    StopListed {
        until: NaiveDate,
    },
    Enrolled,
    /// Left the queue: withdrawn, refused a referral, or aged out.
    Removed,
}

impl EntryState {
    pub fn code(self) -> &'static str {
        match self {
            EntryState::Waiting => "waiting",
            EntryState::Referred => "referred",
            EntryState::StopListed { .. } => "stop_listed",
            EntryState::Enrolled => "enrolled",
            EntryState::Removed => "removed",
        }
    }
}

/// One child in the queue, as the ordering needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// The application's id: unique, and the last tie-breaker.
    pub id: i64,
    pub birth_year: i32,
    /// The application's registration moment; never changes.
    pub registered_at: NaiveDateTime,
    /// The tier the child currently stands in (see
    /// [`QueueRules::effective_tier`]); stored, so that the order changes
    /// only through recorded events.
    pub tier: Tier,
    /// Kindergarten ids in the parent's order; empty means any.
    pub preferences: Vec<i64>,
    pub desired_start: Option<NaiveDate>,
    /// A psychological-medical-pedagogical commission decision is recorded.
    pub special_needs: bool,
    pub state: EntryState,
}

impl QueueEntry {
    fn key(&self) -> (NaiveDateTime, i64) {
        (self.registered_at, self.id)
    }
}

/// The waiting children of one birth year in queue order.
pub fn order<'a>(entries: impl IntoIterator<Item = &'a QueueEntry>, rules: &QueueRules) -> Vec<&'a QueueEntry> {
    let mut tiers: [Vec<&QueueEntry>; 3] = Default::default();
    for e in entries.into_iter().filter(|e| e.state == EntryState::Waiting) {
        let i = match e.tier {
            Tier::Extraordinary => 0,
            Tier::First => 1,
            Tier::General => 2,
        };
        tiers[i].push(e);
    }
    for t in &mut tiers {
        t.sort_unstable_by_key(|e| e.key());
    }
    let [extra, first, general] = tiers;
    let mut out = Vec::with_capacity(extra.len() + first.len() + general.len());
    out.extend(extra);
    let (p, g) = (rules.mixing_priority as usize, rules.mixing_general as usize);
    let (mut fi, mut gi) = (first.into_iter().peekable(), general.into_iter().peekable());
    // Priority first in each round: a lone priority applicant is never
    // behind three general ones who came earlier.
    while fi.peek().is_some() || gi.peek().is_some() {
        out.extend(fi.by_ref().take(p));
        out.extend(gi.by_ref().take(g));
    }
    out
}

/// Every waiting child's number in its birth year's queue (1-based).
pub fn positions(entries: &[QueueEntry], rules: &QueueRules) -> HashMap<i64, u32> {
    let mut by_year: BTreeMap<i32, Vec<&QueueEntry>> = BTreeMap::new();
    for e in entries {
        by_year.entry(e.birth_year).or_default().push(e);
    }
    let mut out = HashMap::with_capacity(entries.len());
    for year in by_year.values() {
        for (i, e) in order(year.iter().copied(), rules).into_iter().enumerate() {
            out.insert(e.id, i as u32 + 1);
        }
    }
    out
}

/// A child whose number differs between two computations of [`positions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionChange {
    pub entry: i64,
    pub from: Option<u32>,
    pub to: Option<u32>,
}

/// The differences between two position maps, sorted by entry id so that
/// the recorded history is deterministic.
pub fn changes(before: &HashMap<i64, u32>, after: &HashMap<i64, u32>) -> Vec<PositionChange> {
    let mut out: Vec<PositionChange> = before
        .iter()
        .filter(|(id, p)| after.get(id) != Some(p))
        .map(|(id, p)| PositionChange { entry: *id, from: Some(*p), to: after.get(id).copied() })
        .chain(after.iter().filter(|(id, _)| !before.contains_key(id)).map(|(id, p)| PositionChange {
            entry: *id,
            from: None,
            to: Some(*p),
        }))
        .collect();
    out.sort_unstable_by_key(|c| c.entry);
    out
}

/// What happened to a child (the subject) that moved numbers or changed its
/// standing. The child's own history reads the cause as "mine", everyone
/// else's as "this happened to a child ahead of / near you", with the
/// subject's application number.
///
/// A change of standing that moves no number (a referred child has none) is
/// recorded all the same, as the child's own row: the history of a child on
/// the stop list or out of the queue says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    Registered,
    PriorityConfirmed,
    PriorityExpired,
    Referred,
    ReferralCancelled,
    ReturnedFromStopList,
    Withdrawn,
    AgedOut,
    RefusedReferral,
    /// The child's data were corrected (a birth date moves it to another
    /// birth year's queue).
    Corrected,
    /// The referral was not presented in time: the child is on the stop list.
    ReferralExpired,
    /// The child was enrolled in the kindergarten of its referral.
    Enrolled,
    /// The child was enrolled elsewhere through a later application; this
    /// application's place was freed and its entry left the queue.
    Transferred,
    /// The parent refused the referral and, under the rules' voucher model,
    /// the child left the queue.
    RemovedByRefusal,
    /// Children were brought in from the office's list kept before Kense,
    /// each at the moment of its original application.
    Imported,
    /// The office's catalog brought new queue rules (shares, age limit,
    /// tiers): every waiting child's number put right under them.
    RulesChanged,
}

impl Cause {
    pub const ALL: [Cause; 16] = [
        Cause::Registered,
        Cause::PriorityConfirmed,
        Cause::PriorityExpired,
        Cause::Referred,
        Cause::ReferralCancelled,
        Cause::ReturnedFromStopList,
        Cause::Withdrawn,
        Cause::AgedOut,
        Cause::RefusedReferral,
        Cause::Corrected,
        Cause::ReferralExpired,
        Cause::Enrolled,
        Cause::Transferred,
        Cause::RemovedByRefusal,
        Cause::Imported,
        Cause::RulesChanged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Cause::Registered => "registered",
            Cause::PriorityConfirmed => "priority_confirmed",
            Cause::PriorityExpired => "priority_expired",
            Cause::Referred => "referred",
            Cause::ReferralCancelled => "referral_cancelled",
            Cause::ReturnedFromStopList => "returned_from_stop_list",
            Cause::Withdrawn => "withdrawn",
            Cause::AgedOut => "aged_out",
            Cause::RefusedReferral => "refused_referral",
            Cause::Corrected => "corrected",
            Cause::ReferralExpired => "referral_expired",
            Cause::Enrolled => "enrolled",
            Cause::Transferred => "transferred",
            Cause::RemovedByRefusal => "removed_by_refusal",
            Cause::Imported => "imported",
            Cause::RulesChanged => "rules_changed",
        }
    }

    pub fn parse(code: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.code() == code)
    }

    /// As printed in a child's history (the window has the same words).
    pub fn name(self) -> Bilingual {
        let (kk, ru) = match self {
            Cause::Registered => ("кезекке қойылды", "поставлен в очередь"),
            Cause::PriorityConfirmed => ("басымдық расталды", "подтверждён приоритет"),
            Cause::PriorityExpired => ("басымдық мерзімі өтті", "истёк срок приоритета"),
            Cause::Referred => ("жолдама берілді", "выдано направление"),
            Cause::ReferralCancelled => {
                ("жолдама күшін жойды, бала кезекке оралды", "направление отменено, ребёнок вернулся в очередь")
            }
            Cause::ReturnedFromStopList => ("стоп-парақтан кезекке оралды", "вернулся в очередь из стоп-листа"),
            Cause::Withdrawn => ("өтініш кері қайтарылды", "заявление отозвано"),
            Cause::AgedOut => ("жас шегінен асты", "превышен возрастной предел"),
            Cause::RefusedReferral => ("ата-ана жолдамадан бас тартты", "родитель отказался от направления"),
            Cause::Corrected => ("бала деректері түзетілді", "исправлены данные ребёнка"),
            Cause::ReferralExpired => (
                "жолдама мерзімі өтті, бала стоп-параққа енгізілді",
                "срок направления истёк, ребёнок включён в стоп-лист",
            ),
            Cause::Enrolled => ("балабақшаға қабылданды", "зачислен в детский сад"),
            Cause::Transferred => (
                "басқа өтініш бойынша балабақшаға қабылданды, бұл өтініш кезектен шығарылды",
                "зачислен в детский сад по другому заявлению, это заявление снято с очереди",
            ),
            Cause::RemovedByRefusal => (
                "ата-ана жолдамадан бас тартты, бала кезектен шығарылды",
                "родитель отказался от направления, ребёнок снят с очереди",
            ),
            Cause::Imported => ("бұрынғы кезек тізімінен әкелінді", "перенесён из прежнего списка очереди"),
            Cause::RulesChanged => ("кезек ережелері өзгерді", "изменены правила очереди"),
        };
        Bilingual::new(kk, ru)
    }
}

/// A declared free place in a group for children of one birth year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreePlace {
    pub id: i64,
    pub kindergarten: i64,
    pub birth_year: i32,
    /// A correctional group: only for a child with a commission decision.
    pub special: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub place: i64,
    pub entry: i64,
}

/// Gives the free places to children: each birth year's queue is walked in
/// order and each child, when eligible on `today`, receives the free place in
/// its most preferred kindergarten (any kindergarten when it named none).
///
/// So no place goes to a child while an earlier child who would have taken
/// it waits without one, no child receives two places, and the same data
/// always gives the same result. Refused during a freeze.
pub fn distribute(
    entries: &[QueueEntry],
    places: &[FreePlace],
    rules: &QueueRules,
    today: NaiveDate,
) -> Result<Vec<Assignment>, Error> {
    if rules.freeze.is_some_and(|f| f.covers(today)) {
        return Err(Error::QueueFrozen);
    }
    // Remaining places of one birth year, indexed by kindergarten; a BTreeSet
    // of (special, id) takes ordinary places before special ones and the
    // lowest id first, which keeps the result reproducible.
    let mut by_year: BTreeMap<i32, BTreeMap<i64, BTreeSet<(bool, i64)>>> = BTreeMap::new();
    for p in places {
        by_year.entry(p.birth_year).or_default().entry(p.kindergarten).or_default().insert((p.special, p.id));
    }
    let mut queues: HashMap<i32, Vec<&QueueEntry>> = HashMap::new();
    for e in entries {
        if by_year.contains_key(&e.birth_year) {
            queues.entry(e.birth_year).or_default().push(e);
        }
    }
    let mut out = Vec::new();
    for (year, mut free) in by_year {
        if !rules.age_allows(year, today) {
            continue;
        }
        let mut left: usize = free.values().map(BTreeSet::len).sum();
        let queue = queues.remove(&year).unwrap_or_default();
        for child in order(queue, rules) {
            if left == 0 {
                break;
            }
            if child.desired_start.is_some_and(|d| d > today) {
                continue;
            }
            let fits = |p: &(bool, i64)| !p.0 || child.special_needs;
            let pick = if child.preferences.is_empty() {
                free.iter().find_map(|(kg, set)| set.iter().find(|p| fits(p)).map(|p| (*kg, *p)))
            } else {
                child
                    .preferences
                    .iter()
                    .find_map(|kg| free.get(kg).and_then(|set| set.iter().find(|p| fits(p)).map(|p| (*kg, *p))))
            };
            if let Some((kg, place)) = pick {
                if let Some(set) = free.get_mut(&kg) {
                    set.remove(&place);
                }
                left -= 1;
                out.push(Assignment { place: place.1, entry: child.id });
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Issued,
    /// The parent brought it to the kindergarten; enrolment may take time.
    Presented,
    Enrolled,
    Expired,
    RefusedByParent,
    Cancelled,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 6] = [
        ReferralStatus::Issued,
        ReferralStatus::Presented,
        ReferralStatus::Enrolled,
        ReferralStatus::Expired,
        ReferralStatus::RefusedByParent,
        ReferralStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Issued => "issued",
            ReferralStatus::Presented => "presented",
            ReferralStatus::Enrolled => "enrolled",
            ReferralStatus::Expired => "expired",
            ReferralStatus::RefusedByParent => "refused_by_parent",
            ReferralStatus::Cancelled => "cancelled",
        }
    }

    /// What a person reads (as the window words it).
    pub fn name(self) -> Bilingual {
        let (kk, ru) = match self {
            ReferralStatus::Issued => ("берілді", "выдано"),
            ReferralStatus::Presented => ("балабақшаға ұсынылды", "предъявлено в детский сад"),
            ReferralStatus::Enrolled => ("бала қабылданды", "ребёнок зачислен"),
            ReferralStatus::Expired => ("мерзімі өтті", "истёк срок"),
            ReferralStatus::RefusedByParent => ("ата-ана бас тартты", "отказ родителя"),
            ReferralStatus::Cancelled => ("күші жойылды", "отменено"),
        };
        Bilingual::new(kk, ru)
    }

    pub fn parse(code: &str) -> Option<ReferralStatus> {
        ReferralStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still holding its place.
    pub fn is_live(self) -> bool {
        matches!(self, ReferralStatus::Issued | ReferralStatus::Presented)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStep {
    Present,
    Enrol,
    RefuseByParent,
    Cancel,
    /// Taken by the office's clock, never by a person.
    Expire,
}

impl ReferralStep {
    pub fn code(self) -> &'static str {
        match self {
            ReferralStep::Present => "present",
            ReferralStep::Enrol => "enrol",
            ReferralStep::RefuseByParent => "refuse_by_parent",
            ReferralStep::Cancel => "cancel",
            ReferralStep::Expire => "expire",
        }
    }

    pub fn parse(code: &str) -> Option<ReferralStep> {
        [Self::Present, Self::Enrol, Self::RefuseByParent, Self::Cancel, Self::Expire]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// What a referral step does to the referral, the child and the place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralOutcome {
    pub status: ReferralStatus,
    pub entry: EntryState,
    /// The place goes back to the free pool (else it is filled or still held).
    pub place_freed: bool,
    /// The place is now taken for good: the group's occupancy grows.
    pub place_filled: bool,
}

/// The referral state machine. `valid_until` is the referral's last day and
/// `today` the office's date; an expiry before the end of `valid_until` or a
/// step out of a final state is refused.
pub fn referral_next(
    status: ReferralStatus,
    step: ReferralStep,
    rules: &QueueRules,
    valid_until: NaiveDate,
    today: NaiveDate,
) -> Option<ReferralOutcome> {
    use ReferralStatus as S;
    use ReferralStep as T;
    let out =
        |status, entry, place_freed, place_filled| Some(ReferralOutcome { status, entry, place_freed, place_filled });
    match (status, step) {
        (S::Issued, T::Present) => out(S::Presented, EntryState::Referred, false, false),
        (S::Issued | S::Presented, T::Enrol) => out(S::Enrolled, EntryState::Enrolled, false, true),
        (S::Issued | S::Presented, T::RefuseByParent) => {
            let entry = if rules.parent_refusal_removes { EntryState::Removed } else { EntryState::Waiting };
            out(S::RefusedByParent, entry, true, false)
        }
        (S::Issued | S::Presented, T::Cancel) => out(S::Cancelled, EntryState::Waiting, true, false),
        (S::Issued, T::Expire) if today > valid_until => {
            out(S::Expired, EntryState::StopListed { until: rules.stop_list_until(valid_until) }, true, false)
        }
        (S::Issued, T::Expire) => None,
        (S::Presented, T::Present | T::Expire) => None,
        (S::Enrolled | S::Expired | S::RefusedByParent | S::Cancelled, _) => None,
    }
}

/// A kindergarten as typed by the head or the administrator.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindergartenDraft {
    pub name_kk: String,
    pub name_ru: String,
    #[serde(default)]
    pub address_kk: String,
    #[serde(default)]
    pub address_ru: String,
    /// "state" or "private".
    pub ownership: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kindergarten {
    pub name: Bilingual,
    pub address: Bilingual,
    pub ownership: &'static str,
}

impl Kindergarten {
    pub fn validate(d: &KindergartenDraft) -> Result<Kindergarten, Error> {
        use crate::application::{optional_text, required_text, MAX_ADDRESS, MAX_NAME};
        use crate::error::Field;
        let name = Bilingual::new(
            required_text(Field::KindergartenNameKk, &d.name_kk, MAX_NAME)?,
            required_text(Field::KindergartenNameRu, &d.name_ru, MAX_NAME)?,
        );
        let address = Bilingual::new(
            optional_text(Field::KindergartenAddress, &d.address_kk, MAX_ADDRESS)?,
            optional_text(Field::KindergartenAddress, &d.address_ru, MAX_ADDRESS)?,
        );
        let ownership = match d.ownership.as_str() {
            "state" => "state",
            "private" => "private",
            _ => return Err(Error::MalformedRequest("ownership".into())),
        };
        Ok(Kindergarten { name, address, ownership })
    }
}

/// A group of a kindergarten for children of one birth year.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDraft {
    pub kindergarten_id: i64,
    pub name: String,
    pub birth_year: i32,
    /// "kk", "ru" or "mixed".
    pub language: String,
    #[serde(default)]
    pub special: bool,
    pub capacity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub kindergarten_id: i64,
    pub name: String,
    pub birth_year: i32,
    pub language: &'static str,
    pub special: bool,
    pub capacity: i64,
}

/// Sanitary norms put groups well under this; a larger number is a typo.
pub const MAX_GROUP_CAPACITY: i64 = 100;

impl Group {
    pub fn validate(d: &GroupDraft, today: NaiveDate) -> Result<Group, Error> {
        use crate::application::required_text;
        use crate::error::Field;
        let name = required_text(Field::GroupName, &d.name, 100)?;
        let (min, max) = (today.year() - 8, today.year());
        if !(min..=max).contains(&d.birth_year) {
            return Err(Error::OutOfRange { field: Field::BirthYear, min: i64::from(min), max: i64::from(max) });
        }
        let language = match d.language.as_str() {
            "kk" => "kk",
            "ru" => "ru",
            "mixed" => "mixed",
            _ => return Err(Error::MalformedRequest("language".into())),
        };
        if !(1..=MAX_GROUP_CAPACITY).contains(&d.capacity) {
            return Err(Error::OutOfRange { field: Field::Capacity, min: 1, max: MAX_GROUP_CAPACITY });
        }
        Ok(Group {
            kindergarten_id: d.kindergarten_id,
            name,
            birth_year: d.birth_year,
            language,
            special: d.special,
            capacity: d.capacity,
        })
    }
}

/// Free places an executor declares in a group, with the protocol (or
/// other basis) that freed them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacesDraft {
    pub group_id: i64,
    pub count: i64,
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Places {
    pub group_id: i64,
    pub count: i64,
    pub protocol: String,
}

impl Places {
    pub fn validate(d: &PlacesDraft) -> Result<Places, Error> {
        use crate::application::required_text;
        use crate::error::Field;
        if !(1..=MAX_GROUP_CAPACITY).contains(&d.count) {
            return Err(Error::OutOfRange { field: Field::PlaceCount, min: 1, max: MAX_GROUP_CAPACITY });
        }
        let protocol = required_text(Field::Protocol, &d.protocol, 200)?;
        Ok(Places { group_id: d.group_id, count: d.count, protocol })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn rules() -> QueueRules {
        QueueRules::shipped().expect("shipped rules parse")
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("test moment")
    }

    fn entry(id: i64, tier: Tier, when: &str) -> QueueEntry {
        QueueEntry {
            id,
            birth_year: 2022,
            registered_at: at(when),
            tier,
            preferences: vec![],
            desired_start: None,
            special_needs: false,
            state: EntryState::Waiting,
        }
    }

    fn ids(v: &[&QueueEntry]) -> Vec<i64> {
        v.iter().map(|e| e.id).collect()
    }

    #[test]
    fn one_priority_then_three_general_extraordinary_first() {
        let r = rules();
        let mut q = Vec::new();
        // General 1..=7 came first, priority 11..=13 later, one extraordinary last.
        for i in 1..=7 {
            q.push(entry(i, Tier::General, &format!("2024-01-0{i} 10:00:00")));
        }
        for i in 11..=13 {
            q.push(entry(i, Tier::First, &format!("2024-02-0{} 10:00:00", i - 10)));
        }
        q.push(entry(21, Tier::Extraordinary, "2024-03-01 10:00:00"));
        let o = order(&q, &r);
        assert_eq!(ids(&o), vec![21, 11, 1, 2, 3, 12, 4, 5, 6, 13, 7]);
    }

    #[test]
    fn same_second_keeps_registration_order() {
        let r = rules();
        let q = vec![entry(8, Tier::General, "2024-01-01 10:00:00"), entry(5, Tier::General, "2024-01-01 10:00:00")];
        assert_eq!(ids(&order(&q, &r)), vec![5, 8]);
        let q = vec![entry(8, Tier::General, "2024-01-01 09:59:59"), entry(5, Tier::General, "2024-01-01 10:00:00")];
        assert_eq!(ids(&order(&q, &r)), vec![8, 5]);
    }

    #[test]
    fn only_waiting_children_have_numbers() {
        let r = rules();
        let mut q =
            vec![entry(1, Tier::General, "2024-01-01 10:00:00"), entry(2, Tier::General, "2024-01-02 10:00:00")];
        q[0].state = EntryState::StopListed { until: NaiveDate::from_ymd_opt(2024, 5, 1).expect("date") };
        let p = positions(&q, &r);
        assert_eq!(p.get(&2), Some(&1));
        assert_eq!(p.get(&1), None);
    }

    #[test]
    fn unconfirmed_or_expired_priority_is_general() {
        let r = rules();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(r.effective_tier("large_family", None, d("2024-01-01")), Tier::General);
        let forever = Evidence { valid_until: None };
        assert_eq!(r.effective_tier("large_family", Some(&forever), d("2030-01-01")), Tier::First);
        let until = r.evidence_until("teacher_child", d("2024-01-10"));
        assert_eq!(until, Some(d("2024-02-09")), "a work certificate is valid for 30 days");
        let ev = Evidence { valid_until: until };
        assert_eq!(r.effective_tier("teacher_child", Some(&ev), d("2024-02-09")), Tier::First);
        assert_eq!(r.effective_tier("teacher_child", Some(&ev), d("2024-02-10")), Tier::General);
        assert_eq!(r.effective_tier("military", Some(&forever), d("2024-02-10")), Tier::Extraordinary);
        assert_eq!(r.effective_tier("no_such", Some(&forever), d("2024-02-10")), Tier::General);
    }

    #[test]
    fn age_limit_counts_by_calendar_year() {
        let r = rules();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        // Born in 2020: 5 in the calendar year 2025 (even on 1 January), 6 in 2026.
        assert!(r.age_allows(2020, d("2025-12-31")));
        assert!(!r.age_allows(2020, d("2026-01-01")));
        assert!(r.age_allows(2026, d("2026-01-01")), "a newborn may be queued");
        assert!(!r.age_allows(2027, d("2026-12-31")), "not yet born");
    }

    #[test]
    fn distribution_follows_preferences_in_queue_order() {
        let r = rules();
        let mut q = vec![
            entry(1, Tier::General, "2024-01-01 10:00:00"),
            entry(2, Tier::General, "2024-01-02 10:00:00"),
            entry(3, Tier::First, "2024-01-03 10:00:00"),
        ];
        q[0].preferences = vec![20];
        q[1].preferences = vec![10, 20];
        q[2].preferences = vec![20, 10];
        let places = [
            FreePlace { id: 100, kindergarten: 10, birth_year: 2022, special: false },
            FreePlace { id: 101, kindergarten: 20, birth_year: 2022, special: false },
        ];
        let today = NaiveDate::from_ymd_opt(2025, 3, 3).expect("date");
        let a = distribute(&q, &places, &r, today).expect("not frozen");
        // Order is 3 (priority), 1, 2: 3 takes kindergarten 20, 1 wants only
        // 20 and waits, 2 takes 10.
        assert_eq!(a, vec![Assignment { place: 101, entry: 3 }, Assignment { place: 100, entry: 2 }]);
    }

    #[test]
    fn special_places_need_a_commission_decision_and_desired_start_is_respected() {
        let r = rules();
        let mut q =
            vec![entry(1, Tier::General, "2024-01-01 10:00:00"), entry(2, Tier::General, "2024-01-02 10:00:00")];
        q[0].desired_start = NaiveDate::from_ymd_opt(2025, 9, 1);
        q[1].special_needs = true;
        let places = [FreePlace { id: 7, kindergarten: 1, birth_year: 2022, special: true }];
        let today = NaiveDate::from_ymd_opt(2025, 3, 3).expect("date");
        assert_eq!(distribute(&q, &places, &r, today), Ok(vec![Assignment { place: 7, entry: 2 }]));
        q[1].special_needs = false;
        assert_eq!(distribute(&q, &places, &r, today), Ok(vec![]));
    }

    #[test]
    fn freeze_refuses_distribution() {
        let mut r = rules();
        r.freeze = Some(Freeze { from: (8, 1), to: (8, 31) });
        let aug = NaiveDate::from_ymd_opt(2025, 8, 15).expect("date");
        assert_eq!(distribute(&[], &[], &r, aug), Err(Error::QueueFrozen));
        let sep = NaiveDate::from_ymd_opt(2025, 9, 1).expect("date");
        assert_eq!(distribute(&[], &[], &r, sep), Ok(vec![]));
        let winter = Freeze { from: (12, 30), to: (1, 2) };
        assert!(winter.covers(NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")));
        assert!(!winter.covers(NaiveDate::from_ymd_opt(2026, 1, 3).expect("date")));
    }

    #[test]
    fn referral_lifecycle() {
        let r = rules();
        let until = NaiveDate::from_ymd_opt(2025, 3, 7).expect("date");
        let same = until;
        let after = until.succ_opt().expect("date");
        use ReferralStatus as S;
        use ReferralStep as T;
        assert_eq!(referral_next(S::Issued, T::Expire, &r, until, same), None, "valid through its last day");
        let expired = referral_next(S::Issued, T::Expire, &r, until, after).expect("expires");
        assert_eq!(expired.status, S::Expired);
        assert_eq!(
            expired.entry,
            EntryState::StopListed { until: NaiveDate::from_ymd_opt(2025, 3, 17).expect("date") }
        );
        assert!(expired.place_freed);
        assert_eq!(referral_next(S::Presented, T::Expire, &r, until, after), None, "presented does not expire");
        let enrolled = referral_next(S::Presented, T::Enrol, &r, until, after).expect("enrols");
        assert!(enrolled.place_filled && !enrolled.place_freed);
        let refused = referral_next(S::Issued, T::RefuseByParent, &r, until, same).expect("refuses");
        assert_eq!(refused.entry, EntryState::Removed);
        for s in [S::Enrolled, S::Expired, S::RefusedByParent, S::Cancelled] {
            for t in [T::Present, T::Enrol, T::RefuseByParent, T::Cancel, T::Expire] {
                assert_eq!(referral_next(s, t, &r, until, after), None, "{s:?} is final");
            }
        }
    }

    #[test]
    fn expiry_across_a_holiday() {
        let cal = WorkingCalendar::parse(include_str!("../../../assets/calendar/kz.json")).expect("calendar");
        let r = rules();
        // Issued Thursday 20 March 2025, the eve of Nauryz: the five working
        // days skip the holiday and the weekend.
        let issued = at("2025-03-20 11:00:00");
        let until = r.referral_valid_until(&cal, issued);
        let mut expected = issued.date();
        for _ in 0..5 {
            expected = cal.next_working_day(expected);
        }
        assert_eq!(until, expected);
        assert!(until - issued.date() > Duration::days(7), "holidays stretch the validity: {until}");
    }

    #[test]
    fn every_cause_has_a_code_that_reads_back_and_names_in_both_languages() {
        let mut codes = BTreeSet::new();
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.code()), Some(c));
            assert!(codes.insert(c.code()), "{} twice", c.code());
            let name = c.name();
            assert!(!name.kk.is_empty() && !name.ru.is_empty() && name.kk != name.ru, "{c:?}");
        }
        assert_eq!(Cause::parse("no_such"), None);
    }

    #[test]
    fn changes_list_moves_arrivals_and_departures() {
        let before: HashMap<i64, u32> = [(1, 1), (2, 2), (3, 3)].into();
        let after: HashMap<i64, u32> = [(4, 1), (1, 2), (3, 3)].into();
        assert_eq!(
            changes(&before, &after),
            vec![
                PositionChange { entry: 1, from: Some(1), to: Some(2) },
                PositionChange { entry: 2, from: Some(2), to: None },
                PositionChange { entry: 4, from: None, to: Some(1) },
            ]
        );
    }
}
