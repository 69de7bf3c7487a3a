/* hybrid_tune.c — fitting the hybrid's blend weights on validation data (see hybrid.h).
 *
 * A change here that alters the weights chosen bumps the hybrid's number in train_version.h,
 * or cached hybrids keep their old weights.
 *
 * 1. Carve: every training user with 5+ ratings gives a seeded 20% of them to validation
 *    (the holdout rule of EVAL_PROTOCOL.md); the components are fitted afresh on the rest.
 * 2. Cases: for each validation user (at most TUNE_MAX_USERS), and each rating-count bucket,
 *    a profile of that bucket's size is drawn from the user's remaining ratings (none; 1-4;
 *    5-19; all when 20+), every component scores the catalog for it, and the z-normalised
 *    scores of a candidate pool (the union of each component's top TUNE_POOL) are kept with
 *    the relevant items (validation ratings >= 4 stars).  Known items and items nobody rated
 *    are never candidates, as in the evaluation protocol.
 *    Bucket 1 (1-4 ratings: only ever a new user) learns from a focused case per user instead
 *    (build_focused): the profile is 1-4 of the user's liked films of a genre they favour, the
 *    relevant items their liked validation films of that genre, and a list that does not put
 *    at least 3 films of that genre in its top 5 scores 0 (issue #3: a new user's first
 *    ratings must visibly show).  Bucket 2 (5-19) learns from both its random case and a
 *    focused case of 5-9 liked films of one genre per user, under the same rule: tuned on
 *    random profiles alone, its weights leaned on popularity and a user's list forgot what
 *    their first five ratings showed (issue #3 at the step from 4 to 5 ratings).  The
 *    hybrid's content component tilts popularity more than content alone does
 *    (MR_CONTENT_HYBRID_TILT): with the plain tilt its popularity part brought the most
 *    popular films into its list for five horror or five war films.
 * 3. Ranking weights: per bucket, coordinate ascent over a grid of weights from the best
 *    single component, maximising mean NDCG@10 over the cases.
 * 4. Prediction: least squares of the validation ratings on the components' predictions
 *    (all-rating profiles), with an intercept.
 * 5. Similar: for each validation user, one liked known film is the query and the liked
 *    validation films are relevant; weights and the support shrinkage by the same ascent. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/eval.h"
#include "movierec/linalg.h"
#include "movierec/topn.h"
#include "hybrid_impl.h"
#include "models.h"

#define TUNE_MAX_USERS 600 /* validation users scored (a deterministic, even sample) */
/* Above this many ratings, tuning works on a seeded sample of the users holding about this
 * many: the weights are fitted at a smaller scale rather than doubling a long training. */
#define TUNE_MAX_RATINGS 5000000
#define TUNE_POOL        30   /* per component: its best candidates kept for a case */
#define TUNE_CUTOFF      10   /* NDCG@10 */
#define TUNE_LIKED       8    /* half stars: 4.0 and up is relevant */
#define TUNE_PASSES      8    /* coordinate ascent passes at most */
#define TUNE_RIDGE       1e-3 /* prediction blend: ridge per pair, for a well-posed system only */
/* Case slots per validation user: one per bucket (a random profile of the bucket's size), then
 * the focused cases of buckets 1 and 2 (a profile of one kind of film, see build_focused). */
#define TUNE_SLOTS (MR_HYBRID_BUCKETS + 2)
/* The slot of bucket b's focused case (b = 1 or 2). */
#define FOCUSED_SLOT(b) (MR_HYBRID_BUCKETS + (b)-1)
/* Issue #3: after a few ratings of one kind the top 5 visibly follows them, i.e. at least
 * TUNE_VISIBLE_MIN of the first TUNE_VISIBLE_TOP are of that kind.  A focused case whose
 * blended list misses this counts as NDCG 0. */
#define TUNE_VISIBLE_TOP 5
#define TUNE_VISIBLE_MIN 3

/* Candidate weights of one coordinate (relative to the starting one-hot vector's 1). */
static const double weight_grid[] = {0,   0.01, 0.02, 0.05, 0.1, 0.2, 0.3,
                                     0.5, 0.75, 1,    1.5,  2,   3,   5};
/* Candidate support shrinkages of similar(). */
static const double shrink_grid[] = {0, 2, 5, 10, 20, 50, 100};

/* 1 / log2(rank + 1) for ranks 1..10. */
static const double discount[TUNE_CUTOFF] = {
    1.0,
    0.63092975357145743710,
    0.5,
    0.43067655807339305067,
    0.38685280723454158687,
    0.35620718710802217651,
    0.33333333333333333333,
    0.31546487678572871855,
    0.30102999566398119521,
    0.28906482631788785927,
};

/* One ranked list to evaluate: a pool of candidates with every component's value. */
struct tune_case {
    int32_t n_pool;
    double idcg;    /* of all relevant items, also those outside the pool */
    int32_t *items; /* n_pool, ascending (ties go to the lower item) */
    float *gain;    /* n_pool: gain of a hit (0: not relevant) */
    float *value;   /* n_comp x n_pool */
    float *support; /* n_pool training counts (similar cases), else NULL */
    float *mult;    /* n_pool factors applied after blending, or NULL */
    uint8_t *kind;  /* focused cases: n_pool flags, of the profile's kind; else NULL */
};

struct case_list {
    struct tune_case *c;
    int32_t n, cap;
};

/* The validation split of the training data. */
struct carve {
    struct mr_ratings train; /* what is left for fitting */
    int64_t *ptr;            /* per user index of the original: [ptr[u], ptr[u+1]) */
    int32_t *row;            /* per user index of the original: its index in train, or -1 */
    int32_t *items;          /* held-out items, ascending within a user */
    uint8_t *vals;
};

/* Everything the case builders share (read-only while threads run). */
struct tune_ctx {
    const struct mr_ratings *orig; /* the data tuned on */
    struct carve cv;
    int n_comp;
    struct mr_model *comp[MR_HYBRID_MAX]; /* fitted on cv.train */
    int32_t *users;                       /* validation users (indices of cv.train) */
    int32_t n_users;
    uint64_t seed;
    /* Results, one slot per validation user, merged in user order afterwards. */
    const struct mr_catalog *catalog;   /* genres of the focused cases */
    double genre_share[MR_GENRE_COUNT]; /* of the training ratings, films of each genre */
    struct tune_case *rank;             /* n_users x TUNE_SLOTS; n_pool 0 = none */
    struct tune_case *sim;              /* n_users */
    double **pairs; /* n_users: (1 + n_comp) doubles per val rating: truth, preds */
    int32_t *n_pairs;
    int failed;
};

static void case_free(struct tune_case *c)
{
    free(c->items);
    free(c->gain);
    free(c->value);
    free(c->support);
    free(c->mult);
    free(c->kind);
    memset(c, 0, sizeof *c);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* ---- 1. The validation split ---- */

static void carve_free(struct carve *cv)
{
    mr_ratings_free(&cv->train);
    free(cv->ptr);
    free(cv->row);
    free(cv->items);
    free(cv->vals);
    memset(cv, 0, sizeof *cv);
}

static int carve_split(const struct mr_ratings *r, uint64_t seed, struct carve *cv)
{
    memset(cv, 0, sizeof *cv);
    struct mr_ratings_builder b = {0};
    cv->ptr = calloc((size_t)r->n_users + 1, sizeof *cv->ptr);
    cv->row = malloc((size_t)(r->n_users > 0 ? r->n_users : 1) * sizeof *cv->row);
    /* Which users take part: all, or a seeded sample on large data. */
    double keep = r->n_ratings > TUNE_MAX_RATINGS ? (double)TUNE_MAX_RATINGS / r->n_ratings : 1;
    for (int32_t u = 0; cv->row && u < r->n_users; u++) {
        struct mr_splitmix h;
        mr_splitmix_seed(&h, seed ^ (0xD1B54A32D192ED03ULL * (uint64_t)(r->user_ids[u] + 1)));
        cv->row[u] = keep >= 1 || (double)(mr_splitmix_next(&h) >> 11) * 0x1p-53 < keep ? 0 : -1;
    }
    int64_t n_val = 0;
    for (int32_t u = 0; u < r->n_users; u++)
        n_val += mr_holdout_n_test((int32_t)(r->user_ptr[u + 1] - r->user_ptr[u]), 0.2);
    cv->items = malloc((size_t)(n_val > 0 ? n_val : 1) * sizeof *cv->items);
    cv->vals = malloc((size_t)(n_val > 0 ? n_val : 1));
    int32_t max_row = 0;
    for (int32_t u = 0; u < r->n_users; u++)
        if (r->user_ptr[u + 1] - r->user_ptr[u] > max_row)
            max_row = (int32_t)(r->user_ptr[u + 1] - r->user_ptr[u]);
    int64_t *order = malloc((size_t)(max_row > 0 ? max_row : 1) * sizeof *order);
    if (!cv->ptr || !cv->row || !cv->items || !cv->vals || !order) {
        free(order);
        carve_free(cv);
        return MR_ENOMEM;
    }
    struct mr_splitmix g;
    mr_splitmix_seed(&g, seed);
    int64_t at = 0;
    for (int32_t u = 0; u < r->n_users; u++) {
        int64_t lo = r->user_ptr[u];
        int32_t n = (int32_t)(r->user_ptr[u + 1] - lo);
        int32_t n_test = mr_holdout_n_test(n, 0.2);
        if (cv->row[u] < 0) {
            cv->ptr[u] = at; /* not in the sample: neither trained on nor validated */
            continue;
        }
        for (int32_t k = 0; k < n; k++)
            order[k] = lo + k;
        if (n_test > 0)
            for (int32_t k = n - 1; k >= 1; k--) {
                int32_t j = (int32_t)(mr_splitmix_next(&g) % (uint64_t)(k + 1));
                int64_t t = order[k];
                order[k] = order[j];
                order[j] = t;
            }
        cv->ptr[u] = at;
        for (int32_t k = 0; k < n; k++) {
            int64_t p = order[k];
            if (k < n_test) {
                cv->items[at] = r->user_items[p];
                cv->vals[at] = r->user_vals[p];
                at++;
            } else if (mr_ratings_builder_add(&b, r->user_ids[u], r->user_items[p],
                                              r->user_vals[p]) != MR_OK) {
                free(order);
                mr_ratings_builder_free(&b);
                carve_free(cv);
                return MR_ENOMEM;
            }
        }
        /* Held-out items in ascending order (their values follow). */
        for (int64_t i = cv->ptr[u] + 1; i < at; i++)
            for (int64_t j = i; j > cv->ptr[u] && cv->items[j] < cv->items[j - 1]; j--) {
                int32_t ti = cv->items[j];
                cv->items[j] = cv->items[j - 1];
                cv->items[j - 1] = ti;
                uint8_t tv = cv->vals[j];
                cv->vals[j] = cv->vals[j - 1];
                cv->vals[j - 1] = tv;
            }
    }
    cv->ptr[r->n_users] = at;
    free(order);
    if (mr_ratings_build(&b, r->n_items, &cv->train) != MR_OK) {
        carve_free(cv);
        return MR_ENOMEM;
    }
    for (int32_t u = 0; u < r->n_users; u++)
        if (cv->row[u] >= 0)
            cv->row[u] = mr_ratings_find_user(&cv->train, r->user_ids[u]);
    return MR_OK;
}

/* ---- 2. Cases ---- */

/* Per-thread scratch. */
struct scratch {
    float *raw;      /* n_comp x n_items */
    float *tmp;      /* n_items */
    uint8_t *skip;   /* n_items: known or never rated */
    uint8_t *inpool; /* n_items */
    int32_t *pool;   /* n_comp * TUNE_POOL */
    int32_t *pick;   /* profile order */
    struct mr_scored top[TUNE_POOL];
    struct mr_user user;
};

static void scratch_free(struct scratch *s)
{
    free(s->raw);
    free(s->tmp);
    free(s->skip);
    free(s->inpool);
    free(s->pool);
    free(s->pick);
    mr_user_free(&s->user);
}

static int scratch_init(struct scratch *s, int n_comp, int32_t n_items, int32_t max_row)
{
    memset(s, 0, sizeof *s);
    size_t ni = (size_t)(n_items > 0 ? n_items : 1);
    s->raw = malloc((size_t)n_comp * ni * sizeof *s->raw);
    s->tmp = malloc(ni * sizeof *s->tmp);
    s->skip = calloc(ni, 1);
    s->inpool = calloc(ni, 1);
    s->pool = malloc((size_t)n_comp * TUNE_POOL * sizeof *s->pool);
    s->pick = malloc((size_t)(max_row > 0 ? max_row : 1) * sizeof *s->pick);
    int ok = s->raw && s->tmp && s->skip && s->inpool && s->pool && s->pick &&
             mr_user_init(&s->user, n_items) == MR_OK;
    if (!ok)
        scratch_free(s);
    return ok ? 0 : -1;
}

/* Gathers the pool of a case from values[c] (n_items each, higher = better; components with
 * live[c] == 0 are left out of the pool but still get their values stored). */
static int make_case(struct tune_case *tc, struct scratch *s, int n_comp, int32_t n_items,
                     const float *values, const int *live, const float *rel_gain, double idcg,
                     const float *support)
{
    int32_t n_pool = 0;
    for (int c = 0; c < n_comp; c++) {
        if (!live[c])
            continue;
        int got =
            mr_topn(values + (size_t)c * (size_t)n_items, n_items, s->skip, TUNE_POOL, s->top);
        for (int k = 0; k < got; k++)
            if (!s->inpool[s->top[k].item]) {
                s->inpool[s->top[k].item] = 1;
                s->pool[n_pool++] = s->top[k].item;
            }
    }
    for (int32_t k = 0; k < n_pool; k++)
        s->inpool[s->pool[k]] = 0;
    qsort(s->pool, (size_t)n_pool, sizeof *s->pool, cmp_i32);
    memset(tc, 0, sizeof *tc);
    if (n_pool == 0)
        return 0;
    tc->n_pool = n_pool;
    tc->idcg = idcg;
    tc->items = malloc((size_t)n_pool * sizeof *tc->items);
    tc->gain = malloc((size_t)n_pool * sizeof *tc->gain);
    tc->value = malloc((size_t)n_comp * (size_t)n_pool * sizeof *tc->value);
    if (support)
        tc->support = malloc((size_t)n_pool * sizeof *tc->support);
    if (!tc->items || !tc->gain || !tc->value || (support && !tc->support)) {
        case_free(tc);
        return -1;
    }
    memcpy(tc->items, s->pool, (size_t)n_pool * sizeof *tc->items);
    for (int32_t k = 0; k < n_pool; k++) {
        int32_t it = s->pool[k];
        tc->gain[k] = rel_gain[it];
        if (support)
            tc->support[k] = support[it];
        for (int c = 0; c < n_comp; c++)
            tc->value[(size_t)c * (size_t)n_pool + (size_t)k] =
                values[(size_t)c * (size_t)n_items + (size_t)it];
    }
    return 0;
}

/* Scores the profile held in s->user with every component into s->raw, z-normalised.
 * When preds is not NULL, also predicts the user's validation ratings into it. */
static int score_profile(struct tune_ctx *t, struct scratch *s, int *live, int32_t u, double *preds)
{
    int32_t n_items = t->orig->n_items;
    for (int c = 0; c < t->n_comp; c++) {
        const struct mr_model *cm = t->comp[c];
        void *st = mr_model_user_from(cm, &s->user);
        if (!st)
            return -1;
        float *raw = s->raw + (size_t)c * (size_t)n_items;
        cm->ops->score(cm, st, &s->user, raw);
        float mean, inv_sd;
        mr_hybrid_zstats(raw, n_items, &mean, &inv_sd);
        for (int32_t i = 0; i < n_items; i++)
            raw[i] = mr_hybrid_z(raw[i], mean, inv_sd);
        live[c] = inv_sd > 0;
        if (preds) {
            int64_t lo = t->cv.ptr[u], hi = t->cv.ptr[u + 1];
            for (int64_t p = lo; p < hi; p++)
                preds[(p - lo) * (1 + t->n_comp) + 1 + c] =
                    cm->ops->predict ? cm->ops->predict(cm, st, &s->user, t->cv.items[p]) : 0;
        }
        cm->ops->user_free(cm, st);
    }
    return 0;
}

/* Loads the first k of the known ratings of user ut (of the carved part) in s->pick order
 * into s->user. */
static int load_profile(struct tune_ctx *t, struct scratch *s, int32_t ut, int32_t k)
{
    const struct mr_ratings *tr = &t->cv.train;
    for (int32_t i = s->user.n - 1; i >= 0; i--)
        mr_user_set(&s->user, s->user.items[i], 0, NULL);
    int64_t lo = tr->user_ptr[ut];
    for (int32_t i = 0; i < k; i++) {
        int64_t p = lo + s->pick[i];
        if (mr_user_set(&s->user, tr->user_items[p], tr->user_vals[p], NULL) != MR_OK)
            return -1;
    }
    return 0;
}

/* The focused case of validation user slot v for bucket 1 (a profile of 1-4 films) or 2 (5-9
 * films), in slot FOCUSED_SLOT(bucket).  A new user's first ratings usually show one kind of
 * film, and the list must answer what they show.  The genre is drawn (from g) among those the user
 * favours (liked known films of the genre more often than the genre's share of all training
 * ratings) and liked at least one validation film of (and liked as many known films of as the
 * profile needs); the profile is a random 1 to 4 (5 to 9) of those liked known films; only the
 * profile is excluded from the candidates, as for a new user who has rated nothing else; the
 * relevant items are the user's liked validation films of that genre, and a list with fewer than
 * TUNE_VISIBLE_MIN of the genre in its top TUNE_VISIBLE_TOP scores 0 (case->kind). rel_mark holds
 * the user's relevance marks on entry and on return.  Returns 0 or -1. */
static int build_focused(struct tune_ctx *t, struct scratch *s, int32_t v, float *rel_mark,
                         struct mr_splitmix *g, int bucket)
{
    /* Profile sizes: 1-4 for bucket 1; 5-9 for bucket 2 (its smaller profiles, those of a user
     * who has just left bucket 1). */
    int32_t k_min = bucket == 1 ? 1 : 5, k_max = bucket == 1 ? 4 : 9;
    const struct mr_ratings *tr = &t->cv.train;
    const struct mr_catalog *cat = t->catalog;
    int32_t n_items = tr->n_items;
    int32_t u = t->users[v], ut = t->cv.row[u];
    int64_t lo = tr->user_ptr[ut], vlo = t->cv.ptr[u], vhi = t->cv.ptr[u + 1];
    int32_t n = (int32_t)(tr->user_ptr[ut + 1] - lo);
    if (!cat || cat->n_movies < n_items)
        return 0;
    int32_t known[MR_GENRE_COUNT] = {0}, valid[MR_GENRE_COUNT] = {0};
    int32_t n_liked = 0;
    for (int64_t p = lo; p < lo + n; p++)
        if (tr->user_vals[p] >= TUNE_LIKED) {
            n_liked++;
            for (int ge = 0; ge < MR_GENRE_NONE; ge++)
                known[ge] += (cat->movies[tr->user_items[p]].genres >> ge) & 1u;
        }
    for (int64_t p = vlo; p < vhi; p++)
        if (t->cv.vals[p] >= TUNE_LIKED)
            for (int ge = 0; ge < MR_GENRE_NONE; ge++)
                valid[ge] += (cat->movies[t->cv.items[p]].genres >> ge) & 1u;
    int live[MR_HYBRID_MAX];
    {
        /* The genres the user favours: liked more often than the genre's share of all
         * ratings; one of them, drawn from g. */
        int cand[MR_GENRE_COUNT], n_cand = 0;
        for (int ge = 0; ge < MR_GENRE_NONE; ge++)
            if (known[ge] >= k_min && valid[ge] > 0 &&
                known[ge] > t->genre_share[ge] * (double)n_liked)
                cand[n_cand++] = ge;
        if (n_cand == 0)
            return 0;
        int genre = cand[mr_splitmix_next(g) % (uint64_t)n_cand];
        uint32_t bit = 1u << genre;
        int32_t have = known[genre];
        int32_t top = have < k_max ? have : k_max;
        int32_t k = k_min + (int32_t)(mr_splitmix_next(g) % (uint64_t)(top - k_min + 1));
        for (int32_t i = s->user.n - 1; i >= 0; i--)
            mr_user_set(&s->user, s->user.items[i], 0, NULL);
        /* Like a new user, who has not rated the rest: only the profile is excluded. */
        for (int64_t p = lo; p < lo + n; p++)
            s->skip[tr->user_items[p]] = 0;
        for (int32_t i = 0, taken = 0; i < n && taken < k; i++) {
            int64_t p = lo + s->pick[i];
            if (tr->user_vals[p] < TUNE_LIKED || !(cat->movies[tr->user_items[p]].genres & bit))
                continue;
            if (mr_user_set(&s->user, tr->user_items[p], tr->user_vals[p], NULL) != MR_OK)
                return -1;
            s->skip[tr->user_items[p]] = 1;
            taken++;
        }
        int32_t n_rel = 0;
        for (int64_t p = vlo; p < vhi; p++) {
            int32_t it = t->cv.items[p];
            if (rel_mark[it] > 0 && !(cat->movies[it].genres & bit))
                rel_mark[it] = 0;
            n_rel += rel_mark[it] > 0;
        }
        double idcg = 0;
        for (int r = 0; r < TUNE_CUTOFF && r < n_rel; r++)
            idcg += discount[r];
        struct tune_case *tc = &t->rank[(size_t)v * TUNE_SLOTS + FOCUSED_SLOT(bucket)];
        int rc =
            score_profile(t, s, live, u, NULL) != 0 ||
                    make_case(tc, s, t->n_comp, n_items, s->raw, live, rel_mark, idcg, NULL) != 0
                ? -1
                : 0;
        if (rc == 0 && tc->n_pool > 0) {
            tc->kind = malloc((size_t)tc->n_pool);
            if (!tc->kind)
                rc = -1;
            for (int32_t k2 = 0; tc->kind && k2 < tc->n_pool; k2++)
                tc->kind[k2] = (cat->movies[tc->items[k2]].genres & bit) != 0;
        }
        for (int64_t p = vlo; p < vhi; p++)
            rel_mark[t->cv.items[p]] = t->cv.vals[p] >= TUNE_LIKED ? 1.0f : 0.0f;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Builds every case of validation user slot v. */
static int build_user(struct tune_ctx *t, struct scratch *s, int32_t v, float *rel_mark)
{
    const struct mr_ratings *tr = &t->cv.train;
    int32_t n_items = tr->n_items;
    int32_t u = t->users[v], ut = t->cv.row[u]; /* in the original, in the carved part */
    int64_t lo = tr->user_ptr[ut];
    int32_t n = (int32_t)(tr->user_ptr[ut + 1] - lo);
    int64_t vlo = t->cv.ptr[u], vhi = t->cv.ptr[u + 1];
    int32_t n_relevant = 0;
    float gains[TUNE_CUTOFF] = {0}; /* the largest gains, descending, for the IDCG */
    for (int64_t p = vlo; p < vhi; p++)
        if (t->cv.vals[p] >= TUNE_LIKED) {
            int32_t it = t->cv.items[p];
            float g = 1; /* binary relevance, as in the evaluation protocol */
            rel_mark[it] = g;
            n_relevant++;
            for (int r = 0; r < TUNE_CUTOFF; r++)
                if (g > gains[r]) {
                    float tmp = gains[r];
                    gains[r] = g;
                    g = tmp;
                }
        }
    double idcg = 0;
    for (int r = 0; r < TUNE_CUTOFF; r++)
        idcg += gains[r] * discount[r];
    for (int32_t i = 0; i < n_items; i++)
        s->skip[i] = tr->item_count[i] == 0;
    for (int64_t p = lo; p < lo + n; p++)
        s->skip[tr->user_items[p]] = 1;
    struct mr_splitmix g;
    mr_splitmix_seed(&g, t->seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(tr->user_ids[ut] + 1)));
    for (int32_t i = 0; i < n; i++)
        s->pick[i] = i;
    for (int32_t i = n - 1; i >= 1; i--) {
        int32_t j = (int32_t)(mr_splitmix_next(&g) % (uint64_t)(i + 1));
        int32_t tmp = s->pick[i];
        s->pick[i] = s->pick[j];
        s->pick[j] = tmp;
    }
    int live[MR_HYBRID_MAX];
    int rc = 0;

    /* All known ratings: the predictions, the 20+ bucket, and the similar() case. */
    int32_t n_val = (int32_t)(vhi - vlo);
    double *pairs =
        malloc((size_t)(n_val > 0 ? n_val : 1) * (size_t)(1 + t->n_comp) * sizeof *pairs);
    if (!pairs || load_profile(t, s, ut, n) != 0 || score_profile(t, s, live, u, pairs) != 0) {
        free(pairs);
        rc = -1;
        goto out;
    }
    for (int64_t p = vlo; p < vhi; p++)
        pairs[(p - vlo) * (1 + t->n_comp)] = t->cv.vals[p] / 2.0;
    t->pairs[v] = pairs;
    t->n_pairs[v] = n_val;
    if (n_relevant > 0 && n >= 20 &&
        make_case(&t->rank[(size_t)v * TUNE_SLOTS + 3], s, t->n_comp, n_items, s->raw, live,
                  rel_mark, idcg, NULL) != 0) {
        rc = -1;
        goto out;
    }
    /* Smaller profiles: a random subset of the bucket's size. */
    for (int b = 0; b < 3 && n_relevant > 0; b++) {
        int32_t k;
        if (b == 0)
            k = 0;
        else if (b == 1)
            k = 1 + (int32_t)(mr_splitmix_next(&g) % (uint64_t)(n < 4 ? n : 4));
        else if (n >= 5)
            k = 5 + (int32_t)(mr_splitmix_next(&g) % (uint64_t)((n < 19 ? n : 19) - 4));
        else
            continue;
        if (load_profile(t, s, ut, k) != 0 || score_profile(t, s, live, u, NULL) != 0 ||
            make_case(&t->rank[(size_t)v * TUNE_SLOTS + (size_t)b], s, t->n_comp, n_items, s->raw,
                      live, rel_mark, idcg, NULL) != 0) {
            rc = -1;
            goto out;
        }
    }
    /* similar(): one liked known film is the query. */
    int32_t liked = 0;
    for (int32_t i = 0; i < n; i++)
        liked += tr->user_vals[lo + s->pick[i]] >= TUNE_LIKED;
    if (n_relevant > 0 && liked > 0) {
        int32_t want = (int32_t)(mr_splitmix_next(&g) % (uint64_t)liked), query = -1;
        for (int32_t i = 0; i < n && query < 0; i++)
            if (tr->user_vals[lo + s->pick[i]] >= TUNE_LIKED && want-- == 0)
                query = tr->user_items[lo + s->pick[i]];
        int any = 0;
        for (int c = 0; c < t->n_comp; c++) {
            const struct mr_model *cm = t->comp[c];
            float *sims = s->raw + (size_t)c * (size_t)n_items;
            live[c] = cm->ops->similar && cm->ops->similar(cm, query, sims) == 0 &&
                      mr_hybrid_sim_scale(sims, n_items, query) == 0;
            if (!live[c])
                memset(sims, 0, (size_t)n_items * sizeof *sims);
            any |= live[c];
        }
        if (any) {
            for (int32_t i = 0; i < n_items; i++)
                s->tmp[i] = (float)tr->item_count[i];
            if (make_case(&t->sim[v], s, t->n_comp, n_items, s->raw, live, rel_mark, idcg,
                          s->tmp) != 0)
                rc = -1;
        }
    }
    if (rc == 0 && n_relevant > 0 && build_focused(t, s, v, rel_mark, &g, 1) != 0)
        rc = -1;
    if (rc == 0 && n_relevant > 0 && build_focused(t, s, v, rel_mark, &g, 2) != 0)
        rc = -1;
out:
    for (int64_t p = vlo; p < vhi; p++)
        rel_mark[t->cv.items[p]] = 0;
    return rc;
}

struct worker {
    struct tune_ctx *t;
    int index, count;
};

static void *worker_run(void *arg)
{
    struct worker *wk = arg;
    struct tune_ctx *t = wk->t;
    int32_t max_row = 0;
    for (int32_t u = 0; u < t->cv.train.n_users; u++)
        if (t->cv.train.user_ptr[u + 1] - t->cv.train.user_ptr[u] > max_row)
            max_row = (int32_t)(t->cv.train.user_ptr[u + 1] - t->cv.train.user_ptr[u]);
    struct scratch s;
    float *rel_mark =
        calloc((size_t)(t->orig->n_items > 0 ? t->orig->n_items : 1), sizeof *rel_mark);
    if (!rel_mark || scratch_init(&s, t->n_comp, t->orig->n_items, max_row) != 0) {
        free(rel_mark);
        t->failed = 1;
        return NULL;
    }
    for (int32_t v = wk->index; v < t->n_users && !t->failed; v += wk->count)
        if (build_user(t, &s, v, rel_mark) != 0)
            t->failed = 1;
    scratch_free(&s);
    free(rel_mark);
    return NULL;
}

static int n_threads(int wanted)
{
    if (wanted > 0)
        return wanted > 64 ? 64 : wanted;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* ---- 3. Ranking weights: mean NDCG@10 and coordinate ascent ---- */

/* NDCG@10 of one case whose blended scores are blend[0..n_pool). */
static double case_ndcg(const struct tune_case *tc, const float *blend)
{
    int32_t P = tc->n_pool;
    /* Top-10 by insertion, ties to the earlier (lower) item. */
    int32_t top[TUNE_CUTOFF];
    int nt = 0;
    for (int32_t k = 0; k < P; k++) {
        if (nt == TUNE_CUTOFF && !(blend[k] > blend[top[nt - 1]]))
            continue;
        int pos = nt < TUNE_CUTOFF ? nt++ : TUNE_CUTOFF - 1;
        while (pos > 0 && blend[k] > blend[top[pos - 1]]) {
            top[pos] = top[pos - 1];
            pos--;
        }
        top[pos] = k;
    }
    if (tc->kind) {
        int of_kind = 0;
        for (int r = 0; r < nt && r < TUNE_VISIBLE_TOP; r++)
            of_kind += tc->kind[top[r]];
        if (of_kind < TUNE_VISIBLE_MIN)
            return 0;
    }
    double dcg = 0;
    for (int r = 0; r < nt; r++)
        dcg += tc->gain[top[r]] * discount[r];
    return tc->idcg > 0 ? dcg / tc->idcg : 0;
}

/* base[k] = sum over components d != skip of w[d] * value_d[k] (skip -1: all). */
static void case_base(const struct tune_case *tc, int n_comp, const double *w, int skip,
                      float *base)
{
    int32_t P = tc->n_pool;
    for (int32_t k = 0; k < P; k++)
        base[k] = 0;
    for (int c = 0; c < n_comp; c++) {
        if (w[c] == 0 || c == skip)
            continue;
        float wc = (float)w[c];
        const float *val = tc->value + (size_t)c * (size_t)P;
        for (int32_t k = 0; k < P; k++)
            base[k] += wc * val[k];
    }
}

/* Mean NDCG over the cases when component c's weight is v and the others' are those summed
 * in bases (one n_pool slice per case, at offsets off[]). */
static double mean_ndcg_with(const struct case_list *cl, const float *bases, const size_t *off,
                             int c, double v, float *blend)
{
    double sum = 0;
    float fv = (float)v;
    for (int32_t i = 0; i < cl->n; i++) {
        const struct tune_case *tc = &cl->c[i];
        const float *base = bases + off[i];
        const float *val = tc->value + (size_t)c * (size_t)tc->n_pool;
        for (int32_t k = 0; k < tc->n_pool; k++)
            blend[k] = base[k] + fv * val[k];
        if (tc->mult)
            for (int32_t k = 0; k < tc->n_pool; k++)
                blend[k] *= tc->mult[k];
        sum += case_ndcg(tc, blend);
    }
    return sum / cl->n;
}

/* Chooses weights w (summing to 1) for the cases: each single component is measured into
 * single[], the best one is the start, then each coordinate in turn takes the grid value that
 * improves the mean NDCG most, until a pass improves nothing.  live[c] == 0 components keep
 * weight 0.  bases holds the summed pool sizes of the cases.  Returns the mean NDCG of w
 * (NaN without cases). */
static double ascend(const struct case_list *cl, int n_comp, const int *live, double *w,
                     double *single, float *blend, float *bases, size_t *off)
{
    double best = -1;
    int start = -1;
    for (int c = 0; c < n_comp; c++) {
        single[c] = NAN;
        w[c] = 0;
    }
    if (cl->n == 0)
        return NAN;
    size_t at = 0;
    for (int32_t i = 0; i < cl->n; i++) {
        off[i] = at;
        at += (size_t)cl->c[i].n_pool;
    }
    /* With every weight 0, the bases are 0: each single component alone. */
    for (int32_t i = 0; i < cl->n; i++)
        case_base(&cl->c[i], n_comp, w, -1, bases + off[i]);
    for (int c = 0; c < n_comp; c++) {
        if (!live[c])
            continue;
        single[c] = mean_ndcg_with(cl, bases, off, c, 1.0, blend);
        if (single[c] > best) {
            best = single[c];
            start = c;
        }
    }
    if (start < 0)
        return NAN;
    w[start] = 1;
    for (int pass = 0; pass < TUNE_PASSES; pass++) {
        int improved = 0;
        for (int c = 0; c < n_comp; c++) {
            if (!live[c])
                continue;
            double others = 0;
            for (int d = 0; d < n_comp; d++)
                others += d == c ? 0 : w[d];
            for (int32_t i = 0; i < cl->n; i++)
                case_base(&cl->c[i], n_comp, w, c, bases + off[i]);
            double keep = w[c], best_v = keep;
            for (size_t g = 0; g < sizeof weight_grid / sizeof *weight_grid; g++) {
                double v = weight_grid[g];
                if (v == keep || others + v <= 0)
                    continue;
                double score = mean_ndcg_with(cl, bases, off, c, v, blend);
                if (score > best + 1e-9) {
                    best = score;
                    best_v = v;
                    improved = 1;
                }
            }
            w[c] = best_v;
        }
        if (!improved)
            break;
    }
    double sum = 0;
    for (int c = 0; c < n_comp; c++)
        sum += w[c];
    for (int c = 0; c < n_comp; c++)
        w[c] /= sum;
    return best;
}

/* ---- 4. Prediction blend ---- */

static double clip(double x)
{
    return x < 0.5 ? 0.5 : x > 5 ? 5 : x;
}

/* Least squares of truth on [1, preds of components with predict]; fills pw (intercept +
 * n_comp; 0 for components without predict) and the report's RMSEs. */
static int fit_prediction(struct tune_ctx *t, double *pw, struct mr_hybrid_report *rep)
{
    int n_comp = t->n_comp;
    int idx[MR_HYBRID_MAX], k = 1;
    for (int c = 0; c < n_comp; c++)
        idx[c] = t->comp[c]->ops->predict ? k++ : -1;
    double A[(MR_HYBRID_MAX + 1) * (MR_HYBRID_MAX + 1)] = {0}, bv[MR_HYBRID_MAX + 1] = {0};
    double x[MR_HYBRID_MAX + 1], work[(MR_HYBRID_MAX + 1) * (MR_HYBRID_MAX + 1) * 2 + 16];
    double sse[MR_HYBRID_MAX] = {0};
    int64_t n_pairs = 0;
    for (int32_t v = 0; v < t->n_users; v++) {
        const double *row = t->pairs[v];
        for (int32_t p = 0; p < t->n_pairs[v]; p++, row += 1 + n_comp) {
            double f[MR_HYBRID_MAX + 1];
            f[0] = 1;
            for (int c = 0; c < n_comp; c++)
                if (idx[c] > 0) {
                    f[idx[c]] = row[1 + c];
                    double e = clip(row[1 + c]) - row[0];
                    sse[c] += e * e;
                }
            for (int i = 0; i < k; i++) {
                bv[i] += f[i] * row[0];
                for (int j = 0; j < k; j++)
                    A[i * k + j] += f[i] * f[j];
            }
            n_pairs++;
        }
    }
    memset(pw, 0, (MR_HYBRID_MAX + 1) * sizeof *pw);
    if (n_pairs == 0)
        return 0;
    for (int i = 1; i < k; i++)
        A[i * k + i] += TUNE_RIDGE * (double)n_pairs;
    if (mr_cholesky_solve(A, bv, x, k, work) != 0)
        return 0;
    pw[0] = x[0];
    for (int c = 0; c < n_comp; c++)
        if (idx[c] > 0)
            pw[1 + c] = x[idx[c]];
    double sse_blend = 0;
    for (int32_t v = 0; v < t->n_users; v++) {
        const double *row = t->pairs[v];
        for (int32_t p = 0; p < t->n_pairs[v]; p++, row += 1 + n_comp) {
            double y = pw[0];
            for (int c = 0; c < n_comp; c++)
                y += pw[1 + c] * row[1 + c];
            double e = clip(y) - row[0];
            sse_blend += e * e;
        }
    }
    if (rep) {
        rep->n_pairs = n_pairs;
        for (int c = 0; c < n_comp; c++)
            rep->single_rmse[c] = idx[c] > 0 ? sqrt(sse[c] / (double)n_pairs) : NAN;
        rep->blend_rmse = sqrt(sse_blend / (double)n_pairs);
        memcpy(rep->pred_weights, pw, sizeof rep->pred_weights);
    }
    return 0;
}

/* ---- The whole procedure ---- */

static int append_case(struct case_list *cl, struct tune_case *tc)
{
    if (tc->n_pool == 0)
        return 0;
    if (cl->n == cl->cap) {
        int32_t cap = cl->cap ? cl->cap * 2 : 256;
        struct tune_case *c = realloc(cl->c, (size_t)cap * sizeof *c);
        if (!c)
            return -1;
        cl->c = c;
        cl->cap = cap;
    }
    cl->c[cl->n++] = *tc;
    memset(tc, 0, sizeof *tc);
    return 0;
}

static void list_free(struct case_list *cl)
{
    for (int32_t i = 0; i < cl->n; i++)
        case_free(&cl->c[i]);
    free(cl->c);
    memset(cl, 0, sizeof *cl);
}

static void ctx_free(struct tune_ctx *t)
{
    for (int c = 0; c < t->n_comp; c++)
        mr_model_free(t->comp[c]);
    if (t->rank)
        for (size_t i = 0; i < (size_t)t->n_users * TUNE_SLOTS; i++)
            case_free(&t->rank[i]);
    if (t->sim)
        for (int32_t i = 0; i < t->n_users; i++)
            case_free(&t->sim[i]);
    if (t->pairs)
        for (int32_t i = 0; i < t->n_users; i++)
            free(t->pairs[i]);
    free(t->rank);
    free(t->sim);
    free(t->pairs);
    free(t->n_pairs);
    free(t->users);
    carve_free(&t->cv);
}

/* Fits the components on the carved training part and picks the validation users. */
static int prepare(struct mr_model *m, const struct mr_ratings *train, struct tune_ctx *t,
                   struct mr_error *err)
{
    const struct hybrid *h = m->impl;
    t->orig = train;
    t->catalog = m->catalog;
    t->seed = m->params.seed;
    if (carve_split(train, m->params.seed, &t->cv) != MR_OK)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory");
    if (m->catalog && m->catalog->n_movies >= train->n_items && train->n_ratings > 0) {
        for (int32_t i = 0; i < train->n_items; i++)
            for (int ge = 0; ge < MR_GENRE_NONE; ge++)
                if ((m->catalog->movies[i].genres >> ge) & 1u)
                    t->genre_share[ge] += train->item_count[i];
        for (int ge = 0; ge < MR_GENRE_NONE; ge++)
            t->genre_share[ge] /= (double)train->n_ratings;
    }
    t->n_comp = mr_hybrid_new_components(m, &t->cv.train, t->comp);
    if (t->n_comp < 0) {
        t->n_comp = 0;
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory");
    }
    if (t->n_comp != h->n)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "hybrid: components changed since fitting");
    for (int c = 0; c < t->n_comp; c++) {
        if (strcmp(t->comp[c]->ops->name, h->comp[c]->ops->name) != 0)
            return mr_error_set(err, MR_EUSAGE, NULL, 0,
                                "hybrid: components changed since fitting");
        if (m->progress) {
            char stage[64];
            snprintf(stage, sizeof stage, "hybrid: validating %s", t->comp[c]->ops->name);
            m->progress(m->progress_ctx, stage, 0.5 + 0.4 * c / t->n_comp);
        }
        int rc = mr_model_fit(t->comp[c], err);
        if (rc != MR_OK)
            return rc;
    }
    /* Validation users: those who gave ratings to validation, evenly sampled. */
    int32_t n_val_users = 0;
    for (int32_t u = 0; u < train->n_users; u++)
        n_val_users += t->cv.ptr[u + 1] > t->cv.ptr[u];
    int32_t want = n_val_users < TUNE_MAX_USERS ? n_val_users : TUNE_MAX_USERS;
    t->users = malloc((size_t)(want > 0 ? want : 1) * sizeof *t->users);
    t->rank = calloc((size_t)(want > 0 ? want : 1) * TUNE_SLOTS, sizeof *t->rank);
    t->sim = calloc((size_t)(want > 0 ? want : 1), sizeof *t->sim);
    t->pairs = calloc((size_t)(want > 0 ? want : 1), sizeof *t->pairs);
    t->n_pairs = calloc((size_t)(want > 0 ? want : 1), sizeof *t->n_pairs);
    if (!t->users || !t->rank || !t->sim || !t->pairs || !t->n_pairs)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory");
    int32_t seen = 0;
    for (int32_t u = 0; u < train->n_users && t->n_users < want; u++) {
        if (t->cv.ptr[u + 1] == t->cv.ptr[u])
            continue;
        /* The k-th validation user is taken when it crosses the next multiple of the stride. */
        if ((int64_t)seen * want / n_val_users != (int64_t)(seen + 1) * want / n_val_users ||
            want == n_val_users)
            t->users[t->n_users++] = u;
        seen++;
    }
    return MR_OK;
}

int mr_hybrid_tune(struct mr_model *m, const struct mr_ratings *train, struct mr_hybrid_report *rep,
                   struct mr_error *err)
{
    struct hybrid *h = m->impl;
    if (m->ops != &mr_model_hybrid || !h || h->n <= 0)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "hybrid: not fitted");
    if (rep) {
        memset(rep, 0, sizeof *rep);
        rep->n_components = h->n;
        for (int c = 0; c < h->n; c++)
            rep->names[c] = h->comp[c]->ops->name;
    }
    struct tune_ctx t;
    memset(&t, 0, sizeof t);
    int rc = prepare(m, train, &t, err);
    if (rc != MR_OK) {
        ctx_free(&t);
        return rc;
    }
    if (m->progress)
        m->progress(m->progress_ctx, "hybrid: scoring validation users", 0.9);
    int nt = n_threads(m->params.threads);
    if (nt > t.n_users)
        nt = t.n_users > 0 ? t.n_users : 1;
    pthread_t tid[64];
    struct worker wk[64];
    int started = 0;
    for (int i = 0; i < nt; i++) {
        wk[i] = (struct worker){.t = &t, .index = i, .count = nt};
        if (i > 0 && pthread_create(&tid[i], NULL, worker_run, &wk[i]) == 0)
            started++;
        else if (i > 0)
            t.failed = 1;
    }
    worker_run(&wk[0]);
    for (int i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
    if (t.failed) {
        ctx_free(&t);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory while tuning");
    }

    struct case_list lists[MR_HYBRID_BUCKETS] = {{0}}, sims = {0};
    int ok = 1;
    for (int32_t v = 0; v < t.n_users; v++) {
        struct tune_case *cases = &t.rank[(size_t)v * TUNE_SLOTS];
        for (int slot = 0; slot < TUNE_SLOTS; slot++) {
            int b = slot < MR_HYBRID_BUCKETS ? slot : slot - MR_HYBRID_BUCKETS + 1;
            /* Bucket 1 (1-4 ratings: only ever a new user) learns from the focused case when
             * the user has one; bucket 2 from both its random and its focused cases. */
            if (slot != 1 || cases[FOCUSED_SLOT(1)].n_pool == 0)
                ok = ok && append_case(&lists[b], &cases[slot]) == 0;
        }
        ok = ok && append_case(&sims, &t.sim[v]) == 0;
    }
    int32_t max_pool = 1;
    for (int b = 0; b < MR_HYBRID_BUCKETS; b++)
        for (int32_t i = 0; i < lists[b].n; i++)
            if (lists[b].c[i].n_pool > max_pool)
                max_pool = lists[b].c[i].n_pool;
    for (int32_t i = 0; i < sims.n; i++) {
        if (sims.c[i].n_pool > max_pool)
            max_pool = sims.c[i].n_pool;
        sims.c[i].mult = malloc((size_t)sims.c[i].n_pool * sizeof *sims.c[i].mult);
        ok = ok && sims.c[i].mult;
    }
    float *blend = malloc((size_t)max_pool * sizeof *blend);
    size_t total_pool = 0, max_cases = (size_t)sims.n;
    for (int b = 0; b < MR_HYBRID_BUCKETS; b++) {
        size_t at = 0;
        for (int32_t i = 0; i < lists[b].n; i++)
            at += (size_t)lists[b].c[i].n_pool;
        total_pool = at > total_pool ? at : total_pool;
        max_cases = (size_t)lists[b].n > max_cases ? (size_t)lists[b].n : max_cases;
    }
    size_t sim_pool = 0;
    for (int32_t i = 0; i < sims.n; i++)
        sim_pool += (size_t)sims.c[i].n_pool;
    total_pool = sim_pool > total_pool ? sim_pool : total_pool;
    float *bases = malloc((total_pool ? total_pool : 1) * sizeof *bases);
    size_t *off = malloc((max_cases ? max_cases : 1) * sizeof *off);
    ok = ok && blend && bases && off;

    struct hybrid tuned = *h; /* the weights are built here, then copied in at once */
    int live[MR_HYBRID_MAX];
    for (int c = 0; c < t.n_comp; c++)
        live[c] = 1;
    for (int b = 0; ok && b < MR_HYBRID_BUCKETS; b++) {
        double w[MR_HYBRID_MAX], single[MR_HYBRID_MAX];
        double best = ascend(&lists[b], t.n_comp, live, w, single, blend, bases, off);
        if (isnan(best)) {
            /* No validation user for this bucket: borrow the nearest tuned bucket's weights
             * below (filled after the loop). */
            for (int c = 0; c < t.n_comp; c++)
                tuned.rank_w[b][c] = -1;
        } else {
            for (int c = 0; c < t.n_comp; c++)
                tuned.rank_w[b][c] = (float)w[c];
        }
        if (rep) {
            rep->n_cases[b] = lists[b].n;
            rep->blend_ndcg[b] = best;
            for (int c = 0; c < t.n_comp; c++) {
                rep->single_ndcg[b][c] = single[c];
                rep->weights[b][c] = isnan(best) ? NAN : w[c];
            }
        }
    }
    for (int b = 0; ok && b < MR_HYBRID_BUCKETS; b++) {
        if (tuned.rank_w[b][0] >= 0)
            continue;
        int from = -1;
        for (int d = 1; d < MR_HYBRID_BUCKETS && from < 0; d++) {
            if (b + d < MR_HYBRID_BUCKETS && tuned.rank_w[b + d][0] >= 0)
                from = b + d;
            else if (b - d >= 0 && tuned.rank_w[b - d][0] >= 0)
                from = b - d;
        }
        for (int c = 0; c < t.n_comp; c++)
            tuned.rank_w[b][c] = from >= 0 ? tuned.rank_w[from][c] : 1.0f / (float)t.n_comp;
    }

    if (ok && fit_prediction(&t, tuned.pred_w, rep) != 0)
        ok = 0;

    /* similar(): weights for each support shrinkage; the best pair wins. */
    double best_sim = -1;
    for (size_t g = 0; ok && g < sizeof shrink_grid / sizeof *shrink_grid; g++) {
        double s = shrink_grid[g];
        for (int32_t i = 0; i < sims.n; i++)
            for (int32_t k = 0; k < sims.c[i].n_pool; k++)
                sims.c[i].mult[k] =
                    sims.c[i].support[k] / (sims.c[i].support[k] + (float)s + 1e-9f);
        int slive[MR_HYBRID_MAX];
        for (int c = 0; c < t.n_comp; c++)
            slive[c] = t.comp[c]->ops->similar != NULL;
        double w[MR_HYBRID_MAX], single[MR_HYBRID_MAX];
        double v = ascend(&sims, t.n_comp, slive, w, single, blend, bases, off);
        if (!isnan(v) && v > best_sim) {
            best_sim = v;
            tuned.sim_shrink = s;
            for (int c = 0; c < t.n_comp; c++)
                tuned.sim_w[c] = (float)w[c];
            if (rep) {
                rep->n_sim_cases = sims.n;
                rep->sim_blend_ndcg = v;
                rep->sim_shrink = s;
                for (int c = 0; c < t.n_comp; c++) {
                    rep->sim_single_ndcg[c] = single[c];
                    rep->sim_weights[c] = w[c];
                }
            }
        }
    }
    if (ok && best_sim < 0) {
        /* Nobody to learn from: every component with similar() counts the same. */
        for (int c = 0; c < t.n_comp; c++)
            tuned.sim_w[c] = t.comp[c]->ops->similar ? 1.0f : 0.0f;
        tuned.sim_shrink = 0;
    }

    free(blend);
    free(bases);
    free(off);
    for (int b = 0; b < MR_HYBRID_BUCKETS; b++)
        list_free(&lists[b]);
    list_free(&sims);
    ctx_free(&t);
    if (!ok)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "hybrid: out of memory while tuning");
    if (rep) {
        h->report = *rep;
        h->has_report = 1;
    }
    memcpy(h->rank_w, tuned.rank_w, sizeof h->rank_w);
    memcpy(h->pred_w, tuned.pred_w, sizeof h->pred_w);
    memcpy(h->sim_w, tuned.sim_w, sizeof h->sim_w);
    h->sim_shrink = tuned.sim_shrink;
    mr_hybrid_set_support(h, m->ratings);
    return MR_OK;
}
