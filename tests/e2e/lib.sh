# lib.sh — shared helpers for the end-to-end tests of the movierec command line.
# Source it from a test script; it sets:
#   TOP      the repository root        BIN   the binary under test ($MOVIEREC_BIN)
#   SMALL    data/ml-latest-small       FIX   tests/fixtures
#   TMP      a scratch directory, removed at exit
# and a clean environment: HOME in TMP, no MOVIEREC_DATA / MOVIEREC_HOME / XDG_* variables, a
# UTF-8 locale (MOVIEREC_TEST_CACHE, the suite's trained models, is kept: use_shared_cache).
# Checks print "ok - what" or "not ok - what"; call finish at the end (exit 1 on any failure).

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${MOVIEREC_BIN:-$TOP/movierec}
SMALL=$TOP/data/ml-latest-small
FIX=$TOP/tests/fixtures
TMP=$(mktemp -d "${TMPDIR:-/tmp}/movierec-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

export HOME=$TMP/home
mkdir -p "$HOME"
unset MOVIEREC_DATA MOVIEREC_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME COLUMNS NO_COLOR
export LC_ALL=C.UTF-8 TZ=UTC

n_failed=0
n_passed=0

ok() {
    echo "ok - $*"
    n_passed=$((n_passed + 1))
}

not_ok() {
    echo "not ok - $*"
    n_failed=$((n_failed + 1))
}

# check WHAT COMMAND...: ok when the command succeeds.
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# run ARGS...: runs the binary; stdout in $TMP/out, stderr in $TMP/err, exit code in $rc.
run() {
    "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# run_rc WHAT EXPECTED_RC ARGS...: runs the binary and checks its exit code; on failure shows
# what it printed on stderr.
run_rc() {
    local what=$1 want=$2
    shift 2
    run "$@"
    if [ "$rc" -eq "$want" ]; then
        ok "$what (exit $want)"
    else
        not_ok "$what: exit $rc, expected $want"
        sed 's/^/#   stderr: /' "$TMP/err" | head -5
    fi
}

# has FILE TEXT: the file contains the fixed string TEXT.
has() {
    grep -qF -- "$2" "$1"
}

# field FILE ROW COL: the COL-th tab-separated field of line ROW (1 = header) of FILE.
field() {
    awk -F'\t' -v r="$2" -v c="$3" 'NR == r { print $c; exit }' "$1"
}

# use_shared_cache DIR: copies the models of ml-latest-small that scripts/run-tests.sh trained
# once for the suite ($MOVIEREC_TEST_CACHE) into the cache DIR (an XDG_CACHE_HOME).  Fails when
# there are none (the script was run on its own).
use_shared_cache() {
    [ -n "${MOVIEREC_TEST_CACHE:-}" ] && [ -d "$MOVIEREC_TEST_CACHE" ] || return 1
    mkdir -p "$1/movierec" && chmod 700 "$1/movierec" && cp -p "$MOVIEREC_TEST_CACHE"/* "$1/movierec/"
}

# finish: the closing line; exit status 1 when any check failed.
finish() {
    echo "# $n_passed passed, $n_failed failed"
    [ "$n_failed" -eq 0 ]
}
