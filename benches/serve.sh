#!/usr/bin/env bash
# The endpoint's two ways of evaluating, side by side in one run: each query
# in a worker process (the default: killable at its limits, a copy of the
# store per worker) and on the server's threads (`serve --in-process`).
# Usage: benches/serve.sh [SIZES...] (synthetic plans; default 6 100).
# POLICYKG=path/to/policykg picks the binary. For each size, runs
# .ci/serve_check.py (real clients, refusals, then 2,000 requests from 32
# clients, every one checked) once per way, and again without the refused
# requests before the load (a runaway query among them, which on a thread
# goes on past its 503), and prints a Markdown table with the ratios
# workers / threads.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
policykg=${POLICYKG:-${CARGO_TARGET_DIR:-$HOME/.cache/policykg/target}/release/policykg}
sizes=${*:-6 100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '| plans | triples | before the load | evaluation | requests/s | p50 ms | p99 ms | peak memory (server and workers) |\n|---|---|---|---|---|---|---|---|\n'
for n in $sizes; do
  python3 "$repo/benches/generate.py" "$n" "$work/plans-$n"
  "$policykg" build "$work/plans-$n" --store "$work/store-$n" 2>"$work/build.err" >/dev/null
  triples=$(grep -oE '[0-9,]+ triples' "$work/build.err" | tail -1 | cut -d' ' -f1)
  for before in refusals nothing; do
    for way in workers threads; do
      extra=()
      [ "$way" = threads ] && extra+=(--serve-arg=--in-process)
      [ "$before" = nothing ] && extra+=(--no-refusals)
      python3 "$repo/.ci/serve_check.py" "$policykg" "$work/store-$n" "${extra[@]}" \
        --markdown "$work/$way.md" >"$work/$way.out" 2>&1 || { cat "$work/$way.out" >&2; exit 1; }
      IFS='|' read -r _ _ _ _ rate p50 _ p99 _ mem _ <"$work/$way.md"
      printf '%s\n' "$rate|$p50|$p99|$mem" >"$work/$way.row"
      printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$triples" "$before" "$way" $rate $p50 $p99 "$mem"
    done
    python3 - "$work/workers.row" "$work/threads.row" "$n" "$before" <<'PY'
import sys
w, t = ([float(x.split()[0]) for x in open(p).read().split("|")] for p in sys.argv[1:3])
print(f"| {sys.argv[3]} | | {sys.argv[4]} | workers / threads | {w[0] / t[0]:.2f}× | {w[1] / t[1]:.2f}× | {w[2] / t[2]:.2f}× | {w[3] / t[3]:.2f}× |")
PY
  done
done
