//! Service 2 through the real window (issue #15): the result is the
//! akimat's resolution, not the office's own act. The executor prepares the
//! draft (the guardian, without the akimat's number), the head approves it;
//! the clerk cannot hand anything over yet, records that the draft went to
//! the akimat, and when the resolution comes back records its number and
//! date (a malformed date is refused at its field). Only then is it handed
//! over, and the printed result states the akimat's resolution.

use e2e::office::*;
use e2e::*;
use fantoccini::Client;

async fn register(c: &Client) -> Res<String> {
    click(c, "nav-register").await?;
    clear_registration(c).await?;
    select_value(c, "service", "establish_guardianship").await?;
    select_value(c, "channel", "state_corporation").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", "Қасымов Ерлан Серікұлы").await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    type_into(c, "child_iin", "150315500015").await?;
    type_into(c, "child_name", "Бала Әлихан").await?;
    type_into(c, "child_birth_date", "15.03.2015").await?;
    for d in ["application", "identity_document", "medical_report", "parental_care_absence", "income"] {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    text_until(c, "result-number", |t| t.contains('-')).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_akimats_resolution_is_recorded_before_the_result_is_handed_over() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let driver = Driver::start();
    let outcome = driver
        .in_window(&["--data-dir", &data, "--clock", DAY], "akimat", async |c: &Client| -> Res<()> {
            first_run(c).await?;
            log_in(c, "saule").await?;
            click(c, "nav-admin").await?;
            text_until(c, "users", |t| t.contains("Бекова Сәуле")).await?;
            add_staff(c).await?;
            let number = register(c).await?;
            through_to_prepared(c, &number, async |c: &Client| -> Res<()> {
                type_into(c, "act-prepare-field-guardian", "Қасымов Ерлан Серікұлы").await
            })
            .await?;
            log_in(c, "head1").await?;
            step(c, &number, "act-sign", async |_: &Client| -> Res<()> { Ok(()) }).await?;
            log_out(c).await?;

            // The clerk: no hand-over yet, only the way to the akimat.
            log_in(c, "saule").await?;
            open(c, &number).await?;
            visible(c, "act-send-akimat").await?;
            let issue = c.find(fantoccini::Locator::Id("act-issue")).await.map_err(|e| e.to_string())?;
            ensure(!issue.is_displayed().await.unwrap_or(true), "the hand-over is offered before the akimat's act")?;
            step(c, &number, "act-send-akimat", async |_: &Client| -> Res<()> { Ok(()) }).await?;
            text_until(c, "detail-status", |t| t == "әкімдікте").await?;
            open(c, &number).await?;
            type_into(c, "act-record-akimat-number", "125-қ").await?;
            type_into(c, "act-record-akimat-date", "31.13.2026").await?;
            click(c, "act-record-akimat-submit").await?;
            let err = text_until(c, "detail-error", |t| !t.is_empty()).await?;
            ensure(err.contains("Әкімдік қаулысының күні"), format!("a malformed date was answered: {err}"))?;
            screenshot(c, "e2e-akimat-kk.png").await?;
            step(c, &number, "act-record-akimat", async |c: &Client| -> Res<()> {
                type_into(c, "act-record-akimat-number", "125-қ").await?;
                type_into(c, "act-record-akimat-date", "20.11.2026").await
            })
            .await?;
            text_until(c, "detail-facts", |t| t.contains("№ 125-қ, 20.11.2026")).await?;
            text_until(c, "detail-history", |t| t.contains("әкімдікке жіберілді") && t.contains("қаулысы жазылды"))
                .await?;
            // The same record in Russian.
            click(c, "lang-ru").await?;
            text_until(c, "detail-history", |t| t.contains("направлено в акимат")).await?;
            screenshot(c, "e2e-akimat-ru.png").await?;
            click(c, "lang-kk").await?;
            click(c, "detail-print-result").await?;
            let line = text_until(c, "detail-print-status", |t| t.contains(".pdf")).await?;
            let text = pdf_text(std::path::Path::new(&filed_path(&line)?))?;
            for expected in
                ["Әкімдіктің қаулысы", "Постановление акимата", "№ 125-қ, 20.11.2026", "Қасымов Ерлан Серікұлы"]
            {
                ensure(text.contains(expected), format!("the result lacks {expected:?}: {text}"))?;
            }
            // Handed over now: sent to the State Corporation, which lodged it.
            step(c, &number, "act-issue", async |c: &Client| -> Res<()> {
                select_value(c, "act-issue-handover", "state_corporation").await
            })
            .await
        })
        .await;
    drop(driver);
    outcome.unwrap_or_else(|e: String| panic!("{e}"));
}
