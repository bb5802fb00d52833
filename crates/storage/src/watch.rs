//! Hearing of what other desks write.
//!
//! On the office server every audited write that changed something notifies
//! on commit (no personal data: the event's number); a log-in, a refusal or
//! a view of personal data is audited but is no news (see `Db::audited`). [`Registry::watch`] starts a thread
//! with a connection of its own that listens for those notifications — or,
//! where the server will not let it listen, looks at the chain head every
//! two seconds — and tells the caller of each change and of each loss and
//! return of the server. A registry in a file on this PC has nobody else
//! writing to it: there is nothing to watch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kense_domain::Error;

use crate::{Location, Registry};

/// What the watcher heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Something was written (by any desk, this one included).
    Changed,
    /// The server answers again (`true`), or no longer does (`false`).
    Reachable(bool),
}

/// A running watcher; it stops (within a couple of seconds) when dropped.
#[derive(Debug)]
pub struct Watch {
    stop: Arc<AtomicBool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl Registry {
    /// Starts watching the registry for writes (see the module's doc);
    /// `None` for a file, which only this PC writes.
    pub fn watch(&self, on: impl FnMut(Signal) + Send + 'static) -> Result<Option<Watch>, Error> {
        let Location::Server(settings) = &self.location else { return Ok(None) };
        let settings = settings.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let mut on = on;
        std::thread::Builder::new()
            .name("kense-watch".into())
            .spawn(move || crate::sql::watch_server(&settings, &flag, &mut on))
            .map_err(|e| Error::Io(format!("watcher thread: {e}")))?;
        Ok(Some(Watch { stop }))
    }

    /// Whether the registry answers: a round trip to the office server
    /// (which reconnects first if the connection was lost), nothing for a file.
    pub fn ping(&self) -> Result<(), Error> {
        self.db.value::<i64>("SELECT 1 AS one", crate::sql::args![])?;
        Ok(())
    }
}
