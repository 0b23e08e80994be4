#!/bin/sh
# The benchmarks (`npm run bench`): works on a fresh clone. Installs what the benchmarks need, then runs each and
# prints its figures. Performance goals live here, never in timed tests.
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-node-deps.sh
sh scripts/tools/install.sh temporal host
tsx=node_modules/.bin/tsx
for bench in scripts/bench/interpreter-overhead.ts scripts/bench/agent-round-trip.ts scripts/bench/schedule-latency.ts scripts/bench/abort-recovery.ts; do
  if [ -f "$bench" ]; then
    printf '\n== %s\n' "$bench"
    "$tsx" "$bench"
  fi
done
