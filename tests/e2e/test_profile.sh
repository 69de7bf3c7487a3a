#!/bin/bash
# End-to-end tests of the profile commands: rate, unrate, ratings and profiles: ratings reach
# the profile file at once, titles resolve as elsewhere, bad ratings are refused, a profile
# held by another process is not touched, and reading never creates a profile.
. "$(dirname "$0")/lib.sh"

export MOVIEREC_DATA=$SMALL MOVIEREC_HOME=$TMP/mrhome
prof=$MOVIEREC_HOME/profiles/default.csv

run_rc "ratings before any rating" 1 ratings
check "reading does not create a profile" test ! -e "$prof"
run_rc "profiles before any profile" 1 profiles

run_rc "rate by title" 0 rate heat 4.5
check "rate says what it did" has "$TMP/out" "Heat (1995) 4.5"
check "the profile file exists under MOVIEREC_HOME" test -f "$prof"
check "the rating is in the profile, MovieLens columns" \
    bash -c "head -1 '$prof' | grep -qx 'userId,movieId,rating,timestamp' && grep -q '^[0-9]*,6,4.5,[0-9]*$' '$prof'"
run_rc "rate by movieId" 0 rate 2571 5
run_rc "rate a title of several words without quotes" 0 rate toy story 2 3.5
check "... is Toy Story 2" has "$TMP/out" "Toy Story 2 (1999)"
run_rc "change a rating" 0 rate Heat 3
check "the old rating is mentioned" has "$TMP/out" "was 4.5"

run_rc "ratings --tsv" 0 ratings --tsv
check "ratings columns" test "$(head -1 "$TMP/out")" = "$(printf 'movieId\ttitle\tyear\tgenres\trating\ttimestamp')"
check "three films rated" test "$(($(wc -l <"$TMP/out") - 1))" -eq 3
check "the changed rating is the current one" \
    test "$(awk -F'\t' '$1 == 6 { print $5 }' "$TMP/out")" = "3.0"
check "timestamps are seconds since 1970, recent" \
    awk -F'\t' -v now="$(date +%s)" 'NR > 1 && ($6 !~ /^[0-9]+$/ || $6 > now + 5 || $6 < now - 3600) { exit 1 }' "$TMP/out"
check "newest first" awk -F'\t' 'NR > 2 && $6 > prev { exit 1 } NR > 1 { prev = $6 }' "$TMP/out"
check "titles and genres come from the catalog" \
    test "$(awk -F'\t' '$1 == 2571 { print $2 "/" $4 }' "$TMP/out")" = "The Matrix (1999)/Action|Sci-Fi|Thriller"
run_rc "ratings as a table" 0 ratings
check "the table shows the date" grep -qE '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$' "$TMP/out"

run_rc "unrate" 0 unrate the matrix
check "unrate says what it removed" has "$TMP/out" "was 5.0"
run_rc "ratings after unrate" 0 ratings --tsv
check "the film is gone" bash -c "! cut -f1 '$TMP/out' | grep -qx 2571"
run_rc "unrate a film that is not rated" 0 unrate 2571
check "... says so" has "$TMP/out" "not rated"

run_rc "a rating that is not a half star" 2 rate heat 3.3
run_rc "a rating above 5" 2 rate heat 5.5
run_rc "a rating of 0" 2 rate heat 0
run_rc "a rating that is not a number" 2 rate heat good
run_rc "rate without a rating" 2 rate heat
run_rc "an ambiguous title" 1 rate "star wars" 4
check "nothing was rated" bash -c "! grep -q ',260,' '$prof'"
run_rc "an unknown film" 1 rate 99999999 4

run_rc "another profile" 0 --profile alice rate 1 4
check "it has its own file" test -f "$MOVIEREC_HOME/profiles/alice.csv"
run_rc "its ratings are its own" 0 --profile alice ratings --tsv
check "alice has one rating" test "$(($(wc -l <"$TMP/out") - 1))" -eq 1
run_rc "a bad profile name" 2 --profile "a/b" rate 1 4
run_rc "profiles" 0 profiles --tsv
check "profiles columns" test "$(head -1 "$TMP/out")" = "$(printf 'profile\tratings\tfile')"
check "profiles lists alice with 1 rating and default with 2" \
    test "$(tail -n +2 "$TMP/out" | cut -f1,2 | tr '\t' : | paste -sd' ')" = "alice:1 default:2"

# A profile held by another process (as the full-screen interface holds it) is left alone.
if command -v flock >/dev/null 2>&1; then
    before=$(cat "$prof")
    exec 9<"$prof"
    flock -n 9
    run_rc "rate while another process holds the profile" 3 rate 1 2
    check "the message says the profile is in use" has "$TMP/err" "in use"
    flock -u 9
    exec 9<&-
    check "the profile is unchanged" test "$(cat "$prof")" = "$before"
else
    ok "flock(1) is not installed # SKIP"
fi

# A profile path that is not a regular file: a clear message at once, never a hang, and the
# thing in its place left alone.
bad_profile() { # WHAT: rate and ratings under timeout against $MOVIEREC_HOME/profiles/odd.csv
    local what=$1 cmd rc
    for cmd in "rate heat 4" ratings; do
        # shellcheck disable=SC2086 # cmd is two or three words
        timeout -k 5 20 "$BIN" --profile odd $cmd >"$TMP/out" 2>"$TMP/err"
        rc=$?
        check "$what: '${cmd%% *}' fails at once with a data error (exit $rc)" test $rc -eq 3
        check "... saying the profile is not a regular file, and what it is" \
            grep -q "odd\.csv: not a regular file ($2)" "$TMP/err"
    done
}
odd=$MOVIEREC_HOME/profiles/odd.csv
mkfifo "$odd"
bad_profile "a FIFO as the profile" "a FIFO"
check "... the FIFO is still there" test -p "$odd"
rm -f "$odd" && mkdir "$odd"
bad_profile "a directory as the profile" "a directory"
rmdir "$odd" && ln -s odd.csv "$odd"
bad_profile "a symbolic link loop as the profile" "a symbolic link loop"
rm -f "$odd"

# Damaged lines are reported as FILE:LINE, and the good ones kept.
printf '0,1,4.0,1000\nnot,a,rating\n' >>"$prof"
run_rc "a profile with a damaged line" 0 ratings --tsv
check "the damaged line is reported with its line number" grep -qE "default\.csv:[0-9]+: " "$TMP/err"
check "the good ratings are kept" test "$(awk -F'\t' '$1 == 1 { print $5 }' "$TMP/out")" = "4.0"

finish
