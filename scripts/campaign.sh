#!/bin/sh
# The recovery campaign (`npm run campaign [-- --runs N --seed S]`): works on a fresh clone. Installs what it
# needs, then runs random game days with random disruptions and checks that no fault is left behind.
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-node-deps.sh
sh scripts/tools/install.sh temporal host
exec node_modules/.bin/tsx scripts/campaign/campaign.ts "$@"
