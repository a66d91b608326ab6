#!/usr/bin/env bash
# crash-bench.sh: machine-wide collection, timed. A 16-thread process holding 1 GiB of heap faults; we time
# from the fault to the moment the process is gone (the kernel holds it until the core_pattern handler is
# done, so this is "crash to finished dump"), with:
#   kernel core   core_pattern = a plain file, ulimit -c unlimited (the kernel writes the whole core)
#   wer mini      `wer localdumps enable`, DumpType 1
#   wer full      `wer localdumps enable`, DumpType 2
# and report the dump's size and the handler's peak memory (it logs its VmHWM). Needs root. Everything it
# changes (core_pattern, core_pipe_limit, /etc/openwer/localdumps.ini) is restored on exit.
#
#   bench/crash-bench.sh            REPEAT=3 by default; WER=/path/to/wer to measure another build
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out/crash
REPEAT=${REPEAT:-3}
HEAP_MIB=${HEAP_MIB:-1024}
WER=${WER:-$ROOT/artifacts/wer/wer}
die() { echo "crash-bench: error: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root: it changes kernel.core_pattern (and restores it)"
[ -x "$WER" ] || "$ROOT/scripts/publish" >/dev/null || die "publishing wer failed"
command -v cc >/dev/null || die "install gcc"

SAVED_PATTERN=$(cat /proc/sys/kernel/core_pattern)
SAVED_LIMIT=$(cat /proc/sys/kernel/core_pipe_limit)
SETTINGS=/etc/openwer/localdumps.ini
SAVED_SETTINGS=$(mktemp)
HAD_SETTINGS=0; [ -f "$SETTINGS" ] && { cp "$SETTINGS" "$SAVED_SETTINGS"; HAD_SETTINGS=1; }
restore() {
    "$WER" localdumps disable >/dev/null 2>&1 || true
    echo "$SAVED_PATTERN" > /proc/sys/kernel/core_pattern
    echo "$SAVED_LIMIT" > /proc/sys/kernel/core_pipe_limit
    if [ $HAD_SETTINGS = 1 ]; then cp "$SAVED_SETTINGS" "$SETTINGS"; else rm -f "$SETTINGS"; fi
    rm -f "$SAVED_SETTINGS"; rm -rf "$OUT/dumps" "$OUT/cores"
}
trap restore EXIT

mkdir -p "$OUT"
cc -O1 -g -pthread -o "$OUT/target" "$ROOT/tests/fixtures/native/target.c" -Wl,--no-as-needed -lm

# One crash: start the target, wait for READY, make it fault, time until it is reaped. Prints milliseconds.
crash_once() {
    local fifo=$OUT/in line t0 t1
    rm -f "$fifo"; mkfifo "$fifo"
    (ulimit -c unlimited; exec "$OUT/target" --threads 16 --heap-mib "$HEAP_MIB" <"$fifo" >"$OUT/target.out") &
    local pid=$!
    exec 3>"$fifo"
    until grep -q READY "$OUT/target.out" 2>/dev/null; do sleep 0.05; done
    t0=$(date +%s%N)
    echo fault >&3
    wait "$pid" 2>/dev/null || true
    t1=$(date +%s%N)
    exec 3>&-
    echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_case() { # label, setup function
    local label=$1 setup=$2 times=() size peak
    for _ in $(seq "$REPEAT"); do
        rm -rf "$OUT/dumps" "$OUT/cores"; mkdir -p "$OUT/dumps" "$OUT/cores"; sync
        $setup
        times+=("$(crash_once)")
        sleep 0.3
        size=$(find "$OUT/dumps" "$OUT/cores" -type f \( -name '*.dmp' -o -name 'core.*' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')
        peak=$( (tail -n1 /var/log/openwer.log 2>/dev/null || true) | sed -n 's/.*handler peak memory \([0-9]*\) kB.*/\1/p')
        [ "$setup" = kernel_core ] && peak=
    done
    local ms; ms=$(printf '%s\n' "${times[@]}" | median)
    printf '%-12s %10s ms %10.1f MiB %14s\n' "$label" "$ms" "$(awk -v s="${size:-0}" 'BEGIN{print s/1048576}')" "${peak:+$((peak / 1024)) MiB}"
    echo "$label $ms" >> "$OUT/results"
}

kernel_core() { "$WER" localdumps disable >/dev/null 2>&1 || true; echo "$OUT/cores/core.%p" > /proc/sys/kernel/core_pattern; }
wer_type() {
    mkdir -p /etc/openwer
    printf '[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder=%s\nDumpType=%s\n' "$OUT/dumps" "$1" > "$SETTINGS"
    chmod 644 "$SETTINGS"
    "$WER" localdumps enable >/dev/null
}
wer_mini() { wer_type 1; }
wer_full() { wer_type 2; }

rm -f "$OUT/results"
echo "crash to finished dump: 16 threads, $HEAP_MIB MiB heap, median of $REPEAT"
printf '%-12s %13s %14s %14s\n' case time size "handler peak"
run_case "kernel core" kernel_core
run_case "wer mini" wer_mini
run_case "wer full" wer_full
awk '{t[$1" "$2]=$3} END {
  printf "wer mini vs kernel core: %.2fx the time\n", t["wer mini"]/t["kernel core"];
  printf "wer full vs kernel core: %.2fx the time\n", t["wer full"]/t["kernel core"] }' "$OUT/results"
