//! Small readers shared by the options and the dot-commands: sqlite3's `integerValue()` and
//! the home directory as sqlite3 finds it.

use std::path::PathBuf;

/// The home directory as sqlite3 finds it: the password database first, then `$HOME`.
pub fn home_dir() -> Option<PathBuf> {
    if let Ok(Some(u)) = nix::unistd::User::from_uid(nix::unistd::getuid()) {
        return Some(u.dir);
    }
    std::env::var_os("HOME").map(PathBuf::from)
}

/// sqlite3's `integerValue()`: decimal or 0x hex, with an optional KiB/MiB/… suffix.
pub fn integer_value(v: &std::ffi::OsStr) -> i64 {
    integer_value_bytes(v.as_encoded_bytes())
}

/// [`integer_value`] on bytes.
pub fn integer_value_bytes(z: &[u8]) -> i64 {
    let mut i = 0;
    let mut neg = false;
    if z.first() == Some(&b'-') {
        neg = true;
        i = 1;
    } else if z.first() == Some(&b'+') {
        i = 1;
    }
    let mut v: i64 = 0;
    if z.get(i) == Some(&b'0') && matches!(z.get(i + 1), Some(b'x') | Some(b'X')) {
        i += 2;
        while let Some(d) = z.get(i).and_then(|c| (*c as char).to_digit(16)) {
            v = v.wrapping_mul(16).wrapping_add(d as i64);
            i += 1;
        }
    } else {
        while let Some(c) = z.get(i).filter(|c| c.is_ascii_digit()) {
            v = v.wrapping_mul(10).wrapping_add((c - b'0') as i64);
            i += 1;
        }
    }
    const SUFFIXES: &[(&str, i64)] = &[
        ("KiB", 1024),
        ("MiB", 1024 * 1024),
        ("GiB", 1024 * 1024 * 1024),
        ("KB", 1000),
        ("MB", 1_000_000),
        ("GB", 1_000_000_000),
        ("K", 1000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
    ];
    let rest = &z[i.min(z.len())..];
    for (s, m) in SUFFIXES {
        if rest.eq_ignore_ascii_case(s.as_bytes()) {
            v = v.wrapping_mul(*m);
            break;
        }
    }
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}
