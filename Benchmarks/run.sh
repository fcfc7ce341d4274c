#!/usr/bin/env bash
# Benchmarks of issue [1]: `plan --output json` of a 10 000-session manifest, the
# start-up of `validate`, and the hostile-input set. Every side runs in the same
# invocation; the sides compared at millisecond scale are interleaved round by round
# (so machine noise hits them alike); medians of ROUNDS rounds; peak RSS from
# /usr/bin/time.
# Prints a Markdown report (BENCHMARKS.md holds the last one).
#
#   bash Benchmarks/run.sh             # builds the release binaries first
#   ROUNDS=21 bash Benchmarks/run.sh   # start-up sides: STARTUP_ROUNDS (5 × ROUNDS)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-11}
STARTUP_ROUNDS=${STARTUP_ROUNDS:-$((ROUNDS * 5))}
OUT=Benchmarks/out
mkdir -p "$OUT"

swift build -c release --product runjob >/dev/null
RUNJOB=$(swift build -c release --show-bin-path)/runjob
(cd Benchmarks/hello && swift build -c release >/dev/null)
HELLO=$(cd Benchmarks/hello && swift build -c release --show-bin-path)/hello
cc -O2 -o "$OUT/yaml_event_parse" Benchmarks/yaml_event_parse.c $(pkg-config --cflags --libs yaml-0.1)
python3 Benchmarks/generate_manifest.py "$OUT/bench.yaml" 10000
python3 Tests/Support/scripts/hostile_corpus.py "$OUT/hostile"
PY=/usr/bin/python3
PYLOAD='import sys, yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)'

# run NAME CMD... : appends the wall time (µs) and the peak RSS (KB) of CMD to
# $OUT/NAME.{us,kb}. CMD runs twice: first under /usr/bin/time for the peak RSS,
# which also warms the caches for it (as hyperfine's --warmup does, every side
# alike: otherwise a side that follows the 1.7 s Python run starts with caches
# full of Python's data), then timed around the bare command with bash's
# $EPOCHREALTIME (no `date` or `/usr/bin/time` process inside the measurement:
# each added about 1 ms to every side).
run() {
    local name=$1; shift
    local start end
    /usr/bin/time -f "%M" -o "$OUT/time.txt" "$@" >/dev/null 2>&1 || true
    tail -1 "$OUT/time.txt" >> "$OUT/$name.kb"
    start=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1 || true
    end=${EPOCHREALTIME/[.,]/}
    echo $(( end - start )) >> "$OUT/$name.us"
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v v="$(median "$OUT/$1.us")" 'BEGIN {printf "%.1f", v/1000}'; }
kb() { median "$OUT/$1.kb"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; }
rm -f "$OUT"/*.us "$OUT"/*.kb

# Each comparison in its own loop, its sides interleaved round by round. A process
# that runs right after the 1.7 s, 113 MB Python load is slowed for the next two or
# three runs (measured: plan 155-178 ms first, ~140 second, ~130 third), which would
# tax whichever side follows it; so the Python load runs in a loop of its own.
for _ in $(seq "$ROUNDS"); do
    run pyyaml "$PY" -c "$PYLOAD" "$OUT/bench.yaml"
done
for _ in $(seq "$ROUNDS"); do
    run plan "$RUNJOB" plan --output json "$OUT/bench.yaml"
    run cparse "$OUT/yaml_event_parse" "$OUT/bench.yaml"
done
# Start-up sides take milliseconds and vary by ±30 % run to run here: more rounds.
for _ in $(seq "$STARTUP_ROUNDS"); do
    run validate_small "$RUNJOB" validate Benchmarks/small.yaml
    # `--` is outside the fast path's grammar: the same work through argument-parser.
    run validate_parser "$RUNJOB" validate -- Benchmarks/small.yaml
    run pyyaml_small "$PY" -c "$PYLOAD" Benchmarks/small.yaml
    run hello "$HELLO"
done

size=$(wc -c < "$OUT/bench.yaml")
steps=$("$RUNJOB" plan --output json "$OUT/bench.yaml" | $PY -c 'import json,sys; print(json.load(sys.stdin)["summary"]["steps"])')
echo "Command: \`bash Benchmarks/run.sh\` (ROUNDS=$ROUNDS, STARTUP_ROUNDS=$STARTUP_ROUNDS), $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)"
echo
echo "## Plan of a 10 000-session manifest ($size bytes, $steps steps)"
echo
echo "| side | median wall ms | median peak RSS KB |"
echo "|---|---:|---:|"
echo "| \`runjob plan --output json\` (release) | $(ms plan) | $(kb plan) |"
echo "| \`/usr/bin/python3\` PyYAML CSafeLoader load | $(ms pyyaml) | $(kb pyyaml) |"
echo "| C libyaml event parse | $(ms cparse) | $(kb cparse) |"
echo
echo "- plan / Python load time: **$(ratio "$(median "$OUT/plan.us")" "$(median "$OUT/pyyaml.us")")×** (floor ≤ 0.1×)"
echo "- plan / C event parse time: **$(ratio "$(median "$OUT/plan.us")" "$(median "$OUT/cparse.us")")×** (floor ≤ 6×)"
echo "- plan / Python peak RSS: **$(ratio "$(kb plan)" "$(kb pyyaml)")×** (floor ≤ 0.5×)"
echo
echo "## Start-up: \`runjob validate\` of a 20-line manifest (\`Benchmarks/small.yaml\`)"
echo
echo "| side | median wall ms | median peak RSS KB |"
echo "|---|---:|---:|"
echo "| \`runjob validate Benchmarks/small.yaml\` | $(ms validate_small) | $(kb validate_small) |"
echo "| \`runjob validate -- Benchmarks/small.yaml\` (through argument-parser, for comparison) | $(ms validate_parser) | $(kb validate_parser) |"
echo "| \`/usr/bin/python3\` PyYAML load of it | $(ms pyyaml_small) | $(kb pyyaml_small) |"
echo "| Swift Foundation hello-world (\`Benchmarks/hello\`, release) | $(ms hello) | $(kb hello) |"
echo
echo "- validate / Python: **$(ratio "$(median "$OUT/validate_small.us")" "$(median "$OUT/pyyaml_small.us")")×** (floor ≤ 0.5×)"
echo "- validate / hello-world: **$(ratio "$(median "$OUT/validate_small.us")" "$(median "$OUT/hello.us")")×** (floor ≤ 1.5×)"
echo
echo "## Hostile inputs (\`runjob validate FILE\`; floor: exit 2, < 1 s, < 100 MB each)"
echo
echo "| file | exit | code | median wall ms | median peak RSS KB |"
echo "|---|---:|---|---:|---:|"
worst_us=0; worst_kb=0
for file in $(ls "$OUT/hostile" | grep '\.yaml$' | sort); do
    status=0; output=$("$RUNJOB" validate "$OUT/hostile/$file" 2>&1 >/dev/null) || status=$?
    code=$(printf '%s' "$output" | grep -oE 'error\[[a-z_.0-9]+\]' | head -1 | sed -E 's/error\[(.*)\]/\1/')
    for _ in $(seq 3); do run "h_$file" "$RUNJOB" validate "$OUT/hostile/$file"; done
    echo "| $file | $status | \`$code\` | $(ms "h_$file") | $(kb "h_$file") |"
    us=$(median "$OUT/h_$file.us"); k=$(kb "h_$file")
    (( us > worst_us )) && worst_us=$us
    (( k > worst_kb )) && worst_kb=$k
done
echo
echo "- slowest: **$(awk -v v="$worst_us" 'BEGIN {printf "%.1f", v/1000}') ms**, largest: **$worst_kb KB**"
