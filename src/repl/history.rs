//! What the history file may be and what goes into it.
//!
//! The file is `$SQLITE_HISTORY` or `~/.litesh_history`; rustyline creates it 0600 and puts
//! an existing one back to 0600 whenever it writes. Someone who can write the directory it
//! is in (say `SQLITE_HISTORY=/tmp/hist`, or a shared home) could plant a file there to read
//! what is typed, or a symbolic link that makes litesh append to (and chmod) another file.
//! So litesh uses the file only when it, and a link leading to it, belong to the user
//! running litesh ([`refusal`]); otherwise it says why in one line and keeps no history.
//!
//! Entries are written with the user part of `s3://USER:SECRET@bucket` URLs replaced
//! ([`redact`]): such URLs are refused anyway (credentials come from the environment), and
//! a secret typed into one must not stay on disk.

use std::borrow::Cow;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::OnceLock;

/// Why `path` must not be used as the history file for the user `uid`, or `None` when it
/// may (also when it does not exist yet: rustyline then creates it 0600).
pub fn refusal(path: &Path, uid: u32) -> Option<String> {
    let link = std::fs::symlink_metadata(path).ok()?;
    if link.file_type().is_symlink() && link.uid() != uid {
        return Some(format!(
            "it is a symbolic link owned by uid {}, not by you",
            link.uid()
        ));
    }
    let Ok(file) = std::fs::metadata(path) else {
        // A dangling link of the user's own: the file it names is created.
        return None;
    };
    if !file.is_file() {
        return Some("it is not a regular file".into());
    }
    if file.uid() != uid {
        return Some(format!("it is owned by uid {}, not by you", file.uid()));
    }
    None
}

/// The history file to use: `path` unless [`refusal`] objects (then the reason is
/// reported on stderr and there is no history file).
pub fn checked(path: Option<std::path::PathBuf>) -> Option<std::path::PathBuf> {
    let p = path?;
    match refusal(&p, nix::unistd::geteuid().as_raw()) {
        None => Some(p),
        Some(why) => {
            eprintln!("litesh: not using the history file {}: {why}", p.display());
            None
        }
    }
}

/// `entry` with the user part of `s3://…@` URLs replaced by `[redacted]`.
pub fn redact(entry: &str) -> Cow<'_, str> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"(?i)\b(s3://)[^/\s@'\x22]+@").expect("valid pattern"))
        .replace_all(entry, "${1}[redacted]@")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn own_files_and_links_are_used() {
        let d = tempfile::tempdir().unwrap();
        let me = nix::unistd::geteuid().as_raw();
        let f = d.path().join("hist");
        assert_eq!(refusal(&f, me), None, "missing");
        std::fs::write(&f, b"").unwrap();
        assert_eq!(refusal(&f, me), None);
        let l = d.path().join("link");
        symlink(&f, &l).unwrap();
        assert_eq!(refusal(&l, me), None);
        let dangling = d.path().join("dangling");
        symlink(d.path().join("new"), &dangling).unwrap();
        assert_eq!(refusal(&dangling, me), None);
    }

    #[test]
    fn files_and_links_of_another_user_are_refused() {
        // Seen as another user (uid + 1), everything here belongs to someone else.
        let d = tempfile::tempdir().unwrap();
        let other = nix::unistd::geteuid().as_raw() + 1;
        let f = d.path().join("hist");
        std::fs::write(&f, b"").unwrap();
        assert!(refusal(&f, other).unwrap().contains("owned by uid"));
        let l = d.path().join("link");
        symlink(&f, &l).unwrap();
        assert!(refusal(&l, other).unwrap().contains("symbolic link"));
        assert!(refusal(d.path(), nix::unistd::geteuid().as_raw())
            .unwrap()
            .contains("not a regular file"));
    }

    #[test]
    fn credentials_in_s3_urls_are_not_kept() {
        assert_eq!(
            redact(".snapshot list s3://AKID:SECRET@bucket/repo"),
            ".snapshot list s3://[redacted]@bucket/repo"
        );
        assert_eq!(
            redact(".snapshot create 'S3://key@b' --tag x"),
            ".snapshot create 'S3://[redacted]@b' --tag x"
        );
        let plain = "SELECT 'a@b', 's3://bucket/x@y';";
        assert!(matches!(redact(plain), Cow::Borrowed(_)));
    }
}
