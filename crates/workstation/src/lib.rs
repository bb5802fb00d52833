//! Kense at one desk of the office, without a window.
//!
//! The program a clerk, the head or an executor works in at one PC: the
//! session of the person at this desk (and its idle log-out), this PC's
//! folders and the office's clock, the registry opened with the shipped rule
//! data, and the office's use cases as functions the window's commands call
//! one at a time. Rules live in `kense-domain`, SQL in `kense-storage`, PDF in
//! `kense-documents`; the Tauri shell only binds this crate to a window,
//! dialogs, the printer and the PDF viewer.

pub mod admin;
pub mod backup;
pub mod catalog;
pub mod clock;
pub mod demo;
pub mod evidence;
pub mod exchange;
pub mod instance;
pub mod paper;
pub mod paths;
pub mod queue;
pub mod register;
pub mod search;
pub mod server;
pub mod session;
pub mod signing;
#[cfg(test)]
mod testing;
pub mod verification;
pub mod workflow;
mod workstation;

use workstation::due_on_entering;
pub use workstation::{Listener, Workstation, IDLE_LOGOUT};

/// The shipped catalog of services: data, not code (assets/catalog).
pub const CATALOG_JSON: &str = include_str!("../../../assets/catalog/services.json");
pub const CALENDAR_JSON: &str = include_str!("../../../assets/calendar/kz.json");
