# shellcheck shell=bash
# lib.sh — helpers for driving the real movierec binary under tmux (sourced by test_*.sh).
#
# One private tmux server per script (-L movierec-test-PID), one temporary HOME shared by all
# the runs of a script (so the models are trained at most once and the cache is reused), waits
# that poll the screen until a text appears or a timeout passes, and TAP-like result lines.

TUI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${MOVIEREC_BIN:=$TUI_TOP/movierec}"
case $MOVIEREC_BIN in /*) ;; *) MOVIEREC_BIN=$TUI_TOP/$MOVIEREC_BIN ;; esac
TUI_DATA=${TUI_DATA:-$TUI_TOP/data/ml-latest-small}
TUI_SOCK=movierec-test-$$
TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/movierec-tui.XXXXXX")
export TUI_PROFILE=$TUI_TMP/home/profiles/default.csv
# The models of ml-latest-small trained once for the whole suite (scripts/run-tests.sh sets
# MOVIEREC_TEST_CACHE to their directory) are copied into this script's cache, so that no start
# trains them; without it the first start trains them (minutes under AddressSanitizer).
# shellcheck disable=SC2034 # read by the test scripts
TUI_SHARED_CACHE=0
if [ -n "${MOVIEREC_TEST_CACHE:-}" ] && [ "$TUI_DATA" = "$TUI_TOP/data/ml-latest-small" ] &&
    mkdir -p "$TUI_TMP/cache" && mkdir -m 700 "$TUI_TMP/cache/movierec" &&
    cp -p "$MOVIEREC_TEST_CACHE"/* "$TUI_TMP/cache/movierec/"; then
    # shellcheck disable=SC2034
    TUI_SHARED_CACHE=1
fi
# Seconds to wait for the screen to react to a key, and for the first start (which trains
# the models; slow under AddressSanitizer).
TUI_WAIT=${TUI_WAIT:-30}
TUI_WAIT_START=${TUI_WAIT_START:-400}
TUI_FAILED=0

tui_cleanup() {
    tmux -L "$TUI_SOCK" kill-server 2>/dev/null
    rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() {
    echo "not ok - $*"
    TUI_FAILED=$((TUI_FAILED + 1))
}

# check WHAT COMMAND...: one result line; on failure the screen is shown as comments.
check() {
    local what=$1
    shift
    if "$@"; then
        ok "$what"
    else
        not_ok "$what"
        tui_dump
    fi
}

# tui_start COLS ROWS [NAME=VALUE...]: starts movierec in a fresh tmux session "mr".  When it
# ends, the pane prints "[exit N]" and the terminal modes (stty -a), and stays open.
# TUI_PRELUDE, when set, is run by the pane's shell first (e.g. a ulimit).
# Killing the last session ends the tmux server, and a new session asked for while it is
# still going away fails ("server exited unexpectedly"): so it is asked again.
tui_start() {
    local cols=$1 rows=$2 try
    shift 2
    tmux -L "$TUI_SOCK" kill-session -t mr 2>/dev/null
    for try in 1 2 3 4 5 6 7 8 9 10; do
        tmux -L "$TUI_SOCK" new-session -d -s mr -x "$cols" -y "$rows" \
            "${TUI_PRELUDE:-:}; env HOME=$TUI_TMP MOVIEREC_HOME=$TUI_TMP/home XDG_CACHE_HOME=$TUI_TMP/cache \
XDG_STATE_HOME=$TUI_TMP/state TERM=xterm-256color LANG=C.UTF-8 $* \
$MOVIEREC_BIN --data $TUI_DATA; echo \"[exit \$?]\"; stty -a; exec sleep 3600" 2>/dev/null && return 0
        sleep 0.$try
    done
    echo "# tmux would not start a session" >&2
    return 1
}

tui_keys() { tmux -L "$TUI_SOCK" send-keys -t mr "$@"; }
tui_type() { tmux -L "$TUI_SOCK" send-keys -t mr -l "$1"; }
tui_screen() { tmux -L "$TUI_SOCK" capture-pane -p -t mr; }
tui_screen_escapes() { tmux -L "$TUI_SOCK" capture-pane -p -e -t mr; }
tui_resize() { tmux -L "$TUI_SOCK" resize-window -t mr -x "$1" -y "$2"; }

# The process id of movierec inside the pane (the pane's shell runs it as its child).
tui_pid() {
    local shell
    shell=$(tmux -L "$TUI_SOCK" display-message -p -t mr '#{pane_pid}')
    pgrep -P "$shell" | head -1
}

# tui_wait TEXT [SECONDS]: succeeds as soon as TEXT (fixed string) is on the screen.
tui_wait() {
    local deadline=$((SECONDS + ${2:-$TUI_WAIT}))
    while :; do
        tui_screen | grep -qF -- "$1" && return 0
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# tui_wait_gone TEXT [SECONDS]: succeeds as soon as TEXT is no longer on the screen.
tui_wait_gone() {
    local deadline=$((SECONDS + ${2:-$TUI_WAIT}))
    while :; do
        tui_screen | grep -qF -- "$1" || return 0
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# tui_until SECONDS COMMAND...: succeeds as soon as COMMAND does.
tui_until() {
    local deadline=$((SECONDS + $1))
    shift
    while :; do
        "$@" && return 0
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# tui_line N: line N (1-based) of the screen.
tui_line() { tui_screen | sed -n "${1}p"; }

# tui_strip: the five film lines of the "Top 5 for you" strip.
tui_strip() { tui_screen | sed -n '/Top 5 for you/,+5p' | tail -n +2; }

# tui_dump: the screen as comments, for reading a failure.
tui_dump() { tui_screen | sed 's/^/#   /'; }
