//! Data in and out through the real window (issue #17): the administrator
//! imports a small queue file with one bad row — the dry run shows that row
//! and its problem, the import brings in the rest, and the queue shows the
//! imported children in the order of their original applications; the
//! clerk records a quality questionnaire; the head exports the month's
//! report to XLSX, which is read back here (calamine) and compared with
//! what was imported and recorded.
//!
//! Native pickers cannot be driven over WebDriver: the debug build's
//! `--dialog-answer <file>` makes each picker answer with the path written
//! in that file, as in the backup test.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use e2e::office::*;
use e2e::*;
use fantoccini::Client;

/// Three children born in 2022; the second's IIN has a Cyrillic «О» for a
/// zero. Row numbers count the header as row 1.
const QUEUE_FILE: &str = "\u{feff}Өтініш берілген күні мен уақыты;Баланың ЖСН;Баланың аты-жөні;Баланың туған күні;\
Өтініш берушінің ЖСН;Өтініш берушінің аты-жөні\n\
01.09.2023 09:30:00;220504500018;Импорт Бірінші;04.05.2022;900101300007;Ата-ана Бір\n\
02.09.2023 09:30:00;22О315500605;Импорт Қате;15.03.2022;900101300007;Ата-ана Екі\n\
03.09.2023 09:30:00;220315500605;Импорт Екінші;15.03.2022;900101300007;Ата-ана Үш\n";

async fn import_queue(c: &Client, answers: &Path, file: &Path) -> Res<()> {
    first_run(c).await?;
    log_in(c, "saule").await?;
    click(c, "nav-admin").await?;
    add_staff(c).await?;

    answer(answers, file)?;
    select_value(c, "import-kind", "queue").await?;
    click(c, "import-choose").await?;
    let problems = text_until(c, "import-problems", |t| !t.is_empty()).await?;
    ensure(problems.starts_with('3'), format!("the bad row is row 3: {problems}"))?;
    ensure(problems.contains("ЖСН"), format!("the problem is told in Kazakh: {problems}"))?;
    ensure(!problems.contains("Импорт Бірінші"), "a good row among the problems")?;
    let summary = text_until(c, "import-summary", |t| t.contains("Импортталады")).await?;
    ensure(summary.contains("Импортталады: 2"), format!("two rows would be imported: {summary}"))?;
    let rows = text_until(c, "import-rows", |t| t.contains("Импорт Екінші")).await?;
    ensure(rows.contains("Импорт Бірінші") && !rows.contains("Импорт Қате"), format!("the rows to import: {rows}"))?;
    screenshot(c, "e2e-import-dry-run-kk.png").await?;

    click(c, "import-confirm").await?;
    let done = text_until(c, "import-result", |t| t.starts_with("Импортталды")).await?;
    ensure(done.starts_with("Импортталды: 2"), format!("two rows imported: {done}"))?;

    // The queue shows the imported children, first applied first.
    click(c, "nav-queue").await?;
    select_value(c, "queue-year", "2022").await?;
    let queue = text_until(c, "queue-rows", |t| t.contains("Импорт Екінші")).await?;
    let first = queue.find("Импорт Бірінші").ok_or(format!("the first child is not queued: {queue}"))?;
    let second = queue.find("Импорт Екінші").ok_or("the second child is not queued")?;
    ensure(first < second, format!("the queue's order is not the file's: {queue}"))?;
    ensure(!queue.contains("Импорт Қате"), "the bad row was imported")?;

    // A questionnaire at the counter.
    click(c, "nav-register").await?;
    select_value(c, "survey-service", "preschool_queue").await?;
    select_value(c, "survey-quality", "3").await?;
    select_value(c, "survey-information", "2").await?;
    click(c, "survey-submit").await?;
    text_until(c, "survey-saved", |t| !t.is_empty()).await?;
    log_out(c).await
}

async fn export_report(c: &Client, answers: &Path, file: &Path) -> Res<()> {
    log_in(c, "head1").await?;
    click(c, "nav-reports").await?;
    let period = text_until(c, "report-period", |t| t.contains("01.11.2026")).await?;
    ensure(period.contains("30.11.2026"), format!("the month of the office's clock: {period}"))?;
    text_until(c, "report-queue", |t| t.contains("2022")).await?;
    screenshot(c, "e2e-report-kk.png").await?;
    answer(answers, file)?;
    click(c, "export-report-xlsx").await?;
    text_until(c, "report-saved", |t| t.contains("month-report.xlsx")).await?;
    Ok(())
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queue_file_comes_in_and_the_months_report_goes_out() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let answers = dir.path().join("dialog-answer.txt");
    std::fs::write(&answers, "").unwrap();
    let queue_file = dir.path().join("кезек.csv");
    std::fs::write(&queue_file, QUEUE_FILE).unwrap();
    let report_file = dir.path().join("month-report.xlsx");
    let driver = Driver::start();
    let args = ["--data-dir", data.to_str().unwrap(), "--clock", DAY, "--dialog-answer", answers.to_str().unwrap()];
    let outcome = driver
        .in_window(&args, "exchange", async |c: &Client| -> Res<()> {
            import_queue(c, &answers, &queue_file).await?;
            export_report(c, &answers, &report_file).await
        })
        .await;
    drop(driver);
    outcome.unwrap_or_else(|e| panic!("{e}"));

    let mut book = open_workbook_auto(&report_file).unwrap();
    let sheets = book.sheet_names();
    assert!(sheets.iter().any(|s| s == "Кезек") && sheets.iter().any(|s| s == "Сауалнама"), "{sheets:?}");
    let queue = book.worksheet_range("Кезек").unwrap();
    let rows: Vec<Vec<String>> = queue.rows().map(|r| r.iter().map(text).collect()).collect();
    assert!(rows.iter().any(|r| r.first().is_some_and(|c| c.contains("Кезек") || c.contains('—'))), "a title row");
    let waiting: Vec<&Vec<String>> = rows.iter().filter(|r| r.first().map(String::as_str) == Some("2022")).collect();
    assert_eq!(waiting.len(), 1, "one birth year, one category: {rows:?}");
    assert_eq!(waiting[0].get(2).map(String::as_str), Some("2"), "the two imported children wait: {rows:?}");
    let survey = book.worksheet_range("Сауалнама").unwrap();
    let answers: Vec<Vec<String>> = survey.rows().map(|r| r.iter().map(text).collect()).collect();
    assert!(
        answers.iter().any(|r| r.get(2).is_some_and(|a| a == "қанағаттанамын") && r.get(3).is_some_and(|n| n == "1")),
        "the questionnaire's first answer: {answers:?}"
    );
    assert!(
        answers
            .iter()
            .any(|r| r.get(2).is_some_and(|a| a == "ішінара қанағаттанамын") && r.get(3).is_some_and(|n| n == "1")),
        "the questionnaire's second answer: {answers:?}"
    );
}
