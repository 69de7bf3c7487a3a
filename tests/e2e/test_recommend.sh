#!/bin/bash
# End-to-end tests of recommend and similar: the columns, rated films never recommended (for a
# profile and for a data-set user, checked against ratings.csv), reasons with --explain, the
# default model on every layout, and usage errors.  Heavy models are only trained on the tiny
# fixtures, so that the suite stays quick under the sanitizers too.
. "$(dirname "$0")/lib.sh"

export MOVIEREC_HOME=$TMP/mrhome XDG_CACHE_HOME=$TMP/cache
header=$(printf 'movieId\ttitle\tyear\tgenres\tscore\treason')

# ---- the default model (hybrid) on each tiny layout
for d in ml-latest-tiny ml-1m-tiny ml-100k-tiny; do
    run_rc "recommend on $d" 0 --data "$FIX/$d" recommend --tsv
    check "$d: the columns" test "$(head -1 "$TMP/out")" = "$header"
    check "$d: five films" test "$(($(wc -l <"$TMP/out") - 1))" -eq 5
    check "$d: scores are numbers" awk -F'\t' 'NR > 1 && $5 !~ /^-?[0-9]+\.[0-9]+$/ { exit 1 }' "$TMP/out"
    check "$d: without --explain the reason column is empty" awk -F'\t' 'NR > 1 && $6 != "" { exit 1 }' "$TMP/out"
done
check "the models were cached" bash -c "ls '$TMP/cache/movierec/'*.model >/dev/null"

tiny=$FIX/ml-latest-tiny
run_rc "recommend --explain" 0 --data "$tiny" recommend --explain --tsv
check "every film has a reason" awk -F'\t' 'NR > 1 && $6 == "" { exit 1 }' "$TMP/out"
run_rc "recommend --explain as a table" 0 --data "$tiny" recommend --explain -n 2
check "the reason is on its own line under the film" \
    awk 'NR == 2 && $1 !~ /^[0-9]+$/ { exit 1 } NR == 3 && !/^         [^ ]/ { exit 1 }' "$TMP/out"
run_rc "rate a film in the tiny set" 0 --data "$tiny" rate 2571 5
run_rc "recommend after rating" 0 --data "$tiny" recommend -n 7 --tsv
check "a rated film is not recommended" bash -c "! cut -f1 '$TMP/out' | grep -qx 2571"
rated_films=$(tail -n +2 "$tiny/ratings.csv" | cut -d, -f2 | sort -u | grep -vcx 2571)
check "the other films are, at most the $rated_films others anyone rated" \
    test "$(($(wc -l <"$TMP/out") - 1))" -ge 5 -a "$(($(wc -l <"$TMP/out") - 1))" -le "$rated_films"
run_rc "-n 2" 0 --data "$tiny" recommend -n 2 --tsv
check "-n 2 gives two films" test "$(($(wc -l <"$TMP/out") - 1))" -eq 2
run_rc "another profile is not affected" 0 --data "$tiny" --profile other recommend -n 8 --tsv
check "... and may get the film rated in the default profile" cut -f1 "$TMP/out" | grep -qx 2571
run_rc "--profile after the command" 0 --data "$tiny" recommend --profile other -n 8 --tsv
check "... is the same profile" cut -f1 "$TMP/out" | grep -qx 2571

# ---- a data-set user of ml-latest-small, with light models
run_rc "recommend for user 1 by popularity" 0 --data "$SMALL" recommend --user 1 --algo pop -n 20 --tsv
check "20 films" test "$(($(wc -l <"$TMP/out") - 1))" -eq 20
awk -F, '$1 == 1 { print $2 }' "$SMALL/ratings.csv" | sort >"$TMP/rated1"
check "none of them rated by user 1 in ratings.csv" \
    test -z "$(tail -n +2 "$TMP/out" | cut -f1 | sort | comm -12 - "$TMP/rated1")"
check "best first" awk -F'\t' 'NR > 2 && $5 + 0 > prev + 1e-6 { exit 1 } NR > 1 { prev = $5 + 0 }' "$TMP/out"
run_rc "recommend for user 1 with item-kNN" 0 --data "$SMALL" recommend --user 1 --algo itemknn -n 10 --explain --tsv
check "... none rated by user 1" \
    test -z "$(tail -n +2 "$TMP/out" | cut -f1 | sort | comm -12 - "$TMP/rated1")"
check "... each with a reason" awk -F'\t' 'NR > 1 && $6 == "" { exit 1 }' "$TMP/out"
run_rc "a user who is not in the data set" 1 --data "$SMALL" recommend --user 999999 --algo pop
check "... is named" has "$TMP/err" "999999"

run_rc "similar films by item-kNN" 0 --data "$SMALL" similar toy story 2 --algo itemknn -n 10 --tsv
check "similar: the columns" test "$(head -1 "$TMP/out")" = "$header"
check "Toy Story is among the ten most like Toy Story 2" cut -f1 "$TMP/out" | grep -qx 1
check "the film itself is not listed" bash -c "! cut -f1 '$TMP/out' | grep -qx 3114"
check "most similar first" awk -F'\t' 'NR > 2 && $5 + 0 > prev + 1e-6 { exit 1 } NR > 1 { prev = $5 + 0 }' "$TMP/out"
run_rc "similar --explain" 0 --data "$SMALL" similar 3114 --algo itemknn -n 3 --explain --tsv
check "similar: every film has a reason" awk -F'\t' 'NR > 1 && $6 == "" { exit 1 }' "$TMP/out"
run_rc "similar on the tiny set with the default model" 0 --data "$tiny" similar toy story --tsv
check "... does not list the film itself" bash -c "! cut -f1 '$TMP/out' | grep -qx 1"
run_rc "similar to an ambiguous title" 1 --data "$SMALL" similar "star wars" --algo pop
check "... lists the candidates" has "$TMP/err" "A New Hope"

# ---- the default model on ml-latest-small, from the models the suite trained once
# A model file does not depend on the build's flags: one trained by the plain build loads in
# the sanitizer build without a word (else every script of that build would train again).
if use_shared_cache "$TMP/shared"; then
    model=$(find "$TMP/shared/movierec" -name 'hybrid-*.model' | head -1)
    inode=$(stat -c %i "$model")
    XDG_CACHE_HOME=$TMP/shared run_rc "recommend for user 1 with the default model" 0 \
        --data "$SMALL" recommend --user 1 -n 10 --explain --tsv
    check "... the shared model file is loaded as it is (no retraining, nothing on stderr)" \
        test ! -s "$TMP/err" -a "$(stat -c %i "$model")" = "$inode"
    check "... ten films, none rated by user 1 in ratings.csv" \
        test "$(tail -n +2 "$TMP/out" | cut -f1 | sort | comm -12 - "$TMP/rated1" | wc -l)" = 0 \
        -a "$(($(wc -l <"$TMP/out") - 1))" -eq 10
    check "... each with a reason" awk -F'\t' 'NR > 1 && $6 == "" { exit 1 }' "$TMP/out"
    XDG_CACHE_HOME=$TMP/shared run_rc "similar films with the default model" 0 \
        --data "$SMALL" similar toy story 2 -n 10 --tsv
    check "... Toy Story among the ten most like Toy Story 2" cut -f1 "$TMP/out" | grep -qx 1
else
    ok "the default model on ml-latest-small # SKIP no shared model cache (run by run-tests.sh)"
fi

# ---- usage errors
run_rc "--user and --profile together" 2 --data "$tiny" recommend --user 1 --profile x
run_rc "an unknown model" 2 --data "$tiny" recommend --algo nosuchmodel
run_rc "similar with an unknown model" 2 --data "$tiny" similar 1 --algo nosuchmodel
run_rc "-n 0" 2 --data "$tiny" recommend -n 0
run_rc "--user 0" 2 --data "$tiny" recommend --user 0
run_rc "similar without a film" 2 --data "$tiny" similar
run_rc "recommend without data" 3 --data "$TMP/none" recommend

finish
