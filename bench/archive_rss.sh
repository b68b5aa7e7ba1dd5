#!/usr/bin/env bash
# archive_rss.sh — peak memory of `.archive` on large files, litesh vs sqlite3.
#
# What it does:
#   1. Writes two files of SIZE_MB each (default 20) into a temp directory: one that does
#      not compress (random bytes) and one that does (repeated text).
#   2. For each program, under `/usr/bin/time -v`: creates an SQL archive of them
#      (`.ar -c`), extracts it (`.ar -x -C`), creates a ZIP file (`.ar -cf x.zip`) and
#      extracts that; prints each step's peak RSS ("Maximum resident set size") next to the
#      program's RSS for `SELECT 1`, and checks that every extracted file equals its source.
#      Exits 1 when one does not.
#
# Usage:   bench/archive_rss.sh
# Env:     SIZE_MB=n      size of each file (default 20)
#          SQLITE3=path   reference shell (default /usr/bin/sqlite3)
#          LITESH=path    litesh binary (default target/release/litesh)
#
# Needs /usr/bin/time (GNU time: `apt-get install -y time`) and cargo for the release build
# (built with `cargo build --release` only when target/release/litesh is missing).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SQLITE3=${SQLITE3:-/usr/bin/sqlite3}
LITESH=${LITESH:-$REPO/target/release/litesh}
SIZE_MB=${SIZE_MB:-20}

if [[ ! -x /usr/bin/time ]]; then
    echo "/usr/bin/time is missing: apt-get install -y time" >&2
    exit 1
fi
if [[ ! -x $LITESH ]]; then
    (cd "$REPO" && cargo build --release)
fi

WORK=$(mktemp -d /tmp/litesh-archive-rss.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src/big"
head -c $((SIZE_MB << 20)) /dev/urandom > "$WORK/src/big/noise.bin"
# `yes` ends on SIGPIPE when `head` has enough.
(yes 'a line of text that compresses well' || true) | head -c $((SIZE_MB << 20)) > "$WORK/src/big/text.txt"

peak() { # prints the peak RSS in KiB of the command
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

status=0
printf '%-8s %10s %10s %10s %10s %10s\n' program base sqlar-c sqlar-x zip-c zip-x
for prog in "$SQLITE3" "$LITESH"; do
    d="$WORK/$(basename "$prog")"
    rm -rf "$d"
    cp -r "$WORK/src" "$d"
    cd "$d"
    base=$(peak "$prog" :memory: "SELECT 1")
    c=$(peak "$prog" a.db ".ar -c big")
    x=$(peak "$prog" a.db ".ar -x -C out")
    zc=$(peak "$prog" :memory: ".ar -cf x.zip big")
    zx=$(peak "$prog" :memory: ".ar -xf x.zip -C zout")
    printf '%-8s %10s %10s %10s %10s %10s\n' "$(basename "$prog")" "$base" "$c" "$x" "$zc" "$zx"
    for f in noise.bin text.txt; do
        cmp -s "big/$f" "out/big/$f" || { echo "$prog: out/big/$f differs" >&2; status=1; }
        cmp -s "big/$f" "zout/big/$f" || { echo "$prog: zout/big/$f differs" >&2; status=1; }
    done
done
echo "(peak RSS in KiB; 'base' is the program running SELECT 1)"
exit $status
