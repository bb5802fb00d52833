//! Generates the Tauri context and the ACL: every command the window may call
//! is listed here, gets an `allow-…` permission, and must be granted in
//! src-tauri/capabilities/. A command missing from this list cannot be called.

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script has no other channel than failing loudly.
        panic!("tauri-build failed: {e:#}");
    }
}

/// Keep in sync with `generate_handler!` in src-tauri/src/lib.rs; the
/// configuration test checks both against the capability file.
const COMMANDS: &[&str] = &[
    "app_status",
    "set_language",
    "create_administrator",
    "login",
    "logout",
    "server_status",
    "join_server",
    "choose_server_certificate",
    "services",
    "register_application",
    "search_applications",
    "take_step",
    "refusal_reasons",
    "executors",
    "users",
    "create_user",
    "correct_application",
    "update_office",
    "calendar_years",
    "catalog_versions",
    "catalog_version",
    "set_calendar_year",
    "verify_audit",
    "accept_findings",
    "application_detail",
    "open_receipt",
    "show_paper",
    "verify_document",
    "look_up_document",
    "print_journal",
    "print_result",
    "preview_result",
    "printers",
    "set_stamp",
    "stamp",
    "person_by_iin",
    "dashboard",
    "queue_settings",
    "kindergartens",
    "add_kindergarten",
    "add_group",
    "declare_places",
    "queue_years",
    "queue_list",
    "queue_entry",
    "confirm_priority",
    "preview_distribution",
    "distribute",
    "referrals",
    "find_referral",
    "referral_step",
    "queue_statistics",
    "print_queue_notification",
    "print_referral",
    "print_queue_extract",
    "print_referral_list",
    "print_queue_history",
    "backups",
    "back_up_now",
    "copy_latest_backup",
    "restore_backup",
    "backup_progress",
    "cancel_backup",
    "recovery_backups",
    "recover_registry",
    "import_dry_run",
    "confirm_import",
    "save_import_templates",
    "export_register",
    "period_report",
    "record_survey",
    "sign_result",
    "save_signed_result",
    "verify_signed_file",
    "import_trusted_file",
    "trusted_files",
    "set_user_iin",
];
