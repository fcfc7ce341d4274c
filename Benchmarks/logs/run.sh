#!/usr/bin/env bash
# `runjob logs` of every session must grow linearly with the number of sessions:
# floor, logs of 500 sessions <= 10x the logs of one. Local provider, real processes.
#
#   bash Benchmarks/logs/run.sh            # ROUNDS=7 SESSIONS="1 100 500"
#   RUNJOB=.build/debug/runjob bash Benchmarks/logs/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-7}
SESSIONS=${SESSIONS:-"1 100 500"}
if [ -z "${RUNJOB:-}" ]; then
    swift build -c release --product runjob >/dev/null
    RUNJOB=.build/release/runjob
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/runjob-logs-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_STATE_HOME="$work/state" NO_COLOR=1
mkdir -p "$HOME"

manifest() { # N -> a manifest with N sessions that each print a line and exit
    local n=$1 file="$work/logs-$1.yaml"
    {
        printf 'version: 1\nname: logs-%s\nprovider: local\nmachine: {}\nsessions:\n' "$n"
        for i in $(seq 1 "$n"); do printf '  s%s: { run: "echo output of session %s; echo note %s >&2" }\n' "$i" "$i" "$i"; done
    } > "$file"
    printf '%s' "$file"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A result
for n in $SESSIONS; do
    file=$(manifest "$n")
    "$RUNJOB" apply --wait --parallelism 8 "$file" > /dev/null
    lines=$("$RUNJOB" logs "$file" 2>/dev/null | grep -c '^output of session' || true)
    [ "$lines" -eq "$n" ] || { echo "logs of $n sessions printed $lines outputs" >&2; exit 1; }
    times=()
    for _ in $(seq 1 "$ROUNDS"); do
        start=$EPOCHREALTIME
        "$RUNJOB" logs "$file" > /dev/null 2>&1
        end=$EPOCHREALTIME
        times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
    done
    result[$n]=$(printf '%s\n' "${times[@]}" | median)
    printf 'logs of %4s sessions: median %8.1f ms (%s rounds)\n' "$n" "${result[$n]}" "$ROUNDS"
    "$RUNJOB" destroy --yes "$file" > /dev/null 2>&1
done
first=$(printf '%s\n' $SESSIONS | head -1)
last=$(printf '%s\n' $SESSIONS | tail -1)
awk -v a="${result[$first]}" -v b="${result[$last]}" -v n="$last" -v m="$first" \
    'BEGIN { printf "logs of %s / logs of %s: %.2fx (floor <= 10x)\n", n, m, b / a; exit (b / a <= 10 ? 0 : 1) }'
