/* model_hybrid.c — the hybrid model: every other model as a component, their scores blended
 * with weights fitted per rating-count bucket (see hybrid.h; the fitting is hybrid_tune.c).
 *
 * A user's hybrid state holds one state per component and scratch room for each component's
 * last scores, so that explain() can tell which component put an item where it is and no
 * score call allocates. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hybrid_impl.h"
#include "model_content.h"
#include "models.h"

#define HYBRID_MAGIC 0x31425948u /* "HYB1" */
#define HYBRID_NAME  32          /* longest component name in a cache file */
/* From this many items on, score() runs the components on two threads (a thread's start costs
 * some tens of microseconds; at ml-latest-small's 9,742 items one thread is faster). */
#define HYBRID_PAR_ITEMS 20000

const char *const mr_hybrid_component_names[] = {
    "pop", "baseline", "als", "sgd", "itemknn", "userknn", "graph", "content", NULL,
};

int mr_hybrid_bucket(int32_t n)
{
    return n <= 0 ? 0 : n < 5 ? 1 : n < 20 ? 2 : 3;
}

void mr_hybrid_zstats(const float *s, int32_t n, float *mean, float *inv_sd)
{
    double sum = 0, sum2 = 0;
    int64_t k = 0;
    for (int32_t i = 0; i < n; i++) {
        float v = s[i];
        if (!(v == v && v > -3.0e38f && v < 3.0e38f))
            continue;
        sum += v;
        sum2 += (double)v * v;
        k++;
    }
    double mu = k ? sum / (double)k : 0;
    double var = k ? sum2 / (double)k - mu * mu : 0;
    *mean = (float)mu;
    /* Relative threshold: a constant vector's variance is rounding noise. */
    *inv_sd = var > 1e-12 * (1 + mu * mu) ? (float)(1.0 / sqrt(var)) : 0.0f;
}

int mr_hybrid_sim_scale(float *sims, int32_t n, int32_t item)
{
    float max = 0;
    for (int32_t i = 0; i < n; i++) {
        float v = sims[i];
        if (!(v > 0 && v < 3.0e38f) || i == item) {
            sims[i] = 0;
            continue;
        }
        if (v > max)
            max = v;
    }
    if (max <= 0)
        return -1;
    float inv = 1.0f / max;
    for (int32_t i = 0; i < n; i++)
        sims[i] *= inv;
    return 0;
}

/* The parameters the hybrid gives its component name: the model's defaults, the hybrid's
 * threads, and content's tilt for taste. */
static void component_params(const struct mr_model *hybrid, const char *name, struct mr_params *p)
{
    mr_params_default(name, p);
    p->threads = hybrid->params.threads;
    if (strcmp(name, "content") == 0)
        p->alpha = MR_CONTENT_HYBRID_TILT; /* content for taste: see model_content.h */
}

int mr_hybrid_new_components(const struct mr_model *hybrid, const struct mr_ratings *r,
                             struct mr_model **out)
{
    int n = 0;
    for (int i = 0; mr_hybrid_component_names[i] && n < MR_HYBRID_MAX; i++) {
        const char *name = mr_hybrid_component_names[i];
        if (!mr_model_ops_find(name))
            continue;
        struct mr_params p;
        component_params(hybrid, name, &p);
        out[n] = mr_model_new(name, &p, hybrid->catalog, r);
        if (!out[n]) {
            while (n > 0)
                mr_model_free(out[--n]);
            return -1;
        }
        out[n]->progress = hybrid->progress;
        out[n]->progress_ctx = hybrid->progress_ctx;
        n++;
    }
    return n;
}

static void hybrid_defaults(struct mr_params *p)
{
    p->seed = 42; /* of the validation split */
}

static void hybrid_free(struct hybrid *h)
{
    if (!h)
        return;
    for (int c = 0; c < h->n; c++)
        mr_model_free(h->comp[c]);
    free(h->support);
    free(h);
}

int mr_hybrid_set_support(struct hybrid *h, const struct mr_ratings *r)
{
    free(h->support);
    h->support = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *h->support);
    if (!h->support)
        return -1;
    for (int32_t i = 0; i < r->n_items; i++)
        h->support[i] = (float)(r->item_count[i] / (r->item_count[i] + h->sim_shrink + 1e-9));
    return 0;
}

static int hybrid_fit(struct mr_model *m, struct mr_error *err)
{
    struct hybrid *h = calloc(1, sizeof *h);
    if (!h)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory");
    h->n = mr_hybrid_new_components(m, m->ratings, h->comp);
    if (h->n <= 0) {
        int status = h->n < 0 ? MR_ENOMEM : MR_EUSAGE;
        free(h);
        return mr_error_set(err, status, NULL, 0, "hybrid: no component models");
    }
    for (int c = 0; c < h->n; c++) {
        if (m->progress) {
            char stage[64];
            snprintf(stage, sizeof stage, "hybrid: fitting %s", h->comp[c]->ops->name);
            m->progress(m->progress_ctx, stage, (double)c / (h->n * 2));
        }
        int rc = mr_model_fit(h->comp[c], err);
        if (rc != MR_OK) {
            hybrid_free(h);
            return rc;
        }
    }
    hybrid_free(m->impl);
    m->impl = h;
    /* Until tuned the blend must still be fitted, not guessed: tune now. */
    int rc = mr_hybrid_tune(m, m->ratings, &h->report, err);
    if (rc != MR_OK) {
        hybrid_free(h);
        m->impl = NULL;
        return rc;
    }
    if (m->progress)
        m->progress(m->progress_ctx, "hybrid", 1.0);
    return MR_OK;
}

/* A user's state: the components' states and their last scores. */
struct hybrid_user {
    void *cs[MR_HYBRID_MAX];
    float *raw; /* n x n_items: each component's scores at the last score() */
    float mean[MR_HYBRID_MAX], inv_sd[MR_HYBRID_MAX];
    int scored_bucket; /* bucket of the last score(); -1 when raw is out of date */
};

static void hybrid_user_free(const struct mr_model *m, void *state)
{
    struct hybrid_user *s = state;
    const struct hybrid *h = m->impl;
    if (!s)
        return;
    for (int c = 0; c < h->n; c++)
        if (s->cs[c])
            h->comp[c]->ops->user_free(h->comp[c], s->cs[c]);
    free(s->raw);
    free(s);
}

static void *hybrid_user_new(const struct mr_model *m)
{
    const struct hybrid *h = m->impl;
    struct hybrid_user *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    int32_t n_items = m->ratings->n_items;
    s->raw = malloc((size_t)h->n * (size_t)(n_items > 0 ? n_items : 1) * sizeof *s->raw);
    s->scored_bucket = -1;
    int ok = s->raw != NULL;
    for (int c = 0; ok && c < h->n; c++) {
        s->cs[c] = h->comp[c]->ops->user_new(h->comp[c]);
        ok = s->cs[c] != NULL;
    }
    if (!ok) {
        hybrid_user_free(m, s);
        return NULL;
    }
    return s;
}

static void hybrid_user_update(const struct mr_model *m, void *state, const struct mr_user *u,
                               int32_t item, int old_half, int new_half)
{
    const struct hybrid *h = m->impl;
    struct hybrid_user *s = state;
    for (int c = 0; c < h->n; c++)
        h->comp[c]->ops->user_update(h->comp[c], s->cs[c], u, item, old_half, new_half);
    s->scored_bucket = -1;
}

/* The components of one score() call, shared by the threads that work through them. */
struct fill_job {
    const struct mr_model *m;
    struct hybrid_user *s;
    const struct mr_user *u;
    int todo[MR_HYBRID_MAX]; /* components with a weight in the user's bucket */
    int n_todo;
    atomic_int next; /* index into todo of the next component to take */
};

/* Takes components off the job until none is left: scores each into its scratch slice and
 * computes its z-statistics.  Each component is done by exactly one thread. */
static void *fill_run(void *arg)
{
    struct fill_job *job = arg;
    const struct hybrid *h = job->m->impl;
    int32_t n_items = job->m->ratings->n_items;
    for (int k; (k = atomic_fetch_add(&job->next, 1)) < job->n_todo;) {
        int c = job->todo[k];
        float *raw = job->s->raw + (size_t)c * (size_t)n_items;
        h->comp[c]->ops->score(h->comp[c], job->s->cs[c], job->u, raw);
        mr_hybrid_zstats(raw, n_items, &job->s->mean[c], &job->s->inv_sd[c]);
    }
    return NULL;
}

/* Scores every component with a weight in the user's bucket into the state's scratch; on a
 * catalog of HYBRID_PAR_ITEMS or more, on two threads (when the second cannot start, the
 * caller's thread does it all).  The scratch is a cache, not part of the user's logical state,
 * so it is written through a const state (the state itself is never a const object). */
static void hybrid_fill(const struct mr_model *m, const struct hybrid_user *cs,
                        const struct mr_user *u)
{
    const struct hybrid *h = m->impl;
    struct hybrid_user *s = (struct hybrid_user *)cs;
    int b = mr_hybrid_bucket(u->n);
    if (s->scored_bucket == b)
        return;
    struct fill_job job = {.m = m, .s = s, .u = u};
    atomic_init(&job.next, 0);
    for (int c = 0; c < h->n; c++) {
        s->mean[c] = 0;
        s->inv_sd[c] = 0;
        if (h->rank_w[b][c] > 0)
            job.todo[job.n_todo++] = c;
    }
    pthread_t helper;
    int two = m->ratings->n_items >= HYBRID_PAR_ITEMS && job.n_todo > 1 &&
              pthread_create(&helper, NULL, fill_run, &job) == 0;
    fill_run(&job);
    if (two)
        pthread_join(helper, NULL);
    s->scored_bucket = b;
}

static void hybrid_score(const struct mr_model *m, const void *state, const struct mr_user *u,
                         float *scores)
{
    const struct hybrid *h = m->impl;
    const struct hybrid_user *s = state;
    hybrid_fill(m, s, u);
    int b = mr_hybrid_bucket(u->n);
    int32_t n_items = m->ratings->n_items;
    memset(scores, 0, (size_t)n_items * sizeof *scores);
    for (int c = 0; c < h->n; c++) {
        if (h->rank_w[b][c] <= 0 || s->inv_sd[c] <= 0)
            continue;
        const float *raw = s->raw + (size_t)c * (size_t)n_items;
        /* wc * z, written as one select per item so that the loop vectorises. */
        float mean = s->mean[c], scale = s->inv_sd[c] * h->rank_w[b][c];
        float low = -3.0f * h->rank_w[b][c];
        for (int32_t i = 0; i < n_items; i++) {
            float v = raw[i];
            scores[i] += v == v && v > -3.0e38f && v < 3.0e38f ? (v - mean) * scale : low;
        }
    }
}

static double hybrid_predict(const struct mr_model *m, const void *state, const struct mr_user *u,
                             int32_t item)
{
    const struct hybrid *h = m->impl;
    const struct hybrid_user *s = state;
    double p = h->pred_w[0];
    for (int c = 0; c < h->n; c++) {
        const struct mr_model *cm = h->comp[c];
        if (h->pred_w[c + 1] != 0 && cm->ops->predict)
            p += h->pred_w[c + 1] * cm->ops->predict(cm, s->cs[c], u, item);
    }
    return p;
}

/* The reason of the component contributing most to item's blended score; when it has
 * nothing to say, the next one's. */
static int hybrid_explain(const struct mr_model *m, const void *state, const struct mr_user *u,
                          int32_t item, char *buf, size_t len)
{
    const struct hybrid *h = m->impl;
    const struct hybrid_user *s = state;
    if (len)
        buf[0] = '\0';
    if (!len || item < 0 || item >= m->ratings->n_items)
        return 0;
    hybrid_fill(m, s, u);
    int b = mr_hybrid_bucket(u->n);
    int32_t n_items = m->ratings->n_items;
    float contrib[MR_HYBRID_MAX];
    int order[MR_HYBRID_MAX];
    for (int c = 0; c < h->n; c++) {
        const float *raw = s->raw + (size_t)c * (size_t)n_items;
        contrib[c] = h->rank_w[b][c] > 0 && s->inv_sd[c] > 0
                         ? h->rank_w[b][c] * mr_hybrid_z(raw[item], s->mean[c], s->inv_sd[c])
                         : -INFINITY;
        order[c] = c;
    }
    /* Components by contribution, largest first (n is tiny: insertion sort). */
    for (int i = 1; i < h->n; i++)
        for (int j = i; j > 0 && contrib[order[j]] > contrib[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int i = 0; i < h->n; i++) {
        int c = order[i];
        const struct mr_model *cm = h->comp[c];
        if (contrib[c] == -INFINITY || !cm->ops->explain)
            continue;
        if (cm->ops->explain(cm, s->cs[c], u, item, buf, len))
            return 1;
    }
    buf[0] = '\0';
    return 0;
}

int mr_hybrid_similar_explained(const struct mr_model *m, int32_t item, float *sims, int8_t *source,
                                float *scratch)
{
    const struct hybrid *h = m->impl;
    int32_t n_items = m->ratings->n_items;
    if (item < 0 || item >= n_items)
        return -1;
    float *tmp = scratch, *best = scratch + n_items;
    memset(sims, 0, (size_t)n_items * sizeof *sims);
    if (source) {
        memset(source, -1, (size_t)n_items);
        memset(best, 0, (size_t)n_items * sizeof *best);
    }
    int any = 0;
    for (int c = 0; c < h->n; c++) {
        const struct mr_model *cm = h->comp[c];
        if (h->sim_w[c] <= 0 || !cm->ops->similar || cm->ops->similar(cm, item, tmp) != 0)
            continue;
        /* mr_hybrid_sim_scale() fused with the sum: the maximum in one pass, then each
         * positive finite similarity scaled and added (the others count as 0). */
        tmp[item] = 0;
        float max = 0;
        for (int32_t i = 0; i < n_items; i++) {
            float v = tmp[i];
            max = v > max && v < 3.0e38f ? v : max;
        }
        if (max <= 0)
            continue;
        any = 1;
        float w = h->sim_w[c] / max;
        if (!source) {
            for (int32_t i = 0; i < n_items; i++) {
                float v = tmp[i];
                sims[i] += v > 0 && v < 3.0e38f ? w * v : 0.0f;
            }
            continue;
        }
        for (int32_t i = 0; i < n_items; i++) {
            float v = tmp[i] > 0 && tmp[i] < 3.0e38f ? w * tmp[i] : 0.0f;
            sims[i] += v;
            if (v > best[i]) {
                best[i] = v;
                source[i] = (int8_t)c;
            }
        }
    }
    if (!any)
        return -1;
    if (h->support) {
        for (int32_t i = 0; i < n_items; i++)
            sims[i] *= h->support[i];
    } else {
        const int32_t *count = m->ratings->item_count;
        for (int32_t i = 0; i < n_items; i++)
            sims[i] *= (float)(count[i] / (count[i] + h->sim_shrink + 1e-9));
    }
    sims[item] = 0;
    return 0;
}

static int hybrid_similar(const struct mr_model *m, int32_t item, float *sims)
{
    int32_t n_items = m->ratings->n_items;
    /* Without attribution only the first half of the scratch is used. */
    float *scratch = malloc((size_t)(n_items > 0 ? n_items : 1) * sizeof *scratch);
    if (!scratch)
        return -1;
    int rc = mr_hybrid_similar_explained(m, item, sims, NULL, scratch);
    free(scratch);
    return rc;
}

int mr_hybrid_last_report(const struct mr_model *m, struct mr_hybrid_report *out)
{
    const struct hybrid *h = m && m->ops == &mr_model_hybrid ? m->impl : NULL;
    if (!h || !h->has_report)
        return -1;
    *out = h->report;
    return 0;
}

int mr_hybrid_n_components(const struct mr_model *m)
{
    const struct hybrid *h = m->impl;
    return h ? h->n : 0;
}

const struct mr_model *mr_hybrid_component(const struct mr_model *m, int i)
{
    const struct hybrid *h = m->impl;
    return h && i >= 0 && i < h->n ? h->comp[i] : NULL;
}

static void write_params(struct mr_writer *w, const struct mr_params *p)
{
    mr_write_u32(w, (uint32_t)p->factors);
    mr_write_u32(w, (uint32_t)p->epochs);
    mr_write_f64(w, p->reg);
    mr_write_f64(w, p->lr);
    mr_write_u32(w, (uint32_t)p->neighbors);
    mr_write_f64(w, p->shrink);
    mr_write_f64(w, p->alpha);
    mr_write_f64(w, p->beta);
    mr_write_u32(w, (uint32_t)p->threads);
    mr_write_u64(w, p->seed);
}

static void read_params(struct mr_reader *r, struct mr_params *p)
{
    uint32_t v;
    mr_read_u32(r, &v);
    p->factors = (int)v;
    mr_read_u32(r, &v);
    p->epochs = (int)v;
    mr_read_f64(r, &p->reg);
    mr_read_f64(r, &p->lr);
    mr_read_u32(r, &v);
    p->neighbors = (int)v;
    mr_read_f64(r, &p->shrink);
    mr_read_f64(r, &p->alpha);
    mr_read_f64(r, &p->beta);
    mr_read_u32(r, &v);
    p->threads = (int)v;
    mr_read_u64(r, &p->seed);
}

/* Layout: magic, n, per component (name, params, its own payload), then the weights. */
static int hybrid_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct hybrid *h = m->impl;
    if (!h)
        return -1;
    mr_write_u32(w, HYBRID_MAGIC);
    mr_write_u32(w, (uint32_t)h->n);
    for (int c = 0; c < h->n; c++) {
        const struct mr_model *cm = h->comp[c];
        uint32_t len = (uint32_t)strlen(cm->ops->name);
        mr_write_u32(w, len);
        mr_write(w, cm->ops->name, len);
        write_params(w, &cm->params);
        if (!cm->ops->save || cm->ops->save(cm, w) != 0)
            return -1;
    }
    mr_write(w, h->rank_w, sizeof h->rank_w);
    mr_write(w, h->pred_w, sizeof h->pred_w);
    mr_write(w, h->sim_w, sizeof h->sim_w);
    mr_write_f64(w, h->sim_shrink);
    return w->failed ? -1 : 0;
}

static int hybrid_load(struct mr_model *m, struct mr_reader *r, struct mr_error *err)
{
    uint32_t magic = 0, n = 0;
    mr_read_u32(r, &magic);
    mr_read_count(r, MR_HYBRID_MAX, &n);
    if (r->failed || magic != HYBRID_MAGIC || n == 0)
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "hybrid: bad model header");
    struct hybrid *h = calloc(1, sizeof *h);
    if (!h)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory");
    int rc = MR_OK;
    for (uint32_t c = 0; c < n && rc == MR_OK; c++) {
        uint32_t len = 0;
        char name[HYBRID_NAME + 1] = {0};
        mr_read_count(r, HYBRID_NAME, &len);
        mr_read(r, name, len);
        struct mr_params p;
        read_params(r, &p);
        const struct mr_model_ops *ops = r->failed ? NULL : mr_model_ops_find(name);
        if (!ops || ops == &mr_model_hybrid || !ops->load) {
            rc = mr_error_set(err, MR_ECORRUPT, NULL, 0, "hybrid: unknown component '%s'", name);
            break;
        }
        /* The file's parameters must be the ones a fit gives the component (they are not
         * trusted: a neighbour count or thread count read from it would size allocations). */
        struct mr_params want;
        component_params(m, name, &want);
        if (p.factors != want.factors || p.epochs != want.epochs || p.reg != want.reg ||
            p.lr != want.lr || p.neighbors != want.neighbors || p.shrink != want.shrink ||
            p.alpha != want.alpha || p.beta != want.beta || p.seed != want.seed) {
            rc = mr_error_set(err, MR_ECORRUPT, NULL, 0,
                              "hybrid: component '%s' has other parameters", name);
            break;
        }
        p.threads = want.threads;
        struct mr_model *cm = mr_model_new(name, &p, m->catalog, m->ratings);
        if (!cm) {
            rc = mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory");
            break;
        }
        cm->progress = m->progress;
        cm->progress_ctx = m->progress_ctx;
        h->comp[h->n++] = cm;
        rc = ops->load(cm, r, err);
    }
    if (rc == MR_OK) {
        mr_read(r, h->rank_w, sizeof h->rank_w);
        mr_read(r, h->pred_w, sizeof h->pred_w);
        mr_read(r, h->sim_w, sizeof h->sim_w);
        mr_read_f64(r, &h->sim_shrink);
        int ok = !r->failed && h->sim_shrink >= 0 && isfinite(h->sim_shrink);
        for (int b = 0; ok && b < MR_HYBRID_BUCKETS; b++)
            for (int c = 0; c < MR_HYBRID_MAX; c++)
                ok = ok && h->rank_w[b][c] >= 0 && isfinite(h->rank_w[b][c]);
        for (int c = 0; ok && c <= MR_HYBRID_MAX; c++)
            ok = isfinite(h->pred_w[c]) && (c == MR_HYBRID_MAX || h->sim_w[c] >= 0);
        if (!ok)
            rc = mr_error_set(err, MR_ECORRUPT, NULL, 0, "hybrid: bad blend weights");
        else if (mr_hybrid_set_support(h, m->ratings) != 0)
            rc = mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory");
    }
    if (rc != MR_OK) {
        hybrid_free(h);
        return rc;
    }
    hybrid_free(m->impl);
    m->impl = h;
    return MR_OK;
}

static void hybrid_destroy(struct mr_model *m)
{
    hybrid_free(m->impl);
    m->impl = NULL;
}

const struct mr_model_ops mr_model_hybrid = {
    .name = "hybrid",
    .description = "every other model blended, with weights fitted per rating-count bucket",
    .defaults = hybrid_defaults,
    .fit = hybrid_fit,
    .user_new = hybrid_user_new,
    .user_free = hybrid_user_free,
    .user_update = hybrid_user_update,
    .score = hybrid_score,
    .predict = hybrid_predict,
    .explain = hybrid_explain,
    .similar = hybrid_similar,
    .save = hybrid_save,
    .load = hybrid_load,
    .destroy = hybrid_destroy,
};
