//! Evidence that holds, through the real window:
//! (a) an applicant's name edited with plain SQL while Kense was closed is
//!     announced on the log-in screen and on every desk, named on the
//!     administrator's desk, and cleared only when the administrator accepts
//!     it with a reason; meanwhile its receipt's code reads as changed
//!     outside on the verify screen;
//! (b) a preschool child registered and «Шығу» pressed the moment the number
//!     appears: both papers are filed all the same;
//! (c) the app killed right after the number appears: after a restart the
//!     papers are there too.

use e2e::office::*;
use e2e::*;
use fantoccini::Client;

/// Registers a complete preschool application of child `n` and waits only
/// for the number: what a clerk sees before walking away.
async fn register_child(c: &Client, n: u32) -> Res<String> {
    click(c, "nav-register").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", &format!("Сынақбаева Әлия {n}")).await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    let child_iin = ["220315500605", "220401500602", "220501500606"][n as usize];
    type_into(c, "child_iin", child_iin).await?;
    type_into(c, "child_name", &format!("Сынақбаев Ерасыл {n}")).await?;
    let born = format!("{}.{}.20{}", &child_iin[4..6], &child_iin[2..4], &child_iin[0..2]);
    type_into(c, "child_birth_date", &born).await?;
    for doc in ["application", "birth_certificate", "identity_document"] {
        check(c, &format!("doc-{doc}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    text_until(c, "result-number", |t| t.starts_with("01-")).await
}

/// The papers recorded for an application, by kind, and whether each file
/// is where the registry says it was filed.
fn papers(data_dir: &std::path::Path, number: &str) -> Vec<(String, bool)> {
    let db = rusqlite::Connection::open(data_dir.join("registry.sqlite")).unwrap();
    let year = &number[3..7];
    let mut out: Vec<(String, bool)> = db
        .prepare(
            "SELECT d.kind, d.file_name FROM issued_documents d JOIN applications a ON a.id = d.application_id
             WHERE a.number = ?1 ORDER BY d.kind",
        )
        .unwrap()
        .query_map([number], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .map(|(kind, file)| (kind, data_dir.join("documents").join(year).join(file).exists()))
        .collect();
    out.sort();
    out
}

fn owed(data_dir: &std::path::Path) -> i64 {
    let db = rusqlite::Connection::open(data_dir.join("registry.sqlite")).unwrap();
    db.query_row("SELECT COUNT(*) FROM papers_owed", [], |r| r.get(0)).unwrap()
}

const BOTH: [(&str, bool); 2] = [("queue-notification", true), ("receipt", true)];

/// The first child's number and the code its receipt's QR carries.
async fn first_session(c: &Client, data_dir: &std::path::Path) -> Res<(String, String)> {
    first_run(c).await?;
    log_in(c, "saule").await?;
    let number = register_child(c, 0).await?;
    let code = text_until(c, "result-verification", |t| t.starts_with("KENSE1 ") && t.contains(&number)).await?;
    // (b) «Шығу» the moment the number appears.
    log_out(c).await?;
    log_in(c, "saule").await?;
    let filed = papers(data_dir, &number);
    let expected: Vec<(String, bool)> = BOTH.iter().map(|(k, f)| (k.to_string(), *f)).collect();
    ensure(filed == expected, format!("papers after a quick log-out: {filed:?}"))?;
    ensure(owed(data_dir) == 0, "nothing is owed")?;
    let row = text_until(c, "recent", |t| t.contains(&number)).await?;
    ensure(!row.contains("Қазір басу"), format!("nothing to print now in today's row: {row}"))?;
    Ok((number, code))
}

async fn killed_session(driver: &Driver, dir: &str, data_dir: &std::path::Path) -> Res<String> {
    let c = driver.launch(&["--data-dir", dir]).await?;
    log_in(&c, "saule").await?;
    let number = register_child(&c, 1).await?;
    // (c) killed the moment the number appears.
    let killed = std::process::Command::new("pkill")
        .args(["-KILL", "-f", &format!("kense --data-dir {dir}")])
        .status()
        .map_err(|e| format!("pkill: {e}"))?;
    ensure(killed.success(), "the app was killed")?;
    close_and_wait(c, data_dir).await?;
    let filed = papers(data_dir, &number);
    let expected: Vec<(String, bool)> = BOTH.iter().map(|(k, f)| (k.to_string(), *f)).collect();
    ensure(filed == expected, format!("papers of a registration killed right after: {filed:?}"))?;
    Ok(number)
}

/// (a) The name changed behind Kense's back.
fn edit_outside(data_dir: &std::path::Path, number: &str) {
    let db = rusqlite::Connection::open(data_dir.join("registry.sqlite")).unwrap();
    let n = db.execute("UPDATE applications SET applicant_name = 'Жалған Есім' WHERE number = ?1", [number]).unwrap();
    assert_eq!(n, 1);
}

async fn after_the_edit(c: &Client, code: &str) -> Res<()> {
    // At log-in, before anyone is in.
    let alarm = text_until(c, "alarm", |t| !t.is_empty()).await?;
    ensure(alarm.contains("Kense-ден тыс өзгертілген") && alarm.contains("1"), format!("log-in alarm: {alarm}"))?;
    screenshot(c, "evidence-alarm-login-kk.png").await?;
    log_in(c, "saule").await?;
    for tab in ["nav-register", "nav-search", "nav-verify", "nav-admin"] {
        click(c, tab).await?;
        let alarm = text_until(c, "alarm", |t| !t.is_empty()).await?;
        ensure(alarm.contains("әкімшіге хабарлаңыз") || alarm.contains("Әкімшіге"), format!("{tab}: {alarm}"))?;
    }
    // The receipt of the edited record no longer vouches for anything.
    click(c, "nav-verify").await?;
    type_into(c, "verify-text", code).await?;
    click(c, "verify-submit").await?;
    let headline = text_until(c, "verify-verdict", |t| !t.is_empty()).await?;
    ensure(
        headline.starts_with("Жарамсыз: тізілімдегі жазба Kense-ден тыс өзгертілген"),
        format!("verify: {headline}"),
    )?;
    click(c, "nav-admin").await?;
    // The administrator sees the record, the field and the vouching event.
    let found = text_until(c, "findings", |t| t.contains("applicant_name")).await?;
    ensure(found.contains("Өтініш") && found.contains("№"), format!("the finding names record and event: {found}"))?;
    screenshot(c, "evidence-findings-kk.png").await?;
    // A reason is required.
    click(c, "accept-findings").await?;
    text_until(c, "accept-error", |t| !t.is_empty()).await?;
    type_into(c, "accept-reason", "Өтініш берушінің жеке куәлігімен салыстырылды").await?;
    click(c, "accept-findings").await?;
    text_until(c, "audit-result", |t| t.contains("Қабылданды")).await?;
    wait_hidden(c, "alarm").await?;
    // The full check agrees.
    click(c, "audit-verify").await?;
    text_until(c, "audit-result", |t| t.starts_with("Аудит тізбегі бүтін")).await?;
    Ok(())
}

async fn wait_hidden(c: &Client, id: &str) -> Res<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let shown = match c.find(fantoccini::Locator::Id(id)).await {
            Ok(e) => e.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        };
        if !shown {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("#{id} still shown"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn run(driver: &Driver, dir: &str) -> Res<()> {
    let data_dir = std::path::Path::new(dir);
    let clock = ["--data-dir", dir, "--clock", DAY];
    let c = driver.launch(&clock).await?;
    let first = first_session(&c, data_dir).await;
    if first.is_err() {
        let _ = screenshot(&c, "evidence-failure-first.png").await;
    }
    let closed = close_and_wait(c, data_dir).await;
    let (number, code) = first?;
    closed?;

    killed_session(driver, dir, data_dir).await?;

    edit_outside(data_dir, &number);
    let c = driver.launch(&clock).await?;
    let second = after_the_edit(&c, &code).await;
    if second.is_err() {
        let _ = screenshot(&c, "evidence-failure-second.png").await;
    }
    let closed = close_and_wait(c, data_dir).await;
    second?;
    closed?;

    // Accepted once, gone for good: the next start announces nothing.
    let c = driver.launch(&clock).await?;
    let third = async {
        visible(&c, "screen-login").await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        wait_hidden(&c, "alarm").await
    }
    .await;
    let closed = close_and_wait(c, data_dir).await;
    third.and(closed)
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_edits_are_announced_and_papers_survive_a_log_out_and_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let outcome = run(&driver, dir.path().to_str().unwrap()).await;
    drop(driver);
    outcome.unwrap_or_else(|e| panic!("{e}"));
}
