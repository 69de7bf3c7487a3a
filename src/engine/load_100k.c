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
        return mr_describe_bad_id("movie id", f[0], fl[0], what, len);
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
    return mr_read_movie_lines(ld, path, item_line, c);
}

/* ---- u.data: user \t item \t rating \t timestamp ---- */

static const struct mr_rating_layout u_data = {
    "\t",
    "4 tab-separated fields (user item rating timestamp)",
    "user id",
    "item id",
};

int mr_load_100k_ratings(struct mr_load *ld, const char *path, const struct mr_catalog *c,
                         struct mr_ratings_builder *b)
{
    return mr_read_rating_lines(ld, path, &u_data, c, b);
}

int mr_ratings_load_100k_file(const char *path, const struct mr_catalog *c,
                              const struct mr_load_opts *opts, struct mr_ratings_builder *b,
                              struct mr_load_stats *stats, struct mr_error *err)
{
    struct mr_load ld;
    mr_load_init(&ld, opts, stats, err);
    return mr_load_100k_ratings(&ld, path, c, b);
}
