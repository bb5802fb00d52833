//! The office's clock. Registration times are the office's local time with
//! its offset, to the second.

use chrono::{DateTime, FixedOffset, Local, Timelike};

pub fn now() -> DateTime<FixedOffset> {
    let t = Local::now().fixed_offset();
    t.with_nanosecond(0).unwrap_or(t)
}
