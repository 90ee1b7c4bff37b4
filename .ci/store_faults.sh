#!/usr/bin/env bash
# Store faults on real file systems: a read-only store and a full disk.
# Usage: .ci/store_faults.sh POLICYKG SCRATCH_DIR
# Needs root (it mounts a small tmpfs and a read-only bind mount).
set -euo pipefail
policykg=$1
scratch=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$scratch"
cd "$scratch"
fail() { echo "store faults: $*" >&2; exit 1; }
dump() { "$policykg" query --store "$1" --format csv 'SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o' 2>/dev/null; }

# 1. A read-only store: writers get a clear error and change nothing;
#    readers still work.
mkdir -p ro
"$policykg" build --store ro/store >/dev/null 2>&1
before=$(dump ro/store)
mount --bind ro ro
mount -o remount,bind,ro ro
trap 'umount "$scratch/ro" 2>/dev/null || true; umount "$scratch/full" 2>/dev/null || true' EXIT
if "$policykg" build "$repo/tests/corpus" --store ro/store 2>err.txt; then fail "a build into a read-only store succeeded"; fi
grep -q "cannot write: Read-only file system" err.txt || fail "unclear message: $(cat err.txt)"
grep -q "the store is unchanged" err.txt || fail "no word on the store: $(cat err.txt)"
[ "$(dump ro/store)" = "$before" ] || fail "the read-only store changed"
"$policykg" report --store ro/store --top 1 >/dev/null 2>&1 || fail "a read-only store cannot be read"
umount ro
echo "read-only store: writers refused with '$(grep '^error' err.txt)'; readers served"

# 2. A full disk: the build fails, the old snapshot is intact, no temporary
#    file is left behind.
mkdir -p full
mount -t tmpfs -o size=1500k tmpfs full
"$policykg" build --store full/store >/dev/null 2>&1 || fail "the bundled plan does not fit in 1.5 MB"
before=$(dump full/store)
if "$policykg" build "$repo/tests/corpus" --store full/store 2>err.txt; then fail "a build onto a full disk succeeded"; fi
grep -q "No space left on device" err.txt || fail "unclear message: $(cat err.txt)"
[ "$(dump full/store)" = "$before" ] || fail "the store changed on a full disk"
if find full/store -name '*.tmp' | grep -q .; then fail "a temporary file was left behind"; fi
umount full
echo "full disk: build refused with '$(grep '^error' err.txt)'; store intact"
