#!/bin/bash
# End-to-end tests of import and export: the three export formats (hand-written samples in
# tests/fixtures/import), the listed problem rows, importing twice changes nothing, dry runs,
# several MovieLens users, export to stdout and to a file, and the round trip.
. "$(dirname "$0")/lib.sh"

export MOVIEREC_DATA=$SMALL MOVIEREC_HOME=$TMP/mrhome
prof=$MOVIEREC_HOME/profiles/default.csv
IMP=$FIX/import

# rating_of MOVIEID: the profile's current rating of a film, from `ratings --tsv`.
rating_of() {
    "$BIN" ratings --tsv 2>/dev/null | awk -F'\t' -v id="$1" '$1 == id { print $5 }'
}

run_rc "export before any rating" 1 export
check "export does not create a profile" test ! -e "$prof"

run_rc "import --dry-run of an IMDb export" 0 import --dry-run "$IMP/imdb_ratings.csv"
check "a dry run does not create a profile" test ! -e "$prof"
check "... but says what would change" has "$TMP/out" "would change profile 'default': 6 added"

run_rc "import an IMDb export" 0 import "$IMP/imdb_ratings.csv"
check "the format is named" has "$TMP/out" "IMDb ratings export, 7 rows: 6 matched, 0 ambiguous, 1 unknown, 0 bad"
check "the TV series is listed as unknown with its line and year" \
    has "$TMP/out" "line 5: unknown: Breaking Bad (2008)"
check "six ratings were added" has "$TMP/out" "6 added, 0 updated, 0 already there"
check "7/10 became 3.5 stars (Heat)" test "$(rating_of 6)" = "3.5"
check "9/10 became 4.5 stars (Toy Story)" test "$(rating_of 1)" = "4.5"
check "the profile has six ratings" test "$(grep -c '^0,' "$prof")" -eq 6

run_rc "the same import again" 0 import "$IMP/imdb_ratings.csv"
check "... changes nothing and says so" has "$TMP/out" "nothing changed"
check "... and writes nothing" test "$(grep -c '^0,' "$prof")" -eq 6

run_rc "rate one film differently" 0 rate 2571 2
run_rc "import again after the change" 0 import "$IMP/imdb_ratings.csv"
check "the changed film is updated, the rest already there" \
    has "$TMP/out" "0 added, 1 updated, 5 already there"
check "The Matrix is back to 5 stars" test "$(rating_of 2571)" = "5.0"

run_rc "import a Letterboxd export" 0 import "$IMP/letterboxd_ratings.csv"
check "Letterboxd is recognised" has "$TMP/out" "Letterboxd ratings.csv, 11 rows: 9 matched, 1 ambiguous, 1 unknown"
check "the ambiguous title lists both films" \
    grep -q "line 7: ambiguous: Emma (1996) could be.*838 Emma (1996).*26958 Emma (1996)" "$TMP/out"
check "the unknown film is listed" has "$TMP/out" "line 8: unknown: Parasite (2019)"
check "Amélie found through its MovieLens title" test "$(rating_of 4973)" = "4.5"
check "Se7en found through its a.k.a. title" test "$(rating_of 47)" = "4.5"
check "The Heat (2013) is not Heat (1995)" test "$(rating_of 103372)" = "2.0"

run_rc "a MovieLens file of two users without --user" 2 import "$IMP/movielens_two_users.csv"
check "... names two of the users and --user" \
    bash -c "grep -q 'several users (1 and 2' '$TMP/err' && grep -q -- '--user' '$TMP/err'"
run_rc "... with --user 2" 0 import --user 2 "$IMP/movielens_two_users.csv"
check "other users' rows are skipped and counted" has "$TMP/out" "of user 2 (2 of other users skipped)"
check "bad rows are listed with why" has "$TMP/out" "line 8: bad: rating 'six'"
check "Shawshank (318) imported at 3 stars" test "$(rating_of 318)" = "3.0"
run_rc "a user the file does not have" 2 import --user 9 "$IMP/movielens_two_users.csv"

run_rc "a CRLF MovieLens file into another profile" 0 import --profile crlf "$IMP/movielens_crlf.csv"
check "... its own profile file" test -f "$MOVIEREC_HOME/profiles/crlf.csv"
check "... three ratings" test "$(grep -c '^0,' "$MOVIEREC_HOME/profiles/crlf.csv")" -eq 3

# Old Mac line ends (a lone CR): every row is reported at its own line, as in the LF file.
tr '\n' '\r' <"$IMP/letterboxd_ratings.csv" >"$TMP/letterboxd_cr.csv"
run_rc "a Letterboxd export with CR-only line ends" 0 import --dry-run "$TMP/letterboxd_cr.csv"
check "... is read as 11 rows" has "$TMP/out" "Letterboxd ratings.csv, 11 rows: 9 matched, 1 ambiguous, 1 unknown"
check "... the ambiguous row is reported at line 7" has "$TMP/out" "line 7: ambiguous: Emma (1996)"
check "... the unknown row at line 8" has "$TMP/out" "line 8: unknown: Parasite (2019)"
check "... no row is called line 1" bash -c "! grep -q 'line 1:' '$TMP/out'"

run_rc "an IMDb export against a data set without links.csv" 1 --data "$FIX/ml-1m-tiny" \
    import --dry-run "$IMP/imdb_ratings.csv"
check "... says IMDb ids cannot be matched" has "$TMP/err" "no IMDb ids"
run_rc "a file of no known format" 3 import "$IMP/unknown_format.csv"
check "... says which formats it knows" has "$TMP/err" "not a ratings export"
run_rc "a missing file" 3 import "$TMP/nope.csv"
run_rc "a directory" 3 import "$TMP"
mkfifo "$TMP/fifo.csv"
timeout 10 "$BIN" import "$TMP/fifo.csv" >"$TMP/out" 2>"$TMP/err"
check "a FIFO is refused at once, not waited on (exit $?)" test $? -eq 3
run_rc "import without a file" 2 import
run_rc "import with two files" 2 import a b
run_rc "import --user 0" 2 import --user 0 "$IMP/movielens_two_users.csv"
printf 'Name,Year,Rating\nNo Such Film At All,1901,3\n' >"$TMP/none.csv"
run_rc "an export where nothing matches" 1 import "$TMP/none.csv"

# A profile that cannot grow (a file size limit of 1 KiB, a few lines above its size; SIGXFSZ
# ignored, so a write fails with EFBIG) stops the import part way: said on stdout and stderr,
# exit 3, and a second import once there is room brings in the rest without doubling anything.
fullprof=$MOVIEREC_HOME/profiles/full.csv
{
    echo "userId,movieId,rating,timestamp"
    # films of user 1 that the Letterboxd sample does not have, until about 960 bytes
    awk -F, 'NR > 1 && $1 == 1 && $2 > 2000 { print "0," $2 "," $3 "," $4 }' "$SMALL/ratings.csv" |
        head -n 40 | awk '{ n += length($0) + 1 } n < 930'
} >"$fullprof"
before=$(($(wc -l <"$fullprof") - 1))
(
    trap '' XFSZ
    ulimit -S -f 1
    "$BIN" --profile full import "$IMP/letterboxd_ratings.csv" >"$TMP/out" 2>"$TMP/err"
    echo $? >"$TMP/rc"
)
check "an import the disk stops part way fails with a data error (exit $(cat "$TMP/rc"))" \
    test "$(cat "$TMP/rc")" = 3
check "... the error says why" has "$TMP/err" "File too large"
check "... stdout says not all was imported, and how many did not go in" \
    grep -q "NOT all imported: the profile could not be written, and [1-9][0-9]* matched ratings* did not go into profile 'full'" "$TMP/out"
check "... and never that nothing changed" bash -c "! grep -q 'nothing changed' '$TMP/out'"
check "... the ratings written before the failure are whole lines" \
    awk -F, 'NR > 1 && NF != 4 { exit 1 } END { exit NR < 2 }' "$fullprof"
run_rc "the same import once there is room" 0 --profile full import "$IMP/letterboxd_ratings.csv"
check "... brings in the rest: the profile has the nine films of the file more" \
    test "$("$BIN" --profile full ratings --tsv | tail -n +2 | wc -l)" -eq $((before + 9))

# export: stdout and file, and the round trip through import
run_rc "export to stdout" 0 export
check "the header is MovieLens's" test "$(head -1 "$TMP/out")" = "userId,movieId,rating,timestamp"
n=$("$BIN" ratings --tsv | tail -n +2 | wc -l)
check "one line per rating ($n)" test "$(($(wc -l <"$TMP/out") - 1))" -eq "$n"
check "ratings in half stars with one decimal" \
    awk -F, 'NR > 1 && ($3 !~ /^[0-5]\.[05]$/ || NF != 4) { exit 1 }' "$TMP/out"
check "Heat is exported at 3.5" grep -qx '0,6,3.5,[0-9]*' "$TMP/out"
cp "$TMP/out" "$TMP/stdout.csv"
run_rc "export --user 42 to a file" 0 export --user 42 "$TMP/mine.csv"
check "the file has userId 42 everywhere" awk -F, 'NR > 1 && $1 != 42 { exit 1 }' "$TMP/mine.csv"
check "file and stdout hold the same ratings" \
    diff <(tail -n +2 "$TMP/stdout.csv" | cut -d, -f2-) <(tail -n +2 "$TMP/mine.csv" | cut -d, -f2-)
run_rc "import the export into a new profile" 0 --profile copy import "$TMP/mine.csv"
check "... every row matched and added" has "$TMP/out" "$n matched, 0 ambiguous, 0 unknown, 0 bad"
run_rc "export the copy" 0 --profile copy export
check "the copy holds the same ratings and timestamps" \
    diff <(tail -n +2 "$TMP/mine.csv" | cut -d, -f2- | sort) <(tail -n +2 "$TMP/out" | cut -d, -f2- | sort)
run_rc "import the export back into the original" 0 import "$TMP/mine.csv"
check "... nothing changed" has "$TMP/out" "nothing changed"
run_rc "export to a directory that does not exist" 3 export "$TMP/no/such/dir/x.csv"
run_rc "export with two files" 2 export a b
if [ -w /dev/full ]; then
    "$BIN" export >/dev/full 2>"$TMP/err"
    check "export to a full disk fails with a message (exit $?)" has "$TMP/err" "cannot write"
fi

finish
