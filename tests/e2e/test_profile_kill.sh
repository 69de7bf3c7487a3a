#!/bin/bash
# test_profile_kill.sh — SIGKILL at random moments never loses an acknowledged rating and
# never leaves a profile that does not parse.
#
# Uses the helper modes of the profile unit test (built beside $MOVIEREC_BIN):
#   test_profile --stress PATH  rates in a loop, "try M H" before and "ack M H" after each
#                               durable mr_profile_set(); killed with SIGKILL here
#   test_profile --dump PATH    replays the profile: "M H" per rating, exit 3 on a bad line
# After every kill the profile must hold every acknowledged change; the one change in flight
# (tried, not acknowledged) may or may not be there.
set -u
bin=${MOVIEREC_BIN:-./movierec}
dir=$(cd "$(dirname "$bin")" && pwd)
helper=""
for cand in "$dir/tests/test_profile" "$dir/build/tests/test_profile"; do
    [ -x "$cand" ] && { helper=$cand; break; }
done
if [ -z "$helper" ]; then
    echo "not ok - profile kill test: helper test_profile not built beside $bin"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
profile=$tmp/profile.csv
rounds=${ROUNDS:-40}

declare -A want # movie -> acknowledged half stars (absent = unrated)
lost=0
unparsable=0
acks=0
for ((round = 1; round <= rounds; round++)); do
    "$helper" --stress "$profile" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    # Let it run 10..90 ms, then kill it without warning.
    sleep "0.0$((RANDOM % 9 + 1))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null

    inflight_movie="" inflight_half=""
    while read -r kind movie half; do
        if [ "$kind" = try ]; then
            inflight_movie=$movie inflight_half=$half
        elif [ "$kind" = ack ]; then
            if [ "$half" = 0 ]; then unset "want[$movie]"; else want[$movie]=$half; fi
            inflight_movie=""
            acks=$((acks + 1))
        fi
    done <"$tmp/out"

    if ! "$helper" --dump "$profile" >"$tmp/dump" 2>"$tmp/dumperr"; then
        unparsable=$((unparsable + 1))
        echo "# round $round: the profile did not replay cleanly:"
        sed 's/^/#   /' "$tmp/dumperr"
    fi
    declare -A have=()
    while read -r movie half; do have[$movie]=$half; done <"$tmp/dump"

    for ((m = 1; m <= 50; m++)); do
        w=${want[$m]:-0}
        h=${have[$m]:-0}
        [ "$w" = "$h" ] && continue
        if [ "$m" = "$inflight_movie" ] && [ "$h" = "$inflight_half" ]; then
            continue # the change in flight reached the disk before the kill: fine
        fi
        lost=$((lost + 1))
        echo "# round $round: movie $m acknowledged as $w, profile has $h"
    done
    # The in-flight change is now decided by what is on disk.
    if [ -n "$inflight_movie" ]; then
        h=${have[$inflight_movie]:-0}
        if [ "$h" = 0 ]; then unset "want[$inflight_movie]"; else want[$inflight_movie]=$h; fi
    fi
    unset have
done

if [ "$acks" -gt 0 ]; then
    echo "ok - profile kill test ran $rounds SIGKILL rounds with $acks acknowledged changes"
else
    echo "not ok - profile kill test: the stress helper acknowledged nothing"
fi
if [ "$lost" -eq 0 ]; then
    echo "ok - every acknowledged rating survived SIGKILL"
else
    echo "not ok - $lost acknowledged ratings were lost or wrong after SIGKILL"
fi
if [ "$unparsable" -eq 0 ]; then
    echo "ok - the profile replayed without a bad line after every SIGKILL"
else
    echo "not ok - the profile had bad lines after $unparsable of $rounds kills"
fi
if [ -e "$profile.bak" ]; then
    echo "not ok - a backup was made, so some kill left a bad line"
else
    echo "ok - no backup was ever needed"
fi
