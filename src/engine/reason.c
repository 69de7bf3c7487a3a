/* reason.c — text pieces for explain() lines: star strings and titles. */
#include <stdio.h>
#include <string.h>
#include "reason.h"

char *mr_reason_stars(int half, char *buf, size_t len)
{
    if (!len)
        return buf;
    if (half < 0)
        half = 0;
    if (half > 10)
        half = 10;
    buf[0] = '\0';
    size_t used = 0;
    for (int pos = 0; pos < 5; pos++) {
        int left = half - 2 * pos;
        const char *piece = left >= 2 ? "\u2605" : left == 1 ? "\u00bd" : "\u2606";
        size_t n = strlen(piece);
        if (used + n + 1 > len)
            break;
        memcpy(buf + used, piece, n + 1);
        used += n;
    }
    return buf;
}

const char *mr_reason_title(const struct mr_catalog *c, int32_t item, char *buf, size_t len)
{
    if (c && item >= 0 && item < c->n_movies) {
        const struct mr_movie *m = &c->movies[item];
        if (m->display)
            return m->display;
        if (m->title)
            return m->title;
    }
    if (len)
        snprintf(buf, len, "movie #%d", (int)item);
    return buf;
}
