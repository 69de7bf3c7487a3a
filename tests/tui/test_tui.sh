#!/bin/bash
# test_tui.sh — the full-screen interface, driven as a person would under tmux, on
# ml-latest-small: getting started on an empty profile, search (UTF-8 titles), rating and the
# top-5 strip, similar films, the "Similar to" prompt with Tab completion, undo, my ratings,
# help (checked against the man page's KEYS section), resizing, quitting with q and Ctrl-C,
# and a crash signal.  Every rating acknowledged on screen is looked for in the profile file.
#   MOVIEREC_BIN=build/asan/movierec bash tests/tui/test_tui.sh
# shellcheck source=tests/tui/lib.sh
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8 # ${#line} counts characters, as the screen does for these titles

if ! command -v tmux >/dev/null; then
    not_ok "tmux is installed"
    exit 1
fi
if [ ! -x "$MOVIEREC_BIN" ]; then
    not_ok "the binary $MOVIEREC_BIN exists"
    exit 1
fi

MOVIES=$TUI_DATA/movies.csv
# movieId of a title, read from the data set (the screen shows titles, the profile ids).
movie_id() { grep -F -- "$1" "$MOVIES" | head -1 | cut -d, -f1; }
AMELIE=$(movie_id "Amelie (Fabuleux destin d'Amélie Poulain")
MATRIX=$(movie_id '"Matrix, The (1999)"')
TOY_STORY=$(movie_id ',Toy Story (1995),')
TITANIC=$(movie_id ',Titanic (1997),')

# profile_has ID STARS: the profile's last line for movie ID gives it STARS (0 = removed).
profile_has() {
    [ -f "$TUI_PROFILE" ] || return 1
    local last
    last=$(grep -E "^[^,]*,$1," "$TUI_PROFILE" | tail -1 | cut -d, -f3)
    [ -n "$last" ] && awk -v a="$last" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'
}

# The film proposed on the getting-started screen (the line under the question).
proposed() { tui_screen | grep -A1 -F 'Have you seen this film?' | tail -1 | sed 's/^ *//'; }
proposal_differs() { [ -n "$(proposed)" ] && [ "$(proposed)" != "$1" ]; }

# Colour: SGR codes for foreground/background colours in the captured screen.
has_colour() { tui_screen_escapes | grep -qE $'\e\\[([0-9]+;)*(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9]+)*m'; }
no_colour() { ! has_colour && tui_screen_escapes | grep -qE $'\e\\[([0-9]+;)*7(;[0-9]+)*m'; }

# The pane separator of the row showing TEXT is in the same column as the header's: titles
# are measured in display columns, not bytes.
aligned_row() {
    local screen header row
    screen=$(tui_screen)
    header=$(printf '%s\n' "$screen" | grep -F 'mean count' | head -1)
    row=$(printf '%s\n' "$screen" | grep -F -- "$1" | grep -F '│' | head -1)
    [ -n "$header" ] && [ -n "$row" ] || return 1
    header=${header%%│*}
    row=${row%%│*}
    [ "${#header}" -eq "${#row}" ]
}

# The whole layout is drawn for a COLS x ROWS window: title bar, strip, status line and key
# hints in their places, and no line wider than the window.
screen_full() {
    local cols=$1 rows=$2 screen line first
    screen=$(tui_screen)
    [ "$(printf '%s\n' "$screen" | wc -l)" -eq "$rows" ] || return 1
    first=$(printf '%s\n' "$screen" | sed -n 1p)
    [[ $first == " movierec  "* ]] && [ "${#first}" -ge $((cols - 1)) ] || return 1
    printf '%s\n' "$screen" | sed -n "${rows}p" | grep -qF 'q quit' || return 1
    printf '%s\n' "$screen" | sed -n "$((rows - 1))p" | grep -qF 'profile default' || return 1
    printf '%s\n' "$screen" | sed -n "$((rows - 7))p" | grep -qF 'Top 5 for you' || return 1
    printf '%s\n' "$screen" | grep -qF 'too small' && return 1
    while IFS= read -r line; do
        [ "${#line}" -le "$cols" ] || return 1
    done <<<"$screen"
}

# After movierec exits, the pane shows the shell's side: terminal modes back (canonical
# input, echo) and the normal screen instead of the interface.
terminal_restored() {
    local screen
    screen=$(tui_screen)
    grep -qE '(^| )icanon( |$)' <<<"$screen" && grep -qE '(^| )echo( |$)' <<<"$screen" &&
        ! grep -qF -- '-icanon' <<<"$screen" && ! grep -qF 'Top 5 for you' <<<"$screen"
}

# search TEXT: opens the search prompt (clearing what is in it), types TEXT, keeps the results.
search() {
    tui_keys /
    tui_wait 'Search: ' || return 1
    tui_keys C-u
    tui_type "$1"
    tui_keys Enter
    tui_wait "\"$1\": move with Up/Down"
}

# rate KEY TITLE: rates the selected film and waits for the acknowledgement.
rate() {
    tui_keys "$1"
    tui_wait "Rated $1.0★: $2"
}

# ---- first start without a model cache: the models train in the background ----
# The interface's training path (a worker thread while the screen is drawn, then the cache
# written) is taken on the tiny data set, quick in every build.  ml-latest-small's models below
# come from the suite's shared cache when there is one (else its first start trains them).
TUI_DATA=$TUI_TOP/tests/fixtures/ml-latest-tiny tui_start 100 30 \
    XDG_CACHE_HOME="$TUI_TMP/cache-tiny" MOVIEREC_HOME="$TUI_TMP/home-tiny"
check "without a model cache the screen is drawn at once" tui_wait movierec 10
check "... the models are trained and the getting-started screen shown" \
    tui_wait 'Have you seen this film?' "$TUI_WAIT_START"
check "... and the trained model is saved in the cache" \
    bash -c "ls '$TUI_TMP/cache-tiny/movierec/'hybrid-*.model >/dev/null"
tui_keys q
check "... q quits there with exit status 0" tui_wait '[exit 0]'

# ---- first start on ml-latest-small: empty profile ----
shared_model() { find "$TUI_TMP/cache/movierec" -name 'hybrid-*.model' | head -1; }
[ "$TUI_SHARED_CACHE" = 1 ] && shared_inode=$(stat -c %i "$(shared_model)")
tui_start 100 30
check "the screen is drawn at once" tui_wait movierec 10
check "an empty profile starts on the getting-started screen" \
    tui_wait 'Have you seen this film?' "$TUI_WAIT_START"
if [ "$TUI_SHARED_CACHE" = 1 ]; then
    check "... with the models of the suite's shared cache, not trained again" \
        test "$(stat -c %i "$(shared_model)")" = "$shared_inode"
fi
check "colour is used when the terminal has it" has_colour
check "the top-5 strip shows popular picks before any rating" tui_wait 'popular picks'
first=$(proposed)
tui_keys 4
check "rating a proposed film fills the top 5 from that rating" tui_wait 'from your 1 rating)'
check "... and another film is proposed" proposal_differs "$first"
second=$(proposed)
tui_keys n
check "n (haven't seen it) proposes another film without rating" tui_wait "Skipped $second"
check "... and the count of ratings stays 1" tui_wait 'profile default · 1 rating ·'
tui_keys Escape
check "Esc leaves getting started for the catalog" tui_wait 'Browse: all films'

tui_keys /
tui_wait 'Search: '
tui_type amelie
check "search results appear while typing, with a UTF-8 title (é)" tui_wait "Amélie"
check "the prompt shows the typed text" tui_wait 'Search: amelie'
check "a UTF-8 title keeps the columns aligned" aligned_row 'Amélie'
tui_keys Enter
check "Enter keeps the results" tui_wait '"amelie": move with Up/Down'

strip_before=$(tui_strip)
tui_keys 5
check "a rating is acknowledged with the time the update took" \
    tui_wait 'recommendations updated in'
check "the acknowledged rating is already in the profile file" profile_has "$AMELIE" 5
check "the strip counts the new rating" tui_wait 'from your 2 ratings)'
search matrix && rate 5 'The Matrix (1999)'
check "The Matrix rated 5 is in the profile" profile_has "$MATRIX" 5
search 'toy story' && rate 2 'Toy Story (1995)'
check "Toy Story rated 2 is in the profile" profile_has "$TOY_STORY" 2
search titanic && rate 1 'Titanic (1997)'
check "Titanic rated 1 is in the profile" profile_has "$TITANIC" 1
check "five ratings are counted" tui_wait 'profile default · 5 ratings'
strip_after=$(tui_strip)
check "the top 5 changed with the ratings" [ "$strip_before" != "$strip_after" ]
# strip_titles: the title column of the strip (at 100 columns: columns 5-44).
strip_titles() {
    local line
    while IFS= read -r line; do
        echo "${line:4:40}"
    done <<<"$1"
}
rated_not_in_strip() {
    ! strip_titles "$1" | grep -qE 'Amélie|The Matrix \(1999\)|Titanic \(1997\)'
}
check "the rated films are not in the top 5" rated_not_in_strip "$strip_after"

tui_keys s
check "s lists films similar to the selected film" tui_wait 'Similar to Titanic (1997)'
tui_keys S
tui_wait 'Similar to: '
tui_type 'toy sto'
tui_keys Tab
check "Tab completes a typed title in the Similar to prompt" tui_wait 'Similar to: Toy Story'
check "the matching titles are listed on the screen" tui_wait 'Toy Story 2 (1999)'
tui_type ' 2'
tui_keys Tab
check "a unique completion fills in the whole title" tui_wait 'Similar to: Toy Story 2 (1999)'
tui_keys Enter
check "Enter shows the films similar to the typed title" tui_wait 'Similar to Toy Story 2 (1999)'

tui_keys u
check "u undoes the last rating change" tui_wait 'Undone: no rating for Titanic (1997)'
check "the undo is in the profile file" profile_has "$TITANIC" 0
check "... and the count goes back to 4" tui_wait 'profile default · 4 ratings'

tui_keys m
check "m lists my ratings" tui_wait 'My ratings: 4 films, newest first'
# line_has N TEXT: line N of the screen contains TEXT.
line_has() { tui_line "$1" | grep -qF -- "$2"; }
check "... newest first" line_has 3 '★2.0 Toy Story (1995)'
tui_keys 3
check "... and a rating can be changed in place" tui_wait 'Rated 3.0★: Toy Story (1995)'
check "... still listed in the same place" line_has 3 '★3.0 Toy Story (1995)'

tui_resize 100 70
tui_keys '?'
check "? shows the help screen" tui_wait 'Help: every key'
help_keys=$(tui_screen | awk -F '  +' '/^   [^ ]/ { print $2 }')
# The keys the product's contract names (and the man page documents).
contract_keys() {
    local k listed
    listed=${help_keys//, /$'\n'}
    for k in Up Down j k PgUp PgDn Home End Enter / 1-5 + - 0 u s S r m b o f '?' q Ctrl-C; do
        grep -qxF -- "$k" <<<"$listed" || { echo "# not in help: $k"; return 1; }
    done
}
check "help lists every key of the contract" contract_keys
# The man page's KEYS section: ".B NAMES" lines, roff escapes undone.
man_keys=$(sed -n '/^\.SH KEYS/,/^\.SH /p' "$TUI_TOP/man/movierec.1" | sed -n 's/^\.B //p' |
    sed 's/\\-/-/g; s/\\e/\\/g; s/\\&//g')
check "the man page's KEYS section lists exactly the keys of the help screen" \
    [ "$(sort <<<"$help_keys")" = "$(sort <<<"$man_keys")" ]
tui_keys Escape
tui_resize 100 30
tui_keys b

tui_resize 80 24
check "the screen is redrawn for 80x24" tui_until "$TUI_WAIT" screen_full 80 24
tui_resize 40 10
check "a 40x10 window gets a too-small notice" tui_wait 'Terminal too small: 40x10'
tui_resize 100 30
check "growing back to 100x30 redraws everything" tui_until "$TUI_WAIT" screen_full 100 30

strip_at_quit=$(tui_strip)
tui_keys q
check "q quits with exit status 0" tui_wait '[exit 0]'
check "the terminal is restored after q" terminal_restored
profile_keeps_all() {
    profile_has "$AMELIE" 5 && profile_has "$MATRIX" 5 && profile_has "$TOY_STORY" 3 &&
        profile_has "$TITANIC" 0
}
check "the profile file keeps every rating" profile_keeps_all
check "search history is kept in \$XDG_STATE_HOME/movierec/history" \
    grep -qx 'amelie' "$TUI_TMP/state/movierec/history"

# ---- second start: ratings on disk, models in the cache, NO_COLOR ----
tui_start 100 30 NO_COLOR=1
check "a profile with ratings starts on the catalog" tui_wait 'Browse: all films' "$TUI_WAIT_START"
check "the ratings were read back (4 ratings)" tui_wait 'profile default · 4 ratings'
check "the top 5 is the one shown at the last quit" [ "$(tui_strip)" = "$strip_at_quit" ]
check "NO_COLOR turns colour off (reverse video remains)" no_colour
tui_keys C-c
check "Ctrl-C quits with exit status 0" tui_wait '[exit 0]'
check "the terminal is restored after Ctrl-C" terminal_restored

# ---- a disk that refuses the write: the screen says so, nothing is claimed saved ----
# The file size limit (1 KiB, soft; SIGXFSZ ignored so the write fails with EFBIG) lets the
# profile grow by a few dozen lines, then every append fails.
TUI_PRELUDE="trap '' XFSZ; ulimit -S -f 1" tui_start 100 30
tui_wait 'Browse: all films' "$TUI_WAIT_START"
for _ in $(seq 1 40); do tui_keys 5 4; done
check "a rating that cannot be written is reported in the status line" tui_wait 'Not saved yet'
check "... and counted as unsaved" tui_wait ' unsaved · '
# The rating the screen shows for the first film of the catalog is the one on disk.
shown_is_saved() {
    local row title stars
    row=$(tui_line 3)
    stars=$(sed -n 's/^★\([0-9.]*\) .*/\1/p' <<<"$row")
    title=$(sed 's/^★[0-9.]* *//; s/  .*//' <<<"$row")
    [ -n "$stars" ] && profile_has "$(movie_id ",$title,")" "$stars"
}
check "... and the rating on screen is the one on disk" shown_is_saved
# Room again (the soft limit lifted from outside): quitting tries the unsaved change once more,
# and it is written: the last rating given (4, the last key) is on disk, exit status 0.
if command -v prlimit >/dev/null && prlimit --pid "$(tui_pid)" --fsize=unlimited:; then
    tui_keys q
    check "quitting writes the unsaved rating once there is room (exit status 0)" tui_wait '[exit 0]'
    check "... and it is on disk" profile_has "$(movie_id ',Forrest Gump (1994),')" 4
else
    tui_keys q
    ok "quitting writes the unsaved rating once there is room # SKIP no prlimit(1)"
fi

# ---- no room at all: quitting says which changes are lost, never silently ----
# A profile of 60 ratings (over 1 KiB) under a 1 KiB file size limit: every append fails.
full=$TUI_TMP/full/profiles/default.csv
mkdir -p "${full%/*}"
{
    echo "userId,movieId,rating,timestamp"
    awk -F, 'NR > 1 && $1 == 1 { print "0," $2 "," $3 "," $4 }' "$TUI_DATA/ratings.csv" | head -n 60
} >"$full"
cp "$full" "$TUI_TMP/full.before"
TUI_PRELUDE="trap '' XFSZ; ulimit -S -f 1" tui_start 200 30 MOVIEREC_HOME="$TUI_TMP/full"
tui_wait 'Browse: all films' "$TUI_WAIT_START"
tui_keys 1 2 # one of the two differs from the film's rating in the profile
check "with no room, a rating is not saved and counted as unsaved" tui_wait ' unsaved · '
tui_keys q
check "quitting with changes that still cannot be written exits with status 4" tui_wait '[exit 4]'
check "... and says after the screen is back that they could not be saved, and why" \
    tui_wait 'could not be saved: '
check "... naming the cause" tui_wait 'File too large'
check "... and the film and rating not saved" tui_wait ' stars)'
check "... the profile is as it was (nothing half-written)" cmp -s "$full" "$TUI_TMP/full.before"
check "... and the terminal is restored" terminal_restored

# ---- a profile that is not a regular file: said at once, in words, after the screen is back ----
odd=$TUI_TMP/odd/profiles/default.csv
mkdir -p "${odd%/*}" && mkfifo "$odd"
tui_start 200 30 MOVIEREC_HOME="$TUI_TMP/odd"
check "a FIFO as the profile ends the program with an I/O error status" tui_wait '[exit 4]' "$TUI_WAIT_START"
check "... saying the profile is not a regular file, a FIFO" tui_wait 'default.csv: not a regular file (a FIFO)'
check "... with the terminal restored" terminal_restored
rm -f "$odd" && ln -s default.csv "$odd"
tui_start 200 30 MOVIEREC_HOME="$TUI_TMP/odd"
check "a symbolic link loop as the profile: the same" tui_wait '[exit 4]' "$TUI_WAIT_START"
check "... named as a loop" tui_wait 'default.csv: not a regular file (a symbolic link loop)'

# ---- a crash signal gives the terminal back before dying of it ----
tui_start 100 30
tui_wait 'Browse: all films' "$TUI_WAIT_START"
pid=$(tui_pid)
[ -n "$pid" ] && kill -SEGV "$pid"
check "SIGSEGV ends the program with that signal" tui_wait "[exit $((128 + 11))]"
check "the terminal is restored after a crash" terminal_restored

[ "$TUI_FAILED" -eq 0 ]
