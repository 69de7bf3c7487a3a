/* eval.c — the evaluation runner: fit on each fold, predict or rank, average the metrics. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "movierec/eval.h"
#include "movierec/topn.h"

#define DEFAULT_THREADS 2

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void mr_eval_result_clear(struct mr_eval_result *r)
{
    memset(r, 0, sizeof *r);
    r->kind = MR_EVAL_AUTO;
    r->fit_s = r->rmse = r->mae = r->test_s = NAN;
    r->p5 = r->p10 = r->r10 = r->ndcg10 = r->hr10 = r->cov10 = r->rank_s = NAN;
}

/* ---- Work shared by the threads of one fold ------------------------------------------------ */

/* One fold's evaluation, split over threads by user: thread t takes users t, t+T, t+2T, ...
 * and writes only its users' slots, so the sums (made afterwards in user order) do not depend
 * on the number of threads. */
struct eval_work {
    const struct mr_model *m;
    const struct mr_fold *f;
    int32_t n_users;
    const int64_t *test_lo; /* n_users: user i's test pairs are f->test[test_lo[i], test_hi[i]) */
    const int64_t *test_hi;
    int64_t longest_test;
    int n_threads;

    /* rating */
    struct mr_rating_acc *acc; /* n_users */

    /* top-N */
    const uint8_t *not_in_c; /* n_items: 1 when the item has no training rating */
    struct mr_topn_metrics *metrics;
    uint8_t *evaluated; /* n_users */
    int32_t *lists;     /* n_users * MR_EVAL_TOPN */
    uint8_t *list_len;  /* n_users */
};

struct eval_thread {
    struct eval_work *w;
    int t;
    int rc;
};

/* Predicts every test pair of thread t's users.  Returns MR_OK or MR_ENOMEM. */
static int rating_thread(struct eval_work *w, int t)
{
    const struct mr_model *m = w->m;
    const struct mr_fold *f = w->f;
    struct mr_user u;
    if (mr_user_init(&u, f->train.n_items) != MR_OK)
        return MR_ENOMEM;
    int rc = MR_OK;
    for (int32_t i = t; i < w->n_users && rc == MR_OK; i += w->n_threads) {
        if (w->test_hi[i] == w->test_lo[i])
            continue;
        rc = mr_fold_load_user(f, f->user_ids[i], &u);
        void *state = rc == MR_OK ? mr_model_user_from(m, &u) : NULL;
        if (!state) {
            rc = MR_ENOMEM;
            break;
        }
        for (int64_t p = w->test_lo[i]; p < w->test_hi[i]; p++) {
            double pred = m->ops->predict(m, state, &u, f->test.items[p]);
            mr_rating_acc_add(&w->acc[i], f->test.vals[p] / 2.0, pred);
        }
        m->ops->user_free(m, state);
    }
    mr_user_free(&u);
    return rc;
}

/* Makes thread t's users' top-10 lists and metrics.  Returns MR_OK or MR_ENOMEM. */
static int topn_thread(struct eval_work *w, int t)
{
    const struct mr_model *m = w->m;
    const struct mr_fold *f = w->f;
    int32_t n_items = f->train.n_items;
    struct mr_user u;
    if (mr_user_init(&u, n_items) != MR_OK)
        return MR_ENOMEM;
    float *scores = malloc((n_items ? (size_t)n_items : 1) * sizeof *scores);
    uint8_t *exclude = malloc(n_items ? (size_t)n_items : 1);
    int32_t *relevant = malloc((w->longest_test ? (size_t)w->longest_test : 1) * sizeof *relevant);
    int rc = (scores && exclude && relevant) ? MR_OK : MR_ENOMEM;
    if (rc == MR_OK)
        memcpy(exclude, w->not_in_c, (size_t)n_items);
    for (int32_t i = t; i < w->n_users && rc == MR_OK; i += w->n_threads) {
        rc = mr_fold_load_user(f, f->user_ids[i], &u);
        void *state = rc == MR_OK ? mr_model_user_from(m, &u) : NULL;
        if (!state) {
            rc = MR_ENOMEM;
            break;
        }
        m->ops->score(m, state, &u, scores);
        m->ops->user_free(m, state);

        for (int32_t k = 0; k < u.n; k++)
            exclude[u.items[k]] = 1;
        struct mr_scored top[MR_EVAL_CUTOFF];
        int n_top = mr_topn(scores, n_items, exclude, MR_EVAL_CUTOFF, top);
        for (int32_t k = 0; k < u.n; k++)
            exclude[u.items[k]] = w->not_in_c[u.items[k]];

        int32_t *list = w->lists + (int64_t)i * MR_EVAL_CUTOFF;
        for (int k = 0; k < n_top; k++)
            list[k] = top[k].item;
        w->list_len[i] = (uint8_t)n_top;

        /* R_u: the user's test movies rated >= 4 stars (8 half stars), ascending by item. */
        int32_t n_rel = 0;
        for (int64_t p = w->test_lo[i]; p < w->test_hi[i]; p++)
            if (f->test.vals[p] >= 8)
                relevant[n_rel++] = f->test.items[p];
        w->evaluated[i] =
            mr_topn_user_metrics(list, n_top, relevant, n_rel, &w->metrics[i]) == 0 ? 1 : 0;
    }
    free(scores);
    free(exclude);
    free(relevant);
    mr_user_free(&u);
    return rc;
}

static void *rating_thread_main(void *arg)
{
    struct eval_thread *th = arg;
    th->rc = rating_thread(th->w, th->t);
    return NULL;
}

static void *topn_thread_main(void *arg)
{
    struct eval_thread *th = arg;
    th->rc = topn_thread(th->w, th->t);
    return NULL;
}

/* Runs fn over w->n_threads threads (the caller's thread is one of them); a thread that cannot
 * be started runs in the caller.  Returns the first non-OK status, or MR_OK. */
static int run_threads(struct eval_work *w, void *(*fn)(void *))
{
    int n = w->n_threads;
    struct eval_thread th[64];
    pthread_t tid[64];
    int started[64] = {0};
    for (int t = 0; t < n; t++)
        th[t] = (struct eval_thread){w, t, MR_OK};
    for (int t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, fn, &th[t]) == 0;
    fn(&th[0]);
    for (int t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            fn(&th[t]);
    }
    for (int t = 0; t < n; t++)
        if (th[t].rc != MR_OK)
            return th[t].rc;
    return MR_OK;
}

/* Fills w's per-user test ranges (f->user_ids and f->test are both sorted by user id).
 * The caller frees *lo and *hi.  Returns MR_OK or MR_ENOMEM. */
static int test_ranges(struct eval_work *w, int64_t **lo, int64_t **hi)
{
    const struct mr_fold *f = w->f;
    size_t n = f->n_users ? (size_t)f->n_users : 1;
    *lo = malloc(n * sizeof **lo);
    *hi = malloc(n * sizeof **hi);
    if (!*lo || !*hi)
        return MR_ENOMEM;
    int64_t p = 0;
    w->longest_test = 0;
    for (int32_t i = 0; i < f->n_users; i++) {
        int32_t uid = f->user_ids[i];
        while (p < f->test.n && f->test.user_ids[p] < uid)
            p++;
        (*lo)[i] = p;
        while (p < f->test.n && f->test.user_ids[p] == uid)
            p++;
        (*hi)[i] = p;
        if (p - (*lo)[i] > w->longest_test)
            w->longest_test = p - (*lo)[i];
    }
    w->test_lo = *lo;
    w->test_hi = *hi;
    w->n_users = f->n_users;
    return MR_OK;
}

static int clamp_threads(int threads, int32_t n_users)
{
    if (threads <= 0)
        threads = 1;
    if (threads > 64)
        threads = 64;
    if (threads > n_users)
        threads = n_users > 0 ? (int)n_users : 1;
    return threads;
}

int mr_eval_fold_rating(const struct mr_model *m, const struct mr_fold *f, int threads,
                        struct mr_eval_result *r, struct mr_error *err)
{
    double t0 = now_s();
    r->rmse = r->mae = NAN;
    r->n_predictions = 0;
    if (!m->ops->predict) {
        r->test_s = now_s() - t0;
        return MR_OK;
    }
    struct eval_work w = {.m = m, .f = f};
    int64_t *lo = NULL, *hi = NULL;
    int rc = test_ranges(&w, &lo, &hi);
    w.n_threads = clamp_threads(threads, f->n_users);
    w.acc = calloc(f->n_users ? (size_t)f->n_users : 1, sizeof *w.acc);
    if (rc == MR_OK && !w.acc)
        rc = MR_ENOMEM;
    if (rc == MR_OK)
        rc = run_threads(&w, rating_thread_main);
    if (rc == MR_OK) {
        struct mr_rating_acc total = {0};
        for (int32_t i = 0; i < f->n_users; i++)
            mr_rating_acc_merge(&total, &w.acc[i]);
        r->rmse = mr_rating_acc_rmse(&total);
        r->mae = mr_rating_acc_mae(&total);
        r->n_predictions = total.n;
    }
    free(w.acc);
    free(lo);
    free(hi);
    r->test_s = now_s() - t0;
    if (rc != MR_OK)
        return mr_error_set(err, rc, NULL, 0, "evaluation: out of memory");
    return MR_OK;
}

int mr_eval_fold_topn(const struct mr_model *m, const struct mr_fold *f, int threads,
                      struct mr_eval_result *r, struct mr_error *err)
{
    double t0 = now_s();
    int32_t n_items = f->train.n_items;
    size_t nu = f->n_users ? (size_t)f->n_users : 1;
    struct eval_work w = {.m = m, .f = f};
    int64_t *lo = NULL, *hi = NULL;
    int rc = test_ranges(&w, &lo, &hi);
    w.n_threads = clamp_threads(threads, f->n_users);
    uint8_t *not_in_c = malloc(n_items ? (size_t)n_items : 1);
    w.metrics = calloc(nu, sizeof *w.metrics);
    w.evaluated = calloc(nu, 1);
    w.lists = malloc(nu * MR_EVAL_CUTOFF * sizeof *w.lists);
    w.list_len = calloc(nu, 1);
    if (rc == MR_OK && !(not_in_c && w.metrics && w.evaluated && w.lists && w.list_len))
        rc = MR_ENOMEM;
    int32_t n_catalog = 0;
    if (rc == MR_OK) {
        for (int32_t i = 0; i < n_items; i++) {
            not_in_c[i] = f->train.item_ptr[i + 1] == f->train.item_ptr[i];
            n_catalog += !not_in_c[i];
        }
        w.not_in_c = not_in_c;
        rc = run_threads(&w, topn_thread_main);
    }
    if (rc == MR_OK) {
        struct mr_topn_metrics sum = {0};
        int64_t n_eval = 0, n_listed = 0;
        for (int32_t i = 0; i < f->n_users; i++) {
            /* Compact the lists in place for the coverage count (list i never moves forward). */
            memmove(w.lists + n_listed, w.lists + (int64_t)i * MR_EVAL_CUTOFF,
                    w.list_len[i] * sizeof *w.lists);
            n_listed += w.list_len[i];
            if (!w.evaluated[i])
                continue;
            sum.p5 += w.metrics[i].p5;
            sum.p10 += w.metrics[i].p10;
            sum.r10 += w.metrics[i].r10;
            sum.ndcg10 += w.metrics[i].ndcg10;
            sum.hr10 += w.metrics[i].hr10;
            n_eval++;
        }
        double d = n_eval ? (double)n_eval : NAN;
        r->p5 = sum.p5 / d;
        r->p10 = sum.p10 / d;
        r->r10 = sum.r10 / d;
        r->ndcg10 = sum.ndcg10 / d;
        r->hr10 = sum.hr10 / d;
        r->n_users = n_eval;
        rc = mr_coverage(w.lists, n_listed, n_items, n_catalog, &r->cov10);
    }
    free(not_in_c);
    free(w.metrics);
    free(w.evaluated);
    free(w.lists);
    free(w.list_len);
    free(lo);
    free(hi);
    r->rank_s = now_s() - t0;
    if (rc != MR_OK)
        return mr_error_set(err, rc, NULL, 0, "evaluation: out of memory");
    return MR_OK;
}

/* ---- The runner ---------------------------------------------------------------------------- */

static void report(const struct mr_eval_opts *o, int fold, int n_folds, const char *what,
                   double done)
{
    if (!o || !o->progress)
        return;
    char stage[96];
    snprintf(stage, sizeof stage, "fold %d/%d: %s", fold + 1, n_folds, what);
    o->progress(o->progress_ctx, stage, (fold + done) / n_folds);
}

/* Adds fold result fr into the running sums in sum (figures NaN in fr stay NaN in sum). */
static void add_fold(struct mr_eval_result *sum, const struct mr_eval_result *fr, int first)
{
    double *dst[] = {&sum->fit_s, &sum->rmse,   &sum->mae,  &sum->test_s, &sum->p5,    &sum->p10,
                     &sum->r10,   &sum->ndcg10, &sum->hr10, &sum->cov10,  &sum->rank_s};
    const double *src[] = {&fr->fit_s, &fr->rmse,   &fr->mae,  &fr->test_s, &fr->p5,    &fr->p10,
                           &fr->r10,   &fr->ndcg10, &fr->hr10, &fr->cov10,  &fr->rank_s};
    for (size_t i = 0; i < sizeof dst / sizeof *dst; i++)
        *dst[i] = first ? *src[i] : *dst[i] + *src[i];
    sum->n_train += fr->n_train;
    sum->n_test += fr->n_test;
    sum->n_predictions += fr->n_predictions;
    sum->n_users += fr->n_users;
}

/* Evaluates fold `index`: split, fit, predict or rank.  fr receives that fold's figures. */
static int eval_one_fold(const struct mr_dataset *ds, const struct mr_split_spec *spec,
                         uint64_t seed, int index, const char *algo, const struct mr_params *p,
                         enum mr_eval_kind kind, const struct mr_eval_opts *o,
                         struct mr_eval_result *fr, struct mr_error *err)
{
    int n_folds = mr_split_n_folds(spec);
    mr_eval_result_clear(fr);
    fr->kind = kind;
    report(o, index, n_folds, "splitting", 0.0);
    struct mr_fold fold;
    int rc = mr_split_fold(ds, spec, seed, index, &fold, err);
    if (rc != MR_OK)
        return rc;
    fr->n_train = fold.train.n_ratings;
    fr->n_test = fold.test.n;
    struct mr_tune_result choice;
    struct mr_params tuned;
    int threads = o && o->threads > 0 ? o->threads : DEFAULT_THREADS;
    if (o && o->tune) {
        /* Chosen on the training part only; a seed of its own per fold. */
        report(o, index, n_folds, "tuning", 0.05);
        rc = mr_tune_params(&ds->catalog, &fold.train, algo, kind, seed + (uint64_t)index, threads,
                            &choice, err);
        if (rc != MR_OK) {
            mr_fold_free(&fold);
            return rc;
        }
        tuned = choice.params;
        tuned.threads = p->threads;
        tuned.seed = p->seed;
        p = &tuned;
    }
    struct mr_model *m = mr_model_new(algo, p, &ds->catalog, &fold.train);
    if (!m) {
        mr_fold_free(&fold);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "cannot create model '%s'", algo);
    }
    report(o, index, n_folds, "fitting", 0.1);
    double t0 = now_s();
    rc = mr_model_fit(m, err);
    fr->fit_s = now_s() - t0;
    if (rc == MR_OK && o && o->tune) {
        mr_tune_describe_fitted(m, &choice);
        if (o->tuned)
            o->tuned(o->tuned_ctx, index, &choice);
    }
    if (rc == MR_OK) {
        report(o, index, n_folds, kind == MR_EVAL_RATING ? "predicting" : "ranking", 0.6);
        if (kind == MR_EVAL_RATING)
            rc = mr_eval_fold_rating(m, &fold, threads, fr, err);
        else
            rc = mr_eval_fold_topn(m, &fold, threads, fr, err);
    }
    mr_model_free(m);
    mr_fold_free(&fold);
    return rc;
}

int mr_eval_run_opts(const struct mr_dataset *ds, const char *split, uint64_t seed,
                     const char *algo, const struct mr_params *params,
                     const struct mr_eval_opts *opts, struct mr_eval_result *out,
                     struct mr_error *err)
{
    mr_eval_result_clear(out);
    struct mr_split_spec spec;
    int rc = mr_split_parse(split, &spec, err);
    if (rc != MR_OK)
        return rc;
    if (!algo || !mr_model_ops_find(algo))
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "unknown model '%s'", algo ? algo : "");
    struct mr_params p;
    if (params)
        p = *params;
    else
        mr_params_default(algo, &p);
    enum mr_eval_kind kind = opts ? opts->kind : MR_EVAL_AUTO;
    if (kind == MR_EVAL_AUTO)
        kind = (spec.kind == MR_SPLIT_ML100K || spec.kind == MR_SPLIT_KFOLD) ? MR_EVAL_RATING
                                                                             : MR_EVAL_TOPN;
    int n_folds = mr_split_n_folds(&spec);
    struct mr_eval_result sum;
    mr_eval_result_clear(&sum);
    for (int i = 0; i < n_folds; i++) {
        struct mr_eval_result fr;
        rc = eval_one_fold(ds, &spec, seed, i, algo, &p, kind, opts, &fr, err);
        if (rc != MR_OK) {
            mr_eval_result_clear(out);
            return rc;
        }
        add_fold(&sum, &fr, i == 0);
    }
    double *mean[] = {&sum.fit_s, &sum.rmse,   &sum.mae,  &sum.test_s, &sum.p5,    &sum.p10,
                      &sum.r10,   &sum.ndcg10, &sum.hr10, &sum.cov10,  &sum.rank_s};
    for (size_t i = 0; i < sizeof mean / sizeof *mean; i++)
        *mean[i] /= n_folds;
    sum.kind = kind;
    sum.n_folds = n_folds;
    *out = sum;
    if (opts && opts->progress)
        opts->progress(opts->progress_ctx, "done", 1.0);
    return MR_OK;
}

int mr_eval_run(const struct mr_dataset *ds, const char *split, uint64_t seed, const char *algo,
                const struct mr_params *params, struct mr_eval_result *out, struct mr_error *err)
{
    return mr_eval_run_opts(ds, split, seed, algo, params, NULL, out, err);
}
