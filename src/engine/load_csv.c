/* load_csv.c — the ml-latest layout: movies.csv, ratings.csv, tags.csv, links.csv, all read
 * through libcsv.
 * The libcsv reading itself (line numbers, the header, bad-line reports) is csv_reader.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "movierec/catalog.h"
#include "movierec/dataset.h"
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "loaders.h"
#include "utf8.h"

/* Checks that the row has want fields; otherwise describes the problem. */
static const char *check_count(const struct mr_csv_row *row, int want, const char *names,
                               char *what, size_t len)
{
    if (row->n == want)
        return NULL;
    snprintf(what, len, "expected %d fields (%s), found %d", want, names, row->n);
    return what;
}

/* Describes field i of the row as a refused id named name. */
static const char *bad_id(const char *name, const struct mr_csv_row *row, int i, char *what,
                          size_t len)
{
    return mr_describe_bad_id(name, row->field[i], row->len[i], what, len);
}

/* ---- movies.csv: movieId,title,genres ---- */

static const char *movie_row(void *ctx, const struct mr_csv_row *row, char *what, size_t len,
                             int *fatal)
{
    struct mr_movie_adder *adder = ctx;
    const char *bad = check_count(row, 3, "movieId,title,genres", what, len);
    if (bad)
        return bad;
    int32_t id;
    if (!mr_parse_id(row->field[0], row->len[0], &id))
        return bad_id("movieId", row, 0, what, len);
    if (row->len[1] == 0)
        return "empty title";
    if (!mr_utf8_valid(row->field[1], row->len[1]))
        return "invalid UTF-8 in the title";
    if (!mr_utf8_valid(row->field[2], row->len[2]))
        return "invalid UTF-8 in the genres";
    uint32_t genres = mr_parse_genres(row->field[2], row->len[2]);
    if (mr_movie_adder_add(adder, id, row->field[1], row->len[1], genres, row->line) != MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

int mr_load_csv_movies(struct mr_load *ld, const char *path, struct mr_catalog *c)
{
    struct mr_movie_adder adder = {c, NULL, 0};
    int rc = mr_csv_read(ld, path, "movies", "movieId,title,genres",
                         (struct mr_csv_handler){movie_row, NULL}, &adder);
    return mr_movie_adder_end(&adder, ld, path, rc);
}

int mr_catalog_load_csv(const char *path, const struct mr_load_opts *opts, struct mr_catalog *c,
                        struct mr_load_stats *stats, struct mr_error *err)
{
    memset(c, 0, sizeof *c);
    struct mr_load ld;
    mr_load_init(&ld, opts, stats, err);
    if (stats)
        memset(stats, 0, sizeof *stats);
    int rc = mr_load_csv_movies(&ld, path, c);
    if (rc != MR_OK)
        mr_catalog_free(c);
    return rc;
}

/* ---- ratings.csv: userId,movieId,rating,timestamp ---- */

struct ratings_ctx {
    struct mr_item_map items;
    struct mr_ratings_builder *b;
    /* The record being read, parsed field by field as libcsv delivers it. */
    int32_t user, movie;
    int half;          /* or mr_parse_half()'s error code */
    int bad_field;     /* the first field that did not parse, -1 when none */
    char bad_text[32]; /* that field, cut short, for the report */
};

/* Parses one field of a rating record into ctx (mr_csv_field_fn). */
static void rating_field(void *ctx_, int index, const char *data, size_t len)
{
    struct ratings_ctx *ctx = ctx_;
    if (index == 0)
        ctx->bad_field = -1;
    if (ctx->bad_field >= 0 || index > 3)
        return;
    int ok;
    int64_t when;
    switch (index) {
    case 0:
        ok = mr_parse_id(data, len, &ctx->user);
        break;
    case 1:
        ok = mr_parse_id(data, len, &ctx->movie);
        /* The lookup in rating_end() misses the cache more often than not; start the
         * load now, while the other two fields are parsed. */
        if (ok && ctx->items.direct && ctx->movie <= ctx->items.max_id)
            __builtin_prefetch(&ctx->items.direct[ctx->movie]);
        break;
    case 2:
        ctx->half = mr_parse_half(data, len);
        ok = ctx->half > 0;
        break;
    default:
        ok = mr_parse_u63(data, len, &when);
        break;
    }
    if (!ok) {
        size_t n = len < 24 ? len : 24;
        memcpy(ctx->bad_text, data, n);
        ctx->bad_text[n] = '\0';
        ctx->bad_field = index;
    }
}

/* Ends a rating record whose fields rating_field() has parsed (mr_csv_row_fn). */
static const char *rating_end(void *ctx_, const struct mr_csv_row *row, char *what, size_t len,
                              int *fatal)
{
    struct ratings_ctx *ctx = ctx_;
    const char *bad = check_count(row, 4, "userId,movieId,rating,timestamp", what, len);
    if (bad)
        return bad;
    switch (ctx->bad_field) {
    case -1:
        break;
    case 0:
    case 1:
        return mr_describe_bad_id(ctx->bad_field == 0 ? "userId" : "movieId", ctx->bad_text,
                                  strlen(ctx->bad_text), what, len);
    case 2:
        mr_describe_bad_rating(ctx->half, ctx->bad_text, strlen(ctx->bad_text), what, len);
        return what;
    default:
        return "timestamp is not a number";
    }
    int32_t item = mr_item_map_find(&ctx->items, ctx->movie);
    if (item < 0) {
        snprintf(what, len, "unknown movieId %d", (int)ctx->movie);
        return what;
    }
    if (mr_ratings_builder_add(ctx->b, ctx->user, item, (uint8_t)ctx->half) != MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

int mr_load_csv_ratings(struct mr_load *ld, const char *path, const struct mr_catalog *c,
                        struct mr_ratings_builder *b)
{
    struct stat st;
    /* No rating line is shorter than 16 bytes ("1,1,4.0,1234567\n"): reserve for that many.
     * Pages that stay unused are never touched. */
    if (stat(path, &st) == 0 && st.st_size > 0 &&
        mr_ratings_builder_reserve(b, b->n + (int64_t)st.st_size / 16 + 1) != MR_OK)
        return mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
    struct ratings_ctx first = {0}, second = {0};
    struct mr_ratings_builder second_builder = {0};
    mr_item_map_init(&first.items, c);
    second.items = first.items; /* read-only: shared by both threads */
    first.b = b;
    second.b = &second_builder;
    int split;
    int rc = mr_csv_read_split(ld, path, "ratings", "userId,movieId,rating,timestamp",
                               (struct mr_csv_handler){rating_end, rating_field}, &first, &second,
                               &split);
    if (rc == MR_OK && split && mr_ratings_builder_append(b, &second_builder) != MR_OK)
        rc = mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
    mr_ratings_builder_free(&second_builder);
    mr_item_map_free(&first.items);
    return rc;
}

/* ---- tags.csv: userId,movieId,tag,timestamp ---- */

static const char *tag_row(void *ctx, const struct mr_csv_row *row, char *what, size_t len,
                           int *fatal)
{
    struct mr_catalog *c = ctx;
    const char *bad = check_count(row, 4, "userId,movieId,tag,timestamp", what, len);
    if (bad)
        return bad;
    int32_t user, movie;
    int64_t when;
    if (!mr_parse_id(row->field[0], row->len[0], &user))
        return bad_id("userId", row, 0, what, len);
    if (!mr_parse_id(row->field[1], row->len[1], &movie))
        return bad_id("movieId", row, 1, what, len);
    if (row->len[2] == 0)
        return "empty tag";
    if (!mr_utf8_valid(row->field[2], row->len[2]))
        return "invalid UTF-8 in the tag";
    if (!mr_parse_u63(row->field[3], row->len[3], &when))
        return "timestamp is not a number";
    int32_t item = mr_catalog_find(c, movie);
    if (item < 0) {
        snprintf(what, len, "unknown movieId %d", (int)movie);
        return what;
    }
    if (mr_catalog_add_tag(c, item, row->field[2]) != MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

int mr_load_csv_tags(struct mr_load *ld, const char *path, struct mr_catalog *c)
{
    return mr_csv_read(ld, path, "tags", "userId,movieId,tag,timestamp",
                       (struct mr_csv_handler){tag_row, NULL}, c);
}

/* ---- links.csv: movieId,imdbId,tmdbId (either id may be empty) ---- */

static const char *link_row(void *ctx, const struct mr_csv_row *row, char *what, size_t len,
                            int *fatal)
{
    (void)fatal;
    struct mr_catalog *c = ctx;
    const char *bad = check_count(row, 3, "movieId,imdbId,tmdbId", what, len);
    if (bad)
        return bad;
    int32_t movie;
    int64_t imdb = 0, tmdb = 0;
    if (!mr_parse_id(row->field[0], row->len[0], &movie))
        return bad_id("movieId", row, 0, what, len);
    if (row->len[1] && !mr_parse_u63(row->field[1], row->len[1], &imdb))
        return "imdbId is not a number";
    if (row->len[2] && !mr_parse_u63(row->field[2], row->len[2], &tmdb))
        return "tmdbId is not a number";
    int32_t item = mr_catalog_find(c, movie);
    if (item < 0) {
        snprintf(what, len, "unknown movieId %d", (int)movie);
        return what;
    }
    c->movies[item].imdb_id = imdb;
    c->movies[item].tmdb_id = tmdb;
    return NULL;
}

int mr_load_csv_links(struct mr_load *ld, const char *path, struct mr_catalog *c)
{
    return mr_csv_read(ld, path, "links", "movieId,imdbId,tmdbId",
                       (struct mr_csv_handler){link_row, NULL}, c);
}
