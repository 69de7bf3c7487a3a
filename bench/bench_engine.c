/* bench_engine.c — time the engine: loading, training, the model cache, start-up, a rating
 * turned into a new top-5, similar-movies queries, and peak memory.
 *
 *   bench_engine [-m MODEL,MODEL...] [-c CACHE_DIR] DIR
 *
 * DIR is a data set directory.  A data set of more than 5M ratings counts as large: fewer
 * repetitions (3 loads, one fit per model).  -m restricts the models benchmarked (default: all
 * of them; the session part uses the hybrid when it is among them, else the last one).
 * -c keeps the model files in CACHE_DIR and reuses the valid ones found there: those models
 * are not trained again (no train line), which makes a re-run at 25M take minutes, not an
 * hour.  Without -c the cache lives in a temporary directory, removed at the end.
 *
 * Prints one TSV line per measure: dataset, measure, size, median, p99, unit.  Wall-clock
 * times come from CLOCK_MONOTONIC.  A "-cpu" line is the same work in CPU time, which a busy
 * machine does not disturb: the thread's CPU time for single-threaded work, the process's
 * (summed over its threads) for loading and training, which run on several threads.
 *
 * The session part (start-up with a warm cache, rating -> top-5, similar) runs in a fresh
 * process (this program re-executed with --session) so that its peak memory is its own.  Its
 * first start-up reads the data files and writes the data snapshot when the cache has none
 * (the p99 of startup-*; the median is a start from the snapshot); startup-step-* then time
 * each step of a start from the snapshot and the model cache on its own, with no session
 * open, so that peak-rss-session is the peak of one session (its first start-up included). */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "movierec/cache.h"
#include "movierec/dataset.h"
#include "movierec/model.h"
#include "movierec/serial.h"
#include "movierec/session.h"
#include "movierec/snapshot.h"
#include "movierec/topn.h"
#include "movierec/user.h"

#define LARGE_RATINGS 5000000 /* above this, a data set is "large" */
#define N_OPS         1000    /* timed rating changes */
#define N_SEED        20      /* ratings given before the timed changes */
#define RATE_POOL     500     /* ratings go to the RATE_POOL most rated films */
#define N_SIMILAR     1000    /* similar() queries */
#define SIMILAR_POOL  1000    /* ... over the SIMILAR_POOL most rated films */
#define TOP_N         5
#define SIMILAR_N     10

/* What every part needs to know about the run. */
struct bench {
    const char *dir;
    char name[256]; /* dataset column */
    char size[96];  /* size column */
    int large;      /* fewer repetitions */
    char tmp[4096]; /* temporary directory: the profile, and cache/ unless -c */
    char cache[4200];
    int reuse; /* -c: models with a valid cache file are loaded, not trained */
    struct mr_dataset ds;
};

/* One rating change: item gets half stars (0 = removed). */
struct op {
    int32_t item;
    int half;
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

/* This thread's CPU time. */
static double cpu_ms(void)
{
    return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

/* The process's CPU time, summed over its threads. */
static double proc_ms(void)
{
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v and prints the median and the 99th percentile (nearest rank) as one line; the
 * median of an even count is the upper middle value, as in bench_search. */
static void report(const struct bench *b, const char *measure, double *v, int n, const char *unit)
{
    if (n <= 0)
        return;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int p99 = (int)((double)n * 0.99 + 0.999999) - 1;
    if (p99 < 0)
        p99 = 0;
    if (p99 >= n)
        p99 = n - 1;
    printf("%s\t%s\t%s\t%.3f\t%.3f\t%s\n", b->name, measure, b->size, v[n / 2], v[p99], unit);
    fflush(stdout);
}

/* Prints a measure, and its -cpu twin. */
static void report2(const struct bench *b, const char *measure, double *wall, double *cpu, int n,
                    const char *unit)
{
    char m[128];
    report(b, measure, wall, n, unit);
    snprintf(m, sizeof m, "%s-cpu", measure);
    report(b, m, cpu, n, unit);
}

/* Prints the peak resident set size of this process so far. */
static void report_rss(const struct bench *b, const char *measure)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mib = (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
    report(b, measure, &mib, 1, "MiB");
}

/* A progress line on stderr for the long runs of a large data set. */
static void note(const struct bench *b, const char *what, const char *model)
{
    if (b->large)
        fprintf(stderr, "bench_engine: %s %s\n", what, model);
}

static int fail(const char *what, const struct mr_error *err)
{
    char msg[1200];
    mr_error_format(err, msg, sizeof msg);
    fprintf(stderr, "bench_engine: %s: %s\n", what, msg);
    return 1;
}

/* Name of the data set: the directory's last component. */
static void dataset_name(const char *dir, char *out, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    const char *base = strrchr(tmp, '/');
    snprintf(out, len, "%s", base ? base + 1 : tmp);
}

/* splitmix64: a small seeded generator, so that every run times the same sequence. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* qsort_r order: higher rating count first (arg: the counts), then lower index. */
static int by_count_desc(const void *a, const void *b, void *arg)
{
    const int32_t *count = arg;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (count[x] != count[y])
        return count[x] < count[y] ? 1 : -1;
    return (x > y) - (x < y);
}

/* The n most rated items (fewer when fewer were rated at all), most rated first, into a new
 * array; *got receives the count.  NULL when out of memory. */
static int32_t *most_rated(const struct mr_ratings *r, int n, int *got)
{
    int32_t *all = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *all);
    if (!all)
        return NULL;
    for (int32_t i = 0; i < r->n_items; i++)
        all[i] = i;
    qsort_r(all, (size_t)r->n_items, sizeof *all, by_count_desc, r->item_count);
    int k = 0;
    while (k < n && k < r->n_items && r->item_count[all[k]] > 0)
        k++;
    *got = k;
    return all;
}

/* The rating sequence: N_SEED new ratings, then N_OPS changes over the RATE_POOL most rated
 * films: half of them new ratings, 30% changed values, 20% removals (a user never drops
 * below 10 ratings).  Returns a new array of N_SEED + N_OPS, or NULL. */
static struct op *rating_ops(const struct mr_ratings *r)
{
    int pool_n;
    int32_t *pool = most_rated(r, RATE_POOL, &pool_n);
    struct op *ops = malloc((N_SEED + N_OPS) * sizeof *ops);
    struct mr_user u;
    if (!pool || !ops || pool_n < 2 * N_SEED || mr_user_init(&u, r->n_items) != MR_OK) {
        free(pool);
        free(ops);
        return NULL;
    }
    uint64_t seed = 7;
    for (int k = 0; k < N_SEED + N_OPS; k++) {
        uint64_t dice = next_rand(&seed) % 10;
        int32_t item;
        int half;
        if (k < N_SEED || u.n < 10 || (dice < 5 && u.n < pool_n)) {
            do
                item = pool[next_rand(&seed) % (uint64_t)pool_n];
            while (u.rated[item]);
            half = 1 + (int)(next_rand(&seed) % 10);
        } else if (dice < 8) {
            item = u.items[next_rand(&seed) % (uint64_t)u.n];
            half = 1 + (int)((u.rated[item] + next_rand(&seed) % 9) % 10); /* any other value */
        } else {
            item = u.items[next_rand(&seed) % (uint64_t)u.n];
            half = 0;
        }
        mr_user_set(&u, item, half, NULL);
        ops[k] = (struct op){.item = item, .half = half};
    }
    mr_user_free(&u);
    free(pool);
    return ops;
}

/* The similar() queries: N_SIMILAR films drawn from the SIMILAR_POOL most rated.  Returns a
 * new array or NULL. */
static int32_t *similar_queries(const struct mr_ratings *r)
{
    int pool_n;
    int32_t *pool = most_rated(r, SIMILAR_POOL, &pool_n);
    int32_t *q = malloc(N_SIMILAR * sizeof *q);
    if (!pool || !q || pool_n == 0) {
        free(pool);
        free(q);
        return NULL;
    }
    uint64_t seed = 11;
    for (int k = 0; k < N_SIMILAR; k++)
        q[k] = pool[next_rand(&seed) % (uint64_t)pool_n];
    free(pool);
    return q;
}

/* Loads the data set from its files several times; keeps the last load in b->ds. */
static int bench_load(struct bench *b)
{
    struct mr_error err;
    double wall[5], cpu[5];
    int reps = 0, want = 5;
    for (; reps < want; reps++) {
        if (reps > 0)
            mr_dataset_free(&b->ds);
        double t0 = now_ms(), c0 = proc_ms();
        if (mr_dataset_load(b->dir, NULL, &b->ds, &err) != MR_OK)
            return fail(b->dir, &err);
        wall[reps] = now_ms() - t0;
        cpu[reps] = proc_ms() - c0;
        if (reps == 0) {
            b->large = b->ds.ratings.n_ratings > LARGE_RATINGS;
            if (b->large)
                want = 3;
            snprintf(b->size, sizeof b->size, "%lld ratings / %d movies",
                     (long long)b->ds.ratings.n_ratings, (int)b->ds.catalog.n_movies);
        }
    }
    report2(b, "load-csv", wall, cpu, reps, "ms");
    return 0;
}

/* Marks the films the user rated and those nobody rated: what a top list leaves out. */
static void fill_exclude(const struct mr_ratings *r, const struct mr_user *u, uint8_t *exclude)
{
    for (int32_t i = 0; i < r->n_items; i++)
        exclude[i] = r->item_count[i] == 0 || u->rated[i];
}

/* The rating sequence through the model API alone: user_update + score + top-5 per change. */
static int bench_model_updates(const struct bench *b, const struct mr_model *m,
                               const struct op *ops)
{
    const struct mr_ratings *r = &b->ds.ratings;
    size_t ni = (size_t)(r->n_items > 0 ? r->n_items : 1);
    float *scores = malloc(ni * sizeof *scores);
    uint8_t *exclude = malloc(ni);
    double *wall = malloc(N_OPS * sizeof *wall), *cpu = malloc(N_OPS * sizeof *cpu);
    struct mr_user u;
    void *state = m->ops->user_new(m);
    int ok = scores && exclude && wall && cpu && state && mr_user_init(&u, r->n_items) == MR_OK;
    if (ok) {
        struct mr_scored top[TOP_N];
        double sink = 0;
        fill_exclude(r, &u, exclude);
        for (int k = 0; k < N_SEED + N_OPS; k++) {
            int old;
            double t0 = now_ms(), c0 = cpu_ms();
            mr_user_set(&u, ops[k].item, ops[k].half, &old);
            m->ops->user_update(m, state, &u, ops[k].item, old, ops[k].half);
            m->ops->score(m, state, &u, scores);
            exclude[ops[k].item] = r->item_count[ops[k].item] == 0 || ops[k].half != 0;
            int got = mr_topn(scores, r->n_items, exclude, TOP_N, top);
            double t1 = now_ms(), c1 = cpu_ms();
            sink += got > 0 ? top[0].score : 0;
            if (k >= N_SEED) {
                wall[k - N_SEED] = t1 - t0;
                cpu[k - N_SEED] = c1 - c0;
            }
        }
        char measure[96];
        snprintf(measure, sizeof measure, "update-top5-%s", m->ops->name);
        report2(b, measure, wall, cpu, N_OPS, "ms");
        if (sink != sink) /* keeps the work from being optimised away */
            puts("");
        mr_user_free(&u);
    }
    if (state)
        m->ops->user_free(m, state);
    free(scores);
    free(exclude);
    free(wall);
    free(cpu);
    return ok ? 0 : 1;
}

/* similar() + top-10 through the model API, for a model that has an item-item notion. */
static int bench_model_similar(const struct bench *b, const struct mr_model *m,
                               const int32_t *queries)
{
    const struct mr_ratings *r = &b->ds.ratings;
    if (!m->ops->similar)
        return 0;
    size_t ni = (size_t)(r->n_items > 0 ? r->n_items : 1);
    float *sims = malloc(ni * sizeof *sims);
    uint8_t *unrated = malloc(ni);
    double *wall = malloc(N_SIMILAR * sizeof *wall), *cpu = malloc(N_SIMILAR * sizeof *cpu);
    int ok = sims && unrated && wall && cpu;
    int n = 0;
    if (ok) {
        for (int32_t i = 0; i < r->n_items; i++)
            unrated[i] = r->item_count[i] == 0;
        struct mr_scored best[SIMILAR_N];
        double sink = 0;
        for (int k = 0; k < N_SIMILAR; k++) {
            double t0 = now_ms(), c0 = cpu_ms();
            if (m->ops->similar(m, queries[k], sims) != 0)
                break;
            int got = mr_topn(sims, r->n_items, unrated, SIMILAR_N, best);
            wall[n] = now_ms() - t0;
            cpu[n++] = cpu_ms() - c0;
            sink += got > 0 ? best[0].score : 0;
        }
        char measure[96];
        snprintf(measure, sizeof measure, "similar10-%s", m->ops->name);
        report2(b, measure, wall, cpu, n, "ms");
        if (sink != sink)
            puts("");
    }
    free(sims);
    free(unrated);
    free(wall);
    free(cpu);
    return ok ? 0 : 1;
}

/* One model: fits (several times at small scale), saves to the cache, loads it back, then
 * times updates and similar() on the loaded copy. */
static int bench_model(struct bench *b, const struct mr_model_ops *ops, const struct op *rate,
                       const int32_t *queries)
{
    struct mr_error err;
    const struct mr_catalog *c = &b->ds.catalog;
    const struct mr_ratings *r = &b->ds.ratings;
    int reps = b->large ? 1 : 3;
    double wall[5], cpu[5];
    char measure[96], path[4400];
    struct mr_model *m = NULL;
    if (!mr_cache_path(b->cache, ops->name, b->ds.fingerprint, path, sizeof path))
        return fprintf(stderr, "bench_engine: cache path too long\n"), 1;
    if (b->reuse) {
        enum mr_cache_state state;
        m = mr_model_new(ops->name, NULL, c, r);
        if (m && mr_cache_load(m, path, b->ds.fingerprint, &state, &err) == MR_OK)
            reps = 0;
        mr_model_free(m);
        m = NULL;
    }
    note(b, reps ? "training" : "cached, not training", ops->name);
    for (int k = 0; k < reps; k++) {
        mr_model_free(m);
        m = mr_model_new(ops->name, NULL, c, r);
        if (!m)
            return fprintf(stderr, "bench_engine: out of memory\n"), 1;
        double t0 = now_ms(), c0 = proc_ms();
        if (mr_model_fit(m, &err) != MR_OK) {
            mr_model_free(m);
            return fail(ops->name, &err);
        }
        wall[k] = now_ms() - t0;
        cpu[k] = proc_ms() - c0;
    }
    if (reps > 0) {
        snprintf(measure, sizeof measure, "train-%s", ops->name);
        report2(b, measure, wall, cpu, reps, "ms");
        double t0 = now_ms();
        int rc = mr_cache_save(m, path, b->ds.fingerprint, &err);
        wall[0] = now_ms() - t0;
        mr_model_free(m);
        if (rc != MR_OK)
            return fail(ops->name, &err);
        snprintf(measure, sizeof measure, "cache-save-%s", ops->name);
        report(b, measure, wall, 1, "ms");
    }

    reps = b->large ? 3 : 5;
    m = NULL;
    for (int k = 0; k < reps; k++) {
        mr_model_free(m);
        m = mr_model_new(ops->name, NULL, c, r);
        enum mr_cache_state state;
        if (!m)
            return fprintf(stderr, "bench_engine: out of memory\n"), 1;
        double l0 = now_ms(), c0 = proc_ms();
        if (mr_cache_load(m, path, b->ds.fingerprint, &state, &err) != MR_OK) {
            mr_model_free(m);
            return fail(path, &err);
        }
        wall[k] = now_ms() - l0;
        cpu[k] = proc_ms() - c0;
    }
    snprintf(measure, sizeof measure, "cache-load-%s", ops->name);
    report2(b, measure, wall, cpu, reps, "ms");

    note(b, "updates and similar() of", ops->name);
    int rc = bench_model_updates(b, m, rate);
    if (rc == 0)
        rc = bench_model_similar(b, m, queries);
    mr_model_free(m);
    if (rc)
        fprintf(stderr, "bench_engine: %s: out of memory\n", ops->name);
    return rc;
}

/* Whether name is in the comma-separated list (NULL list: every name). */
static int listed(const char *list, const char *name)
{
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (e ? 1 : 0);
    }
    return 0;
}

/* Maps path and checksums it as the loaders do (no other check).  Returns 0, or -1 when the
 * file cannot be mapped. */
static int verify_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 8) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return -1;
    volatile uint64_t sum = mr_checksum(p, n - 8);
    (void)sum;
    munmap(p, n);
    return 0;
}

/* The steps of a start-up, each on its own, as mr_session_open and mr_session_prepare run
 * them with a warm cache: the data set and its title index through the snapshot (and the
 * snapshot's checksum alone), what building the index would cost instead (not part of a
 * start-up), the model from its cache file (and that file's checksum alone), the user's
 * state.  Wall and process CPU time (the checksum of a big file uses two threads). */
static int bench_startup_steps(struct bench *b, const char *algo, const struct mr_user *user)
{
    enum { STEPS = 6 };
    static const char *const names[STEPS] = {
        "startup-step-dataset", "startup-step-snapshot-verify", "startup-step-search-build",
        "startup-step-model",   "startup-step-model-verify",    "startup-step-user"};
    double wall[STEPS][5], cpu[STEPS][5];
    int reps = b->large ? 3 : 5;
    struct mr_error err;
    for (int k = 0; k < reps; k++) {
        struct mr_dataset ds;
        struct mr_search_index *from_snapshot = NULL;
        double t[STEPS + 1], c[STEPS + 1];
        t[0] = now_ms(), c[0] = proc_ms();
        if (mr_dataset_open(b->dir, b->cache, NULL, &ds, &from_snapshot, &err) != MR_OK)
            return fail("dataset open", &err);
        t[1] = now_ms(), c[1] = proc_ms();
        char snap[4200], model[4200];
        int have = mr_snapshot_path(b->cache, ds.fingerprint, snap, sizeof snap) &&
                   mr_cache_path(b->cache, algo, ds.fingerprint, model, sizeof model);
        if (!have || verify_file(snap) != 0) {
            mr_dataset_free(&ds);
            fprintf(stderr, "bench_engine: no snapshot in %s\n", b->cache);
            return 1;
        }
        t[2] = now_ms(), c[2] = proc_ms();
        struct mr_search_index *search = mr_search_build(&ds.catalog, ds.ratings.item_count);
        t[3] = now_ms(), c[3] = proc_ms();
        struct mr_model *m = mr_model_new(algo, NULL, &ds.catalog, &ds.ratings);
        enum mr_cache_state st;
        int rc = m ? mr_cache_load(m, model, ds.fingerprint, &st, &err) : MR_ENOMEM;
        t[4] = now_ms(), c[4] = proc_ms();
        int verified = verify_file(model);
        t[5] = now_ms(), c[5] = proc_ms();
        void *state = rc == MR_OK ? mr_model_user_from(m, user) : NULL;
        t[6] = now_ms(), c[6] = proc_ms();
        if (state)
            m->ops->user_free(m, state);
        mr_model_free(m);
        mr_search_free(search);
        mr_search_free(from_snapshot);
        mr_dataset_free(&ds);
        if (rc != MR_OK || verified != 0 || !search || !state)
            return fail("start-up steps", &err);
        for (int i = 0; i < STEPS; i++) {
            wall[i][k] = t[i + 1] - t[i];
            cpu[i][k] = c[i + 1] - c[i];
        }
    }
    for (int i = 0; i < STEPS; i++)
        report2(b, names[i], wall[i], cpu[i], reps, "ms");
    return 0;
}

/* Start-up (open + prepare with a warm cache), then the rating sequence and similar()
 * through the session, as the frontends call them.  Runs in its own process. */
static int bench_session(struct bench *b, const char *algo)
{
    struct mr_error err;
    char profile[4200];
    snprintf(profile, sizeof profile, "%s/profile.csv", b->tmp);
    struct mr_session_opts so = {
        .data_dir = b->dir, .profile_path = profile, .cache_dir = b->cache, .algo = algo};
    struct mr_session *s = NULL;
    double wall[5], cpu[5], open_ms[5], prep_ms[5];
    int reps = 0, want = 5;
    for (; reps < want; reps++) {
        mr_session_close(s);
        double t0 = now_ms(), c0 = proc_ms();
        if (mr_session_open(&so, &s, &err) != MR_OK)
            return fail("session open", &err);
        double t1 = now_ms();
        if (mr_session_prepare(s, &err) != MR_OK) {
            mr_session_close(s);
            return fail("session prepare", &err);
        }
        double t2 = now_ms();
        wall[reps] = t2 - t0;
        cpu[reps] = proc_ms() - c0;
        open_ms[reps] = t1 - t0;
        prep_ms[reps] = t2 - t1;
        if (reps == 0) {
            const struct mr_ratings *r = &mr_session_dataset(s)->ratings;
            b->large = r->n_ratings > LARGE_RATINGS;
            if (b->large)
                want = 3;
            snprintf(b->size, sizeof b->size, "%lld ratings / %d movies", (long long)r->n_ratings,
                     (int)mr_session_dataset(s)->catalog.n_movies);
        }
    }
    char measure[96];
    snprintf(measure, sizeof measure, "startup-%s", algo);
    report2(b, measure, wall, cpu, reps, "ms");
    report(b, "startup-open", open_ms, reps, "ms");
    report(b, "startup-prepare", prep_ms, reps, "ms");
    /* The steps open a data set and a model of their own: with the session closed, so that the
     * peak memory below is one session's, not two. */
    int32_t n_items = mr_session_dataset(s)->ratings.n_items;
    mr_session_close(s);
    s = NULL;
    struct mr_user nobody; /* the profile is still empty */
    if (mr_user_init(&nobody, n_items) != MR_OK)
        return fprintf(stderr, "bench_engine: out of memory\n"), 1;
    int steps = bench_startup_steps(b, algo, &nobody);
    mr_user_free(&nobody);
    if (steps != 0)
        return 1;
    if (mr_session_open(&so, &s, &err) != MR_OK)
        return fail("session open", &err);
    if (mr_session_prepare(s, &err) != MR_OK) {
        mr_session_close(s);
        return fail("session prepare", &err);
    }

    const struct mr_ratings *r = &mr_session_dataset(s)->ratings;
    struct op *ops = rating_ops(r);
    int32_t *queries = similar_queries(r);
    double *t = malloc(N_OPS * sizeof *t), *tc = malloc(N_OPS * sizeof *tc);
    double *tw = malloc(N_OPS * sizeof *tw), *tu = malloc(N_OPS * sizeof *tu);
    double *tr = malloc(N_OPS * sizeof *tr);
    struct mr_rec recs[SIMILAR_N];
    int rc = 0;
    if (!ops || !queries || !t || !tc || !tw || !tu || !tr) {
        fprintf(stderr, "bench_engine: out of memory or too few rated films\n");
        rc = 1;
    }
    for (int k = 0; rc == 0 && k < N_SEED + N_OPS; k++) {
        double t0 = now_ms(), c0 = cpu_ms();
        if (mr_session_rate(s, ops[k].item, ops[k].half, &err) != MR_OK) {
            rc = fail("rate", &err);
            break;
        }
        double t1 = now_ms();
        int got = mr_session_recommend(s, TOP_N, recs);
        double t2 = now_ms(), c2 = cpu_ms();
        if (got <= 0) {
            fprintf(stderr, "bench_engine: no recommendations\n");
            rc = 1;
        }
        if (k >= N_SEED) {
            int i = k - N_SEED;
            t[i] = t2 - t0;
            tc[i] = c2 - c0;
            tw[i] = mr_session_last_write_ms(s);
            tu[i] = mr_session_last_update_ms(s) + (t2 - t1);
            tr[i] = t2 - t1;
        }
    }
    if (rc == 0) {
        snprintf(measure, sizeof measure, "rate-top5-%s", algo);
        report2(b, measure, t, tc, N_OPS, "ms");
        report(b, "rate-top5-write", tw, N_OPS, "ms");
        report(b, "rate-top5-nowrite", tu, N_OPS, "ms");
        report(b, "recommend5-reasons", tr, N_OPS, "ms");
    }
    for (int k = 0; rc == 0 && k < N_SIMILAR; k++) {
        double t0 = now_ms(), c0 = cpu_ms();
        int got = mr_session_similar(s, queries[k], SIMILAR_N, recs);
        t[k] = now_ms() - t0;
        tc[k] = cpu_ms() - c0;
        if (got <= 0 && k == 0) {
            fprintf(stderr, "bench_engine: similar() found nothing\n");
            rc = 1;
        }
    }
    if (rc == 0) {
        snprintf(measure, sizeof measure, "similar10-session-%s", algo);
        report2(b, measure, t, tc, N_SIMILAR, "ms");
        report_rss(b, "peak-rss-session");
    }
    free(ops);
    free(queries);
    free(t);
    free(tc);
    free(tw);
    free(tu);
    free(tr);
    mr_session_close(s);
    return rc;
}

/* Runs this program again as "--session DIR TMP CACHE ALGO" and waits for it. */
static int run_session_process(const struct bench *b, const char *algo)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return fprintf(stderr, "bench_engine: fork: %s\n", strerror(errno)), 1;
    if (pid == 0) {
        execl("/proc/self/exe", "bench_engine", "--session", b->dir, b->tmp, b->cache, algo,
              (char *)NULL);
        fprintf(stderr, "bench_engine: exec: %s\n", strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "bench_engine: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

/* Removes the temporary directory and what the run put there (cache files, profile). */
static void remove_tmp(const struct bench *b)
{
    if (b->tmp[0])
        nftw(b->tmp, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
    struct bench b;
    memset(&b, 0, sizeof b);
    if (argc == 6 && strcmp(argv[1], "--session") == 0) {
        b.dir = argv[2];
        snprintf(b.tmp, sizeof b.tmp, "%s", argv[3]);
        snprintf(b.cache, sizeof b.cache, "%s", argv[4]);
        dataset_name(b.dir, b.name, sizeof b.name);
        return bench_session(&b, argv[5]);
    }
    const char *models = NULL, *cache = NULL;
    int opt, bad = 0;
    while (!bad && (opt = getopt(argc, argv, "m:c:")) != -1) {
        if (opt == 'm')
            models = optarg;
        else if (opt == 'c')
            cache = optarg;
        else
            bad = 1;
    }
    if (bad || optind != argc - 1) {
        fprintf(stderr, "usage: %s [-m MODEL,MODEL...] [-c CACHE_DIR] DATA_DIR\n", argv[0]);
        return 2;
    }
    b.dir = argv[optind];
    dataset_name(b.dir, b.name, sizeof b.name);
    const char *tmpdir = getenv("TMPDIR");
    snprintf(b.tmp, sizeof b.tmp, "%s/bench_engine.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(b.tmp)) {
        fprintf(stderr, "bench_engine: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    if (cache) {
        snprintf(b.cache, sizeof b.cache, "%s", cache);
        b.reuse = 1;
    } else {
        snprintf(b.cache, sizeof b.cache, "%s/cache", b.tmp);
    }

    int rc = bench_load(&b);
    struct op *rate = NULL;
    int32_t *queries = NULL;
    if (rc == 0) {
        rate = rating_ops(&b.ds.ratings);
        queries = similar_queries(&b.ds.ratings);
        if (!rate || !queries) {
            fprintf(stderr, "bench_engine: out of memory or too few rated films\n");
            rc = 1;
        }
    }
    const char *algo = NULL;
    const struct mr_model_ops *const *all = mr_model_ops_all();
    for (int i = 0; rc == 0 && all[i]; i++) {
        if (!listed(models, all[i]->name))
            continue;
        rc = bench_model(&b, all[i], rate, queries);
        algo = all[i]->name;
    }
    free(rate);
    free(queries);
    mr_dataset_free(&b.ds);
    if (rc == 0 && algo) {
        if (listed(models, "hybrid"))
            algo = "hybrid";
        note(&b, "session with", algo);
        rc = run_session_process(&b, algo);
    }
    if (rc == 0)
        report_rss(&b, "peak-rss");
    remove_tmp(&b);
    return rc;
}
