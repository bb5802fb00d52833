//! The errors a person can meet, each with a stable code and a message in
//! Kazakh and Russian that says what to do.
//!
//! Every layer reports through this one vocabulary so that the shell can hand
//! the window `{code, message}` without knowing where the error came from.
//! Matches are exhaustive: adding a variant without its translations does not
//! compile.
//!
//! This module owns `Error` with its codes and the field each is about;
//! `field` owns the form fields and their names, `backup` why a restore was
//! refused, `message` the sentences a person reads.

use std::fmt;

mod backup;
mod field;
mod message;

pub use backup::BackupFault;
pub use field::Field;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Required(Field),
    TooLong {
        field: Field,
        max: usize,
    },
    HiddenCharacters(Field),
    IinFormat(Field),
    IinCheckDigit(Field),
    PhoneFormat(Field),
    DateFormat(Field),
    DateInFuture(Field),
    ConsentRequired,
    UnknownService(String),
    UnknownDocument(String),
    UnknownReason(String),
    /// The prepared result names a form the service does not have.
    UnknownResultForm,
    ChannelNotOffered,
    PasswordTooShort {
        min: usize,
    },
    PasswordsDiffer,
    LoginFormat,
    LoginTaken,
    AlreadyInitialised,
    NotInitialised,
    BadCredentials,
    AccountLocked {
        minutes: i64,
    },
    NotLoggedIn,
    Forbidden,
    /// Whoever registered an application may not sign its result.
    FourEyes,
    /// Only the executor the head named may prepare the result.
    NotAssigned,
    NotAnExecutor,
    /// An open application for the same child and service exists.
    Duplicate {
        number: String,
    },
    SeriesFormat,
    StartNumber,
    CalendarYear,
    NotOurCode,
    CalendarTransfer,
    NotFound,
    /// The record is not in a state where this action applies (perhaps
    /// another workstation changed it meanwhile).
    InvalidState,
    MalformedRequest(String),
    DatabaseNewer {
        found: i64,
        supported: i64,
    },
    DatabaseCorrupt(String),
    DatabaseBusy,
    /// The office server cannot be reached (network, server stopped, TLS),
    /// or the connection broke: nothing was changed by the step that met it
    /// unless the registry says so after reconnecting.
    ServerUnreachable,
    /// The office server refused this workstation's account or password.
    ServerRefused,
    /// The office server's TLS certificate is not the one chosen (nor signed
    /// by it), or does not name the host typed: nothing was sent to it.
    ServerCertificateRejected,
    /// The office server's schema is older than this Kense: its owner must
    /// bring it up first (`kense server setup`); workstations never migrate.
    ServerNotReady {
        found: i64,
        needed: i64,
    },
    /// A registry is moved (or restored) onto the server only into an empty
    /// database: nothing there is ever overwritten.
    ServerNotEmpty,
    /// The file chosen as the office server's certificate holds no PEM
    /// certificate.
    CertificateFormat,
    /// This PC keeps an office's registry with its accounts: joining the
    /// office server would leave it behind unseen; it is moved first.
    RegistryInUse,
    /// The disk (or SQLite's page limit) is full: the transaction rolled back.
    DiskFull,
    /// The registry is open for reading only (read-only file, folder or medium).
    ReadOnly,
    /// A file chosen for restore failed a check; nothing was changed.
    BackupRejected(BackupFault),
    /// No verified backup exists yet.
    NoBackup,
    /// A long job (backup, restore, evidence check, import) is already
    /// running at this desk: they share one slot.
    BackupRunning,
    /// The person cancelled a long operation before it changed anything.
    Cancelled,
    /// A file chosen for import is not a spreadsheet Kense can read (not
    /// XLSX, ODS or CSV in UTF-8, too large, or damaged); the detail is for
    /// the log.
    UnreadableSheet(String),
    /// The registry file is gone while backups of it exist: Kense does not
    /// start an empty registry over an office's history.
    RegistryMissing,
    Storage(String),
    Catalog(String),
    Document(String),
    AlreadyQueued {
        number: String,
    },
    AgeLimit {
        upper: i32,
    },
    UnknownCategory(String),
    TooManyPreferences {
        max: usize,
    },
    UnknownKindergarten,
    PlacesExceedCapacity {
        free: i64,
    },
    QueueFrozen,
    DistributionChanged,
    NotQueueService,
    EvidenceExpired,
    OutOfRange {
        field: Field,
        min: i64,
        max: i64,
    },
    /// The printer refused the job or is not there; the detail is for the log.
    PrintFailed(String),
    /// The electronic signature failed or was refused; the signature crate
    /// worded it in both languages (no key material, no password).
    Signature {
        kk: String,
        ru: String,
    },
    /// The head has no IIN on his account, so no certificate can be
    /// checked as his.
    NoSignerIin,
    /// The certificate's IIN is not the one on the signing head's account.
    CertificateNotHeads {
        found: Option<String>,
    },
    /// The verify screen was given a file with no signature Kense can read.
    NotSigned,
    /// That certificate or revocation list is already imported.
    AlreadyTrusted,
    /// A fact the result must state was left empty.
    ResultFieldMissing {
        label: crate::lang::Bilingual,
    },
    /// A character the paper's font cannot draw, typed where it would be
    /// printed (`label` names the field).
    Undrawable {
        label: crate::lang::Bilingual,
        ch: char,
    },
    /// A fact of the result is not of its kind (a date, an amount…).
    ResultFieldInvalid {
        label: crate::lang::Bilingual,
        kind: crate::result_fields::ValueKind,
    },
    /// A row of a checklist the administrator edits is not complete
    /// (`row` counts from 1, as the form numbers them).
    ChecklistDocument {
        row: usize,
        problem: crate::catalog_edit::ChecklistProblem,
    },
    /// A ground of a reasoned refusal the administrator edits is not
    /// complete (`row` counts from 1).
    RefusalGround {
        row: usize,
        problem: crate::catalog_edit::ChecklistProblem,
    },
    /// A fact of a result form the administrator edits is not complete
    /// (`row` counts from 1).
    ResultFieldRow {
        row: usize,
        problem: crate::catalog_edit::ChecklistProblem,
    },
    /// The title of a result form the administrator edits is not complete.
    ResultName {
        problem: crate::catalog_edit::ChecklistProblem,
    },
    /// A category of the queue's rules the administrator edits is not
    /// worded as it must be (`row` counts from 1).
    QueueCategory {
        row: usize,
        problem: crate::catalog_edit::ChecklistProblem,
    },
    /// A time norm the administrator typed is zero or beyond any
    /// regulation's (`max` in its unit).
    NormOutOfRange {
        row: usize,
        max: u32,
    },
    /// A catalog the administrator made or brought in fails the checks the
    /// shipped one passes; the detail says which (it names codes, not
    /// personal data) and is shown to him.
    CatalogRejected(String),
    /// The step belongs to an akimat's act, and this application has none
    /// to send (not its service, a refusal, or already back).
    NoAkimatPart,
    /// The akimat's act (its number and date) is not recorded yet: nothing
    /// is handed over before it.
    AkimatActMissing,
    /// A result is handed over on the channel its application came in by
    /// ([`crate::workflow::Handover::of_channel`]); this one came by `channel`.
    HandoverChannel {
        channel: crate::catalog::Channel,
    },
    /// Another version came into force while the administrator edited.
    CatalogMovedOn {
        in_force: u32,
    },
    Io(String),
}

impl Error {
    /// A stable, machine-readable code; the window and tests match on it.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Required(_) => "required",
            Error::TooLong { .. } => "too_long",
            Error::HiddenCharacters(_) => "hidden_characters",
            Error::IinFormat(_) => "iin_format",
            Error::IinCheckDigit(_) => "iin_check_digit",
            Error::PhoneFormat(_) => "phone_format",
            Error::DateFormat(_) => "date_format",
            Error::DateInFuture(_) => "date_in_future",
            Error::ConsentRequired => "consent_required",
            Error::UnknownService(_) => "unknown_service",
            Error::UnknownDocument(_) => "unknown_document",
            Error::UnknownReason(_) => "unknown_reason",
            Error::UnknownResultForm => "unknown_result_form",
            Error::ChannelNotOffered => "channel_not_offered",
            Error::PasswordTooShort { .. } => "password_too_short",
            Error::PasswordsDiffer => "passwords_differ",
            Error::LoginFormat => "login_format",
            Error::LoginTaken => "login_taken",
            Error::AlreadyInitialised => "already_initialised",
            Error::NotInitialised => "not_initialised",
            Error::BadCredentials => "bad_credentials",
            Error::AccountLocked { .. } => "account_locked",
            Error::NotLoggedIn => "not_logged_in",
            Error::Forbidden => "forbidden",
            Error::FourEyes => "four_eyes",
            Error::NotAssigned => "not_assigned",
            Error::NotAnExecutor => "not_an_executor",
            Error::Duplicate { .. } => "duplicate",
            Error::SeriesFormat => "series_format",
            Error::CalendarYear => "calendar_year",
            Error::NotOurCode => "not_our_code",
            Error::CalendarTransfer => "calendar_transfer",
            Error::StartNumber => "start_number",
            Error::NotFound => "not_found",
            Error::InvalidState => "invalid_state",
            Error::MalformedRequest(_) => "malformed_request",
            Error::DatabaseNewer { .. } => "database_newer",
            Error::DatabaseCorrupt(_) => "database_corrupt",
            Error::DatabaseBusy => "database_busy",
            Error::ServerUnreachable => "server_unreachable",
            Error::ServerRefused => "server_refused",
            Error::ServerCertificateRejected => "server_certificate_rejected",
            Error::ServerNotReady { .. } => "server_not_ready",
            Error::ServerNotEmpty => "server_not_empty",
            Error::CertificateFormat => "certificate_format",
            Error::RegistryInUse => "registry_in_use",
            Error::DiskFull => "disk_full",
            Error::ReadOnly => "read_only",
            Error::BackupRejected(_) => "backup_rejected",
            Error::NoBackup => "no_backup",
            Error::BackupRunning => "backup_running",
            Error::Cancelled => "cancelled",
            Error::UnreadableSheet(_) => "unreadable_sheet",
            Error::RegistryMissing => "registry_missing",
            Error::Storage(_) => "storage",
            Error::Catalog(_) => "catalog",
            Error::Document(_) => "document",
            Error::AlreadyQueued { .. } => "already_queued",
            Error::AgeLimit { .. } => "age_limit",
            Error::UnknownCategory(_) => "unknown_category",
            Error::TooManyPreferences { .. } => "too_many_preferences",
            Error::UnknownKindergarten => "unknown_kindergarten",
            Error::PlacesExceedCapacity { .. } => "places_exceed_capacity",
            Error::QueueFrozen => "queue_frozen",
            Error::DistributionChanged => "distribution_changed",
            Error::NotQueueService => "not_queue_service",
            Error::EvidenceExpired => "evidence_expired",
            Error::OutOfRange { .. } => "out_of_range",
            Error::PrintFailed(_) => "print_failed",
            Error::Signature { .. } => "signature",
            Error::NoSignerIin => "no_signer_iin",
            Error::CertificateNotHeads { .. } => "certificate_not_heads",
            Error::NotSigned => "not_signed",
            Error::AlreadyTrusted => "already_trusted",
            Error::ResultFieldMissing { .. } => "result_field_missing",
            Error::Undrawable { .. } => "undrawable",
            Error::ResultFieldInvalid { .. } => "result_field_invalid",
            Error::ChecklistDocument { .. } => "checklist_document",
            Error::RefusalGround { .. } => "refusal_ground",
            Error::ResultFieldRow { .. } => "result_field_row",
            Error::ResultName { .. } => "result_name",
            Error::NormOutOfRange { .. } => "norm_out_of_range",
            Error::QueueCategory { .. } => "queue_category",
            Error::CatalogRejected(_) => "catalog_rejected",
            Error::CatalogMovedOn { .. } => "catalog_moved_on",
            Error::NoAkimatPart => "no_akimat_part",
            Error::AkimatActMissing => "akimat_act_missing",
            Error::HandoverChannel { .. } => "handover_channel",
            Error::Io(_) => "io",
        }
    }

    /// The field the error is about, for focusing it in the form.
    pub fn field(&self) -> Option<Field> {
        match self {
            Error::Required(f)
            | Error::TooLong { field: f, .. }
            | Error::HiddenCharacters(f)
            | Error::IinFormat(f)
            | Error::IinCheckDigit(f)
            | Error::PhoneFormat(f)
            | Error::DateFormat(f)
            | Error::DateInFuture(f) => Some(*f),
            Error::ConsentRequired => Some(Field::Consent),
            Error::PasswordTooShort { .. } => Some(Field::Password),
            Error::PasswordsDiffer => Some(Field::PasswordRepeat),
            Error::LoginFormat | Error::LoginTaken => Some(Field::Login),
            Error::Duplicate { .. } => Some(Field::DuplicateReason),
            Error::SeriesFormat => Some(Field::Series),
            Error::StartNumber => Some(Field::StartNumber),
            Error::NotQueueService => Some(Field::Service),
            Error::EvidenceExpired => Some(Field::EvidenceDate),
            Error::CertificateFormat | Error::ServerCertificateRejected => Some(Field::ServerCertificate),
            Error::ServerRefused => Some(Field::Password),
            Error::OutOfRange { field, .. } => Some(*field),
            Error::PlacesExceedCapacity { .. } => Some(Field::PlaceCount),
            Error::UnknownKindergarten => Some(Field::Preferences),
            Error::TooManyPreferences { .. } => Some(Field::Preferences),
            Error::UnknownCategory(_) => Some(Field::Category),
            Error::AgeLimit { .. } => Some(Field::ChildBirthDate),
            Error::AlreadyQueued { .. } => Some(Field::ChildIin),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    /// Code plus technical detail, for logs. Never includes field values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownService(d)
            | Error::UnknownDocument(d)
            | Error::UnknownReason(d)
            | Error::MalformedRequest(d)
            | Error::DatabaseCorrupt(d)
            | Error::Storage(d)
            | Error::Catalog(d)
            | Error::CatalogRejected(d)
            | Error::Document(d)
            | Error::PrintFailed(d)
            | Error::UnreadableSheet(d)
            | Error::Io(d) => write!(f, "{}: {d}", self.code()),
            other => f.write_str(other.code()),
        }
    }
}

impl std::error::Error for Error {}
