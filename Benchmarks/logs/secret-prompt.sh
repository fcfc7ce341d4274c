#!/usr/bin/env bash
# `runjob logs` of a 10 MB output when a session carries a 114 KB secret prompt (every
# long line of it is a pattern of its own), against the same logs with one short secret.
# Issue [5] measured 20 s against 0.07 s before redaction became one multi-pattern pass.
#
#   bash Benchmarks/logs/secret-prompt.sh          # ROUNDS=5
#   RUNJOB=.build/release/runjob bash Benchmarks/logs/secret-prompt.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
if [ -z "${RUNJOB:-}" ]; then
    swift build -c release --product runjob >/dev/null
    RUNJOB=.build/release/runjob
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/runjob-secret-prompt.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_STATE_HOME="$work/state" NO_COLOR=1
mkdir -p "$HOME"
python3 - "$work/prompt.txt" <<'PY'
import random, sys
random.seed(7)
words = ["review", "the", "changes", "in", "module", "and", "write", "findings", "with", "care", "tests", "edge"]
lines, size = [], 0
while size < 114_000:
    line = " ".join(random.choice(words) + str(random.randrange(1000)) for _ in range(9))
    lines.append(line)
    size += len(line) + 1
open(sys.argv[1], "w").write("\n".join(lines))
PY
manifest() { # NAME SECRET-REFERENCE -> a manifest whose session prints 10 MB
    printf 'version: 1\nname: %s\nprovider: local\nmachine: {}\nsessions:\n  big:\n    env: { SECRET: "%s" }\n    run: "head -c 7500000 /dev/urandom | base64 -w 76"\n' "$1" "$2" > "$work/$1.yaml"
    printf '%s' "$work/$1.yaml"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A result
export SHORT_SECRET="short-secret-value-0123456789"
for case in short prompt; do
    if [ "$case" = short ]; then file=$(manifest logs-short '${env:SHORT_SECRET}'); else file=$(manifest logs-prompt '${file:prompt.txt}'); fi
    "$RUNJOB" apply --wait "$file" > /dev/null
    bytes=$("$RUNJOB" logs "$file" big 2>/dev/null | wc -c)
    times=()
    for _ in $(seq 1 "$ROUNDS"); do
        start=$EPOCHREALTIME
        "$RUNJOB" logs "$file" big > /dev/null 2>&1
        end=$EPOCHREALTIME
        times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
    done
    result[$case]=$(printf '%s\n' "${times[@]}" | median)
    printf 'logs of %s bytes, %-22s median %8.1f ms (%s rounds)\n' "$bytes" "$case secret:" "${result[$case]}" "$ROUNDS"
    "$RUNJOB" destroy --yes "$file" > /dev/null 2>&1
done
awk -v a="${result[short]}" -v b="${result[prompt]}" 'BEGIN { printf "114 KB secret prompt / short secret: %.2fx\n", b / a }'
