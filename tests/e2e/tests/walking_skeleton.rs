//! The Foundation's promise, through the real window: on a fresh data
//! directory create the administrator, log in, register a preschool-queue
//! application, get its acceptance receipt PDF, and find the registration
//! again after a restart — in the window and in the SQLite file.

use e2e::*;
use fantoccini::Client;

const SERVICE_KK: &str =
    "Мектепке дейінгі ұйымдарға жіберу үшін мектепке дейінгі жастағы (6 жасқа дейін) балаларды кезекке қою";
const APPLICANT: &str = "Нұрланқызы Әсем Ғалымқызы";

async fn first_run(c: &Client) -> Res<()> {
    visible(c, "screen-setup").await?;
    type_into(c, "setup-full-name", "Бекова Сәуле Үмбетқызы").await?;
    type_into(c, "setup-login", "saule").await?;
    type_into(c, "setup-password", "өте құпия 2026").await?;
    type_into(c, "setup-password-repeat", "басқа құпия 2026").await?;
    click(c, "setup-submit").await?;
    let err = text_until(c, "setup-error", |t| !t.is_empty()).await?;
    ensure(err.contains("сәйкес келмейді"), format!("mismatched passwords not reported in Kazakh: {err}"))?;
    type_into(c, "setup-password-repeat", "өте құпия 2026").await?;
    click(c, "setup-submit").await?;
    visible(c, "screen-login").await?;
    Ok(())
}

async fn log_in(c: &Client) -> Res<()> {
    visible(c, "screen-login").await?;
    type_into(c, "login-login", "saule").await?;
    type_into(c, "login-password", "өте құпия 2026").await?;
    click(c, "login-submit").await?;
    visible(c, "screen-desk").await?;
    text_until(c, "status-user", |t| t.contains("Бекова Сәуле")).await?;
    Ok(())
}

/// Registers one complete application; returns its number, receipt path
/// and the receipt's verification code.
async fn register(c: &Client) -> Res<(String, String, String)> {
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", APPLICANT).await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    type_into(c, "child_iin", "150315500609").await?; // wrong check digit first
    type_into(c, "child_name", "Нұрланұлы Ерасыл").await?;
    type_into(c, "child_birth_date", "15.03.2022").await?;
    for doc in ["application", "birth_certificate", "identity_document"] {
        check(c, &format!("doc-{doc}")).await?;
    }
    text_until(c, "intake-preview", |t| t.contains("қолхат беріледі")).await?;
    type_into(c, "extra_documents", "Көп балалы отбасы анықтамасы").await?;
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    let err = text_until(c, "register-error", |t| !t.is_empty()).await?;
    ensure(err.contains("Баланың ЖСН") && err.contains("бақылау"), format!("bad child IIN not explained: {err}"))?;

    type_into(c, "child_iin", "150315500607").await?;
    click(c, "register-submit").await?;
    let number = text_until(c, "result-number", |t| t.contains('-')).await?;
    let status = text_until(c, "result-status", |t| !t.is_empty()).await?;
    ensure(status == "қабылданды · кезек нөмірі 1", format!("status shown (with the child's queue number): {status}"))?;
    let path = text_until(c, "result-receipt-path", |t| t.ends_with(".pdf")).await?;
    let code = text_until(c, "result-verification", |t| t.starts_with("KENSE1 ")).await?;
    screenshot(c, "e2e-desk-kk.png").await?;
    Ok((number, path, code))
}

async fn switch_to_russian(c: &Client) -> Res<()> {
    click(c, "lang-ru").await?;
    text_until(c, "register-submit", |t| t == "Зарегистрировать и напечатать расписку").await?;
    // An error from Rust now comes back in Russian.
    type_into(c, "applicant_iin", "12345").await?;
    click(c, "register-submit").await?;
    let err = text_until(c, "register-error", |t| t.contains("ИИН")).await?;
    ensure(err.contains("введите 12 цифр"), format!("Russian error expected: {err}"))?;
    screenshot(c, "e2e-desk-ru.png").await?;
    click(c, "lang-kk").await?;
    text_until(c, "register-submit", |t| t.starts_with("Тіркеу")).await?;
    Ok(())
}

async fn after_restart(c: &Client, number: &str, code: &str) -> Res<()> {
    log_in(c).await?;
    let row = text_until(c, "recent", |t| t.contains(number)).await?;
    ensure(row.contains(APPLICANT), format!("journal row lacks the applicant: {row}"))?;
    // The receipt's QR code, as a scanner types it, checks out; one changed
    // character does not.
    click(c, "nav-verify").await?;
    type_into(c, "verify-text", code).await?;
    click(c, "verify-submit").await?;
    text_until(c, "verify-verdict", |t| t.starts_with("Жарамды")).await?;
    text_until(c, "verify-facts", |t| t.contains(number) && t.contains(APPLICANT)).await?;
    let mut forged = code.to_owned();
    let last = forged.pop().unwrap_or('A');
    forged.push(if last == 'A' { 'B' } else { 'A' });
    type_into(c, "verify-text", &forged).await?;
    click(c, "verify-submit").await?;
    text_until(c, "verify-verdict", |t| t.starts_with("Жарамсыз")).await?;
    screenshot(c, "e2e-verify.png").await?;
    Ok(())
}

async fn run(driver: &Driver, data_dir: &str) -> Res<(String, String)> {
    let args = ["--data-dir", data_dir];
    let (number, path, code) = driver
        .in_window(&args, "first-session", async |c: &Client| -> Res<_> {
            first_run(c).await?;
            log_in(c).await?;
            let done = register(c).await?;
            switch_to_russian(c).await?;
            Ok(done)
        })
        .await?;
    // in_window waited for the first program's end: the second opens the file alone.
    driver.in_window(&args, "second-session", async |c: &Client| after_restart(c, &number, &code).await).await?;
    Ok((number, path))
}

#[tokio::test(flavor = "multi_thread")]
async fn register_and_print_a_receipt_then_find_it_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let driver = Driver::start();
    let outcome = run(&driver, &data_dir).await;
    drop(driver);
    let (number, receipt) = outcome.unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(number, format!("01-{}-00001", chrono_year()), "first number of the year");
    let receipt = std::path::PathBuf::from(receipt);
    assert!(receipt.starts_with(dir.path()), "receipt filed in the data dir: {}", receipt.display());
    let text = pdf_text(&receipt).unwrap();
    for expected in [
        "Құжаттарды қабылдау туралы қолхат",
        APPLICANT,
        SERVICE_KK,
        &number,
        "Расписка о приеме документов",
        "Көп балалы отбасы анықтамасы",
        "Нәтиже берілетін күн",
        // The channel and who consented to the use of personal data.
        "Өтініш беру арнасы: Кеңсе",
        "Канал подачи: Отдел",
        "келісім берген: өтініш беруші",
        "Тексеру / Проверка",
    ] {
        assert!(text.contains(expected), "receipt text lacks {expected:?}:\n{text}");
    }
    std::fs::copy(&receipt, artifacts_dir().join("e2e-receipt.pdf")).unwrap();

    let db = rusqlite::Connection::open(dir.path().join("registry.sqlite")).unwrap();
    let (count, stored): (i64, String) =
        db.query_row("SELECT count(*), max(number) FROM applications", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((count, stored.as_str()), (1, number.as_str()), "exactly the one registration is in the file");
    let mut printed: Vec<String> = db
        .prepare("SELECT kind FROM issued_documents ORDER BY kind")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    printed.sort();
    assert_eq!(printed, ["queue-notification", "receipt"], "both papers handed to the parent are recorded");
}

fn chrono_year() -> String {
    // The app numbers by the office's local year; the test runs on the same machine.
    let out = std::process::Command::new("date").arg("+%Y").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
