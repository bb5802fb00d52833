//! Two desks on one office server, through their real windows: two Kense
//! processes, each with its own data folder, joined from the first-run
//! screen to one PostgreSQL database that `kense server setup` prepared.
//! A wrong password and a certificate that is not the server's are told at
//! their fields and change nothing. The clerk registers at desk A; the head
//! at desk B sees it (sent to the head) without reloading and assigns it; the executor
//! prepares the result (logged in at desk A); the head signs at B; desk A
//! shows it ready to hand out, again without reloading. Then the server
//! stops: both desks say so, a registration is refused with a clear error
//! and nothing is written; the server comes back, the banner goes and the
//! same form registers once.
//!
//! The cluster is the one `scripts/test` started (`KENSE_TEST_PG_*`), or,
//! when run on its own, one this test starts with `scripts/pg-cluster` and
//! stops at the end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use e2e::office::*;
use e2e::*;
use fantoccini::{Client, Locator};

const DESK_USER: &str = "kense_desk_e2e";
const DESK_PASSWORD: &str = "жұмыс орны e2e 2026";

/// The test cluster's settings: `scripts/test`'s, or a cluster of our own.
struct Cluster {
    vars: HashMap<String, String>,
    /// Set when this test started the cluster (and stops it).
    own: Option<PathBuf>,
}

impl Cluster {
    fn get() -> Cluster {
        let names = ["HOST", "PORT", "OWNER", "OWNER_PASSWORD", "CERT", "DATA", "BIN"];
        let from_env: HashMap<String, String> = names
            .iter()
            .filter_map(|n| std::env::var(format!("KENSE_TEST_PG_{n}")).ok().map(|v| (n.to_string(), v)))
            .collect();
        if from_env.len() == names.len() {
            return Cluster { vars: from_env, own: None };
        }
        let dir = std::env::temp_dir().join(format!("kense-e2e-pg-{}", std::process::id()));
        let script = workspace_root().join("scripts/pg-cluster");
        let out = Command::new(&script).arg("start").arg(&dir).output().expect("scripts/pg-cluster");
        assert!(out.status.success(), "pg-cluster start: {}", String::from_utf8_lossy(&out.stderr));
        let vars = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("KENSE_TEST_PG_")?.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Cluster { vars, own: Some(dir) }
    }

    fn var(&self, name: &str) -> &str {
        self.vars.get(name).map(String::as_str).unwrap_or_default()
    }

    /// Runs SQL as the owner, as the person looking after the server does.
    fn psql(&self, sql: &str) -> Res<()> {
        let out = Command::new("psql")
            .arg(format!(
                "host={} port={} user={} dbname=postgres sslmode=require",
                self.var("HOST"),
                self.var("PORT"),
                self.var("OWNER")
            ))
            .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
            .env("PGPASSWORD", self.var("OWNER_PASSWORD"))
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        ensure(out.status.success(), format!("psql {sql}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// Stops or starts the server (as `postgres` when the tests run as root).
    fn pg_ctl(&self, action: &str) -> Res<()> {
        let data = self.var("DATA");
        let log = format!("{data}/../server.log");
        let pg_ctl = format!("{}/pg_ctl", self.var("BIN"));
        let mut args = vec![pg_ctl.as_str(), "-D", data, "-w", "-t", "60", "-l", &log, action];
        if action == "stop" {
            args.extend(["-m", "fast"]);
        }
        // SAFETY: getuid(2) has no preconditions.
        let root = unsafe { libc::getuid() } == 0;
        let status = if root {
            Command::new("runuser").args(["-u", "postgres", "--"]).args(&args).status()
        } else {
            Command::new(args[0]).args(&args[1..]).status()
        }
        .map_err(|e| format!("pg_ctl: {e}"))?;
        ensure(status.success(), format!("pg_ctl {action} failed"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(dir) = &self.own {
            let _ = Command::new(workspace_root().join("scripts/pg-cluster")).arg("stop").arg(dir).status();
        }
    }
}

/// `kense server setup`, exactly as the README tells the server's owner.
fn set_up_server(cluster: &Cluster, database: &str) -> Res<String> {
    cluster.psql(&format!("CREATE DATABASE {database}"))?;
    let out = Command::new(app_binary())
        .args(["server", "setup", "--host", cluster.var("HOST"), "--port", cluster.var("PORT")])
        .args(["--database", database, "--owner", cluster.var("OWNER"), "--certificate", cluster.var("CERT")])
        .args(["--workstation-user", DESK_USER])
        .env("KENSE_OWNER_PASSWORD", cluster.var("OWNER_PASSWORD"))
        .env("KENSE_WORKSTATION_PASSWORD", DESK_PASSWORD)
        .output()
        .map_err(|e| format!("kense server setup: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    ensure(out.status.success(), format!("kense server setup failed: {text}"))?;
    Ok(text)
}

/// The first-run screen's "office server" with the settings the owner gave;
/// the certificate is whatever file the (scripted) dialog answers with.
async fn fill_join_form(c: &Client, cluster: &Cluster, database: &str, password: &str) -> Res<()> {
    visible(c, "screen-setup").await?;
    check(c, "setup-where-server").await?;
    visible(c, "join-form").await?;
    type_into(c, "join-host", cluster.var("HOST")).await?;
    type_into(c, "join-port", cluster.var("PORT")).await?;
    type_into(c, "join-database", database).await?;
    type_into(c, "join-user", DESK_USER).await?;
    type_into(c, "join-password", password).await?;
    Ok(())
}

async fn choose_certificate(c: &Client, answers: &Path, file: &str) -> Res<()> {
    std::fs::write(answers, file).map_err(|e| e.to_string())?;
    let name = Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    click(c, "join-certificate").await?;
    text_until(c, "join-certificate-name", |t| t == name).await?;
    Ok(())
}

/// Joining is refused at the field a person must correct, and nothing is kept.
async fn refused_at(c: &Client, data: &Path, field: &str, says: &str) -> Res<()> {
    click(c, "join-submit").await?;
    let err = text_until(c, "join-error", |t| !t.is_empty()).await?;
    ensure(err.contains(says), format!("joining answered {err:?}, not {says:?}"))?;
    let invalid = c
        .find(Locator::Css(&format!("#join-form [name=\"{field}\"][aria-invalid=\"true\"]")))
        .await
        .map_err(|_| format!("{field} is not marked after {err:?}"))?;
    drop(invalid);
    ensure(!data.join("server.json").exists(), "a refused join kept its settings")?;
    ensure(!data.join("server.secret").exists(), "a refused join kept the password")?;
    c.find(Locator::Id("screen-setup")).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Desk A's first run: both mistakes, then the office's first administrator
/// on the server, the office's name and its staff.
async fn first_desk(c: &Client, cluster: &Cluster, database: &str, data: &Path, answers: &Path) -> Res<()> {
    fill_join_form(c, cluster, database, "бұл құпиясөз емес").await?;
    // A certificate file that is not the server's (nor its CA's).
    let stranger = data.with_extension("stranger.pem");
    std::fs::write(&stranger, include_str!("../../../crates/workstation/src/server/testdata/certificate.pem"))
        .map_err(|e| e.to_string())?;
    choose_certificate(c, answers, stranger.to_str().unwrap_or_default()).await?;
    refused_at(c, data, "server_certificate", "басқа сертификат").await?;
    choose_certificate(c, answers, cluster.var("CERT")).await?;
    refused_at(c, data, "password", "құпия сөзін қабылдамады").await?;
    type_into(c, "join-password", DESK_PASSWORD).await?;
    click(c, "join-submit").await?;
    text_until(c, "notice", |t| t.contains("алғашқы әкімшісін")).await?;
    // The settings are in the data folder, the password is not.
    let json = std::fs::read_to_string(data.join("server.json")).map_err(|e| e.to_string())?;
    ensure(json.contains(database) && !json.contains(DESK_PASSWORD), format!("server.json: {json}"))?;
    first_run(c).await?;
    log_in(c, "saule").await?;
    click(c, "nav-admin").await?;
    type_into(c, "office-name-kk", "Шиелі ауданының білім бөлімі").await?;
    type_into(c, "office-name-ru", "Отдел образования Шиелийского района").await?;
    click(c, "office-submit").await?;
    visible(c, "office-saved").await?;
    add_staff(c).await
}

/// Desk B joins the office's registry, which already has its people.
async fn second_desk(c: &Client, cluster: &Cluster, database: &str, answers: &Path) -> Res<()> {
    fill_join_form(c, cluster, database, DESK_PASSWORD).await?;
    choose_certificate(c, answers, cluster.var("CERT")).await?;
    click(c, "join-submit").await?;
    visible(c, "screen-login").await?;
    text_until(c, "notice", |t| t.contains("Жүйеге кіріңіз")).await?;
    log_in(c, "head1").await?;
    click(c, "nav-sign").await?;
    visible(c, "view-sign").await?;
    Ok(())
}

async fn fill_registration(c: &Client, applicant: &str, child_iin: &str) -> Res<()> {
    click(c, "nav-register").await?;
    clear_registration(c).await?;
    select_value(c, "service", "preschool_queue").await?;
    select_value(c, "channel", "office").await?;
    type_into(c, "applicant_iin", "900101300007").await?;
    type_into(c, "applicant_name", applicant).await?;
    type_into(c, "applicant_phone", "87011234567").await?;
    type_into(c, "child_iin", child_iin).await?;
    type_into(c, "child_name", "Бала Әлихан").await?;
    type_into(c, "child_birth_date", "15.03.2021").await?;
    for d in ["application", "birth_certificate", "identity_document"] {
        check(c, &format!("doc-{d}")).await?;
    }
    check(c, "consent").await
}

/// How many applications the registry holds, as the server's owner counts.
fn count_applications(cluster: &Cluster, database: &str) -> Res<i64> {
    let out = Command::new("psql")
        .arg(format!(
            "host={} port={} user={} dbname={database} sslmode=require",
            cluster.var("HOST"),
            cluster.var("PORT"),
            cluster.var("OWNER")
        ))
        .args(["-qAt", "-c", "SELECT count(*) FROM applications"])
        .env("PGPASSWORD", cluster.var("OWNER_PASSWORD"))
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    String::from_utf8_lossy(&out.stdout).trim().parse().map_err(|e| format!("count: {e}"))
}

/// Waits for a row with `number` in a list, shown without anyone reloading.
async fn row_appears(c: &Client, list: &str, number: &str) -> Res<()> {
    let css = format!("#{list} tr[data-number=\"{number}\"]");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(e) = c.find(Locator::Css(&css)).await {
            if e.is_displayed().await.unwrap_or(false) {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("{number} never appeared in #{list}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for the row with `number` to leave a list (its step was taken).
async fn row_gone(c: &Client, list: &str, number: &str) -> Res<()> {
    let css = format!("#{list} tr[data-number=\"{number}\"]");
    let deadline = Instant::now() + Duration::from_secs(15);
    while c.find(Locator::Css(&css)).await.is_ok() {
        ensure(Instant::now() < deadline, format!("{number} stayed in #{list}"))?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn banner(c: &Client, shown: bool) -> Res<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let e = c.find(Locator::Id("server-lost")).await.map_err(|e| e.to_string())?;
        if e.is_displayed().await.unwrap_or(false) == shown {
            if shown {
                let text = e.text().await.unwrap_or_default();
                ensure(text.contains("Кеңсе серверіне қосылу жоқ"), format!("the banner says {text:?}"))?;
            }
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the server's banner never became {}", if shown { "shown" } else { "hidden" }));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn the_day(a: &Client, b: &Client, cluster: &Cluster, database: &str) -> Res<()> {
    // The clerk registers at desk A ...
    fill_registration(a, "Жұмабаева Әйгерім", "210315501007").await?;
    click(a, "register-submit").await?;
    let number = text_until(a, "result-number", |t| t.contains('-')).await?;
    // ... and sends it to the head; the head's list at desk B has it,
    // nobody there pressing anything.
    step(a, &number, "act-send", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    row_appears(b, "assign-rows", &number).await?;
    click_css(b, &format!("#assign-rows tr[data-number=\"{number}\"] button")).await?;
    row_gone(b, "assign-rows", &number).await?;

    // The executor prepares the result, logged in at desk A.
    log_out(a).await?;
    log_in(a, "exec1").await?;
    step(a, &number, "act-prepare", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    log_out(a).await?;
    log_in(a, "saule").await?;
    visible(a, "view-register").await?;

    // The head signs at desk B: the result arrived there by itself.
    row_appears(b, "sign-rows", &number).await?;
    check(b, &format!("sign-pick-{number}")).await?;
    check(b, "sign-confirm").await?;
    click(b, "sign-batch-submit").await?;
    row_gone(b, "sign-rows", &number).await?;

    // Desk A shows it ready to hand out, without reloading.
    row_appears(a, "ready", &number).await?;

    // The server stops: both desks say so, and nothing is written.
    let before = count_applications(cluster, database)?;
    cluster.pg_ctl("stop")?;
    let lost = async {
        banner(a, true).await?;
        banner(b, true).await?;
        fill_registration(a, "Серверсіз Дана", "210315501017").await?;
        click(a, "register-submit").await?;
        let err = text_until(a, "register-error", |t| !t.is_empty()).await?;
        ensure(err.contains("Кеңсе серверіне қосылу жоқ"), format!("a registration while the server is away: {err}"))
    }
    .await;
    cluster.pg_ctl("start")?;
    lost?;
    ensure(count_applications(cluster, database)? == before, "a registration was written while the server was away")?;
    // Back: the banner goes at both desks, and the same form registers once.
    banner(a, false).await?;
    banner(b, false).await?;
    click(a, "register-submit").await?;
    let second = text_until(a, "result-number", |t| t.contains('-') && t != number).await?;
    ensure(count_applications(cluster, database)? == before + 1, "the registration after the return was not one")?;
    step(a, &second, "act-send", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    row_appears(b, "assign-rows", &second).await?;

    // The head is at the executor's choice for it (tabbed there) when desk
    // A sends another: his list grows under him, and the focus stays where
    // he was.
    let at_second = format!("#assign-rows tr[data-number=\"{second}\"] select");
    b.execute(&format!("document.querySelector('{at_second}').focus();"), vec![]).await.map_err(|e| e.to_string())?;
    fill_registration(a, "Үшінші Мадина", "210315501027").await?;
    click(a, "register-submit").await?;
    let third = text_until(a, "result-number", |t| t.contains('-') && t != second).await?;
    step(a, &third, "act-send", async |_: &Client| -> Res<()> { Ok(()) }).await?;
    row_appears(b, "assign-rows", &third).await?;
    let focus = b
        .execute(
            "return document.activeElement.closest('tr')?.dataset.number ?? document.activeElement.tagName;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    ensure(focus == second.as_str(), format!("the head's focus moved to {focus} when the list grew"))
}

async fn close(c: Client, name: &str, failed: bool) {
    if failed {
        let _ = screenshot(&c, &format!("e2e-failure-office-server-{name}.png")).await;
    }
    let _ = c.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_desks_share_the_office_server() {
    // The test machine has no desktop keyring: the password goes to the
    // data folder's file only this user can read (the fallback under test).
    std::env::set_var("KENSE_CREDENTIAL_STORE", "file");
    let cluster = Cluster::get();
    let database = format!("kense_e2e_{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let (data_a, data_b) = (dir.path().join("desk-a"), dir.path().join("desk-b"));
    let (answers_a, answers_b) = (dir.path().join("dialog-a.txt"), dir.path().join("dialog-b.txt"));
    let said = set_up_server(&cluster, &database).unwrap_or_else(|e| panic!("{e}"));
    assert!(said.contains(DESK_USER), "the set-up names the workstations' account: {said}");

    let driver_a = Driver::start();
    let driver_b = Driver::start();
    let args = |data: &Path, answers: &Path| -> Vec<String> {
        ["--data-dir", data.to_str().unwrap(), "--clock", DAY, "--dialog-answer", answers.to_str().unwrap()]
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    let outcome = async {
        let a_args = args(&data_a, &answers_a);
        let a = driver_a.launch(&a_args.iter().map(String::as_str).collect::<Vec<_>>()).await?;
        if let Err(e) = first_desk(&a, &cluster, &database, &data_a, &answers_a).await {
            close(a, "a", true).await;
            return Err(e);
        }
        let b_args = args(&data_b, &answers_b);
        let b = match driver_b.launch(&b_args.iter().map(String::as_str).collect::<Vec<_>>()).await {
            Ok(b) => b,
            Err(e) => {
                close(a, "a", false).await;
                return Err(e);
            }
        };
        let r = match second_desk(&b, &cluster, &database, &answers_b).await {
            Ok(()) => the_day(&a, &b, &cluster, &database).await,
            Err(e) => Err(e),
        };
        close(a, "a", r.is_err()).await;
        close(b, "b", r.is_err()).await;
        r
    }
    .await;
    drop(driver_a);
    drop(driver_b);
    outcome.unwrap_or_else(|e| panic!("{e}"));

    // The password is in a file only this OS user can read, never in server.json.
    for data in [&data_a, &data_b] {
        let json = std::fs::read_to_string(data.join("server.json")).unwrap();
        assert!(!json.contains(DESK_PASSWORD), "{json}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data.join("server.secret")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "server.secret is readable by others");
        }
    }
}
