#!/usr/bin/env bash
# Corpus benchmark: policykg against the Python way (rdflib + networkx) on
# the same synthetic plans. Usage: benches/run.sh [SIZES...] (default 100 1000)
# POLICYKG=path/to/policykg picks the binary (build it with or without
# `--features rocksdb`; the backend is read from the store it writes);
# PYTHON=0 skips the Python way. Prints Markdown tables; results and the
# machine are kept in BENCHMARKS.md. The bulk-load floor uses pyoxigraph
# (installed here, pinned, if missing).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
policykg=${POLICYKG:-${CARGO_TARGET_DIR:-$HOME/.cache/policykg/target}/release/policykg}
python=${PYTHON:-1}
sizes=${*:-100 1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() { # label, command...: prints "seconds peak_mb"
  /usr/bin/time -f '%e %M' -o "$work/time" "${@:2}" >"$work/$1.out" 2>"$work/$1.err" || { echo "failed: $1" >&2; cat "$work/$1.err" >&2; exit 1; }
  read -r s kb <"$work/time"
  echo "$s $((kb / 1024))"
}
rate() { python3 -c "print(f'{$1 / max($2, 0.01):,.0f}')"; }
python3 -c 'import pyoxigraph' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check pyoxigraph==0.5.13
printf '| documents | backend | step | time | peak memory | documents/s | triples/s |\n|---|---|---|---|---|---|---|\n'
queries=""
for n in $sizes; do
  python3 "$repo/benches/generate.py" "$n" "$work/plans-$n"
  store="$work/store-$n"
  read -r b_s b_m <<<"$(measure build "$policykg" build "$work/plans-$n" --store "$store")"
  triples=$(grep -oE '[0-9]+ triples' "$work/build.err" | tail -1 | cut -d' ' -f1)
  backend=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["backend"])' "$store/policykg-store.json")
  read -r r_s r_m <<<"$(measure report "$policykg" report --store "$store")"
  read -r g_s g_m <<<"$(measure graphml "$policykg" export graphml --store "$store" --out "$work/net-$n.graphml")"
  read -r x_s x_m <<<"$(measure rdf "$policykg" export rdf --store "$store" --out "$work/all-$n.nq")"
  # Floors: parsing and recognising alone (check: no mapping, no store),
  # and Oxigraph's own bulk load of the same quads (pyoxigraph, in memory).
  # (check exits 1 when a plan has suspects: still a full parse.)
  read -r c_s c_m <<<"$(measure check sh -c '"$0" check "$1" --quiet >/dev/null || [ $? -eq 1 ]' "$policykg" "$work/plans-$n")"
  read -r l_s l_m <<<"$(measure load python3 -c 'import sys, pyoxigraph; pyoxigraph.Store().bulk_load(path=sys.argv[1], format=pyoxigraph.RdfFormat.N_QUADS)' "$work/all-$n.nq")"
  slowest=0 slowest_name="" times=""
  for q in $("$policykg" query --list | tail -n +3 | awk '{print $1}'); do
    case $q in tasks-of-unit) p=(--param unit=市工信局) ;; units-by-technology) p=(--param technology=NFT) ;; *) p=() ;; esac
    read -r q_s _ <<<"$(measure query "$policykg" query --store "$store" --timeout 0 --name "$q" "${p[@]}")"
    times="$times $q $q_s s,"
    if python3 -c "import sys; sys.exit(0 if $q_s > $slowest else 1)"; then slowest=$q_s slowest_name=$q; fi
  done
  queries="$queries
- $n documents, $backend: ${times%,}"
  row() { printf '| %s | %s | %s | %s s | %s MB | %s | %s |\n' "$n" "$backend" "$1" "$2" "$3" "$(rate "$n" "$2")" "$(rate "$triples" "$2")"; }
  row "build ($triples triples)" "$b_s" "$b_m"
  row report "$r_s" "$r_m"
  row "export graphml" "$g_s" "$g_m"
  row "export rdf (N-Quads)" "$x_s" "$x_m"
  printf '| %s | %s | store on disk | %s | | | |\n' "$n" "$backend" "$(du -sh "$store" | cut -f1)"
  row "floor: parse and recognise alone (\`check\`)" "$c_s" "$c_m"
  row "floor: Oxigraph bulk load of the same quads (pyoxigraph, in memory)" "$l_s" "$l_m"
  printf '| %s | %s | slowest named query (%s, a process each) | %s s | | | |\n' "$n" "$backend" "$slowest_name" "$slowest"
  ours=$(python3 -c "print(round($b_s + $r_s, 2))")
  if [ "$python" != 0 ]; then
    read -r p_s p_m <<<"$(measure python python3 "$repo/benches/python_way.py" "$work/plans-$n" "$work/py-$n")"
    py_triples=$(tail -1 "$work/python.out")
    printf '| %s | Python way | rdflib + networkx (%s triples) | %s s | %s MB | %s | %s |\n' "$n" "$py_triples" "$p_s" "$p_m" "$(rate "$n" "$p_s")" "$(rate "$py_triples" "$p_s")"
    printf '| %s | %s | **build + report: %s s; %s× the speed of the Python way, %s× its peak memory** | | | | |\n' \
      "$n" "$backend" "$ours" "$(python3 -c "print(round($p_s / max($ours, 0.01), 2))")" \
      "$(python3 -c "print(round(max($b_m, $r_m) / max($p_m, 1), 2))")"
  fi
done
printf '\nEach named query (a process each, including opening the store):\n%s\n' "$queries"
