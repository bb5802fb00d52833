//! A full office day at the three desks, at 1366×768, in both languages.
//! The clerk registers four applications for two services (one incomplete,
//! refused at intake with its receipt), checking IINs as typed and having a
//! known applicant filled in; the head assigns the three accepted ones with
//! one Enter each; the executor prepares two positive results and a reasoned
//! refusal with a ground from the list; the head reads each result beside
//! its application, batch-signs two after the explicit confirmation and
//! returns the third with a comment; the clerk hands out what is signed from
//! the "ready" list. Part of the day is worked in Russian. Every desk is
//! photographed in both languages as target/test-artifacts/desk-<name>-<lang>.png.

use e2e::office::*;
use e2e::*;
use fantoccini::{Client, Locator};

async fn set_up_office(c: &Client) -> Res<()> {
    first_run(c).await?;
    log_in(c, "saule").await?;
    click(c, "nav-admin").await?;
    type_into(c, "office-name-kk", "Шиелі ауданының білім бөлімі").await?;
    type_into(c, "office-name-ru", "Отдел образования Шиелийского района").await?;
    click(c, "office-submit").await?;
    visible(c, "office-saved").await?;
    add_staff(c).await
}

/// Photographs the desk on screen in Kazakh and in Russian, checking that
/// the switch took (`ru_probe` is a Russian text of that desk), and comes
/// back to Kazakh.
/// Fails when the page is wider than the window: a desk must be readable
/// without scrolling sideways. Names the elements that stick out.
async fn fits_the_window(c: &Client, what: &str) -> Res<()> {
    let script = r#"
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return "";
        const wide = [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > width + 1)
            .map((e) => `${e.id || e.tagName + "." + e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
        const inner = [...document.querySelectorAll("body *")]
            .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
            .map((e) => `${e.id || e.tagName + "." + e.className} ${e.scrollWidth}/${e.clientWidth}`);
        return `${document.documentElement.scrollWidth} px for ${width}: ${wide.slice(-5).join(", ") || "?"} / ${inner.slice(0, 8).join(", ")}`;
    "#;
    let v = c.execute(script, vec![]).await.map_err(|e| e.to_string())?;
    let wide = v.as_str().unwrap_or_default();
    ensure(wide.is_empty(), format!("{what} is wider than the window: {wide}"))
}

/// Screenshots of a desk at 1366×768 in both languages and at 1920×1080,
/// each checked to fit the window's width.
async fn photograph(c: &Client, name: &str, probe_id: &str, ru_probe: &str) -> Res<()> {
    // A desk is looked at from its top.
    let top = async || -> Res<()> {
        c.execute("window.scrollTo(0, 0);", vec![]).await.map_err(|e| e.to_string())?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        Ok(())
    };
    top().await?;
    screenshot(c, &format!("desk-{name}-kk.png")).await?;
    fits_the_window(c, &format!("the {name} desk at 1366×768 (kk)")).await?;
    click(c, "lang-ru").await?;
    text_until(c, probe_id, |t| t.contains(ru_probe)).await?;
    top().await?;
    screenshot(c, &format!("desk-{name}-ru.png")).await?;
    fits_the_window(c, &format!("the {name} desk at 1366×768 (ru)")).await?;
    c.set_window_size(1920, 1080).await.map_err(|e| format!("window size: {e}"))?;
    top().await?;
    screenshot(c, &format!("desk-{name}-1920-ru.png")).await?;
    fits_the_window(c, &format!("the {name} desk at 1920×1080 (ru)")).await?;
    c.set_window_size(1366, 768).await.map_err(|e| format!("window size: {e}"))?;
    click(c, "lang-kk").await?;
    text_until(c, probe_id, |t| !t.contains(ru_probe)).await?;
    // The desk asks its data again in the new language; let it settle.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    Ok(())
}

struct Registration<'a> {
    service: &'a str,
    channel: &'a str,
    applicant_iin: &'a str,
    /// `None`: a known applicant, filled in by the registry.
    applicant: Option<&'a str>,
    child_iin: &'a str,
    child: &'a str,
    documents: &'a [&'a str],
}

async fn register(c: &Client, r: &Registration<'_>) -> Res<String> {
    click(c, "nav-register").await?;
    clear_registration(c).await?;
    select_value(c, "service", r.service).await?;
    select_value(c, "channel", r.channel).await?;
    type_into(c, "applicant_iin", r.applicant_iin).await?;
    text_until(c, "applicant_iin-check", |t| t.starts_with('✓')).await?;
    match r.applicant {
        Some(name) => {
            type_into(c, "applicant_name", name).await?;
            type_into(c, "applicant_phone", "87011234567").await?;
        }
        None => {
            text_until(c, "person-known", |t| t.contains("-00001")).await?;
        }
    }
    type_into(c, "child_iin", r.child_iin).await?;
    type_into(c, "child_name", r.child).await?;
    type_into(c, "child_birth_date", "15.03.2022").await?;
    for d in r.documents {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    text_until(c, "result-number", |t| t.contains('-')).await
}

async fn rows(c: &Client, tbody: &str) -> Res<usize> {
    Ok(c.find_all(Locator::Css(&format!("#{tbody} tr"))).await.map_err(|e| e.to_string())?.len())
}

struct Day {
    a: String,
    b: String,
    c: String,
}

async fn clerk_morning(c: &Client) -> Res<Day> {
    set_up_office(c).await?;
    click(c, "nav-register").await?;
    // The IIN's check digit is checked as it is typed.
    type_into(c, "applicant_iin", "90010130000").await?;
    text_until(c, "applicant_iin-check", |t| t == "11 / 12").await?;
    type_into(c, "applicant_iin", "900101300008").await?;
    text_until(c, "applicant_iin-check", |t| t.starts_with('✗') && t.contains("бақылау")).await?;

    let a = register(
        c,
        &Registration {
            service: "preschool_queue",
            channel: "office",
            applicant_iin: "900101300007",
            applicant: Some("Жұмабаева Әйгерім"),
            child_iin: "220315500010",
            child: "Жұмабаев Әлихан",
            documents: &["application", "birth_certificate", "identity_document"],
        },
    )
    .await?;
    let b = register(
        c,
        &Registration {
            service: "preschool_queue",
            channel: "office",
            applicant_iin: "850512400016",
            applicant: Some("Сейітова Динара"),
            child_iin: "220315500020",
            child: "Сейітов Нұрасыл",
            documents: &["application", "birth_certificate", "identity_document"],
        },
    )
    .await?;
    // Guardianship comes through the State Corporation; the applicant of
    // the first application is known and filled in.
    let g = register(
        c,
        &Registration {
            service: "guardianship_certificate",
            channel: "state_corporation",
            applicant_iin: "900101300007",
            applicant: None,
            child_iin: "220315500030",
            child: "Жұмабаева Аяла",
            documents: &["application", "identity_document", "birth_certificate"],
        },
    )
    .await?;
    let filled = c
        .execute("return document.getElementById('applicant_name').value;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    ensure(filled.as_str() == Some("Жұмабаева Әйгерім"), format!("the known applicant was filled as {filled}"))?;

    // An incomplete package: refused at intake, with the receipt of refusal.
    let incomplete = register(
        c,
        &Registration {
            service: "preschool_queue",
            channel: "office",
            applicant_iin: "910202300048",
            applicant: Some("Толық емес Ұлан"),
            child_iin: "220315500040",
            child: "Толық емес Бала",
            documents: &["application"],
        },
    )
    .await?;
    text_until(c, "result-status", |t| t == "қабылдаудан бас тартылды").await?;
    let refusal = text_until(c, "result-receipt-path", |t| t.ends_with("refusal-receipt.pdf")).await?;
    let text = pdf_text(std::path::Path::new(&refusal))?;
    for expected in
        ["Құжаттарды қабылдаудан бас тарту туралы қолхат", "Расписка об отказе в приеме документов", &incomplete]
    {
        ensure(text.contains(expected), format!("refusal receipt lacks {expected:?}: {text}"))?;
    }
    text_until(c, "recent", |t| [&a, &b, &g, &incomplete].iter().all(|n| t.contains(n.as_str()))).await?;
    photograph(c, "register", "register-submit", "Зарегистрировать").await?;

    // Sent to the head — the second half in Russian.
    step(c, &a, "act-send", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    click(c, "lang-ru").await?;
    text_until(c, "nav-work", |t| t == "Мои задачи").await?;
    for n in [&b, &g] {
        step(c, n, "act-send", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    }
    // Sent on, they left the clerk's worklist; the search says where they are.
    text_until(c, "worklist-empty", |t| t.contains("нет")).await?;
    click(c, "nav-search").await?;
    text_until(c, "search-results", |t| t.matches("у руководителя").count() == 3).await?;
    click(c, "lang-kk").await?;
    text_until(c, "nav-work", |t| t == "Менің жұмысым").await?;
    log_out(c).await?;
    Ok(Day { a, b, c: g })
}

async fn head_assigns(c: &Client, day: &Day) -> Res<()> {
    log_in(c, "head1").await?;
    // The head lands on the signing desk with the first executor select
    // focused: one Enter per application assigns it.
    visible(c, "view-sign").await?;
    text_until(c, "assign-rows", |t| [&day.a, &day.b, &day.c].iter().all(|n| t.contains(n.as_str()))).await?;
    for left in (0..3).rev() {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        // The first row's select, whichever application heads the list.
        let first_focused = "return document.activeElement === document.querySelector('#assign-rows select');";
        while c.execute(first_focused, vec![]).await.map_err(|e| e.to_string())? != true {
            ensure(std::time::Instant::now() < deadline, "the executor select does not have the focus")?;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        if left == 2 {
            // The focus ring on the select is what the head's eyes follow.
            screenshot(c, "desk-assign-focus-kk.png").await?;
        }
        let e = c.active_element().await.map_err(|e| e.to_string())?;
        e.send_keys(ENTER).await.map_err(|e| format!("Enter: {e}"))?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while rows(c, "assign-rows").await? != left {
            ensure(std::time::Instant::now() < deadline, format!("Enter did not assign ({left} should be left)"))?;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    visible(c, "assign-empty").await?;
    log_out(c).await
}

async fn executor_prepares(c: &Client, day: &Day) -> Res<String> {
    log_in(c, "exec1").await?;
    // The executor's worklist, with the first application open at its step.
    text_until(c, "worklist", |t| [&day.a, &day.b, &day.c].iter().all(|n| t.contains(n.as_str()))).await?;
    click_css(c, &format!("#worklist tr[data-number=\"{}\"] td", day.a)).await?;
    visible(c, "act-prepare").await?;
    photograph(c, "worklist", "nav-work", "Мои задачи").await?;
    for n in [&day.a, &day.b] {
        step(c, n, "act-prepare", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    }
    // A reasoned refusal: a ground from the list and an explanation.
    let mut ground = String::new();
    step(c, &day.c, "act-prepare", async |c: &Client| -> Res<()> {
        click(c, "act-prepare-refusal").await?;
        text_until(c, "act-prepare-reason", |t| !t.is_empty()).await?;
        let chosen = c
            .execute(
                "const s = document.getElementById('act-prepare-reason'); return s.options[s.selectedIndex].text;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        ground = chosen.as_str().unwrap_or_default().to_owned();
        type_into(c, "act-prepare-explanation", "Қамқоршылық туралы шешімнің көшірмесі жарамсыз").await?;
        // The paper the refusal will make, before it goes to the head.
        click(c, "act-prepare-preview").await?;
        let pages = draft_pages(c, "act-prepare-pages", &["ЖОБА", "жарамсыз", "дәлелді"]).await?;
        ensure(pages == [true], format!("the executor's draft: {pages:?}"))
    })
    .await?;
    // Executors see the dashboard too, read-only.
    click(c, "nav-dashboard").await?;
    text_until(c, "dash-awaiting_signature", |t| t.starts_with('3')).await?;
    log_out(c).await?;
    Ok(ground)
}

async fn head_signs(c: &Client, day: &Day, ground: &str) -> Res<()> {
    log_in(c, "head1").await?;
    visible(c, "view-sign").await?;
    text_until(c, "sign-rows", |t| [&day.a, &day.b, &day.c].iter().all(|n| t.contains(n.as_str()))).await?;
    // The refusal's facts beside the application.
    click_css(c, &format!("#sign-rows tr[data-number=\"{}\"] td:nth-child(2)", day.c)).await?;
    text_until(c, "preview-number", |t| t == day.c).await?;
    let result = text_until(c, "preview-result", |t| t.contains("Дәлелді бас тарту")).await?;
    ensure(
        result.contains(ground) && result.contains("көшірмесі жарамсыз") && result.contains("Орындаушы Гүлнар"),
        format!("preview: {result}"),
    )?;
    text_until(c, "preview-history", |t| t.contains("нәтиже дайындалды")).await?;
    // The paper itself beside the facts: the draft, with the executor's words.
    // (Single words: the layout may break a phrase across lines.)
    let first_of_ground = ground.split_whitespace().next().unwrap_or_default();
    let pages = draft_pages(c, "preview-pages", &["ЖОБА", "жарамсыз", first_of_ground]).await?;
    ensure(pages == [true], format!("the head's draft: {pages:?}"))?;
    click_css(c, "#preview-pages img.page").await?;
    screenshot(c, "desk-signing-draft-kk.png").await?;
    click_css(c, "#preview-pages img.page").await?;
    // A preview of a result to be prepared is the executor's, never the head's.
    let code =
        invoke_code(c, "preview_result", serde_json::json!({"payload": {"id": 1, "outcome": {"kind": "positive"}}}))
            .await?;
    ensure(code == "forbidden", format!("the head previewed a result to prepare: {code}"))?;
    photograph(c, "signing", "sign-batch-submit", "Подписать").await?;

    // Batch: the first and the refusal; nothing is signed without the confirmation.
    // Lists are drawn again when their data arrives: elements are looked up afresh.
    click_css(c, &format!("#sign-pick-{}", day.a)).await?;
    click_css(c, &format!("#sign-pick-{}", day.c)).await?;
    text_until(c, "sign-confirm-text", |t| t.contains("2 нәтижені")).await?;
    click(c, "sign-batch-submit").await?;
    text_until(c, "sign-error", |t| t.contains("растау белгісін")).await?;
    ensure(rows(c, "sign-rows").await? == 3, "something was signed without the confirmation")?;
    click(c, "sign-confirm").await?;
    click(c, "sign-batch-submit").await?;
    text_until(c, "sign-status", |t| t.contains("2 / 2")).await?;
    text_until(c, "sign-rows", |t| t.contains(&day.b) && !t.contains(&day.a) && !t.contains(&day.c)).await?;

    // The second goes back to the executor with a comment.
    click_css(c, &format!("#sign-rows tr[data-number=\"{}\"] td:nth-child(2)", day.b)).await?;
    text_until(c, "preview-number", |t| t == day.b).await?;
    type_into(c, "preview-return-comment", "Баланың туу туралы куәлігінің көшірмесін тексеріңіз").await?;
    click(c, "preview-return-submit").await?;
    visible(c, "sign-empty").await?;

    // The dashboard, read in Russian as well.
    click(c, "nav-dashboard").await?;
    text_until(c, "dash-ready", |t| t.starts_with('2')).await?;
    text_until(c, "dashboard-charts", |t| t.contains("Мектепке дейінгі")).await?;
    photograph(c, "dashboard", "dashboard-charts", "Заявления по услугам").await?;
    click(c, "lang-ru").await?;
    text_until(c, "dash-chart-status", |t| t.contains("подписано")).await?;
    text_until(c, "dash-overdue", |t| t.contains("просрочено")).await?;
    click(c, "lang-kk").await?;

    click(c, "nav-queue").await?;
    text_until(c, "queue-rows", |t| t.contains(&day.a) && t.contains(&day.b)).await?;
    photograph(c, "queue", "nav-queue", "Очередь").await?;
    log_out(c).await
}

async fn clerk_hands_out(c: &Client, day: &Day) -> Res<()> {
    log_in(c, "saule").await?;
    click(c, "nav-register").await?;
    text_until(c, "ready", |t| t.contains(&day.a) && t.contains(&day.c) && !t.contains(&day.b)).await?;
    click_css(c, &format!("#hand-out-{}", day.a)).await?;
    text_until(c, "detail-number", |t| t == day.a).await?;
    type_into(c, "act-issue-received-by", "Жұмабаева Әйгерім").await?;
    click(c, "act-issue-submit").await?;
    // Handed out, it leaves the clerk's worklist.
    text_until(c, "worklist", |t| t.contains(&day.c) && !t.contains(&day.a)).await?;
    // In Russian, the guardianship refusal goes back through the State Corporation.
    click(c, "lang-ru").await?;
    click(c, "nav-register").await?;
    text_until(c, "ready", |t| t.contains(&day.c) && !t.contains(&day.a)).await?;
    click_css(c, &format!("#hand-out-{}", day.c)).await?;
    text_until(c, "detail-number", |t| t == day.c).await?;
    select_value(c, "act-issue-handover", "state_corporation").await?;
    click(c, "act-issue-submit").await?;
    visible(c, "worklist-empty").await?;
    click(c, "nav-search").await?;
    text_until(c, "search-results", |t| t.matches("выдано").count() == 2).await?;
    click(c, "lang-kk").await?;
    click(c, "nav-register").await?;
    visible(c, "ready-empty").await?;

    click(c, "nav-admin").await?;
    text_until(c, "users", |t| t.contains("Басшы Ержан")).await?;
    // The catalog in force, with the day's four applications registered under it.
    text_until(c, "catalog-versions", |t| t.contains("(қолданыста)")).await?;
    let cells = c
        .execute(
            "return [...document.querySelectorAll('#catalog-versions tr:first-child td')].map((td) => td.textContent);",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    ensure(cells[2] == "16" && cells[3] == "4", format!("catalog version in force: {cells}"))?;
    click_css(c, "#catalog-versions tr td").await?;
    text_until(c, "catalog-changes", |t| t.contains("Алғашқы")).await?;
    ensure(rows(c, "catalog-services").await? == 16, "not every service of the version is listed")?;
    text_until(c, "catalog-services", |t| t.contains("Мектепке дейінгі") && t.contains("кезек туралы хабарлама"))
        .await?;
    photograph(c, "admin", "nav-admin", "Администрирование").await?;
    log_out(c).await
}

async fn office_day(c: &Client) -> Res<()> {
    c.set_window_size(1366, 768).await.map_err(|e| format!("window size: {e}"))?;
    let day = clerk_morning(c).await?;
    head_assigns(c, &day).await?;
    let ground = executor_prepares(c, &day).await?;
    head_signs(c, &day, &ground).await?;
    clerk_hands_out(c, &day).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_office_day_at_the_three_desks() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let driver = Driver::start();
    let outcome = async {
        let c = driver.launch(&["--data-dir", &data, "--clock", DAY]).await?;
        let out = office_day(&c).await;
        if out.is_err() {
            let _ = screenshot(&c, "e2e-failure-office-day.png").await;
            // What the window was saying, and where the focus was.
            let said = "return [...document.querySelectorAll('.field-error:not([hidden]), .notice:not([hidden])')]
                .map((e) => `${e.id}: ${e.textContent}`).join('; ') + ` · focus on #${document.activeElement.id}`";
            eprintln!("window at failure: {:?}", c.execute(said, vec![]).await);
        }
        let _ = c.close().await;
        out
    }
    .await;
    drop(driver);
    outcome.unwrap_or_else(|e| panic!("{e}"));

    // The registry agrees with what the window showed.
    let db = rusqlite::Connection::open(dir.path().join("registry.sqlite")).unwrap();
    let statuses: Vec<String> = db
        .prepare("SELECT status FROM applications ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(statuses, vec!["issued", "with_executor", "issued", "refused_at_intake"]);
    let signatures: i64 =
        db.query_row("SELECT count(*) FROM audit_events WHERE action = 'sign'", [], |r| r.get(0)).unwrap();
    assert_eq!(signatures, 2, "one signature per application of the batch");
    let lookups: i64 =
        db.query_row("SELECT count(*) FROM audit_events WHERE action = 'person_by_iin'", [], |r| r.get(0)).unwrap();
    assert!(lookups >= 3, "each look-up of a person is audited ({lookups})");
}
