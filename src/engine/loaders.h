/* loaders.h — private to the data-set loaders (dataset.c, load_*.c, catalog.c, ratings.c).
 *
 * Not part of the public API: frontends and models use include/movierec/dataset.h. */
#ifndef MOVIEREC_LOADERS_H
#define MOVIEREC_LOADERS_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/catalog.h"
#include "movierec/dataset.h"
#include "movierec/error.h"
#include "movierec/ratings.h"

/* mr_catalog_finish() with the line each movie was read from (lines[i] for the i-th add, or
 * NULL), so that a dropped duplicate is reported at its own line.  Returns how many
 * duplicates were dropped. */
int64_t mr_catalog_finish_lines(struct mr_catalog *c, const int64_t *lines, mr_report_fn report,
                                void *ctx, const char *file);

/* Makes room for n ratings in b (a hint from the file size).  MR_OK or MR_ENOMEM (b is
 * then unchanged but possibly partly grown; it stays valid). */
int mr_ratings_builder_reserve(struct mr_ratings_builder *b, int64_t n);

/* Appends more's ratings after b's (later ones win in the build) and frees more.  MR_OK,
 * or MR_ENOMEM with both left as they were. */
int mr_ratings_builder_append(struct mr_ratings_builder *b, struct mr_ratings_builder *more);

/* ---- One load in progress (load_lines.c) ---- */

/* Lines longer than this many bytes (without the newline) are reported and skipped. */
#define MR_MAX_LINE (64 * 1024)

struct mr_load {
    const struct mr_load_opts *opts; /* never NULL */
    struct mr_load_stats *stats;     /* never NULL */
    struct mr_error *err;            /* may be NULL */
    uint64_t fingerprint;            /* of the files opened so far (names, sizes, mtimes) */
    int64_t split_min_bytes;         /* mr_csv_read_split() uses two threads from this size */
    int64_t max_record_bytes;        /* a CSV record still open past this is dropped */
    struct mr_load_opts own_opts;    /* used when the caller passes none */
    struct mr_load_stats own_stats;
};

/* Sets up ld; opts and stats may be NULL (defaults, counts into ld's own storage). */
void mr_load_init(struct mr_load *ld, const struct mr_load_opts *opts, struct mr_load_stats *stats,
                  struct mr_error *err);

/* Reports a malformed line through opts->report and counts it as skipped. */
void mr_load_skip(struct mr_load *ld, const char *file, long line, const char *what);

/* Physical lines of one file, read in large blocks. */
struct mr_lines {
    struct mr_load *ld;
    const char *path;  /* borrowed */
    const char *stage; /* progress stage name */
    int fd;
    char *buf;
    size_t cap, begin, end;
    long line; /* 1-based number of the line last returned */
    int eof;
    int64_t size, done; /* bytes in the range and read so far (progress) */
    int64_t remaining;  /* bytes of the range not read yet, or -1: up to the end of the file */
    int64_t begin_offset, file_size;
};

enum mr_line_result {
    MR_LINE_ERROR = -1, /* read failed: ld->err is filled */
    MR_LINE_EOF = 0,
    MR_LINE_OK = 1,   /* *text, *len: the line with its end ('\n', '\r\n' or a lone '\r') if any */
    MR_LINE_LONG = 2, /* an over-long line was reported, counted and skipped */
};

/* Opens path for reading and adds it to ld's fingerprint.  Returns MR_OK, or MR_EDATA
 * (ld->err names the path) / MR_ENOMEM. */
int mr_lines_open(struct mr_lines *lr, struct mr_load *ld, const char *path, const char *stage);

/* mr_lines_open() for the bytes [begin, end) of path only (end -1: to the end of the file);
 * line numbers count from the first line of the range. */
int mr_lines_open_range(struct mr_lines *lr, struct mr_load *ld, const char *path,
                        const char *stage, int64_t begin, int64_t end);

/* Lets an open range go on up to end (-1: the end of the file). */
void mr_lines_extend(struct mr_lines *lr, int64_t end);

/* Next physical line (a UTF-8 byte order mark on line 1 is dropped).  The text stays valid
 * until the next call. */
int mr_lines_next(struct mr_lines *lr, char **text, size_t *len);

/* Closes the file and frees the buffer; safe to call twice. */
void mr_lines_close(struct mr_lines *lr);

/* Handles one line of a text file: line end removed, UTF-8, NUL-terminated at len, and the
 * handler may modify it in place.  Returns NULL when it was used,
 * or a description of what is wrong (possibly written into what).  Sets *fatal to
 * MR_ENOMEM to stop the load. */
typedef const char *(*mr_line_fn)(void *ctx, char *text, size_t len, long line, char *what,
                                  size_t what_len, int *fatal);

enum mr_text_encoding {
    MR_TEXT_NUMBERS, /* only numbers and separators: no conversion */
    MR_TEXT_DETECT,  /* UTF-8 when the whole file is valid UTF-8, otherwise Latin-1 */
};

/* Calls fn for every non-blank line of path; reports what it rejects and counts lines.
 * Returns MR_OK, MR_EDATA (ld->err filled) or MR_ENOMEM. */
int mr_read_lines(struct mr_load *ld, const char *path, const char *stage,
                  enum mr_text_encoding enc, mr_line_fn fn, void *ctx);

/* ---- CSV through libcsv (csv_reader.c) ---- */

/* Fields kept per record; a record with more is still counted and reported. */
#define MR_CSV_MAX_FIELDS 8

struct mr_csv_row {
    const char *field[MR_CSV_MAX_FIELDS]; /* NUL-terminated */
    size_t len[MR_CSV_MAX_FIELDS];
    int n;     /* fields in the record (may exceed MR_CSV_MAX_FIELDS) */
    long line; /* physical line where the record starts */
};

/* Handles one data record.  Returns NULL when it was used, or a description of what is
 * wrong (possibly written into what).  Sets *fatal to MR_ENOMEM to stop the load. */
typedef const char *(*mr_csv_row_fn)(void *ctx, const struct mr_csv_row *row, char *what,
                                     size_t what_len, int *fatal);

/* Optional: receives each field of a data record as libcsv delivers it (index from 0, bytes
 * not NUL-terminated and valid only during the call), so that a hot loader can parse
 * without copying.  The row function is then called at the end of the record with only
 * row->n and row->line set, and takes the fields from its own context. */
typedef void (*mr_csv_field_fn)(void *ctx, int index, const char *data, size_t len);

/* How records are handed over: row is required, field optional (see mr_csv_field_fn). */
struct mr_csv_handler {
    mr_csv_row_fn row;
    mr_csv_field_fn field;
};

/* Reads the CSV file at path: checks that its first record is the header (comma-separated
 * names, compared without case), then hands each data record to h with ctx.  Bad records
 * are reported and counted.  Returns MR_OK, MR_EDATA (ld->err filled) or MR_ENOMEM. */
int mr_csv_read(struct mr_load *ld, const char *path, const char *stage, const char *header,
                struct mr_csv_handler h, void *ctx);

/* mr_csv_read() on two threads when the file has at least ld->split_min_bytes: records of
 * the first half go to h with ctx, those of the second half to h with ctx2, which must not share
 * mutable state with ctx.  Reports still arrive in file order on the calling thread.
 * *split is 1 when ctx2 was used; the caller then appends ctx2's results after ctx's.  When
 * it is 0, everything went to ctx and whatever ctx2 holds must be discarded. */
int mr_csv_read_split(struct mr_load *ld, const char *path, const char *stage, const char *header,
                      struct mr_csv_handler h, void *ctx, void *ctx2, int *split);

/* ---- Field parsing (load_lines.c) ---- */

/* A non-negative decimal integer (digits only, leading zeros allowed).  1 or 0. */
static inline int mr_parse_u63(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 18)
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* A positive decimal integer that fits int32 (digits only).  1 on success, else 0. */
static inline int mr_parse_id(const char *s, size_t n, int32_t *out)
{
    int64_t v;
    if (n > 10 || !mr_parse_u63(s, n, &v) || v <= 0 || v > INT32_MAX)
        return 0;
    *out = (int32_t)v;
    return 1;
}

/* A star rating "4", "3.5", "4.0": half stars 1..10 on success; 0 when it is not a
 * number, -1 when it is outside 0.5..5, -2 when it is not a multiple of 0.5.
 * (Inline: these run for every field of a 25M-line ratings file.) */
static inline int mr_parse_half(const char *s, size_t n)
{
    if (n > 1 && s[0] == '-')
        return mr_parse_half(s + 1, n - 1) == 0 ? 0 : -1; /* a negative number */
    size_t i = 0;
    int whole = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (whole < 1000)
            whole = whole * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0)
        return 0;
    int half_step = 0, off_grid = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t frac_start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (i == frac_start && s[i] == '5')
                half_step = 1;
            else if (s[i] != '0')
                off_grid = 1;
            i++;
        }
        if (i == frac_start)
            return 0; /* "4." */
    }
    if (i != n)
        return 0;
    /* value = whole + (half_step ? 0.5 : 0) + a remainder when off_grid */
    if (whole > 5 || (whole == 5 && (half_step || off_grid)) || (whole == 0 && !half_step))
        return -1;
    if (off_grid)
        return -2;
    return whole * 2 + half_step;
}

/* Splits s[0..n) at each occurrence of sep (seplen bytes).  Stores up to max fields in
 * fields/lens and returns the total number of fields found. */
int mr_split(const char *s, size_t n, const char *sep, size_t seplen, const char **fields,
             size_t *lens, int max);

/* Describes a bad rating value for a report ("rating '7' outside 0.5..5"). */
void mr_describe_bad_rating(int code, const char *s, size_t n, char *what, size_t len);

/* Describes an id that mr_parse_id() refused, for a report ("UserID 'x' is not a positive
 * integer"; name says which id, s[0..n) is shown cut to 24 bytes).  Returns what. */
const char *mr_describe_bad_id(const char *name, const char *s, size_t n, char *what, size_t len);

/* Genre bits of a '|'-joined list of names; unknown names are ignored. */
uint32_t mr_parse_genres(const char *s, size_t n);

/* Adds movies to a catalog remembering the line each came from, so that duplicates are
 * reported at their own line when the catalog is finished. */
struct mr_movie_adder {
    struct mr_catalog *c;
    int64_t *lines;
    size_t cap;
};

/* Copies title[0..n) and adds the movie.  MR_OK or MR_ENOMEM. */
int mr_movie_adder_add(struct mr_movie_adder *a, int32_t id, const char *title, size_t n,
                       uint32_t genres, long line);

/* Ends adding after a read that returned rc: when rc is MR_OK, finishes the catalog (sorted,
 * duplicates reported at their lines and counted as skipped); frees the lines either way.
 * Returns rc. */
int mr_movie_adder_end(struct mr_movie_adder *a, struct mr_load *ld, const char *path, int rc);

/* Reads the catalog c from the line-based file at path (encoding detected): fn gets each line
 * with a struct mr_movie_adder on c as ctx and adds the movie through it.  On MR_OK the
 * catalog is finished (duplicates reported and counted).  Returns what mr_read_lines() does. */
int mr_read_movie_lines(struct mr_load *ld, const char *path, mr_line_fn fn, struct mr_catalog *c);

/* movieId -> item index: a direct table when ids are small, else binary search. */
struct mr_item_map {
    const struct mr_catalog *catalog;
    int32_t *direct; /* NULL: binary search */
    int32_t max_id;
};

int mr_item_map_init(struct mr_item_map *m, const struct mr_catalog *c);
void mr_item_map_free(struct mr_item_map *m);

/* Item index of movieId id, or -1. */
static inline int32_t mr_item_map_find(const struct mr_item_map *m, int32_t id)
{
    if (m->direct)
        return id >= 0 && id <= m->max_id ? m->direct[id] : -1;
    return mr_catalog_find(m->catalog, id);
}

/* ---- Ratings in a separated-text layout (load_rating_lines.c) ---- */

/* How a layout writes its "user item rating timestamp" lines (u.data, ratings.dat), and the
 * words its reports use. */
struct mr_rating_layout {
    const char *sep;       /* the field separator: "\t", "::" */
    const char *fields;    /* what a line holds, for "expected FIELDS, found N" */
    const char *user_name; /* the user id's name in reports ("UserID") */
    const char *item_name; /* the movie id's name in reports ("MovieID") */
};

/* Reads the ratings file at path written as layout says and appends each rating of a movie in
 * c to b; bad lines are reported at their line and counted.  Returns MR_OK, MR_EDATA (ld->err
 * filled) or MR_ENOMEM. */
int mr_read_rating_lines(struct mr_load *ld, const char *path,
                         const struct mr_rating_layout *layout, const struct mr_catalog *c,
                         struct mr_ratings_builder *b);

/* ---- The three layouts (load_csv.c, load_dat.c, load_100k.c) ----
 * Each returns MR_OK, MR_EDATA (ld->err filled) or MR_ENOMEM.  Catalog loaders leave the
 * catalog finished (sorted, duplicates dropped); ratings loaders append to the builder. */

int mr_load_csv_movies(struct mr_load *ld, const char *path, struct mr_catalog *c);
int mr_load_csv_ratings(struct mr_load *ld, const char *path, const struct mr_catalog *c,
                        struct mr_ratings_builder *b);
int mr_load_csv_tags(struct mr_load *ld, const char *path, struct mr_catalog *c);
int mr_load_csv_links(struct mr_load *ld, const char *path, struct mr_catalog *c);

int mr_load_dat_movies(struct mr_load *ld, const char *path, struct mr_catalog *c);
int mr_load_dat_ratings(struct mr_load *ld, const char *path, const struct mr_catalog *c,
                        struct mr_ratings_builder *b);
int mr_load_dat_tags(struct mr_load *ld, const char *path, struct mr_catalog *c);

int mr_load_100k_items(struct mr_load *ld, const char *path, struct mr_catalog *c);
int mr_load_100k_ratings(struct mr_load *ld, const char *path, const struct mr_catalog *c,
                         struct mr_ratings_builder *b);

#endif
