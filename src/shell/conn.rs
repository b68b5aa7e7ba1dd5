//! The state behind `.connection`: sqlite3 3.40.1's five auxiliary connection slots
//! (`aAuxDb[5]`). The active slot's name and connection are the shell's [`Database`](super::Database);
//! [`Connections`] holds the others. The command itself is in `dot/conn.rs`.

use std::ffi::OsString;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

/// sqlite3's `ArraySize(p->aAuxDb)`.
pub const SLOTS: usize = 5;

#[derive(Default)]
pub(crate) struct Slot {
    /// `zDbFilename`: `None` is sqlite3's NULL (a temporary database, listed `(memory)`).
    pub(crate) filename: Option<OsString>,
    /// The slot's connection while it is not the active one.
    pub(crate) conn: Option<Connection>,
}

#[derive(Default)]
pub(crate) struct Slots {
    pub(crate) active: usize,
    pub(crate) slots: [Slot; SLOTS],
}

/// The connection slots that are not active (shared when the settings are cloned).
#[derive(Clone, Default)]
pub struct Connections(pub(crate) Arc<Mutex<Slots>>);

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let open: Vec<usize> = (0..SLOTS).filter(|&i| g.slots[i].conn.is_some()).collect();
        f.debug_struct("Connections")
            .field("active", &g.active)
            .field("open", &open)
            .finish()
    }
}
