/* model_content.c — content-based filtering over genres, tags and release decade.
 *
 * Every film is a sparse vector in three blocks, each scaled to unit length before the
 * block weights are applied and the whole vector is L2-normalised:
 *   genres   idf-weighted genre flags (a rare genre such as Film-Noir says more than Drama)
 *   tags     TF-IDF over the tags users applied (tf = 1 + ln count, idf = ln(N / df)); tags
 *            are matched case-insensitively, and a tag on fewer than two films is dropped
 *   decade   one feature per release decade
 * A user's profile is Σ_j w_j v_j over the rated films with w_j = r_j - mean_u + LIKE_OFFSET;
 * the state keeps Σ r_j v_j and Σ v_j (so a change of the user's mean costs nothing).
 *
 * The match of a film is the cosine between the profile and its vector.  Ranking by the match
 * alone ignores how likely a film is to be seen at all and scores far below plain popularity
 * (NDCG@10 0.013 against 0.155 on the ml-latest-small holdout), so the score tilts popularity
 * by the match: (count + 1) * exp(alpha * cosine), scored in log space as ln(count + 1) +
 * alpha * cosine (the same order; params.alpha, MR_CONTENT_TILT alone and the stronger
 * MR_CONTENT_HYBRID_TILT inside the hybrid, see model_content.h).  explain() and similar() use
 * the match.
 * Films with the same genres and decade share those entries' part of every dot product,
 * computed once (see struct content). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/model.h"
#include "model_content.h"
#include "models.h"

#define CONTENT_MAGIC  0x334e5443u /* "CTN3": film vectors and heads, aligned for use in place */
#define GENRE_WEIGHT   1.0
#define TAG_WEIGHT     0.8
#define DECADE_WEIGHT  0.35
#define LIKE_OFFSET    0.5
#define MIN_TAG_FILMS  2
#define MAX_NAME_BYTES 256
#define FIRST_DECADE   1870 /* decade features cover FIRST_DECADE .. FIRST_DECADE + 10*N_DECADES */
#define N_DECADES      18

struct content {
    int32_t n_items;
    int32_t n_features;  /* MR_GENRE_COUNT + N_DECADES + tags */
    char **names;        /* n_features: genre name, "1990s", or the tag as first seen */
    const int64_t *ptr;  /* n_items + 1: film i's vector is [ptr[i], ptr[i+1]) */
    const int32_t *feat; /* ptr[n_items] feature ids, ascending within a film */
    const float *val;
    int64_t *owned_ptr;  /* ptr, feat and val when fitted; NULL when they are views into the */
    int32_t *owned_feat; /* model's backing (a loaded cache file) */
    float *owned_val;
    float *weight; /* n_items: ln(rating count + 1), the popularity the score tilts */
    /* A film's genre and decade entries (its "head": the features before TAG_BASE, first in
     * its vector) take few distinct values, so dot products are computed once per head.
     * Films share a head only when those entries are bitwise equal. */
    int32_t n_heads;
    const int32_t *head_of;   /* n_items: the head of each film */
    const int32_t *head_film; /* n_heads: a film with that head */
    const int32_t *head_len;  /* n_heads: its number of entries */
    int32_t *owned_heads;     /* the three arrays above when fitted (one block), else NULL */
    int32_t n_tagged;         /* films with entries past their head ... */
    int32_t *tagged;          /* ... listed (derived at fit and load, not saved) */
};

/* Features from here on are tags. */
#define TAG_BASE (MR_GENRE_COUNT + N_DECADES)

struct content_user {
    double *sum_rv; /* n_features: Σ r_j v_j */
    double *sum_v;  /* n_features: Σ v_j */
    double r_sum;
    int32_t n;
    float *profile;  /* n_features: scratch of score (one thread per state at a time) */
    float *head_dot; /* n_heads: scratch of score */
};

static void content_defaults(struct mr_params *p)
{
    p->alpha = MR_CONTENT_TILT;
}

static void content_free_impl(struct content *c)
{
    if (!c)
        return;
    if (c->names)
        for (int32_t f = 0; f < c->n_features; f++)
            free(c->names[f]);
    free(c->names);
    free(c->owned_ptr);
    free(c->owned_feat);
    free(c->owned_val);
    free(c->weight);
    free(c->owned_heads);
    free(c->tagged);
    free(c);
}

/* Number of head entries (features below TAG_BASE) at the start of film i's vector. */
static int32_t head_entries(const struct content *c, int32_t i)
{
    int64_t p = c->ptr[i];
    while (p < c->ptr[i + 1] && c->feat[p] < TAG_BASE)
        p++;
    return (int32_t)(p - c->ptr[i]);
}

/* 1 when films a and b have bitwise equal heads of len entries. */
static int same_head(const struct content *c, int32_t a, int32_t b, int32_t len)
{
    return memcmp(c->feat + c->ptr[a], c->feat + c->ptr[b], (size_t)len * sizeof *c->feat) == 0 &&
           memcmp(c->val + c->ptr[a], c->val + c->ptr[b], (size_t)len * sizeof *c->val) == 0;
}

/* Lists the films whose vector goes past their head into c->tagged.  Returns MR_OK or
 * MR_ENOMEM. */
static int list_tagged(struct content *c)
{
    c->n_tagged = 0;
    c->tagged = malloc((size_t)(c->n_items > 0 ? c->n_items : 1) * sizeof *c->tagged);
    if (!c->tagged)
        return MR_ENOMEM;
    for (int32_t i = 0; i < c->n_items; i++)
        if (c->head_len[c->head_of[i]] < c->ptr[i + 1] - c->ptr[i])
            c->tagged[c->n_tagged++] = i;
    return MR_OK;
}

/* Groups the films of a fitted c by head (see struct content).  Returns MR_OK or MR_ENOMEM. */
static int build_heads(struct content *c)
{
    size_t n = c->n_items > 0 ? (size_t)c->n_items : 1;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    int32_t *block = malloc(3 * n * sizeof *block);
    int32_t *slot = malloc(cap * sizeof *slot); /* head id, or -1 */
    if (!block || !slot) {
        free(block);
        free(slot);
        return MR_ENOMEM;
    }
    int32_t *head_of = block, *head_film = block + n, *head_len = block + 2 * n;
    for (size_t t = 0; t < cap; t++)
        slot[t] = -1;
    int32_t n_heads = 0;
    for (int32_t i = 0; i < c->n_items; i++) {
        int32_t len = head_entries(c, i);
        uint64_t h = mr_fnv1a(MR_FNV_INIT, c->feat + c->ptr[i], (size_t)len * sizeof *c->feat);
        h = mr_fnv1a(h, c->val + c->ptr[i], (size_t)len * sizeof *c->val);
        size_t t = (size_t)h & (cap - 1);
        while (slot[t] >= 0 &&
               !(head_len[slot[t]] == len && same_head(c, head_film[slot[t]], i, len)))
            t = (t + 1) & (cap - 1);
        if (slot[t] < 0) {
            slot[t] = n_heads;
            head_film[n_heads] = i;
            head_len[n_heads++] = len;
        }
        head_of[i] = slot[t];
    }
    free(slot);
    c->owned_heads = block;
    c->n_heads = n_heads;
    c->head_of = head_of;
    c->head_film = head_film;
    c->head_len = head_len;
    return list_tagged(c);
}

/* Fills c->weight (the log of each film's popularity) from the ratings.  Returns 0, or -1
 * when out of memory. */
static int fill_weight(struct content *c, const struct mr_ratings *r)
{
    c->weight = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *c->weight);
    if (!c->weight)
        return -1;
    for (int32_t i = 0; i < r->n_items; i++)
        c->weight[i] = logf((float)r->item_count[i] + 1.0f);
    return 0;
}

/* ---- Tag vocabulary: an open-addressing table of lower-cased tags -------------------------- */

struct vocab {
    char **keys;     /* cap slots, NULL = empty */
    int32_t *ids;    /* cap slots: tag id */
    int32_t *df;     /* by tag id: films carrying the tag */
    int32_t *last;   /* by tag id: the last film counted in df */
    int32_t *first;  /* by tag id: the film where the tag was first seen ... */
    int32_t *firstt; /* ... and its index among that film's tags */
    int32_t n, cap;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Lower-cases ASCII letters and trims blanks of tag into buf. */
static void tag_key(const char *tag, char *buf, size_t len)
{
    while (*tag == ' ' || *tag == '\t')
        tag++;
    size_t n = 0;
    for (; *tag && n + 1 < len; tag++)
        buf[n++] = (char)tolower((unsigned char)*tag);
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    buf[n] = '\0';
}

static void vocab_free(struct vocab *v)
{
    for (int32_t i = 0; i < v->cap; i++)
        free(v->keys[i]);
    free(v->keys);
    free(v->ids);
    free(v->df);
    free(v->last);
    free(v->first);
    free(v->firstt);
    memset(v, 0, sizeof *v);
}

/* Slot of key in v (its id is v->ids[slot] when v->keys[slot] is set). */
static int32_t vocab_slot(const struct vocab *v, const char *key)
{
    uint32_t i = (uint32_t)(hash_str(key) & (uint64_t)(v->cap - 1));
    while (v->keys[i] && strcmp(v->keys[i], key) != 0)
        i = (i + 1) & (uint32_t)(v->cap - 1);
    return (int32_t)i;
}

/* Builds the vocabulary of every tag in the catalog with its document frequency.
 * Returns MR_OK or MR_ENOMEM. */
static int vocab_build(struct vocab *v, const struct mr_catalog *cat)
{
    memset(v, 0, sizeof *v);
    int64_t total = 0;
    for (int32_t i = 0; i < cat->n_movies; i++)
        total += cat->movies[i].n_tags;
    int32_t cap = 16;
    while (cap < 2 * total + 16)
        cap *= 2;
    v->cap = cap;
    v->keys = calloc((size_t)cap, sizeof *v->keys);
    v->ids = calloc((size_t)cap, sizeof *v->ids);
    v->df = calloc((size_t)cap, sizeof *v->df);
    v->last = calloc((size_t)cap, sizeof *v->last);
    v->first = calloc((size_t)cap, sizeof *v->first);
    v->firstt = calloc((size_t)cap, sizeof *v->firstt);
    if (!v->keys || !v->ids || !v->df || !v->last || !v->first || !v->firstt)
        return MR_ENOMEM;
    char key[MAX_NAME_BYTES];
    for (int32_t i = 0; i < cat->n_movies; i++) {
        const struct mr_movie *m = &cat->movies[i];
        for (int32_t t = 0; t < m->n_tags; t++) {
            tag_key(m->tags[t].text, key, sizeof key);
            if (!key[0])
                continue;
            int32_t s = vocab_slot(v, key);
            if (!v->keys[s]) {
                v->keys[s] = strdup(key);
                if (!v->keys[s])
                    return MR_ENOMEM;
                v->ids[s] = v->n;
                v->first[v->n] = i;
                v->firstt[v->n] = t;
                v->df[v->n] = 0;
                v->last[v->n] = -1;
                v->n++;
            }
            /* Two spellings on one film may share a key: count the film once. */
            int32_t id = v->ids[s];
            if (v->last[id] != i) {
                v->last[id] = i;
                v->df[id]++;
            }
        }
    }
    return MR_OK;
}

/* ---- Fitting -------------------------------------------------------------------------------- */

struct entry {
    int32_t feat;
    float val;
};

static int cmp_entry(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    return (a->feat > b->feat) - (a->feat < b->feat);
}

/* Scales e[0..n) to unit length times weight. */
static void scale_block(struct entry *e, int n, double weight)
{
    double sq = 0;
    for (int i = 0; i < n; i++)
        sq += (double)e[i].val * e[i].val;
    if (sq <= 0)
        return;
    double f = weight / sqrt(sq);
    for (int i = 0; i < n; i++)
        e[i].val = (float)(e[i].val * f);
}

static int content_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_catalog *cat = m->catalog;
    int32_t n_items = m->ratings->n_items;
    if (!cat || cat->n_movies != n_items)
        return mr_error_set(err, MR_EDATA, NULL, 0,
                            "content: the catalog does not match the ratings");
    struct content *c = calloc(1, sizeof *c);
    struct vocab voc = {0};
    int32_t *tag_feature = NULL;
    struct entry *row = NULL;
    if (!c || vocab_build(&voc, cat) != MR_OK)
        goto nomem;
    c->n_items = n_items;

    /* Feature ids: genres, decades, then kept tags in order of first appearance. */
    tag_feature = malloc((size_t)(voc.n > 0 ? voc.n : 1) * sizeof *tag_feature);
    if (!tag_feature)
        goto nomem;
    int32_t n_feat = MR_GENRE_COUNT + N_DECADES;
    for (int32_t t = 0; t < voc.n; t++)
        tag_feature[t] = voc.df[t] >= MIN_TAG_FILMS ? n_feat++ : -1;
    c->n_features = n_feat;
    c->names = calloc((size_t)n_feat, sizeof *c->names);
    if (!c->names)
        goto nomem;
    char name[MAX_NAME_BYTES];
    for (int32_t f = 0; f < n_feat; f++) {
        if (f < MR_GENRE_COUNT)
            snprintf(name, sizeof name, "%s", mr_genre_name(f) ? mr_genre_name(f) : "?");
        else if (f < MR_GENRE_COUNT + N_DECADES)
            snprintf(name, sizeof name, "the %ds", FIRST_DECADE + 10 * (f - MR_GENRE_COUNT));
        else
            name[0] = '\0';
        c->names[f] = strdup(name);
        if (!c->names[f])
            goto nomem;
    }
    for (int32_t t = 0; t < voc.n; t++) {
        int32_t f = tag_feature[t];
        if (f < 0)
            continue;
        free(c->names[f]);
        c->names[f] = strdup(cat->movies[voc.first[t]].tags[voc.firstt[t]].text);
        if (!c->names[f])
            goto nomem;
    }

    /* Genre idf over the catalog. */
    double genre_idf[MR_GENRE_COUNT];
    for (int g = 0; g < MR_GENRE_COUNT; g++) {
        int32_t df = 0;
        for (int32_t i = 0; i < n_items; i++)
            df += (cat->movies[i].genres >> g) & 1u;
        genre_idf[g] = df > 0 ? log((double)n_items / df) + 1.0 : 0.0;
    }

    /* Rows: count first, then fill. */
    int32_t max_row = MR_GENRE_COUNT + 1;
    for (int32_t i = 0; i < n_items; i++)
        if (cat->movies[i].n_tags + MR_GENRE_COUNT + 1 > max_row)
            max_row = cat->movies[i].n_tags + MR_GENRE_COUNT + 1;
    row = malloc((size_t)max_row * sizeof *row);
    c->owned_ptr = calloc((size_t)n_items + 1, sizeof *c->owned_ptr);
    if (!row || !c->owned_ptr || fill_weight(c, m->ratings) != 0)
        goto nomem;
    int64_t cap = 0, used = 0;
    char key[MAX_NAME_BYTES];
    for (int32_t i = 0; i < n_items; i++) {
        const struct mr_movie *mv = &cat->movies[i];
        int n = 0, gb = 0, tb;
        for (int g = 0; g < MR_GENRE_COUNT; g++)
            if ((mv->genres >> g) & 1u)
                row[n++] = (struct entry){g, (float)genre_idf[g]};
        scale_block(row + gb, n - gb, GENRE_WEIGHT);
        tb = n;
        for (int32_t t = 0; t < mv->n_tags; t++) {
            tag_key(mv->tags[t].text, key, sizeof key);
            if (!key[0])
                continue;
            int32_t id = voc.ids[vocab_slot(&voc, key)];
            int32_t f = tag_feature[id];
            int dup = 0;
            for (int q = tb; q < n; q++)
                dup |= row[q].feat == f;
            if (f < 0 || dup)
                continue;
            double tf = 1.0 + log((double)(mv->tags[t].count > 0 ? mv->tags[t].count : 1));
            row[n++] = (struct entry){f, (float)(tf * log((double)n_items / voc.df[id]))};
        }
        scale_block(row + tb, n - tb, TAG_WEIGHT);
        int dec = mv->year > 0 ? (mv->year - FIRST_DECADE) / 10 : -1;
        if (dec >= 0 && dec < N_DECADES)
            row[n++] = (struct entry){MR_GENRE_COUNT + dec, (float)DECADE_WEIGHT};
        scale_block(row, n, 1.0);
        qsort(row, (size_t)n, sizeof *row, cmp_entry);
        if (used + n > cap) {
            int64_t ncap = cap ? cap * 2 : 4096;
            while (ncap < used + n)
                ncap *= 2;
            int32_t *nf = realloc(c->owned_feat, (size_t)ncap * sizeof *nf);
            if (!nf)
                goto nomem;
            c->owned_feat = nf;
            float *nv = realloc(c->owned_val, (size_t)ncap * sizeof *nv);
            if (!nv)
                goto nomem;
            c->owned_val = nv;
            cap = ncap;
        }
        for (int q = 0; q < n; q++) {
            c->owned_feat[used] = row[q].feat;
            c->owned_val[used++] = row[q].val;
        }
        c->owned_ptr[i + 1] = used;
        if (m->progress && (i % 1024 == 0 || i == n_items - 1))
            m->progress(m->progress_ctx, "content: film profiles", (double)(i + 1) / n_items);
    }
    if (!c->owned_feat && !(c->owned_feat = malloc(sizeof *c->owned_feat)))
        goto nomem;
    if (!c->owned_val && !(c->owned_val = malloc(sizeof *c->owned_val)))
        goto nomem;
    c->ptr = c->owned_ptr;
    c->feat = c->owned_feat;
    c->val = c->owned_val;
    if (build_heads(c) != MR_OK)
        goto nomem;
    free(row);
    free(tag_feature);
    vocab_free(&voc);
    content_free_impl(m->impl);
    m->impl = c;
    return MR_OK;
nomem:
    free(row);
    free(tag_feature);
    vocab_free(&voc);
    content_free_impl(c);
    return mr_error_set(err, MR_ENOMEM, NULL, 0, "content: out of memory while fitting");
}

/* ---- Users ------------------------------------------------------------------------------------
 */

static void content_user_free(const struct mr_model *m, void *vs)
{
    (void)m;
    struct content_user *s = vs;
    if (!s)
        return;
    free(s->sum_rv);
    free(s->sum_v);
    free(s->profile);
    free(s->head_dot);
    free(s);
}

static void *content_user_new(const struct mr_model *m)
{
    const struct content *c = m->impl;
    struct content_user *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t nf = c->n_features > 0 ? (size_t)c->n_features : 1;
    s->sum_rv = calloc(nf, sizeof *s->sum_rv);
    s->sum_v = calloc(nf, sizeof *s->sum_v);
    s->profile = calloc(nf, sizeof *s->profile);
    s->head_dot = calloc(c->n_heads > 0 ? (size_t)c->n_heads : 1, sizeof *s->head_dot);
    if (!s->sum_rv || !s->sum_v || !s->profile || !s->head_dot) {
        content_user_free(m, s);
        return NULL;
    }
    return s;
}

static void apply_rating(const struct content *c, struct content_user *s, int32_t j, int half,
                         double sign)
{
    double rj = half * 0.5;
    s->r_sum += sign * rj;
    s->n += sign > 0 ? 1 : -1;
    for (int64_t p = c->ptr[j]; p < c->ptr[j + 1]; p++) {
        s->sum_rv[c->feat[p]] += sign * rj * c->val[p];
        s->sum_v[c->feat[p]] += sign * c->val[p];
    }
}

static void content_user_update(const struct mr_model *m, void *vs, const struct mr_user *u,
                                int32_t item, int old_half, int new_half)
{
    (void)u;
    const struct content *c = m->impl;
    if (old_half > 0)
        apply_rating(c, vs, item, old_half, -1.0);
    if (new_half > 0)
        apply_rating(c, vs, item, new_half, +1.0);
}

/* Fills profile (n_features) with the user's weighted profile; returns its norm. */
static double user_profile(const struct content *c, const struct content_user *s, float *profile)
{
    double mean = s->n > 0 ? s->r_sum / s->n : 0.0;
    double sq = 0;
    for (int32_t f = 0; f < c->n_features; f++) {
        double v = s->sum_rv[f] - (mean - LIKE_OFFSET) * s->sum_v[f];
        profile[f] = (float)v;
        sq += v * v;
    }
    return sqrt(sq);
}

/* Writes the dot product of every film's vector with dense (n_features) into out: once per
 * head into head_dot (n_heads), copied to every film, then the films with tags add theirs.  The
 * sums run in the vector's order, so they equal a plain dot product over the film's entries. */
static void dot_all(const struct content *c, const float *dense, float *head_dot, float *out)
{
    const int64_t *ptr = c->ptr;
    const int32_t *feat = c->feat;
    const float *val = c->val;
    for (int32_t h = 0; h < c->n_heads; h++) {
        float d = 0;
        int64_t b = ptr[c->head_film[h]];
        for (int64_t p = b; p < b + c->head_len[h]; p++)
            d += val[p] * dense[feat[p]];
        head_dot[h] = d;
    }
    const int32_t *head_of = c->head_of;
    for (int32_t i = 0; i < c->n_items; i++)
        out[i] = head_dot[head_of[i]];
    for (int32_t t = 0; t < c->n_tagged; t++) {
        int32_t i = c->tagged[t];
        float d = out[i];
        for (int64_t p = ptr[i] + c->head_len[head_of[i]]; p < ptr[i + 1]; p++)
            d += val[p] * dense[feat[p]];
        out[i] = d;
    }
}

/* ln(ratings of the film + 1) + alpha * cosine with the user's profile: popularity tilted
 * towards the user's taste (the cosine is 0 for all when the profile is empty), in log space:
 * the order of (count + 1) * exp(TILT * cosine), on a scale whose spread is not ruled by a few
 * very popular films (the hybrid blends z-scores of it). */
static void content_score(const struct mr_model *m, const void *vs, const struct mr_user *u,
                          float *scores)
{
    (void)u;
    const struct content *c = m->impl;
    const struct content_user *s = vs;
    double norm = user_profile(c, s, s->profile);
    if (!(norm > 0)) {
        memcpy(scores, c->weight, (size_t)c->n_items * sizeof *scores);
        return;
    }
    dot_all(c, s->profile, s->head_dot, scores);
    float tilt = (float)(m->params.alpha / norm);
    const float *weight = c->weight;
    for (int32_t i = 0; i < c->n_items; i++)
        scores[i] = weight[i] + tilt * scores[i];
}

/* Writes a feature's name for a reason line: tags in quotes. */
static void feature_label(const struct content *c, int32_t f, char *buf, size_t len)
{
    if (f >= MR_GENRE_COUNT + N_DECADES)
        snprintf(buf, len, "\"%s\"", c->names[f]);
    else
        snprintf(buf, len, "%s", c->names[f]);
}

static int content_explain(const struct mr_model *m, const void *vs, const struct mr_user *u,
                           int32_t item, char *buf, size_t len)
{
    (void)u;
    const struct content *c = m->impl;
    if (len)
        buf[0] = '\0';
    float *profile = malloc((size_t)c->n_features * sizeof *profile);
    if (!profile)
        return 0;
    user_profile(c, vs, profile);
    int32_t best[2] = {-1, -1};
    double bw[2] = {0, 0};
    for (int64_t p = c->ptr[item]; p < c->ptr[item + 1]; p++) {
        double w = c->val[p] * profile[c->feat[p]];
        if (w > bw[0]) {
            best[1] = best[0];
            bw[1] = bw[0];
            best[0] = c->feat[p];
            bw[0] = w;
        } else if (w > bw[1]) {
            best[1] = c->feat[p];
            bw[1] = w;
        }
    }
    free(profile);
    if (best[0] < 0 || !len)
        return 0;
    char a[MAX_NAME_BYTES + 2], b[MAX_NAME_BYTES + 2];
    feature_label(c, best[0], a, sizeof a);
    if (best[1] >= 0) {
        feature_label(c, best[1], b, sizeof b);
        snprintf(buf, len, "matches your taste for %s and %s", a, b);
    } else {
        snprintf(buf, len, "matches your taste for %s", a);
    }
    return 1;
}

/* Cosine between item's vector and every film's (both have unit length). */
static int content_similar(const struct mr_model *m, int32_t item, float *sims)
{
    const struct content *c = m->impl;
    if (item < 0 || item >= c->n_items) {
        memset(sims, 0, (size_t)c->n_items * sizeof *sims);
        return -1;
    }
    float *dense = calloc((size_t)c->n_features + (size_t)c->n_heads, sizeof *dense);
    if (!dense) {
        memset(sims, 0, (size_t)c->n_items * sizeof *sims);
        return -1;
    }
    for (int64_t p = c->ptr[item]; p < c->ptr[item + 1]; p++)
        dense[c->feat[p]] = c->val[p];
    dot_all(c, dense, dense + c->n_features, sims);
    free(dense);
    return 0;
}

int mr_content_shared(const struct mr_model *m, int32_t item, int32_t other, char *buf, size_t len)
{
    const struct content *c = m->impl;
    if (len)
        buf[0] = '\0';
    if (!c || item < 0 || other < 0 || item >= c->n_items || other >= c->n_items)
        return 0;
    int named = 0;
    size_t used = 0;
    int64_t p = c->ptr[item], q = c->ptr[other];
    while (p < c->ptr[item + 1] && q < c->ptr[other + 1] && named < 3) {
        if (c->feat[p] < c->feat[q]) {
            p++;
        } else if (c->feat[p] > c->feat[q]) {
            q++;
        } else {
            char label[MAX_NAME_BYTES + 2];
            feature_label(c, c->feat[p], label, sizeof label);
            int w =
                snprintf(buf + used, len > used ? len - used : 0, "%s%s", named ? ", " : "", label);
            if (w < 0 || used + (size_t)w >= len)
                break;
            used += (size_t)w;
            named++;
            p++;
            q++;
        }
    }
    return named;
}

/* ---- Cache ---------------------------------------------------------------------------------- */

static int content_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct content *c = m->impl;
    mr_write_u32(w, CONTENT_MAGIC);
    mr_write_u32(w, (uint32_t)c->n_items);
    mr_write_u32(w, (uint32_t)c->n_features);
    for (int32_t f = 0; f < c->n_features; f++) {
        uint32_t n = (uint32_t)strlen(c->names[f]);
        mr_write_u32(w, n);
        mr_write(w, c->names[f], n);
    }
    int64_t nnz = c->ptr[c->n_items];
    mr_write_u64(w, (uint64_t)nnz);
    mr_write_align(w, 16);
    mr_write(w, c->ptr, ((size_t)c->n_items + 1) * sizeof *c->ptr);
    mr_write(w, c->feat, (size_t)nnz * sizeof *c->feat);
    mr_write(w, c->val, (size_t)nnz * sizeof *c->val);
    mr_write_u32(w, (uint32_t)c->n_heads);
    mr_write_align(w, 16);
    mr_write(w, c->head_of, (size_t)c->n_items * sizeof *c->head_of);
    mr_write(w, c->head_film, (size_t)c->n_heads * sizeof *c->head_film);
    mr_write(w, c->head_len, (size_t)c->n_heads * sizeof *c->head_len);
    return w->failed ? -1 : 0;
}

/* The film vectors stay in the cache file's mapping (m->backing): no copy. */
static int content_load(struct mr_model *m, struct mr_reader *rd, struct mr_error *err)
{
    int32_t n_items = m->ratings->n_items;
    struct content *c = calloc(1, sizeof *c);
    if (!c || fill_weight(c, m->ratings) != 0) {
        content_free_impl(c);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "content: out of memory");
    }
    uint32_t magic, n, nf;
    uint64_t nnz;
    if (mr_read_u32(rd, &magic) || magic != CONTENT_MAGIC ||
        mr_read_count(rd, (uint32_t)n_items, &n) || n != (uint32_t)n_items ||
        mr_read_count(rd, (uint32_t)(rd->size - rd->pos) / 4, &nf) ||
        nf < MR_GENRE_COUNT + N_DECADES)
        goto fail;
    c->n_items = n_items;
    c->names = calloc(nf, sizeof *c->names);
    if (!c->names)
        goto fail;
    c->n_features = (int32_t)nf;
    for (uint32_t f = 0; f < nf; f++) {
        uint32_t len;
        if (mr_read_count(rd, MAX_NAME_BYTES, &len))
            goto fail;
        c->names[f] = mr_read_array(rd, len, 1);
        if (!c->names[f])
            goto fail;
        char *s = realloc(c->names[f], (size_t)len + 1);
        if (!s)
            goto fail;
        s[len] = '\0';
        c->names[f] = s;
    }
    if (mr_read_u64(rd, &nnz) || nnz > (uint64_t)n_items * nf ||
        nnz > (rd->size - rd->pos) / (sizeof(int32_t) + sizeof(float)) || mr_read_align(rd, 16))
        goto fail;
    c->ptr = mr_read_view(rd, (size_t)n_items + 1, sizeof *c->ptr);
    c->feat = mr_read_view(rd, (size_t)nnz, sizeof *c->feat);
    c->val = mr_read_view(rd, (size_t)nnz, sizeof *c->val);
    if (!c->ptr || !c->feat || !c->val || c->ptr[0] != 0 || c->ptr[n_items] != (int64_t)nnz)
        goto fail;
    for (int32_t i = 0; i < n_items; i++)
        if (c->ptr[i + 1] < c->ptr[i] || c->ptr[i + 1] - c->ptr[i] > (int64_t)nf)
            goto fail;
    int bad = 0;
    for (uint64_t p = 0; p < nnz; p++)
        bad |= (uint32_t)c->feat[p] >= nf || !isfinite(c->val[p]);
    uint32_t n_heads;
    if (bad || mr_read_count(rd, (uint32_t)n_items, &n_heads) || mr_read_align(rd, 16))
        goto fail;
    c->n_heads = (int32_t)n_heads;
    c->head_of = mr_read_view(rd, (size_t)n_items, sizeof *c->head_of);
    c->head_film = mr_read_view(rd, n_heads, sizeof *c->head_film);
    c->head_len = mr_read_view(rd, n_heads, sizeof *c->head_len);
    if (!c->head_of || !c->head_film || !c->head_len)
        goto fail;
    /* Every head names a film and fits in it; every film's head fits in its vector. */
    for (uint32_t h = 0; h < n_heads; h++)
        if ((uint32_t)c->head_film[h] >= (uint32_t)n_items || c->head_len[h] < 0 ||
            c->head_len[h] > c->ptr[c->head_film[h] + 1] - c->ptr[c->head_film[h]])
            goto fail;
    for (int32_t i = 0; i < n_items; i++)
        if ((uint32_t)c->head_of[i] >= n_heads ||
            c->head_len[c->head_of[i]] > c->ptr[i + 1] - c->ptr[i])
            goto fail;
    if (list_tagged(c) != MR_OK) {
        content_free_impl(c);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "content: out of memory");
    }
    content_free_impl(m->impl);
    m->impl = c;
    return MR_OK;
fail:
    rd->failed = 1;
    content_free_impl(c);
    return mr_error_set(err, MR_ECORRUPT, NULL, 0,
                        "content: the model data is corrupt or truncated");
}

static void content_destroy(struct mr_model *m)
{
    content_free_impl(m->impl);
    m->impl = NULL;
}

const struct mr_model_ops mr_model_content = {
    .name = "content",
    .description = "film profiles from genres, tags (TF-IDF) and decade",
    .defaults = content_defaults,
    .fit = content_fit,
    .user_new = content_user_new,
    .user_free = content_user_free,
    .user_update = content_user_update,
    .score = content_score,
    .predict = NULL,
    .explain = content_explain,
    .similar = content_similar,
    .save = content_save,
    .load = content_load,
    .destroy = content_destroy,
};
