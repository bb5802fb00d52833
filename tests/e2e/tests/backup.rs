//! Backups through the real window (issue #7): the program backs up at
//! start-up (once there is an office to back up); the administrator makes a
//! backup from the admin screen and sees
//! it listed; copies the newest one to a folder; restores the backup taken
//! before a registration — the registration is gone, the replaced registry
//! is kept beside it, and everyone is logged out.
//!
//! Native pickers cannot be driven over WebDriver: the debug build's
//! `--dialog-answer <file>` makes each picker answer with the path written
//! in that file.

use std::path::Path;

use e2e::office::*;
use e2e::*;
use fantoccini::Client;

const DAY1: &str = DAY;

/// The backup file named in a result line.
fn named_backup(text: &str) -> Res<String> {
    text.split_whitespace()
        .find(|w| w.starts_with("registry-") && w.ends_with(".sqlite"))
        .map(str::to_owned)
        .ok_or_else(|| format!("no backup named in {text:?}"))
}

async fn office_day(c: &Client, data: &Path, answers: &Path, usb: &Path) -> Res<(String, String, String)> {
    first_run(c).await?;
    log_in(c, "saule").await?;

    // Nothing was backed up before the office was set up; a backup from
    // the admin screen.
    click(c, "nav-admin").await?;
    visible(c, "backups-empty").await?;
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
    log_in(c, "saule").await?;
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
        let closed = close_and_wait(c, &data).await;
        out.and_then(|o| closed.map(|()| o))
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

const DEMO_PW: &str = "kense-demo-2026";

async fn launch(driver: &Driver, data: &Path, answers: &Path, demo: bool) -> Res<Client> {
    let (data, answers) = (data.display().to_string(), answers.display().to_string());
    let mut args = vec!["--data-dir", &data, "--clock", DAY1, "--dialog-answer", &answers];
    if demo {
        args.push("--demo");
    }
    driver.launch(&args).await
}

/// Waits until the program has a verified backup in `data` (the start-up one).
async fn first_backup(data: &Path) -> Res<String> {
    for _ in 0..200 {
        let names: Vec<String> = std::fs::read_dir(data.join("backups"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        if let Some(n) = names.iter().find(|n| n.ends_with(".sqlite.sha256")) {
            return Ok(n.trim_end_matches(".sha256").to_owned());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err("no start-up backup appeared".into())
}

fn registry_facts(path: &Path) -> (i64, Vec<u8>) {
    let db = rusqlite::Connection::open(path).unwrap();
    let n = db.query_row("SELECT count(*) FROM applications", [], |r| r.get(0)).unwrap();
    let key = db.query_row("SELECT key FROM verification_secret", [], |r| r.get(0)).unwrap();
    (n, key)
}

/// The recovery screen, with a backup chosen: a wrong password is refused
/// and changes nothing; the right one restores and leads to the log-in.
async fn recover(c: &Client, pick_other: bool) -> Res<String> {
    visible(c, "screen-recovery").await?;
    if pick_other {
        click(c, "recovery-other").await?;
    }
    type_into(c, "recovery-login", "admin").await?;
    type_into(c, "recovery-password", "not the password").await?;
    click(c, "recovery-submit").await?;
    text_until(c, "recovery-error", |t| t.contains("Логин немесе құпиясөз")).await?;
    visible(c, "screen-recovery").await?;
    type_into(c, "recovery-password", DEMO_PW).await?;
    click(c, "recovery-submit").await?;
    visible(c, "screen-login").await?;
    text_until(c, "notice", |t| t.starts_with("Тізілім көшірмеден қалпына келтірілді")).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_registry_and_a_new_computer_are_recovered_from_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let new_pc = dir.path().join("new-pc");
    let answers = dir.path().join("dialog-answer.txt");
    std::fs::write(&answers, "").unwrap();
    let driver = Driver::start();
    let outcome = async {
        // An office with its demo register and the start-up backup.
        let c = launch(&driver, &data, &answers, true).await?;
        visible(&c, "screen-login").await?;
        let backup = first_backup(&data).await?;
        close_and_wait(c, &data).await?;
        let before = registry_facts(&data.join("registry.sqlite"));
        ensure(before.0 > 0, "the demo register has applications")?;

        // The registry file is damaged: the program offers recovery, not an empty register.
        let live = data.join("registry.sqlite");
        let mut bytes = std::fs::read(&live).map_err(|e| e.to_string())?;
        bytes[..100].fill(0xAB);
        std::fs::write(&live, &bytes).map_err(|e| e.to_string())?;
        let c = launch(&driver, &data, &answers, true).await?;
        let out = async {
            visible(&c, "screen-recovery").await?;
            text_until(&c, "recovery-reason", |t| t.contains("бүлінген")).await?;
            text_until(&c, "recovery-backups", |t| t.contains(&backup)).await?;
            screenshot(&c, "e2e-recovery-kk.png").await?;
            let told = recover(&c, false).await?;
            ensure(told.contains("registry-unopenable-"), format!("the damaged file is not named: {told}"))?;
            type_into(&c, "login-login", "admin").await?;
            type_into(&c, "login-password", DEMO_PW).await?;
            click(&c, "login-submit").await?;
            visible(&c, "screen-desk").await?;
            Ok::<_, String>(())
        }
        .await;
        if out.is_err() {
            let _ = screenshot(&c, "e2e-failure-recovery.png").await;
        }
        let closed = close_and_wait(c, &data).await;
        out?;
        closed?;

        // A new computer: first run, restored from the copy on a USB stick.
        answer(&answers, &data.join("backups").join(&backup))?;
        let c = launch(&driver, &new_pc, &answers, false).await?;
        let out = async {
            visible(&c, "screen-setup").await?;
            click(&c, "setup-restore").await?;
            visible(&c, "recovery-empty").await?;
            let told = recover(&c, true).await?;
            ensure(told.contains("registry-before-restore-"), format!("the empty registry is not named: {told}"))?;
            Ok::<_, String>(())
        }
        .await;
        if out.is_err() {
            let _ = screenshot(&c, "e2e-failure-new-pc.png").await;
        }
        let closed = close_and_wait(c, &new_pc).await;
        out?;
        closed?;
        Ok::<_, String>(before)
    }
    .await;
    drop(driver);
    let before = outcome.unwrap_or_else(|e| panic!("{e}"));
    for live in [data.join("registry.sqlite"), new_pc.join("registry.sqlite")] {
        let after = registry_facts(&live);
        assert_eq!(after, before, "the register and its verification secret are back in {}", live.display());
        // The wrong password typed first is in the restore's audit event.
        let db = rusqlite::Connection::open(&live).unwrap();
        let event: String = db
            .query_row("SELECT after FROM audit_events WHERE action = 'restore' ORDER BY seq DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        let event: serde_json::Value = serde_json::from_str(&event).unwrap();
        assert_eq!(event["refused_before"], 1, "{event}");
    }
    let kept: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("registry-unopenable-") && n.ends_with(".sqlite"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept: {kept:?}");
}
