#!/usr/bin/env bash
# npm run test:valgrind: memcheck over a focused subset of the suite (I/O,
# cancellation, close), with the JIT off (valgrind cannot follow V8's
# generated code) and the addon as built by npm install. Takes about a
# minute. Leaks are not checked: Node does not free everything at exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
npx --no-install tsc -p tsconfig.json
specs=(dist/test/io.test.js dist/test/cancel.test.js dist/test/close.test.js dist/test/queue.test.js)
valgrind --quiet --error-exitcode=9 --leak-check=no --suppressions=scripts/valgrind.supp \
  node --jitless node_modules/.bin/mocha --no-config --timeout 120000 \
  --reporter ./test/support/summary-reporter.cjs "${specs[@]}" "$@"
