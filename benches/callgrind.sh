#!/usr/bin/env bash
# Instructions per simulated request, counted by callgrind: repeatable whatever else the
# machine is doing, unlike wall-clock time.
#
#   benches/callgrind.sh [SCENARIO[:SHORT:LONG]...]
#
# For each scenario it runs the release binary twice under callgrind, for two simulated
# durations (SHORT and LONG, default 40s and 80s: longer than the warm-up), and prints the marginal cost: the difference
# in instructions divided by the difference in requests (and in events). The start-up, the
# warm-up and the writing of outputs cancel out. Without arguments it measures M/M/1 at
# rho = 0.9 (200s:400s) and stages 01, 03, 05 and 11.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "callgrind.sh needs valgrind" >&2; exit 1; }
cargo build --release --locked --quiet
bin=target/release/scalesim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -eq 0 ]; then
  set -- scenarios/validation/mm1-rho0.9.yaml:200s:400s scenarios/01-single-server.yaml \
    scenarios/03-load-balancer.yaml scenarios/05-cache.yaml \
    scenarios/11-monitoring-and-autoscaling.yaml:40s:60s
fi

# Instructions, requests and events of one run of $1 lasting $2.
measure() {
  local out="$work/$(basename "$1" .yaml)-$2"
  if ! valgrind --tool=callgrind --callgrind-out-file="$out.cg" "$bin" run "$1" --set "duration=$2" \
    --json "$out.json" --no-wall-clock --quiet --out "$out" 2> "$out.log" >/dev/null; then
    grep -v '^==' "$out.log" >&2
    return 1
  fi
  local ir
  ir=$(grep -oE 'Collected : [0-9]+' "$out.log" | awk '{print $3}')
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($ir, r['requests']['offered'], r['engine']['events'])" "$out.json"
}

printf '%-48s %14s %12s %12s\n' scenario instr/request events/request instr/event
for arg in "$@"; do
  IFS=: read -r file short long <<< "$arg"
  first=$(measure "$file" "${short:-40s}")
  second=$(measure "$file" "${long:-80s}")
  read -r i1 n1 e1 <<< "$first"
  read -r i2 n2 e2 <<< "$second"
  python3 -c "
i, n, e = $i2 - $i1, $n2 - $n1, $e2 - $e1
print('%-48s %14.0f %12.2f %12.1f' % ('$file', i / n, e / n, i / e))"
done
