#!/usr/bin/env bash
# npm run check: the type check, the test suite, then `duplicates` (a report of repeated code,
# never a verdict) where the machine has it. Each runs once, whatever the others said; the check
# fails when the type check or a test fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "check: type check"
node node_modules/typescript/bin/tsc --noEmit -p tsconfig.json || status=1
echo "check: tests"
{ node scripts/build.mjs --no-typecheck && npx vitest run; } || status=1
if command -v duplicates >/dev/null 2>&1; then
  echo "check: duplicates"
  duplicates
else
  echo "check: duplicates is not installed on this machine, so there is no report of repeated code"
fi
exit "$status"
