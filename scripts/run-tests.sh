#!/bin/bash
# Runs the test suite against one or more build directories and prints one
# closing line, "N passed, N failed".
#   scripts/run-tests.sh [--unit-only] BUILD_DIR...
# Unit tests are the cmocka programs in BUILD_DIR/tests; end-to-end tests are the
# scripts in tests/e2e and tests/tui, run against BUILD_DIR's movierec binary.
# Every test script prints TAP-like "ok ..." / "not ok ..." lines.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD

unit_only=0
if [ "${1:-}" = --unit-only ]; then unit_only=1; shift; fi
[ $# -ge 1 ] || set -- build

passed=0
failed=0
failures=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count_tap() { # LOG NAME: adds the ok / not ok lines of a script's output
    local ok bad
    ok=$(grep -c '^ok ' "$1")
    bad=$(grep -c '^not ok ' "$1")
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ]; then
        while IFS= read -r l; do failures+=("$2: $l"); done < <(grep '^not ok ' "$1")
    fi
}

for build in "$@"; do
    bin=$top/movierec
    [ "$build" != build ] && bin=$top/$build/movierec
    echo "=== unit tests ($build)"
    for t in "$top/$build"/tests/test_*; do
        [ -x "$t" ] || continue
        if (cd "$top" && "$t") >"$log" 2>&1; then rc=0; else rc=$?; fi
        cat "$log"
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
        passed=$((passed + p))
        failed=$((failed + f))
        [ "$f" -gt 0 ] && failures+=("$build: $(basename "$t") (exit $rc)")
    done
    [ $unit_only = 1 ] && continue
    for kind in e2e tui; do
        echo "=== $kind tests ($build)"
        for s in "$top"/tests/$kind/test_*.sh; do
            [ -f "$s" ] || continue
            MOVIEREC_BIN=$bin timeout 900 bash "$s" >"$log" 2>&1
            rc=$?
            cat "$log"
            count_tap "$log" "$build: $(basename "$s")"
            if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log"; then
                failed=$((failed + 1))
                failures+=("$build: $(basename "$s") exited $rc")
            fi
        done
    done
done

if [ ${#failures[@]} -gt 0 ]; then
    echo "=== failures"
    printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
