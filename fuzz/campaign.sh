#!/usr/bin/env bash
# campaign.sh: runs the fuzz targets one after the other at the lowest priority, each until
# it reaches RUNS executions or its time cap, then minimises its corpus (cargo fuzz cmin); prints one summary
# line per target (executions, seconds, corpus files, crashes). Logs go to $LOGDIR.
#
# Usage:   fuzz/campaign.sh [TARGET[:SECONDS] ...]
#          (default: every target with the caps below; RUNS=10000000)
# Needs:   the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Crashes: fuzz/artifacts/<target>/crash-*; replay one with
#          `cargo +nightly fuzz run -s none -a <target> fuzz/artifacts/<target>/crash-…`.
set -uo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
LOGDIR=${LOGDIR:-/tmp/litesh-fuzz-logs}
mkdir -p "$LOGDIR"
# Seconds each target may take at most, and its largest input.
declare -A CAP=([manifest]=300 [dotargs]=300 [hexdb]=300 [highlight]=360 [dump_insert]=360 [import]=480
  [cli]=480 [complete]=480 [split]=1200 [zipfile]=600 [recover]=600 [roundtrip]=900)
declare -A MAXLEN=([recover]=65536 [zipfile]=16384)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(manifest dotargs hexdb highlight dump_insert import cli complete split zipfile recover roundtrip)
for spec in "${targets[@]}"; do
  t=${spec%%:*}
  secs=${CAP[$t]}
  [ "$spec" != "$t" ] && secs=${spec#*:}
  mkdir -p "corpus/$t"
  log="$LOGDIR/$t.log"
  start=$(date +%s)
  nice -n 19 cargo +nightly fuzz run -s none -a "$t" "corpus/$t" -- \
    -runs="$RUNS" -max_total_time="$secs" -max_len="${MAXLEN[$t]:-4096}" -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=3 > "$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  # Minimise the corpus: keep only the inputs that add coverage (the test suite replays them).
  before=$(ls "corpus/$t" | wc -l)
  nice -n 19 cargo +nightly fuzz cmin -s none -a "$t" "corpus/$t" -- -max_len="${MAXLEN[$t]:-4096}" \
    -timeout=20 -rss_limit_mb=2048 > "$LOGDIR/$t.cmin.log" 2>&1 || echo "$t: cmin failed, see $LOGDIR/$t.cmin.log"
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
  crashes=$(ls "artifacts/$t" 2>/dev/null | wc -l)
  echo "$t execs=${execs:-?} secs=$took exit=$rc corpus=$before→$(ls "corpus/$t" | wc -l) crashes=$crashes"
done
