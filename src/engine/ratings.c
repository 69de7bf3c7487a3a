/* ratings.c — the rating matrix: a builder of triples, then CSR by user and CSC by item.
 *
 * mr_ratings_build() is O(n + users + items): user ids are mapped through a direct table
 * (or a hash when ids are sparse), and rows are ordered by counting-sort scatters, never
 * by a comparison sort of the n ratings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "loaders.h"

int mr_stars_to_half(double stars)
{
    if (!(stars >= 0.5 && stars <= 5.0))
        return 0;
    double half = stars * 2.0;
    if (half != floor(half))
        return 0;
    return (int)half;
}

int mr_ratings_builder_reserve(struct mr_ratings_builder *b, int64_t n)
{
    if (n <= b->cap)
        return MR_OK;
    int32_t *users = realloc(b->user_ids, (size_t)n * sizeof *users);
    if (!users)
        return MR_ENOMEM;
    b->user_ids = users;
    int32_t *items = realloc(b->items, (size_t)n * sizeof *items);
    if (!items)
        return MR_ENOMEM;
    b->items = items;
    uint8_t *vals = realloc(b->vals, (size_t)n);
    if (!vals)
        return MR_ENOMEM;
    b->vals = vals;
    b->cap = n;
    return MR_OK;
}

int mr_ratings_builder_add(struct mr_ratings_builder *b, int32_t user_id, int32_t item,
                           uint8_t half_stars)
{
    if (b->n == b->cap && mr_ratings_builder_reserve(b, b->cap ? b->cap * 2 : 4096) != MR_OK)
        return MR_ENOMEM;
    b->user_ids[b->n] = user_id;
    b->items[b->n] = item;
    b->vals[b->n] = half_stars;
    b->n++;
    return MR_OK;
}

int mr_ratings_builder_append(struct mr_ratings_builder *b, struct mr_ratings_builder *more)
{
    if (mr_ratings_builder_reserve(b, b->n + more->n) != MR_OK)
        return MR_ENOMEM;
    /* Copy from the end in slices and give each slice of more back at once, so that the
     * two builders never both hold all of more's ratings. */
    const int64_t slice = 1 << 20;
    int64_t left = more->n;
    while (left > 0) {
        int64_t from = left > slice ? left - slice : 0;
        size_t count = (size_t)(left - from);
        memcpy(b->user_ids + b->n + from, more->user_ids + from, count * sizeof *b->user_ids);
        memcpy(b->items + b->n + from, more->items + from, count * sizeof *b->items);
        memcpy(b->vals + b->n + from, more->vals + from, count);
        left = from;
        if (left > 0) { /* shrinking never moves a block; a failure only keeps memory longer */
            int32_t *users = realloc(more->user_ids, (size_t)left * sizeof *users);
            int32_t *items = realloc(more->items, (size_t)left * sizeof *items);
            uint8_t *vals = realloc(more->vals, (size_t)left);
            more->user_ids = users ? users : more->user_ids;
            more->items = items ? items : more->items;
            more->vals = vals ? vals : more->vals;
        }
    }
    b->n += more->n;
    mr_ratings_builder_free(more);
    return MR_OK;
}

void mr_ratings_builder_free(struct mr_ratings_builder *b)
{
    free(b->user_ids);
    free(b->items);
    free(b->vals);
    memset(b, 0, sizeof *b);
}

/* Largest userId for which a direct table (4 bytes per possible id) is used. */
#define DIRECT_MAX_ID (1 << 26)

static uint32_t hash_id(int32_t id)
{
    uint32_t h = (uint32_t)id * 0x9E3779B1u;
    return h ^ (h >> 15);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Replaces the MovieLens userIds in ids[0..n) by dense indices in ascending id order and
 * returns the sorted distinct ids in *user_ids (n_users of them).  MR_OK or MR_ENOMEM. */
static int map_users(int32_t *ids, int64_t n, int32_t **user_ids, int32_t *n_users)
{
    int32_t min = 0, max = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i == 0 || ids[i] < min)
            min = ids[i];
        if (i == 0 || ids[i] > max)
            max = ids[i];
    }
    if (n > 0 && min >= 0 && max < DIRECT_MAX_ID) {
        /* Direct table: mark present ids, number them in ascending order. */
        int32_t *dense = calloc((size_t)max + 1, sizeof *dense);
        if (!dense)
            return MR_ENOMEM;
        for (int64_t i = 0; i < n; i++)
            dense[ids[i]] = 1;
        int32_t count = 0;
        for (int32_t id = 0; id <= max; id++)
            count += dense[id];
        int32_t *out = malloc((size_t)(count ? count : 1) * sizeof *out);
        if (!out) {
            free(dense);
            return MR_ENOMEM;
        }
        int32_t next = 0;
        for (int32_t id = 0; id <= max; id++) {
            if (dense[id]) {
                out[next] = id;
                dense[id] = next++;
            }
        }
        for (int64_t i = 0; i < n; i++)
            ids[i] = dense[ids[i]];
        free(dense);
        *user_ids = out;
        *n_users = count;
        return MR_OK;
    }

    /* Sparse or negative ids: open addressing over the distinct ids; only those are sorted. */
    size_t cap = 1024;
    while (cap < (size_t)n * 2)
        cap *= 2;
    int32_t *keys = malloc(cap * sizeof *keys);
    int32_t *vals = malloc(cap * sizeof *vals);
    int32_t *out = malloc((size_t)(n ? n : 1) * sizeof *out);
    if (!keys || !vals || !out) {
        free(keys);
        free(vals);
        free(out);
        return MR_ENOMEM;
    }
    for (size_t s = 0; s < cap; s++)
        vals[s] = -1;
    int32_t count = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t s = hash_id(ids[i]) & (cap - 1);
        while (vals[s] >= 0 && keys[s] != ids[i])
            s = (s + 1) & (cap - 1);
        if (vals[s] < 0) {
            keys[s] = ids[i];
            vals[s] = 0;
            out[count++] = ids[i];
        }
    }
    qsort(out, (size_t)count, sizeof *out, cmp_i32);
    for (int32_t u = 0; u < count; u++) {
        size_t s = hash_id(out[u]) & (cap - 1);
        while (keys[s] != out[u])
            s = (s + 1) & (cap - 1);
        vals[s] = u;
    }
    for (int64_t i = 0; i < n; i++) {
        size_t s = hash_id(ids[i]) & (cap - 1);
        while (keys[s] != ids[i])
            s = (s + 1) & (cap - 1);
        ids[i] = vals[s];
    }
    free(keys);
    free(vals);
    int32_t *shrunk = realloc(out, (size_t)(count ? count : 1) * sizeof *out);
    *user_ids = shrunk ? shrunk : out;
    *n_users = count;
    return MR_OK;
}

/* Counts per key and turns the counts into n_keys + 1 start offsets. */
static int64_t *offsets_by_key(const int32_t *keys, int64_t n, int32_t n_keys)
{
    int64_t *ptr = calloc((size_t)n_keys + 1, sizeof *ptr);
    if (!ptr)
        return NULL;
    for (int64_t i = 0; i < n; i++)
        ptr[keys[i] + 1]++;
    for (int32_t k = 0; k < n_keys; k++)
        ptr[k + 1] += ptr[k];
    return ptr;
}

/* Transposes a compressed matrix: rows [ptr[r], ptr[r+1]) of (cols, vals) become
 * columns.  The result lists each column's rows in ascending row order, and entries of
 * one row that share a column keep their relative order.  out_* are allocated here. */
static int transpose(int32_t n_rows, const int64_t *ptr, const int32_t *cols, const uint8_t *vals,
                     int32_t n_cols, int64_t **out_ptr, int32_t **out_rows, uint8_t **out_vals)
{
    int64_t n = ptr[n_rows];
    int64_t *tptr = offsets_by_key(cols, n, n_cols);
    int32_t *trows = malloc((size_t)(n ? n : 1) * sizeof *trows);
    uint8_t *tvals = malloc((size_t)(n ? n : 1));
    int64_t *fill = malloc(((size_t)n_cols + 1) * sizeof *fill);
    if (!tptr || !trows || !tvals || !fill) {
        free(tptr);
        free(trows);
        free(tvals);
        free(fill);
        return MR_ENOMEM;
    }
    memcpy(fill, tptr, ((size_t)n_cols + 1) * sizeof *fill);
    for (int32_t r = 0; r < n_rows; r++) {
        for (int64_t p = ptr[r]; p < ptr[r + 1]; p++) {
            int64_t q = fill[cols[p]]++;
            trows[q] = r;
            tvals[q] = vals[p];
        }
    }
    free(fill);
    *out_ptr = tptr;
    *out_rows = trows;
    *out_vals = tvals;
    return MR_OK;
}

/* Drops entries whose half stars are out of 1..10 or whose item is out of range (the
 * loaders never add such entries; a caller bug must not corrupt the matrix). */
static void builder_drop_invalid(struct mr_ratings_builder *b, int32_t n_items)
{
    int64_t out = 0;
    for (int64_t i = 0; i < b->n; i++) {
        if (b->items[i] < 0 || b->items[i] >= n_items || b->vals[i] < 1 || b->vals[i] > 10)
            continue;
        b->user_ids[out] = b->user_ids[i];
        b->items[out] = b->items[i];
        b->vals[out] = b->vals[i];
        out++;
    }
    b->n = out;
}

/* Per-item counts and means from the CSC, and the global mean. */
static int item_stats(struct mr_ratings *r)
{
    r->item_count = malloc(((size_t)r->n_items ? (size_t)r->n_items : 1) * sizeof *r->item_count);
    r->item_mean = malloc(((size_t)r->n_items ? (size_t)r->n_items : 1) * sizeof *r->item_mean);
    if (!r->item_count || !r->item_mean)
        return MR_ENOMEM;
    int64_t total = 0;
    for (int32_t i = 0; i < r->n_items; i++) {
        int64_t sum = 0;
        for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++)
            sum += r->item_vals[p];
        int64_t count = r->item_ptr[i + 1] - r->item_ptr[i];
        r->item_count[i] = (int32_t)count;
        r->item_mean[i] = count ? (float)((double)sum / (2.0 * (double)count)) : 0.0f;
        total += sum;
    }
    r->global_mean = r->n_ratings ? (double)total / (2.0 * (double)r->n_ratings) : 0.0;
    return MR_OK;
}

/* 1 when the triples are strictly ascending by (userId, item): then they already are the
 * CSR layout, with no repeated pair (MovieLens files are ordered this way). */
static int builder_is_sorted(const struct mr_ratings_builder *b)
{
    for (int64_t i = 1; i < b->n; i++) {
        if (b->user_ids[i] < b->user_ids[i - 1])
            return 0;
        if (b->user_ids[i] == b->user_ids[i - 1] && b->items[i] <= b->items[i - 1])
            return 0;
    }
    return 1;
}

/* The fast path of mr_ratings_build() for sorted input (user ids already dense): the
 * builder's item and value arrays become the CSR rows as they are. */
static int build_from_sorted(struct mr_ratings_builder *b, struct mr_ratings *r)
{
    int64_t n = b->n;
    r->user_ptr = offsets_by_key(b->user_ids, n, r->n_users);
    if (!r->user_ptr)
        return MR_ENOMEM;
    if (n > 0 && n < b->cap) { /* give back what the size hint reserved */
        int32_t *items = realloc(b->items, (size_t)n * sizeof *items);
        if (items)
            b->items = items;
        uint8_t *vals = realloc(b->vals, (size_t)n);
        if (vals)
            b->vals = vals;
    }
    r->user_items = b->items;
    r->user_vals = b->vals;
    b->items = NULL;
    b->vals = NULL;
    r->n_ratings = n;
    mr_ratings_builder_free(b);
    return MR_OK;
}

/* The general path of mr_ratings_build(): input in any order, repeated pairs allowed
 * (user ids already dense).  Fills r's CSR rows; the builder is consumed. */
static int build_from_unsorted(struct mr_ratings_builder *b, struct mr_ratings *r)
{
    int64_t n = b->n;
    int32_t n_items = r->n_items;

    /* 1. By item, in input order within each item. */
    int64_t *by_item_ptr = offsets_by_key(b->items, n, n_items);
    int32_t *by_item_users = malloc((size_t)(n ? n : 1) * sizeof *by_item_users);
    uint8_t *by_item_vals = malloc((size_t)(n ? n : 1));
    int64_t *fill = malloc(((size_t)n_items + 1) * sizeof *fill);
    if (!by_item_ptr || !by_item_users || !by_item_vals || !fill) {
        free(by_item_ptr);
        free(by_item_users);
        free(by_item_vals);
        free(fill);
        return MR_ENOMEM;
    }
    memcpy(fill, by_item_ptr, ((size_t)n_items + 1) * sizeof *fill);
    for (int64_t i = 0; i < n; i++) {
        int64_t q = fill[b->items[i]]++;
        by_item_users[q] = b->user_ids[i];
        by_item_vals[q] = b->vals[i];
    }
    free(fill);
    mr_ratings_builder_free(b);

    /* 2. By user: items ascending; a repeated (user, item) pair is adjacent, latest last. */
    int rc = transpose(n_items, by_item_ptr, by_item_users, by_item_vals, r->n_users, &r->user_ptr,
                       &r->user_items, &r->user_vals);
    free(by_item_ptr);
    free(by_item_users);
    free(by_item_vals);
    if (rc != MR_OK)
        return rc;

    /* 3. Keep the last of each repeated pair, compacting the rows in place. */
    int64_t w = 0;
    for (int32_t u = 0; u < r->n_users; u++) {
        int64_t begin = r->user_ptr[u], end = r->user_ptr[u + 1];
        r->user_ptr[u] = w;
        for (int64_t p = begin; p < end; p++) {
            if (p + 1 < end && r->user_items[p + 1] == r->user_items[p])
                continue;
            r->user_items[w] = r->user_items[p];
            r->user_vals[w] = r->user_vals[p];
            w++;
        }
    }
    r->user_ptr[r->n_users] = w;
    r->n_ratings = w;
    if (w < n && w > 0) {
        int32_t *items = realloc(r->user_items, (size_t)w * sizeof *items);
        if (items)
            r->user_items = items;
        uint8_t *vals = realloc(r->user_vals, (size_t)w);
        if (vals)
            r->user_vals = vals;
    }
    return MR_OK;
}

int mr_ratings_build(struct mr_ratings_builder *b, int32_t n_items, struct mr_ratings *out)
{
    memset(out, 0, sizeof *out);
    struct mr_ratings r = {0};
    r.n_items = n_items > 0 ? n_items : 0;
    builder_drop_invalid(b, r.n_items);
    int sorted = builder_is_sorted(b);

    int rc = map_users(b->user_ids, b->n, &r.user_ids, &r.n_users);
    if (rc == MR_OK)
        rc = sorted ? build_from_sorted(b, &r) : build_from_unsorted(b, &r);
    /* By item, from the clean rows: users ascending within each item. */
    if (rc == MR_OK)
        rc = transpose(r.n_users, r.user_ptr, r.user_items, r.user_vals, r.n_items, &r.item_ptr,
                       &r.item_users, &r.item_vals);
    if (rc == MR_OK)
        rc = item_stats(&r);
    if (rc != MR_OK) {
        mr_ratings_builder_free(b);
        mr_ratings_free(&r);
        return rc;
    }
    *out = r;
    return MR_OK;
}

int32_t mr_ratings_find_user(const struct mr_ratings *r, int32_t user_id)
{
    int32_t lo = 0, hi = r->n_users - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (r->user_ids[mid] == user_id)
            return mid;
        if (r->user_ids[mid] < user_id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

int mr_ratings_get(const struct mr_ratings *r, int32_t u, int32_t item)
{
    if (u < 0 || u >= r->n_users)
        return 0;
    int64_t lo = r->user_ptr[u], hi = r->user_ptr[u + 1] - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (r->user_items[mid] == item)
            return r->user_vals[mid];
        if (r->user_items[mid] < item)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

void mr_ratings_free(struct mr_ratings *r)
{
    if (r->borrowed) {
        memset(r, 0, sizeof *r);
        return;
    }
    free(r->user_ids);
    free(r->user_ptr);
    free(r->user_items);
    free(r->user_vals);
    free(r->item_ptr);
    free(r->item_users);
    free(r->item_vals);
    free(r->item_count);
    free(r->item_mean);
    memset(r, 0, sizeof *r);
}
