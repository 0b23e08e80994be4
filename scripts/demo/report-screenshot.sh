#!/bin/sh
# A PNG of a report as headless Chromium draws it (Debian's chromium: scripts/tools/install.sh chromium), for the
# screenshot in docs/:
#
#   node_modules/.bin/tsx scripts/demo/game-day-demo.ts --report docs/demo-report.html
#   sh scripts/demo/report-screenshot.sh docs/demo-report.html docs/demo-report.png [WIDTH,HEIGHT]
set -eu
[ $# -ge 2 ] || { echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2; exit 2; }
tools=${CHAOSFLOW_TOOLS:-${HOME:?HOME is not set}/.cache/chaosflow/tools}
chromium=$tools/bin/chromium
[ -x "$chromium" ] || { echo "no chromium at $chromium: run sh scripts/tools/install.sh chromium" >&2; exit 1; }
report=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: Chromium's sandbox cannot start as root, where the demo runs.
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$profile" \
  --window-size="${3:-1200,1500}" --screenshot="$2" "file://$report" 2>/dev/null
echo "$2"
