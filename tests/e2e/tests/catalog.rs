//! The office keeps its catalog, through the real window (issue #15): the
//! administrator adds a document to the foster family's checklist; an
//! incomplete row is refused by its number; the changes are shown before
//! the new version is saved; the clerk then sees the document in the
//! checklist, and a package without it gets a refusal-to-accept receipt
//! that names it; a service with two paths (15) asks the clerk which one
//! the application takes. The administrator adds a refusal ground of
//! that service (an incomplete row refused by its number), renames its
//! notification and adds a fact to its form, and shortens a norm; the
//! executor's form then asks for the fact, the positive draft carries the new
//! name, and the executor refuses an application on the new ground: the
//! draft of the reasoned refusal cites it. The preschool queue's rules
//! change the same way (a rule out of range refused by its field): the
//! clerk's form then offers the renamed category and as many kindergartens
//! as the new rules allow. The version in force is exported to a file, changed there (one item
//! confirmed against the act) and brought back in as the next version.

use e2e::office::*;
use e2e::*;
use fantoccini::{Client, Locator};

const ADDED_KK: &str = "Тұрғын үй жағдайын тексеру актісі";
const ADDED_RU: &str = "Акт обследования жилищных условий";
const GROUND_KK: &str = "Білім алушы басқа облыстың білім беру ұйымына ауысқан";
const GROUND_RU: &str = "Обучающийся перевёлся в организацию образования другой области";
const FIELD_KK: &str = "Деректер жаңартылған күн";
const CATEGORY_KK: &str = "Көп балалы отбасылардың балалары (төрт және одан көп бала)";
const FIELD_RU: &str = "Дата обновления данных";
const RESULT_KK: &str = "Деректерді жаңарту хабарламасы";

/// Types into the element `css` selects (the editor's rows have no ids).
async fn type_css(c: &Client, css: &str, text: &str) -> Res<()> {
    let e = c.find(Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?;
    e.clear().await.map_err(|e| format!("clear {css}: {e}"))?;
    e.send_keys(text).await.map_err(|e| format!("type into {css}: {e}"))
}

/// The lines the preview lists, once it shows.
async fn preview_lines(c: &Client) -> Res<String> {
    text_until(c, "catalog-preview-changes", |t| !t.is_empty()).await
}

/// Opens the version in force on the administrator's page; its number.
async fn open_in_force(c: &Client) -> Res<u32> {
    click(c, "nav-admin").await?;
    let versions = text_until(c, "catalog-versions", |t| t.contains("қолданыста")).await?;
    let in_force: u32 = versions
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no version number in {versions:?}"))?;
    click_css(c, &format!("#catalog-versions tr[data-version=\"{in_force}\"] td")).await?;
    visible(c, "catalog-edit-hint").await?;
    Ok(in_force)
}

async fn add_document(c: &Client) -> Res<u32> {
    let in_force = open_in_force(c).await?;
    click_css(c, "#catalog-services tr[data-code=\"foster_family\"] td").await?;
    visible(c, "checklist-editor").await?;
    click(c, "checklist-add").await?;
    let last = "#checklist-rows tr:last-child";
    type_css(c, &format!("{last} .doc-name-kk"), ADDED_KK).await?;
    type_css(c, &format!("{last} .doc-name-ru"), ADDED_RU).await?;
    // Without its source the row is refused by its number; nothing is saved.
    click(c, "checklist-preview").await?;
    let err = text_until(c, "checklist-error", |t| !t.is_empty()).await?;
    ensure(err.contains("6-құжат") && err.contains("дереккөзі"), format!("an incomplete row was answered: {err}"))?;
    type_css(c, &format!("{last} .doc-source"), "Аудан әкімдігінің қаулысы, 4-тармақ").await?;
    click(c, "checklist-preview").await?;
    let lines = preview_lines(c).await?;
    ensure(lines.contains(&format!("Құжат қосылды: {ADDED_KK}")), format!("the preview lists the addition: {lines}"))?;
    let shown = text_until(c, "catalog-preview-version", |t| !t.is_empty()).await?;
    ensure(shown == (in_force + 1).to_string(), format!("saved as the next version, not {shown}"))?;
    screenshot(c, "e2e-catalog-preview-kk.png").await?;
    click(c, "catalog-preview-save").await?;
    text_until(c, "notice", |t| t.contains(&format!("{}-нұсқасы сақталды", in_force + 1))).await?;
    text_until(c, "catalog-versions", |t| t.contains("кеңседе өңделген")).await?;
    Ok(in_force + 1)
}

/// The clerk's checklist shows the new document; a package without it is
/// refused at intake, and the receipt names it.
async fn clerk_sees_it(c: &Client) -> Res<()> {
    click(c, "nav-register").await?;
    clear_registration(c).await?;
    select_value(c, "service", "foster_family").await?;
    select_value(c, "channel", "office").await?;
    text_until(c, "documents", |t| t.contains(ADDED_KK) && t.contains(ADDED_RU)).await?;
    visible(c, "doc-office_1").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", "Асқарова Мейрамгүл").await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    for d in ["application", "identity_document"] {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    let refusal = text_until(c, "result-receipt-path", |t| t.ends_with("refusal-receipt.pdf")).await?;
    let text = pdf_text(std::path::Path::new(&refusal))?;
    ensure(text.contains(ADDED_KK) && text.contains(ADDED_RU), format!("the refusal names the new document: {text}"))
}

/// A ground of refusal of its own for service 15; the new version's number.
async fn add_ground(c: &Client) -> Res<u32> {
    let in_force = open_in_force(c).await?;
    click(c, "grounds-open").await?;
    visible(c, "grounds-editor").await?;
    select_value(c, "grounds-whose", "health_insurance_update").await?;
    click(c, "grounds-add").await?;
    let last = "#grounds-rows tr:last-child";
    type_css(c, &format!("{last} .ground-kk"), GROUND_KK).await?;
    // Without its Russian wording the row is refused by its number.
    click(c, "grounds-preview").await?;
    let err = text_until(c, "grounds-error", |t| !t.is_empty()).await?;
    ensure(err.contains("1-негіз"), format!("an incomplete ground was answered: {err}"))?;
    type_css(c, &format!("{last} .ground-ru"), GROUND_RU).await?;
    click(c, "grounds-preview").await?;
    let lines = preview_lines(c).await?;
    ensure(lines.contains(&format!("Негіз қосылды: {GROUND_KK}")), format!("the preview lists the ground: {lines}"))?;
    screenshot(c, "e2e-grounds-kk.png").await?;
    click(c, "catalog-preview-save").await?;
    text_until(c, "notice", |t| t.contains(&format!("{}-нұсқасы сақталды", in_force + 1))).await?;
    Ok(in_force + 1)
}

/// Service 15's notification is renamed and states one fact more, and the executor's term
/// on the path of another organisation's student is 2 working days, not 4;
/// each saved as the next version after its changes are read.
async fn edit_terms(c: &Client) -> Res<()> {
    let in_force = open_in_force(c).await?;
    click_css(c, "#catalog-services tr[data-code=\"health_insurance_update\"] td").await?;
    click(c, "checklist-to-fields").await?;
    visible(c, "fields-editor").await?;
    click(c, "fields-add").await?;
    let last = "#fields-rows tr:last-child";
    type_css(c, &format!("{last} .field-ru"), FIELD_RU).await?;
    click(c, "fields-preview").await?;
    let err = text_until(c, "fields-error", |t| !t.is_empty()).await?;
    ensure(err.contains("1-өріс"), format!("a fact without its Kazakh label was answered: {err}"))?;
    type_css(c, &format!("{last} .field-kk"), FIELD_KK).await?;
    c.execute(&format!("document.querySelector('{last} .field-kind').value = 'date';"), vec![])
        .await
        .map_err(|e| e.to_string())?;
    type_into(c, "fields-title-kk", RESULT_KK).await?;
    click(c, "fields-preview").await?;
    let lines = preview_lines(c).await?;
    ensure(lines.contains(&format!("Өріс қосылды: {FIELD_KK}")), format!("the preview lists the fact: {lines}"))?;
    ensure(
        lines.contains("Нәтиже атауы өзгерді: ") && lines.contains(&format!("→ {RESULT_KK}")),
        format!("the preview lists the new name: {lines}"),
    )?;
    screenshot(c, "e2e-result-form-kk.png").await?;
    click(c, "catalog-preview-save").await?;
    text_until(c, "notice", |t| t.contains(&format!("{}-нұсқасы сақталды", in_force + 1))).await?;

    open_in_force(c).await?;
    click_css(c, "#catalog-services tr[data-code=\"health_insurance_update\"] td").await?;
    click(c, "checklist-to-norms").await?;
    let rows = text_until(c, "norms-rows", |t| t.contains("басқа білім беру ұйымында")).await?;
    // The executor's step (4) of the second path: the rows run path by path.
    let row = c
        .execute(
            "const rows = [...document.querySelectorAll('#norms-rows tr')];
             const i = rows.findIndex((r) => JSON.parse(r.dataset.at).path === 1 && r.textContent.includes('4.'));
             return i + 1;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let n = row.as_u64().filter(|n| *n > 0).ok_or_else(|| format!("no executor's step among {rows}"))?;
    let value = format!("#norms-rows tr:nth-child({n}) .norm-value");
    c.execute(&format!("document.querySelector('{value}').scrollIntoView({{block: 'center'}});"), vec![])
        .await
        .map_err(|e| e.to_string())?;
    type_css(c, &value, "0").await?;
    click(c, "norms-preview").await?;
    let err = text_until(c, "norms-error", |t| !t.is_empty()).await?;
    ensure(err.contains(&format!("{n}-жолдағы мерзім")), format!("a zero norm was answered: {err}"))?;
    type_css(c, &value, "2").await?;
    click(c, "norms-preview").await?;
    let lines = preview_lines(c).await?;
    ensure(
        lines.contains("Мерзім өзгерді") && lines.contains("4 жұмыс күні → 2 жұмыс күні"),
        format!("the preview lists the norm: {lines}"),
    )?;
    screenshot(c, "e2e-norms-kk.png").await?;
    click(c, "catalog-preview-save").await?;
    text_until(c, "notice", |t| t.contains(&format!("{}-нұсқасы сақталды", in_force + 2))).await.map(|_| ())
}

/// The queue's rules: a parent names three kindergartens, not four, and a
/// category is reworded.
async fn edit_queue_rules(c: &Client) -> Res<()> {
    let in_force = open_in_force(c).await?;
    click_css(c, "#catalog-services tr[data-code=\"preschool_queue\"] td").await?;
    click(c, "checklist-to-queue").await?;
    visible(c, "queue-rules-editor").await?;
    type_into(c, "qr-upper_age", "9").await?;
    click(c, "queue-rules-preview").await?;
    let err = text_until(c, "queue-rules-error", |t| !t.is_empty()).await?;
    ensure(err.contains("Жас шегі"), format!("an age limit of 9 was answered: {err}"))?;
    type_into(c, "qr-upper_age", "6").await?;
    type_into(c, "qr-max_preferences", "3").await?;
    type_css(c, "#qr-categories tr[data-code=\"large_family\"] .qr-name-kk", CATEGORY_KK).await?;
    click(c, "queue-rules-preview").await?;
    let lines = preview_lines(c).await?;
    ensure(
        lines.contains("Кезек ережесі өзгерді") && lines.contains("4 → 3") && lines.contains(CATEGORY_KK),
        format!("the preview lists the rules: {lines}"),
    )?;
    screenshot(c, "e2e-queue-rules-kk.png").await?;
    click(c, "catalog-preview-save").await?;
    text_until(c, "notice", |t| t.contains(&format!("{}-нұсқасы сақталды", in_force + 1))).await.map(|_| ())
}

/// The clerk's form for the queue follows the rules in force.
async fn clerk_sees_the_rules(c: &Client) -> Res<()> {
    click(c, "nav-register").await?;
    clear_registration(c).await?;
    select_value(c, "service", "preschool_queue").await?;
    text_until(c, "queue-category", |t| t.contains(CATEGORY_KK)).await?;
    let kindergartens = c
        .execute("return document.querySelectorAll('#queue-preferences select').length;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    ensure(kindergartens == 3, format!("the form offers {kindergartens} kindergartens"))
}

/// The executor refuses the application on the office's new ground: it is
/// offered first (a service's own grounds come before the general ones) and
/// the draft of the reasoned refusal cites it.
async fn refused_on_the_new_ground(c: &Client, number: &str) -> Res<()> {
    through_to_prepared(c, number, async |c: &Client| -> Res<()> {
        // The positive form asks for the fact the office added.
        text_until(c, "act-prepare-fields", |t| t.contains(FIELD_KK)).await?;
        visible(c, "act-prepare-field-office_field_1").await?;
        // The positive draft carries the form's new name.
        type_into(c, "act-prepare-field-office_field_1", "01.11.2026").await?;
        click(c, "act-prepare-preview").await?;
        let pages = draft_pages(c, "act-prepare-pages", &["ЖОБА", RESULT_KK]).await?;
        ensure(pages == [true], format!("the positive draft names the renamed form: {pages:?}"))?;
        click(c, "act-prepare-refusal").await?;
        text_until(c, "act-prepare-reason", |t| t.contains(GROUND_KK)).await?;
        select_value(c, "act-prepare-reason", "office_ground_1").await?;
        type_into(c, "act-prepare-explanation", "Оқушы Ақтөбе облысына ауысты").await?;
        click(c, "act-prepare-preview").await?;
        let pages = draft_pages(c, "act-prepare-pages", &["ЖОБА", GROUND_KK, GROUND_RU]).await?;
        ensure(pages == [true], format!("the draft cites the ground: {pages:?}"))
    })
    .await
}

/// Service 15 goes one of two ways (the office's own student: 1 working
/// day for the executor; another organisation's: 4): the clerk must say
/// which, and the application shows it.
async fn clerk_chooses_the_path(c: &Client) -> Res<String> {
    clear_registration(c).await?;
    select_value(c, "service", "health_insurance_update").await?;
    select_value(c, "channel", "office").await?;
    visible(c, "variant-field").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", "Асқарова Мейрамгүл").await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    for d in ["application", "identity_document", "standard_para_9"] {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    let err = text_until(c, "register-error", |t| !t.is_empty()).await?;
    ensure(err.contains("Қызмет көрсету тәртібі"), format!("registered without a path: {err}"))?;
    select_value(c, "variant", "other_organisation").await?;
    screenshot(c, "e2e-variant-kk.png").await?;
    click(c, "register-submit").await?;
    let number = text_until(c, "result-number", |t| t.contains('-')).await?;
    open(c, &number).await?;
    text_until(c, "detail-facts", |t| t.contains("басқа білім беру ұйымында")).await?;
    Ok(number)
}

/// Exported, one unverified item confirmed in the file, brought back in.
async fn round_trip(c: &Client, answers: &std::path::Path, dir: &std::path::Path, version: u32) -> Res<()> {
    click(c, "nav-admin").await?;
    click_css(c, &format!("#catalog-versions tr[data-version=\"{version}\"] td")).await?;
    let file = dir.join("catalog.json");
    answer(answers, &file)?;
    click(c, "catalog-export").await?;
    text_until(c, "notice", |t| t.contains("catalog.json")).await?;
    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let mut catalog: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    ensure(catalog["version"] == version, "the export is the version opened")?;
    let services = catalog["services"].as_array_mut().ok_or("no services")?;
    let unverified = services
        .iter_mut()
        .flat_map(|s| s["documents"].as_array_mut().into_iter().flatten())
        .find(|d| d["verified"] == false)
        .ok_or("no unverified item to confirm")?;
    unverified["verified"] = true.into();
    let confirmed = unverified["name"]["kk"].as_str().unwrap_or_default().to_owned();
    std::fs::write(&file, serde_json::to_string_pretty(&catalog).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;

    click(c, "catalog-import").await?;
    let lines = preview_lines(c).await?;
    ensure(
        lines.contains(&format!("Құжат актімен салыстырылды: {confirmed}")),
        format!("the import's changes: {lines}"),
    )?;
    click(c, "catalog-preview-save").await?;
    text_until(c, "notice", |t| t.contains(&format!("{}-нұсқасы сақталды", version + 1))).await?;
    text_until(c, "catalog-versions", |t| t.contains("файлдан енгізілген")).await?;

    // The same file again: its number is taken by now, yet it is read as
    // the next version and shows that nothing changes.
    click(c, "catalog-import").await?;
    text_until(c, "catalog-preview-changes", |t| t.contains("қызметтер өзгермеген")).await?;
    let save = visible(c, "catalog-preview-save").await?;
    ensure(!save.is_enabled().await.map_err(|e| e.to_string())?, "an unchanged catalog cannot be saved")?;
    click(c, "catalog-preview-cancel").await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_administrator_adds_a_document_and_the_clerk_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let answers = dir.path().join("dialog-answer.txt");
    std::fs::write(&answers, "").unwrap();
    let args = ["--data-dir", data.to_str().unwrap(), "--clock", DAY, "--dialog-answer", answers.to_str().unwrap()];
    let driver = Driver::start();
    let outcome = driver
        .in_window(&args, "catalog", async |c: &Client| -> Res<()> {
            first_run(c).await?;
            log_in(c, "saule").await?;
            add_document(c).await?;
            add_ground(c).await?;
            edit_terms(c).await?;
            edit_queue_rules(c).await?;
            let version = open_in_force(c).await?;
            clerk_sees_it(c).await?;
            clerk_sees_the_rules(c).await?;
            let number = clerk_chooses_the_path(c).await?;
            click(c, "nav-admin").await?;
            add_staff(c).await?;
            refused_on_the_new_ground(c, &number).await?;
            log_in(c, "saule").await?;
            round_trip(c, &answers, dir.path(), version).await?;
            // Russian: the same card, in the second language.
            click(c, "lang-ru").await?;
            click(c, "nav-admin").await?;
            text_until(c, "catalog-versions", |t| t.contains("загружена из файла")).await?;
            screenshot(c, "e2e-catalog-ru.png").await.map(|_| ())
        })
        .await;
    drop(driver);
    outcome.unwrap_or_else(|e: String| panic!("{e}"));
}
