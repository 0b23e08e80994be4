#!/bin/sh
# Installs the npm dependencies when node_modules is missing or older than package-lock.json. Shared by the
# test, demo and bench commands, which must each work on a fresh clone.
#
# npm ci first. The registry mirror of these machines has no darwin/win32 builds of some optional packages
# (@swc/core-*), so npm install leaves them out of a lock file it writes and npm ci then calls the lock file "out
# of sync"; the committed lock file carries their entries (added by hand, with their os/cpu, so npm skips them).
# Should that happen again after a dependency change, npm install is accepted when it leaves the lock file
# byte-identical; a lock file npm install has to change is a real error.
set -u
cd "$(dirname "$0")/.." || exit 1

if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund && exit 0
lock_before=$(cksum <package-lock.json)
printf 'npm ci failed (above); trying npm install, accepted only if package-lock.json stays the same\n'
npm install --no-audit --no-fund || exit 1
if [ "$(cksum <package-lock.json)" != "$lock_before" ]; then
  printf 'npm install changed package-lock.json: it is out of date with package.json; commit the new one\n'
  exit 1
fi
printf 'note: npm ci rejected package-lock.json; installed with npm install, which left it unchanged\n'
