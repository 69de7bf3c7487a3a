/* load_100k.c — the ml-100k layout: u.item ('|' separated, Latin-1, 19 genre flags) and
 * u.data (user item rating timestamp, tab separated). */
#include <stdio.h>
#include <string.h>
#include "movierec/catalog.h"
#include "movierec/dataset.h"
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "loaders.h"

/* The 19 genre flags of u.item, in file order. */
static const int flag_genres[19] = {
    MR_GENRE_NONE, /* unknown */
    MR_GENRE_ACTION,  MR_GENRE_ADVENTURE, MR_GENRE_ANIMATION,   MR_GENRE_CHILDREN,
    MR_GENRE_COMEDY,  MR_GENRE_CRIME,     MR_GENRE_DOCUMENTARY, MR_GENRE_DRAMA,
    MR_GENRE_FANTASY, MR_GENRE_FILM_NOIR, MR_GENRE_HORROR,      MR_GENRE_MUSICAL,
    MR_GENRE_MYSTERY, MR_GENRE_ROMANCE,   MR_GENRE_SCI_FI,      MR_GENRE_THRILLER,
    MR_GENRE_WAR,     MR_GENRE_WESTERN,
};

enum { ITEM_FIELDS = 5 + 19 };

static const char *bad_number(const char *name, const char *s, size_t n, char *what, size_t len)
{
    int shown = n > 24 ? 24 : (int)n;
    snprintf(what, len, "%s '%.*s' is not a positive integer", name, shown, s);
    return what;
}

/* Year of a release date "01-Jan-1995", or 0. */
static int release_year(const char *s, size_t n)
{
    if (n < 4)
        return 0;
    int year = 0;
    for (size_t i = n - 4; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        year = year * 10 + (s[i] - '0');
    }
    return year;
}

/* ---- u.item: id|title|release date|video release date|IMDb URL|19 flags ---- */

static const char *item_line(void *ctx, char *text, size_t n, long line, char *what, size_t len,
                             int *fatal)
{
    struct mr_movie_adder *adder = ctx;
    const char *f[ITEM_FIELDS];
    size_t fl[ITEM_FIELDS];
    int count = mr_split(text, n, "|", 1, f, fl, ITEM_FIELDS);
    if (count != ITEM_FIELDS) {
        snprintf(what, len, "expected %d fields separated by '|', found %d", ITEM_FIELDS, count);
        return what;
    }
    int32_t id;
    if (!mr_parse_id(f[0], fl[0], &id))
        return bad_number("movie id", f[0], fl[0], what, len);
    if (fl[1] == 0)
        return "empty title";
    uint32_t genres = 0;
    for (int g = 0; g < 19; g++) {
        const char *flag = f[5 + g];
        if (fl[5 + g] != 1 || (flag[0] != '0' && flag[0] != '1')) {
            snprintf(what, len, "genre flag %d is not 0 or 1", g + 1);
            return what;
        }
        if (flag[0] == '1')
            genres |= 1u << flag_genres[g];
    }
    if (mr_movie_adder_add(adder, id, f[1], fl[1], genres, line) != MR_OK) {
        *fatal = MR_ENOMEM;
        return NULL;
    }
    struct mr_movie *m = &adder->c->movies[adder->c->n_movies - 1];
    if (m->year == 0) /* titles such as "unknown" carry no year; the release date may */
        m->year = (int16_t)release_year(f[2], fl[2]);
    return NULL;
}

int mr_load_100k_items(struct mr_load *ld, const char *path, struct mr_catalog *c)
{
    struct mr_movie_adder adder = {c, NULL, 0};
    int rc = mr_read_lines(ld, path, "movies", MR_TEXT_DETECT, item_line, &adder);
    if (rc == MR_OK)
        mr_movie_adder_finish(&adder, ld, path);
    mr_movie_adder_free(&adder);
    return rc;
}

/* ---- u.data: user \t item \t rating \t timestamp ---- */

struct ratings_ctx {
    struct mr_item_map items;
    struct mr_ratings_builder *b;
};

static const char *rating_line(void *ctx_, char *text, size_t n, long line, char *what, size_t len,
                               int *fatal)
{
    (void)line;
    struct ratings_ctx *ctx = ctx_;
    const char *f[4];
    size_t fl[4];
    int count = mr_split(text, n, "\t", 1, f, fl, 4);
    if (count != 4) {
        snprintf(what, len,
                 "expected 4 tab-separated fields (user item rating timestamp), found %d", count);
        return what;
    }
    int32_t user, movie;
    int64_t when;
    if (!mr_parse_id(f[0], fl[0], &user))
        return bad_number("user id", f[0], fl[0], what, len);
    if (!mr_parse_id(f[1], fl[1], &movie))
        return bad_number("item id", f[1], fl[1], what, len);
    int half = mr_parse_half(f[2], fl[2]);
    if (half <= 0) {
        mr_describe_bad_rating(half, f[2], fl[2], what, len);
        return what;
    }
    if (!mr_parse_u63(f[3], fl[3], &when))
        return "timestamp is not a number";
    int32_t item = mr_item_map_find(&ctx->items, movie);
    if (item < 0) {
        snprintf(what, len, "unknown item id %d", (int)movie);
        return what;
    }
    if (mr_ratings_builder_add(ctx->b, user, item, (uint8_t)half) != MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

int mr_load_100k_ratings(struct mr_load *ld, const char *path, const struct mr_catalog *c,
                         struct mr_ratings_builder *b)
{
    struct ratings_ctx ctx;
    mr_item_map_init(&ctx.items, c);
    ctx.b = b;
    int rc = mr_read_lines(ld, path, "ratings", MR_TEXT_NUMBERS, rating_line, &ctx);
    mr_item_map_free(&ctx.items);
    return rc;
}

int mr_ratings_load_100k_file(const char *path, const struct mr_catalog *c,
                              const struct mr_load_opts *opts, struct mr_ratings_builder *b,
                              struct mr_load_stats *stats, struct mr_error *err)
{
    struct mr_load ld;
    mr_load_init(&ld, opts, stats, err);
    return mr_load_100k_ratings(&ld, path, c, b);
}
