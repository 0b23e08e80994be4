#!/bin/sh
# The benchmarks (`npm run bench`): works on a fresh clone. Installs what they need, then runs each and prints
# its figures. Performance goals live here, never in timed tests. Root is needed for the agent benchmarks.
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-node-deps.sh
sh scripts/tools/install.sh temporal host temporal-server
# The benchmarks run chaosflow as users do: the built command (the agents, `chaosflow run`).
npm run --silent build
tsx=node_modules/.bin/tsx
# A benchmark that fails is named at the end (and fails the whole), after the others have run.
failed=''
run() {
  name=$1
  shift
  printf '\n== %s (%s)\n' "$name" "$(date -u +%H:%M:%S)"
  "$tsx" "$@" || failed="$failed $name"
}
for bench in interpreter-overhead dev-server-latency agent-round-trip agent-fault-kinds lease-renewal abort-recovery halt-recovery schedule-latency metrics-overhead report-render history-size cli-footprint chaos-toolkit-side-by-side scale-workers; do
  run "$bench" "scripts/bench/$bench.ts"
done
# The interpreter's overhead on the production-shaped Temporal cluster too (four services, PostgreSQL).
run 'interpreter-overhead --cluster' scripts/bench/interpreter-overhead.ts 200 3 --cluster
if [ -n "$failed" ]; then
  printf '\nbenchmarks that failed:%s\n' "$failed" >&2
  exit 1
fi
