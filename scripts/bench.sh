#!/bin/bash
# Runs the benchmarks and prints one table: data set, measure, size, median, p99, unit.
#   scripts/bench.sh small   ml-latest-small (and the ml-25m catalog for search)
#   scripts/bench.sh large   also a 25M-rating synthetic set over the ml-25m catalog
# Environment (large): BENCH_SYNTH=DIR holds the synthetic set (default build/bench/synth-25m,
# generated there when missing: 690 MB); BENCH_CACHE=DIR keeps the 25M models there and reuses
# the valid ones (bench_engine -c: a second run loads them instead of training them again).
# Every bench program prints TSV lines: dataset measure size median p99 unit.  Wall-clock
# figures suffer when other jobs share the machine: the load average is printed before and
# after, and the "-cpu" lines give the same work in CPU time.
set -eu
cd "$(dirname "$0")/.."
mode=${1:-small}
bin=build/bench
small=data/ml-latest-small
catalog=${MOVIELENS_MIRROR:-../shared/movielens}/ml-25m-catalog/movies.csv
synth=${BENCH_SYNTH:-$bin/synth-25m}
large_opts=()
if [ -n "${BENCH_CACHE:-}" ]; then
    mkdir -p "$BENCH_CACHE"
    large_opts=(-c "$BENCH_CACHE")
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() { # prints the program's TSV lines, and keeps them for the table
    echo "+ $*" >&2
    "$@" | tee -a "$out" >&2
}

printf 'machine: %s cores, %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" >&2
printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >&2
start=$(date +%s)

for b in "$bin"/bench/bench_*; do
    [ -x "$b" ] || continue
    run "$b" "$small"
done
if [ -f "$catalog" ] && [ -x "$bin/bench/bench_search" ]; then
    run "$bin/bench/bench_search" "$catalog"
fi

if [ "$mode" = large ]; then
    if [ ! -f "$synth/ratings.csv" ]; then
        [ -f "$catalog" ] || { echo "bench-large: no ml-25m catalog at $catalog (set MOVIELENS_MIRROR)" >&2; exit 1; }
        echo "+ generating 25M synthetic ratings into $synth" >&2
        /usr/bin/time -f 'gen: %e s, %M KiB peak' "$bin/movierec" gen --catalog "$catalog" \
            --users 162541 --ratings 25000000 --seed 1 --out "$synth"
    fi
    for b in "$bin"/bench/bench_*; do
        [ -x "$b" ] || continue
        [ "$(basename "$b")" = bench_search ] && continue
        run "$b" "${large_opts[@]}" "$synth"
    done
fi

printf 'load average at end: %s (%s s in all)\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(($(date +%s) - start))" >&2
echo
{
    printf 'dataset\tmeasure\tsize\tmedian\tp99\tunit\n'
    cat "$out"
} | column -t -s "$(printf '\t')"
