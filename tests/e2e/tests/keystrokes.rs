//! The clerk's keystrokes: a complete preschool-queue application is
//! registered and its receipt printed with the keyboard alone — keys sent to
//! whatever has the focus: text typed, Tab to move on, Space to tick, Enter
//! to register. Every Tab is checked to land where the form's order says, and
//! the count goes to target/test-artifacts/clerk-keystrokes.txt. A returning
//! applicant (a second child of the same parent) takes fewer entries, since
//! the form fills what the registry knows of them.

use std::fmt::Write as _;

use e2e::office::*;
use e2e::*;
use fantoccini::Client;

const TAB: &str = "\u{E004}";
const SPACE: &str = "\u{E00D}";

/// What a person did at the keyboard.
#[derive(Default)]
struct Keys {
    /// Fields the clerk filled: a text typed or a box ticked.
    entries: u32,
    /// Presses of Tab, Space or Enter, and each run of typing counted once.
    groups: u32,
    /// Every key, the characters typed included.
    keys: u32,
    log: String,
}

impl Keys {
    async fn focused(&self, c: &Client) -> Res<String> {
        let e = c.active_element().await.map_err(|e| format!("active element: {e}"))?;
        Ok(e.attr("id").await.map_err(|e| format!("id: {e}"))?.unwrap_or_default())
    }

    async fn send(&mut self, c: &Client, keys: &str) -> Res<()> {
        let e = c.active_element().await.map_err(|e| format!("active element: {e}"))?;
        e.send_keys(keys).await.map_err(|e| format!("keys: {e}"))
    }

    /// Types into the focused field, which must be `id`.
    async fn type_text(&mut self, c: &Client, id: &str, text: &str) -> Res<()> {
        let at = self.focused(c).await?;
        ensure(at == id, format!("typing meant for #{id} would go to #{at}"))?;
        self.send(c, text).await?;
        self.entries += 1;
        self.groups += 1;
        self.keys += text.chars().count() as u32;
        writeln!(self.log, "type  #{id}: {text}").ok();
        Ok(())
    }

    /// Tab, and the focus must land on `id`.
    async fn tab_to(&mut self, c: &Client, id: &str) -> Res<()> {
        self.send(c, TAB).await?;
        self.groups += 1;
        self.keys += 1;
        let at = self.focused(c).await?;
        ensure(at == id, format!("Tab went to #{at}, not #{id}"))?;
        writeln!(self.log, "Tab   → #{id}").ok();
        Ok(())
    }

    /// Space on the focused checkbox `id`.
    async fn tick(&mut self, c: &Client, id: &str) -> Res<()> {
        let at = self.focused(c).await?;
        ensure(at == id, format!("Space meant for #{id} would go to #{at}"))?;
        self.send(c, SPACE).await?;
        self.entries += 1;
        self.groups += 1;
        self.keys += 1;
        let checked = c
            .execute("return document.getElementById(arguments[0]).checked;", vec![id.into()])
            .await
            .map_err(|e| format!("checked: {e}"))?;
        ensure(checked == serde_json::Value::Bool(true), format!("Space did not tick #{id}"))?;
        writeln!(self.log, "Space #{id}").ok();
        Ok(())
    }

    async fn enter(&mut self, c: &Client) -> Res<()> {
        let at = self.focused(c).await?;
        self.send(c, ENTER).await?;
        self.groups += 1;
        self.keys += 1;
        writeln!(self.log, "Enter on #{at}").ok();
        Ok(())
    }
}

async fn wait_focus(c: &Client, id: &str) -> Res<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let at = Keys::default().focused(c).await.unwrap_or_default();
        if at == id {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the focus never came to #{id} (it is on #{at})"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The office as the administrator leaves it: the first account is also a clerk.
async fn set_up(c: &Client) -> Res<()> {
    first_run(c).await?;
    log_in(c, "saule").await?;
    visible(c, "view-register").await?;
    Ok(())
}

/// From the applicant's IIN to the registered application and its receipt.
/// `known` says the registry already has this applicant: the form fills
/// the name, phone and address, and the clerk only Tabs past them.
async fn register_by_keyboard(c: &Client, k: &mut Keys, known: bool, child_iin: &str, child: &str) -> Res<String> {
    wait_focus(c, "applicant_iin").await?;
    k.type_text(c, "applicant_iin", "900101300007").await?;
    text_until(c, "applicant_iin-check", |t| t.starts_with('✓')).await?;
    if known {
        // The clerk reads what was filled before moving on.
        text_until(c, "person-known", |t| t.contains("01-2026-00001")).await?;
        k.tab_to(c, "applicant_name").await?;
        k.tab_to(c, "applicant_phone").await?;
        k.tab_to(c, "applicant_address").await?;
    } else {
        k.tab_to(c, "applicant_name").await?;
        k.type_text(c, "applicant_name", "Жұмабаева Әйгерім Серікқызы").await?;
        k.tab_to(c, "applicant_phone").await?;
        k.type_text(c, "applicant_phone", "87011234567").await?;
        k.tab_to(c, "applicant_address").await?;
    }
    k.tab_to(c, "representative-summary").await?;
    k.tab_to(c, "child_iin").await?;
    k.type_text(c, "child_iin", child_iin).await?;
    k.tab_to(c, "child_name").await?;
    k.type_text(c, "child_name", child).await?;
    k.tab_to(c, "child_birth_date").await?;
    k.type_text(c, "child_birth_date", "15.03.2022").await?;
    k.tab_to(c, "doc-application").await?;
    k.tick(c, "doc-application").await?;
    k.tab_to(c, "doc-birth_certificate").await?;
    k.tick(c, "doc-birth_certificate").await?;
    k.tab_to(c, "doc-identity_document").await?;
    k.tick(c, "doc-identity_document").await?;
    text_until(c, "intake-preview", |t| t.contains("қабылдау туралы қолхат")).await?;
    k.tab_to(c, "doc-priority_right").await?;
    k.tab_to(c, "extra_documents").await?;
    k.tab_to(c, "consent").await?;
    k.tick(c, "consent").await?;
    k.enter(c).await?;
    let number = text_until(c, "result-number", |t| t.contains('-')).await?;
    let receipt = text_until(c, "result-receipt-path", |t| t.ends_with("-receipt.pdf")).await?;
    let text = pdf_text(std::path::Path::new(&receipt))?;
    ensure(text.contains(&number) && text.contains(child), format!("the receipt lacks {number} or {child}: {text}"))?;
    // After registering, Enter clears the form for the next applicant.
    wait_focus(c, "register-clear").await?;
    Ok(number)
}

async fn day(c: &Client) -> Res<(Keys, Keys)> {
    set_up(c).await?;
    let mut first = Keys::default();
    let number = register_by_keyboard(c, &mut first, false, "220315500010", "Жұмабаев Әлихан").await?;
    ensure(number == "01-2026-00001", format!("first number {number}"))?;
    let status = text_until(c, "result-status", |t| !t.is_empty()).await?;
    ensure(status == "қабылданды · кезек нөмірі 1", format!("registered as {status}"))?;

    let mut second = Keys::default();
    second.enter(c).await?;
    register_by_keyboard(c, &mut second, true, "220315500020", "Жұмабаева Аружан").await?;
    text_until(c, "recent", |t| t.contains("01-2026-00002") && t.contains("Жұмабаева Әйгерім Серікқызы")).await?;
    Ok((first, second))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preschool_application_by_keyboard_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let driver = Driver::start();
    let outcome = async {
        let c = driver.launch(&["--data-dir", &data, "--clock", DAY]).await?;
        let out = day(&c).await;
        if out.is_err() {
            let _ = screenshot(&c, "e2e-failure-keystrokes.png").await;
        }
        let _ = c.close().await;
        out
    }
    .await;
    drop(driver);
    let (first, second) = outcome.unwrap_or_else(|e| panic!("{e}"));
    let report = format!(
        "A complete preschool-queue application, registered and its receipt printed with the keyboard alone.\n\
         \n\
         New applicant: {} field entries, {} keystroke groups, {} keys.\n{}\n\
         Returning applicant (name, phone and address filled from the registry; starts with Enter on «Тазалау»):\n\
         {} field entries, {} keystroke groups, {} keys.\n{}",
        first.entries, first.groups, first.keys, first.log, second.entries, second.groups, second.keys, second.log
    );
    std::fs::write(artifacts_dir().join("clerk-keystrokes.txt"), &report).unwrap();
    println!("{report}");
    assert!(first.entries <= 10, "a new applicant takes {} field entries", first.entries);
    assert!(
        second.entries < first.entries,
        "a returning applicant takes {} entries, no fewer than a new one",
        second.entries
    );
}
