/* fuzz_model_cache.c — a model cache file (cache.h) read back from any payload.  The first
 * input byte picks the model (its index in mr_model_ops_all(), modulo their count); the rest
 * is the payload the model's load reads.  The target writes the header that model expects for
 * tests/fixtures/ml-latest-tiny (as laid out in cache.h), the payload and the right checksum,
 * so that every input gets past the checksum to the model's own checks.  A refused file must
 * say so (MR_ECORRUPT, state corrupt, a message) and unload cleanly; a loaded model must serve
 * a user without touching memory it does not own: scores, predictions, explanations,
 * similarities, rating changes.  The seeds (tests/fuzz/corpus/fuzz_model_cache) are the
 * payloads of every model fitted on the fixture, written by `test_fuzz_replay --make-seeds`. */
#include "movierec/cache.h"
#include "movierec/model.h"
#include "movierec/serial.h"
#include "movierec/user.h"
#include "fuzz_check.h"
#include "fuzz_targets.h"

#define MODEL_CACHE_DATA  "tests/fixtures/ml-latest-tiny"
#define MODEL_CACHE_MAGIC "MOVIEREC"

static struct mr_dataset model_cache_ds;
static int model_cache_n_ops;

/* How many inputs loaded (were not refused): the replay test checks that the seeds do. */
static long fuzz_model_cache_loaded;

/* Loads the fixture on first use. */
static void model_cache_init(void)
{
    if (model_cache_n_ops)
        return;
    struct mr_error err;
    mr_error_clear(&err);
    FUZZ_CHECK(mr_dataset_load(MODEL_CACHE_DATA, NULL, &model_cache_ds, &err) == MR_OK);
    const struct mr_model_ops *const *all = mr_model_ops_all();
    while (all[model_cache_n_ops])
        model_cache_n_ops++;
    FUZZ_CHECK(model_cache_n_ops > 0 && model_cache_n_ops < 256);
}

/* Appends n bytes at p to buf at *at. */
static void model_cache_put(unsigned char *buf, size_t *at, const void *p, size_t n)
{
    memcpy(buf + *at, p, n);
    *at += n;
}

/* The size of the header cache.h lays out for a model named name. */
static size_t model_cache_header_size(const char *name)
{
    return 8 + 4 + 4 + 4 + strlen(name) + 8 + 8 + 4 + 4 + 8;
}

/* Writes the header m expects for the fixture into buf (model_cache_header_size bytes). */
static size_t model_cache_header(const struct mr_model *m, unsigned char *buf)
{
    const struct mr_ratings *r = m->ratings;
    uint32_t format = MR_CACHE_FORMAT, order = 0x01020304u, len = (uint32_t)strlen(m->ops->name);
    uint64_t data_fp = model_cache_ds.fingerprint;
    uint64_t params_fp = mr_cache_params_fingerprint(m->ops->name, &m->params);
    uint32_t n_items = (uint32_t)r->n_items, n_users = (uint32_t)r->n_users;
    uint64_t n_ratings = (uint64_t)r->n_ratings;
    size_t at = 0;
    model_cache_put(buf, &at, MODEL_CACHE_MAGIC, 8);
    model_cache_put(buf, &at, &format, 4);
    model_cache_put(buf, &at, &order, 4);
    model_cache_put(buf, &at, &len, 4);
    model_cache_put(buf, &at, m->ops->name, len);
    model_cache_put(buf, &at, &data_fp, 8);
    model_cache_put(buf, &at, &params_fp, 8);
    model_cache_put(buf, &at, &n_items, 4);
    model_cache_put(buf, &at, &n_users, 4);
    model_cache_put(buf, &at, &n_ratings, 8);
    return at;
}

/* Uses a loaded model the way a session does, for data-set user 0 and a user of our own. */
static void model_cache_exercise(const struct mr_model *m)
{
    const struct mr_ratings *r = m->ratings;
    int32_t n = r->n_items;
    float *scores = malloc((size_t)n * sizeof *scores);
    FUZZ_CHECK(scores != NULL);
    struct mr_user u;
    FUZZ_CHECK(mr_user_init(&u, n) == MR_OK);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            FUZZ_CHECK(mr_user_load_row(&u, r, 0) == MR_OK);
        void *st = mr_model_user_from(m, &u);
        FUZZ_CHECK(st != NULL);
        m->ops->score(m, st, &u, scores);
        for (int32_t i = 0; i < n; i++) {
            if (m->ops->predict)
                (void)m->ops->predict(m, st, &u, i);
            char why[256];
            if (m->ops->explain && m->ops->explain(m, st, &u, i, why, sizeof why))
                FUZZ_CHECK(strlen(why) < sizeof why);
        }
        /* Rate, change and remove a film, scoring after each step. */
        int32_t item = n - 1, halves[] = {10, 3, 0};
        for (size_t k = 0; k < sizeof halves / sizeof *halves; k++) {
            int old = 0;
            FUZZ_CHECK(mr_user_set(&u, item, halves[k], &old) == MR_OK);
            if (old != halves[k])
                m->ops->user_update(m, st, &u, item, old, halves[k]);
            m->ops->score(m, st, &u, scores);
        }
        m->ops->user_free(m, st);
        mr_user_free(&u);
        FUZZ_CHECK(mr_user_init(&u, n) == MR_OK); /* pass 1: a new user, no ratings */
    }
    mr_user_free(&u);
    if (m->ops->similar)
        for (int32_t i = 0; i < n; i++)
            (void)m->ops->similar(m, i, scores);
    free(scores);
}

#ifdef FUZZ_NO_MAIN /* the seeds are written by test_fuzz_replay */
/* The path a seed's model is saved to. */
static void model_cache_file(const char *name, char *path, size_t len)
{
    char dir[256];
    fuzz_subdir("model_cache_seed", dir, sizeof dir);
    snprintf(path, len, "%s/%s.model", dir, name);
}

/* Fits model number kind on the fixture and writes its payload, after the kind byte, to out
 * (a seed). */
static int fuzz_model_cache_make_seed(int kind, const char *out)
{
    model_cache_init();
    const struct mr_model_ops *ops = mr_model_ops_all()[kind];
    struct mr_model *m =
        mr_model_new(ops->name, NULL, &model_cache_ds.catalog, &model_cache_ds.ratings);
    struct mr_error err;
    mr_error_clear(&err);
    if (!m || mr_model_fit(m, &err) != MR_OK) {
        mr_model_free(m);
        return -1;
    }
    char path[512];
    model_cache_file(ops->name, path, sizeof path);
    int rc = mr_cache_save(m, path, model_cache_ds.fingerprint, &err);
    size_t head = model_cache_header_size(ops->name);
    mr_model_free(m);
    if (rc != MR_OK)
        return -1;
    FILE *in = fopen(path, "rb");
    FILE *f = fopen(out, "wb");
    int ok = in && f && fputc(kind, f) == kind && fseek(in, 0, SEEK_END) == 0;
    long size = ok ? ftell(in) : -1;
    ok = ok && size >= (long)(head + 8) && fseek(in, (long)head, SEEK_SET) == 0;
    for (long i = (long)head; ok && i < size - 8; i++) {
        int c = fgetc(in);
        ok = c != EOF && fputc(c, f) == c;
    }
    if (in)
        fclose(in);
    if (f && fclose(f) != 0)
        ok = 0;
    unlink(path);
    return ok ? 0 : -1;
}
#endif

int fuzz_model_cache(const uint8_t *data, size_t size)
{
    model_cache_init();
    if (size == 0)
        return 0;
    const struct mr_model_ops *ops = mr_model_ops_all()[data[0] % model_cache_n_ops];
    struct mr_model *m =
        mr_model_new(ops->name, NULL, &model_cache_ds.catalog, &model_cache_ds.ratings);
    FUZZ_CHECK(m != NULL);
    size_t head = model_cache_header_size(ops->name), n = head + size - 1;
    unsigned char *file = malloc(n + sizeof(uint64_t));
    FUZZ_CHECK(file != NULL);
    FUZZ_CHECK(model_cache_header(m, file) == head);
    memcpy(file + head, data + 1, size - 1);
    uint64_t sum = mr_checksum(file, n);
    memcpy(file + n, &sum, sizeof sum);
    char path[512], name[80];
    snprintf(name, sizeof name, "%s.model", ops->name);
    fuzz_write("model_cache", name, file, n + sizeof sum, path, sizeof path);
    free(file);

    enum mr_cache_state state = MR_CACHE_MISSING;
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_cache_load(m, path, model_cache_ds.fingerprint, &state, &err);
    if (rc == MR_OK) {
        FUZZ_CHECK(state == MR_CACHE_LOADED && m->impl != NULL);
        fuzz_model_cache_loaded++;
        model_cache_exercise(m);
    } else {
        FUZZ_CHECK(rc == MR_ECORRUPT || rc == MR_ENOMEM);
        FUZZ_CHECK(state == MR_CACHE_CORRUPT && err.msg[0]);
        mr_model_unload(m);
        FUZZ_CHECK(m->impl == NULL && m->backing == NULL);
    }
    mr_model_free(m);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_model_cache(data, size);
}
#endif
