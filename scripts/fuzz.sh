#!/bin/bash
# Builds the libFuzzer targets of tests/fuzz (clang, -fsanitize=fuzzer,address,undefined) and
# runs each for FUZZ_SECONDS (default 60), nice'd, starting from the seed corpus in
# tests/fuzz/corpus/TARGET and the saved crashes in tests/fuzz/regressions/TARGET.
#   scripts/fuzz.sh [TARGET...]        (default: every tests/fuzz/fuzz_*.c)
# Environment: FUZZ_SECONDS, FUZZ_MAX_LEN (default 8192), FUZZ_BUILD (default build/fuzz).
# New corpus entries go to $FUZZ_BUILD/corpus/TARGET; crashing inputs to
# $FUZZ_BUILD/crashes/.  Prints per target the seconds run and the executions (libFuzzer's
# final stats) and exits 1 when any target found a crash.
set -u
cd "$(dirname "$0")/.." || exit 2

seconds=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-8192}
out=${FUZZ_BUILD:-build/fuzz}

# clang and its libFuzzer runtime: install them (Debian) when they are missing.
fuzzer_works() {
    local tmp
    tmp=$(mktemp -d) || return 1
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$tmp/t.c"
    clang -fsanitize=fuzzer,address,undefined -o "$tmp/t" "$tmp/t.c" >/dev/null 2>&1
    local rc=$?
    rm -rf "$tmp"
    return $rc
}
if ! command -v clang >/dev/null 2>&1 || ! fuzzer_works; then
    pkgs="clang libclang-rt-dev"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "fuzz: installing $pkgs"
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086
        apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs || exit 1
    else
        echo "fuzz: clang with libFuzzer is needed. Run, as root:" >&2
        echo "    apt-get update && apt-get install -y $pkgs" >&2
        exit 1
    fi
    fuzzer_works || { echo "fuzz: clang -fsanitize=fuzzer still does not link" >&2; exit 1; }
fi
scripts/deps.sh test || exit 1

# The engine, instrumented for coverage and sanitizers, through the Makefile.
make --no-print-directory BUILD="$out" CC=clang SAN=1 \
    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" "$out/libmovierec.a" || exit 1

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in tests/fuzz/fuzz_*.c; do
        t=$(basename "$f" .c)
        targets+=("$t")
    done
fi

mkdir -p "$out/crashes"
# The targets' scratch files: removed here, since libFuzzer may exit without cleaning up.
scratch=$(mktemp -d /dev/shm/mr-fuzz-run.XXXXXX 2>/dev/null || mktemp -d) || exit 1
export MOVIEREC_FUZZ_SCRATCH=$scratch
trap 'rm -rf "$scratch"' EXIT
status=0
summary=()
for t in "${targets[@]}"; do
    src=tests/fuzz/$t.c
    [ -f "$src" ] || { echo "fuzz: no target $src" >&2; exit 2; }
    echo "=== $t: build"
    clang -std=c11 -D_GNU_SOURCE -Iinclude -O1 -g -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -pthread \
        -o "$out/$t" "$src" "$out/libmovierec.a" -lcsv -lm || exit 1
    mkdir -p "$out/corpus/$t"
    seeds=()
    for d in "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t"; do
        [ -d "$d" ] && seeds+=("$d")
    done
    echo "=== $t: fuzzing for ${seconds}s"
    log=$out/$t.log
    bin=$out/$t
    case $bin in /*) ;; *) bin=./$bin ;; esac # FUZZ_BUILD may be absolute
    nice -n 10 "$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" \
        "$out/corpus/$t" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    corpus=$(find "$out/corpus/$t" -type f | wc -l)
    if [ $rc -ne 0 ]; then
        status=1
        result="CRASH (see $log and $out/crashes/$t-*)"
        grep -E '^==[0-9]+==ERROR|SUMMARY|property failed|runtime error' "$log" | head -5
    else
        result=ok
    fi
    summary+=("$(printf '%-18s %6ss %12s execs %8s/s %6s corpus  %s' "$t" "${took:-?}" \
        "${execs:-?}" "${rate:-?}" "$corpus" "$result")")
done

echo "=== fuzz summary (FUZZ_SECONDS=$seconds)"
printf '%s\n' "${summary[@]}"
if [ $status -ne 0 ]; then
    echo "Keep a crashing input as a regression: tests/fuzz/regressions/TARGET/NAME" \
        "(replayed by build/tests/test_fuzz_replay)"
fi
exit $status
