/* load_rating_lines.c — ratings in a separated-text layout: one "user item rating timestamp"
 * line each, as ml-100k's u.data (tabs) and ml-1m / ml-10m's ratings.dat ("::") write them.
 * The layout gives the separator and the words the reports use. */
#include <stdio.h>
#include <string.h>
#include "movierec/catalog.h"
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "loaders.h"

struct rating_lines {
    const struct mr_rating_layout *layout;
    size_t sep_len;
    struct mr_item_map items;
    struct mr_ratings_builder *b;
};

/* Parses one rating line and adds it to the builder (mr_line_fn). */
static const char *rating_line(void *ctx_, char *text, size_t n, long line, char *what, size_t len,
                               int *fatal)
{
    (void)line;
    struct rating_lines *ctx = ctx_;
    const struct mr_rating_layout *layout = ctx->layout;
    const char *f[4];
    size_t fl[4];
    int count = mr_split(text, n, layout->sep, ctx->sep_len, f, fl, 4);
    if (count != 4) {
        snprintf(what, len, "expected %s, found %d", layout->fields, count);
        return what;
    }
    int32_t user, movie;
    int64_t when;
    if (!mr_parse_id(f[0], fl[0], &user))
        return mr_describe_bad_id(layout->user_name, f[0], fl[0], what, len);
    if (!mr_parse_id(f[1], fl[1], &movie))
        return mr_describe_bad_id(layout->item_name, f[1], fl[1], what, len);
    int half = mr_parse_half(f[2], fl[2]);
    if (half <= 0) {
        mr_describe_bad_rating(half, f[2], fl[2], what, len);
        return what;
    }
    if (!mr_parse_u63(f[3], fl[3], &when))
        return "timestamp is not a number";
    int32_t item = mr_item_map_find(&ctx->items, movie);
    if (item < 0) {
        snprintf(what, len, "unknown %s %d", layout->item_name, (int)movie);
        return what;
    }
    if (mr_ratings_builder_add(ctx->b, user, item, (uint8_t)half) != MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

int mr_read_rating_lines(struct mr_load *ld, const char *path,
                         const struct mr_rating_layout *layout, const struct mr_catalog *c,
                         struct mr_ratings_builder *b)
{
    struct rating_lines ctx = {layout, strlen(layout->sep), {0}, b};
    mr_item_map_init(&ctx.items, c);
    int rc = mr_read_lines(ld, path, "ratings", MR_TEXT_NUMBERS, rating_line, &ctx);
    mr_item_map_free(&ctx.items);
    return rc;
}
