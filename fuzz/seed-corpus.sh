#!/usr/bin/env bash
# Seeds the fuzz corpora from the shipped scenarios:
#   corpus/scenario/  every scenarios/**/*.yaml, as it is;
#   corpus/parse/     the same files, for the parse-only target;
#   corpus/set/       for each base of the `set` target (fuzz_targets/set.rs, BASES), the
#                     --set assignments of the scenario files' "Try:" lines and a few more,
#                     one per line, after the byte that picks the base;
#   scenario.dict     a libFuzzer dictionary: every `key:` of the shipped scenarios, the kinds,
#                     distributions and fault verbs (committed; this rewrites it).
# Run from anywhere; existing corpus files are kept (libFuzzer adds its own next to them).
set -euo pipefail
cd "$(dirname "$0")"

mkdir -p corpus/scenario corpus/set corpus/parse
find ../scenarios -name '*.yaml' | sort | while read -r f; do
  rel=${f#../scenarios/}
  cp "$f" "corpus/scenario/${rel//\//_}"
  cp "$f" "corpus/parse/${rel//\//_}"
done

# The --set assignments written in the scenarios' comments: `--set x=y` and `--set 'x=y'`.
sets=$(grep -rhoE -- "--set ('[^']*'|[^ ]+)" ../scenarios | sed -E "s/^--set //; s/^'//; s/'$//; s/[.,)]$//" | sort -u)
extra='duration=2s
warmup=0s
traffic.rate=100
traffic.classes[0].weight=2
seed=3
faults=[]'
n_bases=8 # the length of BASES in fuzz_targets/set.rs
for base in $(seq 0 $((n_bases - 1))); do
  i=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    { printf "\\x$(printf %02x "$base")"; printf '%s\n' "$line"; } >"corpus/set/base${base}-${i}"
    i=$((i + 1))
  done <<<"$sets
$extra"
  { printf "\\x$(printf %02x "$base")"; printf '%s\n' "$extra"; } >"corpus/set/base${base}-all"
done
{
  echo "# Keys and words of the scenario language, from scenarios/ (written by seed-corpus.sh)."
  grep -rhoE '[a-z_]+:' ../scenarios | sort -u | sed 's/.*/"&"/'
  for w in server database cache cdn dns load_balancer queue worker store poisson closed \
    const exp uniform normal lognormal pareto erlang zipf crash slow flush add_shard \
    '#0' ms us s ns '{' '}' '[' ']' ': ' '- ' '=' '.' \
    rate_limit: rate_limit_by_class: concurrency_limit: per: group instance pool: size: \
    timeout: lifo: max: burst: failure_rate:; do
    echo "\"$w\""
  done
} >scenario.dict
echo "seeded: $(ls corpus/scenario | wc -l) scenario inputs, $(ls corpus/set | wc -l) set inputs"
