/* similar.c — co-likes, a co-rating similarity and the reason line of a similar pair. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "reason.h"
#include "similar.h"

#define LIKED 8 /* half stars: 4.0 and up */
/* mr_similar_reasons() counts co-likes for up to this many films per bit map. */
#define SIMILAR_BATCH 128

int32_t mr_colike_count(const struct mr_ratings *r, int32_t a, int32_t b)
{
    if (a < 0 || b < 0 || a >= r->n_items || b >= r->n_items)
        return 0;
    int64_t p = r->item_ptr[a], pe = r->item_ptr[a + 1];
    int64_t q = r->item_ptr[b], qe = r->item_ptr[b + 1];
    int32_t n = 0;
    while (p < pe && q < qe) {
        int32_t ua = r->item_users[p], ub = r->item_users[q];
        if (ua < ub)
            p++;
        else if (ub < ua)
            q++;
        else {
            n += r->item_vals[p] >= LIKED && r->item_vals[q] >= LIKED;
            p++;
            q++;
        }
    }
    return n;
}

int mr_colike_counts(const struct mr_ratings *r, int32_t item, const int32_t *others, int n,
                     int32_t *counts)
{
    int valid = item >= 0 && item < r->n_items;
    size_t words = ((size_t)(r->n_users > 0 ? r->n_users : 1) + 63) / 64;
    uint64_t *fans = valid && n > 0 ? calloc(words, sizeof *fans) : NULL;
    if (!fans) {
        for (int k = 0; k < n; k++)
            counts[k] = mr_colike_count(r, item, others[k]);
        return valid && n > 0 ? -1 : 0;
    }
    /* No branch on the data in either loop: half of the ratings are likes, in no order. */
    for (int64_t p = r->item_ptr[item]; p < r->item_ptr[item + 1]; p++) {
        uint32_t u = (uint32_t)r->item_users[p];
        fans[u / 64] |= (uint64_t)(r->item_vals[p] >= LIKED) << (u % 64);
    }
    for (int k = 0; k < n; k++) {
        int32_t b = others[k];
        int32_t co = 0;
        if (b >= 0 && b < r->n_items)
            for (int64_t q = r->item_ptr[b]; q < r->item_ptr[b + 1]; q++) {
                uint32_t u = (uint32_t)r->item_users[q];
                co += (int32_t)((fans[u / 64] >> (u % 64)) & (r->item_vals[q] >= LIKED));
            }
        counts[k] = co;
    }
    free(fans);
    return 0;
}

int mr_corating_similar(const struct mr_ratings *r, int32_t item, float *sims, int32_t *work)
{
    int32_t n_items = r->n_items;
    memset(sims, 0, (size_t)n_items * sizeof *sims);
    if (item < 0 || item >= n_items)
        return -1;
    int any = 0;
    for (int64_t p = r->item_ptr[item]; p < r->item_ptr[item + 1]; p++) {
        if (r->item_vals[p] < LIKED)
            continue;
        any = 1;
        int32_t u = r->item_users[p];
        for (int64_t q = r->user_ptr[u]; q < r->user_ptr[u + 1]; q++)
            if (r->user_vals[q] >= LIKED)
                work[r->user_items[q]]++;
    }
    double ni = r->item_count[item];
    for (int32_t j = 0; j < n_items; j++) {
        if (work[j] >= 2 && j != item)
            sims[j] = (float)(work[j] / sqrt(ni * (double)r->item_count[j]));
        work[j] = 0;
    }
    return any ? 0 : -1;
}

/* Appends text to buf at *used (truncating safely). */
static void append(char *buf, size_t len, size_t *used, const char *text)
{
    if (*used + 1 >= len)
        return;
    int n = snprintf(buf + *used, len - *used, "%s", text);
    if (n > 0)
        *used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

/* The genres and tags other shares with item: "also Horror, Thriller; tagged zombies".
 * Returns 0 when they share nothing (buf then "").*/
static int shared_content(const struct mr_catalog *c, int32_t item, int32_t other, char *buf,
                          size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    if (!c || item < 0 || other < 0 || item >= c->n_movies || other >= c->n_movies)
        return 0;
    const struct mr_movie *a = &c->movies[item], *b = &c->movies[other];
    uint32_t common = a->genres & b->genres & ~(1u << MR_GENRE_NONE);
    int n = 0;
    for (int g = 0; g < MR_GENRE_COUNT && n < 3; g++)
        if (common & (1u << g)) {
            append(buf, len, &used, n++ ? ", " : "also ");
            append(buf, len, &used, mr_genre_name(g));
        }
    int t = 0;
    for (int32_t i = 0; i < a->n_tags && t < 2; i++)
        for (int32_t j = 0; j < b->n_tags; j++)
            if (strcasecmp(a->tags[i].text, b->tags[j].text) == 0) {
                append(buf, len, &used, t ? ", " : n ? "; tagged " : "tagged ");
                append(buf, len, &used, a->tags[i].text);
                t++;
                break;
            }
    return n + t > 0;
}

/* mr_similar_reason() past the shared content of a content pair: with co the co-likes. */
static char *colike_reason(const struct mr_catalog *c, int32_t item, int32_t other, int32_t co,
                           char *buf, size_t len)
{
    if (co > 0) {
        char tb[64];
        const char *title = mr_reason_title(c, item, tb, sizeof tb);
        snprintf(buf, len, "%d %s who liked %s also liked it", (int)co,
                 co == 1 ? "person" : "people", title);
        return buf;
    }
    if (!shared_content(c, item, other, buf, len))
        snprintf(buf, len, "liked by people with similar taste");
    return buf;
}

char *mr_similar_reason(const struct mr_catalog *c, const struct mr_ratings *r, int32_t item,
                        int32_t other, int content, char *buf, size_t len)
{
    if (!len)
        return buf;
    buf[0] = '\0';
    if (content && shared_content(c, item, other, buf, len))
        return buf;
    return colike_reason(c, item, other, mr_colike_count(r, item, other), buf, len);
}

void mr_similar_reasons(const struct mr_catalog *c, const struct mr_ratings *r, int32_t item,
                        const uint8_t *content, int n, struct mr_rec *recs)
{
    /* First the lines shared content settles; the co-likes of the others in one count. */
    int32_t others[SIMILAR_BATCH], counts[SIMILAR_BATCH];
    int at[SIMILAR_BATCH];
    for (int first = 0; first < n; first += SIMILAR_BATCH) {
        int end = n - first < SIMILAR_BATCH ? n : first + SIMILAR_BATCH, m = 0;
        for (int k = first; k < end; k++) {
            char *buf = recs[k].reason;
            buf[0] = '\0';
            if (content[k] && shared_content(c, item, recs[k].item, buf, sizeof recs[k].reason))
                continue;
            others[m] = recs[k].item;
            at[m++] = k;
        }
        mr_colike_counts(r, item, others, m, counts);
        for (int j = 0; j < m; j++) {
            struct mr_rec *rec = &recs[at[j]];
            colike_reason(c, item, rec->item, counts[j], rec->reason, sizeof rec->reason);
        }
    }
}
