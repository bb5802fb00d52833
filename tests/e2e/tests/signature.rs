//! The head's electronic signature through the real window (issue #16): the
//! administrator enters the office's BIN, the head's IIN and the test PKI's
//! root; a result goes through the office to the head, who signs it with a
//! key file — first a stranger's key, refused, then his own — and saves the
//! signed PDF; the verify screen, given that file, says the signature is
//! valid, covers the whole file, chains to the imported root and names the
//! head. Outside the window, poppler's `pdfsig` reads the same file.
//!
//! The key files come from `scripts/test-pki`: the real NCALayer and real
//! NCA keys were not available to the tests. Native pickers answer from the
//! debug build's `--dialog-answer` file, as in the backup test.

use std::path::{Path, PathBuf};

use e2e::office::*;
use e2e::*;
use fantoccini::Client;

const KEY_PASSWORD: &str = "kense-test-1";
const HEAD_IIN: &str = "780415300126";

fn test_pki(dir: &Path) -> PathBuf {
    let pki = dir.join("pki");
    let out = std::process::Command::new(workspace_root().join("scripts/test-pki")).arg(&pki).output().unwrap();
    assert!(out.status.success(), "test-pki: {}", String::from_utf8_lossy(&out.stderr));
    pki
}

async fn set_up(c: &Client, answers: &Path, pki: &Path) -> Res<()> {
    first_run(c).await?;
    log_in(c, "saule").await?;
    click(c, "nav-admin").await?;
    // The desk's lists load last: after them nothing moves under a click.
    text_until(c, "users", |t| t.contains("Бекова Сәуле")).await?;
    type_into(c, "office-bin", "123456789012").await?;
    click(c, "office-submit").await?;
    let err = text_until(c, "office-error", |t| !t.is_empty()).await?;
    ensure(err.contains("БСН"), format!("a BIN with a wrong check digit was answered: {err}"))?;
    type_into(c, "office-bin", "123456789013").await?;
    click(c, "office-submit").await?;
    visible(c, "office-saved").await?;
    add_staff(c).await?;
    type_into(c, "user-iin-head1", HEAD_IIN).await?;
    click(c, "user-iin-save-head1").await?;
    text_until(c, "user-iin-save-head1", |t| t == "Сақталды").await?;
    answer(answers, &pki.join("ca.pem"))?;
    click(c, "trust-import").await?;
    text_until(c, "trust-status", |t| t.contains("Test НУЦ РК")).await?;
    text_until(c, "trust-rows", |t| t.contains("Сертификат")).await?;
    screenshot(c, "e2e-trusted-files-kk.png").await?;

    click(c, "nav-register").await?;
    select_value(c, "service", "guardianship_certificate").await?;
    select_value(c, "channel", "state_corporation").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", "Қасымов Ерлан").await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    type_into(c, "child_iin", "210315501037").await?;
    type_into(c, "child_name", "Бала Әлихан").await?;
    type_into(c, "child_birth_date", "15.03.2021").await?;
    for d in ["application", "identity_document", "birth_certificate"] {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    let number = text_until(c, "result-number", |t| t.contains('-')).await?;
    through_to_prepared(c, &number, async |c: &Client| -> Res<()> { guardianship_facts(c).await }).await
}

async fn sign(c: &Client, answers: &Path, pki: &Path, saved: &Path) -> Res<String> {
    log_in(c, "head1").await?;
    click(c, "nav-sign").await?;
    let rows = text_until(c, "sign-rows", |t| t.contains("Қасымов Ерлан")).await?;
    let number = rows
        .split(|ch: char| !(ch.is_ascii_digit() || ch == '-'))
        .find(|w| w.matches('-').count() == 2)
        .unwrap_or_default()
        .to_owned();
    click_css(c, "#sign-rows tr td:nth-child(2)").await?;
    visible(c, "preview-ecp").await?;
    draft_drawn(c, "preview-pages").await?;
    // A key without its password is not even picked.
    click(c, "ecp-key-file").await?;
    let err = text_until(c, "preview-error", |t| !t.is_empty()).await?;
    ensure(err.contains("Кілттің құпия сөзі"), format!("a missing password was answered: {err}"))?;
    // Someone else's key: refused, nothing signed.
    answer(answers, &pki.join("stranger.p12"))?;
    type_into(c, "ecp-password", KEY_PASSWORD).await?;
    click(c, "ecp-key-file").await?;
    let err = text_until(c, "preview-error", |t| t.contains("тиесілі емес")).await?;
    ensure(err.contains("900101300007"), format!("the stranger's IIN is named: {err}"))?;
    // His own key.
    answer(answers, &pki.join("head.p12"))?;
    type_into(c, "ecp-password", KEY_PASSWORD).await?;
    click(c, "ecp-key-file").await?;
    let done = text_until(c, "ecp-done-text", |t| t.contains("ЭЦҚ қойылды")).await?;
    ensure(done.contains("ЖҰМАБЕКОВ ӘЛИХАН") && done.contains("1A2B3C4D5E6F"), format!("the signer is named: {done}"))?;
    screenshot(c, "e2e-signed-with-ecp-kk.png").await?;
    answer(answers, saved)?;
    click(c, "ecp-save").await?;
    text_until(c, "ecp-save-status", |t| t.contains("Сақталды")).await?;
    Ok(number)
}

async fn verify(c: &Client, answers: &Path, saved: &Path, number: &str) -> Res<()> {
    click(c, "nav-verify").await?;
    answer(answers, saved)?;
    click(c, "verify-file").await?;
    let verdict = text_until(c, "verify-verdict", |t| !t.is_empty()).await?;
    ensure(verdict.contains("Қолтаңба жарамды"), format!("the verdict: {verdict}"))?;
    let facts = text_until(c, "verify-facts", |t| t.contains("ЖҰМАБЕКОВ")).await?;
    for expected in [HEAD_IIN, "123456789013", "1A2B3C4D5E6F", "түбірлік сертификатқа дейін тізбектеледі", number]
    {
        ensure(facts.contains(expected), format!("the verify screen lacks {expected:?}: {facts}"))?;
    }
    screenshot(c, "e2e-verify-signed-file-kk.png").await?;
    click(c, "lang-ru").await?;
    click(c, "verify-file").await?;
    text_until(c, "verify-verdict", |t| t.contains("Подпись действительна")).await?;
    text_until(c, "verify-facts", |t| t.contains("корневого сертификата")).await?;
    screenshot(c, "e2e-verify-signed-file-ru.png").await?;
    // The same file changed by one byte is changed.
    let mut tampered = std::fs::read(saved).map_err(|e| e.to_string())?;
    let at = tampered.len() / 3;
    tampered[at] ^= 1;
    let changed = saved.with_file_name("changed.pdf");
    std::fs::write(&changed, tampered).map_err(|e| e.to_string())?;
    answer(answers, &changed)?;
    click(c, "verify-file").await?;
    text_until(c, "verify-verdict", |t| t.contains("изменён после подписания")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_head_signs_with_his_key_and_the_verify_screen_names_him() {
    let dir = tempfile::tempdir().unwrap();
    let pki = test_pki(dir.path());
    let data = dir.path().join("data");
    let answers = dir.path().join("dialog-answer.txt");
    std::fs::write(&answers, "").unwrap();
    let saved = dir.path().join("signed-result.pdf");
    let driver = Driver::start();
    // The office's own clock: the test PKI's certificates are made now, and
    // a signature is checked at the moment it claims.
    let args = ["--data-dir", data.to_str().unwrap(), "--dialog-answer", answers.to_str().unwrap()];
    let outcome = driver
        .in_window(&args, "signature", async |c: &Client| -> Res<()> {
            set_up(c, &answers, &pki).await?;
            let number = sign(c, &answers, &pki, &saved).await?;
            verify(c, &answers, &saved, &number).await
        })
        .await;
    drop(driver);
    outcome.unwrap_or_else(|e| panic!("{e}"));

    // An independent reader: poppler finds the head's valid signature over
    // the whole file.
    let out = std::process::Command::new("pdfsig").arg(&saved).output().expect("pdfsig runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("ЖҰМАБЕКОВ ӘЛИХАН"), "{report}");
    std::fs::copy(&saved, artifacts_dir().join("e2e-signed-result.pdf")).unwrap();
}
