//! `.stats`: sqlite3 3.40.1's `display_stats()` — the statement's columns (`.stats stmt`),
//! the library's memory statistics, the connection's page-cache and heap figures, the
//! statement's counters and, on Linux, the process's I/O counters from `/proc/PID/io`.
//!
//! The labels and layout are 3.40.1's; the numbers come from the embedded (newer) library
//! and from the process, so they differ from sqlite3's run to run (docs/compat.md).

use std::io::{self, Write};

use rusqlite::ffi;
use rusqlite::Connection;

use super::hooks::StatsMode;
use super::raw::{self, Stmt};

/// A `%-36s %s` line.
fn line(buf: &mut Vec<u8>, label: &[u8], value: &[u8]) {
    buf.extend_from_slice(label);
    buf.extend(std::iter::repeat_n(
        b' ',
        36usize.saturating_sub(label.len()),
    ));
    buf.push(b' ');
    buf.extend_from_slice(value);
    buf.push(b'\n');
}

/// A C `%s` of a string that may be NULL (glibc prints `(null)`).
fn or_null(v: Option<Vec<u8>>) -> Vec<u8> {
    v.map_or_else(
        || b"(null)".to_vec(),
        |mut s| {
            if let Some(i) = s.iter().position(|&c| c == 0) {
                s.truncate(i);
            }
            s
        },
    )
}

/// sqlite3's `displayStatLine()`: a process-wide statistic, with its high-water mark when
/// the format has two numbers, or only the high-water mark.
fn status_line(buf: &mut Vec<u8>, label: &str, op: i32, both: bool, unit: &str) {
    let (cur, hi) = raw::status64(op, false);
    let value = if both {
        format!("{cur} (max {hi}){unit}")
    } else {
        format!("{hi}{unit}")
    };
    line(buf, label.as_bytes(), value.as_bytes());
}

/// sqlite3's `displayLinuxIoStats()`: the lines of `/proc/PID/io` it knows, relabelled.
fn linux_io(buf: &mut Vec<u8>) {
    const LABELS: [(&str, &str); 7] = [
        ("rchar: ", "Bytes received by read():"),
        ("wchar: ", "Bytes sent to write():"),
        ("syscr: ", "Read() system calls:"),
        ("syscw: ", "Write() system calls:"),
        ("read_bytes: ", "Bytes read from storage:"),
        ("write_bytes: ", "Bytes written to storage:"),
        ("cancelled_write_bytes: ", "Cancelled write bytes:"),
    ];
    let path = format!("/proc/{}/io", std::process::id());
    let Ok(text) = std::fs::read(path) else {
        return;
    };
    for l in text.split_inclusive(|&c| c == b'\n') {
        if let Some((pat, label)) = LABELS.iter().find(|(p, _)| l.starts_with(p.as_bytes())) {
            buf.extend_from_slice(label.as_bytes());
            buf.extend(std::iter::repeat_n(b' ', 36 - label.len()));
            buf.push(b' ');
            buf.extend_from_slice(&l[pat.len()..]);
        }
    }
}

/// Writes what sqlite3's `display_stats(db, p, 0)` writes for this `.stats` mode, `db`
/// being the connection (if open) and `stmt` the statement just run (if any).
pub fn display(
    conn: Option<&Connection>,
    stmt: Option<&Stmt<'_>>,
    mode: StatsMode,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(2048);
    if let (Some(s), StatsMode::Stmt) = (stmt, mode) {
        let n = s.column_count();
        line(
            &mut buf,
            b"Number of output columns:",
            n.to_string().as_bytes(),
        );
        for i in 0..n {
            let label = |what: &str| format!("Column {i} {what}:").into_bytes();
            line(&mut buf, &label("name"), &or_null(Some(s.column_name(i))));
            line(
                &mut buf,
                &label("declared type"),
                &or_null(s.column_decltype(i)),
            );
            let [db, table, origin] = s.column_origin(i);
            line(&mut buf, &label("database name"), &or_null(db));
            line(&mut buf, &label("table name"), &or_null(table));
            line(&mut buf, &label("origin name"), &or_null(origin));
        }
    }
    if mode == StatsMode::VmStep {
        if let Some(s) = stmt {
            let steps = s.status(ffi::SQLITE_STMTSTATUS_VM_STEP, false);
            buf.extend_from_slice(format!("VM-steps: {steps}\n").as_bytes());
        }
        return out.write_all(&buf);
    }
    status_line(
        &mut buf,
        "Memory Used:",
        ffi::SQLITE_STATUS_MEMORY_USED,
        true,
        " bytes",
    );
    status_line(
        &mut buf,
        "Number of Outstanding Allocations:",
        ffi::SQLITE_STATUS_MALLOC_COUNT,
        true,
        "",
    );
    status_line(
        &mut buf,
        "Number of Pcache Overflow Bytes:",
        ffi::SQLITE_STATUS_PAGECACHE_OVERFLOW,
        true,
        " bytes",
    );
    status_line(
        &mut buf,
        "Largest Allocation:",
        ffi::SQLITE_STATUS_MALLOC_SIZE,
        false,
        " bytes",
    );
    status_line(
        &mut buf,
        "Largest Pcache Allocation:",
        ffi::SQLITE_STATUS_PAGECACHE_SIZE,
        false,
        " bytes",
    );
    if let Some(c) = conn {
        // sqlite3 starts with SHFLG_Lookaside set, so these four lines are always there.
        let (cur, hi) = raw::db_status(c, ffi::SQLITE_DBSTATUS_LOOKASIDE_USED, false);
        line(
            &mut buf,
            b"Lookaside Slots Used:",
            format!("{cur} (max {hi})").as_bytes(),
        );
        for (label, op) in [
            (
                "Successful lookaside attempts:",
                ffi::SQLITE_DBSTATUS_LOOKASIDE_HIT,
            ),
            (
                "Lookaside failures due to size:",
                ffi::SQLITE_DBSTATUS_LOOKASIDE_MISS_SIZE,
            ),
            (
                "Lookaside failures due to OOM:",
                ffi::SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL,
            ),
        ] {
            let (_, hi) = raw::db_status(c, op, false);
            line(&mut buf, label.as_bytes(), hi.to_string().as_bytes());
        }
        let (cur, _) = raw::db_status(c, ffi::SQLITE_DBSTATUS_CACHE_USED, false);
        line(
            &mut buf,
            b"Pager Heap Usage:",
            format!("{cur} bytes").as_bytes(),
        );
        // sqlite3 resets the page-cache counters each time it shows them.
        for (label, op) in [
            ("Page cache hits:", ffi::SQLITE_DBSTATUS_CACHE_HIT),
            ("Page cache misses:", ffi::SQLITE_DBSTATUS_CACHE_MISS),
            ("Page cache writes:", ffi::SQLITE_DBSTATUS_CACHE_WRITE),
            ("Page cache spills:", ffi::SQLITE_DBSTATUS_CACHE_SPILL),
        ] {
            let (cur, _) = raw::db_status(c, op, true);
            line(&mut buf, label.as_bytes(), cur.to_string().as_bytes());
        }
        let (cur, _) = raw::db_status(c, ffi::SQLITE_DBSTATUS_SCHEMA_USED, false);
        line(
            &mut buf,
            b"Schema Heap Usage:",
            format!("{cur} bytes").as_bytes(),
        );
        let (cur, _) = raw::db_status(c, ffi::SQLITE_DBSTATUS_STMT_USED, false);
        line(
            &mut buf,
            b"Statement Heap/Lookaside Usage:",
            format!("{cur} bytes").as_bytes(),
        );
    }
    if let Some(s) = stmt {
        let st = |op| s.status(op, false);
        line(
            &mut buf,
            b"Fullscan Steps:",
            st(ffi::SQLITE_STMTSTATUS_FULLSCAN_STEP)
                .to_string()
                .as_bytes(),
        );
        line(
            &mut buf,
            b"Sort Operations:",
            st(ffi::SQLITE_STMTSTATUS_SORT).to_string().as_bytes(),
        );
        line(
            &mut buf,
            b"Autoindex Inserts:",
            st(ffi::SQLITE_STMTSTATUS_AUTOINDEX).to_string().as_bytes(),
        );
        let hit = st(ffi::SQLITE_STMTSTATUS_FILTER_HIT);
        let miss = st(ffi::SQLITE_STMTSTATUS_FILTER_MISS);
        if hit != 0 || miss != 0 {
            line(
                &mut buf,
                b"Bloom filter bypass taken:",
                format!("{hit}/{}", hit.wrapping_add(miss)).as_bytes(),
            );
        }
        for (label, op) in [
            ("Virtual Machine Steps:", ffi::SQLITE_STMTSTATUS_VM_STEP),
            ("Reprepare operations:", ffi::SQLITE_STMTSTATUS_REPREPARE),
            ("Number of times run:", ffi::SQLITE_STMTSTATUS_RUN),
            (
                "Memory used by prepared stmt:",
                ffi::SQLITE_STMTSTATUS_MEMUSED,
            ),
        ] {
            line(&mut buf, label.as_bytes(), st(op).to_string().as_bytes());
        }
    }
    if cfg!(target_os = "linux") {
        linux_io(&mut buf);
    }
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(conn: Option<&Connection>, mode: StatsMode) -> String {
        let mut out = Vec::new();
        display(conn, None, mode, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn labels_are_padded_to_36_columns() {
        let c = Connection::open_in_memory().unwrap();
        let s = text(Some(&c), StatsMode::On);
        let first = s.lines().next().unwrap();
        assert!(
            first.starts_with("Memory Used:                         "),
            "{s}"
        );
        assert!(first.ends_with(" bytes"), "{s}");
        assert!(
            s.contains("\nLookaside Slots Used:                0 (max 0)\n"),
            "{s}"
        );
        assert!(s.contains("\nPage cache spills:                   "), "{s}");
        assert!(
            !s.contains("Fullscan Steps:"),
            "no statement, no statement lines: {s}"
        );
    }

    #[test]
    fn vmstep_without_a_statement_shows_nothing() {
        assert_eq!(text(None, StatsMode::VmStep), "");
    }
}
