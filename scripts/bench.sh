#!/bin/sh
# The benchmarks (`npm run bench`): works on a fresh clone. Installs what they need, then runs each and prints
# its figures. Performance goals live here, never in timed tests. Root is needed for the agent benchmarks.
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-node-deps.sh
sh scripts/tools/install.sh temporal host temporal-server
tsx=node_modules/.bin/tsx
for bench in interpreter-overhead dev-server-latency agent-round-trip agent-fault-kinds lease-renewal abort-recovery halt-recovery schedule-latency metrics-overhead report-render history-size cli-footprint chaos-toolkit-side-by-side scale-workers; do
  printf '\n== %s\n' "$bench"
  "$tsx" "scripts/bench/$bench.ts"
done
# The interpreter's overhead on the production-shaped Temporal cluster too (four services, PostgreSQL).
printf '\n== interpreter-overhead --cluster\n'
"$tsx" scripts/bench/interpreter-overhead.ts 200 3 --cluster
