#!/bin/bash
# End-to-end tests of the command line: global options, exit codes, search and info on every
# data-set layout, TSV and table output, data errors reported with their file and line.
. "$(dirname "$0")/lib.sh"

# ---- global options and usage errors
run_rc "--version" 0 --version
check "--version prints the name and a version number" grep -qE '^movierec [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"
run_rc "--help" 0 --help
check "--help lists search, info and gen" \
    bash -c "grep -q '^  search ' '$TMP/out' && grep -q '^  info ' '$TMP/out' && grep -q '^  gen ' '$TMP/out'"
run_rc "-h" 0 -h
run_rc "search --help" 0 search --help
check "search --help shows its usage" has "$TMP/out" "search QUERY"
run_rc "no command without a terminal prints usage" 2
check "the usage goes to stderr" has "$TMP/err" "usage: movierec"
run_rc "unknown command" 2 frobnicate
check "an unknown command gets the one-line hint" has "$TMP/err" "try 'movierec --help'"
check "an unknown command is named" has "$TMP/err" "frobnicate"
run_rc "unknown global option" 2 --frob search x
run_rc "--data without its argument" 2 --data
run_rc "bad profile name" 2 --profile ../x search matrix
run_rc "unknown command option" 2 --data "$SMALL" search --frob matrix
run_rc "search without a query" 2 --data "$SMALL" search
run_rc "-n 0 is refused" 2 --data "$SMALL" search -n 0 matrix
run_rc "-n must be a number" 2 --data "$SMALL" search -n lots matrix
check "a bad -n names the option" has "$TMP/err" "-n"

# ---- search on ml-latest-small, checked against the data files themselves
run_rc "search matrix --tsv" 0 --data "$SMALL" search matrix --tsv
check "the TSV header names the movie columns" \
    test "$(head -1 "$TMP/out")" = "$(printf 'movieId\ttitle\tyear\tgenres\tratings\tmean')"
check "every TSV row has 6 fields" awk -F'\t' 'NF != 6 { exit 1 }' "$TMP/out"
check "The Matrix is the first hit" test "$(field "$TMP/out" 2 1)" = 2571
check "its title is shown with the article in front" test "$(field "$TMP/out" 2 2)" = "The Matrix (1999)"
check "its year and genres" test "$(field "$TMP/out" 2 3)/$(field "$TMP/out" 2 4)" = "1999/Action|Sci-Fi|Thriller"
want=$(awk -F, '$2 == 2571 { n++; s += $3 } END { printf "%d %.2f", n, s / n }' "$SMALL/ratings.csv")
check "its rating count and mean match ratings.csv ($want)" \
    test "$(field "$TMP/out" 2 5) $(field "$TMP/out" 2 6)" = "$want"

run_rc "search with a typo" 0 --data "$SMALL" search godfater --tsv
check "'godfater' finds The Godfather first" test "$(field "$TMP/out" 2 1)" = 858
run_rc "a query of several words" 0 --data "$SMALL" search toy story 2 --tsv
check "'toy story 2' finds Toy Story 2" cut -f1 "$TMP/out" | grep -qx 3114
run_rc "search -n 3" 0 --data "$SMALL" search -n 3 star --tsv
check "-n 3 gives at most 3 rows" test "$(($(wc -l <"$TMP/out") - 1))" -le 3 -a "$(wc -l <"$TMP/out")" -ge 2
run_rc "a query that matches nothing" 1 --data "$SMALL" search qqqxxzzv
check "nothing found is said on stderr" has "$TMP/err" "qqqxxzzv"
check "nothing found prints no table" test ! -s "$TMP/out"

# The data set is found without --data: MOVIEREC_DATA, and --data beats it.
MOVIEREC_DATA=$SMALL run_rc "MOVIEREC_DATA is used" 0 search heat --tsv
check "... and finds Heat" cut -f1 "$TMP/out" | grep -qx 6
MOVIEREC_DATA=$TMP/nowhere run_rc "--data beats MOVIEREC_DATA" 0 --data "$SMALL" search heat --tsv
case $BIN in
"$TOP"/*)
    # the data `make data` fetched, found from the binary's own location
    run_rc "the fetched data is found next to the binary" 0 search heat --tsv
    ;;
esac

# ---- the table form
run_rc "search as a table" 0 --data "$SMALL" search "star wars"
check "the table has a header" bash -c "head -1 '$TMP/out' | grep -qE '^movieId +title +year +genres +ratings +mean$'"
check "the table fits 80 columns when not on a terminal" test "$(wc -L <"$TMP/out")" -le 80
check "long titles are cut with an ellipsis" has "$TMP/out" "…"
check "a narrow table is still 80 columns wide at most" test "$(wc -L <"$TMP/out")" -ge 70
COLUMNS=200 run_rc "a table of ASCII titles" 0 --data "$SMALL" search heat
# the last digit of every count sits under the last letter of "ratings"
check "numbers are right-aligned under their header" \
    awk 'NR == 1 { p = index($0, "ratings") + 6 } NR > 1 && substr($0, p, 1) !~ /[0-9]/ { exit 1 }
         NR > 1 && substr($0, p + 1, 1) != " " { exit 1 }' "$TMP/out"
COLUMNS=60 run_rc "COLUMNS narrows the table" 0 --data "$SMALL" search "star wars"
check "the table fits 60 columns" test "$(wc -L <"$TMP/out")" -le 60
COLUMNS=200 run_rc "a wide table" 0 --data "$SMALL" search "star wars episode iv"
check "a wide table shows whole titles" has "$TMP/out" "Star Wars: Episode IV - A New Hope (1977)"

# ---- the other layouts
run_rc "search on ml-latest-tiny" 0 --data "$FIX/ml-latest-tiny" search matrix --tsv
check "ml-latest-tiny: The Matrix" test "$(field "$TMP/out" 2 1)" = 2571
run_rc "search without the accent" 0 --data "$FIX/ml-latest-tiny" search amelie --tsv
check "ml-latest-tiny: 'amelie' finds Amélie" test "$(field "$TMP/out" 2 1)" = 4973
run_rc "a title with commas" 0 --data "$FIX/ml-latest-tiny" search "city of lost children" --tsv
check "ml-latest-tiny: the title with commas is whole" \
    bash -c "test \"\$(cut -f1 '$TMP/out' | sed -n 2p)\" = 29 && grep -q 'City of Lost Children.*Cité des enfants perdus.*(1995)' '$TMP/out'"
run_rc "search on ml-1m-tiny" 0 --data "$FIX/ml-1m-tiny" search amelie --tsv
check "ml-1m-tiny: the Latin-1 title arrives as UTF-8" test "$(field "$TMP/out" 2 2)" = "Amélie (1999)"
check "ml-1m-tiny: movieId 3000" test "$(field "$TMP/out" 2 1)" = 3000
run_rc "search on ml-1m-tiny by an article title" 0 --data "$FIX/ml-1m-tiny" search matrix --tsv
check "ml-1m-tiny: The Matrix" test "$(field "$TMP/out" 2 1)" = 2571
run_rc "search on ml-100k-tiny" 0 --data "$FIX/ml-100k-tiny" search usual suspects --tsv
check "ml-100k-tiny: The Usual Suspects" \
    test "$(field "$TMP/out" 2 1) $(field "$TMP/out" 2 2)" = "12 The Usual Suspects (1995)"
want=$(awk '$2 == 12 { n++ } END { print n + 0 }' "$FIX/ml-100k-tiny/u.data")
check "ml-100k-tiny: its rating count matches u.data ($want)" test "$(field "$TMP/out" 2 5)" = "$want"
run_rc "ml-100k-tiny: a Latin-1 title" 0 --data "$FIX/ml-100k-tiny" search "cite des enfants" --tsv
check "ml-100k-tiny: converted to UTF-8" has "$TMP/out" "Cité des enfants perdus"

# ---- info
run_rc "info by movieId" 0 --data "$SMALL" info 2571
check "info shows the display title" has "$TMP/out" "The Matrix (1999)"
check "info shows the original title" has "$TMP/out" "Matrix, The (1999)"
check "info shows the genres" has "$TMP/out" "Action|Sci-Fi|Thriller"
check "info shows the IMDb id" has "$TMP/out" "tt0133093"
check "info shows the TMDB id" has "$TMP/out" "603"
check "info shows the tags" has "$TMP/out" "philosophy"
run_rc "info --tsv" 0 --data "$SMALL" info --tsv 2571
check "info --tsv: a header and one row" test "$(wc -l <"$TMP/out")" -eq 2
check "info --tsv: header columns" \
    test "$(head -1 "$TMP/out")" = "$(printf 'movieId\ttitle\tyear\tgenres\tratings\tmean\tr0.5\tr1.0\tr1.5\tr2.0\tr2.5\tr3.0\tr3.5\tr4.0\tr4.5\tr5.0\ttags\timdbId\ttmdbId')"
want=$(awk -F, '$2 == 2571 { c[$3 + 0]++ } END { for (h = 1; h <= 10; h++) printf "%s%d", (h > 1 ? " " : ""), c[h / 2] + 0 }' "$SMALL/ratings.csv")
got=$(awk -F'\t' 'NR == 2 { for (i = 7; i <= 16; i++) printf "%s%s", (i > 7 ? " " : ""), $i }' "$TMP/out")
check "info --tsv: ratings per half star match ratings.csv ($want)" test "$got" = "$want"
check "info --tsv: imdb and tmdb ids" test "$(field "$TMP/out" 2 18) $(field "$TMP/out" 2 19)" = "tt0133093 603"
run_rc "info by exact title" 0 --data "$SMALL" info --tsv Heat
check "'Heat' resolves to movieId 6" test "$(field "$TMP/out" 2 1)" = 6
run_rc "info by a title of several words" 0 --data "$SMALL" info --tsv the matrix
check "'the matrix' resolves to movieId 2571" test "$(field "$TMP/out" 2 1)" = 2571
run_rc "an ambiguous title" 1 --data "$SMALL" info "star wars"
check "the candidates are listed" bash -c "grep -q 'A New Hope' '$TMP/err' && grep -q 'Empire Strikes Back' '$TMP/err'"
check "an ambiguous title prints nothing on stdout" test ! -s "$TMP/out"
run_rc "an unknown movieId" 1 --data "$SMALL" info 99999999
run_rc "info without a film" 2 --data "$SMALL" info

# ---- data errors
run_rc "a missing data directory" 3 --data "$TMP/no/such/dir" search matrix
check "the message names the directory" has "$TMP/err" "$TMP/no/such/dir"
MOVIEREC_DATA=$SMALL run_rc "an empty --data counts as not given" 0 --data "" search matrix
MOVIEREC_DATA=$TMP/missing-env run_rc "a missing MOVIEREC_DATA directory" 3 search matrix
check "the message names MOVIEREC_DATA's directory" has "$TMP/err" "$TMP/missing-env"
mkdir -p "$TMP/empty"
run_rc "a directory with no data set" 3 --data "$TMP/empty" search matrix
check "the message names the directory" has "$TMP/err" "$TMP/empty"
run_rc "a data set without its ratings file" 3 --data "$FIX/bad-missing-ratings" search x
check "the message names the missing file" has "$TMP/err" "ratings.csv"

cp -r "$SMALL" "$TMP/copy"
awk 'NR == 5 { print "1,abc,4.0,964982224"; next } { print }' "$SMALL/ratings.csv" >"$TMP/copy/ratings.csv"
run_rc "a malformed line does not stop loading" 0 --data "$TMP/copy" search matrix --tsv
check "the bad line is reported as FILE:LINE" has "$TMP/err" "$TMP/copy/ratings.csv:5:"
check "a summary of skipped lines follows" grep -q "skipped 1 malformed line" "$TMP/err"
check "the rest of the data is there" test "$(field "$TMP/out" 2 1)" = 2571
awk 'NR > 1 && NR <= 31 { print "x,y,z,w"; next } { print }' "$SMALL/ratings.csv" >"$TMP/copy/ratings.csv"
run_rc "thirty malformed lines" 0 --data "$TMP/copy" search heat --tsv
check "the first 20 are reported, the rest counted" \
    test "$(grep -c "^$TMP/copy/ratings.csv:[0-9]*: " "$TMP/err")" -eq 20
check "the summary counts all 30" grep -q "skipped 30 malformed lines .*(the first 20 shown)" "$TMP/err"
check "the data snapshot is written to the cache" \
    bash -c "ls '$HOME'/.cache/movierec/data-*.snapshot >/dev/null 2>&1"
cp "$TMP/err" "$TMP/err.parsed"
cp "$TMP/out" "$TMP/out.parsed"
# The next start reads the snapshot, not the files: the same reports and results.
run_rc "thirty malformed lines, from the snapshot" 0 --data "$TMP/copy" search heat --tsv
check "... the same reports and summary" cmp -s "$TMP/err" "$TMP/err.parsed"
check "... the same results" cmp -s "$TMP/out" "$TMP/out.parsed"
run_rc "rate from the snapshot" 0 --data "$TMP/copy" --profile snap rate 6 4
check "... reports the same bad lines" test "$(grep -c "^$TMP/copy/ratings.csv:[0-9]*: " "$TMP/err")" -eq 20
run_rc "many bad lines" 0 --data "$FIX/bad-csv" search toy --tsv
check "each bad line is reported with its line number" grep -q "ratings.csv:3: " "$TMP/err"
check "reports are FILE:LINE: what" awk '/^movierec: / { next } !/^[^:]+:[0-9]+: ./ { exit 1 }' "$TMP/err"

finish
