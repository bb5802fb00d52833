//! `kense server …`: the office server's owner, at a terminal, without a
//! window. Whoever looks after the office's computers installs PostgreSQL,
//! creates an empty database and its owner account as PostgreSQL's
//! documentation says, and then:
//!
//! ```text
//! kense server setup --host H --port P --database D --owner O --certificate FILE --workstation-user U
//! kense server move  --from FILE  (the same options)
//! ```
//!
//! `setup` builds (or brings up to date) Kense's schema and creates (or
//! gives a new password to) the workstations' account; `move` carries a
//! one-PC office's registry (or a backup of it) into the empty database
//! with its whole history, and sets up the account as well. The owner's
//! password comes from `KENSE_OWNER_PASSWORD` or is asked without echo;
//! the workstations' likewise from `KENSE_WORKSTATION_PASSWORD` (asked
//! twice). Kense keeps neither. Everything printed is in Kazakh, then
//! Russian; a failure exits non-zero with the error in both.

use std::io::Write;
use std::path::PathBuf;

use kense_domain::{Error, Lang};
use kense_storage::{Progress, Registry, ServerSettings, Stage};

use crate::clock;

/// A password the command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    Owner,
    Workstation,
}

impl Secret {
    pub fn variable(self) -> &'static str {
        match self {
            Secret::Owner => "KENSE_OWNER_PASSWORD",
            Secret::Workstation => "KENSE_WORKSTATION_PASSWORD",
        }
    }

    fn prompt(self) -> &'static str {
        match self {
            Secret::Owner => "Дерекқор иесінің құпия сөзі / Пароль владельца базы данных: ",
            Secret::Workstation => "Жұмыс орындарының құпия сөзі / Пароль рабочих мест: ",
        }
    }
}

const USAGE: &str = "\
Қолданылуы / Использование:
  kense server setup --host ХОСТ --port ПОРТ --database БАЗА --owner ИЕСІ/ВЛАДЕЛЕЦ \\
                     --certificate ФАЙЛ.pem --workstation-user ЕСЕПТІК_ЖАЗБА/УЧЁТНАЯ_ЗАПИСЬ
  kense server move --from registry.sqlite  (сол параметрлер / те же параметры)

Иесінің құпия сөзі KENSE_OWNER_PASSWORD айнымалысынан алынады немесе сұралады;
жұмыс орындарының құпия сөзі KENSE_WORKSTATION_PASSWORD айнымалысынан алынады немесе сұралады.
Пароль владельца берётся из переменной KENSE_OWNER_PASSWORD или запрашивается;
пароль рабочих мест — из KENSE_WORKSTATION_PASSWORD или запрашивается.
Әдепкі мәндер / По умолчанию: --host localhost --port 5432 --workstation-user kense_desk";

#[derive(Debug, Default)]
struct Options {
    host: Option<String>,
    port: Option<String>,
    database: Option<String>,
    owner: Option<String>,
    certificate: Option<PathBuf>,
    workstation_user: Option<String>,
    from: Option<PathBuf>,
}

enum Action {
    Setup,
    Move,
}

/// Writes a sentence in both languages, Kazakh first.
fn say(out: &mut dyn Write, kk: &str, ru: &str) {
    let _ = writeln!(out, "{kk}\n{ru}");
}

fn error_lines(e: &Error) -> (String, String) {
    let detail = match e {
        Error::Storage(d) | Error::Io(d) | Error::MalformedRequest(d) | Error::DatabaseCorrupt(d) => {
            format!(" ({d})")
        }
        _ => String::new(),
    };
    (format!("Қате: {}{detail}", e.message(Lang::Kk)), format!("Ошибка: {}{detail}", e.message(Lang::Ru)))
}

fn parse(args: &[String]) -> Result<(Action, Options), String> {
    let mut it = args.iter();
    let action = match it.next().map(String::as_str) {
        Some("setup") => Action::Setup,
        Some("move") => Action::Move,
        Some(other) => return Err(format!("{other:?}")),
        None => return Err(String::new()),
    };
    let mut o = Options::default();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| flag.clone());
        match flag.as_str() {
            "--host" => o.host = Some(value()?),
            "--port" => o.port = Some(value()?),
            "--database" => o.database = Some(value()?),
            "--owner" => o.owner = Some(value()?),
            "--certificate" => o.certificate = Some(PathBuf::from(value()?)),
            "--workstation-user" => o.workstation_user = Some(value()?),
            "--from" if matches!(action, Action::Move) => o.from = Some(PathBuf::from(value()?)),
            other => return Err(other.to_owned()),
        }
    }
    Ok((action, o))
}

/// Runs `kense server <args>`; `ask` gives the passwords. The exit code.
pub fn run(args: &[String], ask: &mut dyn FnMut(Secret) -> Result<String, String>, out: &mut dyn Write) -> i32 {
    if args.first().is_some_and(|a| a == "--help" || a == "help") {
        let _ = writeln!(out, "{USAGE}");
        return 0;
    }
    let (action, o) = match parse(args) {
        Ok(parsed) => parsed,
        Err(what) => {
            say(out, &format!("Түсініксіз параметр: {what}"), &format!("Непонятный параметр: {what}"));
            let _ = writeln!(out, "{USAGE}");
            return 2;
        }
    };
    let missing = [
        ("--database", o.database.is_none()),
        ("--owner", o.owner.is_none()),
        ("--certificate", o.certificate.is_none()),
        ("--from", matches!(action, Action::Move) && o.from.is_none()),
    ];
    if let Some((flag, _)) = missing.iter().find(|(_, m)| *m) {
        say(out, &format!("{flag} параметрі керек."), &format!("Нужен параметр {flag}."));
        let _ = writeln!(out, "{USAGE}");
        return 2;
    }
    match execute(action, &o, ask, out) {
        Ok(()) => 0,
        Err(e) => {
            let (kk, ru) = error_lines(&e);
            say(out, &kk, &ru);
            1
        }
    }
}

fn execute(
    action: Action,
    o: &Options,
    ask: &mut dyn FnMut(Secret) -> Result<String, String>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let host = o.host.clone().unwrap_or_else(|| "localhost".into());
    let port = match o.port.as_deref().unwrap_or("5432").parse::<u16>() {
        Ok(p) if p > 0 => p,
        _ => return Err(Error::OutOfRange { field: kense_domain::error::Field::ServerPort, min: 1, max: 65535 }),
    };
    let certificate = o.certificate.clone().unwrap_or_default();
    let pem =
        std::fs::read_to_string(&certificate).map_err(|e| Error::Io(format!("{}: {e}", certificate.display())))?;
    super::certificate(&pem)?;
    let user = o.workstation_user.clone().unwrap_or_else(|| "kense_desk".into());
    let owner_password = ask(Secret::Owner).map_err(Error::MalformedRequest)?;
    let desk_password = ask(Secret::Workstation).map_err(Error::MalformedRequest)?;
    let owner = ServerSettings {
        host: host.clone(),
        port,
        database: o.database.clone().unwrap_or_default(),
        user: o.owner.clone().unwrap_or_default(),
        password: owner_password,
        certificate_pem: pem,
    };
    match action {
        Action::Setup => {
            let setup = Registry::set_up_server(&owner, &user, &desk_password)?;
            let (kk, ru) = if setup.created {
                ("құрылды", "создана")
            } else {
                ("бұрыннан бар, жаңартылды", "уже была, обновлена")
            };
            let v = setup.schema_version;
            say(
                out,
                &format!(
                    "Кеңсе сервері дайын: тізілім құрылымы {v} ({kk}); жұмыс орындарының есептік жазбасы — {user}."
                ),
                &format!("Сервер отдела готов: схема реестра {v} ({ru}); учётная запись рабочих мест — {user}."),
            );
        }
        Action::Move => {
            let from = o.from.clone().unwrap_or_default();
            let staging = std::env::temp_dir().join(format!("kense-move-{}.sqlite", std::process::id()));
            let mut last: Option<(Stage, u64)> = None;
            let mut report = |p: Progress| {
                let percent = p.done.saturating_mul(100).checked_div(p.total).unwrap_or(0);
                let step = percent / 10;
                if last != Some((p.stage, step)) {
                    last = Some((p.stage, step));
                    let (kk, ru) = stage_name(p.stage);
                    let _ = writeln!(out, "  {kk} / {ru}: {percent}%");
                }
                true
            };
            let moved =
                Registry::move_to_server(&from, &staging, &owner, (&user, &desk_password), clock::now(), &mut report);
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", staging.display()));
            }
            let moved = moved?;
            let rows: i64 = moved.rows.values().sum();
            say(
                out,
                &format!(
                    "Тізілім серверге көшірілді: {} (SHA-256 {}), {} жазба, аудит тізбегінің {} оқиғасы; \
                     жұмыс орындарының есептік жазбасы — {user}.",
                    moved.source, moved.source_sha256, rows, moved.events
                ),
                &format!(
                    "Реестр перенесён на сервер: {} (SHA-256 {}), {} записей, {} событий журнала аудита; \
                     учётная запись рабочих мест — {user}.",
                    moved.source, moved.source_sha256, rows, moved.events
                ),
            );
        }
    }
    let file = certificate.display();
    say(
        out,
        &format!(
            "Жұмыс орындарын қосу: Kense-тің алғашқы экранында «Кеңсе сервері» — хост {host}, порт {port}, \
             дерекқор {}, есептік жазба {user} және оның құпия сөзі, сертификат {file}.",
            owner.database
        ),
        &format!(
            "Подключение рабочих мест: на первом экране Kense «Сервер отдела» — хост {host}, порт {port}, \
             база {}, учётная запись {user} и её пароль, сертификат {file}.",
            owner.database
        ),
    );
    Ok(())
}

fn stage_name(stage: Stage) -> (&'static str, &'static str) {
    match stage {
        Stage::Copy => ("көшірме", "копия"),
        Stage::Verify => ("тексеру", "проверка"),
        Stage::Hash => ("бақылау сомасы", "контрольная сумма"),
        Stage::Prune => ("ескілерін өшіру", "удаление старых"),
        Stage::Transfer => ("серверге жазу", "запись на сервер"),
        Stage::Check => ("файлды тексеру", "проверка файла"),
        Stage::Swap => ("ауыстыру", "замена"),
        Stage::Reopen => ("қайта ашу", "повторное открытие"),
        Stage::Records => ("жазбалар", "записи"),
        Stage::Rows => ("жолдар", "строки"),
    }
}

/// The passwords from their variables, or asked at the terminal without
/// echo (the workstations' one twice).
pub fn ask_terminal(secret: Secret) -> Result<String, String> {
    if let Ok(p) = std::env::var(secret.variable()) {
        return Ok(p);
    }
    let read = |prompt: &str| rpassword::prompt_password(prompt).map_err(|e| format!("{}: {e}", secret.variable()));
    let first = read(secret.prompt())?;
    if secret == Secret::Workstation {
        let again = read("Қайталаңыз / Повторите: ")?;
        if again != first {
            return Err("құпия сөздер сәйкес емес / пароли не совпадают".into());
        }
    }
    Ok(first)
}

/// `kense server …` from `main`: the exit code.
pub fn main(args: &[String]) -> i32 {
    let mut out = std::io::stdout();
    run(args, &mut ask_terminal, &mut out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_text(args: &[&str]) -> (i32, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        let code = run(&args, &mut |_| Ok("құпия сөз 2026 жыл".into()), &mut out);
        (code, String::from_utf8(out).unwrap())
    }

    #[test]
    fn usage_and_mistakes_are_told_in_both_languages() {
        let (code, text) = run_text(&["--help"]);
        assert_eq!(code, 0);
        assert!(text.contains("kense server setup") && text.contains("Использование"));
        let (code, text) = run_text(&["setup", "--port"]);
        assert_eq!(code, 2);
        assert!(text.contains("Түсініксіз параметр") && text.contains("Непонятный параметр"), "{text}");
        let (code, text) = run_text(&["move", "--database", "d", "--owner", "o", "--certificate", "c"]);
        assert_eq!(code, 2);
        assert!(text.contains("--from"), "{text}");
    }

    #[test]
    fn an_unreadable_certificate_fails_with_the_translated_error() {
        let (code, text) =
            run_text(&["setup", "--database", "d", "--owner", "o", "--certificate", "/nonexistent/ca.pem"]);
        assert_eq!(code, 1);
        assert!(text.contains("Қате:") && text.contains("Ошибка:"), "{text}");
    }

    #[test]
    fn an_unreachable_server_fails_with_the_translated_error() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("ca.pem");
        std::fs::write(&cert, include_str!("testdata/certificate.pem")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
        let (code, text) = run_text(&[
            "setup",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--database",
            "d",
            "--owner",
            "o",
            "--certificate",
            cert.to_str().unwrap(),
        ]);
        assert_eq!(code, 1);
        assert!(text.contains("Кеңсе серверіне қосылу жоқ") && text.contains("Нет связи с сервером"), "{text}");
    }
}
