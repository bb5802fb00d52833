//! Results with substance through the real window (issue #15): the executor
//! fills the facts the catalog declares for the result form — a guardian's
//! allowance with its monthly amount and period, free school meals with the
//! school, class, category and period. A reversed period is refused at its
//! field's name, and so is a sign the paper's font cannot print; the head
//! sees the facts before signing, and the printed result states them in
//! Kazakh and Russian. The foster family's order, contract and decision are
//! prepared in one form, signed at once and printed as three documents.

use e2e::office::*;
use e2e::*;
use fantoccini::Client;

async fn register(
    c: &Client,
    service: &str,
    channel: &str,
    applicant: &str,
    child: &str,
    docs: &[&str],
) -> Res<String> {
    click(c, "nav-register").await?;
    clear_registration(c).await?;
    select_value(c, "service", service).await?;
    select_value(c, "channel", channel).await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", applicant).await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    type_into(c, "child_iin", child).await?;
    type_into(c, "child_name", "Бала Әлихан").await?;
    type_into(c, "child_birth_date", "15.03.2015").await?;
    for d in docs {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    text_until(c, "result-number", |t| t.contains('-')).await
}

async fn office(c: &Client) -> Res<(String, String)> {
    first_run(c).await?;
    log_in(c, "saule").await?;
    click(c, "nav-admin").await?;
    text_until(c, "users", |t| t.contains("Бекова Сәуле")).await?;
    add_staff(c).await?;
    let allowance = register(
        c,
        "guardian_allowance",
        "state_corporation",
        "Қамқоршы Сәуле",
        "150315500015",
        &["application", "identity_document", "birth_certificate", "parental_care_absence"],
    )
    .await?;
    let meals = register(
        c,
        "free_meals",
        "office",
        "Ата-ана Мейіргүл",
        "150315500025",
        &["application", "identity_document", "birth_certificate"],
    )
    .await?;
    for n in [&allowance, &meals] {
        step(c, n, "act-send", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    }
    log_out(c).await?;
    log_in(c, "head1").await?;
    for n in [&allowance, &meals] {
        step(c, n, "act-assign", async |c: &Client| -> Res<()> {
            text_until(c, "act-assign-executor", |t| t.contains("Гүлнар")).await.map(|_| ())
        })
        .await?;
    }
    log_out(c).await?;
    Ok((allowance, meals))
}

async fn prepare(c: &Client, allowance: &str, meals: &str) -> Res<()> {
    log_in(c, "exec1").await?;
    open(c, allowance).await?;
    visible(c, "act-prepare-field-amount").await?;
    type_into(c, "act-prepare-field-amount", "45 000").await?;
    type_into(c, "act-prepare-field-period-from", "31.05.2027").await?;
    type_into(c, "act-prepare-field-period-to", "01.12.2026").await?;
    click(c, "act-prepare-submit").await?;
    let err = text_until(c, "detail-error", |t| !t.is_empty()).await?;
    ensure(err.contains("Төлеу кезеңі"), format!("a reversed period was answered: {err}"))?;
    screenshot(c, "e2e-result-fields-kk.png").await?;
    step(c, allowance, "act-prepare", async |c: &Client| -> Res<()> {
        type_into(c, "act-prepare-field-period-from", "01.12.2026").await?;
        type_into(c, "act-prepare-field-period-to", "31.05.2027").await?;
        type_into(c, "act-prepare-field-legal_basis", "ҚР Неке және отбасы кодексінің 133-бабы").await
    })
    .await?;
    // A character the paper cannot print is refused before anything is signed.
    open(c, meals).await?;
    type_into(c, "act-prepare-field-school", "№ 3 мектеп, 500 ₸").await?;
    type_into(c, "act-prepare-field-class", "5").await?;
    type_into(c, "act-prepare-field-category", "көпбалалы отбасы").await?;
    type_into(c, "act-prepare-field-period-from", "01.09.2026").await?;
    type_into(c, "act-prepare-field-period-to", "25.05.2027").await?;
    click(c, "act-prepare-submit").await?;
    let err = text_until(c, "detail-error", |t| !t.is_empty()).await?;
    ensure(err.contains("басылмайды") && err.contains("Мектеп"), format!("an unprintable sign was answered: {err}"))?;
    step(c, meals, "act-prepare", async |c: &Client| -> Res<()> {
        type_into(c, "act-prepare-field-school", "№ 3 жалпы білім беретін мектеп").await?;
        type_into(c, "act-prepare-field-class", "5 «Ә»").await?;
        type_into(c, "act-prepare-field-category", "көпбалалы отбасы").await?;
        type_into(c, "act-prepare-field-period-from", "01.09.2026").await?;
        type_into(c, "act-prepare-field-period-to", "25.05.2027").await
    })
    .await?;
    log_out(c).await?;
    log_in(c, "head1").await?;
    click(c, "nav-sign").await?;
    text_until(c, "sign-rows", |t| t.contains(allowance)).await?;
    click_css(c, &format!("#sign-rows tr[data-number=\"{allowance}\"] td:nth-child(2)")).await?;
    let facts = text_until(c, "preview-result", |t| t.contains("45 000,00")).await?;
    ensure(facts.contains("01.12.2026 – 31.05.2027"), format!("the head sees the period: {facts}"))?;
    for n in [allowance, meals] {
        step(c, n, "act-sign", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    }
    log_out(c).await
}

/// Service 11 from the counter to the paper: its order is issued with the
/// contract and the decision.
async fn foster_family(c: &Client) -> Res<String> {
    log_in(c, "saule").await?;
    click(c, "nav-register").await?;
    clear_registration(c).await?;
    select_value(c, "service", "foster_family").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", "Асқарова Мейрамгүл").await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    for d in ["application", "identity_document", "health_certificates", "dispensary_certificates"] {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    let number = text_until(c, "result-number", |t| t.contains('-')).await?;
    through_to_prepared(c, &number, async |c: &Client| -> Res<()> {
        let forms = text_until(c, "act-prepare-form", |t| t.contains("шарт")).await?;
        ensure(forms.contains("бұйрық") && forms.contains("шешім"), format!("the forms offered: {forms}"))?;
        select_value(c, "act-prepare-form", "1").await?;
        type_into(c, "act-prepare-field-order_number", "17-б").await?;
        type_into(c, "act-prepare-field-order_date", "25.11.2026").await?;
        type_into(c, "act-prepare-field-contract_number", "42").await?;
        type_into(c, "act-prepare-field-contract_date", "25.11.2026").await?;
        type_into(c, "act-prepare-field-contract_period-from", "01.12.2026").await?;
        type_into(c, "act-prepare-field-contract_period-to", "30.11.2027").await?;
        type_into(c, "act-prepare-field-amount", "61 000").await?;
        type_into(c, "act-prepare-field-payment_period-from", "01.12.2026").await?;
        type_into(c, "act-prepare-field-payment_period-to", "30.11.2027").await
    })
    .await?;
    log_in(c, "head1").await?;
    step(c, &number, "act-sign", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    log_out(c).await?;
    Ok(number)
}

async fn print(c: &Client, number: &str) -> Res<String> {
    open(c, number).await?;
    click(c, "detail-print-result").await?;
    let line = text_until(c, "detail-print-status", |t| t.contains(".pdf")).await?;
    let path = filed_path(&line)?;
    let text = pdf_text(std::path::Path::new(&path))?;
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[tokio::test(flavor = "multi_thread")]
async fn results_state_what_the_executor_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let driver = Driver::start();
    let outcome = driver
        .in_window(&["--data-dir", &data, "--clock", DAY], "results", async |c: &Client| -> Res<()> {
            let (allowance, meals) = office(c).await?;
            prepare(c, &allowance, &meals).await?;
            log_in(c, "saule").await?;
            let decision = print(c, &allowance).await?;
            for expected in [
                "Ай сайынғы төлем сомасы, теңге",
                "Ежемесячная сумма выплаты, тенге",
                "45 000,00",
                "01.12.2026 – 31.05.2027",
                "133-бабы",
            ] {
                ensure(decision.contains(expected), format!("the decision lacks {expected:?}: {decision}"))?;
            }
            let certificate = print(c, &meals).await?;
            for expected in ["№ 3 жалпы білім беретін мектеп", "5 «Ә»", "көпбалалы отбасы", "01.09.2026 – 25.05.2027"]
            {
                ensure(certificate.contains(expected), format!("the certificate lacks {expected:?}: {certificate}"))?;
            }
            log_out(c).await?;
            let foster = foster_family(c).await?;
            log_in(c, "saule").await?;
            let three = print(c, &foster).await?;
            // Each document with its own title and facts, in order.
            let at = |needle: &str| three.find(needle).ok_or_else(|| format!("the papers lack {needle:?}: {three}"));
            let (order, contract, decision) = (at("Бұйрық")?, at("Шарт №")?, at("Шешім")?);
            ensure(order < contract && contract < decision, format!("order, contract, decision in turn: {three}"))?;
            for expected in
                ["17-б", "Шарттың нөмірі", "42", "01.12.2026 – 30.11.2027", "61 000,00", "Приказ", "Договор"]
            {
                ensure(three.contains(expected), format!("the papers lack {expected:?}: {three}"))?;
            }
            Ok(())
        })
        .await;
    drop(driver);
    outcome.unwrap_or_else(|e: String| panic!("{e}"));
}
