/* load_csv.c — the ml-latest layout: movies.csv, ratings.csv, tags.csv, links.csv, all read
 * through libcsv.
 *
 * Each physical line is fed to libcsv on its own, so a record's line number is known: it is
 * the line being fed when the record ends, minus the newlines inside its quoted fields. */
#include <csv.h>
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

/* Fields kept per record; a record with more is still counted and reported. */
#define CSV_MAX_FIELDS 8

struct csv_row {
    const char *field[CSV_MAX_FIELDS]; /* NUL-terminated */
    size_t len[CSV_MAX_FIELDS];
    int n; /* fields in the record (may exceed CSV_MAX_FIELDS) */
    long line;
};

/* Handles one data record.  Returns NULL when it was used, or a description of what is
 * wrong (written into what).  Sets *fatal to MR_ENOMEM to stop the load. */
typedef const char *(*csv_row_fn)(void *ctx, const struct csv_row *row, char *what, size_t what_len,
                                  int *fatal);

struct csv_reader {
    struct mr_load *ld;
    struct mr_lines lines;
    const char *header; /* the expected header line */
    int header_done;
    csv_row_fn row_fn;
    void *row_ctx;
    char *rec; /* the current record's fields, each NUL-terminated */
    size_t rec_len, rec_cap;
    size_t off[CSV_MAX_FIELDS], flen[CSV_MAX_FIELDS];
    int n_fields;
    long newlines; /* inside the current record's fields */
    int fatal;     /* MR_ENOMEM or MR_EDATA once the load must stop */
    char what[256];
};

static void reader_field(void *data, size_t len, void *r_)
{
    struct csv_reader *r = r_;
    if (r->fatal)
        return;
    if (r->rec_len + len + 1 > r->rec_cap) {
        size_t cap = r->rec_cap * 2;
        while (cap < r->rec_len + len + 1)
            cap *= 2;
        char *rec = realloc(r->rec, cap);
        if (!rec) {
            r->fatal = mr_error_set(r->ld->err, MR_ENOMEM, r->lines.path, 0, "out of memory");
            return;
        }
        r->rec = rec;
        r->rec_cap = cap;
    }
    char *dst = r->rec + r->rec_len;
    if (len) {
        memcpy(dst, data, len);
        for (char *nl = memchr(dst, '\n', len); nl;
             nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - dst)))
            r->newlines++;
    }
    dst[len] = '\0';
    if (r->n_fields < CSV_MAX_FIELDS) {
        r->off[r->n_fields] = r->rec_len;
        r->flen[r->n_fields] = len;
    }
    r->n_fields++;
    r->rec_len += len + 1;
}

/* 1 when the row's fields are the names of the expected header, compared without case. */
static int header_matches(const char *header, const struct csv_row *row)
{
    const char *names[CSV_MAX_FIELDS];
    size_t lens[CSV_MAX_FIELDS];
    int n = mr_split(header, strlen(header), ",", 1, names, lens, CSV_MAX_FIELDS);
    if (n != row->n)
        return 0;
    for (int i = 0; i < n; i++)
        if (row->len[i] != lens[i] || strncasecmp(row->field[i], names[i], lens[i]) != 0)
            return 0;
    return 1;
}

static void reader_record(int terminator, void *r_)
{
    (void)terminator;
    struct csv_reader *r = r_;
    struct csv_row row;
    row.n = r->n_fields;
    for (int i = 0; i < row.n && i < CSV_MAX_FIELDS; i++) {
        row.field[i] = r->rec + r->off[i];
        row.len[i] = r->flen[i];
    }
    row.line = r->lines.line - r->newlines;
    r->rec_len = 0;
    r->n_fields = 0;
    r->newlines = 0;
    if (r->fatal)
        return;
    if (!r->header_done) {
        r->header_done = 1;
        if (!header_matches(r->header, &row))
            r->fatal = mr_error_set(r->ld->err, MR_EDATA, r->lines.path, row.line,
                                    "expected the header line '%s'", r->header);
        return;
    }
    r->ld->stats->lines_read++;
    const char *what = r->row_fn(r->row_ctx, &row, r->what, sizeof r->what, &r->fatal);
    if (what && !r->fatal)
        mr_load_skip(r->ld, r->lines.path, row.line, what);
    if (r->fatal == MR_ENOMEM)
        mr_error_set(r->ld->err, MR_ENOMEM, r->lines.path, row.line, "out of memory");
}

/* Reads the CSV file at path, checking its header and calling row_fn for each record. */
static int csv_read(struct mr_load *ld, const char *path, const char *stage, const char *header,
                    csv_row_fn row_fn, void *row_ctx)
{
    struct csv_reader r;
    memset(&r, 0, sizeof r);
    r.ld = ld;
    r.header = header;
    r.row_fn = row_fn;
    r.row_ctx = row_ctx;
    int rc = mr_lines_open(&r.lines, ld, path, stage);
    if (rc != MR_OK)
        return rc;
    r.rec_cap = 4096;
    r.rec = malloc(r.rec_cap);
    struct csv_parser parser;
    if (!r.rec || csv_init(&parser, 0) != 0) {
        free(r.rec);
        mr_lines_close(&r.lines);
        return mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
    }
    for (;;) {
        char *text;
        size_t len;
        int got = mr_lines_next(&r.lines, &text, &len);
        if (got == MR_LINE_OK) {
            if (csv_parse(&parser, text, len, reader_field, reader_record, &r) != len && !r.fatal)
                r.fatal = mr_error_set(ld->err, MR_ENOMEM, path, r.lines.line, "libcsv: %s",
                                       csv_strerror(csv_error(&parser)));
        } else if (got == MR_LINE_LONG) {
            /* Whatever record the long line belonged to is dropped: start afresh. */
            csv_free(&parser);
            if (csv_init(&parser, 0) != 0) {
                r.fatal = mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
                break;
            }
            r.rec_len = 0;
            r.n_fields = 0;
            r.newlines = 0;
        } else if (got == MR_LINE_EOF) {
            csv_fini(&parser, reader_field, reader_record, &r);
            break;
        } else {
            r.fatal = MR_EDATA; /* ld->err says what */
        }
        if (r.fatal)
            break;
    }
    if (!r.fatal && !r.header_done)
        r.fatal = mr_error_set(ld->err, MR_EDATA, path, 0,
                               "empty file: expected the header line '%s'", header);
    csv_free(&parser);
    free(r.rec);
    mr_lines_close(&r.lines);
    return r.fatal ? r.fatal : MR_OK;
}

/* Checks that the row has want fields; otherwise describes the problem. */
static const char *check_count(const struct csv_row *row, int want, const char *names, char *what,
                               size_t len)
{
    if (row->n == want)
        return NULL;
    snprintf(what, len, "expected %d fields (%s), found %d", want, names, row->n);
    return what;
}

static const char *bad_id(const char *name, const struct csv_row *row, int i, char *what,
                          size_t len)
{
    int shown = row->len[i] > 24 ? 24 : (int)row->len[i];
    snprintf(what, len, "%s '%.*s' is not a positive integer", name, shown, row->field[i]);
    return what;
}

/* ---- movies.csv: movieId,title,genres ---- */

static const char *movie_row(void *ctx, const struct csv_row *row, char *what, size_t len,
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
    int rc = csv_read(ld, path, "movies", "movieId,title,genres", movie_row, &adder);
    if (rc == MR_OK)
        mr_movie_adder_finish(&adder, ld, path);
    mr_movie_adder_free(&adder);
    return rc;
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
};

static const char *rating_row(void *ctx_, const struct csv_row *row, char *what, size_t len,
                              int *fatal)
{
    struct ratings_ctx *ctx = ctx_;
    const char *bad = check_count(row, 4, "userId,movieId,rating,timestamp", what, len);
    if (bad)
        return bad;
    int32_t user, movie;
    int64_t when;
    if (!mr_parse_id(row->field[0], row->len[0], &user))
        return bad_id("userId", row, 0, what, len);
    if (!mr_parse_id(row->field[1], row->len[1], &movie))
        return bad_id("movieId", row, 1, what, len);
    int half = mr_parse_half(row->field[2], row->len[2]);
    if (half <= 0) {
        mr_describe_bad_rating(half, row->field[2], row->len[2], what, len);
        return what;
    }
    if (!mr_parse_u63(row->field[3], row->len[3], &when))
        return "timestamp is not a number";
    int32_t item = mr_item_map_find(&ctx->items, movie);
    if (item < 0) {
        snprintf(what, len, "unknown movieId %d", (int)movie);
        return what;
    }
    if (mr_ratings_builder_add(ctx->b, user, item, (uint8_t)half) != MR_OK)
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
    struct ratings_ctx ctx;
    mr_item_map_init(&ctx.items, c);
    ctx.b = b;
    int rc = csv_read(ld, path, "ratings", "userId,movieId,rating,timestamp", rating_row, &ctx);
    mr_item_map_free(&ctx.items);
    return rc;
}

/* ---- tags.csv: userId,movieId,tag,timestamp ---- */

static const char *tag_row(void *ctx, const struct csv_row *row, char *what, size_t len, int *fatal)
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
    return csv_read(ld, path, "tags", "userId,movieId,tag,timestamp", tag_row, c);
}

/* ---- links.csv: movieId,imdbId,tmdbId (either id may be empty) ---- */

static const char *link_row(void *ctx, const struct csv_row *row, char *what, size_t len,
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
    return csv_read(ld, path, "links", "movieId,imdbId,tmdbId", link_row, c);
}
