#!/bin/bash
# End-to-end tests of `movierec gen`: the synthetic set has the requested counts, loads back
# through movierec itself, keeps quoted titles, depends only on the seed, and never leaves a
# half-written or clobbered directory.
. "$(dirname "$0")/lib.sh"

out=$TMP/synth
run_rc "gen over the ml-latest-small catalog" 0 gen --catalog "$SMALL/movies.csv" --users 30 \
    --ratings 2000 --seed 3 --out "$out"
check "gen reports what it wrote" has "$TMP/out" "2000 ratings by 30 users"
check "the layout is ml-latest: four CSV files" \
    test -f "$out/movies.csv" -a -f "$out/ratings.csv" -a -f "$out/tags.csv" -a -f "$out/links.csv"
check "no DIR.tmp is left behind" test ! -e "$out.tmp"
check "ratings.csv has the MovieLens header" test "$(head -1 "$out/ratings.csv")" = "userId,movieId,rating,timestamp"
check "ratings.csv has 2000 ratings" test "$(($(wc -l <"$out/ratings.csv") - 1))" -eq 2000
check "by 30 users, numbered 1..30" \
    test "$(tail -n +2 "$out/ratings.csv" | cut -d, -f1 | sort -nu | sed -n '1p;$p' | paste -sd' ')" = "1 30"
check "each user has at least 20 ratings" \
    awk -F, 'NR > 1 { n[$1]++ } END { for (u in n) if (n[u] < 20) exit 1 }' "$out/ratings.csv"
check "no user rates a film twice" \
    test "$(tail -n +2 "$out/ratings.csv" | cut -d, -f1,2 | sort -u | wc -l)" -eq 2000
check "ratings are half stars from 0.5 to 5.0" \
    awk -F, 'NR > 1 && ($3 !~ /^[0-5]\.[05]$/ || $3 < 0.5 || $3 > 5) { exit 1 }' "$out/ratings.csv"
check "every movieId is in movies.csv" \
    awk -F, 'NR == FNR { if (FNR > 1) m[$1] = 1; next } FNR > 1 && !($2 in m) { exit 1 }' \
    "$out/movies.csv" "$out/ratings.csv"
check "titles with commas stay quoted" has "$out/movies.csv" '11,"American President, The (1995)",Comedy|Drama|Romance'
check "movies.csv keeps every movie" \
    test "$(wc -l <"$out/movies.csv")" -eq "$(wc -l <"$SMALL/movies.csv")"

run_rc "the synthetic set loads" 0 --data "$out" search "american president" --tsv
check "it loads without complaints" test ! -s "$TMP/err"
check "the quoted title comes back whole" test "$(field "$TMP/out" 2 2)" = "The American President (1995)"
total=$(for id in $(tail -n +2 "$out/ratings.csv" | cut -d, -f2 | sort -u | head -5); do
    "$BIN" --data "$out" info --tsv "$id" | awk -F'\t' 'NR == 2 { print $5 }'
done | awk '{ s += $1 } END { print s + 0 }')
want=$(for id in $(tail -n +2 "$out/ratings.csv" | cut -d, -f2 | sort -u | head -5); do
    awk -F, -v id="$id" '$2 == id { n++ } END { print n }' "$out/ratings.csv"
done | awk '{ s += $1 } END { print s + 0 }')
check "info counts the synthetic ratings ($want over five films)" test "$total" = "$want"

run_rc "the same seed again" 0 gen --catalog "$SMALL/movies.csv" --users 30 --ratings 2000 \
    --seed 3 --out "$TMP/again"
check "the same seed gives the same bytes" cmp -s "$out/ratings.csv" "$TMP/again/ratings.csv"
run_rc "another seed" 0 gen --catalog "$SMALL/movies.csv" --users 30 --ratings 2000 --seed 4 \
    --out "$TMP/other"
check "another seed gives other ratings" bash -c "! cmp -s '$out/ratings.csv' '$TMP/other/ratings.csv'"

run_rc "an existing data set is not overwritten" 2 gen --catalog "$SMALL/movies.csv" --users 30 \
    --ratings 1000 --seed 5 --out "$out"
check "... and says so" has "$TMP/err" "$out"
check "... and is left as it was" cmp -s "$out/ratings.csv" "$TMP/again/ratings.csv"
run_rc "--force replaces it" 0 gen --catalog "$SMALL/movies.csv" --users 30 --ratings 1000 \
    --seed 5 --out "$out" --force
check "the new set is in place" test "$(($(wc -l <"$out/ratings.csv") - 1))" -eq 1000

MOVIEREC_DATA=$SMALL run_rc "the catalog defaults to the data set's movies.csv" 0 gen --users 5 \
    --ratings 200 --out "$TMP/default"
check "... with the same movies" cmp -s "$TMP/default/movies.csv" "$out/movies.csv"

run_rc "gen over a tiny catalog" 0 gen --catalog "$FIX/ml-latest-tiny/movies.csv" \
    --users 2 --ratings 10 --out "$TMP/tiny"
run_rc "more ratings than users x movies" 2 gen --catalog "$FIX/ml-latest-tiny/movies.csv" \
    --users 2 --ratings 1000 --out "$TMP/toomany"
check "nothing is written for an impossible request" test ! -e "$TMP/toomany" -a ! -e "$TMP/toomany.tmp"
run_rc "gen without --out" 2 gen --catalog "$SMALL/movies.csv" --users 5 --ratings 100
run_rc "gen with a bad count" 2 gen --catalog "$SMALL/movies.csv" --users -5 --ratings 100 --out "$TMP/x"
run_rc "gen with a missing catalog" 3 gen --catalog "$TMP/none.csv" --users 5 --ratings 100 --out "$TMP/x"
check "the missing catalog is named" has "$TMP/err" "$TMP/none.csv"

finish
