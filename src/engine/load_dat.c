/* load_dat.c — the ml-1m / ml-10m layout: movies.dat, ratings.dat, tags.dat, "::" separated.
 *
 * The encoding is decided per file: a file that is valid UTF-8 (ml-10m) is read as it is,
 * any other (ml-1m) as Latin-1. */
#include <stdio.h>
#include <string.h>
#include "movierec/catalog.h"
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "loaders.h"

/* Position of the last "::" in s[0..n), or NULL. */
static const char *last_separator(const char *s, size_t n)
{
    for (size_t i = n; i >= 2; i--)
        if (s[i - 2] == ':' && s[i - 1] == ':')
            return s + i - 2;
    return NULL;
}

/* Splits "head::middle::tail" where middle may itself contain "::" (titles, tags): the
 * first field ends at the first separator and the last starts after the last one.
 * Returns 0 when there are fewer than two separators. */
static int split_outer(const char *s, size_t n, const char **first, size_t *first_len,
                       const char **middle, size_t *middle_len, const char **last, size_t *last_len)
{
    const char *a = memmem(s, n, "::", 2);
    const char *b = last_separator(s, n);
    if (!a || !b || b <= a + 1)
        return 0;
    *first = s;
    *first_len = (size_t)(a - s);
    *middle = a + 2;
    *middle_len = (size_t)(b - (a + 2));
    *last = b + 2;
    *last_len = n - (size_t)(b + 2 - s);
    return 1;
}

/* ---- movies.dat: MovieID::Title::Genres ---- */

static const char *movie_line(void *ctx, char *text, size_t n, long line, char *what, size_t len,
                              int *fatal)
{
    struct mr_movie_adder *adder = ctx;
    const char *id_s, *title, *genres;
    size_t id_n, title_n, genres_n;
    if (!split_outer(text, n, &id_s, &id_n, &title, &title_n, &genres, &genres_n))
        return "expected 3 fields separated by '::' (MovieID::Title::Genres)";
    int32_t id;
    if (!mr_parse_id(id_s, id_n, &id))
        return mr_describe_bad_id("MovieID", id_s, id_n, what, len);
    if (title_n == 0)
        return "empty title";
    if (mr_movie_adder_add(adder, id, title, title_n, mr_parse_genres(genres, genres_n), line) !=
        MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

int mr_load_dat_movies(struct mr_load *ld, const char *path, struct mr_catalog *c)
{
    return mr_read_movie_lines(ld, path, movie_line, c);
}

/* ---- ratings.dat: UserID::MovieID::Rating::Timestamp ---- */

static const struct mr_rating_layout ratings_dat = {
    "::",
    "4 fields separated by '::' (UserID::MovieID::Rating::Timestamp)",
    "UserID",
    "MovieID",
};

int mr_load_dat_ratings(struct mr_load *ld, const char *path, const struct mr_catalog *c,
                        struct mr_ratings_builder *b)
{
    return mr_read_rating_lines(ld, path, &ratings_dat, c, b);
}

/* ---- tags.dat: UserID::MovieID::Tag::Timestamp ---- */

static const char *tag_line(void *ctx, char *text, size_t n, long line, char *what, size_t len,
                            int *fatal)
{
    (void)line;
    struct mr_catalog *c = ctx;
    const char *user_s, *rest, *when_s;
    size_t user_n, rest_n, when_n;
    const char *movie_s, *tag;
    size_t movie_n, tag_n;
    if (!split_outer(text, n, &user_s, &user_n, &rest, &rest_n, &when_s, &when_n))
        return "expected 4 fields separated by '::' (UserID::MovieID::Tag::Timestamp)";
    const char *sep = memmem(rest, rest_n, "::", 2);
    if (!sep)
        return "expected 4 fields separated by '::' (UserID::MovieID::Tag::Timestamp)";
    movie_s = rest;
    movie_n = (size_t)(sep - rest);
    tag = sep + 2;
    tag_n = rest_n - movie_n - 2;
    int32_t user, movie;
    int64_t when;
    if (!mr_parse_id(user_s, user_n, &user))
        return mr_describe_bad_id("UserID", user_s, user_n, what, len);
    if (!mr_parse_id(movie_s, movie_n, &movie))
        return mr_describe_bad_id("MovieID", movie_s, movie_n, what, len);
    if (!mr_parse_u63(when_s, when_n, &when))
        return "timestamp is not a number";
    if (tag_n == 0)
        return "empty tag";
    int32_t item = mr_catalog_find(c, movie);
    if (item < 0) {
        snprintf(what, len, "unknown MovieID %d", (int)movie);
        return what;
    }
    text[tag - text + (ptrdiff_t)tag_n] = '\0'; /* the line is ours to cut */
    if (mr_catalog_add_tag(c, item, tag) != MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

int mr_load_dat_tags(struct mr_load *ld, const char *path, struct mr_catalog *c)
{
    return mr_read_lines(ld, path, "tags", MR_TEXT_DETECT, tag_line, c);
}
