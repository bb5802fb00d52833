//! The errors a person can meet, each with a stable code and a message in
//! Kazakh and Russian that says what to do.
//!
//! Every layer reports through this one vocabulary so that the shell can hand
//! the window `{code, message}` without knowing where the error came from.
//! Matches are exhaustive: adding a variant without its translations does not
//! compile.

use std::fmt;

use crate::lang::Lang;

/// A form field, named so that an error can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Iin,
    ApplicantIin,
    ApplicantName,
    ApplicantPhone,
    ApplicantAddress,
    ChildIin,
    ChildName,
    ChildBirthDate,
    Service,
    Documents,
    Consent,
    Notes,
    Login,
    FullName,
    Password,
    PasswordRepeat,
    Comment,
    ReceivedBy,
    Roles,
    DuplicateReason,
    OfficeNameKk,
    OfficeNameRu,
    OfficeAddressKk,
    OfficeAddressRu,
    OfficePhone,
    Series,
    StartNumber,
    RepresentativeIin,
    RepresentativeName,
    PoaNumber,
    PoaDate,
    CorrectionReason,
    ExtraDocuments,
    Category,
    Preferences,
    DesiredStart,
    CommissionDecision,
    EvidenceDate,
    EvidenceDocument,
    KindergartenNameKk,
    KindergartenNameRu,
    KindergartenAddress,
    GroupName,
    BirthYear,
    Capacity,
    PlaceCount,
    Protocol,
    Period,
}

impl Field {
    /// The id the window uses for the field's input, so it can focus it.
    pub fn key(self) -> &'static str {
        match self {
            Field::Iin => "iin",
            Field::ApplicantIin => "applicant_iin",
            Field::ApplicantName => "applicant_name",
            Field::ApplicantPhone => "applicant_phone",
            Field::ApplicantAddress => "applicant_address",
            Field::ChildIin => "child_iin",
            Field::ChildName => "child_name",
            Field::ChildBirthDate => "child_birth_date",
            Field::Service => "service",
            Field::Documents => "documents",
            Field::Consent => "consent",
            Field::Notes => "notes",
            Field::Login => "login",
            Field::FullName => "full_name",
            Field::Password => "password",
            Field::PasswordRepeat => "password_repeat",
            Field::Comment => "comment",
            Field::ReceivedBy => "received_by",
            Field::Roles => "roles",
            Field::DuplicateReason => "duplicate_reason",
            Field::OfficeNameKk => "name_kk",
            Field::OfficeNameRu => "name_ru",
            Field::OfficeAddressKk => "address_kk",
            Field::OfficeAddressRu => "address_ru",
            Field::OfficePhone => "phone",
            Field::Series => "series",
            Field::StartNumber => "start_number",
            Field::RepresentativeIin => "representative_iin",
            Field::RepresentativeName => "representative_name",
            Field::PoaNumber => "poa_number",
            Field::PoaDate => "poa_date",
            Field::CorrectionReason => "correction_reason",
            Field::ExtraDocuments => "extra_documents",
            Field::Category => "category",
            Field::Preferences => "preferences",
            Field::DesiredStart => "desired_start",
            Field::CommissionDecision => "commission_decision",
            Field::EvidenceDate => "evidence_date",
            Field::EvidenceDocument => "evidence_document",
            Field::KindergartenNameKk => "kindergarten_name_kk",
            Field::KindergartenNameRu => "kindergarten_name_ru",
            Field::KindergartenAddress => "kindergarten_address",
            Field::GroupName => "group_name",
            Field::BirthYear => "birth_year",
            Field::Capacity => "capacity",
            Field::PlaceCount => "place_count",
            Field::Protocol => "protocol",
            Field::Period => "period",
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Field::Iin, Lang::Kk) => "ЖСН",
            (Field::Iin, Lang::Ru) => "ИИН",
            (Field::ApplicantIin, Lang::Kk) => "Өтініш берушінің ЖСН",
            (Field::ApplicantIin, Lang::Ru) => "ИИН заявителя",
            (Field::ApplicantName, Lang::Kk) => "Өтініш берушінің аты-жөні",
            (Field::ApplicantName, Lang::Ru) => "ФИО заявителя",
            (Field::ApplicantPhone, Lang::Kk) => "Телефон",
            (Field::ApplicantPhone, Lang::Ru) => "Телефон",
            (Field::ApplicantAddress, Lang::Kk) => "Мекенжай",
            (Field::ApplicantAddress, Lang::Ru) => "Адрес",
            (Field::ChildIin, Lang::Kk) => "Баланың ЖСН",
            (Field::ChildIin, Lang::Ru) => "ИИН ребёнка",
            (Field::ChildName, Lang::Kk) => "Баланың аты-жөні",
            (Field::ChildName, Lang::Ru) => "ФИО ребёнка",
            (Field::ChildBirthDate, Lang::Kk) => "Баланың туған күні",
            (Field::ChildBirthDate, Lang::Ru) => "Дата рождения ребёнка",
            (Field::Service, Lang::Kk) => "Қызмет",
            (Field::Service, Lang::Ru) => "Услуга",
            (Field::Documents, Lang::Kk) => "Құжаттар",
            (Field::Documents, Lang::Ru) => "Документы",
            (Field::Consent, Lang::Kk) => "Дербес деректерді пайдалануға келісім",
            (Field::Consent, Lang::Ru) => "Согласие на использование персональных данных",
            (Field::Notes, Lang::Kk) => "Ескертпе",
            (Field::Notes, Lang::Ru) => "Примечание",
            (Field::Login, Lang::Kk) => "Логин",
            (Field::Login, Lang::Ru) => "Логин",
            (Field::FullName, Lang::Kk) => "Аты-жөні",
            (Field::FullName, Lang::Ru) => "ФИО",
            (Field::Password, Lang::Kk) => "Құпиясөз",
            (Field::Password, Lang::Ru) => "Пароль",
            (Field::PasswordRepeat, Lang::Kk) => "Құпиясөзді қайталау",
            (Field::PasswordRepeat, Lang::Ru) => "Повтор пароля",
            (Field::Comment, Lang::Kk) => "Түсініктеме",
            (Field::Comment, Lang::Ru) => "Комментарий",
            (Field::ReceivedBy, Lang::Kk) => "Алған адамның аты-жөні",
            (Field::ReceivedBy, Lang::Ru) => "ФИО получившего",
            (Field::Roles, Lang::Kk) => "Рөлдер",
            (Field::Roles, Lang::Ru) => "Роли",
            (Field::DuplicateReason, Lang::Kk) => "Қайта тіркеу себебі",
            (Field::DuplicateReason, Lang::Ru) => "Причина повторной регистрации",
            (Field::OfficeNameKk, Lang::Kk) => "Атауы (қазақша)",
            (Field::OfficeNameKk, Lang::Ru) => "Наименование (на казахском)",
            (Field::OfficeNameRu, Lang::Kk) => "Атауы (орысша)",
            (Field::OfficeNameRu, Lang::Ru) => "Наименование (на русском)",
            (Field::OfficeAddressKk, Lang::Kk) => "Мекенжайы (қазақша)",
            (Field::OfficeAddressKk, Lang::Ru) => "Адрес (на казахском)",
            (Field::OfficeAddressRu, Lang::Kk) => "Мекенжайы (орысша)",
            (Field::OfficeAddressRu, Lang::Ru) => "Адрес (на русском)",
            (Field::OfficePhone, Lang::Kk) => "Кеңсе телефоны",
            (Field::OfficePhone, Lang::Ru) => "Телефон отдела",
            (Field::Series, Lang::Kk) => "Журнал сериясы",
            (Field::Series, Lang::Ru) => "Серия журнала",
            (Field::StartNumber, Lang::Kk) => "Бастапқы нөмір",
            (Field::StartNumber, Lang::Ru) => "Начальный номер",
            (Field::RepresentativeIin, Lang::Kk) => "Өкілдің ЖСН",
            (Field::RepresentativeIin, Lang::Ru) => "ИИН представителя",
            (Field::RepresentativeName, Lang::Kk) => "Өкілдің аты-жөні",
            (Field::RepresentativeName, Lang::Ru) => "ФИО представителя",
            (Field::PoaNumber, Lang::Kk) => "Сенімхат нөмірі",
            (Field::PoaNumber, Lang::Ru) => "Номер доверенности",
            (Field::PoaDate, Lang::Kk) => "Сенімхат күні",
            (Field::PoaDate, Lang::Ru) => "Дата доверенности",
            (Field::CorrectionReason, Lang::Kk) => "Түзету себебі",
            (Field::CorrectionReason, Lang::Ru) => "Причина исправления",
            (Field::ExtraDocuments, Lang::Kk) => "Басқа құжаттар",
            (Field::ExtraDocuments, Lang::Ru) => "Другие документы",
            (Field::Category, Lang::Kk) => "Басымдық санаты",
            (Field::Category, Lang::Ru) => "Категория очерёдности",
            (Field::Preferences, Lang::Kk) => "Таңдалған балабақшалар",
            (Field::Preferences, Lang::Ru) => "Выбранные детские сады",
            (Field::DesiredStart, Lang::Kk) => "Қалаған бару күні",
            (Field::DesiredStart, Lang::Ru) => "Желаемая дата поступления",
            (Field::CommissionDecision, Lang::Kk) => "ПМПК шешімі",
            (Field::CommissionDecision, Lang::Ru) => "Решение ПМПК",
            (Field::EvidenceDate, Lang::Kk) => "Растайтын құжаттың берілген күні",
            (Field::EvidenceDate, Lang::Ru) => "Дата выдачи подтверждающего документа",
            (Field::EvidenceDocument, Lang::Kk) => "Растайтын құжат",
            (Field::EvidenceDocument, Lang::Ru) => "Подтверждающий документ",
            (Field::KindergartenNameKk, Lang::Kk) => "Балабақша атауы (қазақша)",
            (Field::KindergartenNameKk, Lang::Ru) => "Наименование детского сада (на казахском)",
            (Field::KindergartenNameRu, Lang::Kk) => "Балабақша атауы (орысша)",
            (Field::KindergartenNameRu, Lang::Ru) => "Наименование детского сада (на русском)",
            (Field::KindergartenAddress, Lang::Kk) => "Балабақша мекенжайы",
            (Field::KindergartenAddress, Lang::Ru) => "Адрес детского сада",
            (Field::GroupName, Lang::Kk) => "Топ атауы",
            (Field::GroupName, Lang::Ru) => "Название группы",
            (Field::BirthYear, Lang::Kk) => "Туған жылы",
            (Field::BirthYear, Lang::Ru) => "Год рождения",
            (Field::Capacity, Lang::Kk) => "Орын саны",
            (Field::Capacity, Lang::Ru) => "Количество мест",
            (Field::PlaceCount, Lang::Kk) => "Бос орын саны",
            (Field::PlaceCount, Lang::Ru) => "Количество свободных мест",
            (Field::Protocol, Lang::Kk) => "Хаттама / негіздеме",
            (Field::Protocol, Lang::Ru) => "Протокол / основание",
            (Field::Period, Lang::Kk) => "Кезең (күндер)",
            (Field::Period, Lang::Ru) => "Период (дни)",
        }
    }
}

/// Why a file offered for restore was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupFault {
    /// Not an SQLite file, or one that cannot be opened read-only.
    Unreadable,
    Integrity,
    ForeignKeys,
    /// The schema is not the one Kense's migrations build for its version.
    Schema,
    Newer {
        found: i64,
        supported: i64,
    },
    AuditChain {
        first_bad: i64,
    },
}

impl BackupFault {
    fn reason(self, lang: Lang) -> String {
        let kk = lang == Lang::Kk;
        let pick = |k: String, r: String| if kk { k } else { r };
        match self {
            BackupFault::Unreadable => pick(
                "бұл Kense тізілімінің файлы емес немесе ол оқылмайды.".into(),
                "это не файл реестра Kense, или он не читается.".into(),
            ),
            BackupFault::Integrity => pick(
                "файл бүлінген (тұтастығын тексеру өтпеді).".into(),
                "файл повреждён (проверка целостности не пройдена).".into(),
            ),
            BackupFault::ForeignKeys => pick(
                "файлдағы жазбалардың өзара сілтемелері бұзылған.".into(),
                "нарушены ссылки между записями в файле.".into(),
            ),
            BackupFault::Schema => pick(
                "файлдың құрылымы Kense нұсқаларының ешқайсысына сәйкес келмейді.".into(),
                "структура файла не совпадает ни с одной версией Kense.".into(),
            ),
            BackupFault::Newer { found, supported } => pick(
                format!("файл Kense-тің жаңа нұсқасымен жасалған (схема {found}, осы нұсқа {supported}-ге дейін). Алдымен Kense-ті жаңартыңыз."),
                format!("файл создан более новой версией Kense (схема {found}, эта версия — до {supported}). Сначала обновите Kense."),
            ),
            BackupFault::AuditChain { first_bad } => pick(
                format!("файлдың аудит тізбегі {first_bad}-оқиғада бұзылған: файл сырттан өзгертілген."),
                format!("аудит-цепочка файла нарушена на событии {first_bad}: файл изменён извне."),
            ),
        }
    }
}

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
    /// The disk (or SQLite's page limit) is full: the transaction rolled back.
    DiskFull,
    /// The registry is open for reading only (read-only file, folder or medium).
    ReadOnly,
    /// A file chosen for restore failed a check; nothing was changed.
    BackupRejected(BackupFault),
    /// No verified backup exists yet.
    NoBackup,
    /// A backup or restore is already running.
    BackupRunning,
    /// The person cancelled a long operation before it changed anything.
    Cancelled,
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
            Error::DiskFull => "disk_full",
            Error::ReadOnly => "read_only",
            Error::BackupRejected(_) => "backup_rejected",
            Error::NoBackup => "no_backup",
            Error::BackupRunning => "backup_running",
            Error::Cancelled => "cancelled",
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

    /// The message a person reads. Technical detail (`Storage`, `Io`…) is
    /// kept out of it: it goes to the log, never personal data with it.
    pub fn message(&self, lang: Lang) -> String {
        let kk = lang == Lang::Kk;
        let pick = |k: &str, r: &str| if kk { k.to_owned() } else { r.to_owned() };
        match self {
            Error::Required(f) => {
                let l = f.label(lang);
                pick(&format!("«{l}» өрісін толтырыңыз."), &format!("Заполните поле «{l}»."))
            }
            Error::TooLong { field, max } => {
                let l = field.label(lang);
                pick(
                    &format!("«{l}» өрісі тым ұзын: {max} таңбадан аспауы керек."),
                    &format!("Поле «{l}» слишком длинное: не более {max} символов."),
                )
            }
            Error::HiddenCharacters(f) => {
                let l = f.label(lang);
                pick(
                    &format!("«{l}» өрісінде басқару немесе көрінбейтін таңбалар бар. Мәтінді пернетақтадан қайта теріңіз."),
                    &format!("В поле «{l}» есть управляющие или невидимые символы. Наберите текст заново с клавиатуры."),
                )
            }
            Error::IinFormat(f) => {
                let l = f.label(lang);
                pick(
                    &format!("{l}: 12 цифр енгізіңіз."),
                    &format!("{l}: введите 12 цифр."),
                )
            }
            Error::IinCheckDigit(f) => {
                let l = f.label(lang);
                pick(
                    &format!("{l} қате: бақылау саны сәйкес келмейді. Құжаттан қайта тексеріңіз."),
                    &format!("{l} неверен: не сходится контрольный разряд. Сверьте с документом."),
                )
            }
            Error::PhoneFormat(f) => {
                let l = f.label(lang);
                pick(
                    &format!("{l}: нөмірді +7 7XX XXX XX XX түрінде енгізіңіз."),
                    &format!("{l}: введите номер в виде +7 7XX XXX XX XX."),
                )
            }
            Error::DateFormat(f) => {
                let l = f.label(lang);
                pick(
                    &format!("{l}: күнді КК.АА.ЖЖЖЖ түрінде енгізіңіз."),
                    &format!("{l}: введите дату в виде ДД.ММ.ГГГГ."),
                )
            }
            Error::DateInFuture(f) => {
                let l = f.label(lang);
                pick(
                    &format!("{l} болашақта бола алмайды."),
                    &format!("{l} не может быть в будущем."),
                )
            }
            Error::ConsentRequired => pick(
                "Заңмен қорғалатын құпияны құрайтын мәліметтерді пайдалануға өтініш берушінің келісімін белгілеңіз.",
                "Отметьте согласие заявителя на использование сведений, составляющих охраняемую законом тайну.",
            ),
            Error::UnknownService(_) => pick(
                "Мұндай қызмет каталогта жоқ. Тізімнен қызметті таңдаңыз.",
                "Такой услуги нет в каталоге. Выберите услугу из списка.",
            ),
            Error::UnknownDocument(_) => pick(
                "Құжат осы қызметтің тізбесінде жоқ. Бетті жаңартып, қайта белгілеңіз.",
                "Документа нет в перечне этой услуги. Обновите страницу и отметьте заново.",
            ),
            Error::ChannelNotOffered => pick(
                "Бұл қызмет таңдалған арна арқылы көрсетілмейді. Арнаны тізімнен таңдаңыз.",
                "Эта услуга не оказывается через выбранный канал. Выберите канал из списка.",
            ),
            Error::UnknownReason(_) => pick(
                "Бас тарту негізін осы қызметтің тізбесінен таңдаңыз.",
                "Выберите основание отказа из перечня этой услуги.",
            ),
            Error::PasswordTooShort { min } => pick(
                &format!("Құпиясөз кемінде {min} таңбадан тұруы керек."),
                &format!("Пароль должен содержать не менее {min} символов."),
            ),
            Error::PasswordsDiffer => pick("Құпиясөздер сәйкес келмейді.", "Пароли не совпадают."),
            Error::LoginFormat => pick(
                "Логин 3–32 латын әрпінен, цифрдан, нүктеден, сызықшадан тұруы керек.",
                "Логин: 3–32 латинских буквы, цифры, точка, дефис или подчёркивание.",
            ),
            Error::LoginTaken => pick("Бұл логин бос емес. Басқа логин таңдаңыз.", "Этот логин занят. Выберите другой."),
            Error::AlreadyInitialised => pick(
                "Әкімші тіркелгісі бұрын жасалған. Жүйеге кіріңіз.",
                "Учётная запись администратора уже создана. Войдите в систему.",
            ),
            Error::NotInitialised => pick(
                "Алдымен әкімші тіркелгісін жасаңыз.",
                "Сначала создайте учётную запись администратора.",
            ),
            Error::BadCredentials => pick("Логин немесе құпиясөз қате.", "Неверный логин или пароль."),
            Error::AccountLocked { minutes } => pick(
                &format!("Тым көп сәтсіз әрекет. {minutes} минуттан кейін қайталаңыз немесе әкімшіге хабарласыңыз."),
                &format!("Слишком много неудачных попыток. Повторите через {minutes} мин. или обратитесь к администратору."),
            ),
            Error::NotLoggedIn => pick("Жүйеге қайта кіріңіз.", "Войдите в систему заново."),
            Error::Forbidden => pick(
                "Бұл әрекетке сіздің рөліңіздің құқығы жоқ.",
                "У вашей роли нет права на это действие.",
            ),
            Error::FourEyes => pick(
                "Өтінішті тіркеген адам оның нәтижесіне қол қоя алмайды (екі адам қағидаты). Нәтижеге басқа басшы қол қояды.",
                "Зарегистрировавший заявление не может подписать его результат (принцип двух лиц). Результат подписывает другой руководитель.",
            ),
            Error::NotAssigned => pick(
                "Бұл өтініш сізге тағайындалмаған. Нәтижені басшы тағайындаған орындаушы дайындайды.",
                "Это заявление поручено не вам. Результат готовит исполнитель, назначенный руководителем.",
            ),
            Error::NotAnExecutor => pick(
                "Таңдалған қызметкер белсенді орындаушы емес. Тізімнен орындаушыны таңдаңыз.",
                "Выбранный сотрудник не является действующим исполнителем. Выберите исполнителя из списка.",
            ),
            Error::Duplicate { number } => pick(
                &format!("Осы бала бойынша осы қызметке ашық өтініш бар: № {number}. Қайта тіркеу қажет болса, себебін жазыңыз."),
                &format!("По этому ребёнку уже есть открытое заявление на эту услугу: № {number}. Если повторная регистрация нужна, укажите причину."),
            ),
            Error::SeriesFormat => pick(
                "Журнал сериясы 10 таңбадан аспайтын әріптер мен цифрлардан тұруы керек.",
                "Серия журнала — не более 10 букв и цифр.",
            ),
            Error::NotOurCode => pick(
                "Бұл код осы кеңсе берген құжатқа сәйкес келмейді. Кодты қайта сканерлеңіз немесе нөмір бойынша іздеңіз.",
                "Этот код не соответствует документу, выданному этим отделом. Отсканируйте код заново или найдите по номеру.",
            ),
            Error::CalendarYear => pick(
                "Құрбан айттың күні көрсетілген жылға (2000–2100) жатуы керек.",
                "Дата Курбан айта должна относиться к указанному году (2000–2100).",
            ),
            Error::CalendarTransfer => pick(
                "Ауыстыру: демалыс күні жұмыс күнінен (дс–жм), ал жұмыс күні демалыс күнінен (сб–жс) ауыстырылады, екеуі де сол жылда.",
                "Перенос: выходным становится рабочий день (пн–пт), рабочим — выходной (сб–вс), оба в том же году.",
            ),
            Error::StartNumber => pick(
                "Бастапқы нөмір 1-ден 9 999 999-ға дейінгі сан болуы керек.",
                "Начальный номер — число от 1 до 9 999 999.",
            ),
            Error::NotFound => pick("Жазба табылмады.", "Запись не найдена."),
            Error::InvalidState => pick(
                "Өтініштің қазіргі күйінде бұл әрекет мүмкін емес. Тізімді жаңартып, күйін тексеріңіз.",
                "В текущем состоянии заявления это действие невозможно. Обновите список и проверьте состояние.",
            ),
            Error::MalformedRequest(_) => pick(
                "Сұраным дұрыс емес. Бетті жаңартып, қайталаңыз.",
                "Некорректный запрос. Обновите страницу и повторите.",
            ),
            Error::DatabaseNewer { found, supported } => pick(
                &format!("Тізілім бағдарламаның жаңа нұсқасымен жазылған (схема {found}, осы нұсқа {supported}-ге дейін). Kense-ті жаңартыңыз."),
                &format!("Реестр записан более новой версией программы (схема {found}, эта версия — до {supported}). Обновите Kense."),
            ),
            Error::DatabaseCorrupt(_) => pick(
                "Тізілім файлы бүлінген. Жұмысты тоқтатып, әкімшіге хабарласыңыз: соңғы сақтық көшірмеден қалпына келтіру керек.",
                "Файл реестра повреждён. Прекратите работу и обратитесь к администратору: нужно восстановление из резервной копии.",
            ),
            Error::DatabaseBusy => pick(
                "Тізілім бос емес. Бірнеше секундтан кейін қайталаңыз.",
                "Реестр занят. Повторите через несколько секунд.",
            ),
            Error::DiskFull => pick(
                "Дискіде орын қалмады: соңғы әрекет сақталмады, бұрынғы жазбалардың бәрі орнында. Дискіде орын босатып, қайталаңыз немесе әкімшіге хабарласыңыз.",
                "На диске не осталось места: последнее действие не сохранено, все прежние записи на месте. Освободите место на диске и повторите или обратитесь к администратору.",
            ),
            Error::ReadOnly => pick(
                "Тізілім тек оқуға ашық: өзгерістер сақталмайды. Қарауға болады; жазу үшін әкімші файлға және оның қалтасына жазу құқығын беруі керек.",
                "Реестр открыт только для чтения: изменения не сохраняются. Просматривать можно; чтобы записывать, администратор должен дать право записи в файл и его папку.",
            ),
            Error::BackupRejected(fault) => {
                let why = fault.reason(lang);
                pick(
                    &format!("Таңдалған файлдан қалпына келтіру мүмкін емес: {why} Тізілім өзгерген жоқ."),
                    &format!("Восстановить из выбранного файла нельзя: {why} Реестр не изменён."),
                )
            }
            Error::NoBackup => pick(
                "Әлі тексерілген резервтік көшірме жоқ. Алдымен «Қазір көшірме жасау» батырмасын басыңыз.",
                "Проверенной резервной копии ещё нет. Сначала нажмите «Сделать копию сейчас».",
            ),
            Error::BackupRunning => pick(
                "Резервтік көшірме жасалып немесе тізілім қалпына келтіріліп жатыр. Аяқталғанын күтіп, қайталаңыз.",
                "Идёт резервное копирование или восстановление реестра. Дождитесь окончания и повторите.",
            ),
            Error::UnknownResultForm => pick(
                "Бұл қызметте мұндай нәтиже нысаны жоқ. Тізімнен таңдаңыз.",
                "У этой услуги нет такой формы результата. Выберите из списка.",
            ),
            Error::Cancelled => pick(
                "Әрекет тоқтатылды; ештеңе өзгерген жоқ.",
                "Действие отменено; ничего не изменено.",
            ),
            Error::RegistryMissing => pick(
                "Тізілім файлы табылмады, бірақ оның резервтік көшірмелері бар. Бос тізілім ашылмады: әкімші көшірменің бірін таңдап, тізілімді қалпына келтірсін.",
                "Файл реестра не найден, но есть его резервные копии. Пустой реестр не открыт: администратор должен выбрать копию и восстановить реестр.",
            ),
            Error::Storage(_) => pick(
                "Тізілімге жазу мүмкін болмады; ештеңе өзгерген жоқ. Қайталаңыз, қате қайталанса, әкімшіге хабарласыңыз.",
                "Не удалось записать в реестр; ничего не изменено. Повторите, а если ошибка повторится — обратитесь к администратору.",
            ),
            Error::Catalog(_) => pick(
                "Қызметтер каталогы оқылмады. Әкімшіге хабарласыңыз.",
                "Не удалось прочитать каталог услуг. Обратитесь к администратору.",
            ),
            Error::Document(_) => pick(
                "Құжатты жасау мүмкін болмады. Әкімшіге хабарласыңыз.",
                "Не удалось сформировать документ. Обратитесь к администратору.",
            ),
            Error::AlreadyQueued { number } => pick(
                &format!("Бұл бала кезекте тұр немесе жолдамасы бар: өтініш № {number}. Екінші рет кезекке қойылмайды."),
                &format!("Этот ребёнок уже стоит в очереди или имеет направление: заявление № {number}. Повторно в очередь не ставится."),
            ),
            Error::AgeLimit { upper } => pick(
                &format!("Бала кезекке қойылмайды: күнтізбелік жыл бойынша жасы {upper}-ден кіші болуы керек (туған күнін тексеріңіз)."),
                &format!("Ребёнок не ставится в очередь: возраст по календарному году должен быть меньше {upper} (проверьте дату рождения)."),
            ),
            Error::UnknownCategory(_) => pick(
                "Мұндай басымдық санаты жоқ. Тізімнен таңдаңыз.",
                "Такой категории очерёдности нет. Выберите из списка.",
            ),
            Error::TooManyPreferences { max } => pick(
                &format!("{max} балабақшадан артық таңдауға болмайды, әрқайсысы бір рет."),
                &format!("Можно выбрать не более {max} детских садов, каждый один раз."),
            ),
            Error::UnknownKindergarten => pick(
                "Мұндай балабақша немесе топ тізілімде жоқ. Тізімді жаңартыңыз.",
                "Такого детского сада или группы нет в реестре. Обновите список.",
            ),
            Error::PlacesExceedCapacity { free } => pick(
                &format!("Топта бос орын жарияланғаннан артық: тағы ең көбі {free} орын жариялауға болады. Толықтығын тексеріңіз."),
                &format!("В группе нельзя объявить столько мест: можно ещё не более {free}. Проверьте наполняемость."),
            ),
            Error::QueueFrozen => pick(
                "Қазір топтарды ауыстыру кезеңі: орындар таратылмайды. Кезең аяқталғаннан кейін қайталаңыз.",
                "Сейчас период перевода групп: места не распределяются. Повторите после его окончания.",
            ),
            Error::DistributionChanged => pick(
                "Алдын ала қараудан кейін кезек немесе орындар өзгерді. Тарату нәтижесін қайта қарап, содан кейін бекітіңіз.",
                "После предварительного просмотра изменились очередь или места. Просмотрите распределение заново и затем утвердите.",
            ),
            Error::NotQueueService => pick(
                "Кезек деректері тек мектепке дейінгі ұйымға кезекке қою қызметіне толтырылады.",
                "Данные очереди заполняются только для услуги постановки в очередь в дошкольную организацию.",
            ),
            Error::EvidenceExpired => pick(
                "Растайтын құжаттың мерзімі өтіп кеткен немесе күні болашақта. Жаңа анықтама алып келуді сұраңыз.",
                "Срок подтверждающего документа истёк или его дата в будущем. Попросите принести новую справку.",
            ),
            Error::OutOfRange { field, min, max } => {
                let l = field.label(lang);
                pick(&format!("«{l}» өрісі {min}-ден {max}-ге дейін болуы керек."), &format!("Поле «{l}» должно быть от {min} до {max}."))
            }
            Error::PrintFailed(_) => pick(
                "Құжат принтерге жіберілмеді. Принтердің қосулы екенін тексеріңіз немесе құжатты қарау бағдарламасынан басып шығарыңыз.",
                "Документ не отправлен на принтер. Проверьте, что принтер включён, или распечатайте документ из программы просмотра.",
            ),
            Error::Io(_) => pick(
                "Файлды жазу немесе оқу мүмкін болмады. Дискіде орын бар-жоғын тексеріңіз.",
                "Не удалось записать или прочитать файл. Проверьте, есть ли место на диске.",
            ),
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
            | Error::Document(d)
            | Error::PrintFailed(d)
            | Error::Io(d) => write!(f, "{}: {d}", self.code()),
            other => f.write_str(other.code()),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_differs_between_languages_and_is_not_empty() {
        let samples = [
            Error::Required(Field::ApplicantName),
            Error::IinCheckDigit(Field::ChildIin),
            Error::ConsentRequired,
            Error::Forbidden,
            Error::DatabaseNewer { found: 9, supported: 1 },
            Error::Storage("disk".into()),
            Error::AlreadyQueued { number: "01-2026-00001".into() },
            Error::AgeLimit { upper: 6 },
            Error::UnknownCategory("x".into()),
            Error::TooManyPreferences { max: 4 },
            Error::UnknownKindergarten,
            Error::PlacesExceedCapacity { free: 2 },
            Error::QueueFrozen,
            Error::DistributionChanged,
            Error::NotQueueService,
            Error::EvidenceExpired,
            Error::OutOfRange { field: Field::Capacity, min: 1, max: 100 },
            Error::PrintFailed("disk".into()),
            Error::DiskFull,
            Error::ReadOnly,
            Error::NoBackup,
            Error::BackupRunning,
            Error::RegistryMissing,
            Error::Cancelled,
            Error::UnknownResultForm,
            Error::BackupRejected(BackupFault::Unreadable),
            Error::BackupRejected(BackupFault::Integrity),
            Error::BackupRejected(BackupFault::ForeignKeys),
            Error::BackupRejected(BackupFault::Schema),
            Error::BackupRejected(BackupFault::Newer { found: 9, supported: 5 }),
            Error::BackupRejected(BackupFault::AuditChain { first_bad: 3 }),
        ];
        for e in samples {
            let kk = e.message(Lang::Kk);
            let ru = e.message(Lang::Ru);
            assert!(!kk.is_empty() && !ru.is_empty());
            assert_ne!(kk, ru, "{e}");
            assert!(!kk.contains("disk"), "technical detail leaked to the person: {kk}");
        }
    }

    #[test]
    fn field_errors_name_the_field() {
        let e = Error::Required(Field::ChildName);
        assert!(e.message(Lang::Kk).contains("Баланың аты-жөні"));
        assert!(e.message(Lang::Ru).contains("ФИО ребёнка"));
        assert_eq!(e.field().map(Field::key), Some("child_name"));
    }
}
