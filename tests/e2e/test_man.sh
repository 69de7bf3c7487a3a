#!/bin/bash
# The man page: well-formed man(7) that renders without warnings, every section in place, and
# in step with --help: every command and each of its options, every global option, the
# environment variables, the exit codes and the version.
. "$(dirname "$0")/lib.sh"

page=$TOP/man/movierec.1
check "the man page exists" test -f "$page"

# The text of section NAME (from its .SH line to the next), with \- turned into -.
section() {
    awk -v s=".SH $1" '$0 == s || $0 == s "\"" { on = 1; next } /^\.SH / { on = 0 } on' "$page" |
        sed 's/\\-/-/g'
}

for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS KEYS ENVIRONMENT FILES "EXIT STATUS" \
    EXAMPLES "SEE ALSO"; do
    check "section $s is there" grep -qx "\.SH $s\|\.SH \"$s\"" "$page"
done

if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$page" >"$TMP/groff" 2>&1
    check "groff -man -ww finds nothing to warn about" test ! -s "$TMP/groff"
    sed 's/^/#   /' "$TMP/groff" | head -5
    groff -man -Tutf8 -P-cbou -rLL=80n "$page" >"$TMP/rendered" 2>/dev/null
    check "the page renders" grep -q "^EXIT STATUS" "$TMP/rendered"
    check "the rendered page fits 80 columns" test "$(wc -L <"$TMP/rendered")" -le 80
else
    ok "groff is not installed # SKIP"
fi

run_rc "--help" 0 --help
cp "$TMP/out" "$TMP/help"
commands=$(sed -n 's/^  \([a-z][a-z]*\) .*/\1/p; s/^  \([a-z][a-z]*\)$/\1/p' "$TMP/help")
check "--help lists commands" test -n "$commands"
section COMMANDS >"$TMP/commands"
for c in $commands; do
    # the command's entry: from its .TP header line to the next .TP
    awk -v c="$c" '/^\.TP/ { getline h; on = (h ~ "^\\.B[IR]? " c "( |$)"); if (on) print h; next }
        /^\.(PP|SH)/ { on = 0 } on' "$TMP/commands" >"$TMP/entry"
    if [ ! -s "$TMP/entry" ]; then
        not_ok "command '$c' of --help has an entry under COMMANDS"
        continue
    fi
    ok "command '$c' of --help has an entry under COMMANDS"
    "$BIN" "$c" --help >"$TMP/usage" 2>&1
    opts=$(head -1 "$TMP/usage" | sed "s/.* $c //" | grep -oE -- '--?[a-z][a-z-]*' | sort -u)
    missing=
    for o in $opts; do
        grep -qF -- "$o" "$TMP/entry" || missing="$missing $o"
    done
    check "the man entry of '$c' has every option of '$c --help'${missing:+ (missing:$missing)}" \
        test -z "$missing"
done
# ... and the other way round: no command documented that the program does not have
documented=$(awk '/^\.TP/ { getline h; if (h ~ /^\.B[IR]? [a-z]+/) { split(h, w, " "); print w[2] } }' \
    "$TMP/commands" | sort -u)
for c in $documented; do
    printf '%s\n' $commands | grep -qx "$c"
    check "'$c' documented under COMMANDS is a command of --help" test $? -eq 0
done

section OPTIONS >"$TMP/options"
for o in $(sed -n '/^Global options:/,/^$/p' "$TMP/help" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    check "global option $o is under OPTIONS" grep -qF -- "$o" "$TMP/options"
done

section ENVIRONMENT >"$TMP/env"
for v in MOVIEREC_DATA MOVIEREC_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME NO_COLOR \
    MOVIELENS_MIRROR; do
    check "$v is under ENVIRONMENT" grep -qx "\.B $v" "$TMP/env"
done

section "EXIT STATUS" >"$TMP/exit"
for code in 0 1 2 3; do
    check "exit status $code is documented" grep -qx "\.B $code" "$TMP/exit"
done
check "--help states the exit codes" grep -q "0 success, 1 nothing found, 2 usage error, 3 data error" "$TMP/help"

run_rc "--version" 0 --version
version=$(sed -n 's/^movierec //p' "$TMP/out")
check "the page's version is the program's ($version)" grep -q "^\.TH MOVIEREC 1 .*\"movierec $version\"" "$page"

finish
