#!/bin/sh
# The demo command (`npm run demo`): works on a fresh clone. Installs the npm dependencies and the tools the
# embedded stack needs (the Temporal CLI; iptables, ipset, stress-ng, iproute2 when root), builds, and runs the
# game day of scripts/demo/game-day-demo.ts. Extra arguments go to it (`npm run demo -- --keep`).
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-node-deps.sh
sh scripts/tools/install.sh temporal host
npm run --silent build
exec node_modules/.bin/tsx scripts/demo/game-day-demo.ts "$@"
