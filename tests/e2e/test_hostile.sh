#!/bin/bash
# Hostile data directories and files: each gives a clear error or a correct load, never a hang
# (every run is under `timeout`) and never a crash.  Built from tests/fixtures/ml-latest-tiny
# (and the :: and ml-100k fixtures) in a scratch directory; fast.
. "$(dirname "$0")/lib.sh"

export MOVIEREC_HOME=$TMP/mrhome
LIMIT=20 # seconds: far more than any of these loads needs

# fresh NAME [LAYOUT]: a copy of a tiny data set in $TMP/NAME (LAYOUT: latest, 1m, 100k).
fresh() {
    local src
    case ${2:-latest} in
    latest) src=$FIX/ml-latest-tiny ;;
    1m) src=$FIX/ml-1m-tiny ;;
    100k) src=$FIX/ml-100k-tiny ;;
    esac
    rm -rf "${TMP:?}/$1"
    cp -r "$src" "$TMP/$1"
}

# try WHAT WANT_RC DIR ARGS...: `movierec --data DIR ARGS` under timeout; checks the exit code,
# that it did not time out (124) or die of a signal (> 128).
try() {
    local what=$1 want=$2 dir=$3
    shift 3
    timeout -k 5 $LIMIT "$BIN" --data "$dir" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        not_ok "$what: hung (killed after ${LIMIT}s)"
    elif [ $rc -gt 128 ]; then
        not_ok "$what: crashed (exit $rc)"
        head -3 "$TMP/err" | sed 's/^/#   /'
    elif [ $rc -ne "$want" ]; then
        not_ok "$what: exit $rc, expected $want"
        head -3 "$TMP/err" | sed 's/^/#   /'
    else
        ok "$what (exit $rc)"
    fi
}

# A file where ratings.csv should be, of every hostile kind.
fresh fifo
rm "$TMP/fifo/ratings.csv" && mkfifo "$TMP/fifo/ratings.csv"
try "ratings.csv is a FIFO with no writer" 3 "$TMP/fifo" info 1 --tsv
try "ratings.csv is a FIFO (recommend)" 3 "$TMP/fifo" recommend --user 1
check "... the error names the file and says why" \
    grep -q "ratings.csv.*not a regular file" "$TMP/err"
for f in movies.csv tags.csv links.csv; do
    fresh fifo2
    rm "$TMP/fifo2/$f" && mkfifo "$TMP/fifo2/$f"
    try "$f is a FIFO" 3 "$TMP/fifo2" info 1
done
fresh fifo3 1m
rm "$TMP/fifo3/movies.dat" && mkfifo "$TMP/fifo3/movies.dat"
try "movies.dat (Latin-1 detection) is a FIFO" 3 "$TMP/fifo3" info 1
fresh fifo4 100k
rm "$TMP/fifo4/u.item" && mkfifo "$TMP/fifo4/u.item"
try "u.item is a FIFO" 3 "$TMP/fifo4" info 1

fresh loop
rm "$TMP/loop/ratings.csv" && ln -s ratings.csv "$TMP/loop/ratings.csv"
try "ratings.csv is a symlink to itself" 3 "$TMP/loop" recommend --user 1
check "... the error names the file" grep -q "ratings.csv" "$TMP/err"
fresh loop2
rm "$TMP/loop2/tags.csv" && ln -s a "$TMP/loop2/b" && ln -s b "$TMP/loop2/a" &&
    ln -s a "$TMP/loop2/tags.csv"
try "tags.csv is a two-link symlink loop" 3 "$TMP/loop2" info 1
fresh dangling
rm "$TMP/dangling/links.csv" && ln -s /nonexistent/links.csv "$TMP/dangling/links.csv"
try "links.csv is a dangling symlink (optional file: ignored)" 0 "$TMP/dangling" info 1

fresh dir
rm "$TMP/dir/ratings.csv" && mkdir "$TMP/dir/ratings.csv"
try "ratings.csv is a directory" 3 "$TMP/dir" recommend --user 1
check "... says it is not a regular file" grep -q "not a regular file" "$TMP/err"

fresh empty
: >"$TMP/empty/ratings.csv"
try "ratings.csv is empty" 3 "$TMP/empty" recommend --user 1
check "... says it is empty" grep -q "empty" "$TMP/err"
fresh header
head -1 "$FIX/ml-latest-tiny/ratings.csv" >"$TMP/header/ratings.csv"
try "ratings.csv has only its header: the catalog still loads" 0 "$TMP/header" info 1 --tsv
check "... with no ratings" test "$(field "$TMP/out" 2 1)" = 1
try "... and a user of no ratings is not found" 1 "$TMP/header" recommend --user 1

fresh nul
printf 'userId,movieId,rating,timestamp\n1,1,4.0,1\n1,\0002571,5.0,2\n\0\0\0\n1,2571\000,5.0,3\n3,11,3.0,4\n' \
    >"$TMP/nul/ratings.csv"
try "NUL bytes in ratings.csv" 0 "$TMP/nul" info 11 --tsv
check "... the good lines load" test "$(awk -F'\t' 'NR == 2 { print $1 }' "$TMP/out")" = 11
check "... the lines with NULs are reported" grep -q "ratings.csv:3:" "$TMP/err"
printf 'movieId,title,genres\n1,Toy\0 Story (1995),Comedy\n2,Heat (1995),Action\n' \
    >"$TMP/nul/movies.csv"
try "a NUL byte in a title" 0 "$TMP/nul" search heat --tsv

fresh crlf
for f in movies ratings tags links; do
    sed 's/$/\r/' "$FIX/ml-latest-tiny/$f.csv" >"$TMP/crlf/$f.csv"
done
try "CRLF line endings load" 0 "$TMP/crlf" info 2571 --tsv
cp "$TMP/out" "$TMP/crlf.out"
try "... the same as LF line endings" 0 "$FIX/ml-latest-tiny" info 2571 --tsv
check "... identical output" cmp -s "$TMP/out" "$TMP/crlf.out"
check "... and no bad lines reported" test ! -s "$TMP/err"

fresh longtitle
{
    cat "$FIX/ml-latest-tiny/movies.csv"
    printf '424242,"'
    head -c 102400 /dev/zero | tr '\0' 'x'
    printf ' (2001)",Drama\n'
} >"$TMP/longtitle/movies.csv"
try "a 100 KB title" 0 "$TMP/longtitle" info 2571 --tsv
check "... its line is reported as too long" grep -q "movies.csv:[0-9]*: line longer than" "$TMP/err"

fresh wide
{
    cat "$FIX/ml-latest-tiny/ratings.csv"
    printf '1,2571'
    head -c 2000000 /dev/zero | tr '\0' ','
    printf '\n7,11,4.0,1\n'
} >"$TMP/wide/ratings.csv"
try "a line of a million fields" 0 "$TMP/wide" info 11 --tsv
check "... the line after it still loads" grep -q "ratings.csv:[0-9]*: line longer than" "$TMP/err"
{
    cat "$FIX/ml-latest-tiny/ratings.csv"
    for _ in $(seq 200); do printf '1,2,3,4,'; done
    printf '5\n'
} >"$TMP/wide/ratings.csv"
try "a line of a thousand fields (under the line limit)" 0 "$TMP/wide" info 11 --tsv
check "... is reported with its field count" grep -q "found 801" "$TMP/err"

fresh quote
{
    head -2 "$FIX/ml-latest-tiny/movies.csv"
    printf '5,"An unclosed quote (1995),Drama\n'
    tail -n +3 "$FIX/ml-latest-tiny/movies.csv"
} >"$TMP/quote/movies.csv"
try "an unclosed quote in movies.csv" 0 "$TMP/quote" search toy --tsv

fresh runaway
{
    head -2 "$FIX/ml-latest-tiny/ratings.csv"
    printf '1,"6,4.0,964982224\n' # a quote that is never closed
    for i in $(seq 10000); do echo "7,11,4.0,$i"; done
    echo "8,11,3.0,1"
} >"$TMP/runaway/ratings.csv"
try "an unclosed quote in a big ratings.csv" 0 "$TMP/runaway" info 11 --tsv
check "... is reported at its line as an unclosed quote" \
    grep -q "ratings.csv:3: unclosed quote: the record runs past" "$TMP/err"
check "... and the ratings after the skipped window load" test "$(field "$TMP/out" 2 5)" = 2
head -4 "$FIX/ml-latest-tiny/ratings.csv" >"$TMP/runaway/ratings.csv"
printf '1,"6,4.0,964982224\n1,11,3.0,5\n' >>"$TMP/runaway/ratings.csv"
try "an unclosed quote near the end of a small file" 0 "$TMP/runaway" info 11 --tsv
check "... the report says what probably happened" grep -q "ratings.csv:5: .*an unclosed quote?" "$TMP/err"

# The model cache: a FIFO or a directory where a .model file should be is reported and the
# model retrained, never waited on (the cache was opened blocking before).
export XDG_CACHE_HOME=$TMP/cache
try "recommend on the tiny set fills the cache" 0 "$FIX/ml-latest-tiny" recommend -n 3 --tsv
cp "$TMP/out" "$TMP/rec.out"
model=$(find "$TMP/cache/movierec" -name 'hybrid-*.model' | head -1)
check "... with a hybrid model file" test -f "$model"
rm -f "$model" && mkfifo "$model"
try "a FIFO in the cache in place of the model file" 0 "$FIX/ml-latest-tiny" recommend -n 3 --tsv
check "... is reported as not a regular file and the model retrained" \
    grep -q "hybrid-.*\.model: .*not a regular file.*retraining" "$TMP/err"
check "... the same recommendations" cmp -s "$TMP/out" "$TMP/rec.out"
check "... and the FIFO replaced by a valid model file" test -f "$model"
try "... which the next run loads without a word" 0 "$FIX/ml-latest-tiny" recommend -n 3 --tsv
check "... (nothing on stderr)" test ! -s "$TMP/err"
rm -f "$model" && mkdir "$model"
try "a directory in the cache in place of the model file" 0 "$FIX/ml-latest-tiny" recommend -n 3 --tsv
check "... the same recommendations" cmp -s "$TMP/out" "$TMP/rec.out"
unset XDG_CACHE_HOME

# import of hostile files
mkfifo "$TMP/fifo.csv"
timeout -k 5 $LIMIT "$BIN" --data "$FIX/ml-latest-tiny" import "$TMP/fifo.csv" >"$TMP/out" 2>"$TMP/err"
check "import of a FIFO: refused, no hang (exit $?)" grep -q "not a regular file" "$TMP/err"
{
    echo "Date,Name,Year,Letterboxd URI,Rating"
    printf '2020-01-01,"'
    head -c 102400 /dev/zero | tr '\0' 'y'
    printf '",1999,u,4\n2020-01-02,The Matrix,1999,u,5\n'
} >"$TMP/long-import.csv"
try "import: a 100 KB title" 0 "$FIX/ml-latest-tiny" import "$TMP/long-import.csv"
check "... is listed as bad, the next row imported" \
    bash -c "grep -q 'line 2: bad: record longer' '$TMP/out' && grep -q '1 matched' '$TMP/out'"

finish
