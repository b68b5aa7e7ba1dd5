#!/usr/bin/env bash
# dump_rss.sh — peak memory and wall time of `.dump` on a large database, litesh vs sqlite3.
#
# What it does:
#   1. Generates a ~1 GB SQLite database with /usr/bin/sqlite3 (generate_series; about
#      10 s on 2 cores) holding several tables of mixed types: short, medium and long text
#      (some with quotes, newlines and CRs, so the dump has to escape them), blobs of
#      various sizes, reals (including non-round ones, whole ones and infinities), integers
#      of every width, NULLs, a WITHOUT ROWID table, an index and a view.
#   2. Runs `target/release/litesh DB .dump > /dev/null` and `sqlite3 DB .dump > /dev/null`
#      under `/usr/bin/time -v` and prints each one's peak RSS ("Maximum resident set
#      size") and wall time, plus the size of each dump (`| wc -c`, a separate run).
#   3. Checks that `litesh DB .dump | head -1` finishes quickly and silently once its
#      reader goes away: nothing on stderr, exit status 0 (docs/compat.md), within 30 s.
#      The script exits 1 when that check fails.
#
# Usage:   bench/dump_rss.sh            (from anywhere; paths are relative to the repo)
# Env:     BENCH_DIR=dir   where to put the database (default: a new temp dir under /tmp;
#                          needs ~1 GB free; the dumps themselves go to /dev/null)
#          KEEP=1          keep the database afterwards (and reuse an existing one with
#                          the same name on the next run instead of generating it again)
#          SCALE=n         multiply the row counts (default 1 ≈ 1 GB; SCALE=0.1 for a smoke test)
#          SQLITE3=path    reference shell (default /usr/bin/sqlite3)
#          LITESH=path     litesh binary (default target/release/litesh)
#
# Needs /usr/bin/time (GNU time: `apt-get install -y time`) and cargo for the release build
# (built with `cargo build --release` only when target/release/litesh is missing).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SQLITE3=${SQLITE3:-/usr/bin/sqlite3}
LITESH=${LITESH:-$REPO/target/release/litesh}
SCALE=${SCALE:-1}
KEEP=${KEEP:-0}

if [[ ! -x /usr/bin/time ]]; then
    echo "/usr/bin/time is missing: apt-get install -y time" >&2
    exit 1
fi
if [[ ! -x $LITESH ]]; then
    echo "== building litesh (release)"
    (cd "$REPO" && cargo build --release)
fi

if [[ -n ${BENCH_DIR:-} ]]; then
    mkdir -p "$BENCH_DIR"
    DIR=$BENCH_DIR
    OWN_DIR=0
else
    DIR=$(mktemp -d /tmp/litesh-bench.XXXXXX)
    OWN_DIR=1
fi
DB=$DIR/bench.db
cleanup() {
    if [[ $KEEP == 1 ]]; then
        echo "== kept $DB"
    else
        rm -f "$DB" "$DB-journal" "$DIR"/time.*.txt "$DIR"/head.stderr "$DIR"/head.stdout
        [[ $OWN_DIR == 1 ]] && rmdir "$DIR" 2>/dev/null || true
    fi
}
trap cleanup EXIT

rows() { awk -v n="$1" -v s="$SCALE" 'BEGIN { printf "%d", n * s }'; }

if [[ $KEEP == 1 && -s $DB ]]; then
    echo "== reusing $DB"
else
    rm -f "$DB"
    echo "== generating $DB (SCALE=$SCALE)"
    start=$(date +%s.%N)
    "$SQLITE3" "$DB" <<SQL
PRAGMA synchronous=OFF;
.output /dev/null
PRAGMA journal_mode=OFF;
.output stdout
PRAGMA cache_size=-200000;
PRAGMA page_size=4096;

-- ~2M narrow rows: integers of every width, reals, short text, some NULLs.
CREATE TABLE narrow(id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, n NUMERIC, x);
INSERT INTO narrow(i, r, s, n, x)
SELECT
  CASE value % 4 WHEN 0 THEN value WHEN 1 THEN -value * 1000003
                 WHEN 2 THEN random() ELSE value % 128 END,
  CASE value % 5 WHEN 0 THEN value / 7.0 WHEN 1 THEN random() / 3.0
                 WHEN 2 THEN value * 1.0 WHEN 3 THEN 1e300 * (value % 3 - 1) * 1e10
                 ELSE 1.0 / (value + 0.5) END,
  printf('name-%d-%s', value, substr('abcdefghijklmnopqrstuvwxyz', 1 + value % 26)),
  CASE WHEN value % 3 = 0 THEN NULL ELSE value * 0.25 END,
  CASE value % 6 WHEN 0 THEN NULL WHEN 1 THEN value WHEN 2 THEN value + 0.5
                 WHEN 3 THEN 'x' || value WHEN 4 THEN randomblob(4) ELSE -value END
FROM generate_series(1, $(rows 2000000));

-- ~300k rows of medium text (20..2000 chars), with quotes, newlines and CRs here and there.
CREATE TABLE docs(id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, body TEXT, score REAL);
INSERT INTO docs(title, body, score)
SELECT
  printf('Doc %d: it''s "quoted"', value),
  CASE value % 4
    WHEN 0 THEN hex(randomblob(10 + value % 990))
    WHEN 1 THEN replace(hex(randomblob(10 + value % 990)), 'A', char(10))
    WHEN 2 THEN replace(replace(hex(randomblob(10 + value % 990)), 'B', char(13)), 'C', '''')
    ELSE printf('%.*c', 20 + value % 1980, 'z')
  END,
  random() / 9007199254740993.0
FROM generate_series(1, $(rows 300000));

-- ~90k blobs of 0..~6 KB.
CREATE TABLE files(path TEXT PRIMARY KEY, size INTEGER, data BLOB) WITHOUT ROWID;
INSERT INTO files
SELECT printf('/data/%08d.bin', value), (value * 37) % 6000, randomblob((value * 37) % 6000)
FROM generate_series(1, $(rows 90000));

-- ~2k long texts of ~100 KB each, some blobs of ~256 KB.
CREATE TABLE big(id INTEGER PRIMARY KEY, t TEXT, b BLOB);
INSERT INTO big
SELECT value, hex(randomblob(50000 + value % 1000)),
       CASE WHEN value % 4 = 0 THEN zeroblob(262144) ELSE NULL END
FROM generate_series(1, $(rows 2000));

CREATE INDEX docs_score ON docs(score);
CREATE VIEW doc_titles AS SELECT id, title FROM docs;
SELECT '   database size: ' || (page_count * page_size / 1048576) || ' MiB'
FROM pragma_page_count, pragma_page_size;
SQL
    end=$(date +%s.%N)
    echo "   generated in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
fi
ls -l "$DB"

# measure NAME PROGRAM: runs PROGRAM DB .dump > /dev/null under /usr/bin/time -v.
measure() {
    local name=$1 prog=$2 out=$DIR/time.$1.txt
    /usr/bin/time -v -o "$out" "$prog" "$DB" .dump > /dev/null
    local rss wall
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$out")
    local status
    status=$(awk -F': ' '/Exit status/ { print $2 }' "$out")
    printf '%-8s peak RSS %8d KiB (%6.1f MiB)   wall %s   exit %s\n' \
        "$name" "$rss" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$wall" "$status"
}

echo "== warming the page cache"
cat "$DB" > /dev/null

echo "== .dump > /dev/null under /usr/bin/time -v"
measure litesh "$LITESH"
measure sqlite3 "$SQLITE3"

echo "== dump sizes (| wc -c)"
lsize=$("$LITESH" "$DB" .dump | wc -c)
ssize=$("$SQLITE3" "$DB" .dump | wc -c)
printf 'litesh   %d bytes (%.1f MiB)\n' "$lsize" "$(awk -v b="$lsize" 'BEGIN { print b / 1048576 }')"
printf 'sqlite3  %d bytes (%.1f MiB)\n' "$ssize" "$(awk -v b="$ssize" 'BEGIN { print b / 1048576 }')"

echo "== litesh DB .dump | head -1"
start=$(date +%s.%N)
set +e
timeout 30 "$LITESH" "$DB" .dump 2> "$DIR/head.stderr" | head -1 > "$DIR/head.stdout"
codes=("${PIPESTATUS[@]}")
set -e
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
echo "first line: $(cat "$DIR/head.stdout")"
echo "litesh exit status ${codes[0]} (141 = SIGPIPE, 124 = timed out), ${secs} s"
set +e
"$SQLITE3" "$DB" .dump 2> /dev/null | head -1 > /dev/null
scodes=("${PIPESTATUS[@]}")
set -e
echo "(for comparison, sqlite3 exit status ${scodes[0]})"
if [[ -s $DIR/head.stderr ]]; then
    echo "FAIL: litesh wrote to stderr:"
    head -c 2000 "$DIR/head.stderr"
    exit 1
elif [[ ${codes[0]} == 124 ]]; then
    echo "FAIL: litesh kept running after head exited"
    exit 1
elif [[ ${codes[0]} != 0 ]]; then
    echo "FAIL: no stderr, but exit status ${codes[0]}: docs/compat.md promises exit 0 on a broken pipe"
    exit 1
else
    echo "OK: quiet, no stderr, exit 0"
fi
