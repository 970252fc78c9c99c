#!/usr/bin/env bash
# Prints one closing line for `make test` from the logs of its `swift test` runs:
#   tests: N passed, M failed, K skipped
# counting XCTest's per-case result lines ("Test Case '...' passed|failed|skipped (...)").
set -euo pipefail
passed=0 failed=0 skipped=0
for log in "$@"; do
  passed=$((passed + $(grep -cE "^Test Case '.*' passed \(" "$log" || true)))
  failed=$((failed + $(grep -cE "^Test Case '.*' failed \(" "$log" || true)))
  skipped=$((skipped + $(grep -cE "^Test Case '.*' skipped \(" "$log" || true)))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
