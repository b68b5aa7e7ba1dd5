//! The writer lock: one object, `locks/writer.json`, that keeps two writers (create, prune)
//! off one repository. It names its owner (pid, host, time, a random nonce). Readers
//! (list, restore, verify) take no lock.
//!
//! A lock is stale, and is broken with a message, when its owner was on this host and that
//! pid is gone, or when it has not been refreshed for [`STALE_SECS`] (the holder refreshes
//! it every [`REFRESH_SECS`] while it works), so a killed process never blocks the
//! repository for long. Taking the lock is a put-if-absent followed by reading it back:
//! on a store where two breakers race, the one whose nonce is not read back gives up.

use serde::{Deserialize, Serialize};

use super::manifest::{format_time, now};
use super::store::Store;

/// Key of the lock object.
pub const LOCK_KEY: &str = "locks/writer.json";

/// A lock not refreshed for this long is stale (15 minutes).
pub const STALE_SECS: i64 = 15 * 60;

/// How often a holder refreshes its lock's time.
pub const REFRESH_SECS: i64 = 60;

/// What the lock object says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Process id of the holder.
    pub pid: u32,
    /// Host name of the holder.
    pub host: String,
    /// When it was taken or last refreshed (Unix seconds).
    pub time: i64,
    /// What it is doing (`create`, `prune`).
    pub op: String,
    /// Random, to tell two holders with the same pid and host apart.
    pub nonce: String,
}

impl Owner {
    fn describe(&self) -> String {
        format!(
            "pid {} on {} ({}, since {})",
            self.pid,
            self.host,
            self.op,
            format_time(self.time)
        )
    }
}

/// This machine's host name (`unknown` if it cannot be read).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether a process with this pid exists on this host (Linux: `/proc/PID`).
fn pid_alive(pid: u32) -> bool {
    if !std::path::Path::new("/proc/self").exists() {
        return true; // no way to tell: only the age breaks the lock
    }
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Why a lock held by `owner` may be broken at `now`, or `None` when it must be respected.
pub fn staleness(
    owner: &Owner,
    now: i64,
    host: &str,
    alive: impl Fn(u32) -> bool,
) -> Option<String> {
    if owner.host == host && !alive(owner.pid) {
        return Some(format!("process {} is gone", owner.pid));
    }
    let age = now - owner.time;
    if age > STALE_SECS {
        return Some(format!("not refreshed for {} minutes", age / 60));
    }
    None
}

/// A held lock. Dropping it without [`Lock::release`] also removes it (best effort).
pub struct Lock<'s> {
    store: &'s dyn Store,
    owner: Owner,
    released: bool,
}

impl<'s> Lock<'s> {
    /// Takes the lock for `op`, breaking a stale one (the message goes to `notice`).
    pub fn acquire(
        store: &'s dyn Store,
        op: &str,
        notice: &mut dyn FnMut(&str),
    ) -> Result<Self, String> {
        let host = hostname();
        let nonce = super::manifest::new_id(op);
        for _ in 0..3 {
            let owner = Owner {
                pid: std::process::id(),
                host: host.clone(),
                time: now(),
                op: op.to_string(),
                nonce: nonce.clone(),
            };
            let body = serde_json::to_vec(&owner).map_err(|e| e.to_string())?;
            if store.put_if_absent(LOCK_KEY, &body)? {
                // Read back: on a store without exclusive create, a racing writer may have
                // overwritten it; then that one holds the lock.
                let back = store.get(LOCK_KEY)?;
                let back: Option<Owner> = back.and_then(|b| serde_json::from_slice(&b).ok());
                if back.as_ref().is_some_and(|b| b.nonce == nonce) {
                    return Ok(Lock {
                        store,
                        owner,
                        released: false,
                    });
                }
                if let Some(b) = back {
                    return Err(locked_message(store, &b));
                }
                continue;
            }
            let Some(existing) = store.get(LOCK_KEY)? else {
                continue; // released meanwhile
            };
            let existing: Owner = match serde_json::from_slice(&existing) {
                Ok(o) => o,
                Err(_) => {
                    notice(&format!(
                        "breaking an unreadable lock in {}",
                        store.describe()
                    ));
                    store.delete(LOCK_KEY)?;
                    continue;
                }
            };
            match staleness(&existing, now(), &host, pid_alive) {
                Some(why) => {
                    notice(&format!(
                        "breaking the stale lock of {} on {}: {why}",
                        existing.describe(),
                        store.describe()
                    ));
                    store.delete(LOCK_KEY)?;
                }
                None => return Err(locked_message(store, &existing)),
            }
        }
        Err(format!(
            "cannot take the lock of {}: other writers keep taking it",
            store.describe()
        ))
    }

    /// Refreshes the lock's time when [`REFRESH_SECS`] have passed since the last time.
    pub fn refresh_if_due(&mut self) -> Result<(), String> {
        let t = now();
        if t - self.owner.time < REFRESH_SECS {
            return Ok(());
        }
        self.owner.time = t;
        let body = serde_json::to_vec(&self.owner).map_err(|e| e.to_string())?;
        self.store.put(LOCK_KEY, &body)
    }

    /// Removes the lock, if it is still ours.
    pub fn release(mut self) -> Result<(), String> {
        self.released = true;
        self.remove()
    }

    fn remove(&self) -> Result<(), String> {
        let cur = self.store.get(LOCK_KEY)?;
        let ours = cur
            .and_then(|b| serde_json::from_slice::<Owner>(&b).ok())
            .is_some_and(|o| o.nonce == self.owner.nonce);
        if ours {
            self.store.delete(LOCK_KEY)?;
        }
        Ok(())
    }
}

impl Drop for Lock<'_> {
    fn drop(&mut self) {
        if !self.released {
            let _ = self.remove();
        }
    }
}

fn locked_message(store: &dyn Store, o: &Owner) -> String {
    format!(
        "{} is locked by {}; it is broken automatically once that process is gone (or after {} \
         minutes without a refresh)",
        store.describe(),
        o.describe(),
        STALE_SECS / 60
    )
}

#[cfg(test)]
mod tests {
    use super::super::store::LocalStore;
    use super::*;

    fn owner(pid: u32, host: &str, time: i64) -> Owner {
        Owner {
            pid,
            host: host.into(),
            time,
            op: "create".into(),
            nonce: "n".into(),
        }
    }

    #[test]
    fn staleness_rules() {
        let t = 1_000_000;
        // Alive, fresh: respected, on this host or another.
        assert!(staleness(&owner(5, "h", t), t + 10, "h", |_| true).is_none());
        assert!(staleness(&owner(5, "other", t), t + 10, "h", |_| false).is_none());
        // Dead pid on this host: stale at once; on another host the pid says nothing.
        assert!(staleness(&owner(5, "h", t), t + 10, "h", |_| false).is_some());
        // Old: stale anywhere.
        assert!(staleness(&owner(5, "other", t), t + STALE_SECS + 1, "h", |_| true).is_some());
    }

    #[test]
    fn a_lock_excludes_a_second_writer_and_a_dead_owner_is_broken() {
        let d = tempfile::tempdir().unwrap();
        let s = LocalStore::new(d.path());
        let mut notes = Vec::new();
        let l = Lock::acquire(&s, "create", &mut |m| notes.push(m.to_string())).unwrap();
        let e = Lock::acquire(&s, "prune", &mut |m| notes.push(m.to_string()));
        assert!(e.err().unwrap().contains("is locked by pid"));
        l.release().unwrap();
        assert!(!s.exists(LOCK_KEY).unwrap());
        // A lock left by a process that no longer exists on this host.
        let dead = Owner {
            pid: u32::MAX - 1,
            host: hostname(),
            time: now(),
            op: "create".into(),
            nonce: "x".into(),
        };
        s.put(LOCK_KEY, &serde_json::to_vec(&dead).unwrap())
            .unwrap();
        let l = Lock::acquire(&s, "create", &mut |m| notes.push(m.to_string())).unwrap();
        assert!(notes.iter().any(|n| n.contains("breaking the stale lock")));
        drop(l);
        assert!(!s.exists(LOCK_KEY).unwrap());
    }
}
