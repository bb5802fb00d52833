//! Backups through the real window (issue #7): the program backs up at
//! start-up; the administrator makes a backup from the admin screen and sees
//! it listed; copies the newest one to a folder; restores the backup taken
//! before a registration — the registration is gone, the replaced registry
//! is kept beside it, and everyone is logged out.
//!
//! Native pickers cannot be driven over WebDriver: the debug build's
//! `--dialog-answer <file>` makes each picker answer with the path written
//! in that file.

use std::path::Path;

use e2e::*;
use fantoccini::Client;

const PW: &str = "өте құпия 2026";
const DAY1: &str = "2026-11-24T10:00:00+05:00";

async fn log_in(c: &Client) -> Res<()> {
    visible(c, "screen-login").await?;
    type_into(c, "login-login", "saule").await?;
    type_into(c, "login-password", PW).await?;
    click(c, "login-submit").await?;
    visible(c, "screen-desk").await?;
    Ok(())
}

fn answer(file: &Path, with: &Path) -> Res<()> {
    std::fs::write(file, with.display().to_string()).map_err(|e| format!("{}: {e}", file.display()))
}

/// The backup file named in a result line.
fn named_backup(text: &str) -> Res<String> {
    text.split_whitespace()
        .find(|w| w.starts_with("registry-") && w.ends_with(".sqlite"))
        .map(str::to_owned)
        .ok_or_else(|| format!("no backup named in {text:?}"))
}

async fn office_day(c: &Client, data: &Path, answers: &Path, usb: &Path) -> Res<(String, String, String)> {
    visible(c, "screen-setup").await?;
    type_into(c, "setup-full-name", "Бекова Сәуле").await?;
    type_into(c, "setup-login", "saule").await?;
    type_into(c, "setup-password", PW).await?;
    type_into(c, "setup-password-repeat", PW).await?;
    click(c, "setup-submit").await?;
    log_in(c).await?;

    // The start-up backup is already listed; one more from the admin screen.
    click(c, "nav-admin").await?;
    text_until(c, "backups", |t| t.contains("registry-20261124-")).await?;
    click(c, "backup-now").await?;
    let made = text_until(c, "backup-result", |t| t.starts_with("Көшірме жасалды")).await?;
    let before = named_backup(&made)?;
    text_until(c, "backups", |t| t.contains(&before)).await?;
    screenshot(c, "e2e-backups-kk.png").await?;

    // A registration after the backup.
    click(c, "nav-register").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", "Кейінгі Өтініш Беруші").await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    type_into(c, "child_iin", "150315500607").await?;
    type_into(c, "child_name", "Кейінгі Бала").await?;
    type_into(c, "child_birth_date", "15.03.2022").await?;
    for doc in ["application", "birth_certificate", "identity_document"] {
        check(c, &format!("doc-{doc}")).await?;
    }
    check(c, "consent").await?;
    click(c, "register-submit").await?;
    let number = text_until(c, "result-number", |t| t.contains('-')).await?;

    // The newest backup to a "USB stick".
    answer(answers, usb)?;
    click(c, "nav-admin").await?;
    click(c, "backup-copy").await?;
    let copied = text_until(c, "backup-result", |t| t.starts_with("Көшірме көшірілді")).await?;
    ensure(copied.contains(&before), format!("the newest backup was not the one copied: {copied}"))?;
    ensure(usb.join(&before).is_file(), format!("{before} not in the chosen folder"))?;
    ensure(usb.join(format!("{before}.sha256")).is_file(), "no checksum beside the copy")?;

    // Restore the backup taken before the registration.
    answer(answers, &data.join("backups").join(&before))?;
    click_css(c, "#restore summary").await?;
    let submit = visible(c, "restore-submit").await?;
    ensure(!submit.is_enabled().await.unwrap_or(true), "restore allowed without the confirmation")?;
    click(c, "restore-confirm").await?;
    click(c, "restore-submit").await?;
    visible(c, "screen-login").await?;
    let told = text_until(c, "notice", |t| t.contains("registry-before-restore-")).await?;
    let kept = told
        .split_whitespace()
        .find(|w| w.starts_with("registry-before-restore-"))
        .map(str::to_owned)
        .ok_or("no kept file named")?;

    // Logged out by the restore; back in, the registration is gone.
    log_in(c).await?;
    click(c, "nav-register").await?;
    visible(c, "recent-empty").await?;
    Ok((number, before, kept))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_administrator_backs_up_copies_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let answers = dir.path().join("dialog-answer.txt");
    std::fs::write(&answers, "").unwrap();
    let driver = Driver::start();
    let outcome = async {
        let args =
            ["--data-dir", data.to_str().unwrap(), "--clock", DAY1, "--dialog-answer", answers.to_str().unwrap()];
        let c = driver.launch(&args).await?;
        let out = office_day(&c, &data, &answers, &usb).await;
        if out.is_err() {
            let _ = screenshot(&c, "e2e-failure-backup.png").await;
        }
        let _ = c.close().await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        out
    }
    .await;
    drop(driver);
    let (number, before, kept) = outcome.unwrap_or_else(|e| panic!("{e}"));

    let count = |path: &Path| -> i64 {
        let db = rusqlite::Connection::open(path).unwrap();
        db.query_row("SELECT count(*) FROM applications WHERE number = ?1", [&number], |r| r.get(0)).unwrap()
    };
    assert_eq!(count(&data.join("registry.sqlite")), 0, "the registration after the backup is gone");
    assert_eq!(count(&data.join(&kept)), 1, "the replaced registry is kept with the registration");
    assert_eq!(count(&data.join("backups").join(&before)), 0);
    let db = rusqlite::Connection::open(data.join("registry.sqlite")).unwrap();
    let actions: Vec<String> = db
        .prepare("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 5")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(actions.contains(&"restore".to_owned()), "the restore is audited: {actions:?}");
}
