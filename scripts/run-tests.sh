#!/bin/bash
# Runs the test suite against one or more build directories and prints one
# closing line, "N passed, N failed".
#   scripts/run-tests.sh [--unit-only] [--valgrind] BUILD_DIR...
# Unit tests are the cmocka programs in BUILD_DIR/tests; end-to-end tests are the
# scripts in tests/e2e and tests/tui, run against BUILD_DIR's movierec binary.
# Every test script prints TAP-like "ok ..." / "not ok ..." lines.
#
# Trained models are shared: before the first end-to-end script, the first BUILD_DIR's binary
# trains the default model (the hybrid) of ml-latest-small once, itself a test of training, into
# a scratch cache that every e2e and TUI script of every build copies (MOVIEREC_TEST_CACHE), so
# that none of them trains it again: the model file does not depend on the build's flags.
# --valgrind: scripts/valgrind.sh over the first BUILD_DIR (which should be a build without
# sanitizers), with the same cache; it runs in the background from the moment the cache is
# ready (valgrind uses one core, most of the suite one too) and its report comes at the end.
# Each program and script is timed; the closing summary gives wall and CPU seconds per stage.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD

unit_only=0
valgrind=0
while [ $# -gt 0 ]; do
    case $1 in
    --unit-only) unit_only=1 ;;
    --valgrind) valgrind=1 ;;
    *) break ;;
    esac
    shift
done
[ $# -ge 1 ] || set -- build

passed=0
failed=0
failures=()
scratch=$(mktemp -d "${TMPDIR:-/tmp}/movierec-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
log=$scratch/log
times=$scratch/times # "STAGE WALL CPU NAME" per program or script

binary_of() { # BUILD_DIR: its movierec binary
    if [ "$1" = build ]; then echo "$top/movierec"; else echo "$top/$1/movierec"; fi
}

# timed STAGE NAME CMD...: runs CMD with stdout and stderr in $log and records its wall and CPU
# seconds (children included) in $times; prints "# NAME: ..."; returns CMD's status.
timed() {
    local stage=$1 name=$2 rc t
    shift 2
    local TIMEFORMAT='%R %U %S'
    { time "$@" >"$log" 2>&1; } 2>"$log.time"
    rc=$?
    t=$(tail -n 1 "$log.time")
    cat "$log"
    awk -v s="$stage" -v n="$name" '{ printf "%s %.1f %.1f %s\n", s, $1, $2 + $3, n }' \
        <<<"$t" >>"$times"
    awk -v n="$name" '{ printf "# %s: %.1f s (CPU %.1f s)\n", n, $1, $2 + $3 }' <<<"$t"
    return $rc
}

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

# run_script STAGE NAME CMD...: a TAP-printing script; a failure without a "not ok" line (a
# crash, a timeout) counts as one failure.
run_script() {
    local stage=$1 name=$2 rc
    shift 2
    timed "$stage" "$name" "$@"
    rc=$?
    count_tap "$log" "$name"
    if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log"; then
        failed=$((failed + 1))
        failures+=("$name exited $rc")
    fi
}

# shared_cache BUILD_DIR: trains the hybrid of ml-latest-small with the build's binary into
# $scratch/cache and exports MOVIEREC_TEST_CACHE (the directory of .model files); on failure
# the scripts train for themselves.
shared_cache() {
    local bin cache=$scratch/cache
    bin=$(binary_of "$1")
    echo "=== shared model cache ($1)"
    train_shared() {
        local out
        out=$(XDG_CACHE_HOME=$cache HOME=$scratch MOVIEREC_HOME=$scratch/home \
            "$bin" --data "$top/data/ml-latest-small" train 2>&1)
        local rc=$?
        echo "$out"
        if [ $rc -eq 0 ] && ls "$cache"/movierec/hybrid-*.model >/dev/null 2>&1; then
            echo "ok - the hybrid of ml-latest-small trains and is saved, for every e2e and TUI script"
        else
            echo "not ok - the hybrid of ml-latest-small trains and is saved (exit $rc)"
        fi
    }
    run_script "cache($1)" "$1: train-shared-cache" train_shared
    if ls "$cache"/movierec/hybrid-*.model >/dev/null 2>&1; then
        export MOVIEREC_TEST_CACHE=$cache/movierec
    fi
}

# valgrind_start BUILD_DIR: scripts/valgrind.sh in the background (vg_pid), output and times
# under $scratch.
vg_pid=
valgrind_start() {
    (
        TIMEFORMAT='%R %U %S'
        { time scripts/valgrind.sh "$1" >"$scratch/vg.log" 2>&1; } 2>"$scratch/vg.time"
    ) &
    vg_pid=$!
    echo "=== valgrind ($1): started in the background, reported at the end"
}

# valgrind_finish BUILD_DIR: waits for it and reports as for a script.
valgrind_finish() {
    local rc t
    wait "$vg_pid"
    rc=$?
    echo "=== valgrind ($1)"
    cat "$scratch/vg.log"
    t=$(tail -n 1 "$scratch/vg.time")
    awk -v b="$1" '{ printf "valgrind(%s) %.1f %.1f %s: valgrind.sh\n", b, $1, $2 + $3, b }' \
        <<<"$t" >>"$times"
    awk -v b="$1" '{ printf "# %s: valgrind.sh: %.1f s (CPU %.1f s)\n", b, $1, $2 + $3 }' <<<"$t"
    count_tap "$scratch/vg.log" "$1: valgrind.sh"
    if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$scratch/vg.log"; then
        failed=$((failed + 1))
        failures+=("$1: valgrind.sh exited $rc")
    fi
}

# tui_start BUILD_DIR BINARY: the TUI scripts in the background (they spend their time waiting
# for the screen, not computing), output under $scratch/tui-N; a script that fails without a
# "not ok" line gets one.
tui_builds=()
tui_pids=()
tui_start() {
    local n=${#tui_builds[@]}
    echo "=== tui tests ($1): started in the background, reported at the end"
    (
        log=$scratch/tui-$n.cur
        for s in "$top/tests/tui"/test_*.sh; do
            [ -f "$s" ] || continue
            timed "tui($1)" "$1: $(basename "$s")" env MOVIEREC_BIN="$2" timeout 900 bash "$s"
            rc=$?
            if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log"; then
                echo "not ok - $1: $(basename "$s") exited $rc"
            fi
        done
    ) >"$scratch/tui-$n.out" 2>&1 &
    tui_pids+=($!)
    tui_builds+=("$1")
}

# tui_finish BUILD_DIR: waits for its TUI scripts and reports them.
tui_finish() {
    local n
    for n in "${!tui_builds[@]}"; do
        [ "${tui_builds[$n]}" = "$1" ] || continue
        wait "${tui_pids[$n]}"
        echo "=== tui tests ($1)"
        cat "$scratch/tui-$n.out"
        count_tap "$scratch/tui-$n.out" "$1: tui"
    done
}

for build in "$@"; do
    bin=$(binary_of "$build")
    echo "=== unit tests ($build)"
    for t in "$top/$build"/tests/test_*; do
        [ -x "$t" ] || continue
        if timed "unit($build)" "$build: $(basename "$t")" "$t"; then rc=0; else rc=$?; fi
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
        passed=$((passed + p))
        failed=$((failed + f))
        [ "$f" -gt 0 ] && failures+=("$build: $(basename "$t") (exit $rc)")
    done
    [ $unit_only = 1 ] && continue
    [ -n "${MOVIEREC_TEST_CACHE:-}" ] || shared_cache "$build"
    [ $valgrind = 1 ] && [ -z "$vg_pid" ] && valgrind_start "$1"
    tui_start "$build" "$bin"
    echo "=== e2e tests ($build)"
    for s in "$top/tests/e2e"/test_*.sh; do
        [ -f "$s" ] || continue
        run_script "e2e($build)" "$build: $(basename "$s")" \
            env MOVIEREC_BIN="$bin" timeout 900 bash "$s"
    done
done
for build in "${tui_builds[@]}"; do
    tui_finish "$build"
done

if [ $valgrind = 1 ]; then
    [ -n "$vg_pid" ] || valgrind_start "$1"
    valgrind_finish "$1"
fi

echo "=== time per stage (seconds: wall, CPU; valgrind and the TUI scripts ran beside the others)"
awk '{ w[$1] += $2; c[$1] += $3; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
     END { for (i = 0; i < n; i++) { s = order[i]; printf "  %-22s %7.1f %7.1f\n", s, w[s], c[s];
                                     tw += w[s]; tc += c[s] }
           printf "  %-22s %7.1f %7.1f\n", "sum", tw, tc }' "$times"
echo "  elapsed                $(printf '%7d' "$SECONDS")"
echo "=== slowest"
sort -k2,2 -g -r "$times" | head -n 8 |
    awk '{ w = $2; c = $3; $1 = $2 = $3 = ""; sub(/^ +/, ""); printf "  %7.1f %7.1f  %s\n", w, c, $0 }'
if [ ${#failures[@]} -gt 0 ]; then
    echo "=== failures"
    printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
