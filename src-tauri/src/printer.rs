//! Handing a finished PDF to the office: the system viewer (through the
//! opener plugin), or — where CUPS is present — straight to a chosen printer
//! with `lp` and a fixed argument list, never through a shell. Every job sent
//! to a printer is audited with the printer's name.
//!
//! The platform branches are kept here: Linux and macOS have CUPS (`lpstat`,
//! `lp`); Windows has no `lp`, so it offers no printers and the viewer's own
//! print button does the job there.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use kense_domain::access::Actor;
use kense_domain::Error;
use kense_workstation::paper::{self, Printed};
use kense_workstation::Workstation;

use crate::viewer;

/// CUPS destinations that accept jobs, in `lpstat -e` order. Empty when
/// there is no CUPS or it answers nothing.
#[cfg(unix)]
pub fn printers() -> Vec<String> {
    match Command::new("lpstat").arg("-e").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| valid_name(l))
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(not(unix))]
pub fn printers() -> Vec<String> {
    Vec::new()
}

/// CUPS names are letters, digits, `-`, `_`, `.` and `@` (for remote
/// queues); anything else is refused before `lp` sees it.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 127
        && !name.starts_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

/// The `lp` arguments for one job: destination, title, then `--` so that no
/// file name is ever read as an option.
fn lp_args(printer: &str, title: &str, path: &Path) -> Vec<OsString> {
    let title: String = title.chars().filter(|c| !c.is_control()).take(100).collect();
    vec!["-d".into(), printer.into(), "-t".into(), title.into(), "--".into(), path.as_os_str().to_owned()]
}

#[cfg(unix)]
fn send(printer: &str, title: &str, path: &Path) -> Result<(), Error> {
    let out = Command::new("lp")
        .args(lp_args(printer, title, path))
        .output()
        .map_err(|e| Error::PrintFailed(e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::PrintFailed(String::from_utf8_lossy(&out.stderr).trim().to_owned()))
    }
}

#[cfg(not(unix))]
fn send(_printer: &str, _title: &str, _path: &Path) -> Result<(), Error> {
    Err(Error::PrintFailed("no lp on this platform".into()))
}

/// Sends a document where the person asked: to a printer from the list,
/// or to the viewer when `printer` is empty (and `open` allows it).
pub fn deliver(
    app: &tauri::AppHandle,
    station: &Workstation,
    actor: &Actor,
    printed: Printed,
    printer: &str,
    open: bool,
) -> Result<Printed, Error> {
    let printer = printer.trim();
    if printer.is_empty() {
        return Ok(if open { viewer::show(app, printed) } else { printed });
    }
    // Only a destination CUPS itself lists: the window cannot name anything else.
    if !valid_name(printer) || !printers().iter().any(|p| p == printer) {
        return Err(Error::PrintFailed(format!("unknown printer {printer:?}")));
    }
    let path = Path::new(&printed.path);
    let title = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    send(printer, &title, path)?;
    paper::record_print_job(station, actor, &printed, printer)?;
    Ok(Printed { printer: Some(printer.to_owned()), ..printed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_names_that_could_be_options_or_shell_are_refused() {
        for ok in ["Office_HP", "hp-laserjet.2", "queue@server"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "-o evil", "a b", "a;rm -rf /", "$(x)", "принтер", &"x".repeat(128)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn lp_gets_the_file_after_a_double_dash() {
        let args = lp_args("Office", "01-2026-00001-receipt\n", Path::new("-weird.pdf"));
        let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, ["-d", "Office", "-t", "01-2026-00001-receipt", "--", "-weird.pdf"]);
    }
}
