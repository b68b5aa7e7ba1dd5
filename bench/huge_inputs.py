#!/usr/bin/env python3
"""huge_inputs.py: huge and hostile inputs, litesh against sqlite3 3.40.1 (issue 9, bad input).

Each case runs the same input through /usr/bin/sqlite3 and litesh (target/release/litesh by
default) under /usr/bin/time, and compares stdout bytes, stderr text and the exit code; the
peak RSS of each program is recorded. A case passes when all three match, or, for cases
where litesh deliberately differs (docs/compat.md), when litesh gives its documented clear
error; never a panic, a signal or a hang (each run has a time limit).

Cases:
  string_100mb      an INSERT holding a 100 MB string literal (stdin), then its length
  literals_100mb    a 100 MB statement made of many small literals (a VALUES list)
  line_100mb        a 100 MB line without any newline (one SELECT of a long literal)
  import_1gb        `.import --csv` of 1 GB of CSV generated on the fly through a FIFO:
                    row count and peak RSS (which must stay flat, far below the input)
  no_newline_*      a last line without a newline: on stdin, in a `.read` file, in -init
  nul_*             NUL bytes in input lines and in `.import` data
  utf8_*            invalid UTF-8 in SQL, in values, and in the file names of .open,
                    .output, .import, .read and .backup
  columns_*         a 10,000-column result in every output mode (sqlite3 3.40.1 stops at
                    SQLITE_MAX_COLUMN = 2000: the same error), and 2000 columns in every mode
  nested_read       .read nested deeper than 25 levels (sqlite3's limit and message)

Usage:   bench/huge_inputs.py [CASE-PREFIX ...]      (no argument: every case)
Env:     LITESH=path (default target/release/litesh), SQLITE3=path (default /usr/bin/sqlite3),
         BENCH_DIR=dir for the generated files (default: a temp dir, removed afterwards;
         needs about 1.5 GB free), IMPORT_GB=n (size of the import case, default 1).
Prints one Markdown table row per case; exits 1 when a case fails.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LITESH = os.environ.get("LITESH", os.path.join(REPO, "target/release/litesh"))
SQLITE3 = os.environ.get("SQLITE3", "/usr/bin/sqlite3")
MB = 1 << 20
TIMEOUT = 900

MODES = ["ascii", "box", "column", "csv", "html", "insert", "json", "line", "list",
         "markdown", "qbox", "quote", "table", "tabs", "tcl"]


class Run:
    """One program's outcome."""

    def __init__(self, out, err, code, rss_kb, secs):
        self.out, self.err, self.code, self.rss_kb, self.secs = out, err, code, rss_kb, secs


def run(program, args, stdin=b"", cwd=None, stdin_file=None):
    """Runs `program args` under /usr/bin/time; stdin from bytes or a file."""
    with tempfile.NamedTemporaryFile() as t:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", t.name, program] + args
        t0 = time.monotonic()
        if stdin_file is not None:
            with open(stdin_file, "rb") as f:
                p = subprocess.run(cmd, stdin=f, capture_output=True, cwd=cwd, timeout=TIMEOUT)
        else:
            p = subprocess.run(cmd, input=stdin, capture_output=True, cwd=cwd, timeout=TIMEOUT)
        secs = time.monotonic() - t0
        text = open(t.name).read().strip().splitlines()
        rss = int(text[-1]) if text and text[-1].isdigit() else -1
        err = p.stderr
        # time(1) reports a signal on stderr: keep it, a signal is a failure to show.
        return Run(p.stdout, err, p.returncode, rss, secs)


def short(b, n=70):
    s = b.decode("utf-8", "replace").replace("\n", "⏎")
    return s if len(s) <= n else s[:n] + "…"


ROWS = []
FAILED = []


def report(name, what, a, b, ok, note=""):
    """One table row: sqlite3 outcome, litesh outcome, RSS, verdict."""
    def outcome(r):
        return f"exit {r.code}, {r.secs:.1f} s, {r.rss_kb / 1024:.0f} MB"
    verdict = "same" if ok else "DIFFERS"
    if note:
        verdict += f" ({note})"
    ROWS.append(f"| {name} | {what} | {outcome(a)} | {outcome(b)} | {verdict} |")
    print(ROWS[-1], flush=True)
    if not ok:
        FAILED.append(name)
        for label, r in (("sqlite3", a), ("litesh", b)):
            print(f"    {label}: stdout {short(r.out)!r} stderr {short(r.err)!r}", flush=True)


def compare(name, what, args, stdin=b"", cwd=None, stdin_file=None, out_check=None):
    a = run(SQLITE3, args, stdin, cwd, stdin_file)
    b = run(LITESH, args, stdin, cwd, stdin_file)
    # Messages name the program as argv[0]; compare with that taken out.
    ea = a.err.replace(SQLITE3.encode(), b"PROG")
    eb = b.err.replace(LITESH.encode(), b"PROG")
    ok = a.out == b.out and ea == eb and a.code == b.code and b.code < 128
    if out_check is not None:
        ok = ok and out_check(a) and out_check(b)
    report(name, what, a, b, ok)
    return a, b


def gen(path, parts):
    """Writes an iterable of byte strings to `path`."""
    with open(path, "wb") as f:
        for p in parts:
            f.write(p)


def case_string(d):
    p = os.path.join(d, "string.sql")
    gen(p, [b"CREATE TABLE t(x);\nINSERT INTO t VALUES('", b"a" * (100 * MB), b"');\n",
            b"SELECT length(x), substr(x, 1, 3) FROM t;\n"])
    compare("string_100mb", "INSERT with a 100 MB string literal", [":memory:"], stdin_file=p)


def case_literals(d):
    p = os.path.join(d, "literals.sql")
    n = 0
    with open(p, "wb") as f:
        f.write(b"CREATE TABLE t(x);\nINSERT INTO t VALUES(0)")
        size = 0
        chunk = []
        while size < 100 * MB:
            n += 1
            s = b",(%d)" % n
            chunk.append(s)
            size += len(s)
            if len(chunk) == 100000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
        f.write(b";\nSELECT count(*), sum(x) FROM t;\n")
    compare("literals_100mb", f"one 100 MB INSERT of {n + 1:,} one-value rows",
            [":memory:"], stdin_file=p)


def case_line(d):
    p = os.path.join(d, "line.sql")
    gen(p, [b"SELECT length('", b"b" * (100 * MB), b"') AS n;"])
    compare("line_100mb", "a 100 MB line, no newline at all", [":memory:"], stdin_file=p)


def case_import(d):
    gb = float(os.environ.get("IMPORT_GB", "1"))
    target = int(gb * 1024 * MB)
    row = b'%d,"text with, a comma",3.25,' + b"x" * 60 + b"\n"
    rows = target // (len(row % 1000000))

    def feed(fifo):
        with open(fifo, "wb") as f:
            buf = []
            for i in range(rows):
                buf.append(row % (1000000 + i % 1000000))
                if len(buf) == 20000:
                    f.write(b"".join(buf))
                    buf = []
            f.write(b"".join(buf))

    results = []
    for prog in (SQLITE3, LITESH):
        fifo = os.path.join(d, "import.fifo")
        if os.path.exists(fifo):
            os.remove(fifo)
        os.mkfifo(fifo)
        db = os.path.join(d, "import.db")
        if os.path.exists(db):
            os.remove(db)
        t = threading.Thread(target=feed, args=(fifo,))
        t.start()
        r = run(prog, [db, "PRAGMA journal_mode=OFF;", "PRAGMA synchronous=OFF;",
                       "CREATE TABLE t(a INT, b TEXT, c REAL, d TEXT);",
                       f".import --csv {fifo} t", "SELECT count(*), sum(a) FROM t;"])
        t.join()
        results.append(r)
        os.remove(db)
    a, b = results
    ok = a.out == b.out and a.err == b.err and a.code == b.code and a.out.endswith(b"\n%d|" % rows + str(sum(1000000 + i % 1000000 for i in range(rows))).encode() + b"\n")
    flat = b.rss_kb < 200 * 1024
    report("import_1gb", f".import of {gb:g} GB of CSV ({rows:,} rows) through a FIFO", a, b,
           ok and flat, "" if flat else "RSS not flat")


def case_no_newline(d):
    compare("no_newline_stdin", "last stdin line `SELECT 1` without newline or `;`",
            [":memory:"], stdin=b"SELECT 1;\nSELECT 2")
    compare("no_newline_stdin_dot", "last stdin line a dot-command without newline",
            [":memory:"], stdin=b"SELECT 1;\n.print end")
    with open(os.path.join(d, "nonl.sql"), "wb") as f:
        f.write(b"SELECT 'read';\nSELECT 'last'")
    compare("no_newline_read", "`.read` of a file whose last line has no newline",
            [":memory:"], stdin=b".read nonl.sql\nSELECT 'after';\n", cwd=d)
    with open(os.path.join(d, "init.sql"), "wb") as f:
        f.write(b".mode csv\nSELECT 'init', 1")
    compare("no_newline_init", "`-init` file whose last line has no newline",
            ["-init", "init.sql", ":memory:"], stdin=b"SELECT 2, 3;\n", cwd=d)


def case_nul(d):
    compare("nul_sql_line", "NUL bytes inside SQL lines (stdin)", [":memory:"],
            stdin=b"SELECT 'a\x00b';\nSELECT 1;\x00 SELECT 2;\nSELECT 3;\n")
    compare("nul_dot_line", "NUL byte inside a dot-command line", [":memory:"],
            stdin=b".print a\x00b\n.mode csv\x00 junk\nSELECT 1, 2;\n")
    with open(os.path.join(d, "nul.csv"), "wb") as f:
        f.write(b"a,b\n1,x\x00y\n2,\"q\x00\"\n\x00,3\n")
    compare("nul_import", "`.import` of CSV data holding NUL bytes",
            [":memory:", ".import --csv nul.csv t", "SELECT a, hex(b), length(b) FROM t;"],
            cwd=d)


def case_utf8(d):
    compare("utf8_sql", "invalid UTF-8 in SQL text and identifiers", [":memory:"],
            stdin=b"CREATE TABLE \"t\xff\"(\"c\xfe\");\nINSERT INTO \"t\xff\" VALUES('\xc3\x28');\n"
                  b"SELECT hex(\"c\xfe\"), typeof(\"c\xfe\") FROM \"t\xff\";\n.schema\n")
    compare("utf8_values", "invalid UTF-8 in values, every mode", [":memory:"],
            stdin=b"".join(b".mode %s\nSELECT CAST(x'ff41c328' AS TEXT) AS \"h\xff\", x'80';\n"
                           % m.encode() for m in MODES))
    name = b"f\xff\xfe"
    for what, script in [
        ("open", b".open " + name + b".db\nCREATE TABLE t(x);\n.tables\n"),
        ("output", b".output " + name + b".txt\nSELECT 42;\n.output stdout\n"),
        ("import", b".import " + name + b".csv t\nSELECT * FROM t;\n"),
        ("read", b".read " + name + b".sql\n"),
        ("backup", b"CREATE TABLE t(x);\n.backup " + name + b".bak\n"),
    ]:
        sub_results = []
        for prog in (SQLITE3, LITESH):
            sub = os.path.join(d, "utf8-" + what + "-" + os.path.basename(prog))
            os.mkdir(sub)
            with open(os.path.join(sub.encode(), name + b".csv"), "wb") as f:
                f.write(b"a\n1\n")
            with open(os.path.join(sub.encode(), name + b".sql"), "wb") as f:
                f.write(b"SELECT 'from a file';\n")
            r = run(prog, [":memory:"], stdin=script, cwd=sub)
            files = sorted(os.listdir(sub.encode()))
            r.files = files
            sub_results.append(r)
        a, b = sub_results
        ok = a.out == b.out and a.err == b.err and a.code == b.code and a.files == b.files
        report(f"utf8_name_{what}", f"invalid UTF-8 in a `.{what}` file name", a, b, ok)


def case_columns(d):
    for n in (10000, 2000):
        select = b"SELECT " + b",".join(b"%d" % i for i in range(n)) + b";\n"
        script = b"".join(b".mode %s\n" % m.encode() + select for m in MODES)
        compare(f"columns_{n}", f"a {n:,}-column result in each of the {len(MODES)} modes",
                [":memory:"], stdin=script)
    # A table of 2000 columns (the limit) and one of 2001 (refused).
    for n in (2000, 2001):
        cols = b",".join(b"c%d" % i for i in range(n))
        compare(f"columns_table_{n}", f"CREATE TABLE with {n:,} columns", [":memory:"],
                stdin=b"CREATE TABLE t(" + cols + b");\nSELECT count(*) FROM pragma_table_info('t');\n")


def case_nested(d):
    with open(os.path.join(d, "self.sql"), "wb") as f:
        f.write(b"SELECT 'level';\n.read self.sql\n")
    compare("nested_read", "`.read` of a file that reads itself (depth limit 25)",
            [":memory:"], stdin=b".read self.sql\nSELECT 'after';\n", cwd=d)


CASES = [
    ("no_newline", case_no_newline),
    ("nul", case_nul),
    ("utf8", case_utf8),
    ("nested_read", case_nested),
    ("columns", case_columns),
    ("string_100mb", case_string),
    ("line_100mb", case_line),
    ("literals_100mb", case_literals),
    ("import_1gb", case_import),
]


def main():
    if not shutil.which("/usr/bin/time"):
        sys.exit("/usr/bin/time is missing: apt-get install -y time")
    if not os.access(LITESH, os.X_OK):
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    wanted = sys.argv[1:]
    d = os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="litesh-huge-")
    os.makedirs(d, exist_ok=True)
    print("| case | input | sqlite3 3.40.1 | litesh | outcome |")
    print("|---|---|---|---|---|")
    try:
        for name, f in CASES:
            if not wanted or any(name.startswith(w) or w.startswith(name) for w in wanted):
                f(d)
    finally:
        if not os.environ.get("BENCH_DIR"):
            shutil.rmtree(d, ignore_errors=True)
    if FAILED:
        print("failed:", " ".join(FAILED))
        sys.exit(1)


if __name__ == "__main__":
    main()
