#!/usr/bin/env bash
# Time and peak memory of `policykg build` on huge inputs (results in
# RELIABILITY.md). Usage: benches/bad_input.sh [POLICYKG]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
policykg=${1:-${CARGO_TARGET_DIR:-$HOME/.cache/policykg/target}/release/policykg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$repo" "$work" <<'PY'
import sys
repo, work = sys.argv[1:]
plan = open(f"{repo}/data/plans/xiamen-metaverse-2022.md", encoding="utf-8").read()
body = plan[plan.index("一、总体要求"):]
for mb in (5, 20, 50):
    copies = mb * 1024 * 1024 // len(body.encode()) + 1
    open(f"{work}/repeat-{mb}mb.md", "w", encoding="utf-8").write(body * copies)
with open(f"{work}/items-100000.md", "w", encoding="utf-8") as f:
    f.write("一、重点任务\n\n")
    for i in range(100_000):
        f.write(f"{i % 999 + 1}. 任务。推进工作。（责任单位：市工信局、市科技局）\n")
with open(f"{work}/one-line-100000-units.md", "w", encoding="utf-8") as f:
    f.write("1. 任务。（责任单位：" + "、".join(f"市第{i}局" for i in range(100_000)) + "）\n")
PY
printf '| input | size | wall time | peak memory | outcome |\n|---|---|---|---|---|\n'
for input in "$work"/*.md; do
  size=$(du -h "$input" | cut -f1)
  rm -rf "$work/store"
  /usr/bin/time -f '%e %M' -o "$work/time" "$policykg" build "$input" --store "$work/store" >/dev/null 2>"$work/err" && outcome=ok || outcome="exit $?"
  read -r secs kb <"$work/time"
  summary=$(grep -oE '[0-9]+ items?, [0-9]+ assignments?' "$work/err" | tail -1 || true)
  printf '| %s | %s | %s s | %s MB | %s %s |\n' "$(basename "$input")" "$size" "$secs" "$((kb / 1024))" "$outcome" "$summary"
done
