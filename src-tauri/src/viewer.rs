//! Handing a filed PDF to the system's viewer (xdg-open, the Windows shell,
//! or macOS `open`, chosen by the opener plugin).

use kense_workstation::paper::Printed;
use tauri_plugin_opener::OpenerExt;

/// Opens the document in the viewer and says whether one accepted it.
///
/// The launcher runs on a thread of its own: some launchers wait until the
/// viewer is closed, and a command must never hold one of the few runtime
/// workers for that (every other command of the window would queue behind
/// it). A launcher that fails within two seconds reports "no viewer"; one
/// still running then has started a viewer.
pub fn show(app: &tauri::AppHandle, mut printed: Printed) -> Printed {
    let (tx, rx) = std::sync::mpsc::channel();
    let (app, path) = (app.clone(), printed.path.clone());
    std::thread::spawn(move || {
        let outcome = app.opener().open_path(path, None::<&str>);
        if let Err(e) = &outcome {
            log::warn!("no PDF viewer opened the document: {e}");
        }
        let _ = tx.send(outcome.is_ok());
    });
    printed.opened = rx.recv_timeout(std::time::Duration::from_secs(2)).unwrap_or(true);
    printed
}
