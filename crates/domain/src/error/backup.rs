//! Why a file offered for restore was refused, and how that reads inside the
//! `BackupRejected` message.

use crate::lang::Lang;

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
    /// The clause `Error::BackupRejected` puts into its sentence.
    pub(super) fn reason(self, lang: Lang) -> String {
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
