//! What can be wrong with a file or one of its rows, said in Kazakh and
//! Russian with the row and the column, so the person finds it in the file.

use crate::lang::Lang;

/// A column of an import template: its key, and its header in both
/// languages (the template writes "kk / ru"; either alone is accepted).
#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub kk: &'static str,
    pub ru: &'static str,
    pub required: bool,
}

impl Column {
    /// The header the template writes.
    pub fn header(&self) -> String {
        format!("{} / {}", self.kk, self.ru)
    }

    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Kk => self.kk,
            Lang::Ru => self.ru,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    Required,
    TooLong {
        max: usize,
    },
    HiddenCharacters,
    /// Text starting with `=`: a formula, not a value.
    Formula,
    /// A cell of the wrong type (a yes/no or a date where text belongs).
    WrongType,
    /// An error value such as `#N/A`.
    ErrorValue,
    IinFormat,
    IinCheckDigit,
    /// A letter or a digit of another script where an IIN's digit belongs.
    LookAlike {
        found: char,
    },
    PhoneFormat,
    DateFormat,
    MomentFormat,
    InFuture,
    /// The application is dated before the child was born.
    BeforeBirth,
    UnknownCategory,
    UnknownKindergarten,
    TooManyPreferences {
        max: usize,
    },
    UnknownLanguage,
    UnknownService,
    UnknownStatus,
    UnknownChannel,
    /// The child is past the queue's age limit today.
    AgeLimit {
        upper: i32,
    },
    /// The same child (or the same register number) is in an earlier row.
    DuplicateInFile {
        first_row: u32,
    },
    /// The child stands in the registry's queue already, under `number`.
    AlreadyQueued {
        number: String,
    },
    /// The register number is in the registry already with other data.
    AlreadyRegistered {
        number: String,
    },
    /// A required column is not in the header row.
    MissingColumn,
    /// Two header cells name the same column.
    DuplicateColumn,
    /// The file has no header row the template knows.
    NoHeader,
    TooManyRows {
        max: usize,
    },
}

impl ProblemKind {
    /// A stable code for the window and the tests.
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::Required => "required",
            ProblemKind::TooLong { .. } => "too_long",
            ProblemKind::HiddenCharacters => "hidden_characters",
            ProblemKind::Formula => "formula",
            ProblemKind::WrongType => "wrong_type",
            ProblemKind::ErrorValue => "error_value",
            ProblemKind::IinFormat => "iin_format",
            ProblemKind::IinCheckDigit => "iin_check_digit",
            ProblemKind::LookAlike { .. } => "look_alike",
            ProblemKind::PhoneFormat => "phone_format",
            ProblemKind::DateFormat => "date_format",
            ProblemKind::MomentFormat => "moment_format",
            ProblemKind::InFuture => "in_future",
            ProblemKind::BeforeBirth => "before_birth",
            ProblemKind::UnknownCategory => "unknown_category",
            ProblemKind::UnknownKindergarten => "unknown_kindergarten",
            ProblemKind::TooManyPreferences { .. } => "too_many_preferences",
            ProblemKind::UnknownLanguage => "unknown_language",
            ProblemKind::UnknownService => "unknown_service",
            ProblemKind::UnknownStatus => "unknown_status",
            ProblemKind::UnknownChannel => "unknown_channel",
            ProblemKind::AgeLimit { .. } => "age_limit",
            ProblemKind::DuplicateInFile { .. } => "duplicate_in_file",
            ProblemKind::AlreadyQueued { .. } => "already_queued",
            ProblemKind::AlreadyRegistered { .. } => "already_registered",
            ProblemKind::MissingColumn => "missing_column",
            ProblemKind::DuplicateColumn => "duplicate_column",
            ProblemKind::NoHeader => "no_header",
            ProblemKind::TooManyRows { .. } => "too_many_rows",
        }
    }

    /// What is wrong, without the row and column (the problem adds them).
    pub fn detail(&self, lang: Lang) -> String {
        let kk = lang == Lang::Kk;
        let pick = |k: String, r: String| if kk { k } else { r };
        let s = |k: &str, r: &str| pick(k.to_owned(), r.to_owned());
        match self {
            ProblemKind::Required => s("толтырылмаған.", "не заполнено."),
            ProblemKind::TooLong { max } => pick(
                format!("тым ұзын: {max} таңбадан аспауы керек."),
                format!("слишком длинно: не более {max} символов."),
            ),
            ProblemKind::HiddenCharacters => s(
                "басқару немесе көрінбейтін таңбалар бар; мәтінді қайта теріңіз.",
                "есть управляющие или невидимые символы; наберите текст заново.",
            ),
            ProblemKind::Formula => {
                s("формула тұр; оның орнына мәнін енгізіңіз.", "стоит формула; введите вместо неё значение.")
            }
            ProblemKind::WrongType => {
                s("ұяшықтың түрі сәйкес емес; мәтін енгізіңіз.", "неподходящий тип ячейки; введите текст.")
            }
            ProblemKind::ErrorValue => {
                s("ұяшықта Excel қатесі тұр (#N/A, #REF! т.б.).", "в ячейке ошибка Excel (#N/A, #REF! и т. п.).")
            }
            ProblemKind::IinFormat => s("ЖСН 12 цифрдан тұруы керек.", "ИИН должен состоять из 12 цифр."),
            ProblemKind::IinCheckDigit => s(
                "ЖСН қате: бақылау саны сәйкес келмейді. Құжаттан қайта тексеріңіз.",
                "ИИН неверен: не сходится контрольный разряд. Сверьте с документом.",
            ),
            ProblemKind::LookAlike { found } => {
                let code = format!("U+{:04X}", u32::from(*found));
                pick(
                    format!("ЖСН-да цифрға ұқсас таңба бар: «{found}» ({code}). Оны цифрмен қайта теріңіз."),
                    format!("в ИИН символ, похожий на цифру: «{found}» ({code}). Наберите его цифрой заново."),
                )
            }
            ProblemKind::PhoneFormat => {
                s("телефонды +7 7XX XXX XX XX түрінде енгізіңіз.", "введите телефон в виде +7 7XX XXX XX XX.")
            }
            ProblemKind::DateFormat => s("күнді КК.АА.ЖЖЖЖ түрінде енгізіңіз.", "введите дату в виде ДД.ММ.ГГГГ."),
            ProblemKind::MomentFormat => s(
                "күн мен уақытты КК.АА.ЖЖЖЖ сс:мм:сс түрінде енгізіңіз.",
                "введите дату и время в виде ДД.ММ.ГГГГ чч:мм:сс.",
            ),
            ProblemKind::InFuture => s("болашақтағы күн.", "дата в будущем."),
            ProblemKind::BeforeBirth => s(
                "өтініш бала туылғанға дейін берілген болып шығады.",
                "заявление оказывается поданным до рождения ребёнка.",
            ),
            ProblemKind::UnknownCategory => s(
                "мұндай басымдық санаты жоқ; үлгідегі санаттардың бірін жазыңыз.",
                "такой категории очерёдности нет; укажите одну из категорий шаблона.",
            ),
            ProblemKind::UnknownKindergarten => s(
                "мұндай балабақша тізілімде жоқ; алдымен оны «Балабақшалар» бөліміне қосыңыз.",
                "такого детского сада нет в реестре; сначала добавьте его в разделе «Детские сады».",
            ),
            ProblemKind::TooManyPreferences { max } => pick(
                format!("{max} балабақшадан аспауы және қайталанбауы керек."),
                format!("не более {max} детских садов, без повторов."),
            ),
            ProblemKind::UnknownLanguage => s(
                "оқыту тілін «қазақ», «орыс» немесе «аралас» деп жазыңыз.",
                "укажите язык обучения: «казахский», «русский» или «смешанный».",
            ),
            ProblemKind::UnknownService => s("мұндай қызмет каталогта жоқ.", "такой услуги нет в каталоге."),
            ProblemKind::UnknownStatus => s(
                "мәртебені «берілді», «қабылдаудан бас тартылды» немесе «кері қайтарылды» деп жазыңыз.",
                "укажите статус: «выдано», «отказано в приёме» или «отозвано».",
            ),
            ProblemKind::UnknownChannel => {
                s("арнаны «бөлім», «ХҚКО» немесе «портал» деп жазыңыз.", "укажите канал: «отдел», «ЦОН» или «портал».")
            }
            ProblemKind::AgeLimit { upper } => pick(
                format!("бала бүгін кезек жасынан асқан ({upper} жасқа дейін)."),
                format!("ребёнок сегодня старше возраста очереди (до {upper} лет)."),
            ),
            ProblemKind::DuplicateInFile { first_row } => pick(
                format!("дәл осы бала (нөмір) файлдың {first_row}-жолында бар."),
                format!("этот же ребёнок (номер) уже есть в строке {first_row} файла."),
            ),
            ProblemKind::AlreadyQueued { number } => pick(
                format!("бала кезекте тұр (өтініш № {number}); басқа деректермен қайта әкелінбейді."),
                format!("ребёнок уже в очереди (заявление № {number}); с другими данными повторно не загружается."),
            ),
            ProblemKind::AlreadyRegistered { number } => pick(
                format!("бұл нөмір тізілімде басқа деректермен бар (№ {number})."),
                format!("этот номер уже есть в реестре с другими данными (№ {number})."),
            ),
            ProblemKind::MissingColumn => s("міндетті баған жоқ.", "нет обязательного столбца."),
            ProblemKind::DuplicateColumn => s("баған екі рет берілген.", "столбец указан дважды."),
            ProblemKind::NoHeader => s(
                "үлгінің тақырып жолы табылмады; үлгіні жүктеп алып, соған толтырыңыз.",
                "не найдена строка заголовков шаблона; скачайте шаблон и заполните по нему.",
            ),
            ProblemKind::TooManyRows { max } => pick(
                format!("файлда {max} жолдан көп; оны бөліп әкеліңіз."),
                format!("в файле больше {max} строк; загрузите его частями."),
            ),
        }
    }
}

/// One problem of a file: its row as the spreadsheet numbers it (1 is the
/// first), the column when one is at fault, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: u32,
    pub column: Option<&'static Column>,
    pub kind: ProblemKind,
}

impl Problem {
    pub fn new(row: u32, column: Option<&'static Column>, kind: ProblemKind) -> Problem {
        Problem { row, column, kind }
    }

    /// The sentence a person reads: row, column, what is wrong.
    pub fn message(&self, lang: Lang) -> String {
        let detail = self.kind.detail(lang);
        match (lang, self.column) {
            (Lang::Kk, Some(c)) => format!("{}-жол, «{}» бағаны: {detail}", self.row, c.kk),
            (Lang::Ru, Some(c)) => format!("Строка {}, столбец «{}»: {detail}", self.row, c.ru),
            (Lang::Kk, None) => format!("{}-жол: {detail}", self.row),
            (Lang::Ru, None) => format!("Строка {}: {detail}", self.row),
        }
    }
}
