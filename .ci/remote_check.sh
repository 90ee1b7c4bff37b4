#!/usr/bin/env bash
# policykg push, then report and query --endpoint, against two real triple
# store servers started on loopback: the Oxigraph server (from pip) and
# Virtuoso open source (from Debian). The remote report must equal the local
# one, byte for byte; a second push must replace the graphs, not add to them.
#
# Usage: remote_check.sh POLICYKG STORE WORKDIR
set -euo pipefail
policykg=$1
store=$2
work=$3
mkdir -p "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # url
  for _ in $(seq 1 60); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "FAIL: $1 did not come up" >&2
  exit 1
}
check() { # name query_url graph_store_url
  local name=$1 query=$2 graphs=$3
  "$policykg" push --store "$store" --endpoint "$graphs"
  "$policykg" push --store "$store" --endpoint "$graphs" 2>"$work/$name.push"
  "$policykg" report --store "$store" --format csv >"$work/local.csv"
  "$policykg" report --endpoint "$query" --format csv >"$work/$name.csv" 2>"$work/$name.err"
  cmp "$work/local.csv" "$work/$name.csv" || { echo "FAIL: $name report differs from the local one" >&2; exit 1; }
  local here there
  here=$(grep -oE '[0-9]+ documents, [0-9]+ items, [0-9]+ assignments, [0-9]+ units' <("$policykg" list --store "$store" 2>&1 >/dev/null))
  there=$(grep -oE '[0-9]+ documents, [0-9]+ items, [0-9]+ assignments, [0-9]+ units' "$work/$name.err")
  [ "$here" = "$there" ] || { echo "FAIL: $name holds $there after two pushes, the store $here" >&2; exit 1; }
  for q in "tasks-of-unit --param unit=市工信局" "units-by-technology --param technology=NFT" "bureaus-by-involvement"; do
    # shellcheck disable=SC2086
    "$policykg" query --store "$store" --name $q >"$work/local.txt" 2>/dev/null
    # shellcheck disable=SC2086
    "$policykg" query --endpoint "$query" --name $q >"$work/$name.txt" 2>/dev/null
    cmp "$work/local.txt" "$work/$name.txt" || { echo "FAIL: $name: query $q differs" >&2; diff "$work/local.txt" "$work/$name.txt" | head >&2; exit 1; }
  done
  echo "$name: report and named queries equal the local store's ($there); $(cat "$work/$name.push")"
}

# Oxigraph server, in memory, with the union of graphs as default graph.
port=$(free_port)
oxigraph serve --bind "127.0.0.1:$port" --union-default-graph >"$work/oxigraph.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$port/"
check oxigraph "http://127.0.0.1:$port/query" "http://127.0.0.1:$port/store"

# Virtuoso, a private instance in $work with its own ports; anonymous
# SPARQL users may write (loopback only).
port=$(free_port)
isql_port=$(free_port)
mkdir -p "$work/virtuoso"
sed -e "s|/var/lib/virtuoso-opensource-7/db|$work/virtuoso|g" \
  -e "s|^ServerPort *= *1111|ServerPort = $isql_port|" \
  -e "s|^ServerPort *= *8890|ServerPort = 127.0.0.1:$port|" \
  /etc/virtuoso-opensource-7/virtuoso.ini >"$work/virtuoso/virtuoso.ini"
virtuoso-t -f -c "$work/virtuoso/virtuoso.ini" >"$work/virtuoso/out.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$port/sparql"
isql-vt "$isql_port" dba dba exec="GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);" >/dev/null
check virtuoso "http://127.0.0.1:$port/sparql" "http://127.0.0.1:$port/sparql-graph-crud"
