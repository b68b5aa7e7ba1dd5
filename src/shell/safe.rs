//! Safe mode (`-safe`) as the SQL side sees it: whether it is in force for the command
//! running now, and what the last refusal was.
//!
//! sqlite3 3.40.1 checks `p->bSafeMode` inside its authorizer (`safeModeAuth`), and `.nonce`
//! clears that flag for one command, so ATTACH and the file functions work in the command
//! after a matching `.nonce`. The flag therefore has to be shared with the authorizer (and
//! with litesh's `fsdir`, which refuses in safe mode too: see docs/compat.md) rather than
//! copied into them when they are installed. A refusal is recorded here; the shell reports
//! it as `line N: MESSAGE` and leaves with exit code 1 once the statement has failed, as
//! sqlite3's `failIfSafeMode` does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The safe-mode flag of the current command and the pending refusal (shared by clones).
#[derive(Debug, Clone, Default)]
pub struct SafeMode {
    on: Arc<AtomicBool>,
    refusal: Arc<Mutex<Option<String>>>,
}

impl SafeMode {
    /// True while safe mode is in force.
    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::SeqCst)
    }

    /// Turns safe mode on or off for what runs next.
    pub fn set(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }

    /// Records a refusal (the first one of a statement wins) when safe mode is on; returns
    /// whether it is on, that is whether the caller must refuse.
    pub fn refuse(&self, msg: impl FnOnce() -> String) -> bool {
        if !self.is_on() {
            return false;
        }
        let mut g = self.refusal.lock().unwrap_or_else(|e| e.into_inner());
        g.get_or_insert_with(msg);
        true
    }

    /// True when a refusal is recorded (and not taken yet).
    pub fn has_refusal(&self) -> bool {
        self.refusal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The recorded refusal, if any, clearing it.
    pub fn take_refusal(&self) -> Option<String> {
        self.refusal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_counts_only_in_safe_mode_and_the_first_one_is_kept() {
        let s = SafeMode::default();
        assert!(!s.refuse(|| "a".into()));
        assert_eq!(s.take_refusal(), None);
        let shared = s.clone();
        shared.set(true);
        assert!(s.is_on());
        assert!(s.refuse(|| "first".into()));
        assert!(s.refuse(|| "second".into()));
        assert_eq!(shared.take_refusal().as_deref(), Some("first"));
        assert_eq!(s.take_refusal(), None);
    }
}
