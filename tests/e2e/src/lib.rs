//! Drives the real Kense window over WebDriver: tauri-driver on a free
//! loopback port starts WebKitWebDriver, which starts the app binary built
//! by `cargo build`. Run under a display (`xvfb-run -a`).
//!
//! Tests keep their checks in functions returning `Result`, so that a failed
//! check still closes the window and stops the driver (platform-notes B.9).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

pub type Res<T> = Result<T, String>;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The app binary under test: `KENSE_BIN`, or the debug build of the workspace.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("KENSE_BIN") {
        return PathBuf::from(p);
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    let exe = if cfg!(windows) { "kense.exe" } else { "kense" };
    target.join("debug").join(exe)
}

pub fn artifacts_dir() -> PathBuf {
    let d = workspace_root().join("target/test-artifacts");
    let _ = std::fs::create_dir_all(&d);
    d
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// tauri-driver and the WebKitWebDriver it started; stopped with SIGTERM on
/// drop, because SIGKILL would leave WebKitWebDriver behind.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start() -> Driver {
        let port = free_port();
        let native = free_port();
        let driver = std::env::var_os("TAURI_DRIVER").map(PathBuf::from).unwrap_or_else(|| "tauri-driver".into());
        let child = Command::new(&driver)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {}: {e} (install it with the README's test command)", driver.display())
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port }
    }

    /// Starts the app with `args`, runs `body` in its window, keeps a
    /// screenshot `e2e-failure-{name}.png` when it fails, and closes the
    /// window.
    pub async fn in_window<T>(&self, args: &[&str], name: &str, body: impl AsyncFnOnce(&Client) -> Res<T>) -> Res<T> {
        let c = self.launch(args).await?;
        let out = body(&c).await;
        if out.is_err() {
            let _ = screenshot(&c, &format!("e2e-failure-{name}.png")).await;
        }
        let data_dir = args.iter().position(|a| *a == "--data-dir").and_then(|i| args.get(i + 1));
        let closed = match data_dir {
            Some(dir) => close_and_wait(c, Path::new(dir)).await,
            None => {
                let _ = c.close().await;
                Ok(())
            }
        };
        // The test's own failure first: it says more than the closing.
        out.and_then(|t| closed.map(|()| t))
    }

    /// Starts the app with `args` and opens a WebDriver session on its window.
    pub async fn launch(&self, args: &[&str]) -> Res<Client> {
        let app = app_binary();
        if !app.exists() {
            return Err(format!("{} does not exist: run `cargo build` first", app.display()));
        }
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app, "args": args }));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let url = format!("http://127.0.0.1:{}", self.port);
            let mut builder = ClientBuilder::new(connector);
            builder.capabilities(caps.clone());
            // WebKitWebDriver waits without end for a window that never
            // opens (a program that ended at once, e.g. on a data folder
            // another program still held): a failure, never a hung run.
            let session = tokio::time::timeout(Duration::from_secs(90), builder.connect(&url))
                .await
                .map_err(|_| format!("no window within 90 s of starting {} {args:?}", app.display()))?;
            match session {
                Ok(c) => return Ok(c),
                Err(e) if Instant::now() < deadline => {
                    eprintln!("waiting for the WebDriver session: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(format!("no WebDriver session: {e}")),
            }
        }
    }
}

/// Closes the session and waits until the program it started has ended:
/// the OS frees `data_dir/kense.lock` with the process (see
/// `kense_workstation::instance`). A program started on the same folder
/// before that only wakes the old one and ends, and its session would wait
/// for a window that never opens; on a busy machine a fixed pause after
/// closing was not always enough.
pub async fn close_and_wait(c: Client, data_dir: &Path) -> Res<()> {
    let _ = c.close().await;
    let lock = data_dir.join("kense.lock");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // No lock file: no program ever held the folder. The probe's own
        // lock goes with the file handle at the end of the statement.
        let free = std::fs::File::open(&lock).map(|f| f.try_lock().is_ok()).unwrap_or(true);
        if free {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the program on {} had not ended 30 s after its window closed", data_dir.display()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

/// Waits for an element to be displayed: the IPC calls behind a screen are
/// asynchronous, so everything a test looks at is polled for.
pub async fn visible(c: &Client, id: &str) -> Res<Element> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(e) = c.find(Locator::Id(id)).await {
            if e.is_displayed().await.unwrap_or(false) {
                return Ok(e);
            }
        }
        if Instant::now() > deadline {
            return Err(format!("#{id} never became visible"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the element's text satisfies `ok`, and returns it.
pub async fn text_until(c: &Client, id: &str, ok: impl Fn(&str) -> bool) -> Res<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::new();
    loop {
        if let Ok(e) = c.find(Locator::Id(id)).await {
            if e.is_displayed().await.unwrap_or(false) {
                last = e.text().await.unwrap_or_default();
                if ok(&last) {
                    return Ok(last);
                }
            }
        }
        if Instant::now() > deadline {
            return Err(format!("#{id} text never matched; last seen: {last:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Scrolls an element to the middle of the window, as a person scrolls to
/// a field before using it (WebKitWebDriver does not always do it itself).
async fn scroll_to(c: &Client, e: &Element) -> Res<()> {
    let arg = serde_json::to_value(e).map_err(|e| format!("element: {e}"))?;
    c.execute("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});", vec![arg])
        .await
        .map(|_| ())
        .map_err(|e| format!("scroll: {e:?}"))
}

pub async fn type_into(c: &Client, id: &str, text: &str) -> Res<()> {
    let e = visible(c, id).await?;
    scroll_to(c, &e).await?;
    e.clear().await.map_err(|e| format!("clear #{id}: {e}"))?;
    e.send_keys(text).await.map_err(|e| format!("type into #{id}: {e}"))
}

pub async fn click(c: &Client, id: &str) -> Res<()> {
    let e = visible(c, id).await?;
    scroll_to(c, &e).await?;
    e.click().await.map_err(|e| format!("click #{id}: {e:?}"))
}

/// Clears the registration form and makes sure it is clear (no result
/// shown, the IIN empty, no box ticked but by default). The desk focuses
/// the form's first field when its tab opens, which can scroll the page
/// under a click that comes at that moment; a person who still sees the
/// old form clicks again, and so does this.
pub async fn clear_registration(c: &Client) -> Res<()> {
    let cleared = "return document.getElementById('result').hidden
        && document.getElementById('applicant_iin').value === ''
        && ![...document.querySelectorAll('#register-form input[type=checkbox]')].some((b) => b.checked !== b.defaultChecked);";
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        click(c, "register-clear").await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        if c.execute(cleared, vec![]).await.map_err(|e| format!("the form: {e}"))? == true {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("the registration form never cleared".into());
        }
    }
}

/// Ticks a checkbox (or radio) and makes sure it is ticked: a click that
/// landed while the form was still being laid out is repeated, as a person
/// clicks again when the tick does not appear.
pub async fn check(c: &Client, id: &str) -> Res<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let e = visible(c, id).await?;
        if e.prop("checked").await.map_err(|e| format!("#{id}: {e}"))?.as_deref() == Some("true") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("#{id} never became ticked"));
        }
        scroll_to(c, &e).await?;
        e.click().await.map_err(|e| format!("click #{id}: {e:?}"))?;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits for the first element matching a CSS selector and clicks it.
pub async fn click_css(c: &Client, css: &str) -> Res<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if e.is_displayed().await.unwrap_or(false) {
                // Lists re-render when their data arrives: an element found a
                // moment ago may be gone; look it up again.
                let clicked = match scroll_to(c, &e).await {
                    Ok(()) => e.click().await.map_err(|e| format!("click {css}: {e:?}")),
                    Err(err) => Err(err),
                };
                match clicked {
                    Ok(()) => return Ok(()),
                    Err(err) if err.contains("StaleElement") && Instant::now() < deadline => {}
                    Err(err) => return Err(err),
                }
            }
        }
        if Instant::now() > deadline {
            return Err(format!("{css} never became visible"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Picks the option with `value` in a select, as choosing it with the
/// keyboard would (WebKitWebDriver cannot click an <option>): the value
/// changes and a `change` event fires.
pub async fn select_value(c: &Client, id: &str, value: &str) -> Res<()> {
    visible(c, id).await?;
    let script = r#"
        const [id, value] = arguments;
        const el = document.getElementById(id);
        if (![...el.options].some((o) => o.value === value)) return "no option " + value;
        el.value = value;
        el.dispatchEvent(new Event("change", { bubbles: true }));
        return "ok";
    "#;
    // Options often arrive with the view's data: wait for them as a person would.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = c.execute(script, vec![id.into(), value.into()]).await.map_err(|e| format!("select #{id}: {e}"))?;
        if r.as_str() == Some("ok") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("select #{id}: {r}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the draft pages in `#{box_id}` are in and drawn: they load
/// after the form beside them shows and push it down, so a click aimed at
/// a button before then lands on a page (which enlarges it).
pub async fn draft_drawn(c: &Client, box_id: &str) -> Res<()> {
    let script = r#"
        const imgs = [...document.querySelectorAll('#' + arguments[0] + ' img.page')];
        return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    "#;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let drawn = c.execute(script, vec![box_id.into()]).await.map_err(|e| format!("#{box_id}: {e}"))?;
        if drawn.as_bool() == Some(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the draft in #{box_id} was never drawn"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for the draft's pages in `box_id` to be drawn, and returns for
/// each page whether its SVG holds every one of `words`.
pub async fn draft_pages(c: &Client, box_id: &str, words: &[&str]) -> Res<Vec<bool>> {
    let script = r#"
        const [box, words] = arguments;
        const imgs = [...document.querySelectorAll(`#${box} img.page`)];
        if (!imgs.length || imgs.some((i) => !i.complete || i.naturalWidth === 0)) return null;
        return imgs.map((i) => {
            const bytes = Uint8Array.from(atob(i.src.split(",")[1]), (ch) => ch.charCodeAt(0));
            const svg = new TextDecoder().decode(bytes);
            return words.every((w) => svg.includes(w));
        });
    "#;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let v = c
            .execute(script, vec![box_id.into(), serde_json::json!(words)])
            .await
            .map_err(|e| format!("draft pages: {e}"))?;
        if let Some(pages) = v.as_array() {
            return Ok(pages.iter().map(|p| p.as_bool().unwrap_or(false)).collect());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("no draft drawn in #{box_id}"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}

/// Calls a Kense command straight through the window's IPC, as a tampered
/// page would, and returns the error code it gets (or "ok").
pub async fn invoke_code(c: &Client, cmd: &str, args: serde_json::Value) -> Res<String> {
    let script = r#"
        const [cmd, args, done] = arguments;
        window.__TAURI__.core.invoke(cmd, args).then(() => done("ok"), (e) => done(e && e.code ? e.code : String(e)));
    "#;
    let v = c
        .execute_async(script, vec![serde_json::Value::String(cmd.into()), args])
        .await
        .map_err(|e| format!("invoke {cmd}: {e}"))?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

pub async fn screenshot(c: &Client, name: &str) -> Res<PathBuf> {
    let png = c.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
    let path = artifacts_dir().join(name);
    std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Text of a PDF as a person would copy it, via poppler's pdftotext.
pub fn pdf_text(path: &Path) -> Res<String> {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .map_err(|e| format!("pdftotext: {e} (install poppler-utils)"))?;
    if !out.status.success() {
        return Err(format!("pdftotext failed on {}", path.display()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The filed PDF's path in a line the window wrote about a print ("Құжат
/// сақталды: <path> (…)").
pub fn filed_path(line: &str) -> Res<String> {
    line.split_whitespace()
        .find(|w| w.ends_with(".pdf"))
        .map(str::to_owned)
        .ok_or_else(|| format!("no PDF path in {line:?}"))
}

/// Makes the debug build's native dialogs (`--dialog-answer FILE`) answer
/// with `with` next time.
pub fn answer(file: &Path, with: &Path) -> Res<()> {
    std::fs::write(file, with.display().to_string()).map_err(|e| format!("{}: {e}", file.display()))
}

pub fn ensure(cond: bool, what: impl Into<String>) -> Res<()> {
    if cond {
        Ok(())
    } else {
        Err(what.into())
    }
}

/// The office the tests set up: its people, their password and the day.
pub mod office {
    use super::*;

    /// Every test account's password.
    pub const PW: &str = "өте құпия 2026";
    /// The office clock's first moment in the tests.
    pub const DAY: &str = "2026-11-24T10:00:00+05:00";
    /// WebDriver's Enter key.
    pub const ENTER: &str = "\u{E007}";

    pub async fn log_in(c: &Client, login: &str) -> Res<()> {
        visible(c, "screen-login").await?;
        type_into(c, "login-login", login).await?;
        type_into(c, "login-password", PW).await?;
        click(c, "login-submit").await?;
        visible(c, "screen-desk").await?;
        Ok(())
    }

    pub async fn log_out(c: &Client) -> Res<()> {
        click(c, "logout").await?;
        visible(c, "screen-login").await?;
        Ok(())
    }

    /// First run: the administrator (and clerk) `saule`; ends on the log-in screen.
    pub async fn first_run(c: &Client) -> Res<()> {
        visible(c, "screen-setup").await?;
        type_into(c, "setup-full-name", "Бекова Сәуле").await?;
        type_into(c, "setup-login", "saule").await?;
        type_into(c, "setup-password", PW).await?;
        type_into(c, "setup-password-repeat", PW).await?;
        click(c, "setup-submit").await?;
        visible(c, "screen-login").await?;
        Ok(())
    }

    /// On the admin desk: the head `head1` and the executor `exec1`.
    pub async fn add_staff(c: &Client) -> Res<()> {
        for (login, name, role) in [("head1", "Басшы Ержан", "head"), ("exec1", "Орындаушы Гүлнар", "executor")]
        {
            type_into(c, "user-full-name", name).await?;
            type_into(c, "user-login", login).await?;
            click(c, &format!("user-role-{role}")).await?;
            type_into(c, "user-password", PW).await?;
            type_into(c, "user-password-repeat", PW).await?;
            click(c, "user-submit").await?;
            text_until(c, "users", |t| t.contains(name)).await?;
        }
        Ok(())
    }

    /// The facts a guardianship certificate states, typed into the
    /// executor's result form.
    pub async fn guardianship_facts(c: &Client) -> Res<()> {
        type_into(c, "act-prepare-field-guardian", "Қасымов Ерлан Серікұлы").await?;
        type_into(c, "act-prepare-field-basis_document", "Қамқоршылық белгілеу туралы шешім").await?;
        type_into(c, "act-prepare-field-basis_number", "№ 125").await?;
        type_into(c, "act-prepare-field-basis_date", "10.11.2026").await
    }

    /// From the clerk (logged in) to a prepared result: the clerk sends
    /// `number` to the head, the head names the executor Гүлнар (`exec1`),
    /// who prepares it with `fill`; ends on the log-in screen.
    pub async fn through_to_prepared(c: &Client, number: &str, fill: impl AsyncFnOnce(&Client) -> Res<()>) -> Res<()> {
        step(c, number, "act-send", async |_: &Client| -> Res<()> { Ok(()) }).await?;
        log_out(c).await?;
        log_in(c, "head1").await?;
        step(c, number, "act-assign", async |c: &Client| -> Res<()> {
            text_until(c, "act-assign-executor", |t| t.contains("Гүлнар")).await.map(|_| ())
        })
        .await?;
        log_out(c).await?;
        log_in(c, "exec1").await?;
        step(c, number, "act-prepare", fill).await?;
        log_out(c).await
    }

    /// Opens an application from the worklist.
    pub async fn open(c: &Client, number: &str) -> Res<()> {
        click(c, "nav-work").await?;
        click_css(c, &format!("#worklist tr[data-number=\"{number}\"] td")).await?;
        text_until(c, "detail-number", |t| t == number).await.map(|_| ())
    }

    /// Opens an application from the worklist and takes a step with its
    /// form: done when the shown status moves on; a refusal fails with the
    /// reason the window shows.
    pub async fn step(c: &Client, number: &str, form: &str, fill: impl AsyncFnOnce(&Client) -> Res<()>) -> Res<()> {
        open(c, number).await?;
        visible(c, form).await?;
        fill(c).await?;
        let before = text_until(c, "detail-status", |t| !t.is_empty()).await?;
        click(c, &format!("{form}-submit")).await?;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(e) = c.find(Locator::Id("detail-error")).await {
                if e.is_displayed().await.unwrap_or(false) {
                    return Err(format!("{form} on {number} refused: {}", e.text().await.unwrap_or_default()));
                }
            }
            if let Ok(e) = c.find(Locator::Id("detail-status")).await {
                if e.text().await.unwrap_or_default() != before {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("{form} on {number} did not complete"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
