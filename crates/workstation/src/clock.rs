//! The office's clock. Registration times are the office's local time with
//! its offset, to the second.
//!
//! Debug builds accept `--clock <RFC 3339>` so that end-to-end tests can
//! see deadlines pass: the clock then starts at that moment and runs on in
//! real time. Release builds ignore the flag — a clerk must not be able to
//! backdate a registration by starting the program differently.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, FixedOffset, Local, Timelike};

static SHIFT: OnceLock<(Duration, FixedOffset)> = OnceLock::new();

/// Sets the test clock once, at start-up.
pub fn start_at(moment: &str) {
    if !cfg!(debug_assertions) {
        log::warn!("--clock is ignored in release builds");
        return;
    }
    match DateTime::parse_from_rfc3339(moment) {
        Ok(t) => {
            let _ = SHIFT.set((t.signed_duration_since(Local::now()), *t.offset()));
            log::warn!("test clock set to start at {t}");
        }
        Err(e) => log::error!("--clock {moment:?} is not RFC 3339: {e}"),
    }
}

pub fn now() -> DateTime<FixedOffset> {
    let mut t = Local::now().fixed_offset();
    if let Some((shift, offset)) = SHIFT.get() {
        // The test clock keeps the offset it was given (the office's zone).
        t = (t + *shift).with_timezone(offset);
    }
    t.with_nanosecond(0).unwrap_or(t)
}
