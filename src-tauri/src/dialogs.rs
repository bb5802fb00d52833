//! The folder and file pickers of backups, the office server's
//! certificate, imports and exports, signing keys, signed PDFs and trusted
//! certificates, opened from Rust
//! (tauri-plugin-dialog's Rust API): the window has no dialog permission, so
//! no path it names can reach a scope.
//!
//! Debug builds accept `--dialog-answer <file>`: each dialog then answers
//! with the path written in that file (empty = cancelled), because WebDriver
//! cannot drive a native dialog. Release builds ignore it.

use std::path::PathBuf;
use std::sync::OnceLock;

use kense_domain::Lang;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

static DIALOG_ANSWER: OnceLock<PathBuf> = OnceLock::new();

/// Debug builds only: dialogs answer from `file` (see the module's doc).
pub fn answer_from(file: PathBuf) {
    if !cfg!(debug_assertions) {
        log::warn!("--dialog-answer is ignored in release builds");
        return;
    }
    log::warn!("dialogs answer from {}", file.display());
    let _ = DIALOG_ANSWER.set(file);
}

/// `Some(answer)` when a debug build was told how dialogs answer.
fn scripted_answer() -> Option<Option<PathBuf>> {
    let file = DIALOG_ANSWER.get().filter(|_| cfg!(debug_assertions))?;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let path = text.trim();
    Some((!path.is_empty()).then(|| PathBuf::from(path)))
}

/// The folder a backup is copied to (a USB stick, a share); `None` when cancelled.
pub fn pick_folder<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let title = match lang {
        Lang::Kk => "Резервтік көшірмені қай қалтаға көшіру керек?",
        Lang::Ru => "В какую папку скопировать резервную копию?",
    };
    let mut dialog = app.dialog().file().set_title(title);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_folder().and_then(|p| p.into_path().ok())
}

/// The backup file to restore from; `None` when cancelled.
pub fn pick_file<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let (title, kind) = match lang {
        Lang::Kk => ("Қалпына келтіру үшін резервтік көшірмені таңдаңыз", "Kense резервтік көшірмесі"),
        Lang::Ru => ("Выберите резервную копию для восстановления", "Резервная копия Kense"),
    };
    let mut dialog = app.dialog().file().set_title(title).add_filter(kind, &["sqlite", "sqlite3", "db"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_file().and_then(|p| p.into_path().ok())
}

/// The office server's certificate (PEM) for joining; `None` when cancelled.
pub fn pick_certificate<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let (title, kind) = match lang {
        Lang::Kk => ("Кеңсе серверінің сертификатын таңдаңыз", "Сертификат (PEM)"),
        Lang::Ru => ("Выберите сертификат сервера отдела", "Сертификат (PEM)"),
    };
    let mut dialog = app.dialog().file().set_title(title).add_filter(kind, &["pem", "crt", "cer"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_file().and_then(|p| p.into_path().ok())
}

/// The spreadsheet of the office's queue or register to import; `None`
/// when cancelled.
pub fn pick_import_file<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let (title, kind) = match lang {
        Lang::Kk => ("Импорттайтын файлды таңдаңыз", "Кесте (XLSX, ODS, CSV)"),
        Lang::Ru => ("Выберите файл для импорта", "Таблица (XLSX, ODS, CSV)"),
    };
    let mut dialog = app.dialog().file().set_title(title).add_filter(kind, &["xlsx", "xls", "ods", "csv"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_file().and_then(|p| p.into_path().ok())
}

/// The folder the import templates are saved to; `None` when cancelled.
pub fn pick_template_folder<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let title = match lang {
        Lang::Kk => "Импорт үлгілерін қай қалтаға сақтау керек?",
        Lang::Ru => "В какую папку сохранить шаблоны импорта?",
    };
    let mut dialog = app.dialog().file().set_title(title);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_folder().and_then(|p| p.into_path().ok())
}

/// Where an export is saved, `name` suggested; `None` when cancelled.
pub fn save_export<R: Runtime>(app: &AppHandle<R>, lang: Lang, name: &str) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let title = match lang {
        Lang::Kk => "Экспортты қайда сақтау керек?",
        Lang::Ru => "Куда сохранить выгрузку?",
    };
    let ext = name.rsplit('.').next().unwrap_or("xlsx").to_owned();
    let mut dialog =
        app.dialog().file().set_title(title).set_file_name(name).add_filter(ext.to_uppercase(), &[ext.as_str()]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_save_file().and_then(|p| p.into_path().ok())
}

/// A file to open, titled in the person's language and filtered to
/// `exts`; `None` when cancelled.
fn open_one<R: Runtime>(app: &AppHandle<R>, title: &str, kind: &str, exts: &[&str]) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let mut dialog = app.dialog().file().set_title(title).add_filter(kind, exts);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_file().and_then(|p| p.into_path().ok())
}

/// The head's key file (PKCS#12) to sign with.
pub fn pick_key_file<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    match lang {
        Lang::Kk => open_one(app, "ЭЦҚ кілтінің файлын таңдаңыз", "Кілт (PKCS#12)", &["p12", "pfx"]),
        Lang::Ru => open_one(app, "Выберите файл ключа ЭЦП", "Ключ (PKCS#12)", &["p12", "pfx"]),
    }
}

/// A catalog file (JSON) to bring in as the next version.
pub fn pick_catalog_file<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    match lang {
        Lang::Kk => open_one(app, "Қызметтер каталогының файлын таңдаңыз", "Каталог (JSON)", &["json"]),
        Lang::Ru => open_one(app, "Выберите файл каталога услуг", "Каталог (JSON)", &["json"]),
    }
}

/// A signed PDF to check.
pub fn pick_signed_pdf<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    match lang {
        Lang::Kk => open_one(app, "Тексерілетін қол қойылған PDF файлын таңдаңыз", "PDF", &["pdf"]),
        Lang::Ru => open_one(app, "Выберите подписанный PDF для проверки", "PDF", &["pdf"]),
    }
}

/// A certificate or revocation list to trust.
pub fn pick_trust_file<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    let exts = ["cer", "crt", "pem", "der", "crl"];
    match lang {
        Lang::Kk => open_one(app, "Сертификатты немесе CRL тізімін таңдаңыз", "Сертификат, CRL", &exts),
        Lang::Ru => open_one(app, "Выберите сертификат или список отзыва (CRL)", "Сертификат, CRL", &exts),
    }
}

/// Where the signed PDF of a result is saved.
pub fn save_signed_pdf<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let title = match lang {
        Lang::Kk => "Қол қойылған PDF файлын қайда сақтау керек?",
        Lang::Ru => "Куда сохранить подписанный PDF?",
    };
    let mut dialog = app.dialog().file().set_title(title).set_file_name("signed.pdf").add_filter("PDF", &["pdf"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_save_file().and_then(|p| p.into_path().ok())
}
