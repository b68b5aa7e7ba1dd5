//! Creating the files a backup writes before they are whole: `.backup`'s
//! `.NAME.litesh-PID.tmp`, `.snapshot restore`'s `.NAME.litesh-restore-PID` and the
//! repository's `tmp/` files.
//!
//! Their names are predictable and they sit in directories other users may write to (a
//! backup to `/tmp/app.db` puts its temporary file in `/tmp`). So each is created new,
//! never opened when something is already there, and never through a symbolic link
//! (`O_CREAT | O_EXCL | O_NOFOLLOW`): a link planted at the name makes the backup fail with
//! `File exists` instead of writing through it into the link's target. Each is created
//! readable and writable by its owner only (0600) while it is being filled. A finished
//! database copy then gets the mode SQLite gives a database it creates, 0644 less the
//! umask (what sqlite3's `.backup` leaves), just before it is renamed into place
//! ([`publish`]); repository files stay 0600.

use std::fs::{File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of a file while it is being written.
pub const PRIVATE_FILE: u32 = 0o600;

/// Mode of the directories of a local snapshot repository.
pub const PRIVATE_DIR: u32 = 0o700;

/// SQLite's `SQLITE_DEFAULT_FILE_PERMISSIONS`: the mode (before the umask) of the database
/// files it creates.
const DATABASE_FILE: u32 = 0o644;

/// Creates `path` as a new, empty file with mode 0600, opened for writing: never an existing
/// file, never through a symbolic link, not inherited by child processes.
pub fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_FILE)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits() | nix::fcntl::OFlag::O_CLOEXEC.bits())
        .open(path)
}

/// Gives a finished database file the mode SQLite would have created it with (0644 less
/// the process's umask), so the copy is as readable as sqlite3's `.backup` makes it.
pub fn publish(file: &File) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(DATABASE_FILE & !umask()))
}

/// The process's umask, read without changing it (`/proc/self/status`); where that is
/// not available, set and put back at once.
pub fn umask() -> u32 {
    let from_proc = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        });
    from_proc.unwrap_or_else(|| {
        use nix::sys::stat::{umask, Mode};
        let old = umask(Mode::from_bits_truncate(0o077));
        umask(old);
        old.bits()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_new_file_is_private() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".x.litesh-1.tmp");
        let f = create_private(&p).unwrap();
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        publish(&f).unwrap();
        assert_eq!(
            f.metadata().unwrap().permissions().mode() & 0o777,
            0o644 & !umask()
        );
    }

    #[test]
    fn an_existing_file_or_a_planted_link_is_never_opened() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let link = d.path().join("link");
        symlink(&victim, &link).unwrap();
        let dangling = d.path().join("dangling");
        symlink(d.path().join("nowhere"), &dangling).unwrap();
        for p in [&victim, &link, &dangling] {
            let e = create_private(p).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{}", p.display());
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!d.path().join("nowhere").exists());
    }

    #[test]
    fn the_umask_is_read_back_unchanged() {
        let a = umask();
        assert_eq!(umask(), a);
        assert_eq!(a & !0o777, 0);
    }
}
