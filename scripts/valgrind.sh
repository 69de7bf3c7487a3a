#!/bin/bash
# Runs the quick unit test programs and a few CLI commands under valgrind's memcheck, failing
# on any memory error and on definite or indirect leaks.
#   scripts/valgrind.sh [BUILD_DIR]     (default: build, a build without sanitizers)
# Prints "ok - ..." / "not ok - ..." per program and the closing "N passed, N failed"; the
# valgrind log of a failure is kept in BUILD_DIR/valgrind/.
# The commands on ml-latest-small that use the default model (the hybrid) load it from a cache:
# $MOVIEREC_TEST_CACHE (the models scripts/run-tests.sh trained for the suite, as `make test`
# runs this script), or else one trained here first, natively (not under valgrind).
# `make test` and `make check` run this script.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD
build=${1:-build}
bin=$top/movierec
[ "$build" != build ] && bin=$top/$build/movierec

# Left out: the unit tests that train every model on ml-latest-small (tens of seconds natively,
# several minutes each under valgrind), the end-to-end and TUI scripts (dozens of runs each,
# and training), and the fuzz targets (libFuzzer needs clang's sanitizers).  The sanitizer
# build of `make test` runs all of them; the training code runs here on the tiny fixture
# (cli-recommend-tiny) and the trained hybrid of ml-latest-small is loaded and used.
skip="test_hybrid test_hybrid_coldstart test_tune test_tune_grids test_session test_session_models test_models_mf test_models_nbr"

command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed (scripts/deps.sh test)" >&2; exit 1; }
logs=$top/$build/valgrind
mkdir -p "$logs"
# shellcheck disable=SC2054
vg=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99
    --track-fds=no)

passed=0
failed=0
# vg_run NAME CMD...: runs the command under valgrind; fails on exit 99 (a valgrind error) or
# any other failure of the command itself.
vg_run() {
    local name=$1
    shift
    local log=$logs/$name.log
    local start=$SECONDS
    "${vg[@]}" --log-file="$log" "$@" >"$log.out" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] && [ ! -s "$log" ]; then
        echo "ok - valgrind $name ($((SECONDS - start))s)"
        passed=$((passed + 1))
        rm -f "$log" "$log.out"
    else
        echo "not ok - valgrind $name (exit $rc, $((SECONDS - start))s; see $log)"
        head -20 "$log" | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
}

for t in "$top/$build"/tests/test_*; do
    if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
    name=$(basename "$t")
    case " $skip " in
    *" $name "*)
        echo "ok - valgrind $name # SKIP minutes under valgrind"
        continue
        ;;
    esac
    vg_run "$name" "$t"
done

# A few commands, on the small fixture and on ml-latest-small (catalog only where it can be).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MOVIEREC_HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache LC_ALL=C.UTF-8 TZ=UTC
unset MOVIEREC_DATA
tiny=$top/tests/fixtures/ml-latest-tiny
small=$top/data/ml-latest-small
vg_run "cli-search" "$bin" --data "$small" search "amelie" --tsv
vg_run "cli-info" "$bin" --data "$small" info 2571
vg_run "cli-rate" "$bin" --data "$small" rate heat 4.5
vg_run "cli-import-imdb" "$bin" --data "$small" import "$top/tests/fixtures/import/imdb_ratings.csv"
vg_run "cli-import-letterboxd" "$bin" --data "$small" import \
    "$top/tests/fixtures/import/letterboxd_ratings.csv"
vg_run "cli-ratings" "$bin" --data "$small" ratings --tsv
vg_run "cli-export" "$bin" export "$tmp/export.csv"
vg_run "cli-recommend-tiny" "$bin" --data "$tiny" recommend --user 1 --algo pop
vg_run "cli-train-tiny" "$bin" --data "$tiny" train
vg_run "cli-recommend-tiny-hybrid" "$bin" --data "$tiny" recommend --explain
vg_run "cli-bad-data" "$bin" --data "$top/tests/fixtures/bad-csv" info 1

# The default model of ml-latest-small, loaded from a cache trained before (see above).
if [ -n "${MOVIEREC_TEST_CACHE:-}" ] && [ -d "$MOVIEREC_TEST_CACHE" ]; then
    mkdir -p "$tmp/cache/movierec" && chmod 700 "$tmp/cache/movierec" &&
        cp -p "$MOVIEREC_TEST_CACHE"/* "$tmp/cache/movierec/"
else
    echo "# training the hybrid of ml-latest-small natively first"
    "$bin" --data "$small" train >/dev/null
fi
vg_run "cli-recommend-small-user" "$bin" --data "$small" recommend --user 1 -n 5 --explain
vg_run "cli-recommend-small-profile" "$bin" --data "$small" recommend --explain
vg_run "cli-similar-small" "$bin" --data "$small" similar toy story 2 --explain

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
