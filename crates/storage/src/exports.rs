//! What left the registry as a file: every export is recorded with its
//! kind, period, file name, SHA-256 and row count, and one that carries
//! people's data is marked so in the audit and allowed only to the roles
//! that may see those data.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::Error;

use crate::audit::Event;
use crate::{timestamp, Registry};

/// What was exported, and so who may export it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// The registration journal of a period: applicants' names and IINs.
    Journal,
    /// The queue lists: children's names and IINs.
    QueueList,
    /// A period report: counts only, no person's data.
    PeriodReport,
    /// The referrals one distribution issued: children's names and IINs.
    Referrals,
}

impl ExportKind {
    pub fn code(self) -> &'static str {
        match self {
            ExportKind::Journal => "journal",
            ExportKind::QueueList => "queue_list",
            ExportKind::PeriodReport => "period_report",
            ExportKind::Referrals => "referrals",
        }
    }

    /// Whether the file names people.
    pub fn personal(self) -> bool {
        !matches!(self, ExportKind::PeriodReport)
    }

    /// The right reading the same data on screen needs.
    pub fn action(self) -> Action {
        match self {
            ExportKind::Journal => Action::ViewApplications,
            ExportKind::QueueList => Action::ViewQueue,
            ExportKind::PeriodReport => Action::ViewDashboard,
            ExportKind::Referrals => Action::ViewQueue,
        }
    }
}

/// One file made of the registry's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord<'a> {
    pub kind: ExportKind,
    /// The period as the person chose it (`2026-11-01..2026-11-30`).
    pub period: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub rows: usize,
}

impl Registry {
    /// Whether `actor` may export `kind` (a refusal is audited). Asked
    /// before the data are read, so a refused export reads nothing.
    pub fn authorize_export(
        &mut self,
        actor: &Actor,
        kind: ExportKind,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, kind.action(), &format!("export_{}", kind.code()), &at).map(|_| ())
    }

    /// Records an export, with the file's hash, before the file is handed
    /// over: the audit never misses a file that left.
    pub fn record_export(
        &mut self,
        actor: &Actor,
        export: &ExportRecord<'_>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        let what = format!("export_{}", export.kind.code());
        let role = self.authorize_plain(actor, export.kind.action(), &what, &at)?;
        let after = serde_json::json!({
            "kind": export.kind.code(), "personal_data": export.kind.personal(), "period": export.period,
            "file": export.file_name, "sha256": export.sha256, "rows": export.rows,
        });
        let action = if export.kind.personal() { "export_personal_data" } else { "export" };
        self.db.record(&at, Event::new(action, "report").by(actor.user_id, Some(role)).after(after.to_string()))
    }
}
