/* bench_search.c — time the title index: its build, and queries of every kind.
 *
 *   bench_search DIR        a data set directory (popularity = ratings per movie)
 *   bench_search MOVIES.CSV a movies.csv alone (no popularity)
 *
 * Prints one TSV line per measure: dataset, measure, size, median, p99, unit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "movierec/dataset.h"
#include "movierec/search.h"

#define BUILD_RUNS   7
#define QUERY_ROUNDS 60

/* Full titles, word prefixes (as typed, letter by letter), typos, substrings, years,
 * accents and articles, and a few that match nothing. */
static const char *const search_queries[] = {
    "the matrix",
    "matrix",
    "Matrix, The (1999)",
    "amelie",
    "Amélie",
    "godfater",
    "the godfather part ii",
    "star wars",
    "star wars episode v",
    "s",
    "st",
    "sta",
    "star",
    "star w",
    "star wa",
    "toy story",
    "toy sto",
    "heat 1995",
    "heat",
    "pulp fction",
    "shawshank redemtion",
    "jurassic prk",
    "lord of the rings",
    "the lord of the rings return",
    "ody",
    "odyssey",
    "2001 a space odyssey",
    "schindlers list",
    "spiderman",
    "x-men",
    "die hard",
    "el laberinto del fauno",
    "crouching tiger",
    "les miserables",
    "fight club",
    "forest gump",
    "terminator 2",
    "rocky 2",
    "harry potter",
    "harry poter philosopher",
    "interstellar",
    "inception",
    "back to the future",
    "silence of the lambs",
    "alien",
    "blade runner 2049",
    "eternal sunshine",
    "zzzzqqq",
    "a",
    "love",
};

static const char *const complete_prefixes[] = {
    "", "t", "the", "the m", "matr", "star wars", "toy", "amel", "godf", "lord of",
};

static double clock_ms(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Wall-clock time: what a user waits. */
static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* This thread's CPU time: the same work without the waits of a busy machine. */
static double cpu_ms(void)
{
    return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v and prints the median and the 99th percentile (nearest rank) as one line. */
static void report(const char *dataset, const char *measure, const char *size, double *v, int n,
                   const char *unit)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int p99 = (int)((double)n * 0.99 + 0.999999) - 1;
    if (p99 < 0)
        p99 = 0;
    if (p99 >= n)
        p99 = n - 1;
    printf("%s\t%s\t%s\t%.3f\t%.3f\t%s\n", dataset, measure, size, v[n / 2], v[p99], unit);
}

/* Name of the data set: the directory's last component, or the movies.csv's directory's. */
static void dataset_name(const char *arg, int is_csv, char *out, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", arg);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    if (is_csv) {
        char *slash = strrchr(tmp, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(tmp, sizeof tmp, ".");
    }
    const char *base = strrchr(tmp, '/');
    snprintf(out, len, "%s", base ? base + 1 : tmp);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA_DIR | MOVIES.CSV\n", argv[0]);
        return 2;
    }
    const char *arg = argv[1];
    size_t alen = strlen(arg);
    int is_csv = alen > 4 && strcmp(arg + alen - 4, ".csv") == 0;
    struct mr_dataset ds;
    struct mr_catalog csv_catalog = {0};
    struct mr_error err;
    const struct mr_catalog *c;
    const int32_t *popularity = NULL;
    if (is_csv) {
        struct mr_load_opts opts = {0};
        struct mr_load_stats stats;
        opts.skip_ratings = 1;
        if (mr_catalog_load_csv(arg, &opts, &csv_catalog, &stats, &err) != MR_OK) {
            char msg[1200];
            mr_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "bench_search: %s\n", msg);
            return 1;
        }
        c = &csv_catalog;
    } else {
        if (mr_dataset_load(arg, NULL, &ds, &err) != MR_OK) {
            char msg[1200];
            mr_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "bench_search: %s\n", msg);
            return 1;
        }
        c = &ds.catalog;
        popularity = ds.ratings.item_count;
    }
    char name[256], size[64];
    dataset_name(arg, is_csv, name, sizeof name);
    snprintf(size, sizeof size, "%d movies", (int)c->n_movies);

    double build[BUILD_RUNS], build_cpu[BUILD_RUNS];
    struct mr_search_index *ix = NULL;
    for (int r = 0; r < BUILD_RUNS; r++) {
        mr_search_free(ix);
        double t0 = now_ms(), c0 = cpu_ms();
        ix = mr_search_build(c, popularity);
        build[r] = now_ms() - t0;
        build_cpu[r] = cpu_ms() - c0;
        if (!ix) {
            fprintf(stderr, "bench_search: out of memory\n");
            return 1;
        }
    }
    report(name, "search-build", size, build, BUILD_RUNS, "ms");
    report(name, "search-build-cpu", size, build_cpu, BUILD_RUNS, "ms");

    enum { NQ = sizeof search_queries / sizeof *search_queries };
    enum { NC = sizeof complete_prefixes / sizeof *complete_prefixes };
    double *t = malloc(sizeof *t * NQ * QUERY_ROUNDS);
    double *tc = malloc(sizeof *tc * NQ * QUERY_ROUNDS);
    if (!t || !tc)
        return 1;
    struct mr_search_hit hits[20];
    long found = 0;
    int n = 0;
    for (int r = 0; r < QUERY_ROUNDS; r++) {
        for (int q = 0; q < NQ; q++) {
            double t0 = now_ms(), c0 = cpu_ms();
            found += mr_search(ix, search_queries[q], hits, 20);
            t[n] = now_ms() - t0;
            tc[n++] = cpu_ms() - c0;
        }
    }
    report(name, "search", size, t, n, "ms");
    report(name, "search-cpu", size, tc, n, "ms");

    n = 0;
    for (int r = 0; r < QUERY_ROUNDS; r++) {
        for (int q = 0; q < NQ; q++) {
            int32_t item;
            int nc;
            double t0 = now_ms();
            mr_resolve_movie(ix, c, search_queries[q], &item, hits, 20, &nc);
            t[n++] = now_ms() - t0;
        }
    }
    report(name, "resolve", size, t, n, "ms");

    n = 0;
    int32_t items[50];
    for (int r = 0; r < QUERY_ROUNDS; r++) {
        for (int q = 0; q < NC; q++) {
            double t0 = now_ms();
            found += mr_search_complete(ix, complete_prefixes[q], items, 50);
            t[n++] = now_ms() - t0;
        }
    }
    report(name, "complete", size, t, n, "ms");
    if (found < 0) /* keeps the calls from being optimised away */
        puts("");

    free(t);
    free(tc);
    mr_search_free(ix);
    if (is_csv)
        mr_catalog_free(&csv_catalog);
    else
        mr_dataset_free(&ds);
    return 0;
}
