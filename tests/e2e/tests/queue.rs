//! The preschool queue through the real window (queue issue): the head
//! registers a kindergarten and its group; the clerk queues three children
//! of one birth year in three categories; the executor confirms the military
//! family's certificate (the child moves to number 1, and the others' history
//! says why their number changed) and declares two free places; the head
//! previews and commits the distribution; the referrals are printed as a
//! batch and read back; one referral is presented, the other is never
//! presented. On a test clock after its last day it has expired: the verify
//! screen's headline says so (Kazakh and Russian, the last day dd.mm.yyyy),
//! and the history of its child — on the stop list, with no number — says
//! why on screen and on paper. On a later clock still the child has served
//! the stop list and is back in the queue with the cause recorded.

use e2e::office::*;
use e2e::*;
use fantoccini::Client;

const DAY1: &str = DAY;
/// After the referral's five working days (through 1 or 2 December), inside
/// the ten-day stop list that follows.
const STOP_LISTED: &str = "2026-12-04T10:00:00+05:00";
/// Well after the referral's five working days and the ten-day stop list.
const LATER: &str = "2026-12-14T10:00:00+05:00";

const CHILDREN: [(&str, &str, &str, &str); 3] = [
    ("Ахметова Дана", "220310500013", "10.03.2022", "general"),
    ("Бекұлы Арман", "220415500014", "15.04.2022", "large_family"),
    ("Серікұлы Нұрлан", "220520500015", "20.05.2022", "military"),
];

async fn set_up(c: &Client) -> Res<()> {
    first_run(c).await?;
    log_in(c, "saule").await?;
    click(c, "nav-admin").await?;
    add_staff(c).await?;
    log_out(c).await
}

async fn add_kindergarten(c: &Client) -> Res<()> {
    log_in(c, "head1").await?;
    click(c, "nav-queue").await?;
    click_css(c, "#kindergarten-admin summary").await?;
    type_into(c, "kg-name-kk", "«Күншуақ» балабақшасы").await?;
    type_into(c, "kg-name-ru", "Детский сад «Кюншуак»").await?;
    type_into(c, "kg-address-kk", "Шиелі кенті, Абай к-сі, 3").await?;
    type_into(c, "kg-address-ru", "пос. Шиели, ул. Абая, 3").await?;
    click(c, "kindergarten-submit").await?;
    text_until(c, "kindergarten-rows", |t| t.contains("«Күншуақ» балабақшасы")).await?;
    type_into(c, "group-name", "Ересек топ").await?;
    type_into(c, "group-year", "2022").await?;
    type_into(c, "group-capacity", "20").await?;
    click(c, "group-submit").await?;
    text_until(c, "kindergarten-rows", |t| t.contains("Ересек топ")).await?;
    log_out(c).await
}

/// The clerk queues the three children; returns their application numbers.
async fn register_children(c: &Client) -> Res<Vec<String>> {
    log_in(c, "saule").await?;
    let mut numbers = Vec::new();
    for (i, (name, iin, born, category)) in CHILDREN.iter().enumerate() {
        click(c, "nav-register").await?;
        clear_registration(c).await?;
        select_value(c, "service", "preschool_queue").await?;
        type_into(c, "applicant_iin", "900101300007").await?;
        type_into(c, "applicant_name", &format!("Ата-ана {name}")).await?;
        type_into(c, "applicant_phone", "87011234567").await?;
        type_into(c, "child_iin", iin).await?;
        type_into(c, "child_name", name).await?;
        type_into(c, "child_birth_date", born).await?;
        for d in ["application", "birth_certificate", "identity_document"] {
            check(c, &format!("doc-{d}")).await?;
        }
        select_value(c, "queue-category", category).await?;
        let kindergarten = c
            .execute("return document.querySelector('#queue-preference-1 option:nth-child(2)').value", vec![])
            .await
            .map_err(|e| e.to_string())?;
        select_value(c, "queue-preference-1", kindergarten.as_str().unwrap_or_default()).await?;
        check(c, "consent").await?;
        click(c, "register-submit").await?;
        let number = text_until(c, "result-number", |t| t.contains('-')).await?;
        // Unconfirmed priority stands in the general queue: 1, 2, 3.
        let status = text_until(c, "result-status", |t| !t.is_empty()).await?;
        ensure(status.ends_with(&format!("кезек нөмірі {}", i + 1)), format!("{name}: {status}"))?;
        numbers.push(number);
    }
    log_out(c).await?;
    Ok(numbers)
}

async fn first_in_queue(c: &Client) -> Res<String> {
    let v = c
        .execute("return document.querySelector('#queue-rows tr').dataset.number", vec![])
        .await
        .map_err(|e| e.to_string())?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

async fn open_entry(c: &Client, number: &str) -> Res<()> {
    click(c, "nav-queue").await?;
    select_value(c, "queue-year", "2022").await?;
    click_css(c, &format!("#queue-rows tr[data-number=\"{number}\"] td")).await?;
    text_until(c, "entry-number", |t| t == number).await?;
    Ok(())
}

async fn confirm_and_declare(c: &Client, numbers: &[String]) -> Res<()> {
    log_in(c, "exec1").await?;
    open_entry(c, &numbers[2]).await?;
    type_into(c, "confirm-document", "Әскери бөлімнің анықтамасы № 214").await?;
    type_into(c, "confirm-date", "2026-11-20").await?;
    click(c, "confirm-submit").await?;
    text_until(c, "entry-facts", |t| t.contains("кезектен тыс")).await?;
    ensure(first_in_queue(c).await? == numbers[2], "the confirmed military family's child is number 1")?;
    // The first child's number changed: its history names the cause.
    open_entry(c, &numbers[0]).await?;
    let history =
        text_until(c, "entry-history", |t| t.contains("басқа өтініш") && t.contains("басымдық расталды")).await?;
    ensure(history.contains(&numbers[2]), format!("the cause names the application that moved ahead: {history}"))?;
    text_until(c, "entry-facts", |t| t.contains('2')).await?;
    // Two free places in the group.
    let group = c
        .execute("return document.querySelector('#places-group option').value", vec![])
        .await
        .map_err(|e| e.to_string())?;
    select_value(c, "places-group", group.as_str().unwrap_or_default()).await?;
    type_into(c, "places-count", "2").await?;
    type_into(c, "places-protocol", "Хаттама № 12, 24.11.2026").await?;
    click(c, "places-submit").await?;
    text_until(c, "kindergarten-rows", |t| t.contains("Ересек топ")).await?;
    log_out(c).await
}

/// The head distributes; returns the referral numbers and the path of the
/// first printed referral.
async fn distribute(c: &Client, numbers: &[String]) -> Res<(Vec<String>, String)> {
    log_in(c, "head1").await?;
    click(c, "nav-queue").await?;
    // The desk moves down as the queue above arrives: act once it has.
    text_until(c, "queue-rows", |t| t.contains(&numbers[0])).await?;
    click(c, "distribution-preview").await?;
    let preview = text_until(c, "distribution-rows", |t| !t.is_empty()).await?;
    // The military child first, then the first general child (1:3 mixing
    // puts the unconfirmed large family behind it as general).
    ensure(
        preview.contains(&numbers[2]) && preview.contains(&numbers[0]) && !preview.contains(&numbers[1]),
        format!("preview: {preview}"),
    )?;
    // Without the explicit confirmation nothing is issued.
    click(c, "distribution-commit").await?;
    text_until(c, "distribution-error", |t| t.contains("растау белгісін")).await?;
    click(c, "distribution-confirm").await?;
    click(c, "distribution-commit").await?;
    let referrals = text_until(c, "referral-rows", |t| t.contains("Ж-2026-00002")).await?;
    ensure(referrals.contains("Ж-2026-00001"), format!("referrals: {referrals}"))?;
    screenshot(c, "e2e-queue-distribution.png").await?;
    // Batch printing with progress; every referral is filed.
    click(c, "referrals-print-all").await?;
    let status = text_until(c, "referrals-print-status", |t| t.contains("Басып шығарылды")).await?;
    ensure(status.ends_with('2'), format!("batch print: {status}"))?;
    // Print one again to get its path (a copy now).
    click_css(c, "#referral-rows tr[data-number=\"Ж-2026-00001\"] button.small").await?;
    let line = text_until(c, "referrals-print-status", |t| t.contains(".pdf")).await?;
    let path = filed_path(&line)?;
    log_out(c).await?;
    Ok((vec!["Ж-2026-00001".into(), "Ж-2026-00002".into()], path))
}

/// The head exports the distribution's referrals to XLSX (the save dialog
/// answers from the test's file), which is read back here.
async fn export_referrals(c: &Client, data: &std::path::Path) -> Res<()> {
    use calamine::{open_workbook_auto, Reader};
    let file = data.join("referrals.xlsx");
    answer(&data.join("dialog-answer.txt"), &file)?;
    log_in(c, "head1").await?;
    click(c, "nav-queue").await?;
    text_until(c, "referrals-distribution", |t| t.contains('№')).await?;
    click(c, "referrals-export-xlsx").await?;
    text_until(c, "referrals-export-status", |t| t.contains("referrals.xlsx")).await?;
    log_out(c).await?;
    let mut book = open_workbook_auto(&file).map_err(|e| e.to_string())?;
    let sheet = book.worksheet_range("Жолдамалар").map_err(|e| e.to_string())?;
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|d| d.to_string())).collect();
    for expected in ["Ж-2026-00001", "Ж-2026-00002", "«Күншуақ» балабақшасы", "берілді"] {
        ensure(cells.iter().any(|c| c == expected), format!("the export lacks {expected:?}: {cells:?}"))?;
    }
    Ok(())
}

/// Calls a Kense command through the window's IPC, as the page's own code
/// does, and returns its answer.
async fn invoke(c: &Client, cmd: &str, args: serde_json::Value) -> Res<serde_json::Value> {
    let script = r#"
        const [cmd, args, done] = arguments;
        window.__TAURI__.core.invoke(cmd, args).then((v) => done({ ok: v }), (e) => done({ err: e }));
    "#;
    let v = c
        .execute_async(script, vec![serde_json::Value::String(cmd.into()), args])
        .await
        .map_err(|e| format!("invoke {cmd}: {e}"))?;
    match v.get("ok") {
        Some(ok) => Ok(ok.clone()),
        None => Err(format!("{cmd}: {}", v["err"])),
    }
}

/// The text of a referral's QR code, as a scanner reads it off the paper:
/// the referral printed once more (a copy is the same paper).
async fn referral_code(c: &Client, number: &str) -> Res<String> {
    let list = invoke(c, "referrals", serde_json::json!({ "payload": {} })).await?;
    let id = list
        .as_array()
        .and_then(|l| l.iter().find(|r| r["number"] == number))
        .map(|r| r["id"].clone())
        .ok_or(format!("no referral {number}: {list}"))?;
    let payload = serde_json::json!({ "payload": { "referral_id": id, "open": false, "printer": "" } });
    let printed = invoke(c, "print_referral", payload).await?;
    let code = printed["verification"].as_str().unwrap_or_default().to_owned();
    ensure(code.starts_with("KENSE1 ") && code.contains(number), format!("the referral's code: {code}"))?;
    Ok(code)
}

async fn present_first(c: &Client, numbers: &[String]) -> Res<String> {
    log_in(c, "exec1").await?;
    click(c, "nav-queue").await?;
    // The kindergarten's check by number and the child's IIN.
    type_into(c, "referral-find-number", "Ж-2026-00001").await?;
    type_into(c, "referral-find-iin", CHILDREN[2].1).await?;
    click(c, "referral-find-submit").await?;
    text_until(c, "referral-rows", |t| t.contains("Серікұлы Нұрлан") && !t.contains("Ж-2026-00002")).await?;
    click_css(c, "#referral-rows tr[data-number=\"Ж-2026-00001\"] button[data-step=\"present\"]").await?;
    text_until(c, "referral-rows", |t| t.contains("балабақшаға ұсынылды")).await?;
    // The general child's referral stays unpresented.
    let still = text_until(c, "referral-rows", |t| t.contains("Ж-2026-00002")).await?;
    log_out(c).await?;
    Ok(format!("{still} {}", numbers[0]))
}

/// After the unpresented referral's last day: the kindergarten scans it and
/// is told it has expired; the parent asks why the child has no number and
/// is given the history that says so.
async fn stop_listed(c: &Client, numbers: &[String], code: &str) -> Res<()> {
    log_in(c, "exec1").await?;
    click(c, "nav-queue").await?;
    text_until(c, "referral-rows", |t| t.contains("мерзімі өтті")).await?;
    let until = c
        .execute(
            "return document.querySelector('#referral-rows tr[data-number=\"Ж-2026-00002\"] td:nth-child(4)').textContent",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let until = until.as_str().unwrap_or_default().to_owned();
    ensure(until.len() == 10 && until.ends_with(".2026"), format!("the referral's last day as dd.mm.yyyy: {until}"))?;

    // (d) The verify headline states the standing: expired, and until when.
    click(c, "nav-verify").await?;
    type_into(c, "verify-text", code).await?;
    click(c, "verify-submit").await?;
    let headline = text_until(c, "verify-verdict", |t| !t.is_empty()).await?;
    ensure(
        headline.starts_with("Жарамсыз") && headline.contains("мерзімі өтті") && headline.contains(&until),
        format!("the expired referral's headline: {headline}"),
    )?;
    let class = c
        .execute("return document.getElementById('verify-result').className", vec![])
        .await
        .map_err(|e| e.to_string())?;
    ensure(class.as_str() == Some("result bad"), format!("the headline is not green: {class}"))?;
    let facts = text_until(c, "verify-facts", |t| t.contains(&until)).await?;
    ensure(!facts.contains("2026-12-0"), format!("an ISO date on the verify screen: {facts}"))?;
    screenshot(c, "e2e-queue-verify-expired.png").await?;
    click(c, "lang-ru").await?;
    click(c, "verify-submit").await?;
    let headline = text_until(c, "verify-verdict", |t| t.starts_with("Недействительно")).await?;
    ensure(
        headline.contains("срок направления истёк") && headline.contains(&until),
        format!("the Russian headline: {headline}"),
    )?;
    click(c, "lang-kk").await?;

    // (e) The stop-listed child's history says why, on screen and on paper,
    // with the stop list's last day.
    open_entry(c, &numbers[0]).await?;
    let facts = text_until(c, "entry-facts", |t| t.contains("стоп")).await?;
    let last_day = facts.rsplit(": ").next().unwrap_or_default().trim().to_owned();
    ensure(last_day.len() == 10, format!("the stop list's last day: {facts}"))?;
    let reason = "жолдама мерзімі өтті, бала стоп-параққа енгізілді";
    let history = text_until(c, "entry-history", |t| t.contains(reason)).await?;
    ensure(
        history.contains(&format!("{last_day} дейін")),
        format!("the history lacks the stop list's end: {history}"),
    )?;
    click(c, "entry-print-history").await?;
    let line = text_until(c, "notice", |t| t.contains(".pdf")).await?;
    let path = filed_path(&line)?;
    let paper = pdf_text(std::path::Path::new(&path))?;
    for expected in [
        reason,
        "срок направления истёк, ребёнок включён в стоп-лист",
        &format!("{last_day} дейін / до {last_day}"),
        "жолдама берілді",
    ] {
        ensure(paper.contains(expected), format!("the stop-listed child's history paper lacks {expected:?}: {paper}"))?;
    }
    std::fs::copy(&path, artifacts_dir().join("e2e-queue-history-stop-listed.pdf")).map_err(|e| e.to_string())?;
    log_out(c).await
}

async fn later(c: &Client, numbers: &[String]) -> Res<String> {
    log_in(c, "exec1").await?;
    click(c, "nav-queue").await?;
    text_until(c, "referral-rows", |t| t.contains("мерзімі өтті")).await?;
    open_entry(c, &numbers[0]).await?;
    let history = text_until(c, "entry-history", |t| t.contains("стоп-парақтан кезекке оралды")).await?;
    // Back at number 1, before the large family still unconfirmed.
    text_until(c, "queue-rows", |t| t.contains(&numbers[0])).await?;
    let first = first_in_queue(c).await?;
    ensure(first == numbers[0], format!("first in the queue: {first}"))?;
    screenshot(c, "e2e-queue-returned.png").await?;
    // The parent asks why the number changed: the history on paper.
    click(c, "entry-print-history").await?;
    let line = text_until(c, "notice", |t| t.contains(".pdf")).await?;
    let paper = pdf_text(std::path::Path::new(&filed_path(&line)?))?;
    for expected in
        ["Кезек нөмірінің өзгеру тарихы", "стоп-парақтан кезекке оралды", "вернулся в очередь из стоп-листа"]
    {
        ensure(paper.contains(expected), format!("the history paper lacks {expected:?}: {paper}"))?;
    }
    // Switch to Russian: the same history reads in Russian.
    click(c, "lang-ru").await?;
    open_entry(c, &numbers[0]).await?;
    text_until(c, "entry-history", |t| t.contains("вернулся в очередь из стоп-листа")).await?;
    click(c, "lang-kk").await?;
    // Without the QR code: the referral by its number and the child's IIN on
    // the verify screen; a wrong IIN finds nothing.
    click(c, "nav-verify").await?;
    type_into(c, "lookup-number", "Ж-2026-00002").await?;
    type_into(c, "lookup-iin", "220101500010").await?;
    click(c, "lookup-submit").await?;
    text_until(c, "verify-error", |t| t.contains("табылмады")).await?;
    type_into(c, "lookup-iin", CHILDREN[0].1).await?;
    click(c, "lookup-submit").await?;
    text_until(c, "verify-facts", |t| t.contains("мерзімі өтті") && t.contains("referral:Ж-2026-00002")).await?;
    log_out(c).await?;
    Ok(history)
}

async fn session<T>(
    driver: &Driver,
    data_dir: &str,
    clock: &str,
    name: &str,
    body: impl AsyncFnOnce(&Client) -> Res<T>,
) -> Res<T> {
    let answers = std::path::Path::new(data_dir).join("dialog-answer.txt");
    let args = ["--data-dir", data_dir, "--clock", clock, "--dialog-answer", answers.to_str().unwrap()];
    driver.in_window(&args, name, body).await
}

#[tokio::test(flavor = "multi_thread")]
async fn three_children_two_places_one_expired_referral() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let driver = Driver::start();
    let outcome = async {
        let (numbers, referral_pdf, code) = session(&driver, &data, DAY1, "queue-day1", async |c: &Client| -> Res<_> {
            set_up(c).await?;
            add_kindergarten(c).await?;
            let numbers = register_children(c).await?;
            confirm_and_declare(c, &numbers).await?;
            let (_, pdf) = distribute(c, &numbers).await?;
            export_referrals(c, std::path::Path::new(&data)).await?;
            present_first(c, &numbers).await?;
            log_in(c, "exec1").await?;
            let code = referral_code(c, "Ж-2026-00002").await?;
            log_out(c).await?;
            Ok((numbers, pdf, code))
        })
        .await?;
        let text = pdf_text(std::path::Path::new(&referral_pdf))?;
        for expected in ["Ж-2026-00001", "Серікұлы Нұрлан", "«Күншуақ» балабақшасы", "Басшы Ержан", &numbers[2]]
        {
            ensure(text.contains(expected), format!("the referral lacks {expected:?}: {text}"))?;
        }
        std::fs::copy(&referral_pdf, artifacts_dir().join("e2e-referral.pdf")).map_err(|e| e.to_string())?;
        session(&driver, &data, STOP_LISTED, "queue-stop-listed", async |c: &Client| -> Res<()> {
            stop_listed(c, &numbers, &code).await
        })
        .await?;
        session(&driver, &data, LATER, "queue-later", async |c: &Client| -> Res<String> { later(c, &numbers).await })
            .await
    }
    .await;
    drop(driver);
    let history = outcome.unwrap_or_else(|e| panic!("{e}"));
    assert!(history.contains("кезекке қойылды"), "{history}");
}
