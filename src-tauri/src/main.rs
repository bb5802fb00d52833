// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `kense server …` is the office server owner's command: no window.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "server") {
        std::process::exit(kense_shell::server_command(&args[1..]));
    }
    kense_shell::run();
}
