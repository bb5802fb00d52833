//! The Tauri shell: the only crate that knows Tauri.
//!
//! It binds `kense-workstation` to a window: the commands the window may
//! call (`commands/`, one file per desk or area), the native dialogs, the
//! printer and the PDF viewer, the backup schedule's thread and the exit
//! backup. What the office does lives in `kense-workstation`; rules in
//! `kense-domain`, SQL in `kense-storage`, PDF in `kense-documents`.

mod commands;
mod dialogs;
#[cfg(test)]
mod ipc_fuzz;
mod printer;
mod viewer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kense_storage::Signal;
use kense_workstation::instance::{self, Instance};
use kense_workstation::{backup, clock, paths, Workstation};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// `kense server …` (see `kense_workstation::server::command`): the exit code.
pub fn server_command(args: &[String]) -> i32 {
    attach_console();
    kense_workstation::server::command::main(args)
}

/// A Windows release build has no console of its own: the command's output
/// goes to the terminal it was started from.
#[cfg(windows)]
fn attach_console() {
    #[link(name = "kernel32")]
    extern "system" {
        fn AttachConsole(process: u32) -> i32;
    }
    const ATTACH_PARENT_PROCESS: u32 = u32::MAX;
    // SAFETY: a plain Win32 call with a constant; failing (no parent
    // console) leaves things as they were.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

#[cfg(not(windows))]
fn attach_console() {}

/// Command-line options. Unknown options are ignored so that the WebDriver
/// harness and OS launchers can pass their own.
#[derive(Debug, Default)]
struct Options {
    data_dir: Option<PathBuf>,
    demo: bool,
    clock: Option<String>,
    dialog_answer: Option<PathBuf>,
}

fn options() -> Options {
    let mut o = Options::default();
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        match a.to_str() {
            Some("--demo") => o.demo = true,
            Some("--data-dir") => o.data_dir = args.next().map(PathBuf::from),
            Some("--clock") => o.clock = args.next().and_then(|a| a.into_string().ok()),
            Some("--dialog-answer") => o.dialog_answer = args.next().map(PathBuf::from),
            _ => {}
        }
    }
    o
}

/// The start-up and daily backups, on a thread of their own: each look at
/// the schedule is `backup::back_up_if_due`.
fn start_backup_schedule<R: Runtime>(app: AppHandle<R>) {
    let spawned = std::thread::Builder::new().name("kense-backups".into()).spawn(move || {
        let mut when = "start-up";
        loop {
            if let Some(station) = app.try_state::<Workstation>() {
                backup::back_up_if_due(&station, when);
            }
            when = "daily";
            std::thread::sleep(backup::CHECK_EVERY);
        }
    });
    if let Err(e) = spawned {
        log::error!("backup schedule not started: {e}");
    }
}

/// Tells the window of the office server's news: other desks' writes
/// (`kense:changed`, no data: the window reloads what it shows) and the
/// server's loss and return (`kense:server`, `true` when it answers).
fn tell_window<R: Runtime>(app: AppHandle<R>) -> kense_workstation::Listener {
    Arc::new(move |signal| {
        let sent = match signal {
            Signal::Changed => app.emit("kense:changed", ()),
            Signal::Reachable(reachable) => app.emit("kense:server", reachable),
        };
        if let Err(e) = sent {
            log::warn!("the window was not told of the office server's news: {e}");
        }
    })
}

/// A second start on this data folder asks this one to come forward
/// (`instance::woken`): its window is shown and focused.
fn answer_second_starts<R: Runtime>(app: AppHandle<R>, data_dir: PathBuf) {
    let spawned = std::thread::Builder::new().name("kense-wake".into()).spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        if instance::woken(&data_dir) {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }
    });
    if let Err(e) = spawned {
        log::error!("second starts will not bring the window forward: {e}");
    }
}

/// One Kense per data folder (`instance`): `None` when another holds it
/// (it was asked to come forward) and this start must end.
fn claim_data_folder(dir: &Path) -> Option<Option<instance::Held>> {
    match instance::claim(dir) {
        Ok(Instance::First(held)) => Some(Some(held)),
        Ok(Instance::Running) => None,
        Err(e) => {
            // A folder that cannot be locked (a network share without
            // locks) still opens: the registry's own locks guard it.
            eprintln!("Kense: the data folder was not locked: {e}");
            Some(None)
        }
    }
}

pub fn run() {
    let opts = options();
    let data_dir = paths::data_dir(opts.data_dir.clone());
    // Held until the process ends.
    let _held = match data_dir.as_deref().map(claim_data_folder) {
        Ok(None) => {
            eprintln!(
                "Kense осы деректер қалтасымен жұмыс істеп тұр, оның терезесі алдыға шығарылды.\n\
                 Kense уже работает с этой папкой данных, его окно выведено на передний план."
            );
            return;
        }
        Ok(Some(held)) => held,
        Err(_) => None,
    };
    let log_dir = data_dir.as_ref().map(|d| paths::logs_dir(d)).ok();

    let mut log = tauri_plugin_log::Builder::new()
        .level(log::LevelFilter::Info)
        .max_file_size(2_000_000)
        .rotation_strategy(tauri_plugin_log::RotationStrategy::KeepSome(10))
        .clear_targets()
        .target(tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stderr));
    if let Some(dir) = log_dir {
        log = log.target(tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Folder {
            path: dir,
            file_name: Some("kense".into()),
        }));
    }

    let result = tauri::Builder::default()
        .plugin(log.build())
        .plugin(tauri_plugin_opener::init())
        // Its pickers are called from Rust only; the window holds no
        // dialog permission (tests/configuration.rs checks it).
        .plugin(tauri_plugin_dialog::init())
        // The registry opens once the logger is in place, so that what
        // happens while opening it is in the log file.
        .setup(move |app| {
            if let Some(moment) = &opts.clock {
                clock::start_at(moment);
            }
            if let Some(file) = opts.dialog_answer.clone() {
                dialogs::answer_from(file);
            }
            if let Ok(dir) = &data_dir {
                answer_second_starts(app.handle().clone(), dir.clone());
            }
            let station = Workstation::start(data_dir, opts.demo);
            if let Err(e) = station.listen(tell_window(app.handle().clone())) {
                log::error!("other desks' changes will not be shown: {e}");
            }
            app.manage(station);
            start_backup_schedule(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_status,
            commands::session::set_language,
            commands::session::create_administrator,
            commands::session::login,
            commands::session::logout,
            commands::server::server_status,
            commands::server::join_server,
            commands::server::choose_server_certificate,
            commands::register::services,
            commands::register::register_application,
            commands::register::person_by_iin,
            commands::register::correct_application,
            commands::workflow::take_step,
            commands::workflow::refusal_reasons,
            commands::workflow::executors,
            commands::search::search_applications,
            commands::search::application_detail,
            commands::search::dashboard,
            commands::admin::users,
            commands::admin::create_user,
            commands::admin::update_office,
            commands::admin::calendar_years,
            commands::admin::catalog_versions,
            commands::admin::catalog_version,
            commands::catalog::catalog_service,
            commands::catalog::preview_catalog_edit,
            commands::catalog::save_catalog_edit,
            commands::catalog::read_catalog_file,
            commands::catalog::read_shipped_catalog,
            commands::catalog::shipped_catalog_waiting,
            commands::catalog::save_catalog_file,
            commands::catalog::catalog_grounds,
            commands::catalog::export_catalog,
            commands::admin::set_calendar_year,
            commands::admin::verify_audit,
            commands::admin::accept_findings,
            commands::admin::set_stamp,
            commands::admin::stamp,
            commands::verify::verify_document,
            commands::verify::look_up_document,
            commands::paper::open_receipt,
            commands::paper::show_paper,
            commands::paper::print_result,
            commands::paper::preview_result,
            commands::paper::print_journal,
            commands::paper::printers,
            commands::paper::print_queue_notification,
            commands::paper::print_referral,
            commands::paper::print_queue_extract,
            commands::paper::print_referral_list,
            commands::paper::print_queue_history,
            commands::queue::queue_settings,
            commands::queue::kindergartens,
            commands::queue::add_kindergarten,
            commands::queue::add_group,
            commands::queue::declare_places,
            commands::queue::queue_years,
            commands::queue::queue_list,
            commands::queue::queue_entry,
            commands::queue::confirm_priority,
            commands::queue::preview_distribution,
            commands::queue::distribute,
            commands::queue::referrals,
            commands::queue::find_referral,
            commands::queue::referral_step,
            commands::queue::queue_statistics,
            commands::backup::backups,
            commands::backup::back_up_now,
            commands::backup::copy_latest_backup,
            commands::backup::restore_backup,
            commands::backup::backup_progress,
            commands::backup::cancel_backup,
            commands::backup::recovery_backups,
            commands::backup::recover_registry,
            commands::exchange::import_dry_run,
            commands::exchange::confirm_import,
            commands::exchange::save_import_templates,
            commands::exchange::export_register,
            commands::exchange::period_report,
            commands::exchange::record_survey,
            commands::signature::sign_result,
            commands::signature::save_signed_result,
            commands::signature::verify_signed_file,
            commands::signature::import_trusted_file,
            commands::signature::trusted_files,
            commands::signature::set_user_iin,
        ])
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|handle, event| {
                // The exit backup runs once the window has closed.
                if let tauri::RunEvent::Exit = event {
                    if let Some(station) = handle.try_state::<Workstation>() {
                        backup::on_exit(&station);
                    }
                }
            })
        });
    if let Err(e) = result {
        // Nothing can be shown without a window; the log and stderr are all
        // there is.
        log::error!("Kense stopped: {e}");
        eprintln!("Kense stopped: {e}");
        std::process::exit(1);
    }
}
