//! A period's figures for the region's education department as tables —
//! one sheet each in a workbook, or sections of one CSV — and their export.
//! Counts only: the export is audited, but not as personal data.

use chrono::{DateTime, FixedOffset, NaiveDate};
use kense_domain::access::Actor;
use kense_domain::queue::QueueRules;
use kense_domain::{Error, Lang};
use kense_storage::{ExportKind, ExportRecord, Office, PeriodReport, Registry};

use crate::registers::{Exported, FileFormat};
use crate::table::{csv_of, workbook, Format, Table, TableColumn, Value};

fn pick(lang: Lang, kk: &str, ru: &str) -> String {
    if lang == Lang::Kk { kk } else { ru }.to_owned()
}

fn channel_name(code: &str, lang: Lang) -> String {
    match code {
        "office" => pick(lang, "бөлім", "отдел"),
        "state_corporation" => pick(lang, "ХҚКО", "ЦОН"),
        "portal" => pick(lang, "портал", "портал"),
        other => other.to_owned(),
    }
}

/// The report's tables, in the order the department reads them.
pub fn report_tables(report: &PeriodReport, office: &Office, rules: &QueueRules, lang: Lang) -> Vec<Table> {
    let period = if report.from == report.to {
        report.from.format("%d.%m.%Y").to_string()
    } else {
        format!("{}–{}", report.from.format("%d.%m.%Y"), report.to.format("%d.%m.%Y"))
    };
    let title = |kk: &str, ru: &str| format!("{} — {} — {period}", office.name.get(lang), pick(lang, kk, ru));
    let service = TableColumn::new("Қызмет", "Услуга", Format::Text, 50);
    let count = |kk: &str, ru: &str| TableColumn::new(kk, ru, Format::Integer, 14);
    let n = Value::Integer;
    vec![
        Table {
            sheet: pick(lang, "Өтініштер", "Заявления"),
            title: title("өтініштер: қызмет, мәртебе, арна", "заявления: услуга, статус, канал"),
            columns: vec![
                service.clone(),
                TableColumn::new("Мәртебесі", "Статус", Format::Text, 24),
                TableColumn::new("Арна", "Канал", Format::Text, 12),
                count("Саны", "Количество"),
            ],
            rows: report
                .applications
                .iter()
                .map(|a| {
                    vec![
                        Value::Text(a.service_name.get(lang).to_owned()),
                        Value::Text(a.status.name().get(lang).to_owned()),
                        Value::Text(channel_name(&a.channel, lang)),
                        n(a.count),
                    ]
                })
                .collect(),
        },
        Table {
            sheet: pick(lang, "Мерзімі өткен", "Просроченные"),
            title: title("мерзімі өткен өтініштер", "просроченные заявления"),
            columns: vec![service.clone(), count("Мерзімі бар", "Со сроком"), count("Мерзімі өткен", "Просрочено")],
            rows: report
                .overdue
                .iter()
                .map(|o| vec![Value::Text(o.service_name.get(lang).to_owned()), n(o.with_deadline), n(o.overdue)])
                .collect(),
        },
        Table {
            sheet: pick(lang, "Бас тартулар", "Отказы"),
            title: title("бас тарту негіздері", "отказы по основаниям"),
            columns: vec![
                service,
                TableColumn::new("Негіз", "Основание", Format::Text, 60),
                count("Саны", "Количество"),
            ],
            rows: report
                .refusals
                .iter()
                .map(|r| {
                    vec![
                        Value::Text(r.service_name.get(lang).to_owned()),
                        Value::Text(r.ground_name.get(lang).to_owned()),
                        n(r.count),
                    ]
                })
                .collect(),
        },
        Table {
            sheet: pick(lang, "Кезек", "Очередь"),
            title: title("кезек: туған жылы мен санаты", "очередь: год рождения и категория"),
            columns: vec![
                TableColumn::new("Туған жылы", "Год рождения", Format::Integer, 12),
                TableColumn::new("Басымдық санаты", "Категория очерёдности", Format::Text, 50),
                count("Кезекте", "В очереди"),
            ],
            rows: report
                .queue
                .iter()
                .map(|q| {
                    let category =
                        rules.category(&q.category).map_or(q.category.clone(), |c| c.name.get(lang).to_owned());
                    vec![n(i64::from(q.birth_year)), Value::Text(category), n(q.waiting)]
                })
                .collect(),
        },
        Table {
            sheet: pick(lang, "Жолдамалар", "Направления"),
            title: title("кезеңде берілген жолдамалар", "направления, выданные за период"),
            columns: vec![
                count("Берілді", "Выдано"),
                count("Пайдаланылды", "Использовано"),
                count("Мерзімі өтті", "Истекло"),
                count("Күтуде", "Ожидают"),
                count("Басқа", "Прочие"),
            ],
            rows: vec![vec![
                n(report.referrals.issued),
                n(report.referrals.used),
                n(report.referrals.expired),
                n(report.referrals.live),
                n(report.referrals.other),
            ]],
        },
        Table {
            sheet: pick(lang, "Сауалнама", "Анкетирование"),
            title: title("сапа мен қолжетімділік сауалнамасы", "анкетирование качества и доступности"),
            columns: vec![
                TableColumn::new("Қызмет", "Услуга", Format::Text, 40),
                TableColumn::new("Сұрақ", "Вопрос", Format::Text, 60),
                TableColumn::new("Жауап", "Ответ", Format::Text, 24),
                count("Саны", "Количество"),
            ],
            rows: report
                .survey
                .iter()
                .map(|s| {
                    let service = report
                        .applications
                        .iter()
                        .find(|a| a.service_code == s.service_code)
                        .map_or(s.service_code.clone(), |a| a.service_name.get(lang).to_owned());
                    vec![
                        Value::Text(service),
                        Value::Text(s.question.text().get(lang).to_owned()),
                        Value::Text(s.rating.name().get(lang).to_owned()),
                        n(s.count),
                    ]
                })
                .collect(),
        },
    ]
}

/// Exports the figures of `from..=to`.
pub fn export_period_report(
    r: &mut Registry,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    format: FileFormat,
    lang: Lang,
    now: DateTime<FixedOffset>,
) -> Result<Exported, Error> {
    r.authorize_export(actor, ExportKind::PeriodReport, now)?;
    let report = r.period_report(actor, from, to, now)?;
    let office = r.office()?;
    let rules = r.queue_rules()?;
    let tables = report_tables(&report, &office, &rules, lang);
    let bytes = match format {
        FileFormat::Xlsx => workbook(&tables)?,
        FileFormat::Csv => csv_of(&tables)?,
    };
    let sha256 = crate::sha256(&bytes);
    let file_name = format!("report_{}_{}.{}", report.from, report.to, format.extension());
    let period = format!("{}..{}", report.from, report.to);
    let rows = tables.iter().map(|t| t.rows.len()).sum();
    r.record_export(
        actor,
        &ExportRecord { kind: ExportKind::PeriodReport, period: &period, file_name: &file_name, sha256: &sha256, rows },
        now,
    )?;
    Ok(Exported { file_name, bytes, sha256, rows })
}
