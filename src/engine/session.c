/* session.c — one data set, its model, the search index and one person's live state (see
 * session.h).
 *
 * A rating goes to disk first (the profile's fsync'd journal), then into memory: the user's
 * ratings, the model's incremental user state, the score vector and the top list, all in
 * buffers allocated once at open/prepare.  A write that fails leaves memory as it was and
 * queues the change; every later change retries the queue first, in order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "movierec/cache.h"
#include "movierec/hybrid.h"
#include "movierec/profile.h"
#include "movierec/session.h"
#include "movierec/snapshot.h"
#include "movierec/topn.h"
#include "onboard.h"
#include "similar.h"

#define SESSION_TOP  50  /* recommendations kept current after every rating */
#define COLD_POOL    10  /* cold start: candidates considered per film shown */
#define SESSION_SIMS 100 /* similar films returned at most */

/* One applied change, for undo. */
struct change {
    int32_t item;
    uint8_t old_half, new_half;
    int64_t old_ts; /* when the old rating was made (0: unknown or none) */
};

/* One change waiting to be written. */
struct pending {
    int32_t item;
    uint8_t half;
    int64_t ts;
};

struct mr_session {
    char *data_dir, *profile_path, *cache_dir, *algo;
    struct mr_params params;
    int has_params;
    int32_t user_id;
    mr_report_fn report;
    void *report_ctx;
    mr_progress_fn progress;
    void *progress_ctx;

    struct mr_dataset ds;
    struct mr_search_index *search;
    struct mr_profile profile;
    int has_profile;
    struct mr_user user;

    struct mr_model *model;
    void *state;
    float *scores;         /* n_items: the model's scores for the user */
    float *sims;           /* n_items: scratch of similar() */
    float *sim_work;       /* 2 n_items: scratch of the hybrid's similar() */
    int8_t *sim_source;    /* n_items: the hybrid component behind each similarity */
    int32_t *work;         /* n_items: scratch of the co-rating similarity (kept zero) */
    uint8_t *exclude;      /* n_items: rated by the user, or by nobody */
    uint8_t *unrated;      /* n_items: rated by nobody */
    struct mr_scored *top; /* SESSION_TOP */
    int n_top;
    struct mr_scored *pick; /* SESSION_TOP * COLD_POOL: scratch of lists */
    float *onboard_info;    /* n_items, computed at the first onboarding question */

    struct change *undo;
    int n_undo, cap_undo;
    struct pending *pend;
    int n_pend, cap_pend;
    double last_ms, last_write_ms;
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

const struct mr_dataset *mr_session_dataset(const struct mr_session *s)
{
    return &s->ds;
}

const struct mr_search_index *mr_session_search(const struct mr_session *s)
{
    return s->search;
}

const struct mr_user *mr_session_user(const struct mr_session *s)
{
    return &s->user;
}

const struct mr_model *mr_session_model(const struct mr_session *s)
{
    return s->model;
}

double mr_session_last_update_ms(const struct mr_session *s)
{
    return s->last_ms;
}

double mr_session_last_write_ms(const struct mr_session *s)
{
    return s->last_write_ms;
}

int mr_session_pending(const struct mr_session *s)
{
    return s->n_pend;
}

/* Loads the user's ratings: the data-set user's row, or the profile's films that are in the
 * catalog (the others stay in the profile, unused). */
static int load_user(struct mr_session *s, struct mr_error *err)
{
    int32_t n_items = s->ds.ratings.n_items;
    if (mr_user_init(&s->user, n_items) != MR_OK)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    if (s->user_id > 0) {
        int32_t uidx = mr_ratings_find_user(&s->ds.ratings, s->user_id);
        if (uidx < 0)
            return mr_error_set(err, MR_EUSAGE, s->data_dir, 0, "no user %d in the data set",
                                (int)s->user_id);
        if (mr_user_load_row(&s->user, &s->ds.ratings, uidx) != MR_OK)
            return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
        return MR_OK;
    }
    if (!s->profile_path)
        return MR_OK;
    int rc = mr_profile_open(s->profile_path, s->report, s->report_ctx, &s->profile, err);
    if (rc != MR_OK)
        return rc;
    s->has_profile = 1;
    for (int32_t i = 0; i < s->profile.n; i++) {
        int32_t item = mr_catalog_find(&s->ds.catalog, s->profile.ratings[i].movie_id);
        if (item >= 0 && mr_user_set(&s->user, item, s->profile.ratings[i].half, NULL) != MR_OK)
            return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    }
    return MR_OK;
}

int mr_session_open(const struct mr_session_opts *opts, struct mr_session **out,
                    struct mr_error *err)
{
    *out = NULL;
    if (!opts || !opts->data_dir)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "no data directory given");
    struct mr_session *s = calloc(1, sizeof *s);
    if (!s)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    s->data_dir = strdup(opts->data_dir);
    s->profile_path = dup_or_null(opts->profile_path);
    s->cache_dir = dup_or_null(opts->cache_dir);
    s->algo = strdup(opts->algo ? opts->algo : "hybrid");
    if (opts->params) {
        s->params = *opts->params;
        s->has_params = 1;
    }
    s->user_id = opts->user_id;
    s->report = opts->report;
    s->report_ctx = opts->report_ctx;
    s->progress = opts->progress;
    s->progress_ctx = opts->progress_ctx;
    if (!s->data_dir || !s->algo || (opts->profile_path && !s->profile_path) ||
        (opts->cache_dir && !s->cache_dir)) {
        mr_session_close(s);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    }
    if (!mr_model_ops_find(s->algo)) {
        int rc = mr_error_set(err, MR_EUSAGE, NULL, 0, "unknown model '%s'", s->algo);
        mr_session_close(s);
        return rc;
    }
    struct mr_load_opts lo = {.report = s->report,
                              .report_ctx = s->report_ctx,
                              .progress = s->progress,
                              .progress_ctx = s->progress_ctx};
    /* Through the data snapshot in the cache directory when there is a valid one. */
    int rc = mr_dataset_open(s->data_dir, s->cache_dir, &lo, &s->ds, &s->search, err);
    if (rc == MR_OK)
        rc = load_user(s, err);
    int32_t n_items = s->ds.ratings.n_items;
    size_t ni = (size_t)(n_items > 0 ? n_items : 1);
    if (rc == MR_OK) {
        s->scores = calloc(ni, sizeof *s->scores);
        s->sims = calloc(ni, sizeof *s->sims);
        s->sim_work = calloc(2 * ni, sizeof *s->sim_work);
        s->sim_source = calloc(ni, 1);
        s->work = calloc(ni, sizeof *s->work);
        s->exclude = calloc(ni, 1);
        s->unrated = calloc(ni, 1);
        s->top = calloc(SESSION_TOP, sizeof *s->top);
        s->pick = calloc(SESSION_TOP * COLD_POOL, sizeof *s->pick);
        s->cap_undo = 64;
        s->undo = malloc((size_t)s->cap_undo * sizeof *s->undo);
        if (!s->search || !s->scores || !s->sims || !s->sim_work || !s->sim_source || !s->work ||
            !s->exclude || !s->unrated || !s->top || !s->pick || !s->undo)
            rc = mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    }
    if (rc != MR_OK) {
        mr_session_close(s);
        return rc;
    }
    for (int32_t i = 0; i < n_items; i++) {
        s->unrated[i] = s->ds.ratings.item_count[i] == 0;
        s->exclude[i] = s->unrated[i] || s->user.rated[i];
    }
    *out = s;
    return MR_OK;
}

/* Rescores the catalog for the user and keeps the top list (rated films and films nobody
 * rated excluded). */
static void refresh_top(struct mr_session *s)
{
    if (!s->model)
        return;
    s->model->ops->score(s->model, s->state, &s->user, s->scores);
    s->n_top = mr_topn(s->scores, s->ds.ratings.n_items, s->exclude, SESSION_TOP, s->top);
}

int mr_session_prepare(struct mr_session *s, struct mr_error *err)
{
    if (s->model)
        return MR_OK;
    struct mr_model *m =
        mr_model_new(s->algo, s->has_params ? &s->params : NULL, &s->ds.catalog, &s->ds.ratings);
    if (!m)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    m->progress = s->progress;
    m->progress_ctx = s->progress_ctx;
    int rc = mr_cache_fit_or_load(&m, s->cache_dir, s->ds.fingerprint, s->report, s->report_ctx,
                                  NULL, err);
    if (rc != MR_OK) {
        mr_model_free(m);
        return rc;
    }
    s->state = mr_model_user_from(m, &s->user);
    if (!s->state) {
        mr_model_free(m);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    }
    s->model = m;
    refresh_top(s);
    return MR_OK;
}

/* When the profile last set item's rating (0: not in the profile). */
static int64_t profile_time(const struct mr_session *s, int32_t item)
{
    if (!s->has_profile || item < 0 || item >= s->ds.catalog.n_movies)
        return 0;
    int32_t id = s->ds.catalog.movies[item].id;
    for (int32_t i = 0; i < s->profile.n; i++)
        if (s->profile.ratings[i].movie_id == id)
            return s->profile.ratings[i].timestamp;
    return 0;
}

int64_t mr_session_rated_at(const struct mr_session *s, int32_t item)
{
    return profile_time(s, item);
}

/* Writes the change durably, then applies it in memory; pushes it on the undo stack when
 * record is set.  Returns MR_OK, or MR_EIO / MR_ENOMEM with memory unchanged. */
static int write_and_apply(struct mr_session *s, int32_t item, int half, int64_t ts, int record,
                           struct mr_error *err)
{
    int old = s->user.rated[item];
    if (old == half)
        return MR_OK;
    if (record && s->n_undo == s->cap_undo) {
        int cap = s->cap_undo * 2;
        struct change *u = realloc(s->undo, (size_t)cap * sizeof *u);
        if (!u)
            return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
        s->undo = u;
        s->cap_undo = cap;
    }
    int64_t old_ts = profile_time(s, item);
    double t0 = now_ms();
    if (s->has_profile) {
        int rc = mr_profile_set(&s->profile, s->ds.catalog.movies[item].id, half, ts, err);
        if (rc != MR_OK)
            return rc;
    }
    double t1 = now_ms();
    /* Cannot fail: the item is valid and a change of value or a removal needs no memory;
     * an addition may grow the arrays, and on failure nothing was changed. */
    if (mr_user_set(&s->user, item, half, NULL) != MR_OK)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    s->exclude[item] = s->unrated[item] || half != 0;
    if (s->model)
        s->model->ops->user_update(s->model, s->state, &s->user, item, old, half);
    refresh_top(s);
    double t2 = now_ms();
    s->last_write_ms = t1 - t0;
    s->last_ms = t2 - t1;
    if (record)
        s->undo[s->n_undo++] = (struct change){
            .item = item, .old_half = (uint8_t)old, .new_half = (uint8_t)half, .old_ts = old_ts};
    return MR_OK;
}

/* Makes room for one more pending change, so that a change whose write fails can always be
 * kept (issue #6: never dropped).  Returns MR_OK or MR_ENOMEM (nothing changed). */
static int reserve_pending(struct mr_session *s)
{
    if (s->n_pend < s->cap_pend)
        return MR_OK;
    int cap = s->cap_pend ? s->cap_pend * 2 : 8;
    struct pending *p = realloc(s->pend, (size_t)cap * sizeof *p);
    if (!p)
        return MR_ENOMEM;
    s->pend = p;
    s->cap_pend = cap;
    return MR_OK;
}

/* Queues a change whose write failed; a queued change of the same film is replaced.  The room
 * was reserved before the write (reserve_pending).  Returns MR_OK, or MR_ENOMEM when there is
 * no room after all (the change is then not kept). */
static int queue_pending(struct mr_session *s, int32_t item, int half, int64_t ts)
{
    int k = 0;
    for (int i = 0; i < s->n_pend; i++)
        if (s->pend[i].item != item)
            s->pend[k++] = s->pend[i];
    s->n_pend = k;
    if (reserve_pending(s) != MR_OK)
        return MR_ENOMEM;
    s->pend[s->n_pend++] = (struct pending){.item = item, .half = (uint8_t)half, .ts = ts};
    return MR_OK;
}

int mr_session_pending_at(const struct mr_session *s, int index, int32_t *item, int *half,
                          int64_t *timestamp)
{
    if (index < 0 || index >= s->n_pend)
        return -1;
    if (item)
        *item = s->pend[index].item;
    if (half)
        *half = s->pend[index].half;
    if (timestamp)
        *timestamp = s->pend[index].ts;
    return 0;
}

int mr_session_flush(struct mr_session *s, struct mr_error *err)
{
    while (s->n_pend > 0) {
        struct pending p = s->pend[0];
        int rc = write_and_apply(s, p.item, p.half, p.ts, 1, err);
        if (rc != MR_OK)
            return rc;
        memmove(s->pend, s->pend + 1, (size_t)(s->n_pend - 1) * sizeof *s->pend);
        s->n_pend--;
    }
    return MR_OK;
}

int mr_session_rate(struct mr_session *s, int32_t item, int half, struct mr_error *err)
{
    if (item < 0 || item >= s->ds.ratings.n_items || half < 0 || half > 10)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "bad rating %d for item %d", half, (int)item);
    if (s->user_id > 0)
        return mr_error_set(err, MR_EUSAGE, NULL, 0,
                            "data-set user %d is read-only: use a profile to rate films",
                            (int)s->user_id);
    /* Room to keep the change if its write fails, before anything is written. */
    if (reserve_pending(s) != MR_OK)
        return mr_error_set(err, MR_ENOMEM, NULL, 0,
                            "out of memory: the rating was not taken (nothing written)");
    int64_t ts = (int64_t)time(NULL);
    int rc = mr_session_flush(s, err);
    if (rc == MR_OK)
        rc = write_and_apply(s, item, half, ts, 1, err);
    if (rc == MR_EIO && queue_pending(s, item, half, ts) != MR_OK) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "write failed");
        rc =
            mr_error_set(err, MR_ENOMEM, NULL, 0,
                         "the rating could not be written (%s) nor kept to retry: it is lost", why);
    }
    return rc;
}

int mr_session_undo(struct mr_session *s, struct mr_error *err)
{
    int rc = mr_session_flush(s, err);
    if (rc != MR_OK)
        return rc;
    if (s->n_undo == 0)
        return mr_error_set(err, MR_ENOTFOUND, NULL, 0, "nothing to undo");
    struct change c = s->undo[s->n_undo - 1];
    int64_t ts = c.old_half && c.old_ts ? c.old_ts : (int64_t)time(NULL);
    rc = write_and_apply(s, c.item, c.old_half, ts, 0, err);
    if (rc == MR_OK)
        s->n_undo--;
    return rc;
}

/* A reason for a film from the data alone: its count and mean rating. */
static void data_reason(const struct mr_session *s, int32_t item, char *buf, size_t len)
{
    const struct mr_ratings *r = &s->ds.ratings;
    char genres[96];
    mr_genres_format(s->ds.catalog.movies[item].genres, genres, sizeof genres);
    snprintf(buf, len, "well liked: %.1f stars from %d ratings%s%s", r->item_mean[item],
             (int)r->item_count[item], genres[0] ? "; " : "", genres);
}

static void fill_rec(struct mr_session *s, const struct mr_scored *sc, struct mr_rec *out)
{
    out->item = sc->item;
    out->score = sc->score;
    out->reason[0] = '\0';
    const struct mr_model_ops *ops = s->model->ops;
    if (!ops->explain ||
        !ops->explain(s->model, s->state, &s->user, sc->item, out->reason, sizeof out->reason))
        data_reason(s, sc->item, out->reason, sizeof out->reason);
}

int mr_session_recommend(struct mr_session *s, int n, struct mr_rec *out)
{
    if (!s->model || n <= 0)
        return 0;
    int32_t n_items = s->ds.ratings.n_items;
    if (s->user.n == 0) {
        /* Nothing known yet: good and popular films, spread over the genres. */
        if (n > SESSION_TOP)
            n = SESSION_TOP;
        struct mr_scored picked[SESSION_TOP];
        int got = mr_diversify(s->scores, n_items, s->exclude, &s->ds.catalog, n, n * COLD_POOL,
                               s->pick, picked);
        for (int k = 0; k < got; k++)
            fill_rec(s, &picked[k], &out[k]);
        return got;
    }
    if (n <= s->n_top || s->n_top < SESSION_TOP) {
        int got = n < s->n_top ? n : s->n_top;
        for (int k = 0; k < got; k++)
            fill_rec(s, &s->top[k], &out[k]);
        return got;
    }
    struct mr_scored *all = malloc((size_t)n * sizeof *all);
    if (!all)
        return 0;
    int got = mr_topn(s->scores, n_items, s->exclude, n, all);
    for (int k = 0; k < got; k++)
        fill_rec(s, &all[k], &out[k]);
    free(all);
    return got;
}

int mr_session_similar(struct mr_session *s, int32_t item, int n, struct mr_rec *out)
{
    int32_t n_items = s->ds.ratings.n_items;
    if (item < 0 || item >= n_items || n <= 0)
        return 0;
    if (n > SESSION_SIMS)
        n = SESSION_SIMS;
    const struct mr_model *m = s->model;
    int hybrid = m && strcmp(m->ops->name, "hybrid") == 0;
    int from_model;
    if (hybrid)
        from_model = mr_hybrid_similar_explained(m, item, s->sims, s->sim_source, s->sim_work) == 0;
    else
        from_model = m && m->ops->similar && m->ops->similar(m, item, s->sims) == 0;
    if (!from_model && mr_corating_similar(&s->ds.ratings, item, s->sims, s->work) != 0)
        return 0;
    s->sims[item] = -INFINITY;
    struct mr_scored best[SESSION_SIMS];
    int got = mr_topn(s->sims, n_items, s->unrated, n, best);
    while (got > 0 && !(best[got - 1].score > 0))
        got--; /* nothing in common is not "similar" */
    uint8_t content[SESSION_SIMS];
    for (int k = 0; k < got; k++) {
        if (hybrid && from_model) {
            int c = s->sim_source[best[k].item];
            content[k] = c >= 0 && strcmp(mr_hybrid_component(m, c)->ops->name, "content") == 0;
        } else {
            content[k] = from_model && strcmp(m->ops->name, "content") == 0;
        }
        out[k].item = best[k].item;
        out[k].score = best[k].score;
    }
    /* One pass over the film's fans counts the co-likes of the whole list. */
    mr_similar_reasons(&s->ds.catalog, &s->ds.ratings, item, content, got, out);
    return got;
}

double mr_session_predict(struct mr_session *s, int32_t item)
{
    if (!s->model || !s->model->ops->predict || item < 0 || item >= s->ds.ratings.n_items)
        return 0;
    double p = s->model->ops->predict(s->model, s->state, &s->user, item);
    if (!isfinite(p))
        return 0;
    return p < 0.5 ? 0.5 : p > 5 ? 5 : p;
}

int mr_session_onboard_next(struct mr_session *s, const int32_t *shown, int n_shown, int n,
                            int32_t *out)
{
    int32_t n_items = s->ds.ratings.n_items;
    if (n <= 0)
        return 0;
    if (!s->onboard_info) {
        s->onboard_info = mr_onboard_informativeness(&s->ds.ratings);
        if (!s->onboard_info)
            return 0;
    }
    int32_t *context = malloc((size_t)(n_shown + s->user.n + 1) * sizeof *context);
    uint8_t *skip = calloc((size_t)(n_items > 0 ? n_items : 1), 1);
    if (!context || !skip) {
        free(context);
        free(skip);
        return 0;
    }
    int n_context = 0;
    for (int k = 0; k < n_shown; k++)
        if (shown[k] >= 0 && shown[k] < n_items) {
            skip[shown[k]] = 1;
            context[n_context++] = shown[k];
        }
    for (int32_t k = 0; k < s->user.n; k++) {
        skip[s->user.items[k]] = 1;
        context[n_context++] = s->user.items[k];
    }
    int got =
        mr_onboard_pick(&s->ds.catalog, s->onboard_info, n_items, skip, context, n_context, n, out);
    free(context);
    free(skip);
    return got;
}

int mr_session_scores(struct mr_session *s, float *out)
{
    if (!s->model)
        return -1;
    memcpy(out, s->scores, (size_t)s->ds.ratings.n_items * sizeof *out);
    return 0;
}

void mr_session_close(struct mr_session *s)
{
    if (!s)
        return;
    if (s->n_pend > 0) {
        struct mr_error ignored;
        mr_session_flush(s, &ignored); /* a last try; what still fails was reported */
    }
    if (s->model) {
        if (s->state)
            s->model->ops->user_free(s->model, s->state);
        mr_model_free(s->model);
    }
    if (s->has_profile)
        mr_profile_close(&s->profile);
    mr_user_free(&s->user);
    mr_search_free(s->search);
    mr_dataset_free(&s->ds);
    free(s->scores);
    free(s->sims);
    free(s->sim_work);
    free(s->sim_source);
    free(s->work);
    free(s->exclude);
    free(s->unrated);
    free(s->top);
    free(s->pick);
    free(s->onboard_info);
    free(s->undo);
    free(s->pend);
    free(s->data_dir);
    free(s->profile_path);
    free(s->cache_dir);
    free(s->algo);
    free(s);
}
