#!/usr/bin/env bash
# Renders shipped reports to PNG with headless Chromium (Debian package `chromium`), to look at
# what users see: each report's index.html (full page) and every SVG figure.
#
# Usage: scripts/render-reports.sh [OUT] [REPORT_DIR ...]
#   OUT         where the PNGs go (default /tmp/ibplane-renders; never inside reports/)
#   REPORT_DIR  report directories (default: every reports/*/ with an index.html)
# Needs: chromium (apt-get install chromium). Exits 2 with that hint when it is missing.
set -euo pipefail
OUT=${1:-/tmp/ibplane-renders}
shift || true
DIRS=("$@")
if [ ${#DIRS[@]} -eq 0 ]; then
  for d in reports/*/; do [ -f "$d/index.html" ] && DIRS+=("${d%/}"); done
fi
BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$BROWSER" ]; then
  echo "render-reports: chromium is not installed (Debian: sudo apt-get install -y chromium)" >&2
  exit 2
fi
mkdir -p "$OUT"
shot() { # shot URL PNG WIDTH HEIGHT
  "$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
    --window-size="$3,$4" --screenshot="$2" "$1" >/dev/null 2>&1
}
for d in "${DIRS[@]}"; do
  name=$(basename "$d")
  abs=$(cd "$d" && pwd)
  shot "file://$abs/index.html" "$OUT/$name-index.png" 1400 4000
  for svg in "$abs"/*.svg; do
    [ -e "$svg" ] || continue
    # The figure's own size from its root element (width="…" height="…"), else 1200 × 900.
    read -r w h < <(python3 - "$svg" <<'PY' 2>/dev/null || echo "1200 900"
import re, sys
head = open(sys.argv[1], encoding="utf-8").read(4000)
w = re.search(r'<svg[^>]*\swidth="([0-9.]+)', head); h = re.search(r'<svg[^>]*\sheight="([0-9.]+)', head)
print(int(float(w.group(1))) if w else 1200, int(float(h.group(1))) if h else 900)
PY
    )
    shot "file://$svg" "$OUT/$name-$(basename "${svg%.svg}").png" "$w" "$h"
  done
  echo "$d -> $OUT/$name-*.png"
done
