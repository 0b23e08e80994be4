#!/bin/sh
# The test command (`npm test`, run by .ci/run). Works on a fresh clone: installs npm dependencies and the
# external tools itself, then builds, lints, checks formatting, types and generated files, and runs vitest
# (both projects). Every step runs even when an earlier one failed, so one run shows everything; each failed
# step counts as one failed test in the last line, which is always exactly `N passed, N failed`.
#
#   npm test                      everything
#   npm test -- test/unit         the same steps; the arguments go to `vitest run`
set -u

cd "$(dirname "$0")/.." || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/chaosflow-test.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

failed_steps=""
: >"$work/notes"
note() { printf '%s\n' "$1" >>"$work/notes"; }

# step NAME COMMAND...: runs the command, reports its duration and records a failure under NAME.
step() {
  name=$1
  shift
  printf '\n==> %s\n' "$name"
  started=$(date +%s)
  if "$@"; then
    printf '==> %s: ok (%ss)\n' "$name" "$(($(date +%s) - started))"
  else
    status=$?
    printf '==> %s: FAILED with status %s (%ss)\n' "$name" "$status" "$(($(date +%s) - started))"
    failed_steps="$failed_steps $name"
  fi
}

# npm dependencies when missing or stale (scripts/ensure-node-deps.sh explains the npm ci fallback).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step deps sh scripts/ensure-node-deps.sh
fi
step tools sh scripts/tools/install.sh
step build npm run --silent build
step lint npm run --silent lint
step format npm run --silent format:check
step typecheck npm run --silent typecheck
# The Go unit tests of chaosflow-iofs (the agent's IOChaos file system), at nice 10 like its build.
if command -v go >/dev/null 2>&1; then
  step iofs-go-test sh -c 'cd scripts/tools/iofs && nice -n 10 go test -mod=readonly ./...'
fi
if [ -f scripts/gen/gen.ts ]; then
  step gen npm run --silent gen:check
else
  printf '\n==> gen: not run (scripts/gen/gen.ts does not exist yet)\n'
  note "the generated-files check did not run: scripts/gen/gen.ts does not exist yet"
fi

report=$work/vitest.json
printf '\n==> vitest\n'
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
vitest_status=$?

set --
for name in $failed_steps; do set -- "$@" --failed-step "$name"; done
while IFS= read -r line; do set -- "$@" --note "$line"; done <"$work/notes"
if [ -x node_modules/.bin/tsx ]; then
  node_modules/.bin/tsx scripts/ci-summary.ts --report "$report" --vitest-status "$vitest_status" "$@"
  exit $?
fi
# No tsx (the npm dependencies could not be installed): a summary without test counts.
count=$(($(echo "$failed_steps" | wc -w) + 1))
printf '\nfailed steps, counted as one failed test each:%s vitest (not runnable)\n0 passed, %s failed\n' "$failed_steps" "$count"
exit 1
