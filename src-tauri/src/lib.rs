//! The Tauri shell: the only crate that knows Tauri.
//!
//! It resolves where the registry lives, opens it, holds the logged-in user,
//! and exposes thin commands to the window. Rules live in `kense-domain`,
//! SQL in `kense-storage`, PDF in `kense-documents`.

mod commands;
mod dialogs;
mod ipc;
#[cfg(test)]
mod ipc_fuzz;
mod printer;
mod queue;
mod viewer;

use std::path::PathBuf;

use kense_workstation::{backup, clock, paths, Workstation};
use tauri::{AppHandle, Manager, Runtime};

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

pub fn run() {
    let opts = options();
    let data_dir = paths::data_dir(opts.data_dir.clone());
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
        // First, so that a second start hands over to the running window
        // instead of opening the registry twice.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
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
            app.manage(Workstation::start(data_dir, opts.demo));
            start_backup_schedule(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::set_language,
            commands::create_administrator,
            commands::login,
            commands::logout,
            commands::services,
            commands::register_application,
            commands::search_applications,
            commands::take_step,
            commands::refusal_reasons,
            commands::executors,
            commands::users,
            commands::create_user,
            commands::correct_application,
            commands::update_office,
            commands::calendar_years,
            commands::catalog_versions,
            commands::catalog_version,
            commands::set_calendar_year,
            commands::verify_audit,
            commands::application_detail,
            commands::open_receipt,
            commands::verify_document,
            commands::look_up_document,
            commands::print_journal,
            commands::print_result,
            commands::preview_result,
            commands::printers,
            commands::set_stamp,
            commands::stamp,
            commands::person_by_iin,
            commands::dashboard,
            queue::queue_settings,
            queue::kindergartens,
            queue::add_kindergarten,
            queue::add_group,
            queue::declare_places,
            queue::queue_years,
            queue::queue_list,
            queue::queue_entry,
            queue::confirm_priority,
            queue::preview_distribution,
            queue::distribute,
            queue::referrals,
            queue::find_referral,
            queue::referral_step,
            queue::queue_statistics,
            queue::print_queue_notification,
            queue::print_referral,
            queue::print_queue_extract,
            queue::print_referral_list,
            queue::print_queue_history,
            commands::backups,
            commands::back_up_now,
            commands::copy_latest_backup,
            commands::restore_backup,
            commands::backup_progress,
            commands::cancel_backup,
            commands::recovery_backups,
            commands::recover_registry,
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
