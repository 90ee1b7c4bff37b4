#!/usr/bin/env bash
# Renders the HTML report of the bundled plan in headless Chromium and checks
# the screenshot is a real picture (not blank, expected size). Usage:
#   .ci/render_report.sh POLICYKG OUT_DIR
# Needs chromium and a CJK font (Debian: chromium fonts-noto-cjk) and
# python3 with Pillow.
set -euo pipefail
policykg=$1
out=$2
mkdir -p "$out"
(cd "$out" && "$policykg" report --html report.html >/dev/null 2>&1)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$out/chrome-profile" --window-size=1200,1800 \
  --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
python3 - "$out/report.png" <<'PY'
import sys
from PIL import Image, ImageStat
image = Image.open(sys.argv[1]).convert("RGB")
assert image.size == (1200, 1800), image.size
# A blank or failed page is one flat colour; the report has text, bars and
# a coloured network drawing.
stat = ImageStat.Stat(image)
assert max(stat.stddev) > 20, f"the screenshot looks blank: {stat.stddev}"
small = image.resize((300, 450))
colours = len({small.getpixel((x, y)) for x in range(300) for y in range(450)})
assert colours > 200, f"too few colours for a drawing: {colours}"
print(f"report screenshot: {image.size[0]}x{image.size[1]}, {colours} colours, stddev {max(stat.stddev):.0f}")
PY
