//! The registry's journal and queue lists as tables, and their export: the
//! right is checked before anything is read, the file is made in memory,
//! its hash recorded in the audit (marked as personal data), and only then
//! handed to the caller to write.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use kense_domain::access::Actor;
use kense_domain::{Error, Lang};
use kense_storage::{ExportKind, ExportRecord, JournalLine, Office, QueueRow, ReferralRecord, Registry};

use crate::table::{Format, Table, TableColumn, Value};

/// The file kinds an export can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }

    pub fn parse(code: &str) -> Option<FileFormat> {
        match code {
            "xlsx" => Some(FileFormat::Xlsx),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }
}

/// An export made and recorded, ready to be written where the person chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub rows: usize,
}

impl Exported {
    /// Writes the file into `folder` under its own name; the path comes back.
    pub fn write_into(&self, folder: &std::path::Path) -> Result<std::path::PathBuf, Error> {
        let path = folder.join(&self.file_name);
        std::fs::write(&path, &self.bytes).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Ok(path)
    }
}

fn bytes_of(table: &Table, format: FileFormat) -> Result<Vec<u8>, Error> {
    match format {
        FileFormat::Xlsx => table.to_xlsx(),
        FileFormat::Csv => table.to_csv(),
    }
}

/// The office's name and the period, as a title reads them.
fn title(office: &Office, what: (&str, &str), period: &str, lang: Lang) -> String {
    let what = if lang == Lang::Kk { what.0 } else { what.1 };
    format!("{} — {what} — {period}", office.name.get(lang))
}

fn period_text(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        from.format("%d.%m.%Y").to_string()
    } else {
        format!("{}–{}", from.format("%d.%m.%Y"), to.format("%d.%m.%Y"))
    }
}

/// The journal's columns.
pub fn journal_columns() -> Vec<TableColumn> {
    vec![
        TableColumn::new("Тіркеу нөмірі", "Регистрационный номер", Format::Text, 16),
        TableColumn::new("Тіркелген уақыты", "Время регистрации", Format::DateTime, 20),
        TableColumn::new("Өтініш беруші", "Заявитель", Format::Text, 32),
        TableColumn::new("Өтініш берушінің ЖСН", "ИИН заявителя", Format::Text, 15),
        TableColumn::new("Қызмет", "Услуга", Format::Text, 50),
        TableColumn::new("Арна", "Канал", Format::Text, 20),
        TableColumn::new("Мәртебесі", "Статус", Format::Text, 22),
        TableColumn::new("Нәтижесі", "Результат", Format::Text, 24),
        TableColumn::new("Орындаушы", "Исполнитель", Format::Text, 26),
        TableColumn::new("Орындау мерзімі", "Срок исполнения", Format::DateTime, 20),
        TableColumn::new("Аяқталған уақыты", "Время завершения", Format::DateTime, 20),
    ]
}

/// The journal of a period as a table; moments in the office's local time.
pub fn journal_table(office: &Office, lines: &[JournalLine], from: NaiveDate, to: NaiveDate, lang: Lang) -> Table {
    let local = |m: &DateTime<FixedOffset>| Value::DateTime(m.naive_local());
    let opt = |m: &Option<DateTime<FixedOffset>>| m.as_ref().map_or(Value::Empty, local);
    Table {
        sheet: "Журнал".into(),
        title: title(
            office,
            ("өтініштерді тіркеу журналы", "журнал регистрации заявлений"),
            &period_text(from, to),
            lang,
        ),
        columns: journal_columns(),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    Value::Text(l.number.clone()),
                    local(&l.registered_at),
                    Value::Text(l.applicant_name.clone()),
                    Value::Text(l.applicant_iin.clone()),
                    Value::Text(l.service_name.get(lang).to_owned()),
                    Value::Text(l.channel.name().get(lang).to_owned()),
                    Value::Text(l.status.name().get(lang).to_owned()),
                    kense_domain::workflow::outcome_name(l.status, l.outcome.as_deref())
                        .map_or(Value::Empty, |o| Value::Text(o.get(lang).to_owned())),
                    l.executor.clone().map_or(Value::Empty, Value::Text),
                    opt(&l.due_at),
                    opt(&l.closed_at),
                ]
            })
            .collect(),
    }
}

/// Exports the journal of `from..=to` (office dates).
pub fn export_journal(
    r: &mut Registry,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    format: FileFormat,
    lang: Lang,
    now: DateTime<FixedOffset>,
) -> Result<Exported, Error> {
    r.authorize_export(actor, ExportKind::Journal, now)?;
    let office = r.office()?;
    let lines = r.journal(actor, from, to, now)?;
    let table = journal_table(&office, &lines, from, to, lang);
    let file_name = format!("journal_{from}_{to}.{}", format.extension());
    finish(r, actor, (ExportKind::Journal, &format!("{from}..{to}")), file_name, &table, format, now)
}

/// Makes the file of `table`, records the export with the file's hash,
/// and hands the file back.
fn finish(
    r: &mut Registry,
    actor: &Actor,
    what: (ExportKind, &str),
    file_name: String,
    table: &Table,
    format: FileFormat,
    now: DateTime<FixedOffset>,
) -> Result<Exported, Error> {
    let (kind, period) = what;
    let bytes = bytes_of(table, format)?;
    let sha256 = crate::sha256(&bytes);
    let rows = table.rows.len();
    r.record_export(actor, &ExportRecord { kind, period, file_name: &file_name, sha256: &sha256, rows }, now)?;
    Ok(Exported { file_name, bytes, sha256, rows })
}

/// The queue list's columns.
pub fn queue_columns() -> Vec<TableColumn> {
    vec![
        TableColumn::new("Туған жылы", "Год рождения", Format::Integer, 10),
        TableColumn::new("Кезектегі нөмірі", "Номер в очереди", Format::Integer, 10),
        TableColumn::new("Өтініш нөмірі", "Номер заявления", Format::Text, 16),
        TableColumn::new("Баланың аты-жөні", "ФИО ребёнка", Format::Text, 32),
        TableColumn::new("Баланың ЖСН", "ИИН ребёнка", Format::Text, 15),
        TableColumn::new("Басымдық санаты", "Категория очерёдности", Format::Text, 36),
        TableColumn::new("Кезекке қойылған уақыты", "Время постановки в очередь", Format::DateTime, 20),
        TableColumn::new("Жағдайы", "Состояние", Format::Text, 22),
    ]
}

fn state_name(code: &str, lang: Lang) -> String {
    let (kk, ru) = match code {
        "waiting" => ("кезекте", "в очереди"),
        "referred" => ("жолдама берілді", "выдано направление"),
        "stop_listed" => ("стоп-парақта", "в стоп-листе"),
        "enrolled" => ("қабылданды", "зачислен"),
        _ => ("кезектен шықты", "снят с очереди"),
    };
    if lang == Lang::Kk { kk } else { ru }.to_owned()
}

/// The queue lists (every birth year, in queue order) as a table.
pub fn queue_table(
    office: &Office,
    rules: &kense_domain::queue::QueueRules,
    rows: &[QueueRow],
    on: NaiveDate,
    lang: Lang,
) -> Table {
    Table {
        sheet: if lang == Lang::Kk { "Кезек".into() } else { "Очередь".into() },
        title: title(
            office,
            ("мектепке дейінгі ұйымдарға кезек", "очередь в дошкольные организации"),
            &period_text(on, on),
            lang,
        ),
        columns: queue_columns(),
        rows: rows
            .iter()
            .map(|q| {
                vec![
                    Value::Integer(i64::from(q.birth_year)),
                    q.position.map_or(Value::Empty, |p| Value::Integer(i64::from(p))),
                    Value::Text(q.number.clone()),
                    Value::Text(q.child_name.clone()),
                    Value::Text(q.child_iin.clone()),
                    Value::Text(
                        rules.category(&q.category).map_or(q.category.clone(), |c| c.name.get(lang).to_owned()),
                    ),
                    NaiveDateTime::parse_from_str(&q.queued_at, "%Y-%m-%dT%H:%M:%S")
                        .map_or_else(|_| Value::Text(q.queued_at.clone()), Value::DateTime),
                    Value::Text(state_name(&q.state, lang)),
                ]
            })
            .collect(),
    }
}

/// Exports the queue lists as they stand now.
pub fn export_queue(
    r: &mut Registry,
    actor: &Actor,
    format: FileFormat,
    lang: Lang,
    now: DateTime<FixedOffset>,
) -> Result<Exported, Error> {
    r.authorize_export(actor, ExportKind::QueueList, now)?;
    let office = r.office()?;
    let mut rows = Vec::new();
    let mut years: Vec<i32> = r.queue_years(actor, now)?.iter().map(|y| y.birth_year).collect();
    years.sort_unstable();
    for year in years {
        rows.extend(r.queue(actor, year, u32::MAX / 2, now)?);
    }
    let rules = r.queue_rules()?;
    let on = now.date_naive();
    let table = queue_table(&office, &rules, &rows, on, lang);
    let file_name = format!("queue_{on}.{}", format.extension());
    finish(r, actor, (ExportKind::QueueList, &on.to_string()), file_name, &table, format, now)
}

/// The referral list's columns.
pub fn referral_columns() -> Vec<TableColumn> {
    vec![
        TableColumn::new("Жолдама нөмірі", "Номер направления", Format::Text, 16),
        TableColumn::new("Берілген күні", "Дата выдачи", Format::DateTime, 20),
        TableColumn::new("Өтініш нөмірі", "Номер заявления", Format::Text, 16),
        TableColumn::new("Баланың аты-жөні", "ФИО ребёнка", Format::Text, 32),
        TableColumn::new("Баланың ЖСН", "ИИН ребёнка", Format::Text, 15),
        TableColumn::new("Туған жылы", "Год рождения", Format::Integer, 10),
        TableColumn::new("Балабақша", "Детский сад", Format::Text, 36),
        TableColumn::new("Топ", "Группа", Format::Text, 18),
        TableColumn::new("Жарамды мерзімі", "Действительно до", Format::Date, 14),
        TableColumn::new("Жағдайы", "Состояние", Format::Text, 22),
    ]
}

/// The referrals of one distribution as a table, in the order issued.
pub fn referral_table(office: &Office, distribution_id: i64, referrals: &[ReferralRecord], lang: Lang) -> Table {
    let day = |s: &str| NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d");
    let moment = |s: &str| {
        DateTime::parse_from_rfc3339(s).map_or_else(|_| Value::Text(s.to_owned()), |m| Value::DateTime(m.naive_local()))
    };
    let issued = referrals.iter().map(|r| r.issued_at.as_str()).min().and_then(|s| day(s).ok());
    let what = (
        format!("№ {distribution_id} бөлу бойынша жолдамалар"),
        format!("направления по распределению № {distribution_id}"),
    );
    Table {
        sheet: if lang == Lang::Kk { "Жолдамалар".into() } else { "Направления".into() },
        title: title(office, (&what.0, &what.1), &issued.map_or_else(String::new, |d| period_text(d, d)), lang),
        columns: referral_columns(),
        rows: referrals
            .iter()
            .map(|r| {
                vec![
                    Value::Text(r.number.clone()),
                    moment(&r.issued_at),
                    Value::Text(r.application_number.clone()),
                    Value::Text(r.child_name.clone()),
                    Value::Text(r.child_iin.clone()),
                    Value::Integer(i64::from(r.birth_year)),
                    Value::Text(r.kindergarten.get(lang).to_owned()),
                    Value::Text(r.group_name.clone()),
                    day(&r.valid_until).map_or_else(|_| Value::Text(r.valid_until.clone()), Value::Date),
                    Value::Text(r.status.name().get(lang).to_owned()),
                ]
            })
            .collect(),
    }
}

/// Exports the referrals one distribution issued.
pub fn export_referrals(
    r: &mut Registry,
    actor: &Actor,
    distribution_id: i64,
    format: FileFormat,
    lang: Lang,
    now: DateTime<FixedOffset>,
) -> Result<Exported, Error> {
    r.authorize_export(actor, ExportKind::Referrals, now)?;
    let office = r.office()?;
    let mut referrals = r.referrals(actor, Some(distribution_id), 100_000, now)?;
    if referrals.is_empty() {
        return Err(Error::NotFound);
    }
    // The registry lists the newest first; a list reads in the order issued.
    referrals.reverse();
    let table = referral_table(&office, distribution_id, &referrals, lang);
    let file_name = format!("referrals_{distribution_id}.{}", format.extension());
    finish(r, actor, (ExportKind::Referrals, &distribution_id.to_string()), file_name, &table, format, now)
}

/// An import template: the title and the header row, every column named in
/// Kazakh and Russian, cells typed as the import reads them best.
fn template(columns: &[kense_domain::import::Column], sheet: &str, title: &str, dated: &[&str]) -> Table {
    Table {
        sheet: sheet.to_owned(),
        title: title.to_owned(),
        columns: columns
            .iter()
            .map(|c| {
                let format = if dated.contains(&c.key) { Format::Date } else { Format::Text };
                let mut col = TableColumn::new(c.kk, c.ru, format, 24);
                if c.required {
                    col.kk.push_str(" *");
                    col.ru.push_str(" *");
                }
                col
            })
            .collect(),
        rows: Vec::new(),
    }
}

/// The queue import's template, as the import screen offers it.
pub fn queue_template() -> Table {
    template(
        &kense_domain::import::queue::COLUMNS,
        "Кезек",
        "Кезекті әкелу үлгісі / Шаблон загрузки очереди (* — міндетті / обязательно)",
        &["child_birth_date"],
    )
}

/// The history import's template.
pub fn history_template() -> Table {
    template(
        &kense_domain::import::history::COLUMNS,
        "Тізілім",
        "Өтініштер тізілімін әкелу үлгісі / Шаблон загрузки реестра заявлений (* — міндетті / обязательно)",
        &["closed_on", "child_birth_date"],
    )
}
