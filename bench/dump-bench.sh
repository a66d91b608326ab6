#!/usr/bin/env bash
# dump-bench.sh: time `wer` against gcore, createdump and a plain memory copy.
#
#   bench/dump-bench.sh
#
# Environment (all optional):
#   WER=/path/to/wer   dumper to measure (default: bench/out/wer/wer, published on demand)
#   WER_BASELINE=/path/to/other/wer
#                      another build of wer (say, of the commit before a change) run on
#                      the same targets in the same round-robin, with "before/after" ratios
#   REPEAT=3           runs per case; the table shows the median of each column
#   THREADS=16         threads in each target
#   HEAP_MIB=1024      heap each target keeps alive
#   DUMP_DIR=DIR       where dumps are written, in a private subdirectory that is
#                      emptied after each run (default: bench/out)
#
# Two live targets are started: the native fixture (tests/fixtures/native/target.c)
# and the managed one (tests/fixtures/managed/ManagedTarget). Each case is one
# dumper run against one of them; for every run we record
#   wall time   fork to exit of the dumper, so process start-up counts,
#   size        bytes the dumper wrote,
#   pause       the longest gap the target's 1 ms heartbeat saw during the run,
#   peak RSS    the dumper's maximum resident set (from wait4).
# See bench/README.md for how to read the output.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
OUT=$BENCH/out
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-16}
HEAP_MIB=${HEAP_MIB:-1024}
DUMP_DIR=${DUMP_DIR:-$OUT}
MINI_BUDGET_MS=50      # the goal for a mini dump, end to end
RUN=$OUT/run           # fifos, per-run results
LOGS=$OUT/logs         # dumper and target output, kept for post-mortems

die() { echo "dump-bench: error: $*" >&2; exit 1; }
say() { echo "dump-bench: $*" >&2; }

# ---------------------------------------------------------------- prerequisites

[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive integer (got '$REPEAT')"
[[ $THREADS =~ ^[0-9]+$ && $HEAP_MIB =~ ^[0-9]+$ ]] || die "THREADS and HEAP_MIB must be integers"
[[ $(uname -s) == Linux && -r /proc/self/maps ]] || die "this benchmark needs Linux with /proc"
(( BASH_VERSINFO[0] >= 5 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 3) )) \
    || die "bash 4.3 or newer is needed (this is $BASH_VERSION)"

need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"
}
need cc       "install a C compiler (apt install gcc)"
need gdb      "install gdb (apt install gdb)"
need gcore    "gcore ships with gdb (apt install gdb)"
need dotnet   "install the .NET 10 SDK"
need mkfifo   "coreutils is required"
need awk      "awk is required"

dotnet --list-sdks 2>/dev/null | grep -q '^10\.' \
    || die "the .NET 10 SDK is required; 'dotnet --list-sdks' shows none"
dotnet --list-runtimes 2>/dev/null | grep -q '^Microsoft\.NETCore\.App 10\.' \
    || die "the Microsoft.NETCore.App 10 runtime is required; 'dotnet --list-runtimes' shows none"

# All dumpers here attach to (or read) a process that is not their child. With
# Yama ptrace_scope >= 1 that needs root or CAP_SYS_PTRACE.
if [[ -r /proc/sys/kernel/yama/ptrace_scope ]]; then
    scope=$(< /proc/sys/kernel/yama/ptrace_scope)
    if (( scope == 3 )); then
        die "kernel.yama.ptrace_scope is 3: no process may be traced, so no dumper can work"
    elif (( scope >= 1 && EUID != 0 )); then
        die "kernel.yama.ptrace_scope is $scope: run as root, or allow tracing with
       sudo sysctl kernel.yama.ptrace_scope=0"
    fi
fi

if [[ -n ${WER:-} ]]; then
    [[ $WER == */* ]] || WER=$(command -v "$WER") || die "WER=$WER: not found on PATH"
    [[ -x $WER ]] || die "WER=$WER is not an executable file"
fi
if [[ -n ${WER_BASELINE:-} ]]; then
    [[ -x $WER_BASELINE ]] || die "WER_BASELINE=$WER_BASELINE is not an executable file"
fi

mkdir -p "$OUT"
rm -rf "$RUN" "$LOGS"     # logs are from this run only
mkdir -p "$RUN" "$LOGS"
[[ -d $DUMP_DIR && -w $DUMP_DIR ]] || die "DUMP_DIR=$DUMP_DIR is not a writable directory"
# Our own subdirectory, so that emptying it can never touch the user's files.
DUMPS=$(mktemp -d "$DUMP_DIR/owr-dumps.XXXXXX")

# Targets started below; cleanup() stops them whatever way the script ends.
declare -A TARGET_PID TARGET_IN TARGET_OUT
ANSWER=

cleanup() {
    local name pid
    for name in "${!TARGET_PID[@]}"; do
        pid=${TARGET_PID[$name]}
        # CONT in case an interrupted dumper left it ptrace-stopped.
        kill -TERM "$pid" 2>/dev/null || true
        kill -CONT "$pid" 2>/dev/null || true
    done
    sleep 0.2
    for name in "${!TARGET_PID[@]}"; do
        kill -KILL "${TARGET_PID[$name]}" 2>/dev/null || true
    done
    rm -rf "$RUN" "$DUMPS"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ----------------------------------------------------------------------- build

say "building the native target and the C helpers"
# Built as target.c's header says, so the benchmark dumps the same process the
# tests do (the unused libm is part of that picture).
cc -O1 -g -pthread -o "$OUT/target" "$ROOT/tests/fixtures/native/target.c" -Wl,--no-as-needed -lm
cc -O2 -Wall -o "$OUT/plain-copy" "$BENCH/plain-copy.c"
cc -O2 -Wall -o "$OUT/peak-rss" "$BENCH/peak-rss.c"

say "building the managed target"
dotnet build "$ROOT/tests/fixtures/managed/ManagedTarget" -c Release -o "$OUT/managed" \
    --nologo -v quiet >"$LOGS/managed-build.log" 2>&1 \
    || die "building the managed target failed; see $LOGS/managed-build.log"
[[ -f $OUT/managed/ManagedTarget.dll ]] || die "no ManagedTarget.dll in $OUT/managed"

# WER, when given, was checked above. Otherwise use bench/out/wer/wer, published
# once; delete bench/out/wer to publish again after changing src/.
if [[ -z ${WER:-} ]]; then
    WER=$OUT/wer/wer
    if [[ ! -x $WER ]]; then
        # Native AOT on Linux links with clang; without it publish fails late and obscurely.
        need clang "Native AOT publishing needs clang and zlib1g-dev (apt install clang zlib1g-dev), or set WER="
        say "publishing wer (Native AOT) into $OUT/wer; this takes a minute"
        dotnet publish "$ROOT/src/OpenWer.Cli" -c Release -r linux-x64 -o "$OUT/wer" \
            --nologo >"$LOGS/wer-publish.log" 2>&1 \
            || die "publishing wer failed; see $LOGS/wer-publish.log (or set WER=/path/to/wer)"
        [[ -x $WER ]] || die "publish succeeded but $WER is missing; see $LOGS/wer-publish.log"
    fi
fi

# --------------------------------------------------------------------- targets


# start_target NAME COMMAND... : start a target with its stdin and stdout on
# fifos, wait for READY and remember its pid and the fifo descriptors.
start_target() {
    local name=$1; shift
    local fin=$RUN/$name.in fout=$RUN/$name.out fd_in fd_out line launcher
    mkfifo "$fin" "$fout"
    # Opened read-write so that neither open blocks waiting for the other end,
    # and so the target never sees EOF on stdin while we run.
    exec {fd_in}<>"$fin" {fd_out}<>"$fout"
    # The target gets the fifos as stdin/stdout and none of our descriptors.
    (
        for fd in "${TARGET_IN[@]}" "${TARGET_OUT[@]}" "$fd_in" "$fd_out"; do exec {fd}>&-; done
        exec "$@"
    ) <"$fin" >"$fout" 2>"$LOGS/$name-target.err" &
    launcher=$!
    disown "$launcher"        # no "Killed" job notices at exit; cleanup() kills it
    TARGET_PID[$name]=$launcher
    TARGET_IN[$name]=$fd_in
    TARGET_OUT[$name]=$fd_out
    local waited=0
    until read -r -t 1 -u "$fd_out" line; do
        kill -0 "$launcher" 2>/dev/null || die "the $name target exited before READY; see $LOGS/$name-target.err"
        (( ++waited < 120 )) || die "the $name target did not print READY within 120 s"
    done
    [[ $line =~ ^READY\ pid=([0-9]+) ]] || die "the $name target said '$line' instead of READY"
    TARGET_PID[$name]=${BASH_REMATCH[1]}
    say "$name target up: $line"
}

# ask NAME COMMAND : send one command, leave the one-line answer in ANSWER.
ask() {
    printf '%s\n' "$2" >&"${TARGET_IN[$1]}"
    read -r -t 30 -u "${TARGET_OUT[$1]}" ANSWER \
        || die "the $1 target did not answer '$2' (alive: $(kill -0 "${TARGET_PID[$1]}" 2>/dev/null && echo yes || echo no))"
}

say "starting targets: $THREADS threads, $HEAP_MIB MiB heap each"
start_target native "$OUT/target" --threads "$THREADS" --heap-mib "$HEAP_MIB"
start_target managed dotnet "$OUT/managed/ManagedTarget.dll" --threads "$THREADS" --heap-mib "$HEAP_MIB"

# createdump must match the runtime the managed target actually loaded: take the
# directory of the libcoreclr.so mapped into it, and fall back to the newest
# Microsoft.NETCore.App 10.x that `dotnet --list-runtimes` reports.
coreclr=$(awk '$6 ~ /\/libcoreclr\.so$/ { print $6; exit }' "/proc/${TARGET_PID[managed]}/maps")
if [[ -n $coreclr ]]; then
    CREATEDUMP=$(dirname "$coreclr")/createdump
else
    CREATEDUMP=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" && $2 ~ /^10\./ {
        dir = $3; gsub(/[][]/, "", dir); last = dir "/" $2 } END { print last }')/createdump
fi
[[ -x $CREATEDUMP ]] || die "createdump not found at $CREATEDUMP"

# -------------------------------------------------------------------- measuring

NATIVE_CASES=("wer mini" "wer heap" "wer full" "gcore" "plain-copy")
MANAGED_CASES=("wer mini" "wer heap" "wer full"
               "createdump --normal" "createdump --withheap" "createdump --full"
               "gcore" "plain-copy")

if [[ -n ${WER_BASELINE:-} ]]; then
    NATIVE_CASES+=("baseline mini" "baseline heap" "baseline full")
    MANAGED_CASES+=("baseline mini" "baseline heap" "baseline full")
fi

# Per "target|case": space-separated samples, one per run.
declare -A S_WALL S_SIZE S_PAUSE S_RSS FAILED
FAILURES=0

# case_command CASE PID FILE : set CMD to the dumper's command line.
case_command() {
    local kind=$1 pid=$2 file=$3
    case $kind in
        "wer "*)        CMD=("$WER" dump "$pid" --type "${kind#wer }" -o "$file") ;;
        "baseline "*)   CMD=("$WER_BASELINE" dump "$pid" --type "${kind#baseline }" -o "$file") ;;
        gcore)          CMD=(gcore -o "$file" "$pid") ;;   # writes $file.$pid
        plain-copy)     CMD=("$OUT/plain-copy" "$pid" "$file") ;;
        "createdump "*) CMD=("$CREATEDUMP" -f "$file" "${kind#createdump }" "$pid") ;;
        *)              die "unknown case '$kind'" ;;
    esac
}

# run_once TARGET CASE N : one measured run, samples appended to the S_* maps.
run_once() {
    local target=$1 kind=$2 n=$3 pid=${TARGET_PID[$1]}
    local key="$target|$kind" slug log wall_ns rss_kib code bytes
    slug=$(tr -cs 'a-z0-9' '-' <<< "$kind"); slug=${slug%-}
    log=$LOGS/$target-$slug-$n.log
    find "$DUMPS" -mindepth 1 -delete
    case_command "$kind" "$pid" "$DUMPS/dump"

    rm -f "$RUN/result"
    ask "$target" gap                       # reset the heartbeat's maximum
    "$OUT/peak-rss" "$RUN/result" "${CMD[@]}" >"$log" 2>&1 || true
    [[ -s $RUN/result ]] || die "peak-rss could not run '$kind'; see $log"
    sleep 0.05                              # let the heartbeat wake once more and record the gap
    ask "$target" gap
    [[ $ANSWER =~ ^GAP\ ([0-9]+)$ ]] || die "unexpected answer from the $target target: '$ANSWER'"
    local pause_us=${BASH_REMATCH[1]}
    read -r wall_ns rss_kib code < "$RUN/result"

    kill -0 "$pid" 2>/dev/null || die "the $target target died during '$kind' (run $n); see $log"
    if (( code != 0 )); then
        say "FAILED: $target / $kind run $n exited with $code; see $log"
        FAILED[$key]=$(( ${FAILED[$key]:-0} + 1 ))
        FAILURES=$((FAILURES + 1))
    else
        # Sum of everything written: gcore appends .PID, others may add side files.
        bytes=$(find "$DUMPS" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
        S_WALL[$key]+="$(awk -v v="$wall_ns" 'BEGIN { printf "%.3f", v / 1e6 }') "
        S_SIZE[$key]+="$(awk -v v="$bytes" 'BEGIN { printf "%.3f", v / 1048576 }') "
        S_PAUSE[$key]+="$(awk -v v="$pause_us" 'BEGIN { printf "%.3f", v / 1e3 }') "
        S_RSS[$key]+="$(awk -v v="$rss_kib" 'BEGIN { printf "%.3f", v / 1024 }') "
        say "$(printf '%-8s %-22s run %d: %10s ms %10s MiB  pause %9s ms  peak rss %8s MiB' \
            "$target" "$kind" "$n" \
            "$(last_sample "${S_WALL[$key]}")" "$(last_sample "${S_SIZE[$key]}")" \
            "$(last_sample "${S_PAUSE[$key]}")" "$(last_sample "${S_RSS[$key]}")")"
    fi

    find "$DUMPS" -mindepth 1 -delete
    # Flush the deleted dump's dirty pages now, untimed, so their write-back
    # does not land inside the next run's measurement.
    sync
}

last_sample() { local a=($1); echo "${a[-1]}"; }

# median SAMPLES... : median of the numbers given ("-" when there are none).
median() {
    printf '%s\n' "$@" | sort -g | awk 'NF { a[++n] = $1 }
        END { if (!n) print "-"; else if (n % 2) print a[(n + 1) / 2]; else print (a[n / 2] + a[n / 2 + 1]) / 2 }'
}

# Noise floor: the heartbeat's longest gap over one idle second, no dumper running.
idle_pause() {
    ask "$1" gap; sleep 1; ask "$1" gap
    awk -v v="${ANSWER#GAP }" 'BEGIN { printf "%.1f", v / 1e3 }'
}
IDLE_NATIVE=$(idle_pause native)
IDLE_MANAGED=$(idle_pause managed)

# Round-robin over the cases within each repetition rather than running one
# case R times in a row, so slow drifts (page cache, write-back, thermal) spread
# over all cases instead of biasing one.
for (( n = 1; n <= REPEAT; n++ )); do
    say "repetition $n of $REPEAT"
    for kind in "${NATIVE_CASES[@]}";  do run_once native  "$kind" "$n"; done
    for kind in "${MANAGED_CASES[@]}"; do run_once managed "$kind" "$n"; done
done

# ---------------------------------------------------------------------- report

declare -A M_WALL
fmt() { [[ $1 == - ]] && echo - || awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }

echo
echo "OpenWer dump benchmark: $THREADS threads, $HEAP_MIB MiB heap per target, median of $REPEAT run(s)"
echo "  kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)," \
     "dumps on $(stat -f -c %T "$DUMPS")"
echo "  wer: $WER"
[[ -n ${WER_BASELINE:-} ]] && echo "  baseline: $WER_BASELINE"
echo "  createdump: $CREATEDUMP"
echo "  heartbeat noise floor (idle 1 s): native $IDLE_NATIVE ms, managed $IDLE_MANAGED ms"
echo
printf '%-8s %-22s %10s %10s %10s %14s\n' target case "wall ms" "size MiB" "pause ms" "peak RSS MiB"
printf '%-8s %-22s %10s %10s %10s %14s\n' ------ ---- ------- -------- -------- ------------
for target in native managed; do
    if [[ $target == native ]]; then cases=("${NATIVE_CASES[@]}"); else cases=("${MANAGED_CASES[@]}"); fi
    for kind in "${cases[@]}"; do
        key="$target|$kind"
        wall=$(median ${S_WALL[$key]:-})
        M_WALL[$key]=$wall
        note=
        [[ -n ${FAILED[$key]:-} ]] && note="  (failed ${FAILED[$key]} of $REPEAT runs)"
        printf '%-8s %-22s %10s %10s %10s %14s%s\n' "$target" "$kind" "$(fmt "$wall")" \
            "$(fmt "$(median ${S_SIZE[$key]:-})")" "$(fmt "$(median ${S_PAUSE[$key]:-})")" \
            "$(fmt "$(median ${S_RSS[$key]:-})")" "$note"
    done
done

# ratio LABEL NUMERATOR_KEY DENOMINATOR_KEY SUFFIX : print NUM/DEN of median wall times.
ratio() {
    local num=${M_WALL[$2]:--} den=${M_WALL[$3]:--}
    if [[ $num == - || $den == - ]]; then
        printf '  %-46s %s\n' "$1" "n/a (a case has no successful run)"
    else
        printf '  %-46s %s\n' "$1" "$(awk -v a="$num" -v b="$den" -v s="$4" 'BEGIN { printf "%.2fx %s", a / b, s }')"
    fi
}
budget() {
    local ms=${M_WALL[$2]:--}
    if [[ $ms == - ]]; then
        printf '  %-46s %s\n' "$1" "n/a (no successful run)"
    else
        printf '  %-46s %s\n' "$1" "$(awk -v v="$ms" -v b="$MINI_BUDGET_MS" 'BEGIN {
            printf "%.1f ms = %.2fx of the %d ms budget (%s)", v, v / b, b, v <= b ? "within" : "OVER" }')"
    fi
}

echo
echo "Ratios (median wall times):"
ratio "native:  wer full speed-up over gcore"          "native|gcore"      "native|wer full"  "(>1: wer is faster)"
ratio "native:  wer full slowdown vs plain-copy"       "native|wer full"   "native|plain-copy" "(1 = at the plain limit)"
ratio "managed: wer full speed-up over gcore"          "managed|gcore"     "managed|wer full" "(>1: wer is faster)"
ratio "managed: wer full slowdown vs plain-copy"       "managed|wer full"  "managed|plain-copy" "(1 = at the plain limit)"
ratio "managed: wer full speed-up over createdump"     "managed|createdump --full"     "managed|wer full" "(>1: wer is faster)"
ratio "managed: wer heap speed-up over createdump"     "managed|createdump --withheap" "managed|wer heap" "(>1: wer is faster)"
ratio "managed: wer mini speed-up over createdump"     "managed|createdump --normal"   "managed|wer mini" "(>1: wer is faster)"
if [[ -n ${WER_BASELINE:-} ]]; then
    for target in native managed; do
        for type in mini heap full; do
            ratio "$(printf '%-8s wer %s vs baseline' "$target:" "$type")" "$target|wer $type" "$target|baseline $type" "(<1: wer is faster than the baseline)"
        done
    done
fi
budget "native:  wer mini vs ${MINI_BUDGET_MS} ms target"  "native|wer mini"
budget "managed: wer mini vs ${MINI_BUDGET_MS} ms target"  "managed|wer mini"

if (( FAILURES > 0 )); then
    echo
    echo "$FAILURES run(s) failed; their logs are in $LOGS" >&2
    exit 1
fi
