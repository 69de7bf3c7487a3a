/* split.c — cutting a data set into training and test data (EVAL_PROTOCOL.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/eval.h"

void mr_splitmix_seed(struct mr_splitmix *g, uint64_t seed)
{
    g->state = seed;
}

uint64_t mr_splitmix_next(struct mr_splitmix *g)
{
    g->state += 0x9E3779B97F4A7C15ull;
    uint64_t z = g->state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ---- Split specs --------------------------------------------------------------------------- */

#define SPLIT_USAGE "use ml100k, kfold:K, holdout:F, users:F"

/* Parses a fraction strictly between 0 and 1 from the whole of s into *f; 0 on success. */
static int parse_fraction(const char *s, double *f)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0.0 || v >= 1.0)
        return -1;
    *f = v;
    return 0;
}

int mr_split_parse(const char *text, struct mr_split_spec *spec, struct mr_error *err)
{
    memset(spec, 0, sizeof *spec);
    if (!text)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "no split given: " SPLIT_USAGE);
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
    const char *arg = colon ? colon + 1 : NULL;

    if (name_len == 6 && strncmp(text, "ml100k", 6) == 0 && !arg) {
        spec->kind = MR_SPLIT_ML100K;
        spec->k = 5;
        return MR_OK;
    }
    if (name_len == 5 && strncmp(text, "kfold", 5) == 0) {
        spec->kind = MR_SPLIT_KFOLD;
        spec->k = 5;
        if (!arg)
            return MR_OK;
        char *end;
        errno = 0;
        long k = strtol(arg, &end, 10);
        if (end == arg || *end != '\0' || errno != 0 || k < 2 || k > 1000)
            return mr_error_set(err, MR_EUSAGE, NULL, 0,
                                "bad split '%s': K in kfold:K must be a whole number from 2 to "
                                "1000",
                                text);
        spec->k = (int)k;
        return MR_OK;
    }
    int holdout = name_len == 7 && strncmp(text, "holdout", 7) == 0;
    int users = name_len == 5 && strncmp(text, "users", 5) == 0;
    if (holdout || users) {
        spec->kind = holdout ? MR_SPLIT_HOLDOUT : MR_SPLIT_USERS;
        spec->k = 1;
        spec->fraction = holdout ? 0.2 : 0.1;
        if (arg && parse_fraction(arg, &spec->fraction) != 0)
            return mr_error_set(err, MR_EUSAGE, NULL, 0,
                                "bad split '%s': F in %s:F must be a number between 0 and 1 "
                                "(exclusive)",
                                text, holdout ? "holdout" : "users");
        return MR_OK;
    }
    return mr_error_set(err, MR_EUSAGE, NULL, 0, "unknown split '%s': " SPLIT_USAGE, text);
}

char *mr_split_format(const struct mr_split_spec *spec, char *buf, size_t len)
{
    switch (spec->kind) {
    case MR_SPLIT_ML100K:
        snprintf(buf, len, "ml100k");
        break;
    case MR_SPLIT_KFOLD:
        snprintf(buf, len, "kfold:%d", spec->k);
        break;
    case MR_SPLIT_HOLDOUT:
        snprintf(buf, len, "holdout:%g", spec->fraction);
        break;
    case MR_SPLIT_USERS:
        snprintf(buf, len, "users:%g", spec->fraction);
        break;
    }
    return buf;
}

int mr_split_n_folds(const struct mr_split_spec *spec)
{
    switch (spec->kind) {
    case MR_SPLIT_ML100K:
        return 5;
    case MR_SPLIT_KFOLD:
        return spec->k;
    case MR_SPLIT_HOLDOUT:
    case MR_SPLIT_USERS:
        return 1;
    }
    return 1;
}

int32_t mr_holdout_n_test(int32_t n, double fraction)
{
    if (n < 5)
        return 0;
    int64_t t;
    if (fabs(fraction - 0.2) < 1e-12)
        t = ((int64_t)n + 2) / 5;
    else
        t = (int64_t)llround(fraction * n);
    if (t < 1)
        t = 1;
    if (t > n - 1)
        t = n - 1;
    return (int32_t)t;
}

/* ---- Triples ------------------------------------------------------------------------------- */

/* Makes room for `extra` more triples.  Returns MR_OK or MR_ENOMEM (t unchanged). */
static int triples_reserve(struct mr_triples *t, int64_t *cap, int64_t extra)
{
    if (t->n + extra <= *cap)
        return MR_OK;
    int64_t c = *cap ? *cap : 256;
    while (c < t->n + extra)
        c *= 2;
    int32_t *users = realloc(t->user_ids, (size_t)c * sizeof *users);
    if (!users)
        return MR_ENOMEM;
    t->user_ids = users;
    int32_t *items = realloc(t->items, (size_t)c * sizeof *items);
    if (!items)
        return MR_ENOMEM;
    t->items = items;
    uint8_t *vals = realloc(t->vals, (size_t)c);
    if (!vals)
        return MR_ENOMEM;
    t->vals = vals;
    *cap = c;
    return MR_OK;
}

/* Appends one triple (room must have been reserved). */
static void triples_push(struct mr_triples *t, int32_t user_id, int32_t item, uint8_t val)
{
    t->user_ids[t->n] = user_id;
    t->items[t->n] = item;
    t->vals[t->n] = val;
    t->n++;
}

static void triples_free(struct mr_triples *t)
{
    free(t->user_ids);
    free(t->items);
    free(t->vals);
    memset(t, 0, sizeof *t);
}

/* The distinct user ids of t (sorted) become f's evaluated users.  MR_OK or MR_ENOMEM. */
static int users_from_triples(struct mr_fold *f, const struct mr_triples *t)
{
    int32_t n = 0;
    for (int64_t i = 0; i < t->n; i++)
        if (i == 0 || t->user_ids[i] != t->user_ids[i - 1])
            n++;
    f->user_ids = malloc((n ? (size_t)n : 1) * sizeof *f->user_ids);
    if (!f->user_ids)
        return MR_ENOMEM;
    f->n_users = 0;
    for (int64_t i = 0; i < t->n; i++)
        if (i == 0 || t->user_ids[i] != t->user_ids[i - 1])
            f->user_ids[f->n_users++] = t->user_ids[i];
    return MR_OK;
}

/* ---- Per-user holdout ---------------------------------------------------------------------- */

/* Shuffles the n ratings in (items, vals) by Fisher-Yates from g: k = n-1..1,
 * j = next() mod (k+1), swap a[k] and a[j]. */
static void shuffle_pairs(int32_t *items, uint8_t *vals, int32_t n, struct mr_splitmix *g)
{
    for (int32_t k = n - 1; k >= 1; k--) {
        int32_t j = (int32_t)(mr_splitmix_next(g) % (uint64_t)(k + 1));
        int32_t ti = items[k];
        items[k] = items[j];
        items[j] = ti;
        uint8_t tv = vals[k];
        vals[k] = vals[j];
        vals[j] = tv;
    }
}

/* Sorts pairs (items, vals) of length n by item (insertion sort: n is one user's test part). */
static void sort_pairs(int32_t *items, uint8_t *vals, int32_t n)
{
    for (int32_t i = 1; i < n; i++) {
        int32_t it = items[i];
        uint8_t v = vals[i];
        int32_t j = i - 1;
        while (j >= 0 && items[j] > it) {
            items[j + 1] = items[j];
            vals[j + 1] = vals[j];
            j--;
        }
        items[j + 1] = it;
        vals[j + 1] = v;
    }
}

/* Splits data-set user u's row with the holdout rule: the test part goes to test, the rest to
 * the builder `known` (holdout) or to the triples `known_t` (users:F), each sorted by item.
 * buf_items / buf_vals have room for the longest row.  Returns MR_OK or MR_ENOMEM. */
static int holdout_user(const struct mr_ratings *r, int32_t u, double fraction,
                        struct mr_splitmix *g, int32_t *buf_items, uint8_t *buf_vals,
                        struct mr_triples *test, int64_t *test_cap,
                        struct mr_ratings_builder *known, struct mr_triples *known_t,
                        int64_t *known_cap)
{
    int64_t lo = r->user_ptr[u];
    int32_t n = (int32_t)(r->user_ptr[u + 1] - lo);
    int32_t uid = r->user_ids[u];
    /* The CSR row is in ascending item index, which is ascending movie id. */
    memcpy(buf_items, r->user_items + lo, (size_t)n * sizeof *buf_items);
    memcpy(buf_vals, r->user_vals + lo, (size_t)n);
    int32_t n_test = mr_holdout_n_test(n, fraction);
    if (n >= 5)
        shuffle_pairs(buf_items, buf_vals, n, g);
    sort_pairs(buf_items, buf_vals, n_test);
    sort_pairs(buf_items + n_test, buf_vals + n_test, n - n_test);
    if (triples_reserve(test, test_cap, n_test) != MR_OK)
        return MR_ENOMEM;
    for (int32_t i = 0; i < n_test; i++)
        triples_push(test, uid, buf_items[i], buf_vals[i]);
    if (known_t && triples_reserve(known_t, known_cap, n - n_test) != MR_OK)
        return MR_ENOMEM;
    for (int32_t i = n_test; i < n; i++) {
        if (known_t)
            triples_push(known_t, uid, buf_items[i], buf_vals[i]);
        else if (mr_ratings_builder_add(known, uid, buf_items[i], buf_vals[i]) != MR_OK)
            return MR_ENOMEM;
    }
    return MR_OK;
}

/* Adds data-set user u's whole row to the builder. */
static int add_row(const struct mr_ratings *r, int32_t u, struct mr_ratings_builder *b)
{
    for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1]; p++)
        if (mr_ratings_builder_add(b, r->user_ids[u], r->user_items[p], r->user_vals[p]) != MR_OK)
            return MR_ENOMEM;
    return MR_OK;
}

/* Length of the longest user row of r. */
static int32_t longest_row(const struct mr_ratings *r)
{
    int64_t m = 0;
    for (int32_t u = 0; u < r->n_users; u++)
        if (r->user_ptr[u + 1] - r->user_ptr[u] > m)
            m = r->user_ptr[u + 1] - r->user_ptr[u];
    return (int32_t)m;
}

/* holdout:F over every user (removed == NULL), or users:F over the users with removed[u] set
 * (the others go to train whole).  Fills f->test, f->foldin and the builder b. */
static int split_holdout(const struct mr_ratings *r, double fraction, struct mr_splitmix *g,
                         const uint8_t *removed, struct mr_fold *f, struct mr_ratings_builder *b)
{
    int32_t longest = longest_row(r);
    int32_t *buf_items = malloc((longest ? (size_t)longest : 1) * sizeof *buf_items);
    uint8_t *buf_vals = malloc(longest ? (size_t)longest : 1);
    int rc = (buf_items && buf_vals) ? MR_OK : MR_ENOMEM;
    int64_t test_cap = 0, foldin_cap = 0;
    for (int32_t u = 0; u < r->n_users && rc == MR_OK; u++) {
        if (removed && !removed[u])
            rc = add_row(r, u, b);
        else
            rc = holdout_user(r, u, fraction, g, buf_items, buf_vals, &f->test, &test_cap, b,
                              removed ? &f->foldin : NULL, &foldin_cap);
    }
    free(buf_items);
    free(buf_vals);
    return rc;
}

/* The user ids of r whose index has flag set (all when flag is NULL) become f's users. */
static int users_from_flags(struct mr_fold *f, const struct mr_ratings *r, const uint8_t *flag)
{
    f->user_ids = malloc((r->n_users ? (size_t)r->n_users : 1) * sizeof *f->user_ids);
    if (!f->user_ids)
        return MR_ENOMEM;
    f->n_users = 0;
    for (int32_t u = 0; u < r->n_users; u++)
        if (!flag || flag[u])
            f->user_ids[f->n_users++] = r->user_ids[u];
    return MR_OK;
}

static int make_holdout(const struct mr_dataset *ds, double fraction, uint64_t seed,
                        struct mr_fold *f, struct mr_ratings_builder *b)
{
    struct mr_splitmix g;
    mr_splitmix_seed(&g, seed);
    int rc = split_holdout(&ds->ratings, fraction, &g, NULL, f, b);
    if (rc == MR_OK)
        rc = users_from_flags(f, &ds->ratings, NULL);
    return rc;
}

static int make_users(const struct mr_dataset *ds, double fraction, uint64_t seed,
                      struct mr_fold *f, struct mr_ratings_builder *b)
{
    const struct mr_ratings *r = &ds->ratings;
    int32_t n = r->n_users;
    int32_t *order = malloc((n ? (size_t)n : 1) * sizeof *order);
    uint8_t *removed = calloc(n ? (size_t)n : 1, 1);
    int rc = (order && removed) ? MR_OK : MR_ENOMEM;
    if (rc == MR_OK && n > 0) {
        struct mr_splitmix g;
        mr_splitmix_seed(&g, seed);
        for (int32_t i = 0; i < n; i++)
            order[i] = i;
        for (int32_t k = n - 1; k >= 1; k--) {
            int32_t j = (int32_t)(mr_splitmix_next(&g) % (uint64_t)(k + 1));
            int32_t t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        int64_t n_removed = llround(fraction * n);
        if (n_removed < 1)
            n_removed = 1;
        if (n_removed > n - 1)
            n_removed = n - 1;
        for (int64_t i = 0; i < n_removed; i++)
            removed[order[i]] = 1;
        rc = split_holdout(r, 0.2, &g, removed, f, b);
        if (rc == MR_OK)
            rc = users_from_flags(f, r, removed);
    }
    free(order);
    free(removed);
    return rc;
}

static int make_kfold(const struct mr_dataset *ds, int k, int index, uint64_t seed,
                      struct mr_fold *f, struct mr_ratings_builder *b, struct mr_error *err)
{
    const struct mr_ratings *r = &ds->ratings;
    int64_t n = r->n_ratings;
    if (n > (int64_t)UINT32_MAX)
        return mr_error_set(err, MR_EDATA, NULL, 0, "kfold: too many ratings (%lld)", (long long)n);
    uint32_t *perm = malloc((n ? (size_t)n : 1) * sizeof *perm);
    uint8_t *in_test = calloc(n ? (size_t)n : 1, 1);
    int rc = (perm && in_test) ? MR_OK : MR_ENOMEM;
    if (rc == MR_OK) {
        struct mr_splitmix g;
        mr_splitmix_seed(&g, seed);
        for (int64_t i = 0; i < n; i++)
            perm[i] = (uint32_t)i;
        for (int64_t i = n - 1; i >= 1; i--) {
            int64_t j = (int64_t)(mr_splitmix_next(&g) % (uint64_t)(i + 1));
            uint32_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int64_t lo = n * index / k, hi = n * (index + 1) / k;
        for (int64_t i = lo; i < hi; i++)
            in_test[perm[i]] = 1;
        int64_t cap = 0;
        rc = triples_reserve(&f->test, &cap, hi - lo);
        for (int32_t u = 0; u < r->n_users && rc == MR_OK; u++) {
            for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1] && rc == MR_OK; p++) {
                if (in_test[p])
                    triples_push(&f->test, r->user_ids[u], r->user_items[p], r->user_vals[p]);
                else
                    rc = mr_ratings_builder_add(b, r->user_ids[u], r->user_items[p],
                                                r->user_vals[p]);
            }
        }
        if (rc == MR_OK)
            rc = users_from_triples(f, &f->test);
    }
    free(perm);
    free(in_test);
    if (rc != MR_OK)
        mr_error_set(err, rc, NULL, 0, "kfold: out of memory");
    return rc;
}

/* Orders triples by (user id, item). */
struct triple {
    int32_t user_id;
    int32_t item;
    uint8_t val;
};

static int triple_cmp(const void *a, const void *b)
{
    const struct triple *x = a, *y = b;
    if (x->user_id != y->user_id)
        return x->user_id < y->user_id ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return 0;
}

/* Moves the builder's triples into t, sorted by (user id, item); b is freed.  MR_OK / ENOMEM. */
static int triples_from_builder(struct mr_ratings_builder *b, struct mr_triples *t)
{
    int64_t n = b->n;
    struct triple *tmp = malloc((n ? (size_t)n : 1) * sizeof *tmp);
    int64_t cap = 0;
    int rc = tmp ? triples_reserve(t, &cap, n) : MR_ENOMEM;
    if (rc == MR_OK) {
        for (int64_t i = 0; i < n; i++)
            tmp[i] = (struct triple){b->user_ids[i], b->items[i], b->vals[i]};
        qsort(tmp, (size_t)n, sizeof *tmp, triple_cmp);
        for (int64_t i = 0; i < n; i++)
            triples_push(t, tmp[i].user_id, tmp[i].item, tmp[i].val);
    }
    free(tmp);
    mr_ratings_builder_free(b);
    return rc;
}

/* The first malformed line of a fold file (mr_report_fn); later ones are only counted. */
struct fold_bad_line {
    char file[512];
    long line;
    char what[256];
};

static void note_bad_fold_line(void *ctx, const char *file, long line, const char *what)
{
    struct fold_bad_line *bad = ctx;
    if (bad->line != 0)
        return;
    snprintf(bad->file, sizeof bad->file, "%s", file);
    bad->line = line;
    snprintf(bad->what, sizeof bad->what, "%s", what);
}

/* Reads one fold file into b.  A malformed line refuses the fold, naming the file and line:
 * figures on a fold with lines dropped would not compare with the published ones. */
static int load_fold_file(const char *path, const struct mr_catalog *c,
                          struct mr_ratings_builder *b, struct mr_error *err)
{
    struct fold_bad_line bad = {{0}, 0, {0}};
    struct mr_load_opts opts = {0};
    opts.report = note_bad_fold_line;
    opts.report_ctx = &bad;
    struct mr_load_stats stats = {0};
    int rc = mr_ratings_load_100k_file(path, c, &opts, b, &stats, err);
    if (rc == MR_OK && stats.lines_skipped > 0)
        rc = mr_error_set(err, MR_EDATA, bad.file, bad.line,
                          "%s (%lld bad line%s in this fold file; the ml100k split needs the "
                          "canonical folds intact)",
                          bad.what, (long long)stats.lines_skipped,
                          stats.lines_skipped == 1 ? "" : "s");
    return rc;
}

static int make_ml100k(const struct mr_dataset *ds, int index, struct mr_fold *f,
                       struct mr_ratings_builder *b, struct mr_error *err)
{
    const char *dir = ds->dir ? ds->dir : ".";
    char base[4096], test[4096];
    snprintf(base, sizeof base, "%s/u%d.base", dir, index + 1);
    snprintf(test, sizeof test, "%s/u%d.test", dir, index + 1);
    const char *missing = access(base, R_OK) != 0 ? base : access(test, R_OK) != 0 ? test : NULL;
    if (missing)
        return mr_error_set(err, MR_EDATA, missing, 0,
                            "cannot read this file: the ml100k split needs the ml-100k folds "
                            "u1.base/u1.test .. u5.base/u5.test in the data directory");
    int rc = load_fold_file(base, &ds->catalog, b, err);
    if (rc != MR_OK)
        return rc;
    struct mr_ratings_builder tb = {0};
    rc = load_fold_file(test, &ds->catalog, &tb, err);
    if (rc != MR_OK) {
        mr_ratings_builder_free(&tb);
        return rc;
    }
    rc = triples_from_builder(&tb, &f->test);
    if (rc == MR_OK)
        rc = users_from_triples(f, &f->test);
    if (rc != MR_OK)
        mr_error_set(err, rc, NULL, 0, "ml100k: out of memory");
    return rc;
}

int mr_split_fold(const struct mr_dataset *ds, const struct mr_split_spec *spec, uint64_t seed,
                  int index, struct mr_fold *out, struct mr_error *err)
{
    memset(out, 0, sizeof *out);
    if (index < 0 || index >= mr_split_n_folds(spec))
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "fold %d does not exist (0..%d)", index,
                            mr_split_n_folds(spec) - 1);
    struct mr_ratings_builder b = {0};
    int rc = MR_OK;
    switch (spec->kind) {
    case MR_SPLIT_ML100K:
        rc = make_ml100k(ds, index, out, &b, err);
        break;
    case MR_SPLIT_KFOLD:
        rc = make_kfold(ds, spec->k, index, seed, out, &b, err);
        break;
    case MR_SPLIT_HOLDOUT:
        rc = make_holdout(ds, spec->fraction, seed, out, &b);
        break;
    case MR_SPLIT_USERS:
        rc = make_users(ds, spec->fraction, seed, out, &b);
        break;
    }
    if (rc == MR_OK)
        rc = mr_ratings_build(&b, ds->catalog.n_movies, &out->train);
    mr_ratings_builder_free(&b);
    if (rc != MR_OK) {
        if (err && err->status == MR_OK)
            mr_error_set(err, rc, NULL, 0, "cannot build the split: out of memory");
        mr_fold_free(out);
    }
    return rc;
}

/* Index of the first triple of user_id in t (sorted by user id), or t->n when absent. */
static int64_t triples_find_user(const struct mr_triples *t, int32_t user_id)
{
    int64_t lo = 0, hi = t->n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (t->user_ids[mid] < user_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->user_ids[lo] == user_id ? lo : t->n;
}

int mr_fold_load_user(const struct mr_fold *f, int32_t user_id, struct mr_user *u)
{
    int64_t p = triples_find_user(&f->foldin, user_id);
    if (p < f->foldin.n) {
        for (int32_t i = 0; i < u->n; i++)
            u->rated[u->items[i]] = 0;
        u->n = 0;
        for (; p < f->foldin.n && f->foldin.user_ids[p] == user_id; p++) {
            int rc = mr_user_set(u, f->foldin.items[p], f->foldin.vals[p], NULL);
            if (rc != MR_OK)
                return rc;
        }
        return MR_OK;
    }
    int32_t uidx = mr_ratings_find_user(&f->train, user_id);
    if (uidx >= 0)
        return mr_user_load_row(u, &f->train, uidx);
    for (int32_t i = 0; i < u->n; i++)
        u->rated[u->items[i]] = 0;
    u->n = 0;
    return MR_OK;
}

void mr_fold_free(struct mr_fold *f)
{
    mr_ratings_free(&f->train);
    triples_free(&f->test);
    triples_free(&f->foldin);
    free(f->user_ids);
    memset(f, 0, sizeof *f);
}
