/* test_dataset.c — loading every layout: the tiny fixtures, bad input with exact line
 * numbers, missing files, and the real ml-latest-small. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/dataset.h"
#include "../../src/engine/loaders.h" /* white box: the two-thread split of ratings.csv */

/* ---- helpers ---- */

#define MAX_REPORTS 64

struct report {
    char file[64]; /* base name */
    long line;
    char what[160];
};

struct reports {
    int n;
    struct report r[MAX_REPORTS];
};

static void collect(void *ctx, const char *file, long line, const char *what)
{
    struct reports *rs = ctx;
    assert_true(rs->n < MAX_REPORTS);
    struct report *r = &rs->r[rs->n++];
    const char *base = strrchr(file, '/');
    snprintf(r->file, sizeof r->file, "%s", base ? base + 1 : file);
    r->line = line;
    snprintf(r->what, sizeof r->what, "%s", what);
}

/* Asserts that exactly one report names file:line and contains text. */
static void assert_reported(const struct reports *rs, const char *file, long line, const char *text)
{
    int found = 0;
    for (int i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].file, file) == 0 && rs->r[i].line == line) {
            if (!strstr(rs->r[i].what, text))
                fail_msg("%s:%ld: got \"%s\", expected it to contain \"%s\"", file, line,
                         rs->r[i].what, text);
            found++;
        }
    if (found != 1)
        fail_msg("%s:%ld: %d reports, expected 1 (\"%s\")", file, line, found, text);
}

static const struct mr_movie *movie(const struct mr_dataset *ds, int32_t id)
{
    int32_t item = mr_catalog_find(&ds->catalog, id);
    if (item < 0)
        fail_msg("movie %d not loaded", (int)id);
    return &ds->catalog.movies[item];
}

/* Half-star rating of MovieLens user uid for movie id, 0 when none. */
static int rating_of(const struct mr_dataset *ds, int32_t uid, int32_t id)
{
    int32_t u = mr_ratings_find_user(&ds->ratings, uid);
    int32_t item = mr_catalog_find(&ds->catalog, id);
    assert_true(u >= 0);
    assert_true(item >= 0);
    return mr_ratings_get(&ds->ratings, u, item);
}

static int load_reporting(const char *dir, struct mr_dataset *ds, struct reports *rs,
                          struct mr_error *err)
{
    struct mr_load_opts opts = {0};
    opts.report = collect;
    opts.report_ctx = rs;
    memset(rs, 0, sizeof *rs);
    return mr_dataset_load(dir, &opts, ds, err);
}

/* A temporary directory for files written by a test. */
struct tmpdir {
    char path[64];
    char files[8][32];
    int n;
};

static void tmp_make(struct tmpdir *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "/tmp/mr-test-dataset-XXXXXX");
    assert_non_null(mkdtemp(t->path));
}

static void tmp_write(struct tmpdir *t, const char *name, const char *data, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", t->path, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->files[i], name) == 0)
            return;
    snprintf(t->files[t->n++], sizeof t->files[0], "%s", name);
}

static void tmp_write_str(struct tmpdir *t, const char *name, const char *text)
{
    tmp_write(t, name, text, strlen(text));
}

static void tmp_remove(struct tmpdir *t)
{
    char path[128];
    for (int i = 0; i < t->n; i++) {
        snprintf(path, sizeof path, "%s/%s", t->path, t->files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(t->path), 0);
}

/* ---- the clean fixtures, one per layout ---- */

static void test_detect(void **state)
{
    (void)state;
    enum mr_layout layout;
    struct mr_error err;
    assert_int_equal(mr_dataset_detect("tests/fixtures/ml-latest-tiny", &layout, &err), MR_OK);
    assert_int_equal(layout, MR_LAYOUT_CSV);
    assert_int_equal(mr_dataset_detect("tests/fixtures/ml-1m-tiny", &layout, &err), MR_OK);
    assert_int_equal(layout, MR_LAYOUT_DAT);
    assert_int_equal(mr_dataset_detect("tests/fixtures/ml-100k-tiny", &layout, &err), MR_OK);
    assert_int_equal(layout, MR_LAYOUT_100K);
    assert_string_equal(mr_layout_name(MR_LAYOUT_CSV), "ml-latest (CSV)");
    assert_string_equal(mr_layout_name(MR_LAYOUT_DAT), "ml-1m/ml-10m (::)");
    assert_string_equal(mr_layout_name(MR_LAYOUT_100K), "ml-100k");
}

static void test_latest_tiny(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    assert_int_equal(load_reporting("tests/fixtures/ml-latest-tiny", &ds, &rs, &err), MR_OK);
    assert_int_equal(rs.n, 0);
    assert_int_equal(ds.layout, MR_LAYOUT_CSV);
    assert_string_equal(ds.dir, "tests/fixtures/ml-latest-tiny");
    assert_int_equal(ds.catalog.n_movies, 8);
    assert_int_equal(ds.ratings.n_items, 8);
    assert_int_equal(ds.ratings.n_users, 4);
    /* 12 rating lines; user 7 rated 2571 twice */
    assert_int_equal(ds.ratings.n_ratings, 11);
    assert_int_equal(ds.stats.lines_read, 8 + 12 + 6 + 8);
    assert_int_equal(ds.stats.lines_skipped, 0);
    assert_true(ds.fingerprint != 0);

    const struct mr_movie *m = movie(&ds, 11);
    assert_string_equal(m->title, "American President, The (1995)");
    assert_string_equal(m->display, "The American President (1995)");
    assert_int_equal(m->year, 1995);
    m = movie(&ds, 29);
    assert_string_equal(m->display,
                        "The City of Lost Children (La Cité des enfants perdus) (1995)");
    m = movie(&ds, 5000);
    assert_string_equal(m->title, "\"Great Performances\" Cats (1998)");
    assert_int_equal(m->genres, 1u << MR_GENRE_MUSICAL);
    assert_int_equal(m->imdb_id, 173714);
    assert_int_equal(m->tmdb_id, 0); /* empty in links.csv */
    assert_int_equal(movie(&ds, 100000)->year, 2007);
    m = movie(&ds, 171495);
    assert_int_equal(m->year, 0);
    assert_int_equal(m->genres, 1u << MR_GENRE_NONE);

    m = movie(&ds, 2571);
    assert_string_equal(m->display, "The Matrix (1999)");
    assert_int_equal(m->genres,
                     (1u << MR_GENRE_ACTION) | (1u << MR_GENRE_SCI_FI) | (1u << MR_GENRE_THRILLER));
    assert_int_equal(m->imdb_id, 133093);
    assert_int_equal(m->tmdb_id, 603);
    assert_int_equal(m->n_tags, 2);
    assert_string_equal(m->tags[0].text, "cyberpunk");
    assert_int_equal(m->tags[0].count, 3);
    assert_string_equal(m->tags[1].text, "philosophy");
    assert_string_equal(movie(&ds, 4973)->tags[0].text, "quirky, romantic");

    /* the later of user 7's two ratings of 2571 (4.0 then 3.0) is kept */
    assert_int_equal(rating_of(&ds, 7, 2571), 6);
    assert_int_equal(rating_of(&ds, 3, 1), 1);
    assert_int_equal(rating_of(&ds, 1, 4973), 7);
    int32_t matrix = mr_catalog_find(&ds.catalog, 2571);
    assert_int_equal(ds.ratings.item_count[matrix], 3);
    assert_float_equal(ds.ratings.item_mean[matrix], (5.0 + 4.5 + 3.0) / 3.0, 1e-5);
    assert_int_equal(ds.ratings.item_count[mr_catalog_find(&ds.catalog, 100000)], 0);
    double sum = 4.0 + 5.0 + 3.5 + 0.5 + 2.0 + 4.5 + 3.0 + 1.0 + 2.5 + 3.0 + 5.0;
    assert_float_equal(ds.ratings.global_mean, sum / 11.0, 1e-9);
    assert_int_equal(ds.ratings.user_ids[0], 1);
    assert_int_equal(ds.ratings.user_ids[3], 12);

    /* the same files give the same fingerprint */
    uint64_t fp = ds.fingerprint;
    mr_dataset_free(&ds);
    assert_null(ds.dir);
    assert_int_equal(mr_dataset_load("tests/fixtures/ml-latest-tiny", NULL, &ds, &err), MR_OK);
    assert_int_equal(ds.fingerprint, fp);
    mr_dataset_free(&ds);
}

static void test_latest_tiny_catalog_only(void **state)
{
    (void)state;
    struct mr_load_opts opts = {0};
    opts.skip_ratings = 1;
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_load("tests/fixtures/ml-latest-tiny", &opts, &ds, &err), MR_OK);
    assert_int_equal(ds.catalog.n_movies, 8);
    assert_int_equal(movie(&ds, 2571)->n_tags, 2);
    assert_int_equal(ds.ratings.n_ratings, 0);
    assert_int_equal(ds.ratings.n_users, 0);
    assert_int_equal(ds.ratings.n_items, 8);
    assert_int_equal(ds.ratings.item_ptr[8], 0);
    mr_dataset_free(&ds);
}

static void test_1m_tiny(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    assert_int_equal(load_reporting("tests/fixtures/ml-1m-tiny", &ds, &rs, &err), MR_OK);
    assert_int_equal(rs.n, 0);
    assert_int_equal(ds.layout, MR_LAYOUT_DAT);
    assert_int_equal(ds.catalog.n_movies, 5);
    assert_int_equal(ds.ratings.n_users, 3);
    assert_int_equal(ds.ratings.n_ratings, 8);
    assert_int_equal(ds.stats.lines_read, 5 + 8 + 3);
    /* movies.dat is Latin-1: 0xE9 becomes U+00E9 (C3 A9) */
    assert_string_equal(movie(&ds, 3000)->title, "Am\xC3\xA9lie (1999)");
    assert_string_equal(movie(&ds, 29)->display,
                        "The City of Lost Children (La Cit\xC3\xA9 des enfants perdus) (1995)");
    assert_string_equal(movie(&ds, 3952)->display, "The Contender (2000)");
    assert_int_equal(movie(&ds, 1)->genres, (1u << MR_GENRE_ANIMATION) | (1u << MR_GENRE_CHILDREN) |
                                                (1u << MR_GENRE_COMEDY));
    /* tags.dat is UTF-8 already and must not be converted a second time */
    const struct mr_movie *m = movie(&ds, 3000);
    assert_int_equal(m->n_tags, 1);
    assert_string_equal(m->tags[0].text, "tr\xC3\xA8s dr\xC3\xB4le");
    assert_int_equal(m->tags[0].count, 2);
    assert_int_equal(rating_of(&ds, 1, 1), 10);
    assert_int_equal(rating_of(&ds, 2, 1), 2);
    assert_int_equal(rating_of(&ds, 5, 3000), 10);
    mr_dataset_free(&ds);
}

static void test_100k_tiny(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    assert_int_equal(load_reporting("tests/fixtures/ml-100k-tiny", &ds, &rs, &err), MR_OK);
    assert_int_equal(rs.n, 0);
    assert_int_equal(ds.layout, MR_LAYOUT_100K);
    assert_int_equal(ds.catalog.n_movies, 6);
    assert_int_equal(ds.ratings.n_users, 4); /* 22, 186, 196, 244 */
    assert_int_equal(ds.ratings.n_ratings, 9);
    assert_int_equal(ds.stats.lines_read, 6 + 9);
    const struct mr_movie *m = movie(&ds, 7);
    assert_string_equal(m->title, "Cit\xC3\xA9 des enfants perdus, La (1995)");
    assert_string_equal(m->display, "La Cit\xC3\xA9 des enfants perdus (1995)");
    assert_int_equal(m->genres, (1u << MR_GENRE_ADVENTURE) | (1u << MR_GENRE_SCI_FI));
    assert_string_equal(movie(&ds, 12)->display, "The Usual Suspects (1995)");
    assert_int_equal(movie(&ds, 1)->genres, (1u << MR_GENRE_ANIMATION) | (1u << MR_GENRE_CHILDREN) |
                                                (1u << MR_GENRE_COMEDY));
    m = movie(&ds, 267);
    assert_string_equal(m->title, "unknown");
    assert_int_equal(m->year, 0);
    assert_int_equal(m->genres, 1u << MR_GENRE_NONE);
    /* no year in the title: taken from the release date */
    assert_int_equal(movie(&ds, 1300)->year, 1997);
    assert_int_equal(rating_of(&ds, 22, 7), 2);
    assert_int_equal(rating_of(&ds, 196, 12), 10);
    assert_int_equal(ds.ratings.user_ids[0], 22);
    assert_int_equal(ds.ratings.user_ids[2], 196);
    assert_int_equal(ds.ratings.user_ids[3], 244);

    /* a u1.base-style file read alone appends to a builder */
    struct mr_ratings_builder b = {0};
    struct mr_load_stats stats = {0};
    assert_int_equal(mr_ratings_load_100k_file("tests/fixtures/ml-100k-tiny/u.data", &ds.catalog,
                                               NULL, &b, &stats, &err),
                     MR_OK);
    assert_int_equal(b.n, 9);
    assert_int_equal(stats.lines_read, 9);
    assert_int_equal(b.items[0], mr_catalog_find(&ds.catalog, 1));
    assert_int_equal(b.user_ids[0], 196);
    assert_int_equal(b.vals[0], 6);
    mr_ratings_builder_free(&b);
    mr_dataset_free(&ds);
}

static void test_catalog_load_csv(void **state)
{
    (void)state;
    struct mr_catalog c;
    struct mr_load_stats stats;
    struct mr_error err;
    assert_int_equal(
        mr_catalog_load_csv("tests/fixtures/ml-latest-tiny/movies.csv", NULL, &c, &stats, &err),
        MR_OK);
    assert_int_equal(c.n_movies, 8);
    assert_int_equal(stats.lines_read, 8);
    assert_int_equal(stats.lines_skipped, 0);
    assert_int_equal(c.movies[0].id, 1);
    assert_int_equal(c.movies[7].id, 171495);
    mr_catalog_free(&c);

    assert_int_equal(mr_catalog_load_csv("tests/fixtures/no-such/movies.csv", NULL, &c, NULL, &err),
                     MR_EDATA);
    assert_string_equal(err.file, "tests/fixtures/no-such/movies.csv");
    assert_int_equal(c.n_movies, 0);
}

/* ---- bad input: every rule, with the exact physical line ---- */

static void test_bad_csv(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    assert_int_equal(load_reporting("tests/fixtures/bad-csv", &ds, &rs, &err), MR_OK);

    assert_reported(&rs, "movies.csv", 3, "expected 3 fields (movieId,title,genres), found 2");
    assert_reported(&rs, "movies.csv", 4, "movieId 'x3' is not a positive integer");
    /* lines 6-7 hold one record whose quoted title spans two lines */
    assert_reported(&rs, "movies.csv", 9, "invalid UTF-8");
    assert_reported(&rs, "movies.csv", 10, "duplicate movieId 1");
    assert_reported(&rs, "movies.csv", 11, "empty title");
    assert_reported(&rs, "movies.csv", 13, "found 4");

    assert_reported(&rs, "links.csv", 3, "imdbId is not a number");
    assert_reported(&rs, "links.csv", 4, "unknown movieId 999");

    assert_reported(&rs, "tags.csv", 3, "unknown movieId 999");
    assert_reported(&rs, "tags.csv", 4, "empty tag");
    assert_reported(&rs, "tags.csv", 5, "invalid UTF-8");
    /* a bad record that spans lines 9-10 is reported at the line where it starts */
    assert_reported(&rs, "tags.csv", 9, "unknown movieId 999");

    assert_reported(&rs, "ratings.csv", 3, "rating '5.5' outside 0.5..5");
    assert_reported(&rs, "ratings.csv", 4, "rating '3.3' is not a multiple of 0.5");
    assert_reported(&rs, "ratings.csv", 5, "rating '0' outside 0.5..5");
    assert_reported(&rs, "ratings.csv", 6, "userId 'a' is not a positive integer");
    assert_reported(&rs, "ratings.csv", 7, "unknown movieId 999");
    assert_reported(&rs, "ratings.csv", 8, "found 3");
    assert_reported(&rs, "ratings.csv", 9, "rating 'abc' is not a number");
    assert_reported(&rs, "ratings.csv", 12, "timestamp");
    assert_int_equal(rs.n, 20);
    assert_int_equal(ds.stats.lines_skipped, 20);
    /* records: movies 11 (a blank line, a two-line record), ratings 12, tags 8, links 4 */
    assert_int_equal(ds.stats.lines_read, 11 + 12 + 8 + 4);

    /* the good lines around the bad ones are all there */
    assert_int_equal(ds.catalog.n_movies, 5);
    assert_string_equal(movie(&ds, 1)->title, "Toy Story (1995)"); /* the first of the two */
    assert_string_equal(movie(&ds, 5)->title, "Father of the Bride\nPart II (1995)");
    assert_string_equal(movie(&ds, 6)->title, "Heat (1995)");
    assert_string_equal(movie(&ds, 10)->title, "Sabrina (1995)"); /* no final newline */
    assert_int_equal(movie(&ds, 1)->imdb_id, 114709);
    assert_int_equal(movie(&ds, 6)->tmdb_id, 949);
    assert_int_equal(movie(&ds, 4)->imdb_id, 0);
    assert_string_equal(movie(&ds, 6)->tags[0].text, "multi\nline tag");
    assert_int_equal(movie(&ds, 1)->n_tags, 2); /* "funny", and "after" from line 11 */
    assert_int_equal(ds.ratings.n_ratings, 4);
    assert_int_equal(ds.ratings.n_users, 3);
    assert_int_equal(rating_of(&ds, 3, 1), 10); /* a quoted "5.0" is fine */
    assert_int_equal(rating_of(&ds, 2, 10), 9);
    mr_dataset_free(&ds);
}

static void test_bad_dat(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    assert_int_equal(load_reporting("tests/fixtures/bad-dat", &ds, &rs, &err), MR_OK);
    assert_reported(&rs, "movies.dat", 2, "expected 3 fields");
    assert_reported(&rs, "movies.dat", 3, "MovieID 'x' is not a positive integer");
    assert_reported(&rs, "ratings.dat", 2, "rating '6' outside 0.5..5");
    assert_reported(&rs, "ratings.dat", 3, "found 3");
    assert_reported(&rs, "ratings.dat", 4, "unknown MovieID 99");
    assert_reported(&rs, "ratings.dat", 7, "rating '2.7' is not a multiple of 0.5");
    assert_int_equal(rs.n, 6);
    assert_int_equal(ds.stats.lines_skipped, 6);
    assert_int_equal(ds.catalog.n_movies, 2);
    assert_string_equal(movie(&ds, 3)->title, "Caf\xC3\xA9 au lait (1993)");
    assert_int_equal(ds.ratings.n_ratings, 3);
    assert_int_equal(rating_of(&ds, 2, 1), 5); /* ml-10m style half star */
    mr_dataset_free(&ds);
}

static void test_bad_100k(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    assert_int_equal(load_reporting("tests/fixtures/bad-100k", &ds, &rs, &err), MR_OK);
    assert_reported(&rs, "u.item", 2, "expected 24 fields separated by '|', found 23");
    assert_reported(&rs, "u.item", 3, "genre flag 4 is not 0 or 1");
    assert_reported(&rs, "u.data", 2, "rating '6' outside 0.5..5");
    assert_reported(&rs, "u.data", 3, "found 1");
    assert_reported(&rs, "u.data", 4, "unknown item id 3");
    assert_int_equal(rs.n, 5);
    assert_int_equal(ds.catalog.n_movies, 2);
    assert_int_equal(ds.ratings.n_ratings, 2);
    assert_int_equal(movie(&ds, 4)->genres, 1u << MR_GENRE_COMEDY);
    mr_dataset_free(&ds);
}

static void test_bad_header(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_load("tests/fixtures/bad-header", NULL, &ds, &err), MR_EDATA);
    assert_int_equal(err.status, MR_EDATA);
    assert_string_equal(err.file, "tests/fixtures/bad-header/movies.csv");
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "movieId,title,genres"));
    assert_null(ds.dir); /* freed and zeroed */
    assert_int_equal(ds.catalog.n_movies, 0);
}

static void test_missing_files(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_load("tests/fixtures/bad-missing-ratings", NULL, &ds, &err),
                     MR_EDATA);
    assert_string_equal(err.file, "tests/fixtures/bad-missing-ratings/ratings.csv");
    assert_non_null(strstr(err.msg, "missing"));
    assert_null(ds.catalog.movies);

    /* the catalog alone does not need ratings.csv */
    struct mr_load_opts opts = {0};
    opts.skip_ratings = 1;
    assert_int_equal(mr_dataset_load("tests/fixtures/bad-missing-ratings", &opts, &ds, &err),
                     MR_OK);
    assert_int_equal(ds.catalog.n_movies, 1);
    mr_dataset_free(&ds);

    assert_int_equal(mr_dataset_load("tests/fixtures/no-such-dir", NULL, &ds, &err), MR_EDATA);
    assert_string_equal(err.file, "tests/fixtures/no-such-dir");
    assert_non_null(strstr(err.msg, "cannot open"));

    enum mr_layout layout;
    struct tmpdir t;
    tmp_make(&t);
    assert_int_equal(mr_dataset_detect(t.path, &layout, &err), MR_EDATA);
    assert_non_null(strstr(err.msg, "no MovieLens data"));
    /* ratings without movies: the layout is known, the movie file is missing */
    tmp_write_str(&t, "ratings.dat", "1::1::5::978300760\n");
    assert_int_equal(mr_dataset_load(t.path, NULL, &ds, &err), MR_EDATA);
    assert_non_null(strstr(err.file, "/movies.dat"));
    tmp_remove(&t);
}

static void test_long_lines_crlf_bom(void **state)
{
    (void)state;
    struct tmpdir t;
    tmp_make(&t);
    /* CRLF line ends and a byte order mark */
    tmp_write_str(&t, "movies.csv",
                  "\xEF\xBB\xBFmovieId,title,genres\r\n1,Toy Story (1995),Comedy\r\n"
                  "oops\r\n2,\"Jumanji (1995)\",Fantasy\r\n");
    /* line 3 is longer than 64 KiB; so is the last line, which has no newline */
    size_t big = 70 * 1024;
    char *data = malloc(2 * big + 200);
    assert_non_null(data);
    size_t n = 0;
    n += (size_t)sprintf(data + n, "userId,movieId,rating,timestamp\n1,1,4.0,1\n");
    memset(data + n, '7', big);
    n += big;
    n += (size_t)sprintf(data + n, "\n2,2,3.5,1\n2,1,1.0,1\n");
    memcpy(data + n, "3,", 2);
    n += 2;
    memset(data + n, '1', big);
    n += big;
    tmp_write(&t, "ratings.csv", data, n);
    free(data);

    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    assert_int_equal(load_reporting(t.path, &ds, &rs, &err), MR_OK);
    assert_reported(&rs, "movies.csv", 3, "expected 3 fields");
    assert_reported(&rs, "ratings.csv", 3, "longer than 65536 bytes");
    assert_reported(&rs, "ratings.csv", 6, "longer than 65536 bytes");
    assert_int_equal(rs.n, 3);
    assert_int_equal(ds.stats.lines_skipped, 3);
    assert_int_equal(ds.catalog.n_movies, 2);
    assert_string_equal(movie(&ds, 2)->title, "Jumanji (1995)");
    assert_int_equal(movie(&ds, 2)->genres, 1u << MR_GENRE_FANTASY);
    assert_int_equal(ds.ratings.n_ratings, 3);
    assert_int_equal(rating_of(&ds, 2, 2), 7);
    uint64_t fp = ds.fingerprint;
    mr_dataset_free(&ds);

    /* a changed modification time changes the fingerprint */
    char path[128];
    snprintf(path, sizeof path, "%s/ratings.csv", t.path);
    struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
    assert_int_equal(mr_dataset_load(t.path, NULL, &ds, &err), MR_OK);
    assert_true(ds.fingerprint != fp);
    mr_dataset_free(&ds);
    tmp_remove(&t);
}

/* ---- ratings.csv read in two halves on two threads ---- */

/* Loads path's ratings with the split forced on (or off) and returns the builder. */
static void load_ratings(const char *path, const struct mr_catalog *c, int split,
                         struct mr_ratings_builder *b, struct reports *rs,
                         struct mr_load_stats *stats)
{
    struct mr_load_opts opts = {0};
    opts.report = collect;
    opts.report_ctx = rs;
    memset(rs, 0, sizeof *rs);
    memset(stats, 0, sizeof *stats);
    memset(b, 0, sizeof *b);
    struct mr_load ld;
    struct mr_error err;
    mr_load_init(&ld, &opts, stats, &err);
    ld.split_min_bytes = split ? 0 : INT64_MAX;
    assert_int_equal(mr_load_csv_ratings(&ld, path, c, b), MR_OK);
}

static void assert_same_load(const char *path, const struct mr_catalog *c)
{
    struct mr_ratings_builder one, two;
    struct reports rs_one, rs_two;
    struct mr_load_stats st_one, st_two;
    load_ratings(path, c, 0, &one, &rs_one, &st_one);
    load_ratings(path, c, 1, &two, &rs_two, &st_two);
    assert_true(one.n > 0);
    assert_int_equal(one.n, two.n);
    assert_memory_equal(one.user_ids, two.user_ids, (size_t)one.n * sizeof *one.user_ids);
    assert_memory_equal(one.items, two.items, (size_t)one.n * sizeof *one.items);
    assert_memory_equal(one.vals, two.vals, (size_t)one.n);
    assert_int_equal(st_one.lines_read, st_two.lines_read);
    assert_int_equal(st_one.lines_skipped, st_two.lines_skipped);
    assert_int_equal(rs_one.n, rs_two.n);
    for (int i = 0; i < rs_one.n; i++) { /* same reports, in the same (file) order */
        assert_int_equal(rs_one.r[i].line, rs_two.r[i].line);
        assert_string_equal(rs_one.r[i].what, rs_two.r[i].what);
    }
    mr_ratings_builder_free(&one);
    mr_ratings_builder_free(&two);
}

static const char *count_row(void *ctx, const struct mr_csv_row *row, char *what, size_t len,
                             int *fatal)
{
    (void)row, (void)what, (void)len, (void)fatal;
    (*(int *)ctx)++;
    return NULL;
}

/* Reads path split in two; returns the split flag and how many rows each half got. */
static int split_counts(const char *path, int *first, int *second)
{
    struct mr_load ld;
    struct mr_error err;
    mr_load_init(&ld, NULL, NULL, &err);
    ld.split_min_bytes = 0;
    *first = *second = 0;
    int split = -1;
    assert_int_equal(mr_csv_read_split(&ld, path, "test", "userId,movieId,rating,timestamp",
                                       (struct mr_csv_handler){count_row, NULL}, first, second,
                                       &split),
                     MR_OK);
    return split;
}

static void test_split_ratings(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    for (int id = 1; id <= 10; id++)
        assert_int_equal(mr_catalog_add(&c, id, "A movie (2000)", 0), MR_OK);
    mr_catalog_finish(&c, NULL, NULL, NULL);
    struct tmpdir t;
    tmp_make(&t);
    char path[128];
    snprintf(path, sizeof path, "%s/ratings.csv", t.path);

    /* 2000 lines with a bad one at lines 101 and 1901: one in each half */
    char *data = malloc(64 * 10000);
    assert_non_null(data);
    size_t n = (size_t)sprintf(data, "userId,movieId,rating,timestamp\n");
    for (int line = 2; line <= 2000; line++) {
        if (line == 101 || line == 1901)
            n += (size_t)sprintf(data + n, "%d,99,4.0,1\n", line);
        else
            n += (size_t)sprintf(data + n, "%d,%d,%d.5,%d\n", line, 1 + line % 10, line % 5, line);
    }
    tmp_write(&t, "ratings.csv", data, n);
    struct mr_ratings_builder b;
    struct reports rs;
    struct mr_load_stats stats;
    load_ratings(path, &c, 1, &b, &rs, &stats);
    assert_int_equal(b.n, 1997);
    assert_int_equal(b.user_ids[0], 2);
    assert_int_equal(b.user_ids[b.n - 1], 2000); /* the second half comes after the first */
    assert_int_equal(rs.n, 2);
    assert_int_equal(rs.r[0].line, 101);
    assert_int_equal(rs.r[1].line, 1901);
    assert_string_equal(rs.r[1].what, "unknown movieId 99");
    int first, second;
    assert_int_equal(split_counts(path, &first, &second), 1);
    assert_true(first > 900 && second > 900);
    assert_int_equal(first + second, 1999);
    assert_int_equal(stats.lines_read, 1999);
    assert_int_equal(stats.lines_skipped, 2);
    mr_ratings_builder_free(&b);
    assert_same_load(path, &c);

    /* A quoted field with many line ends around the middle: the cut falls inside it, and
     * the reader must notice and go on in one piece. */
    n = (size_t)sprintf(data, "userId,movieId,rating,timestamp\n");
    for (int line = 2; line <= 1000; line++)
        n += (size_t)sprintf(data + n, "%d,%d,3.0,%d\n", line, 1 + line % 10, line);
    n += (size_t)sprintf(data + n, "1001,1,\"");
    enum { QUOTED_LINE_ENDS = 6000 }; /* more bytes than the lines on either side */
    for (int i = 0; i < QUOTED_LINE_ENDS; i++)
        data[n++] = '\n';
    n += (size_t)sprintf(data + n, "\",1\n");
    for (int line = 1002 + QUOTED_LINE_ENDS; line < 1002 + QUOTED_LINE_ENDS + 999; line++)
        n += (size_t)sprintf(data + n, "%d,%d,3.0,%d\n", line, 1 + line % 10, line);
    tmp_write(&t, "ratings.csv", data, n);
    free(data);
    load_ratings(path, &c, 1, &b, &rs, &stats);
    assert_int_equal(b.n, 999 + 999);
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].line, 1001);
    assert_int_equal(b.user_ids[999], 1002 + QUOTED_LINE_ENDS);
    assert_int_equal(split_counts(path, &first, &second), 0); /* read in one piece */
    assert_int_equal(first, 999 + 1 + 999);
    mr_ratings_builder_free(&b);
    assert_same_load(path, &c);

    tmp_remove(&t);
    mr_catalog_free(&c);
}

/* ---- the real data set ---- */

static void test_ml_latest_small(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    struct reports rs;
    int rc = load_reporting("data/ml-latest-small", &ds, &rs, &err);
    if (rc != MR_OK)
        fail_msg("data/ml-latest-small: %s (run `make data`)", err.msg);
    assert_int_equal(rs.n, 0);
    assert_int_equal(ds.stats.lines_skipped, 0);
    assert_int_equal(ds.catalog.n_movies, 9742);
    assert_int_equal(ds.ratings.n_users, 610);
    assert_int_equal(ds.ratings.n_ratings, 100836);
    assert_int_equal(ds.ratings.n_items, 9742);

    assert_int_equal(mr_catalog_find(&ds.catalog, 1), 0);
    const struct mr_movie *toy = &ds.catalog.movies[0];
    assert_int_equal(toy->id, 1);
    assert_string_equal(toy->title, "Toy Story (1995)");
    assert_int_equal(toy->year, 1995);
    char genres[256];
    assert_string_equal(mr_genres_format(toy->genres, genres, sizeof genres),
                        "Adventure|Animation|Children|Comedy|Fantasy");
    assert_int_equal(toy->imdb_id, 114709);
    assert_int_equal(toy->tmdb_id, 862);
    assert_true(toy->n_tags > 0);

    const struct mr_movie *matrix = movie(&ds, 2571);
    assert_string_equal(matrix->title, "Matrix, The (1999)");
    assert_string_equal(matrix->display, "The Matrix (1999)");

    /* every row and column sums to the total */
    int64_t rows = 0, cols = 0;
    for (int32_t u = 0; u < ds.ratings.n_users; u++)
        rows += ds.ratings.user_ptr[u + 1] - ds.ratings.user_ptr[u];
    for (int32_t i = 0; i < ds.ratings.n_items; i++)
        cols += ds.ratings.item_count[i];
    assert_int_equal(rows, 100836);
    assert_int_equal(cols, 100836);
    assert_true(ds.ratings.global_mean > 3.0 && ds.ratings.global_mean < 4.0);
    mr_dataset_free(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_latest_tiny),
        cmocka_unit_test(test_latest_tiny_catalog_only),
        cmocka_unit_test(test_1m_tiny),
        cmocka_unit_test(test_100k_tiny),
        cmocka_unit_test(test_catalog_load_csv),
        cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_bad_dat),
        cmocka_unit_test(test_bad_100k),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_missing_files),
        cmocka_unit_test(test_long_lines_crlf_bom),
        cmocka_unit_test(test_split_ratings),
        cmocka_unit_test(test_ml_latest_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
