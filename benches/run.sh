#!/usr/bin/env bash
# Corpus benchmark: policykg against the Python way (rdflib + networkx) on
# the same synthetic plans. Usage: benches/run.sh [SIZES...] (default 100 1000)
# Prints a Markdown table; results and the machine are kept in BENCHMARKS.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
policykg=${POLICYKG:-${CARGO_TARGET_DIR:-$HOME/.cache/policykg/target}/release/policykg}
sizes=${*:-100 1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() { # label, command...: prints "seconds peak_mb"
  /usr/bin/time -f '%e %M' -o "$work/time" "${@:2}" >/dev/null 2>"$work/$1.err" || { echo "failed: $1" >&2; cat "$work/$1.err" >&2; exit 1; }
  read -r s kb <"$work/time"
  echo "$s $((kb / 1024))"
}
printf '| documents | step | policykg | peak memory | Python way | peak memory | ratio (time) |\n|---|---|---|---|---|---|---|\n'
for n in $sizes; do
  python3 "$repo/benches/generate.py" "$n" "$work/plans-$n"
  store="$work/store-$n"
  read -r b_s b_m <<<"$(measure build "$policykg" build "$work/plans-$n" --store "$store")"
  triples=$(grep -oE '[0-9]+ triples' "$work/build.err" | tail -1)
  read -r r_s r_m <<<"$(measure report "$policykg" report --store "$store")"
  read -r g_s g_m <<<"$(measure graphml "$policykg" export graphml --store "$store" --out "$work/net-$n.graphml")"
  slowest=0
  for q in $("$policykg" query --list | tail -n +3 | awk '{print $1}'); do
    case $q in tasks-of-unit) p=(--param unit=市工信局) ;; units-by-technology) p=(--param technology=NFT) ;; *) p=() ;; esac
    read -r q_s _ <<<"$(measure query "$policykg" query --store "$store" --name "$q" "${p[@]}")"
    slowest=$(python3 -c "print(max($slowest, $q_s))")
  done
  read -r p_s p_m <<<"$(measure python python3 "$repo/benches/python_way.py" "$work/plans-$n" "$work/py-$n")"
  ours=$(python3 -c "print(round($b_s + $r_s + $g_s, 2))")
  ratio=$(python3 -c "print(round($p_s / max($ours, 0.01), 1))")
  printf '| %s | build (%s) | %s s | %s MB | | | |\n' "$n" "$triples" "$b_s" "$b_m"
  printf '| %s | report | %s s | %s MB | | | |\n' "$n" "$r_s" "$r_m"
  printf '| %s | export graphml | %s s | %s MB | | | |\n' "$n" "$g_s" "$g_m"
  printf '| %s | slowest named query (incl. loading the store) | %s s | | | | |\n' "$n" "$slowest"
  printf '| %s | **build + report + graphml** | **%s s** | | **%s s** | %s MB | **%s×** |\n' "$n" "$ours" "$p_s" "$p_m" "$ratio"
done
