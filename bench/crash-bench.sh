#!/usr/bin/env bash
# crash-bench.sh: machine-wide collection, timed. A 16-thread process holding 1 GiB of heap faults; we time
# from the fault to the moment the process is gone (the kernel holds it until the core_pattern handler is
# done, so this is "crash to finished dump"), with:
#   kernel core   core_pattern = a plain file, ulimit -c unlimited (the kernel writes the whole core)
#   pipe mini     `wer localdumps enable --mode pipe`, DumpType 1 (a handler process per crash)
#   pipe full     `wer localdumps enable --mode pipe`, DumpType 2
#   socket mini   `wer localdumps enable --mode socket`, DumpType 1 (the resident coredump service, Linux 6.17)
#   socket full   `wer localdumps enable --mode socket`, DumpType 2
# and report the dump's size and the handler's peak memory (it logs its VmHWM; the service's is its whole life's). Needs root. Everything it
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

# One crash of one case; its time, dump size and handler peak go to $OUT/samples.
run_once() { # label, setup function
    local label=$1 setup=$2 ms size peak
    rm -rf "$OUT/dumps" "$OUT/cores"; mkdir -p "$OUT/dumps" "$OUT/cores"; sync
    $setup
    ms=$(crash_once)
    sleep 0.3
    size=$(find "$OUT/dumps" "$OUT/cores" -type f \( -name '*.dmp' -o -name 'core.*' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    peak=$( (tail -n1 /var/log/openwer.log 2>/dev/null || true) | sed -n 's/.*handler peak memory \([0-9]*\) kB.*/\1/p')
    [ "$setup" = kernel_core ] && peak=
    printf '%s|%s|%s|%s\n' "$label" "$ms" "$size" "${peak:-}" >> "$OUT/samples"
}

# The cases are interleaved (each repeat runs every case once) so that the page cache and writeback left by one
# case's gigabyte do not fall on the next case alone.
report() { # label
    local label=$1 ms size peak
    ms=$(awk -F'|' -v l="$label" '$1 == l {print $2}' "$OUT/samples" | median)
    size=$(awk -F'|' -v l="$label" '$1 == l {s=$3} END {print s+0}' "$OUT/samples")
    peak=$(awk -F'|' -v l="$label" '$1 == l && $4 != "" {p=$4} END {print p}' "$OUT/samples")
    printf '%-12s %10s ms %10.1f MiB %14s\n' "$label" "$ms" "$(awk -v s="$size" 'BEGIN{print s/1048576}')" "${peak:+$((peak / 1024)) MiB}"
    echo "$label $ms" >> "$OUT/results"
}

kernel_core() { "$WER" localdumps disable >/dev/null 2>&1 || true; echo "$OUT/cores/core.%p" > /proc/sys/kernel/core_pattern; }
wer_type() {
    mkdir -p /etc/openwer
    printf '[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder=%s\nDumpType=%s\n' "$OUT/dumps" "$1" > "$SETTINGS"
    chmod 644 "$SETTINGS"
    "$WER" localdumps enable --mode "$2" >/dev/null
}
pipe_mini() { wer_type 1 pipe; }
pipe_full() { wer_type 2 pipe; }
socket_mini() { wer_type 1 socket; }
socket_full() { wer_type 2 socket; }
has_socket() { grep -qw socket /proc/sys/kernel/core_modes 2>/dev/null; }

rm -f "$OUT/results" "$OUT/samples"
CASES=("kernel core|kernel_core" "pipe mini|pipe_mini" "pipe full|pipe_full")
has_socket && CASES+=("socket mini|socket_mini" "socket full|socket_full")
echo "crash to finished dump: 16 threads, $HEAP_MIB MiB heap, median of $REPEAT (cases interleaved)"
for _ in $(seq "$REPEAT"); do
    for c in "${CASES[@]}"; do run_once "${c%%|*}" "${c##*|}"; done
done
printf '%-12s %13s %14s %14s\n' case time size "handler peak"
for c in "${CASES[@]}"; do report "${c%%|*}"; done
awk '{t[$1" "$2]=$3} END {
  printf "pipe mini vs kernel core: %.2fx the time\n", t["pipe mini"]/t["kernel core"];
  printf "pipe full vs kernel core: %.2fx the time\n", t["pipe full"]/t["kernel core"];
  if (t["socket mini"]) {
    printf "socket mini vs pipe mini: %.2fx the time\n", t["socket mini"]/t["pipe mini"];
    printf "socket full vs pipe full: %.2fx the time\n", t["socket full"]/t["pipe full"] } }' "$OUT/results"
