/* user.c — one person's ratings in memory (struct mr_user). */
#include <stdlib.h>
#include <string.h>
#include "movierec/error.h"
#include "movierec/user.h"

int mr_user_init(struct mr_user *u, int32_t n_items)
{
    memset(u, 0, sizeof *u);
    u->n_items = n_items;
    u->rated = calloc(n_items > 0 ? (size_t)n_items : 1, 1);
    return u->rated ? MR_OK : MR_ENOMEM;
}

static int user_grow(struct mr_user *u)
{
    int32_t cap = u->cap ? u->cap * 2 : 64;
    int32_t *items = realloc(u->items, (size_t)cap * sizeof *items);
    if (!items)
        return MR_ENOMEM;
    u->items = items;
    uint8_t *vals = realloc(u->vals, (size_t)cap);
    if (!vals)
        return MR_ENOMEM;
    u->vals = vals;
    u->cap = cap;
    return MR_OK;
}

int mr_user_set(struct mr_user *u, int32_t item, int half, int *old_half)
{
    if (item < 0 || item >= u->n_items || half < 0 || half > 10)
        return MR_EUSAGE;
    int old = u->rated[item];
    if (old_half)
        *old_half = old;
    if (old == half)
        return MR_OK;
    if (old == 0) {
        if (u->n == u->cap && user_grow(u) != MR_OK)
            return MR_ENOMEM;
        u->items[u->n] = item;
        u->vals[u->n] = (uint8_t)half;
        u->n++;
    } else {
        int32_t i = 0;
        while (i < u->n && u->items[i] != item)
            i++;
        if (half == 0) {
            memmove(u->items + i, u->items + i + 1, (size_t)(u->n - i - 1) * sizeof *u->items);
            memmove(u->vals + i, u->vals + i + 1, (size_t)(u->n - i - 1));
            u->n--;
        } else {
            u->vals[i] = (uint8_t)half;
        }
    }
    u->rated[item] = (uint8_t)half;
    return MR_OK;
}

int mr_user_load_row(struct mr_user *u, const struct mr_ratings *r, int32_t uidx)
{
    for (int32_t i = 0; i < u->n; i++)
        u->rated[u->items[i]] = 0;
    u->n = 0;
    for (int64_t p = r->user_ptr[uidx]; p < r->user_ptr[uidx + 1]; p++) {
        int rc = mr_user_set(u, r->user_items[p], r->user_vals[p], NULL);
        if (rc != MR_OK)
            return rc;
    }
    return MR_OK;
}

void mr_user_free(struct mr_user *u)
{
    free(u->items);
    free(u->vals);
    free(u->rated);
    memset(u, 0, sizeof *u);
}
